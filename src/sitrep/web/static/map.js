// The map: country borders (world-atlas TopoJSON, offline), event markers clustered at low
// zoom, coloured by event type, sized by fatalities. Marker data never reaches Leaflet's
// HTML popups: a click only calls onSelect(id).
import { typeColor } from "./dom.js";

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
      chunkProgress: (done, total) => this._progress(done, total),
    });
    this.map.addLayer(this.cluster);
    this.seq = 0;
    this.map.on("moveend", () => onMove && onMove(this.bbox()));
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

  setPoints(data) {
    this.seq += 1;
    document.body.dataset.mapReady = "0";
    this.cluster.clearLayers();
    this.expected = data.points.length;
    const markers = new Array(data.points.length);
    for (let i = 0; i < data.points.length; i++) {
      const [id, lat, lon, t, fat] = data.points[i];
      const m = L.circleMarker([lat, lon], {
        radius: radiusFor(fat), color: "#222", weight: 0.8, opacity: 0.9,
        fillColor: typeColor(data.types[t]), fillOpacity: 0.8, className: "ev-marker",
      });
      m.sitrepId = id;
      m.on("click", () => this.onSelect(id));
      markers[i] = m;
    }
    if (!markers.length) {
      this._drawn(0);
      return;
    }
    this.cluster.addLayers(markers);
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
    document.body.dataset.markers = String(n);
    document.body.dataset.mapReady = "1";
  }

  focus(lat, lon) {
    if (lat === null || lon === null || lat === undefined || lon === undefined) return;
    this.map.setView([lat, lon], Math.max(this.map.getZoom(), 7));
  }
}
