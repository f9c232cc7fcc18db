// Sitrep dashboard: filters -> /api/events (map points, list), /api/stats (timeline),
// /api/alerts (alerts panel: a click filters map and list to the alert's incidents),
// /api/events/{id} + /api/documents/{id} (detail). Rows are incidents (events merged across
// documents). Plain ES modules, no framework.
import { clear, el, typeColor, TYPE_COLORS } from "./dom.js";
import { EventMap } from "./map.js";
import { Timeline } from "./timeline.js";
import { renderDetail } from "./detail.js";
import { Trends } from "./trends.js";

const PAGE = 50;
const state = { filters: {}, offset: 0, meta: null, selected: null, alert: null,
  picked: new Set() };
const $ = (id) => document.getElementById(id);

async function api(path) {
  const headers = {};
  const tok = sessionStorage.getItem("sitrep-token");
  if (tok) headers.Authorization = `Bearer ${tok}`;
  const r = await fetch(path, { headers });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

function params(extra = {}, { dates = true } = {}) {
  const p = new URLSearchParams();
  const f = { ...state.filters, ...extra };
  for (const [k, v] of Object.entries(f)) {
    if (!dates && (k === "date_from" || k === "date_to")) continue;
    if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
    else if (v !== undefined && v !== null && v !== "") p.append(k, v);
  }
  return p;
}

function readForm() {
  const f = {};
  const val = (id) => $(id).value.trim();
  if (val("f-date-from")) f.date_from = val("f-date-from");
  if (val("f-date-to")) f.date_to = val("f-date-to");
  const types = [...document.querySelectorAll("#f-types input:checked")].map((i) => i.value);
  if (types.length) f.event_type = types;
  if (val("f-sub-type")) f.sub_event_type = val("f-sub-type");
  for (const [id, k] of [["f-actor", "actor"], ["f-country", "country"], ["f-admin1", "admin1"],
    ["f-q", "q"], ["f-claim", "claim_status"], ["f-min-sources", "min_sources"],
    ["f-review", "review"]]) {
    if (val(id)) f[k] = val(id);
  }
  if ($("f-bbox").checked && map) f.bbox = map.bbox();
  if (state.alert) f.id = state.alert.event_ids.slice(0, 2000);
  return f;
}

function buildFilterPanel(meta) {
  const box = $("f-types");
  for (const t of Object.keys(meta.event_types)) {
    const sw = el("span", { class: "swatch" });
    sw.style.backgroundColor = typeColor(t);
    box.appendChild(el("label", { class: "inline type-option" },
      el("input", { type: "checkbox", value: t, name: "event_type" }), sw, t));
  }
  const sub = $("f-sub-type");
  for (const [t, subs] of Object.entries(meta.event_types)) {
    const g = el("optgroup", { label: t });
    subs.forEach((s) => g.appendChild(el("option", { value: s }, s)));
    sub.appendChild(g);
  }
  meta.claim_statuses.forEach((c) => $("f-claim").appendChild(el("option", { value: c }, c)));
  meta.review_filters.forEach((r) => $("f-review").appendChild(el("option", { value: r }, r)));
  const legend = $("legend");
  legend.appendChild(el("div", { class: "note" }, "Marker colour: event type; size: fatalities"));
  for (const [t, c] of Object.entries(TYPE_COLORS)) {
    const sw = el("span", { class: "swatch" });
    sw.style.backgroundColor = c;
    legend.appendChild(el("div", {}, sw, t));
  }
}

let map = null;
let timeline = null;
let trends = null;
let loadSeq = 0;

async function loadMap(seq) {
  const data = await api(`/api/events?${params({ format: "points" })}`);
  if (seq !== loadSeq) return;
  map.setPoints(data, { fit: !$("f-bbox").checked });
  if (data.truncated) {
    // the markers are the newest MAP_LIMIT; the density layer shows all of the matches
    const dens = await api(`/api/events?${params({ format: "density" })}`);
    if (seq !== loadSeq) return;
    map.setDensity(dens);
  }
  $("map-note").textContent = data.truncated
    ? `Map shows the ${data.returned.toLocaleString()} newest of ${data.total.toLocaleString()
    } matching incidents: narrow the filters or tick "only the map view".`
    : `${data.returned.toLocaleString()} incidents with coordinates on the map`;
}

async function loadTimeline(seq) {
  const data = await api(`/api/stats?${params({ group: "day" }, { dates: false })}`);
  if (seq !== loadSeq) return;
  const sel = state.filters.date_from || state.filters.date_to
    ? [state.filters.date_from || null, state.filters.date_to || null] : null;
  timeline.setData(data.by_day || [], sel);
}

async function loadList(seq) {
  const data = await api(`/api/events?${params({ limit: PAGE, offset: state.offset })}`);
  if (seq !== loadSeq) return;
  const tbody = clear($("event-list").querySelector("tbody"));
  for (const e of data.events) {
    const sw = el("span", { class: "swatch" });
    sw.style.backgroundColor = typeColor(e.event_type);
    const pick = el("input", { type: "checkbox", class: "pick", "aria-label": "tick to merge",
      checked: state.picked.has(e.id) });
    pick.addEventListener("click", (k) => k.stopPropagation());
    pick.addEventListener("change", () => {
      if (pick.checked) state.picked.add(e.id); else state.picked.delete(e.id);
      document.body.dataset.picked = String(state.picked.size);
    });
    const tr = el("tr", { class: "event-row", dataset: { id: e.id, type: e.event_type },
      tabindex: 0 },
      el("td", {}, pick), el("td", { class: "date" }, e.event_date || "—"),
      el("td", {}, sw, e.sub_event_type),
      el("td", {}, [e.actor1, e.actor2].filter(Boolean).join(" vs ")),
      el("td", {}, [e.location, e.country].filter(Boolean).join(", ")),
      el("td", { class: "num" }, String(e.fatalities ?? 0)),
      el("td", { class: "num src" }, String(e.n_sources)), el("td", {}, e.review_status || ""));
    tr.addEventListener("click", () => openEvent(e.id));
    tr.addEventListener("keydown", (k) => listKey(k, tr, e.id));
    tbody.appendChild(tr);
  }
  const last = state.offset + data.events.length;
  const total = `${data.total.toLocaleString()}${data.total_exact ? "" : "+"}`;
  $("list-count").textContent = data.total
    ? `incidents ${state.offset + 1}–${last} of ${total}` : "no incidents";
  $("list-prev").disabled = state.offset === 0;
  $("list-next").disabled = data.total_exact && last >= data.total;
  $("summary").textContent = `${total} incidents match`;
  document.body.dataset.listTotal = String(data.total);
}

function listKey(k, tr, id) {
  // Keyboard: arrows (or j/k) move through the list and open the incident; Home/End; Enter.
  const rows = [...document.querySelectorAll("tr.event-row")];
  const i = rows.indexOf(tr);
  let j = null;
  if (k.key === "ArrowDown" || k.key === "j") j = Math.min(rows.length - 1, i + 1);
  else if (k.key === "ArrowUp" || k.key === "k") j = Math.max(0, i - 1);
  else if (k.key === "Home") j = 0;
  else if (k.key === "End") j = rows.length - 1;
  else if (k.key === "Enter" || k.key === " ") { k.preventDefault(); openEvent(id); return; }
  if (j === null) return;
  k.preventDefault();
  rows[j].focus();
  openEvent(rows[j].dataset.id);
}

function fmtP(p) {
  if (p === undefined || p === null) return "—";
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}

async function loadAlerts() {
  const data = await api("/api/alerts");
  const ul = clear($("alert-list"));
  $("alerts-count").textContent = `(${data.alerts.length})`;
  if (!data.alerts.length) {
    ul.appendChild(el("li", { class: "note" }, `no alerts as of ${data.as_of || "—"}`));
  }
  for (const a of data.alerts) {
    const r = a.reason || {};
    const why = a.kind === "surge"
      ? `${r.count} incidents in ${r.window_days} days; expected ${r.expected}; p = ${fmtP(r.p_value)}`
      : `${a.n_events} matching incident${a.n_events === 1 ? "" : "s"} (watchlist)`;
    const li = el("li", { class: "alert-item", tabindex: 0, role: "button",
      dataset: { id: a.id, kind: a.kind } },
      el("strong", {}, a.name), el("div", { class: "why" }, why),
      el("div", { class: "note" }, `${a.window_start} → ${a.window_end}`));
    li.addEventListener("click", () => selectAlert(a));
    li.addEventListener("keydown", (k) => { if (k.key === "Enter") selectAlert(a); });
    ul.appendChild(li);
  }
  document.body.dataset.alerts = String(data.alerts.length);
}

function selectAlert(a) {
  const same = state.alert && state.alert.id === a.id;
  state.alert = same ? null : a;
  for (const li of document.querySelectorAll(".alert-item")) {
    li.classList.toggle("selected", !same && li.dataset.id === a.id);
  }
  $("alert-clear").hidden = !state.alert;
  document.body.dataset.alert = state.alert ? a.id : "";
  return applyForm();
}

async function loadTrends(seq) {
  if ($("trends-wrap").hidden) return;
  $("trends-wrap").dataset.ready = "0";
  const data = await api(`/api/trends?${params({ top: 5 })}`);
  if (seq !== loadSeq) return;
  trends.render(data);
}

function showTab(which) {
  const onTrends = which === "trends";
  $("trends-wrap").hidden = !onTrends;
  $("list-wrap").hidden = onTrends;
  $("tab-trends").setAttribute("aria-selected", String(onTrends));
  $("tab-list").setAttribute("aria-selected", String(!onTrends));
  $("center").classList.toggle("trends-on", onTrends);
  if (onTrends) loadTrends(loadSeq);
}

function updateExports() {
  $("export-csv").href = `/api/events?${params({ format: "csv" })}`;
  $("export-geojson").href = `/api/events?${params({ format: "geojson" })}`;
}

async function refresh({ timelineToo = true } = {}) {
  loadSeq += 1;
  const seq = loadSeq;
  document.body.dataset.loading = "1";
  updateExports();
  const jobs = [loadMap(seq), loadList(seq), loadTrends(seq)];
  if (timelineToo) jobs.push(loadTimeline(seq));
  else timeline.setSelection(state.filters.date_from || state.filters.date_to
    ? [state.filters.date_from || null, state.filters.date_to || null] : null);
  try {
    await Promise.all(jobs);
  } catch (err) {
    $("summary").textContent = String(err.message || err);
  }
  if (seq === loadSeq) document.body.dataset.loading = "0";
}

function applyForm({ timelineToo = true } = {}) {
  state.filters = readForm();
  state.offset = 0;
  $("timeline-range").textContent = state.filters.date_from || state.filters.date_to
    ? `${state.filters.date_from || "…"} → ${state.filters.date_to || "…"}` : "";
  return refresh({ timelineToo });
}

let openSeq = 0;

async function openEvent(id) {
  // the latest call wins, also over an earlier call for the same incident (before a review)
  state.selected = id;
  const seq = ++openSeq;
  const ev = await api(`/api/events/${encodeURIComponent(id)}`);
  if (seq !== openSeq) return;
  for (const r of document.querySelectorAll("tr.event-row.selected")) r.classList.remove("selected");
  const row = document.querySelector(`tr.event-row[data-id="${CSS.escape(id)}"]`);
  if (row) row.classList.add("selected");
  map.highlight(id);
  await renderDetail($("detail"), ev, { api, meta: state.meta, onReviewed,
    picked: () => [...state.picked].filter((x) => x !== id) });
}

async function onReviewed(id) {
  state.picked.clear();
  await refresh({ timelineToo: false });
  await openEvent(id);
}

async function main() {
  map = new EventMap($("map"), openEvent, () => {
    if ($("f-bbox").checked) applyForm({ timelineToo: true });
  });
  timeline = new Timeline($("timeline"), (from, to) => {
    $("f-date-from").value = from;
    $("f-date-to").value = to;
    applyForm({ timelineToo: false });
  });
  const borders = map.loadBorders("/static/countries-110m.json",
    "/static/countries-50m.json").catch((e) => {
    $("map-note").textContent = `borders: ${e}`;
  });
  const metaP = api("/api/meta");
  const first = applyForm();                // the default view loads while meta arrives
  state.meta = await metaP;
  buildFilterPanel(state.meta);
  $("f-review").value = "active";
  $("filter-form").addEventListener("submit", (e) => { e.preventDefault(); applyForm(); });
  $("filter-form").addEventListener("change", (e) => {
    if (e.target.matches("input[type=checkbox], select, input[type=date]")) {
      applyForm({ timelineToo: !e.target.matches("input[type=date]") });
    }
  });
  trends = new Trends($("trends-wrap"));
  $("tab-list").addEventListener("click", () => showTab("list"));
  $("tab-trends").addEventListener("click", () => showTab("trends"));
  $("alert-clear").addEventListener("click", () => state.alert && selectAlert(state.alert));
  loadAlerts().catch((e) => { $("alert-list").textContent = `alerts: ${e.message || e}`; });
  $("f-reset").addEventListener("click", () => {
    state.alert = null;
    $("alert-clear").hidden = true;
    for (const li of document.querySelectorAll(".alert-item.selected")) li.classList.remove("selected");
    $("filter-form").reset();
    $("f-review").value = "active";
    applyForm();
  });
  $("timeline-clear").addEventListener("click", () => {
    $("f-date-from").value = "";
    $("f-date-to").value = "";
    applyForm({ timelineToo: false });
  });
  $("list-prev").addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - PAGE);
    loadList(loadSeq);
  });
  $("list-next").addEventListener("click", () => {
    state.offset += PAGE;
    loadList(loadSeq);
  });
  await first;
  await borders;
  document.body.dataset.ready = "1";
}

main().catch((e) => { $("summary").textContent = `error: ${e.message || e}`; });
