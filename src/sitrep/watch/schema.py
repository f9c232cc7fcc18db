"""The `alerts` table: alerts that fired, with their events and why, and webhook delivery.

On the shared ``sitrep.store.schema.metadata``; created with
``metadata.create_all(engine, tables=[alerts])`` (``ensure_tables``).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text

from ..store.schema import metadata

alerts = Table(
    "alerts", metadata,
    Column("id", String(64), primary_key=True),            # stable key: same alert, same id
    Column("kind", String(16), nullable=False),             # "surge" | "watch"
    Column("name", Text, nullable=False, default=""),       # watchlist name or series label
    Column("series", Text, nullable=False, default=""),     # surge series / watchlist name
    Column("as_of", String(10), nullable=False),
    Column("window_start", String(10), nullable=False),
    Column("window_end", String(10), nullable=False),
    Column("country", Text, nullable=False, default=""),
    Column("admin1", Text, nullable=False, default=""),
    Column("admin2", Text, nullable=False, default=""),
    Column("event_type", Text, nullable=False, default=""),
    Column("n_events", Integer, nullable=False, default=0),
    Column("event_ids", Text, nullable=False, default="[]"),   # JSON list
    Column("reason", Text, nullable=False, default="{}"),      # JSON object
    Column("payload", Text, nullable=False, default="{}"),     # the alert as sent (JSON)
    Column("fired_at", DateTime(timezone=True), nullable=False),
    Column("webhook_url", Text, nullable=False, default=""),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("delivery_attempts", Integer, nullable=False, default=0),
    Column("delivery_error", Text, nullable=False, default=""),
)
Index("ix_alerts_series", alerts.c.series)
Index("ix_alerts_as_of", alerts.c.as_of)


def ensure_tables(engine) -> None:
    metadata.create_all(engine, tables=[alerts], checkfirst=True)
