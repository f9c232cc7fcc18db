"""Read queries of the API: event filters, pages, map points, one event, one document, stats.

Built on the store's tables with SQLAlchemy Core (portable SQLite / PostgreSQL). Only the
requested page is materialised; evidence and sources are attached per page.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    and_,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.sql import ColumnElement, Select

from ..merge.schema import canonical_events as incidents
from ..merge.schema import event_reports
from ..models import as_date
from ..store import ci_like, event_filters, like_pattern, paged
from ..store.schema import documents, event_evidence, event_sources, events
from .schema import FTS_TABLE, event_reviews, has_incident_search, review_log

# What a row of the API is: an incident (a canonical event of the merge stage, with all the
# reports and sources behind it; the default) or one report of one document.
LEVELS = ("incidents", "reports")

HIDDEN_STATUSES = ("rejected", "merged")
REVIEW_FILTERS = ("active", "all", "unreviewed", "reviewed", "confirmed", "corrected",
                  "rejected", "merged", "split")


def sorts(t) -> dict[str, tuple]:
    return {
        "date": (t.c.event_date.asc(), t.c.id.asc()),
        "-date": (t.c.event_date.desc(), t.c.id.desc()),
        "fatalities": (t.c.fatalities.asc(), t.c.id.asc()),
        "-fatalities": (t.c.fatalities.desc(), t.c.id.desc()),
    }


SORTS = sorts(events)


@dataclass
class EventFilters:
    """What GET /api/events (and stats) can filter on. Lists mean "any of"."""

    date_from: str | None = None
    date_to: str | None = None
    event_type: list[str] = field(default_factory=list)
    sub_event_type: list[str] = field(default_factory=list)
    actor: str | None = None
    country: list[str] = field(default_factory=list)
    admin1: list[str] = field(default_factory=list)
    bbox: tuple[float, float, float, float] | None = None   # min lon, min lat, max lon, max lat
    q: str | None = None
    claim_status: list[str] = field(default_factory=list)
    min_sources: int | None = None
    review: str = "active"
    doc_id: str | None = None
    level: str = "incidents"
    ids: list[str] = field(default_factory=list)

    @property
    def table(self):
        """The table rows come from: merged incidents, or per-report events."""
        return events if self.level == "reports" else incidents

    def scans(self) -> bool:
        """Filters that no date-ordered index serves: with them, reading matches and sorting
        them beats walking the date index and testing every row (rare matches)."""
        return bool(self.q or self.actor or self.bbox or self.admin1 or self.claim_status
                    or self.ids
                    or (self.min_sources or 0) > 1 or self.sub_event_type)

    def without_dates(self) -> EventFilters:
        return EventFilters(**{**self.__dict__, "date_from": None, "date_to": None})


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """"min_lon,min_lat,max_lon,max_lat" -> tuple; ValueError when malformed."""
    if not value:
        return None
    parts = [float(p) for p in value.split(",")]
    if len(parts) != 4:
        raise ValueError("bbox needs four numbers: min_lon,min_lat,max_lon,max_lat")
    w, s, e, n = parts
    if not (-90 <= s <= n <= 90) or not (-540 <= w <= 540 and -540 <= e <= 540):
        raise ValueError("bbox out of range (min_lon,min_lat,max_lon,max_lat)")
    return w, s, e, n


def n_sources_expr() -> ColumnElement:
    """Distinct documents reporting the event: its own plus other source documents."""
    others = (select(func.count(func.distinct(event_sources.c.doc_id)))
              .where(event_sources.c.event_id == events.c.id,
                     event_sources.c.doc_id != events.c.doc_id)
              .scalar_subquery())
    return (others + 1).label("n_sources")


def _has_reviews(conn: Connection | None, statuses: tuple[str, ...] | None = None) -> bool:
    if conn is None:
        return True
    q = select(event_reviews.c.event_id)
    if statuses:
        q = q.where(event_reviews.c.status.in_(statuses))
    return conn.execute(q.limit(1)).first() is not None


def _fts(conn: Connection) -> bool:
    """The SQLite FTS5 index of incidents exists (looked up once per engine)."""
    eng = conn.engine
    known = _FTS_SEEN.get(id(eng))
    if known is None or known[0] is not eng:
        known = _FTS_SEEN[id(eng)] = (eng, has_incident_search(conn))
    return known[1]


_FTS_SEEN: dict[int, tuple[Any, bool]] = {}


def _match(columns: tuple[str, ...], term: str) -> ColumnElement:
    """Incidents whose columns contain ``term`` (any case), through the FTS5 trigram index:
    the same rows as a LIKE '%term%' over those columns, without reading every row."""
    phrase = '"' + term.strip().replace('"', '""') + '"'
    expr = "{" + " ".join(columns) + "} : " + phrase
    hits = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m").bindparams(
        m=expr).columns(rowid=Integer)
    return literal_column("canonical_events.rowid").in_(hits)


def conditions(f: EventFilters, conn: Connection | None = None) -> list[ColumnElement]:
    """WHERE conditions for the filters, on the filters' table (incidents or reports). With
    ``conn``, cheaper forms for its dialect and no review condition when no event was
    reviewed that way."""
    t = f.table
    fts = t is incidents and conn is not None and _fts(conn)
    actor = f.actor
    c: list[ColumnElement] = []
    if fts and actor and len(actor.strip()) >= 3:
        c.append(_match(("actor1", "actor2", "assoc_actor_1", "assoc_actor_2"), actor))
        actor = None
    c += event_filters(
        t.c, country=f.country, event_type=f.event_type, sub_event_type=f.sub_event_type,
        actor=actor, date_from=f.date_from, date_to=f.date_to, conn=conn)
    if f.admin1:
        c.append(func.lower(t.c.admin1).in_([x.lower() for x in f.admin1 if x]))
    if f.bbox:
        w, s, e, n = f.bbox
        c.append(t.c.latitude.between(s, n))
        if w <= e:
            c.append(t.c.longitude.between(w, e))
        else:                                   # crosses the antimeridian
            c.append(or_(t.c.longitude >= w, t.c.longitude <= e))
    if f.q and fts and len(f.q) >= 3:
        c.append(_match(("notes", "actor1", "actor2", "location", "admin1", "admin2",
                         "sub_event_type", "source"), f.q))
    elif f.q:
        pat = like_pattern(f.q)
        c.append(or_(*[ci_like(conn, col, pat) for col in (
            t.c.notes, t.c.actor1, t.c.actor2, t.c.location,
            t.c.admin1, t.c.admin2, t.c.sub_event_type, t.c.source)]))
    if f.claim_status:
        c.append(t.c.claim_status.in_(f.claim_status))
    if f.min_sources and f.min_sources > 1:
        if t is incidents:
            c.append(t.c.n_sources >= f.min_sources)
        else:
            e2 = events.alias("src_ev")
            multi = (select(event_sources.c.event_id)
                     .join(e2, e2.c.id == event_sources.c.event_id)
                     .where(event_sources.c.doc_id != e2.c.doc_id)
                     .group_by(event_sources.c.event_id)
                     .having(func.count(func.distinct(event_sources.c.doc_id)) + 1
                             >= f.min_sources))
            c.append(events.c.id.in_(multi))
    if f.ids:
        c.append(t.c.id.in_(f.ids))
    if f.doc_id:
        if t is incidents:
            c.append(t.c.id.in_(select(event_reports.c.canonical_id)
                                .where(event_reports.c.doc_id == f.doc_id)))
        else:
            c.append(events.c.doc_id == f.doc_id)
    # an incident's review state is kept under its id (the id of its first report)
    reviewed = select(event_reviews.c.event_id)
    if f.review == "active":
        if _has_reviews(conn, HIDDEN_STATUSES):
            c.append(t.c.id.notin_(reviewed.where(
                event_reviews.c.status.in_(HIDDEN_STATUSES))))
    elif f.review == "unreviewed":
        if _has_reviews(conn):
            c.append(t.c.id.notin_(reviewed))
    elif f.review == "reviewed":
        c.append(t.c.id.in_(reviewed))
    elif f.review in REVIEW_FILTERS and f.review != "all":
        c.append(t.c.id.in_(reviewed.where(event_reviews.c.status == f.review)))
    return c


def _page_query(f: EventFilters, sort: str, conn: Connection | None = None,
                walk_index: bool = False) -> Select:
    t = f.table
    status = (select(event_reviews.c.status).where(event_reviews.c.event_id == t.c.id)
              .scalar_subquery().label("review_status"))
    if t is incidents:
        q = select(t, status)
    else:
        q = (select(events, documents.c.url.label("doc_url"),
                    documents.c.title.label("doc_title"),
                    documents.c.published.label("doc_published"), status, n_sources_expr())
             .select_from(events.outerjoin(documents, events.c.doc_id == documents.c.id)))
    conds = conditions(f, conn)
    if conds:
        q = q.where(and_(*conds))
    return q.order_by(*_order(f, sort, walk_index))


def _order(f: EventFilters, sort: str, walk_index: bool = False) -> tuple:
    t = f.table
    if f.scans() and not walk_index and sort in ("date", "-date"):
        # `event_date || ''` orders the same but keeps the planner off the date index
        key = t.c.event_date.concat("")
        return ((key.asc(), t.c.id.asc()) if sort == "date"
                else (key.desc(), t.c.id.desc()))
    by = sorts(t)
    return by.get(sort, by["-date"])


COUNT_CAP = 10_000
SCAN_MAX = 2_000        # matches a scan filter may have for its keys to be sorted in Python


def count_events(conn: Connection, f: EventFilters, cap: int | None = None
                 ) -> tuple[int, bool]:
    """(number of matching events, exact?). With ``cap``, counting stops after cap events
    and the count is cap with exact False: a filtered count over a large store costs a scan,
    the page itself does not."""
    conds = conditions(f, conn)
    inner = select(literal(1).label("one")).select_from(f.table)
    if conds:
        inner = inner.where(and_(*conds))
    if cap is not None:
        inner = inner.limit(cap + 1)
    n = int(conn.execute(select(func.count()).select_from(inner.subquery())).scalar_one())
    if cap is not None and n > cap:
        return cap, False
    return n, True


def attach(conn: Connection, rows: list[dict], *, evidence: bool = True,
           sources: bool = True, level: str = "reports") -> list[dict]:
    """Add "evidence" and "sources" lists to event rows (one query each for the page).
    Incident rows get the merge stage's sources (every document and outlet with its role),
    ``report_ids``, ``document_ids``, ACLED's ``event_id_cnty`` and ``year``; their evidence
    is that of every report behind them."""
    from ..store import attach_evidence_sources

    if level == "reports":
        return attach_evidence_sources(conn, rows, evidence=evidence, sources=sources)
    from ..merge.db import dress_canonical

    dress_canonical(conn, rows)
    for r in rows:
        r["level"] = "incident"
        first = r["sources"][0] if r["sources"] else {}
        r["doc_id"] = r["document_ids"][0] if r["document_ids"] else ""
        r["doc_url"] = r["document_urls"][0] if r["document_urls"] else ""
        r["doc_title"] = first.get("title", "")
    if not sources:
        for r in rows:
            r.pop("sources", None)
    if evidence:
        incident_evidence(conn, rows)
    return rows


def incident_evidence(conn: Connection, rows: list[dict]) -> list[dict]:
    """Add "evidence" to incident rows: the spans of every report behind each (each span
    with its report's ``event_id``), in report order."""
    ids = [i for r in rows for i in r["report_ids"]]
    spans: dict[str, list[dict]] = {}
    for k in range(0, len(ids), 500):
        q = (select(event_evidence).where(event_evidence.c.event_id.in_(ids[k:k + 500]))
             .order_by(event_evidence.c.pk))
        for e in conn.execute(q).mappings():
            spans.setdefault(e["event_id"], []).append(
                {x: e[x] for x in ("event_id", "field", "doc_id", "start", "end", "text")})
    for r in rows:
        r["evidence"] = [e for i in r["report_ids"] for e in spans.get(i, [])]
    return rows


def _iso(v) -> str | None:
    """ISO text of a date or datetime; naive datetimes (SQLite) are UTC."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, datetime) and v.tzinfo is None:
        v = v.replace(tzinfo=UTC)
    return v.isoformat()


def _clean(row: dict) -> dict:
    for k in ("created_at", "updated_at", "doc_published"):
        v = row.get(k)
        if v is not None and not isinstance(v, str):
            row[k] = _iso(v)
    return row


def page_events(conn: Connection, f: EventFilters, *, limit: int, offset: int = 0,
                sort: str = "-date", evidence: bool = False, sources: bool = False,
                walk_index: bool = False) -> list[dict]:
    q = _page_query(f, sort, conn, walk_index).limit(limit).offset(offset)
    rows = [_clean(dict(r)) for r in conn.execute(q).mappings()]
    return attach(conn, rows, evidence=evidence, sources=sources, level=f.level)


def page_with_total(conn: Connection, f: EventFilters, *, limit: int, offset: int = 0,
                    sort: str = "-date", evidence: bool = False, sources: bool = False,
                    exact: bool = False) -> tuple[list[dict], int, bool]:
    """(page rows, total matches, exact?). Filters that scan anyway get the total from the
    same scan (a window count); the others count separately, up to COUNT_CAP unless exact.
    On incidents, a scan filter (other than a text match) that matches more than SCAN_MAX
    rows pages through the date index instead (matches are common there, so the page is
    found after a few rows) and counts like the others."""
    walk = False
    if f.scans() and f.level != "reports" and sort in ("date", "-date") and not (
            _fts(conn) and len((f.q or f.actor or "").strip()) >= 3):
        # (a text match builds its whole hit list first anyway: probing it costs a scan)
        walk = not count_events(conn, f, SCAN_MAX)[1]
    if f.scans() and not walk:
        # One scan for the keys of every match (no index serves these filters), sorted here;
        # then the page's rows by primary key.
        t = f.table
        by_fat = sort.endswith("fatalities")
        key_col = t.c.fatalities if by_fat else t.c.event_date
        conds = conditions(f, conn)
        keys = conn.execute(select(t.c.id, key_col).where(and_(*conds))).all()
        keys.sort(key=lambda r: (r[1] is not None, r[1] or 0 if by_fat else r[1] or "", r[0]),
                  reverse=sort.startswith("-"))
        ids = [r[0] for r in keys[offset:offset + limit]]
        rows = []
        if ids:
            q = _page_query(EventFilters(review="all", level=f.level), sort, conn
                            ).where(t.c.id.in_(ids))
            by_id = {r["id"]: _clean(dict(r)) for r in conn.execute(q).mappings()}
            rows = [by_id[i] for i in ids if i in by_id]
        return (attach(conn, rows, evidence=evidence, sources=sources, level=f.level),
                len(keys), True)
    rows = page_events(conn, f, limit=limit, offset=offset, sort=sort, evidence=evidence,
                       sources=sources, walk_index=walk)
    if offset == 0 and len(rows) < limit:
        return rows, len(rows), True                 # the whole result is on this page
    total, ok = count_events(conn, f, None if exact else max(COUNT_CAP, offset + limit))
    return rows, total, ok


def iter_events(engine, f: EventFilters, *, limit: int | None = None, offset: int = 0,
                sort: str = "-date", chunk: int = 1000) -> Iterator[dict]:
    """All matching events, with evidence and sources, a chunk per connection."""
    return paged(engine, lambda conn, n, pos: page_events(
        conn, f, limit=n, offset=pos, sort=sort, evidence=True, sources=True),
        limit=limit, offset=offset, chunk=chunk)


def _floor(conn: Connection, x: ColumnElement) -> ColumnElement:
    """floor(x) in SQL: SQLite builds without its math functions lack floor(); there a cast
    truncates toward zero and one is taken off below it."""
    if conn.dialect.name != "sqlite":
        return func.floor(x)
    i = cast(x, Integer)
    return i - cast(x < i, Integer)


def _mapped(f: EventFilters, conn: Connection) -> list[ColumnElement]:
    """The filters' conditions, for events that have coordinates (the map's points and
    density cells)."""
    t = f.table
    return [*conditions(f, conn), t.c.latitude.is_not(None), t.c.longitude.is_not(None)]


DENSITY_CELL = 0.1      # degrees: about 11 km, a town and its surroundings


def map_density(conn: Connection, f: EventFilters, *, cell: float = DENSITY_CELL
                ) -> dict[str, Any]:
    """Every matching incident with coordinates, counted per grid cell of ``cell`` degrees:
    [centre lat, centre lon, incidents, fatalities] per occupied cell, for the map's density
    layer when there are more incidents than markers (no cap: one grouped scan)."""
    t = f.table
    conds = _mapped(f, conn)
    gy = _floor(conn, t.c.latitude / cell)
    gx = _floor(conn, t.c.longitude / cell)
    q = (select(gy.label("gy"), gx.label("gx"), func.count().label("n"),
                func.coalesce(func.sum(t.c.fatalities), 0).label("fat"))
         .where(and_(*conds)).group_by(gy, gx))
    cells, total = [], 0
    for gyv, gxv, n, fat in conn.execute(q):
        total += int(n)
        cells.append([round((float(gyv) + 0.5) * cell, 5), round((float(gxv) + 0.5) * cell, 5),
                      int(n), int(fat or 0)])
    cells.sort(key=lambda c: (-c[2], c[0], c[1]))
    return {"total": total, "cell": cell, "cells": cells}


def map_points(conn: Connection, f: EventFilters, *, limit: int) -> dict[str, Any]:
    """Compact points for the map: [id, lat, lon, type index, fatalities, date, place,
    sources], newest first."""
    t = f.table
    conds = _mapped(f, conn)
    n_src = t.c.n_sources if t is incidents else n_sources_expr()
    q = (select(t.c.id, t.c.latitude, t.c.longitude, t.c.event_type, t.c.fatalities,
                t.c.event_date, t.c.location, t.c.country, n_src)
         .where(and_(*conds)).order_by(*_order(f, "-date")).limit(limit))
    types: dict[str, int] = {}
    pts = []
    for r in conn.execute(q):
        ti = types.setdefault(r[3] or "", len(types))
        place = ", ".join(x for x in (r[6], r[7]) if x)
        pts.append([r[0], round(r[1], 5), round(r[2], 5), ti, r[4] or 0, r[5], place,
                    r[8] or 1])
    if len(pts) < limit:
        total = len(pts)
    else:
        total = int(conn.execute(select(func.count()).select_from(t)
                                 .where(and_(*conds))).scalar_one())
    return {"total": total, "returned": len(pts), "truncated": total > len(pts),
            "types": list(types), "points": pts}


def _review_of(conn: Connection, event_id: str) -> dict | None:
    rev = conn.execute(select(event_reviews).where(event_reviews.c.event_id == event_id)
                       ).mappings().first()
    return None if rev is None else {
        "status": rev["status"], "merged_into": rev["merged_into"],
        "overrides": json.loads(rev["overrides"] or "{}"),
        "updated_at": _iso(rev["updated_at"]),
        "updated_by": rev["updated_by"]}


def _documents(conn: Connection, doc_ids: list[str]) -> list[dict]:
    out = [
        {"id": d["id"], "title": d["title"], "url": d["url"], "source_name": d["source_name"],
         "published": d["published"].isoformat() if d["published"] else None}
        for d in conn.execute(select(documents.c.id, documents.c.title, documents.c.url,
                                     documents.c.source_name, documents.c.published)
                              .where(documents.c.id.in_(doc_ids))).mappings()]
    out.sort(key=lambda d: doc_ids.index(d["id"]))
    return out


REPORT_FIELDS = ("id", "doc_id", "event_date", "event_type", "sub_event_type", "actor1",
                 "actor2", "location", "admin1", "country", "fatalities", "notes", "why")


def get_incident(conn: Connection, incident_id: str) -> dict | None:
    """One incident (a merged event) with its sources, the evidence of every report behind
    it, those reports (``reports``: one per document, with the report's own coding and
    review state), their documents, review state and audit log."""
    f = EventFilters(review="all", level="incidents")
    r = conn.execute(_page_query(f, "-date", conn).where(incidents.c.id == incident_id)
                     ).mappings().first()
    if r is None:
        return None
    row = attach(conn, [_clean(dict(r))], level="incidents")[0]
    status = (select(event_reviews.c.status).where(event_reviews.c.event_id == events.c.id)
              .scalar_subquery().label("review_status"))
    reps = {x["id"]: _clean(dict(x)) for x in conn.execute(
        select(*[events.c[k] for k in REPORT_FIELDS], documents.c.title.label("doc_title"),
               documents.c.source_name, status)
        .select_from(events.outerjoin(documents, events.c.doc_id == documents.c.id))
        .where(events.c.id.in_(row["report_ids"]))).mappings()}
    row["reports"] = [reps[i] for i in row["report_ids"] if i in reps]
    # why this type: the rules that typed the first report coded as the incident is
    row["why"] = next((x["why"] for x in row["reports"] if x.get("why") and x.get(
        "sub_event_type") == row.get("sub_event_type")), "")
    row["review"] = _review_of(conn, incident_id)
    row["documents"] = _documents(conn, list(row["document_ids"]))
    row["audit"] = audit_entries(conn, incident_id)
    return row


def get_event(conn: Connection, event_id: str, level: str = "incidents") -> dict | None:
    """An incident by its id (level "incidents": the default; an id that is only a report's
    gives that report), or one report (level "reports")."""
    if level != "reports":
        inc = get_incident(conn, event_id)
        if inc is not None:
            return inc
    f = EventFilters(review="all", level="reports")
    q = _page_query(f, "-date", conn).where(events.c.id == event_id)
    r = conn.execute(q).mappings().first()
    if r is None:
        return None
    row = attach(conn, [_clean(dict(r))])[0]
    row["level"] = "report"
    row["review"] = _review_of(conn, event_id)
    doc_ids = list(dict.fromkeys([row["doc_id"], *[s["doc_id"] for s in row["sources"]],
                                  *[e["doc_id"] for e in row["evidence"]]]))
    row["documents"] = _documents(conn, doc_ids)
    row["audit"] = audit_entries(conn, event_id)
    return row


def audit_entries(conn: Connection, event_id: str | None = None, limit: int = 200,
                  offset: int = 0) -> list[dict]:
    q = select(review_log).order_by(review_log.c.pk.desc()).limit(limit).offset(offset)
    if event_id:
        q = q.where(review_log.c.event_id == event_id)
    out = []
    for r in conn.execute(q).mappings():
        out.append({"id": r["pk"], "event_id": r["event_id"], "action": r["action"],
                    "who": r["who"], "token": r["token"],
                    "at": _iso(r["at"]),
                    "before": json.loads(r["before"]) if r["before"] else None,
                    "after": json.loads(r["after"]) if r["after"] else None,
                    "note": r["note"], "related": json.loads(r["related"] or "[]")})
    return out


def segments(body: str, spans: list[dict]) -> list[dict]:
    """Cut ``body`` at every span boundary: [{start, end, text, fields, event_ids}] covering
    the whole text in order; a piece outside every span has no fields."""
    n = len(body)
    cuts = {0, n}
    good = []
    for s in spans:
        a, b = max(0, int(s["start"])), min(n, int(s["end"]))
        if a < b:
            good.append((a, b, s))
            cuts.update((a, b))
    points = sorted(cuts)
    out = []
    for a, b in zip(points, points[1:], strict=False):
        fields: list[str] = []
        eids: list[str] = []
        for sa, sb, s in good:
            if sa <= a and b <= sb:
                if s["field"] not in fields:
                    fields.append(s["field"])
                if s.get("event_id") and s["event_id"] not in eids:
                    eids.append(s["event_id"])
        out.append({"start": a, "end": b, "text": body[a:b], "fields": fields,
                    "event_ids": eids})
    return out


def get_document(conn: Connection, doc_id: str, event_id: str | None = None) -> dict | None:
    d = conn.execute(select(documents).where(documents.c.id == doc_id)).mappings().first()
    if d is None:
        return None
    q = (select(event_evidence.c.event_id, event_evidence.c.field, event_evidence.c.start,
                event_evidence.c.end, event_evidence.c.text)
         .where(event_evidence.c.doc_id == doc_id).order_by(event_evidence.c.start,
                                                              event_evidence.c.pk))
    if event_id:
        q = q.where(event_evidence.c.event_id == event_id)
    spans = [dict(r) for r in conn.execute(q).mappings()]
    evs = [dict(r) for r in conn.execute(
        select(events.c.id, events.c.event_date, events.c.event_type, events.c.sub_event_type,
               events.c.location).where(events.c.doc_id == doc_id)
        .order_by(events.c.sentence_start)).mappings()]
    body = d["body"] or ""
    return {
        "id": d["id"], "title": d["title"], "url": d["url"],
        "published": d["published"].isoformat() if d["published"] else None,
        "source_name": d["source_name"], "language": d["language"], "path": d["path"],
        "body": body, "comments": json.loads(d["comments"] or "[]"),
        "spans": spans, "segments": segments(body, spans), "events": evs,
    }


# ---------------------------------------------------------------------- stats
STAT_GROUPS = ("day", "week", "type", "sub_type", "country", "admin1", "actor")


def _week(day: str) -> str | None:
    d = as_date(day)
    return None if d is None else (d - timedelta(days=d.weekday())).isoformat()


def stats(conn: Connection, f: EventFilters, groups: list[str], top: int = 50
          ) -> dict[str, Any]:
    t = f.table
    conds = conditions(f, conn)
    where = and_(*conds) if conds else literal(True)
    total, fat, dmin, dmax = conn.execute(
        select(func.count(), func.coalesce(func.sum(t.c.fatalities), 0),
               func.min(t.c.event_date), func.max(t.c.event_date)).where(where)).one()
    out: dict[str, Any] = {"total": int(total), "fatalities": int(fat or 0),
                           "date_min": dmin, "date_max": dmax}
    if "day" in groups or "week" in groups:
        days = [(d, int(n)) for d, n in conn.execute(
            select(t.c.event_date, func.count()).where(where, t.c.event_date
                                                            .is_not(None))
            .group_by(t.c.event_date).order_by(t.c.event_date))]
        if "day" in groups:
            out["by_day"] = [{"date": d, "count": n} for d, n in days]
        if "week" in groups:
            weeks: Counter[str] = Counter()
            for d, n in days:
                w = _week(d)
                if w:
                    weeks[w] += n
            out["by_week"] = [{"week": w, "count": n} for w, n in sorted(weeks.items())]
    if "type" in groups:
        out["by_type"] = [{"event_type": t, "count": int(n), "fatalities": int(fs or 0)}
                          for t, n, fs in conn.execute(
                              select(t.c.event_type, func.count(),
                                     func.sum(t.c.fatalities)).where(where)
                              .group_by(t.c.event_type).order_by(func.count().desc()))]
    if "sub_type" in groups:
        out["by_sub_type"] = [{"event_type": t, "sub_event_type": s, "count": int(n)}
                              for t, s, n in conn.execute(
                                  select(t.c.event_type, t.c.sub_event_type,
                                         func.count()).where(where)
                                  .group_by(t.c.event_type, t.c.sub_event_type)
                                  .order_by(func.count().desc()))]
    if "country" in groups:
        out["by_country"] = [{"country": c, "count": int(n)} for c, n in conn.execute(
            select(t.c.country, func.count()).where(where).group_by(t.c.country)
            .order_by(func.count().desc()).limit(top))]
    if "admin1" in groups:
        out["by_admin1"] = [{"country": c, "admin1": a, "count": int(n)}
                            for c, a, n in conn.execute(
                                select(t.c.country, t.c.admin1, func.count())
                                .where(where, t.c.admin1 != "")
                                .group_by(t.c.country, t.c.admin1)
                                .order_by(func.count().desc()).limit(top))]
    if "actor" in groups:
        both = union_all(
            select(t.c.actor1.label("actor")).where(where, t.c.actor1 != ""),
            select(t.c.actor2.label("actor")).where(where, t.c.actor2 != ""),
        ).subquery()
        out["by_actor"] = [{"actor": a, "count": int(n)} for a, n in conn.execute(
            select(both.c.actor, func.count()).group_by(both.c.actor)
            .order_by(func.count().desc()).limit(top))]
    return out


# ---------------------------------------------------------------------- trends
TREND_WEEKS = 12


def _periods(conn: Connection, f: EventFilters) -> tuple[date, date, date, date] | None:
    """(from, to, previous from, previous to): the filters' dates, or the TREND_WEEKS weeks
    up to the latest matching event; the previous period is as long and ends the day
    before."""
    t = f.table
    lo, hi = as_date(f.date_from), as_date(f.date_to)
    if lo is None or hi is None:
        conds = conditions(f, conn)
        dmax = conn.execute(select(func.max(t.c.event_date))
                            .where(and_(*conds) if conds else literal(True))).scalar()
        if dmax is None:
            return None
        hi = hi or as_date(dmax)
        lo = lo or hi - timedelta(days=7 * TREND_WEEKS - 1)
    if lo > hi:
        return None
    days = (hi - lo).days + 1
    return lo, hi, lo - timedelta(days=days), lo - timedelta(days=1)


def trends(conn: Connection, f: EventFilters, top: int = 8) -> dict[str, Any]:
    """What the trend charts draw, for the filters: incidents per week by event type and
    fatalities per week in the period (the filters' dates, else the last TREND_WEEKS weeks
    with data) and in the previous period of the same length, and the top admin1 areas and
    actors of the period with their counts in the previous one."""
    per = _periods(conn, f)
    if per is None:
        return {"period": None, "previous": None, "weeks": [], "by_type": {},
                "fatalities": [], "previous_counts": [], "previous_fatalities": [],
                "admin1": [], "actors": [], "total": 0, "previous_total": 0}
    lo, hi, plo, phi = per
    t = f.table
    base = conditions(f.without_dates(), conn)

    def window(a: date, b: date):
        return and_(*base, t.c.event_date >= a.isoformat(), t.c.event_date <= b.isoformat())

    n_weeks = ((hi - lo).days // 7) + 1

    def week_of(day: str, start: date) -> int:
        return min(n_weeks - 1, (as_date(day) - start).days // 7)

    weeks = [(lo + timedelta(days=7 * k)).isoformat() for k in range(n_weeks)]
    by_type: dict[str, list[int]] = {}
    fat = [0] * n_weeks
    prev_n, prev_fat = [0] * n_weeks, [0] * n_weeks
    rows = conn.execute(select(t.c.event_date, t.c.event_type, func.count(),
                               func.coalesce(func.sum(t.c.fatalities), 0))
                        .where(window(plo, hi))
                        .group_by(t.c.event_date, t.c.event_type)).all()
    for day, et, n, fs in rows:
        if day >= lo.isoformat():
            k = week_of(day, lo)
            by_type.setdefault(et or "", [0] * n_weeks)[k] += int(n)
            fat[k] += int(fs or 0)
        else:
            k = week_of(day, plo)
            prev_n[k] += int(n)
            prev_fat[k] += int(fs or 0)

    def grouped(where, *cols):
        return select(*cols, func.count()).where(where, *[c != "" for c in cols]) \
            .group_by(*cols).order_by(func.count().desc(), *cols)

    admin1 = []
    cur = conn.execute(grouped(window(lo, hi), t.c.admin1, t.c.country).limit(top)).all()
    prev = {(a, c): int(n) for a, c, n in conn.execute(
        grouped(window(plo, phi), t.c.admin1, t.c.country))}
    for a, c, n in cur:
        admin1.append({"name": f"{a}, {c}", "count": int(n), "previous": prev.get((a, c), 0)})

    def actor_counts(where) -> Counter[str]:
        both = union_all(select(t.c.actor1.label("actor")).where(where, t.c.actor1 != ""),
                         select(t.c.actor2.label("actor")).where(where, t.c.actor2 != "")
                         ).subquery()
        return Counter({a: int(n) for a, n in conn.execute(
            select(both.c.actor, func.count()).group_by(both.c.actor))})

    ca, pa = actor_counts(window(lo, hi)), actor_counts(window(plo, phi))
    actors = [{"name": a, "count": n, "previous": pa.get(a, 0)}
              for a, n in sorted(ca.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    return {"period": {"from": lo.isoformat(), "to": hi.isoformat()},
            "previous": {"from": plo.isoformat(), "to": phi.isoformat()},
            "weeks": weeks, "by_type": by_type, "fatalities": fat,
            "previous_counts": prev_n, "previous_fatalities": prev_fat,
            "admin1": admin1, "actors": actors,
            "total": sum(sum(v) for v in by_type.values()), "previous_total": sum(prev_n)}
