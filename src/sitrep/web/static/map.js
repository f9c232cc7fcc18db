// The map: country borders (world-atlas TopoJSON, offline), incident markers clustered at
// low zoom, coloured by event type (a cluster by the type most of its incidents have), sized
// by fatalities, with a hover tooltip built from text nodes. The view fits the filtered
// results; selecting an incident pans to it and highlights its marker. Marker data never
// reaches Leaflet's HTML popups: a click only calls onSelect(id).
// A density layer (Leaflet.heat on a canvas) shows where incidents concentrate; it is on by
// default once the results reach DENSITY_AUTO incidents, and the layer control (fixed labels)
// switches it and the markers on and off.
import { el, TYPE_COLORS, typeColor } from "./dom.js";

const TYPES = Object.keys(TYPE_COLORS);

export function dominantType(types) {
  // The most frequent type (ties: the first in the codebook's order); -1 when none.
  const n = new Array(TYPES.length).fill(0);
  for (const t of types) { const k = TYPES.indexOf(t); if (k >= 0) n[k] += 1; }
  let best = -1;
  for (let k = 0; k < n.length; k++) if (n[k] && (best < 0 || n[k] > n[best])) best = k;
  return best;
}

function clusterIcon(cluster) {
  const count = cluster.getChildCount();
  // the dominant type is counted once per cluster and size (icons are redrawn on every zoom)
  if (!cluster._sitrepType || cluster._sitrepType[0] !== count) {
    cluster._sitrepType = [count, dominantType(cluster.getAllChildMarkers()
      .map((m) => m.sitrepType))];
  }
  const k = cluster._sitrepType[1];
  const size = count < 10 ? 30 : count < 100 ? 36 : 44;
  // only a number and a colour from the fixed palette go into the icon's markup
  const color = k >= 0 ? TYPE_COLORS[TYPES[k]] : "#555";
  return L.divIcon({
    html: `<div style="background-color:${color}"><span>${Number(count)}</span></div>`,
    className: `marker-cluster sitrep-cluster type-${k}`, iconSize: L.point(size, size),
  });
}

function tooltipNode(p, type) {
  const [, , , , fat, day, place, nSrc] = p;
  return el("div", { class: "ev-tip" }, el("strong", {}, type || "?"),
    el("div", {}, day || "no date"), el("div", {}, place || "no place"),
    el("div", {}, `fatalities: ${fat ?? 0}`),
    el("div", {}, `${nSrc ?? 1} source${nSrc === 1 ? "" : "s"}`));
}

export const DENSITY_AUTO = 5000;   // from this many incidents, the density layer starts on

export function densityPoints(points) {
  // [lat, lon, intensity] per incident; the intensity grows slowly with fatalities so that a
  // mass-casualty attack stands out without hiding a stream of small incidents
  const out = new Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    out[i] = [p[1], p[2], Math.min(1, 0.35 + 0.15 * Math.log1p(Math.max(0, p[4] || 0)))];
  }
  return out;
}

export function densityCells(cells) {
  // [lat, lon, intensity] per grid cell of /api/events?format=density: the busiest cell 1
  let top = 1;
  for (const c of cells) top = Math.max(top, c[2]);
  return cells.map((c) => [c[0], c[1], Math.min(1, 0.3 + 0.7 * Math.sqrt(c[2] / top))]);
}

export function radiusFor(fatalities) {
  return Math.min(22, 5 + 2 * Math.sqrt(Math.max(0, fatalities || 0)));
}

export class EventMap {
  constructor(node, onSelect, onMove) {
    this.onSelect = onSelect;
    this.map = L.map(node, { worldCopyJump: true, minZoom: 2, maxZoom: 16, preferCanvas: false })
      .setView([20, 25], 2);
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution("Borders: Natural Earth via world-atlas");
    this.map.createPane("countries");
    this.map.getPane("countries").style.zIndex = 250;
    this.cluster = L.markerClusterGroup({
      chunkedLoading: true, chunkInterval: 150, chunkDelay: 1, maxClusterRadius: 45,
      showCoverageOnHover: false, spiderfyOnMaxZoom: true, disableClusteringAtZoom: 12,
      // no cluster animations: a reload of the markers during an animated spiderfy (the
      // incidents of one place, opened to select one) broke the plugin's state
      animate: false,
      chunkProgress: (done, total) => this._progress(done, total),
      iconCreateFunction: clusterIcon,
    });
    this.byId = new Map();
    this.highlighted = null;
    this.map.addLayer(this.cluster);
    this.heat = L.heatLayer([], { radius: 18, blur: 16, minOpacity: 0.3, maxZoom: 10 });
    this.densityChosen = null;   // the user's choice in the layer control, once made
    this.layers = L.control.layers(null, { Incidents: this.cluster, Density: this.heat },
      { collapsed: false, position: "topright" }).addTo(this.map);
    this.map.on("overlayadd overlayremove", (e) => {
      if (e.layer !== this.heat) return;
      if (!this.auto) this.densityChosen = e.type === "overlayadd";
      this._densityState();
    });
    this._densityState();
    this.seq = 0;
    this.map.on("moveend", () => onMove && !this.fitting && onMove(this.bbox()));
  }

  async loadBorders(coarseUrl, fineUrl) {
    // Coarse borders first (fast first render); finer ones once the map is zoomed in.
    this.borders = await this._borders(coarseUrl);
    const upgrade = async () => {
      if (this.map.getZoom() < 4 || this.fine) return;
      this.fine = true;
      const fine = await this._borders(fineUrl);
      this.map.removeLayer(this.borders);
      this.borders = fine;
    };
    this.map.on("zoomend", upgrade);
  }

  async _borders(url) {
    const topo = await (await fetch(url)).json();
    const geo = topojson.feature(topo, topo.objects.countries);
    return L.geoJSON(geo, {
      pane: "countries", interactive: false,
      style: { color: "#8c8c8c", weight: 0.6, fillColor: "#f3f0e8", fillOpacity: 1 },
    }).addTo(this.map);
  }

  bbox() {
    const b = this.map.getBounds();
    const w = Math.max(-180, b.getWest()), e = Math.min(180, b.getEast());
    const s = Math.max(-90, b.getSouth()), n = Math.min(90, b.getNorth());
    return [w, s, e, n].map((x) => x.toFixed(4)).join(",");
  }

  setPoints(data, { fit = true } = {}) {
    this.seq += 1;
    document.body.dataset.mapReady = "0";
    this.cluster.clearLayers();
    this.byId = new Map();
    this.highlighted = null;
    this.pendingHighlight = null;
    this.adding = true;         // until every marker is on the map (chunked loading)
    this.expected = data.points.length;
    this.heat.setLatLngs(densityPoints(data.points));
    document.body.dataset.densityPoints = String(data.points.length);
    document.body.dataset.densitySource = "points";
    const on = this.densityChosen ?? (data.total ?? data.points.length) >= DENSITY_AUTO;
    this.auto = true;
    if (on && !this.map.hasLayer(this.heat)) this.map.addLayer(this.heat);
    if (!on && this.map.hasLayer(this.heat)) this.map.removeLayer(this.heat);
    this.auto = false;
    this._densityState();
    const markers = new Array(data.points.length);
    for (let i = 0; i < data.points.length; i++) {
      const p = data.points[i];
      const [id, lat, lon, t, fat] = p;
      const type = data.types[t];
      const m = L.circleMarker([lat, lon], {
        radius: radiusFor(fat), color: "#222", weight: 0.8, opacity: 0.9,
        fillColor: typeColor(type), fillOpacity: 0.8, className: "ev-marker",
      });
      m.sitrepId = id;
      m.sitrepType = type;
      m.bindTooltip(() => tooltipNode(p, type), { direction: "top", offset: [0, -4] });
      m.on("click", () => this.onSelect(id));
      markers[i] = m;
      this.byId.set(id, m);
    }
    if (fit) this.fit(data.points);
    if (!markers.length) {
      this._drawn(0);
      return;
    }
    this.cluster.addLayers(markers);
  }

  fit(points) {
    // Fit the view to the results (one point: a regional view around it).
    if (!points.length) return;
    let s = 90, w = 180, n = -90, e = -180;
    for (const p of points) {
      s = Math.min(s, p[1]); n = Math.max(n, p[1]); w = Math.min(w, p[2]); e = Math.max(e, p[2]);
    }
    this.fitting = true;
    if (points.length === 1 || (n - s < 0.5 && e - w < 0.5)) {
      this.map.setView([(s + n) / 2, (w + e) / 2], 8, { animate: false });
    } else {
      this.map.fitBounds([[s, w], [n, e]], { padding: [24, 24], maxZoom: 9, animate: false });
    }
    this.fitting = false;
    const c = this.map.getBounds();
    document.body.dataset.mapBounds = [c.getWest(), c.getSouth(), c.getEast(), c.getNorth()]
      .map((x) => x.toFixed(3)).join(",");
  }

  setDensity(data) {
    // More incidents than markers: the density layer counts every one of them per grid cell
    this.heat.setLatLngs(densityCells(data.cells));
    document.body.dataset.densityPoints = String(data.total);
    document.body.dataset.densitySource = "cells";
  }

  _densityState() {
    document.body.dataset.density = this.map.hasLayer(this.heat) ? "on" : "off";
  }

  highlight(id) {
    // Pan to the incident (opening its cluster) and mark it; the previous one goes back.
    if (this.highlighted) {
      this.highlighted.setStyle({ weight: 0.8, color: "#222" });
      this.highlighted = null;
    }
    const m = this.byId.get(id);
    this.pendingHighlight = null;
    if (!m) {
      delete document.body.dataset.highlighted;
      return false;
    }
    if (this.adding) {
      // the markers are still being added (chunked loading after a new filter or a review):
      // highlight once they are all on the map
      this.pendingHighlight = id;
      return true;
    }
    this.cluster.zoomToShowLayer(m, () => {
      m.setStyle({ weight: 4, color: "#ffd400" });
      m.bringToFront();
      this.map.panTo(m.getLatLng(), { animate: false });
      this.highlighted = m;
      document.body.dataset.highlighted = id;
    });
    return true;
  }

  _progress(done, total) {
    if (done >= total && total === this.expected) {
      const seq = this.seq;
      requestAnimationFrame(() => { if (seq === this.seq) this._drawn(total); });
    }
  }

  _drawn(n) {
    if (window.__sitrepFirstRender === undefined) {
      window.__sitrepFirstRender = performance.now();
    }
    this.adding = false;
    document.body.dataset.markers = String(n);
    document.body.dataset.mapReady = "1";
    if (this.pendingHighlight) this.highlight(this.pendingHighlight);
  }

  focus(lat, lon) {
    if (lat === null || lon === null || lat === undefined || lon === undefined) return;
    this.map.setView([lat, lon], Math.max(this.map.getZoom(), 7));
  }
}
