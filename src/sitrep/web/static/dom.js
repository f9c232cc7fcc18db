// DOM helpers. Data is only ever put in the page as text (textContent / text nodes) or as
// attribute values set one by one: never through innerHTML.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  append(node, ...children);
  return node;
}

export function append(node, ...children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function safeUrl(url) {
  // Only http(s) links: a javascript: or data: URL from an article never becomes a link.
  try {
    const u = new URL(url, window.location.href);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch (e) {
    return null;
  }
}

export const TYPE_COLORS = {
  "Battles": "#d62728",
  "Explosions/Remote violence": "#ff7f0e",
  "Violence against civilians": "#9467bd",
  "Protests": "#2ca02c",
  "Riots": "#8c564b",
  "Strategic developments": "#1f77b4",
};

export function typeColor(t) {
  return TYPE_COLORS[t] || "#555";
}

export const FIELD_COLORS = {
  event_type: "#ffd59e", sub_event_type: "#ffd59e", event_date: "#b9dcff",
  actor1: "#ffb3b3", actor2: "#dcc6f5", assoc_actor_1: "#ffd6d6", assoc_actor_2: "#ece0fa",
  location: "#bfeec0", fatalities: "#d9d9d9", injured: "#e8e8e8", source: "#fff3a0",
  claim: "#fff3a0",
};

export function fieldColor(f) {
  return FIELD_COLORS[f] || "#fff3a0";
}
