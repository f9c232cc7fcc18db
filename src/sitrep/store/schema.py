"""Table definitions (SQLAlchemy Core). Portable across SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

documents = Table(
    "documents", metadata,
    Column("id", String(64), primary_key=True),
    Column("url", Text, nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
    Column("published", Date, nullable=True),
    Column("source_name", Text, nullable=False, default=""),
    Column("path", Text, nullable=False, default=""),
    Column("language", String(16), nullable=False, default="en"),
    Column("body", Text, nullable=False),
    Column("comments", Text, nullable=False, default="[]"),   # JSON list of strings
    Column("chrome", Text, nullable=False, default="[]"),     # JSON list of strings
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

# Event columns other than the keys, in the order they are stored.
INT_COLUMNS = {
    "year", "time_precision", "inter1", "inter2", "interaction", "iso", "geo_precision",
    "fatalities", "timestamp", "injured", "claimed_fatalities", "geonameid", "sentence_start",
    "sentence_end",
}
FLOAT_COLUMNS = {"latitude", "longitude", "confidence"}
EVENT_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
    "injured", "claimed_fatalities", "claim_status", "confidence", "geonameid", "admin1_code",
    "country_code", "sentence_start", "sentence_end", "why",
]


def _col(name: str) -> Column:
    if name in INT_COLUMNS:
        return Column(name, Integer, nullable=True)
    if name in FLOAT_COLUMNS:
        return Column(name, Float, nullable=True)
    if name == "event_date":
        return Column(name, String(10), nullable=True)   # YYYY-MM-DD, compares as text
    if name == "notes":
        return Column(name, Text, nullable=False, default="")
    return Column(name, Text, nullable=False, default="")


events = Table(
    "events", metadata,
    Column("id", String(64), primary_key=True),
    Column("doc_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"),
           nullable=False),
    *[_col(c) for c in EVENT_COLUMNS],
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_events_event_date", events.c.event_date)
Index("ix_events_country", events.c.country)
Index("ix_events_doc_id", events.c.doc_id)
# the merge reads candidate events by country code and date (sitrep.merge.db)
Index("ix_events_cc_date", events.c.country_code, events.c.event_date)

event_evidence = Table(
    "event_evidence", metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), ForeignKey("events.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("field", String(64), nullable=False),
    Column("doc_id", String(64), nullable=False, default=""),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False, default=""),
)

event_sources = Table(
    "event_sources", metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), ForeignKey("events.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("doc_id", String(64), nullable=False),
    Column("outlet", Text, nullable=False, default=""),
    Column("role", String(32), nullable=False, default="report"),
    Column("party", Text, nullable=False, default=""),
    Column("url", Text, nullable=False, default=""),
    Column("start", Integer, nullable=False, default=-1),
    Column("end", Integer, nullable=False, default=-1),
)

# Polling state for `sitrep watch` (sitrep.ingest.poll): one row per source (feed or page URL,
# or file path) with the validators of its last response, and one row per item seen in it.
ingest_sources = Table(
    "ingest_sources", metadata,
    Column("source", Text, primary_key=True),
    Column("etag", Text, nullable=False, default=""),
    Column("last_modified", Text, nullable=False, default=""),
    Column("last_polled", DateTime(timezone=True), nullable=True),
    Column("last_status", Text, nullable=False, default=""),   # "ok", "not modified", "error"
    Column("last_error", Text, nullable=False, default=""),
    Column("n_items", Integer, nullable=False, default=0),
)

ingest_seen = Table(
    "ingest_seen", metadata,
    Column("source", Text, primary_key=True),
    Column("item", Text, primary_key=True),        # feed entry guid/link, or a page's doc id
    Column("doc_id", String(64), nullable=False, default=""),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)


# Counters, a row each: "events", moved by every write of stored events (saves,
# re-extractions, review corrections), and "merge_generation", by every write of the merge
# tables; what a later stage keeps between batches (the merge's window) knows by them when
# another writer changed what it holds.
store_state = Table(
    "store_state", metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Integer, nullable=False, default=0),
)
