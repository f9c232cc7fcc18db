// Event detail: coded fields with their evidence, the article text with the evidence spans
// highlighted per field, sources, the review form and the audit log. Article text is
// untrusted: it only ever becomes text nodes.
import { clear, el, fieldColor, safeUrl, typeColor } from "./dom.js";

const SHOWN_FIELDS = [
  "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1",
  "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
  "country", "admin1", "admin2", "location", "latitude", "longitude", "geo_precision",
  "fatalities", "injured", "claim_status", "source", "confidence", "why", "notes",
];

function fmt(v) {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export function renderArticle(node, doc, focusField) {
  // Build the article from the server's segments: plain text pieces, and <mark> elements
  // (text inside) for the pieces some evidence span covers.
  clear(node);
  const body = el("div", { class: "article-body", id: "article-body" });
  for (const seg of doc.segments) {
    if (!seg.fields.length) {
      body.appendChild(document.createTextNode(seg.text));
      continue;
    }
    const m = el("mark", {
      class: "ev" + (focusField && seg.fields.includes(focusField) ? " focus" : ""),
      title: seg.fields.join(", "),
      dataset: { fields: seg.fields.join(" ") },
    }, seg.text);
    m.style.backgroundColor = fieldColor(seg.fields[0]);
    body.appendChild(m);
  }
  node.appendChild(body);
  if (doc.comments && doc.comments.length) {
    node.appendChild(el("h4", {}, "Reader comments (kept, never coded)"));
    const ul = el("ul", { class: "comments" });
    for (const c of doc.comments) ul.appendChild(el("li", {}, c));
    node.appendChild(ul);
  }
}

export function focusField(container, field) {
  for (const m of container.querySelectorAll("mark.ev")) {
    const on = (m.dataset.fields || "").split(" ").includes(field);
    m.classList.toggle("focus", on);
  }
  const first = container.querySelector("mark.ev.focus");
  if (first) first.scrollIntoView({ block: "nearest" });
}

function auditList(entries) {
  const ul = el("ul", { class: "audit", id: "audit-log" });
  if (!entries.length) ul.appendChild(el("li", { class: "note" }, "no reviews yet"));
  for (const a of entries) {
    ul.appendChild(el("li", { class: "audit-entry", dataset: { action: a.action } },
      el("span", { class: "when" }, (a.at || "").replace("T", " ").slice(0, 19)), " ",
      el("strong", {}, a.who || "?"), ` (token ${a.token}) `, el("em", {}, a.action),
      a.note ? ` — ${a.note}` : "",
      el("div", { class: "diff" }, `before: ${fmt(a.before)}`),
      el("div", { class: "diff" }, `after: ${fmt(a.after)}`)));
  }
  return ul;
}

async function postReview(id, body, token, status) {
  // One review request; returns the response data, or null after showing the error.
  sessionStorage.setItem("sitrep-token", token);
  status.textContent = "sending…";
  status.classList.remove("error");
  const resp = await fetch(`/api/events/${encodeURIComponent(id)}/review`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Authorization": `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  let data = null;
  try { data = await resp.json(); } catch (err) { data = null; }
  if (!resp.ok) {
    const d = data && data.detail;
    status.textContent = `error ${resp.status}: ${typeof d === "string" ? d : JSON.stringify(d)}`;
    status.classList.add("error");
    return null;
  }
  status.textContent = `saved (${data.action})`;
  return data;
}

function reportsPanel(ev, ctx) {
  // The reports behind an incident, one per document, with checkboxes: split the ticked
  // ones out into a new incident; merge the incidents ticked in the list into this one.
  const status = el("div", { id: "rp-status", class: "note", role: "status" });
  const table = el("table", { class: "reports", id: "report-list" },
    el("thead", {}, el("tr", {}, el("th", {}, "✓"), el("th", {}, "date"), el("th", {}, "type"),
      el("th", {}, "place"), el("th", {}, "fat."), el("th", {}, "document"))));
  const tbody = el("tbody");
  for (const r of ev.reports) {
    tbody.appendChild(el("tr", { class: "report-row", dataset: { id: r.id, doc: r.doc_id } },
      el("td", {}, el("input", { type: "checkbox", class: "rp-pick", value: r.id,
        "aria-label": `report ${r.id}` })),
      el("td", {}, r.event_date || "—"), el("td", {}, r.sub_event_type || ""),
      el("td", {}, [r.location, r.country].filter(Boolean).join(", ")),
      el("td", { class: "num" }, String(r.fatalities ?? 0)),
      el("td", {}, r.source_name || r.doc_title || r.doc_id)));
  }
  table.appendChild(tbody);
  const token = () => (document.getElementById("rf-token") || {}).value
    || sessionStorage.getItem("sitrep-token") || "";
  const reviewer = () => {
    const who = (document.getElementById("rf-reviewer") || {}).value || "";
    sessionStorage.setItem("sitrep-reviewer", who);
    return who || null;
  };
  const split = el("button", { type: "button", id: "rp-split" },
    "Split ticked reports into a new incident");
  split.addEventListener("click", async () => {
    const ids = [...tbody.querySelectorAll("input.rp-pick:checked")].map((i) => i.value);
    if (!ids.length) { status.textContent = "tick the reports that are another incident"; return; }
    const data = await postReview(ev.id, { action: "split", report_ids: ids,
      reviewer: reviewer() }, token(), status);
    if (data) ctx.onReviewed(ev.id, data);
  });
  const merge = el("button", { type: "button", id: "rp-merge" },
    "Merge the incidents ticked in the list into this one");
  merge.addEventListener("click", async () => {
    const ids = ctx.picked ? ctx.picked() : [];
    if (!ids.length) { status.textContent = "tick incidents in the list first"; return; }
    const data = await postReview(ev.id, { action: "merge", merge_ids: ids,
      reviewer: reviewer() }, token(), status);
    if (data) ctx.onReviewed(ev.id, data);
  });
  return el("details", { open: true, id: "reports-panel" },
    el("summary", {}, `Reports behind this incident (${ev.reports.length})`), table,
    el("div", { class: "buttons" }, split, merge), status);
}

function reviewForm(ev, ctx) {
  const fieldOptions = ctx.meta.editable_fields.map((f) => el("option", { value: f }, f));
  const rows = el("div", { class: "correct-rows" });
  const addRow = () => {
    const sel = el("select", { class: "rf-field", "aria-label": "field" },
      fieldOptions.map((o) => o.cloneNode(true)));
    const input = el("input", { class: "rf-value", "aria-label": "new value",
      placeholder: "new value" });
    const fill = () => { input.value = ev[sel.value] === null || ev[sel.value] === undefined
      ? "" : String(ev[sel.value]); };
    sel.addEventListener("change", fill);
    sel.value = "fatalities";
    fill();
    rows.appendChild(el("div", { class: "rf-row" }, sel, input));
  };
  addRow();
  const action = el("select", { id: "rf-action", name: "action" },
    ["correct", "confirm", "reject", "merge", "split"].map((a) => el("option", { value: a }, a)));
  const mergeIds = el("input", { id: "rf-merge", placeholder: "event ids, comma separated" });
  const parts = el("textarea", { id: "rf-parts", rows: 3,
    placeholder: '[{"location": "…"}, {"event_date": "2021-01-02"}]' });
  const reviewer = el("input", { id: "rf-reviewer", placeholder: "your name",
    value: sessionStorage.getItem("sitrep-reviewer") || "" });
  const note = el("input", { id: "rf-note", placeholder: "why (optional)" });
  const token = el("input", { id: "rf-token", type: "password", placeholder: "API token",
    value: sessionStorage.getItem("sitrep-token") || "", autocomplete: "off" });
  const status = el("div", { id: "rf-status", class: "note", role: "status" });
  const correctBox = el("div", { class: "rf-correct" }, rows,
    el("button", { type: "button", onclick: addRow }, "+ field"));
  const mergeBox = el("label", { class: "rf-merge" }, "Merge these into this event ", mergeIds);
  const splitBox = el("label", { class: "rf-split" }, "New events (JSON list of fields) ", parts);
  const sync = () => {
    correctBox.hidden = action.value !== "correct";
    mergeBox.hidden = action.value !== "merge";
    splitBox.hidden = action.value !== "split";
  };
  action.addEventListener("change", sync);
  sync();
  const form = el("form", { id: "review-form", class: "review-form" },
    el("label", {}, "Action ", action), correctBox, mergeBox, splitBox,
    el("label", {}, "Reviewer ", reviewer), el("label", {}, "Note ", note),
    el("label", {}, "Token ", token),
    el("button", { type: "submit", id: "rf-submit" }, "Submit review"), status);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { action: action.value, reviewer: reviewer.value || null,
      note: note.value || null };
    if (action.value === "correct") {
      body.fields = {};
      for (const r of rows.querySelectorAll(".rf-row")) {
        const f = r.querySelector(".rf-field").value;
        const v = r.querySelector(".rf-value").value;
        body.fields[f] = v;
      }
    } else if (action.value === "merge") {
      body.merge_ids = mergeIds.value.split(/[\s,]+/).filter(Boolean);
    } else if (action.value === "split") {
      try {
        body.parts = JSON.parse(parts.value || "[]");
      } catch (err) {
        status.textContent = "parts: not valid JSON";
        return;
      }
    }
    sessionStorage.setItem("sitrep-reviewer", reviewer.value);
    const data = await postReview(ev.id, body, token.value, status);
    if (!data) return;
    ctx.onReviewed(ev.id, data);
  });
  return form;
}

export async function renderDetail(node, ev, ctx, docId) {
  // only the latest render of the pane finishes it: an earlier one still waiting for its
  // article (the same incident before a review, say) must not append its stale form
  const seq = (node.sitrepRender = (node.sitrepRender || 0) + 1);
  clear(node);
  node.dataset.eventId = ev.id;
  node.dataset.ready = "0";
  const evDocs = ev.documents.length ? ev.documents : [{ id: ev.doc_id, title: ev.doc_title }];
  const current = docId || ev.doc_id;
  const head = el("div", { class: "detail-head" },
    el("span", { class: "swatch" }),
    el("h2", { id: "detail-title" }, `${ev.event_type} · ${ev.sub_event_type}`),
    el("div", { class: "note" }, `${fmt(ev.event_date)} · ${[ev.location, ev.admin1, ev.country]
      .filter(Boolean).join(", ")} · id ${ev.id} · ${ev.event_id_cnty}`),
    ev.review ? el("div", { class: "badge", id: "detail-review" },
      `review: ${ev.review.status}${ev.review.merged_into ? " → " + ev.review.merged_into : ""}`)
      : null);
  head.querySelector(".swatch").style.backgroundColor = typeColor(ev.event_type);
  node.appendChild(head);

  const evidenceBy = {};
  // an incident: the evidence of the document shown (each report has its own spans)
  const shown = ev.reports ? ev.evidence.filter((e) => e.doc_id === current) : ev.evidence;
  for (const e of shown) (evidenceBy[e.field] = evidenceBy[e.field] || []).push(e);
  const article = el("div", { class: "article", id: "article" });
  const table = el("table", { class: "fields", id: "detail-fields" });
  for (const f of SHOWN_FIELDS) {
    const evs = evidenceBy[f] || [];
    const tr = el("tr", { dataset: { field: f }, class: evs.length ? "has-evidence" : "" },
      el("th", {}, f), el("td", { class: "value" }, fmt(ev[f])),
      el("td", { class: "evidence" }, evs.map((e) => el("q", {}, e.text))));
    if (evs.length) {
      tr.querySelector("th").style.borderLeft = `6px solid ${fieldColor(f)}`;
      tr.addEventListener("click", () => focusField(article, f));
    }
    table.appendChild(tr);
  }
  node.appendChild(el("details", { open: true }, el("summary", {}, "Coded fields and evidence"),
    table));

  const srcList = el("ul", { class: "sources" });
  for (const s of ev.sources) {
    srcList.appendChild(el("li", {}, `${s.role}: ${s.outlet || s.title || s.doc_id}`));
  }
  if (ev.sources.length) node.appendChild(el("details", {}, el("summary", {},
    `Sources (${ev.n_sources} document${ev.n_sources === 1 ? "" : "s"})`), srcList));
  if (ev.reports) node.appendChild(reportsPanel(ev, ctx));

  const docSel = el("select", { id: "doc-select", "aria-label": "document" },
    evDocs.map((d) => el("option", { value: d.id, selected: d.id === current },
      d.title || d.id)));
  docSel.addEventListener("change", () => renderDetail(node, ev, ctx, docSel.value));
  const docMeta = evDocs.find((d) => d.id === current) || {};
  const href = docMeta.url ? safeUrl(docMeta.url) : null;
  node.appendChild(el("h3", {}, "Article"));
  node.appendChild(el("div", { class: "doc-head" }, evDocs.length > 1 ? docSel : null,
    el("div", { class: "doc-title", id: "doc-title" }, docMeta.title || current),
    el("div", { class: "note" }, [docMeta.source_name, docMeta.published].filter(Boolean)
      .join(" · ")),
    href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }, href) : null));
  const legend = el("div", { class: "field-legend" });
  for (const f of Object.keys(evidenceBy)) {
    const b = el("button", { type: "button", class: "chip", onclick: () =>
      focusField(article, f) }, f);
    b.style.backgroundColor = fieldColor(f);
    legend.appendChild(b);
  }
  node.appendChild(legend);
  node.appendChild(article);
  // an incident's evidence in this document is that of its report from this document
  const rep = (ev.reports || []).find((r) => r.doc_id === current);
  const doc = await ctx.api(`/api/documents/${encodeURIComponent(current)}?event_id=${
    encodeURIComponent(rep ? rep.id : ev.id)}`);
  if (node.sitrepRender !== seq) return;
  renderArticle(article, doc, null);

  node.appendChild(el("h3", {}, "Review"));
  node.appendChild(reviewForm(ev, ctx));
  node.appendChild(el("h3", {}, "Audit log"));
  node.appendChild(auditList(ev.audit || []));
  node.dataset.ready = "1";
}
