"""Store: documents and coded events in SQLite (default) or PostgreSQL, via SQLAlchemy Core.

    store = Store(default_db_path())          # or Store("postgresql+psycopg://...")
    if store.save(doc, events): ...           # True when the document is new
    for ev in store.iter_events(country="Syria", date_from="2018-07-01"): ...

Crash and concurrency safety: every save is one transaction (the document, its events, their
evidence and sources, and optionally the polling item it came from), so a killed process leaves
either all of a document or none of it; `save_many` writes a batch of documents the same way,
with a few executemany statements per table (all of the batch or none of it). Several
processes may write one store: on SQLite (WAL, busy timeout) write transactions start with
BEGIN IMMEDIATE, so they queue instead of failing on a lock upgrade; on PostgreSQL a save
locks its document rows (SELECT ... FOR UPDATE) after an INSERT ... ON CONFLICT DO NOTHING,
so two writers of one document take turns, and a batch inserts and locks its documents in id
order, so batches sharing documents queue in one order (no lock cycles, no deadlocks). Schema
creation is serialised the same way (BEGIN IMMEDIATE / an advisory lock).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import ColumnElement

from ..export import event_id_cnty
from ..models import Document, Event, as_date, iso_date
from .schema import (
    EVENT_COLUMNS,
    documents,
    event_evidence,
    event_sources,
    events,
    ingest_seen,
    ingest_sources,
    metadata,
    store_state,
)

__all__ = ["NoDatabase", "Store", "bump_counter", "bump_events_version", "default_db_path",
           "event_row", "events_version", "insert_many", "read_counter"]

_CHUNK = 500
_META = ("published", "url", "title", "source_name")   # document metadata kept at its best
SQLITE_BUSY_TIMEOUT_MS = 60_000
_WRITE = "sitrep_write"
_SCHEMA_LOCK = 0x5173_7265   # pg advisory lock key for schema creation ("sitr"-ish)


def default_db_path() -> str:
    """$SITREP_DB, else the per-user data dir: e.g. ~/.local/share/sitrep/sitrep.db."""
    env = os.environ.get("SITREP_DB")
    if env:
        return env
    from platformdirs import user_data_dir

    return str(Path(user_data_dir("sitrep")) / "sitrep.db")


class NoDatabase(Exception):
    """A command that only reads named a database that does not exist (or is not Sitrep's)."""


def _to_url(url_or_path: str | os.PathLike, create: bool = True) -> str:
    s = os.fspath(url_or_path)
    if "://" in s:
        return s
    if s in ("", ":memory:"):
        return "sqlite://"
    p = Path(s).expanduser()
    if create:
        p.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{p}"


def _check_existing(url: str, label: str, engine: Engine) -> None:
    """Raise NoDatabase unless ``url`` is a database that exists and holds Sitrep's tables."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        path = u.database or ""
        if not path or path == ":memory:" or not Path(path).is_file():
            raise NoDatabase(f"no database at {label}; run sitrep extract first")
    try:
        tables = set(inspect(engine).get_table_names())
    except SQLAlchemyError as e:
        raise NoDatabase(f"cannot open the database at {label}: "
                         f"{type(getattr(e, 'orig', None) or e).__name__}") from None
    if not {"documents", "events"} <= tables:
        raise NoDatabase(f"no Sitrep database at {label} (it has no documents or events "
                         "table); run sitrep extract first")


def _add_missing_columns(conn: Connection) -> None:
    """Columns added to the events table since a database was made (e.g. `why`, the rules
    that typed an event): ALTER TABLE ... ADD, as nullable-free text with a default."""
    have = {c["name"] for c in inspect(conn).get_columns("events")}
    for col in events.columns:
        if col.name not in have:
            kind = col.type.compile(dialect=conn.dialect)
            default = " NOT NULL DEFAULT ''" if not col.nullable else ""
            conn.execute(text(f'ALTER TABLE events ADD COLUMN "{col.name}" {kind}{default}'))


def _label(raw, url: str) -> str:
    """What to call a database in messages: the path given, or the URL without password."""
    if "://" not in os.fspath(raw):
        return os.fspath(raw)
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:") or ":memory:" in url
        kw: dict = {"connect_args": {"check_same_thread": False,
                                     "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
        if memory:
            kw["poolclass"] = StaticPool   # one shared connection: one in-memory database
        engine = create_engine(url, **kw)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - driver callback
            # we issue BEGIN ourselves (below): the driver's implicit transactions would
            # start deferred and fail on lock upgrade under concurrent writers
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # pragma: no cover - driver callback
            write = conn.get_execution_options().get(_WRITE)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def _now() -> datetime:
    return datetime.now(UTC)




def like_pattern(text: str) -> str:
    """A LIKE pattern for a case-insensitive substring: lower case, % _ and \\ escaped."""
    esc = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{esc}%"


def ci_like(conn: Connection | None, col, pat: str) -> ColumnElement:
    """Case-insensitive substring match. SQLite's LIKE already ignores ASCII case, and
    lower() on the column would cost a call per row."""
    if conn is not None and conn.dialect.name == "sqlite":
        return col.like(pat, escape="\\")
    return func.lower(col).like(pat, escape="\\")


def _listed(v) -> list[str]:
    if v is None or v == "":
        return []
    return [x for x in ([v] if isinstance(v, str) else list(v)) if x]


def country_condition(cols, country) -> ColumnElement | None:
    """Events in any of the countries given by name, alias or ISO2 code, in any case
    ("nigeria", "Nigeria", "NG", "ng", "DRC"). Known names are matched through their code
    and ACLED spelling (index-friendly IN lists), unknown ones by exact and title case."""
    from ..geo.countries import acled_country
    from ..geo.countries import country as iso_for

    names = [x.strip() for x in _listed(country) if x.strip()]
    if not names:
        return None
    codes = {x.upper() for x in names if len(x) == 2}
    codes |= {c for c in map(iso_for, names) if c}
    forms = {*names, *(x.title() for x in names), *filter(None, map(acled_country, codes))}
    return or_(cols.country.in_(sorted(forms)), cols.country_code.in_(sorted(codes)))


def event_filters(cols, *, country=None, event_type=None, sub_event_type=None, actor=None,
                  date_from=None, date_to=None, conn: Connection | None = None) -> list:
    """WHERE clauses shared by every table of events (stored events, merged events, the API):
    country by name or ISO2 in any case (one or a list), type and sub-type (one or a list),
    actor as a case-insensitive substring of the four actor columns, inclusive date range.
    With `conn`, the cheaper forms for its dialect."""
    out = []
    cc = country_condition(cols, country)
    if cc is not None:
        out.append(cc)
    if _listed(event_type):
        out.append(cols.event_type.in_(_listed(event_type)))
    if _listed(sub_event_type):
        out.append(cols.sub_event_type.in_(_listed(sub_event_type)))
    if actor:
        pat = like_pattern(actor)
        out.append(or_(*[ci_like(conn, c, pat) for c in (
            cols.actor1, cols.actor2, cols.assoc_actor_1, cols.assoc_actor_2)]))
    if date_from:
        out.append(cols.event_date >= iso_date(date_from))
    if date_to:
        out.append(cols.event_date <= iso_date(date_to))
    return out


def paged(engine, fetch: Callable[[Connection, int, int], list[dict]], *,
          limit: int | None = None, offset: int = 0, chunk: int = _CHUNK) -> Iterator[dict]:
    """The rows of `fetch(conn, n, pos)` page after page, a connection per page, at most
    `limit` from `offset`: the one pager of stored events, merged events and the API."""
    left, pos = limit, offset or 0
    while left is None or left > 0:
        n = chunk if left is None else min(chunk, left)
        with engine.connect() as conn:
            rows = fetch(conn, n, pos)
        yield from rows
        if len(rows) < n:
            return
        pos += n
        if left is not None:
            left -= n


def attach_evidence_sources(conn: Connection, rows: list[dict], *, evidence: bool = True,
                            sources: bool = True, chunk: int = 500,
                            fields: tuple[str, ...] | None = None) -> list[dict]:
    """Add "evidence" (field, doc_id, span, text) and "sources" (doc_id, outlet, role, party,
    url, span, document title) lists to event rows, a few queries per `chunk` events.
    ``fields``: only the evidence spans of these fields."""
    if not rows:
        return rows
    by_id = {r["id"]: r for r in rows}
    ids = list(by_id)
    for r in rows:
        if evidence:
            r["evidence"] = []
        if sources:
            r["sources"] = []
    for i in range(0, len(ids), chunk):
        part = ids[i:i + chunk]
        if evidence:
            q = select(event_evidence).where(event_evidence.c.event_id.in_(part))
            if fields is not None:
                q = q.where(event_evidence.c.field.in_(fields))
            q = q.order_by(event_evidence.c.pk)
            for e in conn.execute(q).mappings():
                by_id[e["event_id"]]["evidence"].append(
                    {"field": e["field"], "doc_id": e["doc_id"], "start": e["start"],
                     "end": e["end"], "text": e["text"]})
        if sources:
            q = (select(event_sources, documents.c.title.label("title"))
                 .select_from(event_sources.outerjoin(
                     documents, event_sources.c.doc_id == documents.c.id))
                 .where(event_sources.c.event_id.in_(part)).order_by(event_sources.c.pk))
            for src in conn.execute(q).mappings():
                by_id[src["event_id"]]["sources"].append(
                    {"doc_id": src["doc_id"], "outlet": src["outlet"], "role": src["role"],
                     "party": src["party"], "url": src["url"], "start": src["start"],
                     "end": src["end"], "title": src["title"] or ""})
    return rows


_INSERTS: dict[tuple, tuple[str, list] | None] = {}


def insert_many(conn: Connection, table, rows: list[dict]) -> None:
    """INSERT many rows (dicts with the same keys) in one executemany: what
    ``conn.execute(insert(table), rows)`` does, but on SQLite the statement is compiled once
    per table and column set and the rows go to the driver as tuples, each value through its
    column type's bind processor: building SQLAlchemy's parameters row by row cost more than
    SQLite's own work. Other databases, and tables whose omitted columns have Python-side
    defaults, take SQLAlchemy's path."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    keys = tuple(rows[0])
    plan_key = (table, keys, conn.dialect.paramstyle)    # the Table itself: never a reused id
    if plan_key not in _INSERTS:
        plan = None
        if not any(c.default is not None for c in table.c if c.key not in keys):
            compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(keys))
            names = list(compiled.positiontup or ())
            if sorted(names) == sorted(keys):
                d = conn.dialect
                procs = [table.c[k].type.dialect_impl(d).bind_processor(d) for k in names]
                plan = (str(compiled), list(zip(names, procs, strict=True)))
        _INSERTS[plan_key] = plan
    plan = _INSERTS[plan_key]
    if plan is None:
        conn.execute(insert(table), rows)
        return
    sql, cols = plan
    if any(len(r) != len(keys) for r in rows):
        raise ValueError(f"insert_many({table.name}): every row needs the same columns")
    conn.exec_driver_sql(sql, [tuple(p(r[k]) if p else r[k] for k, p in cols) for r in rows])


def events_version(conn: Connection) -> int:
    """How many writes of stored events the store has seen (`bump_events_version`)."""
    return read_counter(conn, "events")


def bump_events_version(conn: Connection) -> tuple[int, int]:
    """Count one write of stored events, in the writer's transaction: (before, after)."""
    after = bump_counter(conn, "events")
    return after - 1, after


def read_counter(conn: Connection, name: str) -> int:
    """A counter of `store_state` (0 before its first count)."""
    v = conn.execute(select(store_state.c.value).where(store_state.c.name == name)
                     ).scalar_one_or_none()
    return v or 0


def bump_counter(conn: Connection, name: str) -> int:
    """Add one to the counter ``name`` of `store_state`, creating it at 1, in one statement
    (two first writers at once must not both insert it); the new value."""
    table = store_state
    d_insert = _dialect_insert(conn)
    if d_insert is not None:
        stmt = (d_insert(table).values(name=name, value=1)
                .on_conflict_do_update(index_elements=[table.c.name],
                                       set_={"value": table.c.value + 1})
                .returning(table.c.value))
        return conn.execute(stmt).scalar_one()
    got = conn.execute(update(table).where(table.c.name == name)
                       .values(value=table.c.value + 1).returning(table.c.value)
                       ).scalar_one_or_none()
    if got is None:
        conn.execute(insert(table).values(name=name, value=1))
        got = 1
    return got


def event_row(ev: Event, created_at: datetime | None = None) -> dict:
    """The events-table row for an Event (derived ACLED columns filled in)."""
    created_at = created_at or _now()
    row = {c: getattr(ev, c, None) for c in EVENT_COLUMNS}
    row["event_date"] = iso_date(ev.event_date)
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


def _document_row(doc: Document, now: datetime) -> dict:
    return {
        "id": doc.id, "url": doc.url or "", "title": doc.title or "",
        "published": as_date(doc.published), "source_name": doc.source_name or "",
        "path": doc.path or "", "language": doc.language or "en", "body": doc.body,
        "comments": json.dumps(list(doc.comments), ensure_ascii=False),
        "chrome": json.dumps(list(doc.chrome), ensure_ascii=False),
        "ingested_at": now,
    }


def _check_events(doc_id: str, evs: Iterable[Event]) -> None:
    """The events belong to the document and their ids are distinct (else ValueError)."""
    seen: set[str] = set()
    for ev in evs:
        if ev.doc_id != doc_id:
            raise ValueError(f"event {ev.id} belongs to document {ev.doc_id!r}, "
                             f"not {doc_id!r}")
        if ev.id in seen:
            raise ValueError(f"two events with the same id {ev.id} in document {doc_id} "
                             f"(same sentence, sub-event type and date)")
        seen.add(ev.id)


def _dialect_insert(conn: Connection):
    """The dialect's INSERT with ON CONFLICT support, or None."""
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as d_insert
        return d_insert
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as d_insert
        return d_insert
    return None


class Store:
    """Documents, events, their evidence spans and sources, in one database."""

    def __init__(self, url_or_path: str | os.PathLike | None = None, *, echo: bool = False,
                 create: bool = True):
        """create=False (commands that only read): open an existing Sitrep database and
        create nothing (no file, folder or table); NoDatabase if there is none."""
        raw = url_or_path if url_or_path is not None else default_db_path()
        self.url = _to_url(raw, create=create)
        self.engine = _make_engine(self.url)
        # (before, after) of the events version, by this Store's last write of events
        self.events_written: tuple[int, int] | None = None
        self.rows_written: dict[str, dict] = {}    # the last batch's event rows, by id
        if echo:
            self.engine.echo = True
        if create:
            self.create_tables()
            return
        try:
            _check_existing(self.url, _label(raw, self.url), self.engine)
        except NoDatabase:
            self.engine.dispose()
            raise
        have = {c["name"] for c in inspect(self.engine).get_columns("events")}
        if not set(events.c.keys()) <= have:   # a database from an earlier version
            with self._write() as conn:
                _add_missing_columns(conn)

    def create_tables(self) -> None:
        """Create every table on the shared metadata that does not exist yet (other stages
        add theirs to `sitrep.store.schema.metadata`). Safe with concurrent processes."""
        with self._write() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SCHEMA_LOCK})
            metadata.create_all(conn, checkfirst=True)
            _add_missing_columns(conn)
            for ix in events.indexes:      # an index added since the table was created
                ix.create(conn, checkfirst=True)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite): commits on success."""
        with self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    # -- documents -----------------------------------------------------------------------
    def with_known_metadata(self, doc: Document, fallback_published: date | None = None,
                            known: dict | None = None) -> tuple[Document, date]:
        """The document as it should be extracted, and the day to resolve its relative dates
        against when it has no publication date.

        A document already stored keeps the best metadata known for it: what the new copy
        lacks (publication date, url, title, source name) comes from the stored row, so the
        same text again without its date file is never re-dated; then fallback_published
        (the --published flag) fills a date still missing. The day is the day the document
        was first ingested (today, UTC, for a new one), so a re-extraction resolves the same.
        ``known``: the stored rows of a batch read at once (`known_metadata`); a document
        missing from it is looked up.
        """
        if known is not None and doc.id in known:
            r = known[doc.id]
        else:
            r = self.known_metadata([doc.id]).get(doc.id)
        changes: dict = {}
        if r is not None:
            if doc.published is None and r["published"] is not None:
                changes["published"] = as_date(r["published"])
            for k in _META[1:]:
                if not getattr(doc, k) and r[k]:
                    changes[k] = r[k]
        if doc.published is None and "published" not in changes and fallback_published:
            changes["published"] = fallback_published
        day = as_date(r["ingested_at"]) if r is not None and r["ingested_at"] else None
        return (dataclasses.replace(doc, **changes) if changes else doc), day or _now().date()

    def known_metadata(self, doc_ids: Iterable[str]) -> dict[str, dict | None]:
        """id -> the stored metadata row (None when the document is not stored), for many
        documents in a few queries."""
        ids = list(dict.fromkeys(doc_ids))
        out: dict[str, dict | None] = dict.fromkeys(ids)
        cols = [documents.c.id, *[documents.c[k] for k in _META], documents.c.ingested_at]
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                for r in conn.execute(select(*cols).where(
                        documents.c.id.in_(ids[i:i + 500]))).mappings():
                    out[r["id"]] = dict(r)
        return out

    def _update_metadata(self, conn: Connection, doc: Document) -> None:
        """A stored document takes the metadata its events are now extracted with, where the
        new copy has some: a known value is never replaced by none."""
        new = {"published": as_date(doc.published), "url": doc.url or "",
               "title": doc.title or "", "source_name": doc.source_name or ""}
        new = {k: v for k, v in new.items() if v}
        if not new:
            return
        old = conn.execute(select(*[documents.c[k] for k in new])
                           .where(documents.c.id == doc.id)).mappings().first()
        changed = {k: v for k, v in new.items()
                   if old is not None and (as_date(old[k]) if k == "published" else old[k]) != v}
        if changed:
            conn.execute(update(documents).where(documents.c.id == doc.id).values(**changed))

    def _insert_document(self, conn: Connection, doc: Document) -> bool:
        if conn.execute(select(documents.c.id).where(documents.c.id == doc.id)).first():
            self._update_metadata(conn, doc)
            return False
        row = _document_row(doc, _now())
        d_insert = _dialect_insert(conn)
        if d_insert is not None:
            stmt = (d_insert(documents).values(**row).on_conflict_do_nothing()
                    .returning(documents.c.id))
            if conn.execute(stmt).first() is not None:
                return True
            self._update_metadata(conn, doc)    # another writer stored it first
            return False
        conn.execute(insert(documents).values(**row))
        return True

    def _lock_document(self, conn: Connection, doc_id: str) -> None:
        """Hold the document row until commit, so concurrent saves of one document take turns
        (SQLite's BEGIN IMMEDIATE already serialises all writers)."""
        if conn.dialect.name == "postgresql":
            conn.execute(select(documents.c.id).where(documents.c.id == doc_id)
                         .with_for_update())

    def add_document(self, doc: Document) -> bool:
        """Store a document; False (and nothing changes) when its id is already stored."""
        try:
            with self._write() as conn:
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
                        url=r["url"], published=as_date(r["published"]),
                        source_name=r["source_name"], language=r["language"],
                        comments=json.loads(r["comments"] or "[]"),
                        chrome=json.loads(r["chrome"] or "[]"), path=r["path"])

    # -- events ----------------------------------------------------------------------------
    def _replace_events(self, conn: Connection, doc_id: str, evs: Iterable[Event]) -> int:
        evs = list(evs)
        _check_events(doc_id, evs)
        self._replace_events_many(conn, [doc_id], [evs], _now())
        return len(evs)

    def replace_events(self, doc_id: str, evs: Iterable[Event]) -> int:
        """Replace a stored document's events (with evidence and sources) in one transaction.
        The document must be stored. Returns the number of events written."""
        evs = list(evs)
        with self._write() as conn:
            self._lock_document(conn, doc_id)
            return self._replace_events(conn, doc_id, evs)

    def save(self, doc: Document, evs: Iterable[Event], *,
             seen: tuple[str, str] | None = None) -> bool:
        """Store the document (if new) and replace its events, in one transaction.
        Returns True when the document was new. Idempotent, and safe against a concurrent save
        of the same document (the later one replaces the events). seen=(source, item) also
        marks a polled item as seen in the same transaction."""
        return self.save_many([(doc, list(evs))], seen=[seen])[0]

    def save_many(self, batch: list[tuple[Document, list[Event]]], *,
                  seen: list[tuple[str, str] | None] | None = None) -> list[bool]:
        """`save` for many documents in one transaction: a few executemany statements per
        table for the whole batch, so a killed process leaves all of a batch or none of it.
        Returns, per document, True when it was new. A document id given twice in a batch is
        saved as two saves in a row would be (the later copy's events replace the earlier's).

        Rows are written in document-id order (the documents inserted with ON CONFLICT DO
        NOTHING, then locked FOR UPDATE on PostgreSQL), so concurrent batches that share
        documents wait for each other in one order and never deadlock."""
        seen = list(seen) if seen is not None else [None] * len(batch)
        if len(seen) != len(batch):
            raise ValueError("seen must give one entry (or None) per document")
        last: dict[str, int] = {}
        for i, (doc, evs) in enumerate(batch):
            _check_events(doc.id, evs)
            last[doc.id] = i
        if not batch:
            return []
        now = _now()
        with self._write() as conn:
            ids = sorted(last)
            stored = self._stored_metadata(conn, ids)
            first: dict[str, int] = {}
            for i, (doc, _evs) in enumerate(batch):
                first.setdefault(doc.id, i)
            rows = [_document_row(batch[first[i]][0], now) for i in ids if i not in stored]
            inserted = self._insert_documents(conn, rows)
            # documents stored before (or by a concurrent writer just now) take the metadata
            # of their copies; a copy repeated in the batch updates the one inserted first
            for i, (doc, _evs) in enumerate(batch):
                if doc.id not in inserted or first[doc.id] != i:
                    self._update_metadata(conn, doc)
            self._lock_documents(conn, ids)
            # events in input order (each document's at its last copy), as saves in a row
            order = sorted(ids, key=last.__getitem__)
            self._replace_events_many(conn, order, [batch[last[i]][1] for i in order], now)
            for (doc, _evs), s in zip(batch, seen, strict=True):
                if s is not None:
                    self._mark_seen(conn, s[0], s[1], doc.id)
        return [doc.id in inserted and first[doc.id] == i for i, (doc, _evs) in enumerate(batch)]

    def _stored_metadata(self, conn: Connection, ids: list[str]) -> set[str]:
        out: set[str] = set()
        for i in range(0, len(ids), _CHUNK):
            part = ids[i:i + _CHUNK]
            out.update(conn.execute(select(documents.c.id)
                                    .where(documents.c.id.in_(part))).scalars())
        return out

    def _insert_documents(self, conn: Connection, rows: list[dict]) -> set[str]:
        """Insert document rows (in id order); the ids actually inserted (a concurrent
        writer may have stored some first)."""
        if not rows:
            return set()
        d_insert = _dialect_insert(conn)
        if d_insert is None:
            conn.execute(insert(documents), rows)
            return {r["id"] for r in rows}
        stmt = d_insert(documents).on_conflict_do_nothing().returning(documents.c.id)
        return set(conn.execute(stmt, rows).scalars())

    def _lock_documents(self, conn: Connection, ids: list[str]) -> None:
        """Hold the documents' rows until commit, in id order (see save_many)."""
        if conn.dialect.name == "postgresql":
            for i in range(0, len(ids), _CHUNK):
                conn.execute(select(documents.c.id).where(documents.c.id.in_(ids[i:i + _CHUNK]))
                             .order_by(documents.c.id).with_for_update()).all()

    def _replace_events_many(self, conn: Connection, doc_ids: list[str],
                             evs_per_doc: list[list[Event]], now: datetime) -> None:
        self.events_written = bump_events_version(conn)
        self.rows_written = {}
        for i in range(0, len(doc_ids), _CHUNK):
            part = doc_ids[i:i + _CHUNK]
            old = select(events.c.id).where(events.c.doc_id.in_(part)).scalar_subquery()
            conn.execute(delete(event_evidence).where(event_evidence.c.event_id.in_(old)))
            conn.execute(delete(event_sources).where(event_sources.c.event_id.in_(old)))
            conn.execute(delete(events).where(events.c.doc_id.in_(part)))
        evs = [ev for es in evs_per_doc for ev in es]
        if not evs:
            return
        rows = [event_row(ev, now) for ev in evs]
        insert_many(conn, events, rows)
        # the rows as stored, for a merge of this batch that follows (merge._saved_reports)
        self.rows_written = {r["id"]: r for r in rows}
        ev_rows = [{"event_id": ev.id, "field": e.field, "doc_id": e.doc_id or ev.doc_id,
                    "start": e.start, "end": e.end, "text": e.text or ""}
                   for ev in evs for e in ev.evidence]
        if ev_rows:
            insert_many(conn, event_evidence, ev_rows)
        src_rows = [{"event_id": ev.id, "doc_id": s.doc_id or ev.doc_id, "outlet": s.outlet or "",
                     "role": s.role or "report", "party": s.party or "", "url": s.url or "",
                     "start": s.start, "end": s.end}
                    for ev in evs for s in ev.sources]
        if src_rows:
            insert_many(conn, event_sources, src_rows)

    # -- polling state (sitrep watch) -------------------------------------------------------
    def _mark_seen(self, conn: Connection, source: str, item: str, doc_id: str = "") -> None:
        row = {"source": source, "item": item, "doc_id": doc_id or "", "seen_at": _now()}
        d_insert = _dialect_insert(conn)
        if d_insert is not None:
            conn.execute(d_insert(ingest_seen).values(**row).on_conflict_do_nothing())
            return
        if conn.execute(select(ingest_seen.c.item).where(
                ingest_seen.c.source == source, ingest_seen.c.item == item)).first() is None:
            conn.execute(insert(ingest_seen).values(**row))

    def mark_seen(self, source: str, item: str, doc_id: str = "") -> None:
        """Remember that item (a feed entry id, or a page's content id) of source was seen."""
        with self._write() as conn:
            self._mark_seen(conn, source, item, doc_id)

    def seen_items(self, source: str, items: Iterable[str] | None = None) -> set[str]:
        """The items of source already seen (restricted to items, when given)."""
        q = select(ingest_seen.c.item).where(ingest_seen.c.source == source)
        wanted = None if items is None else list(dict.fromkeys(items))
        out: set[str] = set()
        with self.engine.connect() as conn:
            if wanted is None:
                return {r[0] for r in conn.execute(q)}
            for i in range(0, len(wanted), _CHUNK):
                part = wanted[i:i + _CHUNK]
                out.update(r[0] for r in conn.execute(q.where(ingest_seen.c.item.in_(part))))
        return out

    def source_state(self, source: str) -> dict | None:
        """etag, last_modified, last_polled, last_status, last_error, n_items of a source."""
        with self.engine.connect() as conn:
            r = conn.execute(select(ingest_sources).where(
                ingest_sources.c.source == source)).mappings().first()
            return dict(r) if r else None

    def set_source_state(self, source: str, *, etag: str | None = None,
                         last_modified: str | None = None, status: str = "ok",
                         error: str = "", n_items: int | None = None) -> None:
        """Record a poll of source (validators left as they were when None)."""
        values: dict = {"last_polled": _now(), "last_status": status, "last_error": error}
        if etag is not None:
            values["etag"] = etag
        if last_modified is not None:
            values["last_modified"] = last_modified
        if n_items is not None:
            values["n_items"] = n_items
        with self._write() as conn:
            done = conn.execute(update(ingest_sources)
                                .where(ingest_sources.c.source == source).values(**values))
            if done.rowcount:
                return
            row = {"source": source, "etag": "", "last_modified": "", "n_items": 0, **values}
            d_insert = _dialect_insert(conn)
            if d_insert is not None:
                conn.execute(d_insert(ingest_sources).values(**row).on_conflict_do_update(
                    index_elements=[ingest_sources.c.source], set_=values))
            else:
                conn.execute(insert(ingest_sources).values(**row))

    def _attach(self, conn: Connection, rows: list[dict]) -> list[dict]:
        return attach_evidence_sources(conn, rows)

    def _event_query(self, *, country=None, event_type=None, sub_event_type=None, actor=None,
                     date_from=None, date_to=None, doc_id=None, event_id=None):
        q = (select(events, documents.c.url.label("doc_url"),
                    documents.c.title.label("doc_title"),
                    documents.c.published.label("doc_published"))
             .select_from(events.outerjoin(documents, events.c.doc_id == documents.c.id)))
        q = q.where(*event_filters(events.c, country=country, event_type=event_type,
                                   sub_event_type=sub_event_type, actor=actor,
                                   date_from=date_from, date_to=date_to))
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

        def fetch(conn, n, pos):
            return self._attach(conn, [dict(r) for r in
                                       conn.execute(q.limit(n).offset(pos)).mappings()])

        return paged(self.engine, fetch, limit=limit, offset=offset)

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
