"""Merge tables, on the shared `sitrep.store.schema.metadata` (SQLite and PostgreSQL).

* `canonical_events`: one row per real-world incident; its id is the id of the cluster's first
  report and never changes. Columns follow the events table where they mean the same thing.
* `event_reports`: membership, stored event id -> canonical id (no foreign key: re-extracting a
  document replaces its events; merge prunes memberships of events that are gone).
* `canonical_history`: every change of a canonical field (old and new values, the report that
  caused it), so an update by a later, better report keeps what was there before.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Index, Integer, String, Table, Text

from ..store.schema import metadata

__all__ = ["canonical_events", "event_reports", "canonical_history", "MERGE_TABLES",
           "CANONICAL_FIELDS", "create_merge_tables"]

_TEXT = ("event_date", "event_type", "sub_event_type", "disorder_type", "actor1",
         "assoc_actor_1", "actor2", "assoc_actor_2", "civilian_targeting", "region", "country",
         "country_code", "admin1", "admin1_code", "admin2", "admin3", "location", "source",
         "source_scale", "claim_status", "notes", "roles")
_INT = ("time_precision", "inter1", "inter2", "interaction", "iso", "geo_precision",
        "fatalities", "claimed_fatalities", "injured", "geonameid", "n_sources", "n_reports",
        "n_documents")
_FLOAT = ("latitude", "longitude", "confidence")

# Canonical fields in their stored order (history tracks these).
CANONICAL_FIELDS = [
    "event_date", "time_precision", "disorder_type", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "country_code", "admin1", "admin1_code",
    "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "geonameid",
    "source", "source_scale", "notes", "fatalities", "claimed_fatalities", "injured",
    "claim_status", "confidence", "n_sources", "n_reports", "n_documents", "roles",
]


def _col(name: str) -> Column:
    if name in _INT:
        return Column(name, Integer, nullable=True)
    if name in _FLOAT:
        return Column(name, Float, nullable=True)
    if name == "event_date":
        return Column(name, String(10), nullable=True)
    return Column(name, Text, nullable=False, default="")


canonical_events = Table(
    "canonical_events", metadata,
    Column("id", String(64), primary_key=True),
    *[_col(c) for c in CANONICAL_FIELDS],
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_canonical_events_cc_date", canonical_events.c.country_code,
      canonical_events.c.event_date)
Index("ix_canonical_events_date", canonical_events.c.event_date)

event_reports = Table(
    "event_reports", metadata,
    Column("event_id", String(64), primary_key=True),
    Column("canonical_id", String(64), nullable=False, index=True),
    Column("doc_id", String(64), nullable=False, default="", index=True),
    Column("role", String(32), nullable=False, default="report"),
    Column("outlet", Text, nullable=False, default=""),
    Column("score", Float, nullable=True),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

canonical_history = Table(
    "canonical_history", metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("canonical_id", String(64), nullable=False, index=True),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("action", String(16), nullable=False),      # create / update / delete
    Column("field", String(64), nullable=False, default=""),
    Column("old_value", Text, nullable=True),
    Column("new_value", Text, nullable=True),
    Column("event_id", String(64), nullable=False, default=""),   # the report that caused it
)

MERGE_TABLES = [canonical_events, event_reports, canonical_history]


def create_merge_tables(engine) -> None:
    """Create the merge tables if missing (Store's create_all may have run before import).
    Concurrent processes may race here: a table another process just created is fine."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import OperationalError, ProgrammingError

    if all(inspect(engine).has_table(t.name) for t in MERGE_TABLES):
        return
    try:
        metadata.create_all(engine, tables=MERGE_TABLES, checkfirst=True)
    except (OperationalError, ProgrammingError):
        if not all(inspect(engine).has_table(t.name) for t in MERGE_TABLES):
            raise
