#!/usr/bin/env bash
# Copy the dashboard's front-end libraries from npm (web/node_modules, pinned by
# package-lock.json) into the Python package: src/sitrep/web/static/vendor/ and the world
# TopoJSON into src/sitrep/web/static/. No bundler: the files are the packages' own dist files.
#
#   bash web/build.sh            # npm ci (if node_modules is missing), then copy
#   bash web/build.sh --check    # exit 1 if the committed files differ from npm's
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
static="$here/../src/sitrep/web/static"
check=0
[ "${1:-}" = "--check" ] && check=1
cd "$here"
if [ ! -d node_modules/leaflet ] || [ ! -d node_modules/world-atlas ] \
   || [ ! -d node_modules/chart.js ] || [ ! -d node_modules/leaflet.heat ]; then
  npm ci --no-audit --no-fund --ignore-scripts
fi
out="$static"
if [ "$check" = 1 ]; then
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
fi
nm="$here/node_modules"
v="$out/vendor"
mkdir -p "$v/leaflet/images" "$v/leaflet.markercluster" "$v/topojson-client" \
  "$v/world-atlas" "$v/swagger-ui" "$v/chart.js" "$v/leaflet.heat"
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$nm/leaflet/LICENSE" \
  "$v/leaflet/"
cp "$nm"/leaflet/dist/images/*.png "$v/leaflet/images/"
cp "$nm/leaflet.markercluster/dist/leaflet.markercluster.js" \
  "$nm/leaflet.markercluster/dist/MarkerCluster.css" \
  "$nm/leaflet.markercluster/dist/MarkerCluster.Default.css" "$v/leaflet.markercluster/"
cp "$nm/leaflet.markercluster/MIT-LICENCE.txt" "$v/leaflet.markercluster/LICENSE"
# the density layer: Leaflet.heat (simpleheat on a canvas)
cp "$nm/leaflet.heat/dist/leaflet-heat.js" "$nm/leaflet.heat/LICENSE" "$v/leaflet.heat/"
cp "$nm/topojson-client/dist/topojson-client.min.js" "$nm/topojson-client/LICENSE" \
  "$v/topojson-client/"
cp "$nm/world-atlas/LICENSE" "$v/world-atlas/"
# the trend charts: Chart.js's UMD build (canvas, no eval: fits the dashboard's CSP)
cp "$nm/chart.js/dist/chart.umd.min.js" "$v/chart.js/"
cp "$nm/chart.js/LICENSE.md" "$v/chart.js/LICENSE.md"
cp "$nm/swagger-ui-dist/swagger-ui-bundle.js" "$nm/swagger-ui-dist/swagger-ui.css" \
  "$nm/swagger-ui-dist/LICENSE" "$nm/swagger-ui-dist/NOTICE" "$v/swagger-ui/"
# Natural Earth country shapes (public domain) as TopoJSON: 1:110m drawn first, 1:50m when
# the map is zoomed in
cp "$nm/world-atlas/countries-110m.json" "$nm/world-atlas/countries-50m.json" "$out/"
node -e '
const fs = require("fs"), path = require("path");
const nm = process.argv[1], names = ["leaflet", "leaflet.markercluster", "topojson-client",
  "world-atlas", "swagger-ui-dist", "chart.js", "leaflet.heat"];
const out = {};
for (const n of names) {
  const p = JSON.parse(fs.readFileSync(path.join(nm, n, "package.json"), "utf8"));
  out[n] = {version: p.version, license: p.license};
}
fs.writeFileSync(process.argv[2], JSON.stringify(out, null, 2) + "\n");
' "$nm" "$v/VERSIONS.json"
if [ "$check" = 1 ]; then
  if diff -r "$out/vendor" "$static/vendor" >/dev/null \
     && cmp -s "$out/countries-50m.json" "$static/countries-50m.json" \
     && cmp -s "$out/countries-110m.json" "$static/countries-110m.json"; then
    echo "vendored front-end files match npm (package-lock.json)"
  else
    echo "vendored front-end files differ from npm: run bash web/build.sh" >&2
    exit 1
  fi
else
  echo "front-end libraries copied to $static"
fi
