"""Store: documents and coded events in SQLite (default) or PostgreSQL, via SQLAlchemy Core.

    store = Store(default_db_path())          # or Store("postgresql+psycopg://...")
    if store.save(doc, events): ...           # True when the document is new
    for ev in store.iter_events(country="Syria", date_from="2018-07-01"): ...
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from ..export import event_id_cnty
from ..models import Document, Event
from .schema import EVENT_COLUMNS, documents, event_evidence, event_sources, events, metadata

__all__ = ["Store", "default_db_path", "event_row"]

_CHUNK = 500


def default_db_path() -> str:
    """$SITREP_DB, else the per-user data dir: e.g. ~/.local/share/sitrep/sitrep.db."""
    env = os.environ.get("SITREP_DB")
    if env:
        return env
    from platformdirs import user_data_dir

    return str(Path(user_data_dir("sitrep")) / "sitrep.db")


def _to_url(url_or_path: str | os.PathLike) -> str:
    s = os.fspath(url_or_path)
    if "://" in s:
        return s
    if s in ("", ":memory:"):
        return "sqlite://"
    p = Path(s).expanduser()
    p.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{p}"


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:") or ":memory:" in url
        kw: dict = {"connect_args": {"check_same_thread": False}}
        if memory:
            kw["poolclass"] = StaticPool   # one shared connection: one in-memory database
        engine = create_engine(url, **kw)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - driver callback
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=10000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def _now() -> datetime:
    return datetime.now(UTC)


def _as_date(v) -> date | None:
    if v is None or isinstance(v, date) and not isinstance(v, datetime):
        return v
    if isinstance(v, datetime):
        return v.date()
    try:
        return date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def _iso(v) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, date):
        return v.isoformat()[:10]
    return str(v)[:10]


def event_row(ev: Event, created_at: datetime | None = None) -> dict:
    """The events-table row for an Event (derived ACLED columns filled in)."""
    created_at = created_at or _now()
    row = {c: getattr(ev, c, None) for c in EVENT_COLUMNS}
    row["event_date"] = _iso(ev.event_date)
    row["year"] = ev.year
    row["disorder_type"] = ev.disorder_type
    row["interaction"] = ev.interaction
    row["event_id_cnty"] = event_id_cnty(ev.id, ev.country_code)
    row["timestamp"] = int(created_at.timestamp())
    for k, v in row.items():
        if v is None and k in events.c and not events.c[k].nullable:
            row[k] = ""
    row["id"] = ev.id
    row["doc_id"] = ev.doc_id
    row["created_at"] = created_at
    return row


class Store:
    """Documents, events, their evidence spans and sources, in one database."""

    def __init__(self, url_or_path: str | os.PathLike | None = None, *, echo: bool = False):
        self.url = _to_url(url_or_path if url_or_path is not None else default_db_path())
        self.engine = _make_engine(self.url)
        if echo:
            self.engine.echo = True
        metadata.create_all(self.engine, checkfirst=True)

    # -- documents -----------------------------------------------------------------------
    def _insert_document(self, conn: Connection, doc: Document) -> bool:
        if conn.execute(select(documents.c.id).where(documents.c.id == doc.id)).first():
            return False
        row = {
            "id": doc.id, "url": doc.url or "", "title": doc.title or "",
            "published": _as_date(doc.published), "source_name": doc.source_name or "",
            "path": doc.path or "", "language": doc.language or "en", "body": doc.body,
            "comments": json.dumps(list(doc.comments), ensure_ascii=False),
            "chrome": json.dumps(list(doc.chrome), ensure_ascii=False),
            "ingested_at": _now(),
        }
        dialect = conn.dialect.name
        if dialect in ("sqlite", "postgresql"):
            if dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert as d_insert
            else:
                from sqlalchemy.dialects.postgresql import insert as d_insert
            stmt = (d_insert(documents).values(**row).on_conflict_do_nothing()
                    .returning(documents.c.id))
            return conn.execute(stmt).first() is not None
        conn.execute(insert(documents).values(**row))
        return True

    def add_document(self, doc: Document) -> bool:
        """Store a document; False (and nothing changes) when its id is already stored."""
        try:
            with self.engine.begin() as conn:
                return self._insert_document(conn, doc)
        except IntegrityError:   # another writer stored it first (non-upsert dialects)
            return False

    def has_document(self, doc_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(
                select(documents.c.id).where(documents.c.id == doc_id)).first() is not None

    def get_document(self, doc_id: str) -> Document | None:
        """The stored document (text is the body: the raw page is not stored)."""
        with self.engine.connect() as conn:
            r = conn.execute(select(documents).where(documents.c.id == doc_id)).mappings().first()
        if r is None:
            return None
        return Document(id=r["id"], text=r["body"], body=r["body"], title=r["title"],
                        url=r["url"], published=_as_date(r["published"]),
                        source_name=r["source_name"], language=r["language"],
                        comments=json.loads(r["comments"] or "[]"),
                        chrome=json.loads(r["chrome"] or "[]"), path=r["path"])

    # -- events ----------------------------------------------------------------------------
    def _replace_events(self, conn: Connection, doc_id: str, evs: Iterable[Event]) -> int:
        evs = list(evs)
        seen: set[str] = set()
        for ev in evs:
            if ev.doc_id != doc_id:
                raise ValueError(f"event {ev.id} belongs to document {ev.doc_id!r}, "
                                 f"not {doc_id!r}")
            if ev.id in seen:
                raise ValueError(f"two events with the same id {ev.id} in document {doc_id} "
                                 f"(same sentence, sub-event type and date)")
            seen.add(ev.id)
        old = select(events.c.id).where(events.c.doc_id == doc_id).scalar_subquery()
        conn.execute(delete(event_evidence).where(event_evidence.c.event_id.in_(old)))
        conn.execute(delete(event_sources).where(event_sources.c.event_id.in_(old)))
        conn.execute(delete(events).where(events.c.doc_id == doc_id))
        if not evs:
            return 0
        now = _now()
        conn.execute(insert(events), [event_row(ev, now) for ev in evs])
        ev_rows = [{"event_id": ev.id, "field": e.field, "doc_id": e.doc_id or ev.doc_id,
                    "start": e.start, "end": e.end, "text": e.text or ""}
                   for ev in evs for e in ev.evidence]
        if ev_rows:
            conn.execute(insert(event_evidence), ev_rows)
        src_rows = [{"event_id": ev.id, "doc_id": s.doc_id or ev.doc_id, "outlet": s.outlet or "",
                     "role": s.role or "report", "party": s.party or "", "url": s.url or "",
                     "start": s.start, "end": s.end}
                    for ev in evs for s in ev.sources]
        if src_rows:
            conn.execute(insert(event_sources), src_rows)
        return len(evs)

    def replace_events(self, doc_id: str, evs: Iterable[Event]) -> int:
        """Replace a stored document's events (with evidence and sources) in one transaction.
        The document must be stored. Returns the number of events written."""
        with self.engine.begin() as conn:
            return self._replace_events(conn, doc_id, evs)

    def save(self, doc: Document, evs: Iterable[Event]) -> bool:
        """Store the document (if new) and replace its events, in one transaction.
        Returns True when the document was new."""
        with self.engine.begin() as conn:
            new = self._insert_document(conn, doc)
            self._replace_events(conn, doc.id, evs)
            return new

    def _attach(self, conn: Connection, rows: list[dict]) -> list[dict]:
        if not rows:
            return rows
        by_id = {r["id"]: r for r in rows}
        for r in rows:
            r["evidence"] = []
            r["sources"] = []
        ids = list(by_id)
        ev_q = (select(event_evidence).where(event_evidence.c.event_id.in_(ids))
                .order_by(event_evidence.c.pk))
        for e in conn.execute(ev_q).mappings():
            by_id[e["event_id"]]["evidence"].append(
                {"field": e["field"], "doc_id": e["doc_id"], "start": e["start"],
                 "end": e["end"], "text": e["text"]})
        src_q = (select(event_sources).where(event_sources.c.event_id.in_(ids))
                 .order_by(event_sources.c.pk))
        for s in conn.execute(src_q).mappings():
            by_id[s["event_id"]]["sources"].append(
                {"doc_id": s["doc_id"], "outlet": s["outlet"], "role": s["role"],
                 "party": s["party"], "url": s["url"], "start": s["start"], "end": s["end"]})
        return rows

    def _event_query(self, *, country=None, event_type=None, sub_event_type=None, actor=None,
                     date_from=None, date_to=None, doc_id=None, event_id=None):
        q = (select(events, documents.c.url.label("doc_url"),
                    documents.c.title.label("doc_title"),
                    documents.c.published.label("doc_published"))
             .select_from(events.outerjoin(documents, events.c.doc_id == documents.c.id)))
        if country:
            q = q.where(or_(func.lower(events.c.country) == country.lower(),
                            events.c.country_code == country.upper()))
        if event_type:
            q = q.where(events.c.event_type == event_type)
        if sub_event_type:
            q = q.where(events.c.sub_event_type == sub_event_type)
        if actor:
            pat = f"%{actor.lower()}%"
            q = q.where(or_(*[func.lower(c).like(pat) for c in (
                events.c.actor1, events.c.actor2, events.c.assoc_actor_1,
                events.c.assoc_actor_2)]))
        if date_from:
            q = q.where(events.c.event_date >= _iso(date_from))
        if date_to:
            q = q.where(events.c.event_date <= _iso(date_to))
        if doc_id:
            q = q.where(events.c.doc_id == doc_id)
        if event_id:
            q = q.where(events.c.id == event_id)
        return q.order_by(events.c.event_date, events.c.id)

    def iter_events(self, *, country: str | None = None, event_type: str | None = None,
                    sub_event_type: str | None = None, actor: str | None = None,
                    date_from: str | date | None = None, date_to: str | date | None = None,
                    doc_id: str | None = None, limit: int | None = None, offset: int = 0
                    ) -> Iterator[dict]:
        """Events as dicts (event columns, doc_url/doc_title/doc_published, evidence, sources),
        ordered by date then id. country matches the country name or its ISO2 code; actor is
        a case-insensitive substring of actor1/actor2/assoc actors; dates are inclusive."""
        q = self._event_query(country=country, event_type=event_type,
                              sub_event_type=sub_event_type, actor=actor, date_from=date_from,
                              date_to=date_to, doc_id=doc_id)
        remaining = limit
        pos = offset or 0
        while remaining is None or remaining > 0:
            n = _CHUNK if remaining is None else min(_CHUNK, remaining)
            with self.engine.connect() as conn:
                rows = [dict(r) for r in conn.execute(q.limit(n).offset(pos)).mappings()]
                self._attach(conn, rows)
            yield from rows
            if len(rows) < n:
                return
            pos += n
            if remaining is not None:
                remaining -= n

    def get_event(self, event_id: str) -> dict | None:
        with self.engine.connect() as conn:
            r = conn.execute(self._event_query(event_id=event_id)).mappings().first()
            return self._attach(conn, [dict(r)])[0] if r else None

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                "documents": conn.execute(select(func.count()).select_from(documents)).scalar_one(),
                "events": conn.execute(select(func.count()).select_from(events)).scalar_one(),
            }

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
