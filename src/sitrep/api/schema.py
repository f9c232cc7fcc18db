"""The API's own tables, on the shared ``sitrep.store.schema.metadata``.

- ``review_log``: the append-only audit trail of reviews (who, when, before, after). The
  database refuses UPDATE and DELETE on it (triggers on SQLite and PostgreSQL).
- ``event_reviews``: the current review state of an event (confirmed, corrected, rejected,
  merged, split) and the field corrections made so far, so they can be applied again after
  the pipeline re-codes a document.
- ``api_tokens``: SHA-256 hashes of API tokens (never the tokens themselves).

No foreign keys to ``events``: re-extracting a document deletes and re-inserts its events,
and the audit trail must survive that.
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    event,
)

from ..merge.schema import canonical_events
from ..store.schema import events, metadata

review_log = Table(
    "review_log", metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("who", Text, nullable=False, default=""),
    Column("token", String(64), nullable=False, default=""),     # label of the token used
    Column("at", DateTime(timezone=True), nullable=False),
    Column("before", Text, nullable=True),                      # JSON
    Column("after", Text, nullable=True),                       # JSON
    Column("note", Text, nullable=False, default=""),
    Column("related", Text, nullable=False, default="[]"),      # JSON list of event ids
)

event_reviews = Table(
    "event_reviews", metadata,
    Column("event_id", String(64), primary_key=True),
    Column("status", String(32), nullable=False),   # confirmed corrected rejected merged split
    Column("merged_into", String(64), nullable=True),
    Column("overrides", Text, nullable=False, default="{}"),   # JSON: field -> value
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", Text, nullable=False, default=""),
)
Index("ix_event_reviews_status", event_reviews.c.status)

api_tokens = Table(
    "api_tokens", metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("label", String(64), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

API_TABLES = [review_log, event_reviews, api_tokens]

# Indexes on the shared events table that the API's filters and map use; created with
# checkfirst at app start (cheap when they exist), never part of the events table's DDL.
API_EVENT_INDEXES = [
    Index("ix_events_api_date_id", events.c.event_date, events.c.id),       # newest first
    Index("ix_events_api_type_date", events.c.event_type, events.c.event_date, events.c.id),
    Index("ix_events_api_bbox", events.c.latitude, events.c.longitude, events.c.event_date,
          events.c.id),                                   # covers the bbox key scan
]
for _ix in API_EVENT_INDEXES:           # not part of `events` DDL: created by create_api_tables
    events.indexes.discard(_ix)
# The same on the merged incidents, the rows the API and dashboard show by default.
_ce = canonical_events.c
API_INCIDENT_INDEXES = [
    Index("ix_incidents_api_date_id", _ce.event_date, _ce.id),
    Index("ix_incidents_api_type_date", _ce.event_type, _ce.event_date, _ce.id),
    Index("ix_incidents_api_bbox", _ce.latitude, _ce.longitude, _ce.event_date, _ce.id),
    Index("ix_incidents_api_sources", _ce.n_sources, _ce.event_date, _ce.id),  # min_sources
]
for _ix in API_INCIDENT_INDEXES:
    canonical_events.indexes.discard(_ix)

_SQLITE_APPEND_ONLY = [
    "CREATE TRIGGER IF NOT EXISTS review_log_no_update BEFORE UPDATE ON review_log "
    "BEGIN SELECT RAISE(ABORT, 'review_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS review_log_no_delete BEFORE DELETE ON review_log "
    "BEGIN SELECT RAISE(ABORT, 'review_log is append-only'); END",
]
_PG_APPEND_ONLY = [
    "CREATE OR REPLACE FUNCTION sitrep_review_log_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'review_log is append-only'; END; $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS review_log_append_only ON review_log",
    "CREATE TRIGGER review_log_append_only BEFORE UPDATE OR DELETE ON review_log "
    "FOR EACH ROW EXECUTE FUNCTION sitrep_review_log_append_only()",
]
for _sql in _SQLITE_APPEND_ONLY:
    event.listen(review_log, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
for _sql in _PG_APPEND_ONLY:
    event.listen(review_log, "after_create", DDL(_sql).execute_if(dialect="postgresql"))


# Free-text and actor filters on incidents through an index: FTS5 with the trigram tokenizer
# on SQLite (a phrase matches any substring of three or more characters, in any case, as
# LIKE '%...%' does), kept in step with canonical_events by triggers; trigram GIN indexes
# (pg_trgm) on PostgreSQL, which serve the same lower(col) LIKE the filters already use.
SEARCH_COLUMNS = ("notes", "actor1", "actor2", "assoc_actor_1", "assoc_actor_2", "location",
                  "admin1", "admin2", "sub_event_type", "source")
FTS_TABLE = "incidents_fts"


def _sqlite_search(conn) -> None:
    cols = ", ".join(SEARCH_COLUMNS)
    new = ", ".join(f"new.{c}" for c in SEARCH_COLUMNS)
    old = ", ".join(f"old.{c}" for c in SEARCH_COLUMNS)
    exists = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = ?", (FTS_TABLE,)).first()
    if exists:
        return
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({cols}, content='canonical_events', "
        "content_rowid='rowid', tokenize='trigram')")
    conn.exec_driver_sql(
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON canonical_events BEGIN "
        f"INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES (new.rowid, {new}); END")
    conn.exec_driver_sql(
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON canonical_events BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols}) VALUES ('delete', old.rowid, "
        f"{old}); END")
    conn.exec_driver_sql(
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE ON canonical_events BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols}) VALUES ('delete', old.rowid, "
        f"{old}); INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES (new.rowid, {new}); END")
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def _pg_search(engine: Engine) -> None:
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            where = conn.exec_driver_sql(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'").scalar()
    except DBAPIError:          # not allowed to create it: the filters scan, as before
        return
    ops = f'"{where}".gin_trgm_ops' if where else "gin_trgm_ops"
    for c in SEARCH_COLUMNS:
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    f"CREATE INDEX IF NOT EXISTS ix_incidents_trgm_{c} ON canonical_events "
                    f"USING gin (lower({c}) {ops})")
        except DBAPIError:      # e.g. two servers starting at once: the other one builds it
            return


def create_incident_search(engine: Engine) -> None:
    """The incidents' text index (see SEARCH_COLUMNS); the merge tables must exist."""
    if engine.dialect.name == "sqlite":
        from sqlalchemy.exc import OperationalError

        try:
            with engine.begin() as conn:
                _sqlite_search(conn)
        except OperationalError:     # an SQLite without FTS5 or trigram: LIKE scans
            pass
    elif engine.dialect.name == "postgresql":
        _pg_search(engine)


def has_incident_search(conn) -> bool:
    """Whether the SQLite FTS5 index of incidents exists on this database."""
    if conn.dialect.name != "sqlite":
        return False
    return conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = ?",
                                (FTS_TABLE,)).first() is not None


def create_api_tables(engine: Engine) -> None:
    """Create the API tables and indexes if missing (the store's tables must exist)."""
    metadata.create_all(engine, tables=API_TABLES, checkfirst=True)
    for ix in API_EVENT_INDEXES + API_INCIDENT_INDEXES:
        ix.create(engine, checkfirst=True)
    from ..merge.schema import create_merge_tables

    create_merge_tables(engine)
    create_incident_search(engine)
