// Trend charts (Chart.js, vendored from npm): incidents per week by event type and
// fatalities per week, each with the previous period of the same length as a dashed line,
// and the top admin1 areas and actors beside their previous-period counts. They follow the
// dashboard's filters (GET /api/trends). Labels are drawn on canvas: data never becomes markup.
import { TYPE_COLORS, typeColor } from "./dom.js";

const PREV = "#888";

function base(title) {
  return {
    responsive: true, maintainAspectRatio: false, animation: false,
    plugins: { title: { display: true, text: title, font: { size: 11 } },
      legend: { display: false } },
    scales: { x: { ticks: { font: { size: 9 }, maxRotation: 0, autoSkip: true } },
      y: { beginAtZero: true, ticks: { font: { size: 9 }, precision: 0 } } },
  };
}

export class Trends {
  constructor(node) {
    this.node = node;
    this.charts = {};
  }

  _chart(id, config) {
    if (this.charts[id]) this.charts[id].destroy();
    this.charts[id] = new Chart(this.node.querySelector(`#${id}`), config);
  }

  render(data) {
    const weeks = data.weeks.map((w) => w.slice(5));
    const types = Object.keys(data.by_type).sort((a, b) =>
      Object.keys(TYPE_COLORS).indexOf(a) - Object.keys(TYPE_COLORS).indexOf(b));
    const per = data.period ? `${data.period.from} → ${data.period.to}` : "no data";
    const prevLabel = data.previous ? `previous (${data.previous.from} → ${data.previous.to})`
      : "previous";
    const stacked = base([`Incidents per week by type, ${per}`, "dashed: previous period"]);
    stacked.scales.x.stacked = true;
    stacked.scales.y.stacked = true;
    this._chart("chart-weekly", {
      type: "bar",
      data: { labels: weeks, datasets: [
        ...types.map((t) => ({ label: t, data: data.by_type[t], backgroundColor: typeColor(t),
          stack: "now" })),
        { type: "line", label: prevLabel, data: data.previous_counts, borderColor: PREV,
          borderDash: [4, 3], pointRadius: 0, borderWidth: 1.5, stack: "prev" },
      ] },
      options: stacked,
    });
    this._chart("chart-fatalities", {
      type: "bar",
      data: { labels: weeks, datasets: [
        { label: "fatalities", data: data.fatalities, backgroundColor: "#b03a2e" },
        { type: "line", label: prevLabel, data: data.previous_fatalities, borderColor: PREV,
          borderDash: [4, 3], pointRadius: 0, borderWidth: 1.5 },
      ] },
      options: base(["Fatalities per week", "dashed: previous period"]),
    });
    for (const [id, rows, title] of [
      ["chart-admin1", data.admin1, ["Top areas (admin1)", "grey: previous period"]],
      ["chart-actors", data.actors, ["Top actors", "grey: previous period"]]]) {
      const opts = base(title);
      opts.indexAxis = "y";
      opts.scales = { x: { beginAtZero: true, ticks: { font: { size: 9 }, precision: 0 } },
        y: { ticks: { font: { size: 9 }, autoSkip: false,
          callback(v) { const s = this.getLabelForValue(v); return s.length > 22 ? `${s.slice(0, 21)}…` : s; } } } };
      this._chart(id, {
        type: "bar",
        data: { labels: rows.map((r) => r.name), datasets: [
          { label: "this period", data: rows.map((r) => r.count), backgroundColor: "#4a6f94" },
          { label: "previous", data: rows.map((r) => r.previous), backgroundColor: "#c9c9c9" },
        ] },
        options: opts,
      });
    }
    this.node.dataset.total = String(data.total);
    this.node.dataset.previousTotal = String(data.previous_total);
    this.node.dataset.period = per;
    this.node.dataset.ready = "1";
  }
}
