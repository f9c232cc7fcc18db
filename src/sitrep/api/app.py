"""The FastAPI app: /api (read and review endpoints), the dashboard at /, docs at /docs."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from .. import __version__
from ..export import export_record, write_acled_csv
from ..merge.schema import create_merge_tables
from ..models import EVENT_TYPES, parse_day
from ..store import Store
from ..web import static_dir
from . import query as Q
from .auth import env_flag, load_tokens, require_read, require_write
from .limits import BodyLimit, max_body_from_env, validation_error
from .review import ACTIONS, CLAIM_STATUSES, EDITABLE, ReviewError, apply_review, reapply_reviews
from .schema import create_api_tables

JSON_MAX_LIMIT = 1000
# Bounds of the numeric query parameters: larger values are refused with 422 before any query
# runs (the databases' integers overflow long before Python's do).
MAX_ROWS = 1_000_000_000                # limit and offset
MAX_SOURCES = 10_000                    # min_sources
MAX_IDS = 2_000                         # id=... (an alert's events)
MAP_LIMIT = int(os.environ.get("SITREP_MAP_LIMIT", "20000"))

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, default=str, separators=(",", ":")),
                    status_code=status, media_type="application/json")


class ReviewRequest(BaseModel):
    """A review of one event. ``correct``: ``fields`` holds the corrected values;
    ``confirm`` / ``reject`` (not an event): nothing else; ``merge``: ``merge_ids`` are the
    duplicate events folded into this one (their sources and evidence move here);
    ``split``: ``parts`` is one object of differing fields per new event, or, for an
    incident, ``report_ids`` are the reports behind it that are another incident."""

    action: Literal["correct", "confirm", "reject", "merge", "split"]
    fields: dict[str, Any] | None = None
    merge_ids: list[str] | None = None
    parts: list[dict[str, Any]] | None = None
    report_ids: list[str] | None = Field(None, max_length=10_000)
    reviewer: str | None = Field(None, max_length=200, description="who reviews (audit log)")
    note: str | None = Field(None, max_length=2000)


def _filters(
    date_from: Annotated[str | None, Query(description="first day, YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, Query(description="last day, YYYY-MM-DD")] = None,
    event_type: Annotated[list[str] | None, Query(description="any of these types")] = None,
    sub_event_type: Annotated[list[str] | None, Query()] = None,
    actor: Annotated[str | None, Query(description="substring of actor1/2, assoc actors")]
    = None,
    country: Annotated[list[str] | None, Query(description="country name or ISO2")] = None,
    admin1: Annotated[list[str] | None, Query()] = None,
    bbox: Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat")] = None,
    q: Annotated[str | None, Query(description="free text: notes, actors, places, title")]
    = None,
    claim_status: Annotated[list[str] | None, Query()] = None,
    min_sources: Annotated[int | None, Query(ge=1, le=MAX_SOURCES)] = None,
    review: Annotated[str, Query(description="active (default: not rejected or merged), all, "
                                             "unreviewed, reviewed, confirmed, corrected, "
                                             "rejected, merged, split")] = "active",
    ids: Annotated[list[str] | None, Query(alias="id", max_length=MAX_IDS, description=
                                           "only these ids (an alert's events)")] = None,
    level: Annotated[Literal["incidents", "reports"], Query(
        description="incidents (default): one row per real-world incident, merged across "
                    "documents, with all its sources; reports: one row per report of one "
                    "document")] = "incidents",
) -> Q.EventFilters:
    for name, d in (("date_from", date_from), ("date_to", date_to)):
        if d:
            try:
                parse_day(d)
            except ValueError as e:
                raise HTTPException(422, f"{name}: {e}") from e
    if review not in Q.REVIEW_FILTERS:
        raise HTTPException(422, f"review must be one of {', '.join(Q.REVIEW_FILTERS)}")
    try:
        box = Q.parse_bbox(bbox)
    except ValueError as e:
        raise HTTPException(422, str(e)) from e
    return Q.EventFilters(
        date_from=date_from, date_to=date_to, event_type=event_type or [],
        sub_event_type=sub_event_type or [], actor=actor or None, country=country or [],
        admin1=admin1 or [], bbox=box, q=(q or "").strip() or None,
        claim_status=claim_status or [], min_sources=min_sources, review=review, level=level,
        ids=ids or [])


Filters = Annotated[Q.EventFilters, Depends(_filters)]


def _geojson_stream(rows: Iterator[dict]) -> Iterator[str]:
    yield '{"type":"FeatureCollection","features":['
    written = skipped = 0
    for r in rows:
        rec = export_record(r)
        try:
            lat, lon = float(rec["latitude"]), float(rec["longitude"])
        except (TypeError, ValueError):
            skipped += 1
            continue
        props = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in rec.items()}
        feat = {"type": "Feature", "id": rec["sitrep_id"],
                "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}
        yield ("\n" if not written else ",\n") + json.dumps(feat, ensure_ascii=False)
        written += 1
    yield ('\n],"sitrep":' + json.dumps({"written": written,
                                         "skipped_without_coordinates": skipped}) + "}\n")


def _csv_stream(rows: Iterator[dict], chunk: int = 500) -> Iterator[str]:
    first = True
    batch: list[dict] = []

    def flush() -> str:
        nonlocal first
        buf = io.StringIO(newline="")
        write_acled_csv(batch, buf)
        text = buf.getvalue()
        if not first:
            text = text.split("\r\n", 1)[1]     # the header line, written once
        first = False
        batch.clear()
        return text

    for r in rows:
        batch.append(r)
        if len(batch) >= chunk:
            yield flush()
    if batch or first:
        yield flush()


def create_app(db: str | os.PathLike | None = None, *, store: Store | None = None,
               token: str | None = None, public_read: bool | None = None,
               allowed_hosts: tuple[str, ...] = (), generate_token: bool = True,
               max_body: int | None = None, watchlists: list[dict] | None = None) -> FastAPI:
    """The app for a database (path or SQLAlchemy URL; default SITREP_DB / user data dir).

    token: the API token (default SITREP_TOKEN; else tokens stored in the database; else one
    is generated and left in ``app.state.tokens.new_token`` for the caller to print once).
    public_read: reads without token from any address (default SITREP_PUBLIC_READ).
    allowed_hosts: extra Host header names accepted for token-less loopback reads.
    max_body: the largest request body in bytes (default SITREP_MAX_BODY, else 1 MiB);
    larger ones get 413 before any route or token check reads them.
    watchlists: entries as `sitrep alerts --watchlist` reads them, for /api/alerts."""
    store = store or Store(db)
    engine = store.engine
    create_merge_tables(engine)
    create_api_tables(engine)
    reapply_reviews(engine)
    app = FastAPI(title="Sitrep", version=__version__, docs_url=None, redoc_url=None,
                  description="ACLED-coded conflict events with evidence: read, filter, "
                              "export, review. Reads are open on loopback; reviews need the "
                              "API token (Authorization: Bearer ...).")
    app.state.store = store
    app.state.watchlists = watchlists or []
    app.state.engine = engine
    app.state.tokens = load_tokens(engine, token, generate=generate_token)
    app.state.public_read = env_flag("SITREP_PUBLIC_READ") if public_read is None \
        else public_read
    app.state.allowed_hosts = {h.lower() for h in allowed_hosts}
    static = static_dir()
    # inside the headers middleware below, so a 413 carries them too
    app.add_middleware(BodyLimit, max_body=max_body_from_env() if max_body is None
                       else max_body)
    app.add_exception_handler(RequestValidationError, validation_error)

    @app.middleware("http")
    async def _headers(request: Request, call_next):
        resp = await call_next(request)
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        return resp

    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/", include_in_schema=False)
    def dashboard():
        return FileResponse(static / "index.html", media_type="text/html")

    @app.get("/docs", include_in_schema=False)
    def docs():
        return HTMLResponse((static / "docs.html").read_text(encoding="utf-8"))

    read = [Depends(require_read)]

    @app.get("/api/meta", dependencies=read, tags=["read"])
    def meta():
        """Taxonomy and settings the dashboard needs: event types, editable fields."""
        return _json({"version": __version__, "event_types": EVENT_TYPES,
                      "claim_statuses": list(CLAIM_STATUSES), "review_actions": list(ACTIONS),
                      "editable_fields": sorted(EDITABLE), "review_filters":
                      list(Q.REVIEW_FILTERS), "map_limit": MAP_LIMIT,
                      "counts": _counts()})

    def _counts() -> dict:
        from sqlalchemy import func, select

        from ..merge import merge_pending
        from ..merge.schema import canonical_events

        out = store.counts()
        with engine.connect() as conn:
            out["incidents"] = conn.execute(select(func.count())
                                            .select_from(canonical_events)).scalar_one()
        out["unmerged_reports"] = merge_pending(store) or 0
        return out

    @app.get("/api/events", dependencies=read, tags=["read"])
    def list_events(
        f: Filters,
        format: Annotated[Literal["json", "geojson", "csv", "points", "density"], Query(
            description="json (a page), geojson, csv (ACLED columns then Sitrep's), points "
                        "(compact map markers, the newest SITREP_MAP_LIMIT), density (every "
                        "match counted per grid cell, for the density layer)")] = "json",
        limit: Annotated[int | None, Query(ge=1, le=MAX_ROWS, description="page size "
                                           "(json: default 100, max 1000; csv/geojson: "
                                           "default all)")] = None,
        offset: Annotated[int, Query(ge=0, le=MAX_ROWS)] = 0,
        sort: Annotated[Literal["date", "-date", "fatalities", "-fatalities"], Query()]
        = "-date",
        include: Annotated[str, Query(description="json: evidence,sources")] = "",
        count: Annotated[Literal["auto", "exact"], Query(
            description="json: auto counts matches up to 10,000 (then total_exact is false); "
                        "exact always counts them all")] = "auto",
        cell: Annotated[float, Query(ge=0.01, le=10, description="density: grid cell size "
                                     "in degrees")] = Q.DENSITY_CELL,
    ):
        """Events matching the filters, newest first by default."""
        if format == "density":
            with engine.connect() as conn:
                return _json(Q.map_density(conn, f, cell=cell))
        if format == "points":
            with engine.connect() as conn:
                return _json(Q.map_points(conn, f, limit=min(limit or MAP_LIMIT, MAP_LIMIT)))
        if format in ("csv", "geojson"):
            rows = Q.iter_events(engine, f, limit=limit, offset=offset, sort=sort)
            if format == "csv":
                return StreamingResponse(_csv_stream(rows), media_type="text/csv; charset=utf-8",
                                         headers={"Content-Disposition":
                                                  'attachment; filename="sitrep-events.csv"'})
            return StreamingResponse(_geojson_stream(rows), media_type="application/geo+json")
        lim = min(limit or 100, JSON_MAX_LIMIT)
        inc = {x.strip() for x in include.split(",")}
        with engine.connect() as conn:
            rows, total, exact = Q.page_with_total(
                conn, f, limit=lim, offset=offset, sort=sort, evidence="evidence" in inc,
                sources="sources" in inc, exact=count == "exact")
        return _json({"total": total, "total_exact": exact, "limit": lim, "offset": offset,
                      "events": rows})

    @app.get("/api/events/{event_id}", dependencies=read, tags=["read"])
    def one_event(event_id: str, level: Annotated[Literal["incidents", "reports"], Query(
            description="incidents: the incident with this id, with every report behind "
                        "it (an id that is only a report's gives the report); reports: "
                        "the report with this id")] = "incidents"):
        """One event with its evidence spans, sources, documents, review state and audit."""
        with engine.connect() as conn:
            ev = Q.get_event(conn, event_id, level)
        if ev is None:
            raise HTTPException(404, f"no event {event_id}")
        return _json(ev)

    @app.get("/api/documents/{doc_id}", dependencies=read, tags=["read"])
    def one_document(doc_id: str, event_id: Annotated[str | None, Query(
            description="only this event's evidence spans")] = None):
        """A document's body (plain text: render it as text), its evidence spans and the
        body cut into segments, each with the fields whose evidence covers it."""
        with engine.connect() as conn:
            doc = Q.get_document(conn, doc_id, event_id)
        if doc is None:
            raise HTTPException(404, f"no document {doc_id}")
        return _json(doc)

    @app.get("/api/stats", dependencies=read, tags=["read"])
    def get_stats(f: Filters, group: Annotated[str, Query(
            description="comma list of " + ", ".join(Q.STAT_GROUPS))] = ",".join(Q.STAT_GROUPS),
                  top: Annotated[int, Query(ge=1, le=1000)] = 50):
        """Counts by day and week (event date), type, sub-type, country, admin1, actor."""
        groups = [g.strip() for g in group.split(",") if g.strip()]
        bad = [g for g in groups if g not in Q.STAT_GROUPS]
        if bad:
            raise HTTPException(422, f"unknown group {', '.join(bad)}")
        with engine.connect() as conn:
            return _json(Q.stats(conn, f, groups, top))

    @app.get("/api/trends", dependencies=read, tags=["read"])
    def get_trends(f: Filters, top: Annotated[int, Query(ge=1, le=100)] = 8):
        """The trend charts' data for the filters: incidents per week by event type and
        fatalities per week over the period (the date filters, else the last 12 weeks with
        data) and the previous period of the same length; the top admin1 areas and actors
        with their previous-period counts."""
        with engine.connect() as conn:
            return _json(Q.trends(conn, f, top))

    @app.get("/api/alerts", dependencies=read, tags=["read"])
    def get_alerts(
        as_of: Annotated[str | None, Query(description="last day of the window (default: the "
                                                       "latest event date)")] = None,
        window_days: Annotated[int, Query(ge=1, le=3660)] = 7,
        baseline_days: Annotated[int, Query(ge=1, le=36600)] = 56,
        min_count: Annotated[int, Query(ge=1, le=MAX_SOURCES)] = 5,
        p_value: Annotated[float, Query(ge=0.0, le=1.0)] = 0.001,
        method: Annotated[Literal["poisson", "ewma"], Query()] = "poisson",
        level: Annotated[Literal["admin1", "admin2", "both"], Query()] = "both",
    ):
        """Surges per admin area and event type, and matches of the server's watchlists
        (`sitrep serve --watchlist`), over incidents: the same detection as `sitrep alerts`,
        computed for the day asked, nothing recorded or sent. Each alert has its reason
        (count, expected, p-value) and the ids of its incidents."""
        from ..watch import SurgeConfig, detect_alerts

        if as_of:
            try:
                parse_day(as_of)
            except ValueError as e:
                raise HTTPException(422, f"as_of: {e}") from e
        levels = {"both": ("admin1", "admin2"), "admin1": ("admin1",), "admin2": ("admin2",)}
        cfg = SurgeConfig(window_days=window_days, baseline_days=baseline_days,
                          min_count=min_count, p_value=p_value, method=method,
                          levels=levels[level])
        day, found, n = detect_alerts(store, as_of=as_of, watchlists=app.state.watchlists,
                                      surge=cfg)
        out = []
        for a in found:
            d = a.to_dict()
            d["n_events"] = len(a.events)
            d["events"] = d["events"][:50]
            out.append(d)
        out.sort(key=lambda d: (d["kind"] != "surge", d["reason"].get("p_value", 1.0),
                                -d["n_events"]))
        return _json({"as_of": day, "incidents_read": n, "watchlists": len(
            app.state.watchlists), "alerts": out})

    @app.get("/api/audit", dependencies=read, tags=["read"])
    def audit(event_id: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              offset: Annotated[int, Query(ge=0, le=MAX_ROWS)] = 0):
        """The review audit log, newest first (append-only)."""
        with engine.connect() as conn:
            return _json({"entries": Q.audit_entries(conn, event_id, limit, offset)})

    @app.post("/api/events/{event_id}/review", tags=["review"])
    def review(event_id: str, body: ReviewRequest,
               token_label: Annotated[str, Depends(require_write)]):
        """Correct fields, confirm, reject as not-an-event, merge duplicates into this event,
        or split it. Needs the API token. Every change is appended to the audit log."""
        try:
            result = apply_review(engine, event_id, body.model_dump(), token=token_label)
        except ReviewError as e:
            raise HTTPException(e.status, str(e)) from e
        with engine.connect() as conn:
            result["event"] = Q.get_event(conn, event_id)
        return _json(result)

    return app
