"""Read queries of the API: event filters, pages, map points, one event, one document, stats.

Built on the store's tables with SQLAlchemy Core (portable SQLite / PostgreSQL). Only the
requested page is materialised; evidence and sources are attached per page.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, literal, or_, select, union_all
from sqlalchemy.sql import ColumnElement, Select

from ..models import as_date
from ..store import ci_like, event_filters, like_pattern, paged
from ..store.schema import documents, event_evidence, event_sources, events
from .schema import event_reviews, review_log

HIDDEN_STATUSES = ("rejected", "merged")
REVIEW_FILTERS = ("active", "all", "unreviewed", "reviewed", "confirmed", "corrected",
                  "rejected", "merged", "split")
SORTS = {
    "date": (events.c.event_date.asc(), events.c.id.asc()),
    "-date": (events.c.event_date.desc(), events.c.id.desc()),
    "fatalities": (events.c.fatalities.asc(), events.c.id.asc()),
    "-fatalities": (events.c.fatalities.desc(), events.c.id.desc()),
}


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

    def scans(self) -> bool:
        """Filters that no date-ordered index serves: with them, reading matches and sorting
        them beats walking the date index and testing every row (rare matches)."""
        return bool(self.q or self.actor or self.bbox or self.admin1 or self.claim_status
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


def conditions(f: EventFilters, conn: Connection | None = None) -> list[ColumnElement]:
    """WHERE conditions for the filters. With ``conn``, cheaper forms for its dialect and no
    review condition when no event was reviewed that way."""
    c: list[ColumnElement] = event_filters(
        events.c, country=f.country, event_type=f.event_type, sub_event_type=f.sub_event_type,
        actor=f.actor, date_from=f.date_from, date_to=f.date_to, conn=conn)
    if f.admin1:
        c.append(func.lower(events.c.admin1).in_([x.lower() for x in f.admin1 if x]))
    if f.bbox:
        w, s, e, n = f.bbox
        c.append(events.c.latitude.between(s, n))
        if w <= e:
            c.append(events.c.longitude.between(w, e))
        else:                                   # crosses the antimeridian
            c.append(or_(events.c.longitude >= w, events.c.longitude <= e))
    if f.q:
        pat = like_pattern(f.q)
        c.append(or_(*[ci_like(conn, col, pat) for col in (
            events.c.notes, events.c.actor1, events.c.actor2, events.c.location,
            events.c.admin1, events.c.admin2, events.c.sub_event_type, events.c.source)]))
    if f.claim_status:
        c.append(events.c.claim_status.in_(f.claim_status))
    if f.min_sources and f.min_sources > 1:
        e2 = events.alias("src_ev")
        multi = (select(event_sources.c.event_id)
                 .join(e2, e2.c.id == event_sources.c.event_id)
                 .where(event_sources.c.doc_id != e2.c.doc_id)
                 .group_by(event_sources.c.event_id)
                 .having(func.count(func.distinct(event_sources.c.doc_id)) + 1
                         >= f.min_sources))
        c.append(events.c.id.in_(multi))
    if f.doc_id:
        c.append(events.c.doc_id == f.doc_id)
    reviewed = select(event_reviews.c.event_id)
    if f.review == "active":
        if _has_reviews(conn, HIDDEN_STATUSES):
            c.append(events.c.id.notin_(reviewed.where(
                event_reviews.c.status.in_(HIDDEN_STATUSES))))
    elif f.review == "unreviewed":
        if _has_reviews(conn):
            c.append(events.c.id.notin_(reviewed))
    elif f.review == "reviewed":
        c.append(events.c.id.in_(reviewed))
    elif f.review in REVIEW_FILTERS and f.review != "all":
        c.append(events.c.id.in_(reviewed.where(event_reviews.c.status == f.review)))
    return c


def _page_query(f: EventFilters, sort: str, conn: Connection | None = None) -> Select:
    status = (select(event_reviews.c.status).where(event_reviews.c.event_id == events.c.id)
              .scalar_subquery().label("review_status"))
    q = (select(events, documents.c.url.label("doc_url"), documents.c.title.label("doc_title"),
                documents.c.published.label("doc_published"), status, n_sources_expr())
         .select_from(events.outerjoin(documents, events.c.doc_id == documents.c.id)))
    conds = conditions(f, conn)
    if conds:
        q = q.where(and_(*conds))
    return q.order_by(*_order(f, sort))


def _order(f: EventFilters, sort: str) -> tuple:
    if f.scans() and sort in ("date", "-date"):
        # `event_date || ''` orders the same but keeps the planner off the date index
        key = events.c.event_date.concat("")
        return ((key.asc(), events.c.id.asc()) if sort == "date"
                else (key.desc(), events.c.id.desc()))
    return SORTS.get(sort, SORTS["-date"])


COUNT_CAP = 10_000


def count_events(conn: Connection, f: EventFilters, cap: int | None = None
                 ) -> tuple[int, bool]:
    """(number of matching events, exact?). With ``cap``, counting stops after cap events
    and the count is cap with exact False: a filtered count over a large store costs a scan,
    the page itself does not."""
    conds = conditions(f, conn)
    inner = select(literal(1).label("one")).select_from(events)
    if conds:
        inner = inner.where(and_(*conds))
    if cap is not None:
        inner = inner.limit(cap + 1)
    n = int(conn.execute(select(func.count()).select_from(inner.subquery())).scalar_one())
    if cap is not None and n > cap:
        return cap, False
    return n, True


def attach(conn: Connection, rows: list[dict], *, evidence: bool = True,
           sources: bool = True) -> list[dict]:
    """Add "evidence" and "sources" lists to event rows (one query each for the page)."""
    from ..store import attach_evidence_sources

    return attach_evidence_sources(conn, rows, evidence=evidence, sources=sources)


def _iso(v) -> str | None:
    """ISO text of a date or datetime; naive datetimes (SQLite) are UTC."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, datetime) and v.tzinfo is None:
        v = v.replace(tzinfo=UTC)
    return v.isoformat()


def _clean(row: dict) -> dict:
    for k in ("created_at", "doc_published"):
        v = row.get(k)
        if v is not None and not isinstance(v, str):
            row[k] = _iso(v)
    return row


def page_events(conn: Connection, f: EventFilters, *, limit: int, offset: int = 0,
                sort: str = "-date", evidence: bool = False, sources: bool = False
                ) -> list[dict]:
    q = _page_query(f, sort, conn).limit(limit).offset(offset)
    rows = [_clean(dict(r)) for r in conn.execute(q).mappings()]
    return attach(conn, rows, evidence=evidence, sources=sources)


def page_with_total(conn: Connection, f: EventFilters, *, limit: int, offset: int = 0,
                    sort: str = "-date", evidence: bool = False, sources: bool = False,
                    exact: bool = False) -> tuple[list[dict], int, bool]:
    """(page rows, total matches, exact?). Filters that scan anyway get the total from the
    same scan (a window count); the others count separately, up to COUNT_CAP unless exact."""
    if f.scans():
        # One scan for the keys of every match (no index serves these filters), sorted here;
        # then the page's rows by primary key.
        key_col = events.c.fatalities if sort.endswith("fatalities") else events.c.event_date
        conds = conditions(f, conn)
        keys = conn.execute(select(events.c.id, key_col).where(and_(*conds))).all()
        keys.sort(key=lambda r: (r[1] is not None, r[1] or 0 if key_col is events.c.fatalities
                                 else r[1] or "", r[0]), reverse=sort.startswith("-"))
        ids = [r[0] for r in keys[offset:offset + limit]]
        rows = []
        if ids:
            q = _page_query(EventFilters(review="all"), sort, conn).where(events.c.id.in_(ids))
            by_id = {r["id"]: _clean(dict(r)) for r in conn.execute(q).mappings()}
            rows = [by_id[i] for i in ids if i in by_id]
        return attach(conn, rows, evidence=evidence, sources=sources), len(keys), True
    rows = page_events(conn, f, limit=limit, offset=offset, sort=sort, evidence=evidence,
                       sources=sources)
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


def map_points(conn: Connection, f: EventFilters, *, limit: int) -> dict[str, Any]:
    """Compact points for the map: [id, lat, lon, type index, fatalities, date], newest first."""
    conds = [*conditions(f, conn), events.c.latitude.is_not(None),
             events.c.longitude.is_not(None)]
    q = (select(events.c.id, events.c.latitude, events.c.longitude, events.c.event_type,
                events.c.fatalities, events.c.event_date)
         .where(and_(*conds)).order_by(*_order(f, "-date")).limit(limit))
    types: dict[str, int] = {}
    pts = []
    for r in conn.execute(q):
        t = types.setdefault(r[3] or "", len(types))
        pts.append([r[0], round(r[1], 5), round(r[2], 5), t, r[4] or 0, r[5]])
    if len(pts) < limit:
        total = len(pts)
    else:
        total = int(conn.execute(select(func.count()).select_from(events)
                                 .where(and_(*conds))).scalar_one())
    return {"total": total, "returned": len(pts), "truncated": total > len(pts),
            "types": list(types), "points": pts}


def get_event(conn: Connection, event_id: str) -> dict | None:
    f = EventFilters(review="all")
    q = _page_query(f, "-date", conn).where(events.c.id == event_id)
    r = conn.execute(q).mappings().first()
    if r is None:
        return None
    row = attach(conn, [_clean(dict(r))])[0]
    rev = conn.execute(select(event_reviews).where(event_reviews.c.event_id == event_id)
                       ).mappings().first()
    row["review"] = None if rev is None else {
        "status": rev["status"], "merged_into": rev["merged_into"],
        "overrides": json.loads(rev["overrides"] or "{}"),
        "updated_at": _iso(rev["updated_at"]),
        "updated_by": rev["updated_by"]}
    doc_ids = list(dict.fromkeys([row["doc_id"], *[s["doc_id"] for s in row["sources"]],
                                  *[e["doc_id"] for e in row["evidence"]]]))
    row["documents"] = [
        {"id": d["id"], "title": d["title"], "url": d["url"], "source_name": d["source_name"],
         "published": d["published"].isoformat() if d["published"] else None}
        for d in conn.execute(select(documents.c.id, documents.c.title, documents.c.url,
                                     documents.c.source_name, documents.c.published)
                              .where(documents.c.id.in_(doc_ids))).mappings()]
    row["documents"].sort(key=lambda d: doc_ids.index(d["id"]))
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
    conds = conditions(f, conn)
    where = and_(*conds) if conds else literal(True)
    total, fat, dmin, dmax = conn.execute(
        select(func.count(), func.coalesce(func.sum(events.c.fatalities), 0),
               func.min(events.c.event_date), func.max(events.c.event_date)).where(where)).one()
    out: dict[str, Any] = {"total": int(total), "fatalities": int(fat or 0),
                           "date_min": dmin, "date_max": dmax}
    if "day" in groups or "week" in groups:
        days = [(d, int(n)) for d, n in conn.execute(
            select(events.c.event_date, func.count()).where(where, events.c.event_date
                                                            .is_not(None))
            .group_by(events.c.event_date).order_by(events.c.event_date))]
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
                              select(events.c.event_type, func.count(),
                                     func.sum(events.c.fatalities)).where(where)
                              .group_by(events.c.event_type).order_by(func.count().desc()))]
    if "sub_type" in groups:
        out["by_sub_type"] = [{"event_type": t, "sub_event_type": s, "count": int(n)}
                              for t, s, n in conn.execute(
                                  select(events.c.event_type, events.c.sub_event_type,
                                         func.count()).where(where)
                                  .group_by(events.c.event_type, events.c.sub_event_type)
                                  .order_by(func.count().desc()))]
    if "country" in groups:
        out["by_country"] = [{"country": c, "count": int(n)} for c, n in conn.execute(
            select(events.c.country, func.count()).where(where).group_by(events.c.country)
            .order_by(func.count().desc()).limit(top))]
    if "admin1" in groups:
        out["by_admin1"] = [{"country": c, "admin1": a, "count": int(n)}
                            for c, a, n in conn.execute(
                                select(events.c.country, events.c.admin1, func.count())
                                .where(where, events.c.admin1 != "")
                                .group_by(events.c.country, events.c.admin1)
                                .order_by(func.count().desc()).limit(top))]
    if "actor" in groups:
        both = union_all(
            select(events.c.actor1.label("actor")).where(where, events.c.actor1 != ""),
            select(events.c.actor2.label("actor")).where(where, events.c.actor2 != ""),
        ).subquery()
        out["by_actor"] = [{"actor": a, "count": int(n)} for a, n in conn.execute(
            select(both.c.actor, func.count()).group_by(both.c.actor)
            .order_by(func.count().desc()).limit(top))]
    return out
