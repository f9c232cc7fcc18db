// Timeline histogram (SVG) of events per day, week or month; drag across it to choose the
// date range (a "brush"). Built with createElementNS and textContent only.
const NS = "http://www.w3.org/2000/svg";
const DAY = 86400000;

function svg(tag, attrs = {}) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  return n;
}

export function parseDay(s) {
  const [y, m, d] = s.slice(0, 10).split("-").map(Number);
  return Date.UTC(y, m - 1, d);
}

export function isoDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

function binStart(ms, unit) {
  if (unit === "day") return ms;
  const d = new Date(ms);
  if (unit === "week") return ms - ((d.getUTCDay() + 6) % 7) * DAY;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function binEnd(start, unit) {
  if (unit === "day") return start + DAY;
  if (unit === "week") return start + 7 * DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export class Timeline {
  constructor(node, onBrush) {
    this.node = node;
    this.onBrush = onBrush;
    this.days = [];
    this.selection = null;
    this.height = 96;
    this.pad = { l: 34, r: 8, t: 6, b: 18 };
    node.addEventListener("pointerdown", (e) => this._down(e));
    node.addEventListener("pointermove", (e) => this._move(e));
    node.addEventListener("pointerup", (e) => this._up(e));
    window.addEventListener("resize", () => this.render());
  }

  setData(byDay, selection) {
    this.days = byDay.filter((d) => d.date).map((d) => [parseDay(d.date), d.count]);
    this.selection = selection;
    this.render();
  }

  setSelection(selection) {
    this.selection = selection;
    this.render();
  }

  _x(ms) {
    const w = this.width - this.pad.l - this.pad.r;
    return this.pad.l + ((ms - this.t0) / Math.max(1, this.t1 - this.t0)) * w;
  }

  _t(x) {
    const w = this.width - this.pad.l - this.pad.r;
    const f = Math.min(1, Math.max(0, (x - this.pad.l) / w));
    return this.t0 + f * (this.t1 - this.t0);
  }

  render() {
    const node = this.node;
    while (node.firstChild) node.removeChild(node.firstChild);
    this.width = node.clientWidth || 600;
    node.setAttribute("viewBox", `0 0 ${this.width} ${this.height}`);
    node.setAttribute("height", this.height);
    if (!this.days.length) {
      const t = svg("text", { x: this.pad.l, y: 40, class: "axis" });
      t.textContent = "no dated events";
      node.appendChild(t);
      return;
    }
    const first = this.days[0][0], last = this.days[this.days.length - 1][0];
    const span = (last - first) / DAY;
    this.unit = span <= 400 ? "day" : span <= 2500 ? "week" : "month";
    const bins = new Map();
    for (const [ms, n] of this.days) {
      const b = binStart(ms, this.unit);
      bins.set(b, (bins.get(b) || 0) + n);
    }
    this.t0 = binStart(first, this.unit);
    this.t1 = binEnd(binStart(last, this.unit), this.unit);
    const max = Math.max(...bins.values());
    const h = this.height - this.pad.t - this.pad.b;
    const g = svg("g", { class: "bars" });
    for (const [b, n] of bins) {
      const x0 = this._x(b), x1 = this._x(binEnd(b, this.unit));
      const bh = Math.max(1, (n / max) * h);
      const r = svg("rect", { x: x0.toFixed(2), y: (this.pad.t + h - bh).toFixed(2),
        width: Math.max(1, x1 - x0 - 0.5).toFixed(2), height: bh.toFixed(2), class: "bar" });
      const tip = svg("title");
      tip.textContent = `${isoDay(b)} (${this.unit}): ${n}`;
      r.appendChild(tip);
      g.appendChild(r);
    }
    node.appendChild(g);
    const ymax = svg("text", { x: 2, y: this.pad.t + 9, class: "axis" });
    ymax.textContent = String(max);
    node.appendChild(ymax);
    const ticks = 6;
    for (let i = 0; i <= ticks; i++) {
      const ms = this.t0 + (i / ticks) * (this.t1 - this.t0);
      const t = svg("text", { x: this._x(ms), y: this.height - 4, class: "axis",
        "text-anchor": i === 0 ? "start" : i === ticks ? "end" : "middle" });
      t.textContent = isoDay(ms);
      node.appendChild(t);
    }
    node.appendChild(svg("line", { x1: this.pad.l, x2: this.width - this.pad.r,
      y1: this.pad.t + h + 0.5, y2: this.pad.t + h + 0.5, class: "baseline" }));
    this.brushRect = svg("rect", { y: this.pad.t, height: h, x: 0, width: 0, class: "brush" });
    node.appendChild(this.brushRect);
    if (this.selection) {
      const [a, b] = this.selection;
      const xa = this._x(a ? parseDay(a) : this.t0);
      const xb = this._x(b ? parseDay(b) + DAY : this.t1);
      this.brushRect.setAttribute("x", Math.min(xa, xb));
      this.brushRect.setAttribute("width", Math.abs(xb - xa));
    }
  }

  _px(e) {
    const r = this.node.getBoundingClientRect();
    return ((e.clientX - r.left) / r.width) * this.width;
  }

  _down(e) {
    if (!this.days.length) return;
    this.dragFrom = this._px(e);
    this.node.setPointerCapture(e.pointerId);
  }

  _move(e) {
    if (this.dragFrom === undefined || !this.brushRect) return;
    const x = this._px(e);
    this.brushRect.setAttribute("x", Math.min(x, this.dragFrom));
    this.brushRect.setAttribute("width", Math.abs(x - this.dragFrom));
  }

  _up(e) {
    if (this.dragFrom === undefined) return;
    const x0 = this.dragFrom, x1 = this._px(e);
    this.dragFrom = undefined;
    if (Math.abs(x1 - x0) < 3) {          // a click: the bin under the pointer
      const b = binStart(this._t(x1), this.unit);
      this.onBrush(isoDay(b), isoDay(binEnd(b, this.unit) - DAY));
      return;
    }
    const a = this._t(Math.min(x0, x1)), b = this._t(Math.max(x0, x1));
    this.onBrush(isoDay(a), isoDay(Math.max(a, b - 1)));
  }
}
