"""The merge stage on a Store: stored events -> canonical events, incrementally.

    from sitrep.merge import merge_documents, canonical_events
    result = merge_documents(store)                  # every event not merged yet
    result = merge_documents(store, [doc.id])        # after extracting one document
    for ce in canonical_events(store, country="Syria"):
        ce["n_sources"], ce["claim_status"], ce["sources"]
"""

from __future__ import annotations

import gc
import json
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import (
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    text,
    update,
)

from ..models import as_date, disorder_type, interaction_code, iso_date
from ..store import (
    attach_evidence_sources,
    bump_counter,
    event_row,
    events_version,
    insert_many,
    read_counter,
)
from ..store.schema import documents, event_sources, events
from .core import (
    ROW_FIELDS,
    WINDOW,
    Merger,
    Report,
    canonical,
    compared,
    report_from_row,
)
from .schema import CANONICAL_FIELDS, create_merge_tables
from .schema import canonical_events as ce_t
from .schema import canonical_history as hist_t
from .schema import event_reports as er_t

__all__ = ["MergeResult", "MergeWindow", "merge_documents", "canonical_count",
           "canonical_events", "canonical_history", "canonical_id_of", "load_reports",
           "merge_pending"]

_CHUNK = 500


@dataclass
class MergeResult:
    reports: int = 0                 # reports merged in this run (new memberships)
    created: int = 0                 # canonical events created
    updated: int = 0                 # canonical events whose fields changed
    deleted: int = 0                 # canonical events left with no report
    pruned: int = 0                  # memberships of events no longer stored
    canonical_total: int | None = 0   # None when merge_documents(count=False)
    seconds: float = 0.0
    touched: list[str] = field(default_factory=list)   # canonical ids created or changed

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("reports", "created", "updated", "deleted",
                                              "pruned", "canonical_total", "seconds")}


def _now() -> datetime:
    return datetime.now(UTC)


def _chunks(xs: list, n: int = _CHUNK) -> Iterator[list]:
    for i in range(0, len(xs), n):
        yield xs[i:i + n]


# ---------------------------------------------------------------------- loading reports
def _report_query():
    """Stored events with what a Report needs of their document: the event's sentence is
    cut by the database (no document body is read)."""
    s0 = func.coalesce(events.c.sentence_start, 0)
    sentence = case((and_(events.c.sentence_end > s0, documents.c.body != ""),
                     func.substr(documents.c.body, s0 + 1, events.c.sentence_end - s0)),
                    else_=None)
    return (select(events, sentence.label("doc_sentence"),
                   documents.c.url.label("doc_url"), documents.c.title.label("doc_title"),
                   documents.c.published.label("doc_published"),
                   documents.c.source_name.label("doc_source_name"))
            .select_from(events.outerjoin(documents, events.c.doc_id == documents.c.id)))


def _rows_to_reports(conn, rows: list[dict]) -> list[Report]:
    if not rows:
        return []
    attach_evidence_sources(conn, rows, evidence=False, chunk=_CHUNK)
    # a Report reads its evidence spans only for the place's surface text, and for its text
    # when the database could not cut the sentence: all spans for those, only the location
    # span for the others (about one span in six)
    whole = [r for r in rows if r.get("doc_sentence") is None]
    cut = [r for r in rows if r.get("doc_sentence") is not None]
    attach_evidence_sources(conn, whole, sources=False, chunk=_CHUNK)
    attach_evidence_sources(conn, cut, sources=False, chunk=_CHUNK, fields=("location",))
    return [_dressed(r) for r in rows]


def _dressed(r: dict) -> Report:
    """A Report from a stored event row with its document's columns (``doc_*``), sources and
    the evidence spans it reads; its ``row`` keeps only the columns canonical rows read."""
    sentence = r.pop("doc_sentence", None)
    if not r["sources"] and r.get("doc_source_name"):
        r["sources"] = [{"doc_id": r["doc_id"], "outlet": r["doc_source_name"],
                         "role": "report", "party": "", "url": r.get("doc_url") or ""}]
    for s in r["sources"]:
        s.setdefault("url", r.get("doc_url") or "")
        if not s.get("url"):
            s["url"] = r.get("doc_url") or ""
    rep = report_from_row(r, sentence=sentence)
    rep.row = {k: r[k] for k in ROW_FIELDS if k in r}
    return rep


def _as_stored(conn, saved: list[tuple]) -> list[tuple]:
    """The (document, events) pairs whose document the store holds as given: the same body
    and metadata (a copy of a document stored before keeps the stored body and the stored
    metadata where the copy has none), so reports built from them are those read back."""
    by_id = {d.id: (d, evs) for d, evs in saved}
    same: set[str] = set()
    cols = (documents.c.id, documents.c.url, documents.c.title, documents.c.published,
            documents.c.source_name, func.length(documents.c.body).label("n"))
    for chunk in _chunks(list(by_id)):
        for r in conn.execute(select(*cols).where(documents.c.id.in_(chunk))):
            d = by_id[r.id][0]
            if (r.url or "", r.title or "", as_date(r.published), r.source_name or "",
                    r.n) == (d.url or "", d.title or "", as_date(d.published),
                             d.source_name or "", len(d.body or "")):
                same.add(r.id)
    return [p for p in saved if p[0].id in same]


def _saved_reports(conn, saved: list[tuple], rows: dict[str, dict] | None = None
                   ) -> list[Report]:
    """The events of (document, events) pairs just saved, not merged yet, as `load_reports`
    reads them back (the same rows, sentence and spans), without reading them back;
    ``rows``: the event rows that save wrote (`Store.rows_written`), when the caller has
    them."""
    rows = rows or {}
    pairs = [(doc, ev) for doc, evs in saved for ev in evs]
    merged: set[str] = set()
    for chunk in _chunks([ev.id for _, ev in pairs]):
        merged.update(conn.execute(select(er_t.c.event_id)
                                   .where(er_t.c.event_id.in_(chunk))).scalars())
    out = []
    for doc, ev in pairs:
        if ev.id in merged:
            continue
        row = dict(rows[ev.id]) if ev.id in rows else event_row(ev)
        s0, s1 = ev.sentence_start or 0, ev.sentence_end or 0
        body = doc.body or ""
        cut = s1 > s0 and body != ""
        row.update(doc_sentence=body[s0:s1] if cut else None, doc_url=doc.url or "",
                   doc_title=doc.title or "", doc_published=as_date(doc.published),
                   doc_source_name=doc.source_name or "")
        row["sources"] = [{"doc_id": x.doc_id or ev.doc_id, "outlet": x.outlet or "",
                           "role": x.role or "report", "party": x.party or "",
                           "url": x.url or ""} for x in ev.sources]
        row["evidence"] = [{"field": e.field, "doc_id": e.doc_id or ev.doc_id,
                            "start": e.start, "end": e.end, "text": e.text or ""}
                           for e in ev.evidence if not cut or e.field == "location"]
        out.append(_dressed(row))
    return out


def load_reports(conn, *, event_ids: Iterable[str] | None = None,
                 doc_ids: Iterable[str] | None = None, unmerged: bool = False) -> list[Report]:
    """Stored events as Reports, each event once: by event ids, by documents, or all
    (optionally only those not merged yet). Repeated ids are read once (a document given
    twice, 500 ids apart, would otherwise come back from two chunks)."""
    base = _report_query()
    if unmerged:
        base = base.where(~exists().where(er_t.c.event_id == events.c.id))
    if event_ids is not None:
        col, wanted = events.c.id, list(dict.fromkeys(event_ids))
    elif doc_ids is not None:
        col, wanted = events.c.doc_id, list(dict.fromkeys(doc_ids))
    else:
        col, wanted = None, None
    by_id: dict[str, dict] = {}
    if col is None:
        by_id = {r["id"]: dict(r) for r in conn.execute(base).mappings()}
    else:
        for chunk in _chunks(wanted):
            for r in conn.execute(base.where(col.in_(chunk))).mappings():
                by_id.setdefault(r["id"], dict(r))
    return _rows_to_reports(conn, list(by_id.values()))


# ---------------------------------------------------------------------- canonical rows
def _jsonish(v):
    if v is None:
        return None
    if isinstance(v, float):
        return repr(round(v, 6))
    return str(v)


def _canonical_row(cid: str, members: list[Report]) -> dict:
    c = canonical(members)
    row = {k: c.get(k) for k in CANONICAL_FIELDS if k in c}
    row["disorder_type"] = disorder_type(row.get("event_type") or "",
                                         row.get("sub_event_type") or "")
    row["interaction"] = interaction_code(row.get("inter1"), row.get("inter2"))
    row["roles"] = json.dumps(c["roles"], sort_keys=True)
    scales = []
    for m in members:
        for sc in ((m.row or {}).get("source_scale") or "").split("-"):
            if sc and sc not in scales:
                scales.append(sc)
    row["source_scale"] = "-".join(scales)
    conf = [(m.row or {}).get("confidence") for m in members]
    conf = [x for x in conf if x is not None]
    base = max(conf) if conf else 0.5
    row["confidence"] = round(min(1.0, base + 0.05 * (c["n_sources"] - 1)), 3)
    # the notes of the best-told report (the most confident, then the longest), else a summary
    told = [(m.row or {}) for m in members if (m.row or {}).get("notes")]
    best = max(told, key=lambda r: (r.get("confidence") or 0, len(r["notes"])), default=None)
    row["notes"] = best["notes"] if best else _notes(row)
    for k in CANONICAL_FIELDS:
        if k not in row:
            row[k] = None
        if row[k] is None and not ce_t.c[k].nullable:
            row[k] = ""
    row["id"] = cid
    return row


def _notes(row: dict) -> str:
    from ..extract import write_notes
    from ..models import Event

    ev = Event(doc_id="", event_type=row.get("event_type") or "",
               sub_event_type=row.get("sub_event_type") or "",
               event_date=row.get("event_date"), time_precision=row.get("time_precision") or 1,
               actor1=row.get("actor1") or "", actor2=row.get("actor2") or "",
               location=row.get("location") or "", admin1=row.get("admin1") or "",
               country=row.get("country") or "", fatalities=row.get("fatalities") or 0,
               claim_status=row.get("claim_status") or "reported")
    return write_notes(ev)


class _Writes:
    """Canonical and history rows of one merge, written with a few executemany statements
    (statement building per row costs more than the database itself). History rows keep
    the order in which the changes were made."""

    def __init__(self, now: datetime, result: MergeResult):
        self.now, self.result = now, result
        self.inserts: list[dict] = []
        self.updates: list[dict] = []
        self.deletes: list[str] = []
        self.history: list[dict] = []

    def cluster(self, cid: str, members: list[Report], old: dict | None, cause: str) -> None:
        row = _canonical_row(cid, members)
        now, result = self.now, self.result
        if old is None:
            self.inserts.append({**row, "created_at": now, "updated_at": now})
            self.history.append({
                "canonical_id": cid, "changed_at": now, "action": "create", "field": "",
                "old_value": None, "new_value": json.dumps(
                    {k: row[k] for k in CANONICAL_FIELDS}, default=str), "event_id": cause})
            result.created += 1
            result.touched.append(cid)
            return
        changes = [(k, old.get(k), row[k]) for k in CANONICAL_FIELDS
                   if _jsonish(old.get(k)) != _jsonish(row[k])]
        if not changes:
            return
        # every field is written (unchanged ones with their old value): one statement shape
        vals = {**{k: old.get(k) for k in CANONICAL_FIELDS}, **{k: n for k, _, n in changes},
                "updated_at": now}
        self.updates.append({"u_" + k: v for k, v in vals.items()} | {"b_id": cid})
        self.history.extend(
            {"canonical_id": cid, "changed_at": now, "action": "update", "field": k,
             "old_value": _jsonish(o), "new_value": _jsonish(n), "event_id": cause}
            for k, o, n in changes)
        result.updated += 1
        result.touched.append(cid)

    def delete(self, cid: str, old: dict) -> None:
        self.deletes.append(cid)
        self.history.append({
            "canonical_id": cid, "changed_at": self.now, "action": "delete", "field": "",
            "old_value": json.dumps({k: old.get(k) for k in CANONICAL_FIELDS}, default=str),
            "new_value": None, "event_id": ""})
        self.result.deleted += 1

    def flush(self, conn) -> None:
        from sqlalchemy import bindparam

        for chunk in _chunks(self.deletes):
            conn.execute(delete(ce_t).where(ce_t.c.id.in_(chunk)))
        for chunk in _chunks(self.inserts):
            insert_many(conn, ce_t, chunk)
        if self.updates:
            stmt = (update(ce_t).where(ce_t.c.id == bindparam("b_id"))
                    .values({k: bindparam("u_" + k) for k in [*CANONICAL_FIELDS, "updated_at"]}))
            for chunk in _chunks(self.updates):
                conn.execute(stmt, chunk)
        for chunk in _chunks(self.history):
            insert_many(conn, hist_t, chunk)
        self.inserts, self.updates, self.deletes, self.history = [], [], [], []


def rewrite_cluster(conn, cid: str, members: list[Report], old: dict | None, now: datetime,
                    cause: str) -> MergeResult:
    """One cluster's canonical row and its history, from its member reports, or its deletion
    when it has none left: what a review's split or merge of incidents calls."""
    result = MergeResult()
    w = _Writes(now, result)
    if members:
        w.cluster(cid, members, old, cause)
    elif old is not None:
        w.delete(cid, old)
    w.flush(conn)
    _bump_generation(conn)           # a stream's MergeWindow reads this cluster afresh
    return result


def _load_canonicals(conn, ids: Iterable[str]) -> dict[str, dict]:
    out = {}
    for chunk in _chunks(list(ids)):
        for r in conn.execute(select(ce_t).where(ce_t.c.id.in_(chunk))).mappings():
            out[r["id"]] = dict(r)
    return out


def _members_light(conn, cids: Iterable[str]) -> dict[str, list[Report]]:
    """Each stored cluster's members, in the order they joined it, as the blocking index sees
    them (`_light_report`: no text, sources or evidence)."""
    out: dict[str, list[Report]] = defaultdict(list)
    for chunk in _chunks(list(cids)):
        q = (select(*_LIGHT_COLS).select_from(events.join(er_t, er_t.c.event_id == events.c.id))
             .where(er_t.c.canonical_id.in_(chunk)).order_by(er_t.c.added_at, er_t.c.event_id))
        for row in conn.execute(q):
            out[row.canonical_id].append(_light_report(row))
    return out


_GAP = 7      # candidate date intervals closer than this are read with one query


def _day_iso(d: int) -> str:
    return date.fromordinal(max(1, d)).isoformat()


_LIGHT_COLS = (er_t.c.canonical_id, events.c.id, events.c.event_date, events.c.time_precision,
               events.c.event_type, events.c.sub_event_type, events.c.latitude,
               events.c.longitude, events.c.country_code, events.c.location,
               events.c.geo_precision)


def _light_report(row) -> Report:
    """A stored member event as the blocking index sees it (no text, sources or row)."""
    return Report(id=row.id, date=row.event_date, time_precision=row.time_precision or 1,
                  event_type=row.event_type or "", sub_event_type=row.sub_event_type or "",
                  lat=row.latitude, lon=row.longitude, country_code=row.country_code or "",
                  location=row.location or "", geo_precision=row.geo_precision
                  ).prepare(index_only=True)


def _spans(reports: list[Report]) -> tuple[dict[tuple, list[list[int]]], set]:
    """Where the stored members a report can be compared with lie: per (country key, member
    precision), day intervals (each report's day padded by its window plus the member
    precision's, close ones joined); and the keys of undated reports. A key is a country,
    "*unplaced" (members with no place: their country may be a guess) or None (every
    country: an unplaced report's own country may be a guess)."""
    reg = {tp: (w if tp > 1 else 0) for tp, w in WINDOW.items()}   # days a member spans
    spans: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    undated: set = set()
    for r in reports:
        keys = [None] if r.unplaced else [r.country_code, "*unplaced"]
        for k in keys:
            if r.day is None:
                undated.add(k)
                continue
            for tp, w in reg.items():
                spans[(k, tp)].append((r.day - r.window - w, r.day + r.window + w))
    return {key: _joined(ivs) for key, ivs in spans.items()}, undated


def _joined(ivs: Iterable[tuple[int, int]], gap: int = _GAP) -> list[list[int]]:
    """Day intervals joined where less than ``gap`` days apart: read with one query
    (the default), or ``gap=1``: only where they overlap or touch, never across a day in
    none, as a window records the days it has read."""
    merged: list[list[int]] = []
    for a, b in sorted(ivs):
        if merged and a <= merged[-1][1] + gap:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return merged


def _minus(ivs: list[list[int]], cover: list[list[int]]) -> list[list[int]]:
    """The parts of intervals ``ivs`` that ``cover`` (sorted, disjoint) does not hold."""
    out = []
    for a, b in ivs:
        for c, d in cover:
            if d < a or c > b:
                continue
            if c > a:
                out.append([a, c - 1])
            a = d + 1
            if a > b:
                break
        if a <= b:
            out.append([a, b])
    return out


def _span_cids(conn, spans: dict[tuple, list[list[int]]], undated: set) -> set[str]:
    """The canonical events with a stored member inside the spans (see `_spans`)."""
    base = select(er_t.c.canonical_id).select_from(
        events.join(er_t, er_t.c.event_id == events.c.id))

    def where_key(k):
        if k is None:
            return []
        if k == "*unplaced":
            return [events.c.latitude.is_(None), events.c.location == ""]
        return [events.c.country_code == bindparam("cc")]

    def where_tp(tp):
        if tp == 1:
            return or_(events.c.time_precision.is_(None), events.c.time_precision.not_in((2, 3)))
        return events.c.time_precision == tp

    # one statement per (kind of key, precision), executed per interval (compiled once)
    stmts: dict[tuple, object] = {}
    out: set[str] = set()
    for (k, tp), ivs in spans.items():
        kind = k if k in (None, "*unplaced") else "cc"
        stmt = stmts.get((kind, tp))
        if stmt is None:
            stmt = stmts[(kind, tp)] = base.where(
                *where_key(k), where_tp(tp), events.c.event_date >= bindparam("lo"),
                events.c.event_date <= bindparam("hi"))
        for a, b in ivs:
            out.update(conn.execute(stmt, {"cc": k, "lo": _day_iso(a),
                                           "hi": _day_iso(b)}).scalars())
    for k in undated:
        q = base.where(*where_key(k), events.c.event_date.is_(None))
        out.update(conn.execute(q, {"cc": k}).scalars())
    return out


HORIZON_DAYS = 90          # a window forgets clusters whose latest report is older than this
MAX_WINDOW_REPORTS = 100_000   # ... and starts afresh when it holds more reports than this


class MergeWindow:
    """The stored clusters a stream of merges has read, kept from one batch to the next.

    A merge compares each new report with the stored clusters near it. Reading those back
    (and preparing them) for every batch costs more than the merge itself once the store is
    dense, so a window keeps what it has read: for each (country key, member precision), the
    day intervals whose stored members it holds (`covered`), every cluster with a member
    there, indexed by all its members, and in full the members linkage has compared. A
    batch reads only the intervals it needs and the window does not hold.

    What a window holds is what the store holds: it is emptied when another writer merged
    or reviewed since its last batch (the store's merge generation moved), when stored
    events were written other than by its own writer's last save (the store's events
    version), when memberships were pruned, and when a merge fails. Clusters whose latest
    report is more than `horizon_days` before the latest report seen leave it (the
    intervals shrink with them), and it starts afresh past `max_reports`, so memory is
    bounded whatever the stream's length. The merged tables
    are those of merges that read every stored cluster afresh (tested)."""

    def __init__(self, horizon_days: int = HORIZON_DAYS,
                 max_reports: int = MAX_WINDOW_REPORTS):
        self.horizon_days, self.max_reports = horizon_days, max_reports
        self.clear()

    def clear(self) -> None:
        self.merger = Merger()
        self.generation: int | None = None       # the store's merge generation it holds
        self.events_version: int | None = None   # and its events version
        self.covered: dict[tuple, list[list[int]]] = {}
        self.undated: set = set()
        # clusters not all of whose members are read in full: every member (index form),
        # and how many of the cluster's first members in merger.clusters are read ones
        self.light: dict[str, list[Report]] = {}
        self.n_read: dict[str, int] = {}
        self.latest: int | None = None

    @property
    def n_reports(self) -> int:
        return len(self.merger.assign)

    def cover(self, conn, reports: list[Report]) -> None:
        """Hold every stored cluster with a member where these reports can be compared."""
        spans, undated = _spans(reports)
        missing = {}
        for (k, tp), ivs in spans.items():
            held = _joined([*map(tuple, self.covered.get((k, tp), ())),
                            *map(tuple, self.covered.get((None, tp), ()))], gap=1)
            if part := _minus(ivs, held):
                missing[(k, tp)] = part
        gaps = {k for k in undated if k not in self.undated and None not in self.undated}
        if missing or gaps:
            self.seed(conn, _span_cids(conn, missing, gaps))
        for key, part in missing.items():
            self.covered[key] = _joined([*map(tuple, self.covered.get(key, ())),
                                         *map(tuple, part)], gap=1)
        self.undated |= gaps

    def seed(self, conn, cids: Iterable[str]) -> None:
        """Index stored clusters the window does not hold yet by all their members."""
        want = [c for c in cids if c not in self.merger.clusters]
        for cid, ms in _members_light(conn, want).items():
            self.merger.seed(cid, [], index=ms)
            self.light[cid] = ms
            self.n_read[cid] = 0

    def read(self, conn, cids: Iterable[str], whole: bool = False) -> None:
        """Read in full the members linkage compares of these clusters (``whole``: every
        member, for a cluster whose canonical row is rewritten)."""
        plan = {}
        for cid in cids:
            light = self.light.get(cid)
            if light is None:
                continue                                 # held in full
            want = light if whole else compared(light)
            if not whole and self.n_read[cid]:
                continue                                 # its compared members are read
            plan[cid] = want
        if not plan:
            return
        have = {m.id: m for cid in plan
                for m in self.merger.clusters[cid][:self.n_read[cid]]}
        ids = [m.id for want in plan.values() for m in want if m.id not in have]
        have.update((r.id, r) for r in load_reports(conn, event_ids=ids))
        for cid, want in plan.items():
            tail = self.merger.clusters[cid][self.n_read[cid]:]
            read = [have[m.id] for m in want if m.id in have]
            self.merger.clusters[cid] = read + tail
            if len(want) == len(self.light[cid]):
                del self.light[cid], self.n_read[cid]
            else:
                self.n_read[cid] = len(read)

    def settle(self, touched: Iterable[str], now_added: dict[str, list[Report]]) -> None:
        """After a batch: a cluster's members in the order the store returns them (earlier
        merges first, then the batch's by id: they share one added_at); then forget what
        fell behind the horizon, or everything past the size bound."""
        for cid in touched:
            ms = self.merger.clusters.get(cid)
            new = now_added.get(cid)
            if ms and new:
                ids = {r.id for r in new}
                self.merger.clusters[cid] = ([m for m in ms if m.id not in ids]
                                             + sorted(new, key=lambda r: r.id))
        days = [r.day for rs in now_added.values() for r in rs if r.day is not None]
        if days:
            self.latest = max([*days, *([self.latest] if self.latest is not None else [])])
        if self.n_reports > self.max_reports:
            self.clear()
            return
        if self.latest is None:
            return
        cut = self.latest - self.horizon_days
        for cid, _ms in self.merger.evict_before(cut):
            for m in self.light.pop(cid, ()):
                self.merger.assign.pop(m.id, None)
            self.n_read.pop(cid, None)
        for key, ivs in list(self.covered.items()):
            kept = [[max(a, cut), b] for a, b in ivs if b >= cut]
            if kept:
                self.covered[key] = kept
            else:
                del self.covered[key]


# ---------------------------------------------------------------------- the stage
@contextmanager
def _gc_paused() -> Iterator[None]:
    """No automatic garbage collection while a merge builds its reports and clusters: the
    objects it allocates stay alive until it ends, and the collections their allocation
    triggers would rescan them again and again; the collector resumes afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_MERGE_LOCK = 0x5172E9  # advisory lock key for merges


def merge_documents(store, doc_ids: Iterable[str] | None = None, *,
                    rebuild: bool = False, count: bool = True,
                    window: MergeWindow | None = None,
                    saved: list[tuple] | None = None,
                    saved_version: tuple[int, int] | None = None) -> MergeResult:
    """Merge stored events into canonical events.

    doc_ids None: every event not merged yet; else the events of these documents (those not
    merged yet). Only the stored clusters with a member where a new report can be compared
    are read (see `MergeWindow`), without document bodies, so a run costs what the new
    reports touch, not the size of the store; a stream of merges passes one ``window``,
    which keeps what it has read from one batch to the next. Memberships of events no longer
    stored (a document re-extracted; with doc_ids, only those documents' events) are pruned
    first, and the canonical events they belonged to are recomputed (or deleted when left
    empty).

    rebuild=True re-clusters every stored event from scratch; each new cluster keeps the id of
    the stored canonical event it shares most reports with, so ids stay stable.

    count=False leaves ``canonical_total`` None: counting scans the whole table, a cost that
    grows with the store, so a stream of batches counts once at its end (``canonical_count``).

    saved: the (document, events) pairs of ``doc_ids`` the caller has just stored: the reports
    of those stored as given are built from them instead of read back (the same reports,
    tested); ``saved_version``: the store's events version before and after that save
    (``Store.events_written``), so a window knows no other write of events came between.
    """
    t0 = time.perf_counter()
    create_merge_tables(store.engine)
    result = MergeResult()
    now = _now()
    window = window if window is not None else MergeWindow()
    try:
        _merge(store, doc_ids, rebuild, count, window, now, result, saved, saved_version)
    except BaseException:
        window.clear()            # it may hold what the rolled-back transaction wrote
        raise
    result.seconds = round(time.perf_counter() - t0, 3)
    return result


def _merge(store, doc_ids, rebuild: bool, count: bool, window: MergeWindow, now: datetime,
           result: MergeResult, saved: list[tuple] | None = None,
           saved_version: tuple[int, int] | None = None) -> None:
    with _gc_paused(), store._write() as conn:   # BEGIN IMMEDIATE on SQLite: merges queue
        if conn.dialect.name == "postgresql":
            # one merge at a time: two concurrent extract runs must not both create a
            # canonical event for the same incident
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MERGE_LOCK})
        # -- prune memberships of events that are gone
        gone = ~exists().where(events.c.id == er_t.c.event_id)
        if doc_ids is None or rebuild:
            stale = conn.execute(select(er_t.c.event_id, er_t.c.canonical_id).where(gone)).all()
        else:   # only these documents can have been re-extracted by the caller
            doc_ids = list(dict.fromkeys(doc_ids))
            stale = [row for chunk in _chunks(doc_ids) for row in conn.execute(
                select(er_t.c.event_id, er_t.c.canonical_id)
                .where(er_t.c.doc_id.in_(chunk), gone)).all()]
        dirty: set[str] = {cid for _, cid in stale}
        for chunk in _chunks([eid for eid, _ in stale]):
            conn.execute(delete(er_t).where(er_t.c.event_id.in_(chunk)))
        result.pruned = len(stale)

        seen = events_version(conn)
        ours = saved_version is not None and saved_version[0] == window.events_version \
            and saved_version[1] == seen        # only the caller's own save came between
        if stale or rebuild or window.generation != _generation(conn) or not (
                ours or seen == window.events_version):
            window.clear()        # the tables changed under it: it reads afresh
        if rebuild:
            _rebuild(conn, now, result)
        else:
            if saved is None:
                new = load_reports(conn, doc_ids=doc_ids, unmerged=True)
            else:      # a document stored otherwise than the copy given: read back
                saved = _as_stored(conn, saved)
                own = {d.id for d, _ in saved}
                rest = [i for i in doc_ids or () if i not in own]
                new = _saved_reports(conn, saved, getattr(store, "rows_written", None)
                                     if ours else None) + (
                    load_reports(conn, doc_ids=rest, unmerged=True) if rest else [])
            merger = window.merger
            window.cover(conn, new)
            window.seed(conn, dirty)          # a pruned cluster may lie outside the spans
            # every held cluster is indexed by all its members, but only the members
            # linkage compares are read in full; a cluster that receives a report reads
            # the rest afterwards
            offered = {cid for r in new for cid in merger._candidates(r)}
            window.read(conn, offered - dirty)
            window.read(conn, dirty, whole=True)
            added: dict[str, list[Report]] = defaultdict(list)
            for r in sorted(new, key=lambda r: (r.time_precision, r.geo_precision or 9,
                                                r.day or 0, r.published or "", r.id)):
                cid = merger.add(r)
                added[cid].append(r)
            if new:
                insert_many(conn, er_t, [
                    {"event_id": r.id, "canonical_id": merger.assign[r.id], "doc_id": r.doc_id,
                     "role": r.role, "outlet": r.outlet, "score": None, "added_at": now}
                    for r in new])
            result.reports = len(new)
            touched = set(added) | dirty
            window.read(conn, touched, whole=True)   # the whole cluster, in join order
            olds = _load_canonicals(conn, touched)
            writes = _Writes(now, result)
            for cid in sorted(touched):
                ms = merger.clusters.get(cid) or []
                if not ms:
                    if cid in olds:
                        writes.delete(cid, olds[cid])
                    continue
                cause = added[cid][-1].id if added.get(cid) else ""
                writes.cluster(cid, ms, olds.get(cid), cause)
            writes.flush(conn)
            window.settle(touched, added)
        window.generation, window.events_version = _bump_generation(conn), seen
        result.canonical_total = _count(conn) if count else None


def _generation(conn) -> int:
    """The store's merge generation: it moves with every write of the merge tables."""
    return read_counter(conn, "merge_generation")


def _bump_generation(conn) -> int:
    return bump_counter(conn, "merge_generation")


def _count(conn) -> int:
    return conn.execute(select(func.count()).select_from(ce_t)).scalar_one()


def canonical_count(store) -> int:
    """How many canonical events the store holds."""
    create_merge_tables(store.engine)
    with store.engine.connect() as conn:
        return _count(conn)


def _rebuild(conn, now: datetime, result: MergeResult) -> None:
    reports = load_reports(conn)
    old_member = dict(conn.execute(select(er_t.c.event_id, er_t.c.canonical_id)).all())
    olds = {r["id"]: dict(r) for r in conn.execute(select(ce_t)).mappings()}
    merger = Merger()
    merger.add_all(reports)
    # keep ids: each new cluster takes the old id it shares most reports with
    used: set[str] = set()
    renamed: dict[str, list[Report]] = {}
    order = sorted(merger.clusters.items(), key=lambda kv: -len(kv[1]))
    for cid, ms in order:
        votes: dict[str, int] = defaultdict(int)
        for m in ms:
            o = old_member.get(m.id)
            if o and o not in used:
                votes[o] += 1
        if votes:
            new_id = max(votes, key=lambda k: (votes[k], k))
        else:
            new_id = cid
            while new_id in used:
                new_id += "'"
        used.add(new_id)
        renamed[new_id] = ms
    conn.execute(delete(er_t))
    rows = [{"event_id": m.id, "canonical_id": cid, "doc_id": m.doc_id, "role": m.role,
             "outlet": m.outlet, "score": None, "added_at": now}
            for cid, ms in renamed.items() for m in ms]
    for chunk in _chunks(rows):
        insert_many(conn, er_t, chunk)
    result.reports = len(rows)
    writes = _Writes(now, result)
    for cid, old in olds.items():
        if cid not in renamed:
            writes.delete(cid, old)
    writes.flush(conn)       # deleted before re-created: an id may come back
    for cid, ms in renamed.items():
        writes.cluster(cid, ms, olds.get(cid), "")
    writes.flush(conn)


# ---------------------------------------------------------------------- reading
def dress_canonical(conn, rows: list[dict], history: bool = False) -> list[dict]:
    """Canonical rows as export and the API read them: their sources (and history), ACLED's
    `event_id_cnty`, `sitrep_id`, `year`, and `roles` as a dict."""
    from ..export import event_id_cnty

    _attach_sources(conn, rows, history)
    for r in rows:
        r["event_id_cnty"] = event_id_cnty(r["id"], r.get("country_code"))
        r["sitrep_id"] = r["id"]
        r["year"] = int(r["event_date"][:4]) if r.get("event_date") else None
        try:
            r["roles"] = json.loads(r.get("roles") or "{}")
        except ValueError:
            r["roles"] = {}
    return rows


def canonical_events(store, *, country: str | None = None, event_type: str | None = None,
                     sub_event_type: str | None = None, actor: str | None = None,
                     date_from: str | date | None = None, date_to: str | date | None = None,
                     claim_status: str | None = None, min_sources: int | None = None,
                     canonical_id: str | None = None, limit: int | None = None,
                     offset: int = 0, history: bool = False) -> Iterator[dict]:
    """Canonical events as dicts (canonical columns, `id`, `event_id_cnty`, `sources`: one
    entry per document and outlet with its role, `n_sources`, `report_ids`, `document_ids`,
    `roles` as a dict; `history` when asked), ordered by date then id."""
    from ..store import event_filters, paged

    create_merge_tables(store.engine)
    q = select(ce_t)
    q = q.where(*event_filters(ce_t.c, country=country, event_type=event_type,
                               sub_event_type=sub_event_type, actor=actor,
                               date_from=date_from, date_to=date_to))
    if claim_status:
        q = q.where(ce_t.c.claim_status == claim_status)
    if min_sources:
        q = q.where(ce_t.c.n_sources >= min_sources)
    if canonical_id:
        q = q.where(ce_t.c.id == canonical_id)
    q = q.order_by(ce_t.c.event_date, ce_t.c.id)

    def fetch(conn, n, pos):
        return dress_canonical(conn, [dict(r) for r in conn.execute(
            q.limit(n).offset(pos)).mappings()], history)

    return paged(store.engine, fetch, limit=limit, offset=offset, chunk=_CHUNK)


def _attach_sources(conn, rows: list[dict], history: bool) -> None:
    if not rows:
        return
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        r["sources"], r["report_ids"], r["document_ids"], r["document_urls"] = [], [], [], []
        if history:
            r["history"] = []
    ids = list(by_id)
    members: dict[str, str] = {}
    member_doc: dict[str, str] = {}
    q = (select(er_t.c.event_id, er_t.c.canonical_id, er_t.c.doc_id, er_t.c.role,
                documents.c.url, documents.c.title, documents.c.published,
                documents.c.source_name)
         .select_from(er_t.outerjoin(documents, er_t.c.doc_id == documents.c.id))
         .where(er_t.c.canonical_id.in_(ids)).order_by(er_t.c.added_at, er_t.c.event_id))
    doc_info: dict[str, dict] = {}
    for m in conn.execute(q).mappings():
        r = by_id[m["canonical_id"]]
        r["report_ids"].append(m["event_id"])
        members[m["event_id"]] = m["canonical_id"]
        member_doc[m["event_id"]] = m["doc_id"]
        if m["doc_id"] not in r["document_ids"]:
            r["document_ids"].append(m["doc_id"])
            if m["url"]:
                r["document_urls"].append(m["url"])
        doc_info[m["doc_id"]] = {"url": m["url"] or "", "title": m["title"] or "",
                                 "published": iso_date(m["published"]),
                                 "source_name": m["source_name"] or ""}
    cited: dict[str, list[dict]] = defaultdict(list)
    for chunk in _chunks(list(members)):
        sq = (select(event_sources).where(event_sources.c.event_id.in_(chunk))
              .order_by(event_sources.c.pk))
        for s in conn.execute(sq).mappings():
            cited[s["event_id"]].append(dict(s))
    for r in rows:
        seen = set()
        for eid in r["report_ids"]:
            srcs = cited.get(eid) or []
            if not srcs:                      # the document itself is the source
                doc_id = member_doc.get(eid, "")
                info = doc_info.get(doc_id, {})
                srcs = [{"doc_id": doc_id, "outlet": info.get("source_name", ""),
                         "role": "report", "party": "", "url": info.get("url", "")}]
            for s in srcs:
                key = (s["doc_id"], s.get("outlet") or "", s.get("role") or "report")
                if key in seen:
                    continue
                seen.add(key)
                info = doc_info.get(s["doc_id"], {})
                r["sources"].append({
                    "doc_id": s["doc_id"], "outlet": s.get("outlet") or "",
                    "role": s.get("role") or "report", "party": s.get("party") or "",
                    "url": s.get("url") or info.get("url", ""), "event_id": eid,
                    "title": info.get("title", ""), "published": info.get("published")})
    if history:
        hq = (select(hist_t).where(hist_t.c.canonical_id.in_(ids)).order_by(hist_t.c.pk))
        for h in conn.execute(hq).mappings():
            by_id[h["canonical_id"]]["history"].append(
                {k: h[k] for k in ("changed_at", "action", "field", "old_value", "new_value",
                                   "event_id")})


def canonical_history(store, canonical_id: str) -> list[dict]:
    """The change log of one canonical event, oldest first."""
    create_merge_tables(store.engine)
    with store.engine.connect() as conn:
        q = select(hist_t).where(hist_t.c.canonical_id == canonical_id).order_by(hist_t.c.pk)
        return [dict(r) for r in conn.execute(q).mappings()]


def canonical_id_of(store, event_id: str) -> str | None:
    """The canonical event a stored event was merged into."""
    create_merge_tables(store.engine)
    with store.engine.connect() as conn:
        return conn.execute(select(er_t.c.canonical_id)
                            .where(er_t.c.event_id == event_id)).scalar_one_or_none()



def merge_pending(store) -> int | None:
    """How many stored events are not merged yet, without creating or writing anything;
    None when the merge tables do not exist (nothing was ever merged)."""
    from sqlalchemy import inspect

    from .schema import MERGE_TABLES

    if not all(inspect(store.engine).has_table(t.name) for t in MERGE_TABLES):
        return None
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(events)
                            .where(~events.c.id.in_(select(er_t.c.event_id)))).scalar_one()
