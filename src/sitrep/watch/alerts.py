"""Alerts over the stored events: surges and watchlists, remembered in the `alerts` table.

    run = run_alerts(store, watchlists=load_watchlists("watch.yaml"), jsonl="alerts.jsonl",
                     webhook="https://example.org/hook")
    run.new        # alerts that fired now (written to the JSONL feed, posted to the webhook)

The same alert is never sent twice: a surge is keyed by its series and as-of date (and a
series that fired within the current window is not re-alerted: ``suppressed``); a watchlist
alert fires again only when it has events no earlier alert of that watchlist carried.
Alerts whose webhook delivery failed are posted again on the next run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, update

from ..models import as_date
from ..store.schema import documents, events
from .detect import (
    Alert,
    SurgeConfig,
    detect_surges,
    match_watchlists,
    valid_keys_text,
    validate_watchlist,
)
from .schema import alerts, ensure_tables
from .webhook import Delivery, post_json

_EVENT_COLS = ("id", "doc_id", "event_date", "event_type", "sub_event_type", "country",
               "country_code", "admin1", "admin2", "location", "latitude", "longitude",
               "actor1", "actor2", "assoc_actor_1", "assoc_actor_2", "fatalities")


@dataclass
class AlertRun:
    as_of: str | None
    new: list[Alert] = field(default_factory=list)
    repeated: list[Alert] = field(default_factory=list)      # fired before: not re-sent
    suppressed: list[Alert] = field(default_factory=list)    # series alerted in this window
    deliveries: dict[str, Delivery] = field(default_factory=dict)   # alert id -> result
    n_events: int = 0

    @property
    def delivery_failed(self) -> bool:
        return any(not d.ok for d in self.deliveries.values())


def load_watchlists(path: str | Path) -> list[dict]:
    """Watchlists from YAML or JSON: a list of entries, or {"watchlists": [...]}."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not UTF-8 text") from e
    except yaml.YAMLError as e:
        raise ValueError(f"{path}: not valid YAML or JSON ({e})") from e
    if isinstance(data, dict):
        data = data.get("watchlists", data.get("watchlist"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of watchlist entries (or a mapping with a "
                         f"'watchlists' list), each with a name and keys among: "
                         f"{valid_keys_text()}")
    try:
        entries = [validate_watchlist(e) for e in data]
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from e
    names = [e["name"] for e in entries]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: watchlist names must be unique")
    return entries


def event_dates(store) -> tuple[str | None, str | None]:
    with store.engine.connect() as conn:
        lo, hi = conn.execute(select(func.min(events.c.event_date),
                                     func.max(events.c.event_date))).one()
    return lo, hi


def load_events(store, date_from: date, date_to: date) -> list[dict]:
    """Light event dicts (no evidence) with the document URL, by date then id."""
    cols = [events.c[c] for c in _EVENT_COLS]
    q = (select(*cols, documents.c.url.label("doc_url"))
         .select_from(events.outerjoin(documents, events.c.doc_id == documents.c.id))
         .where(events.c.event_date >= date_from.isoformat(),
                events.c.event_date <= date_to.isoformat())
         .order_by(events.c.event_date, events.c.id))
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def _now() -> datetime:
    return datetime.now(UTC)


def run_alerts(store, *, as_of: date | str | None = None, watchlists: list[dict] | None = None,
               surge: SurgeConfig | None = None, surges: bool = True,
               watch_window_days: int | None = None, jsonl: str | Path | None = None,
               webhook: str | None = None, retries: int = 3, timeout: float = 10.0,
               backoff: float = 0.5) -> AlertRun:
    """Detect, de-duplicate against the alerts table, record, and deliver (see module doc)."""
    cfg = surge or SurgeConfig()
    ensure_tables(store.engine)
    lo, hi = event_dates(store)
    if as_of is None:
        as_of = hi
    if as_of is None:
        return AlertRun(as_of=None)
    as_of = as_date(as_of, required=True)
    wwd = watch_window_days or cfg.window_days
    longest = max([cfg.window_days + cfg.baseline_days, wwd]
                  + [int(w.get("window_days") or 0) for w in watchlists or []])
    evs = load_events(store, as_of - timedelta(days=longest), as_of)
    found: list[Alert] = []
    if surges:
        found += detect_surges(evs, as_of, cfg, data_start=lo)
    if watchlists:
        found += match_watchlists(evs, watchlists, as_of, wwd)
    run = AlertRun(as_of=as_of.isoformat(), n_events=len(evs))

    with store.engine.begin() as conn:
        for a in found:
            if conn.execute(select(alerts.c.id).where(alerts.c.id == a.id)).first():
                run.repeated.append(a)
                continue
            prior = conn.execute(select(alerts.c.window_end, alerts.c.event_ids)
                                 .where(alerts.c.series == a.series)).all()
            if a.kind == "surge":
                if any(a.window_start <= r.window_end < a.as_of for r in prior):
                    run.suppressed.append(a)
                    continue
            else:
                seen = {i for r in prior for i in json.loads(r.event_ids or "[]")}
                fresh = [i for i in a.event_ids if i not in seen]
                if not fresh:
                    run.repeated.append(a)
                    continue
                a.reason["new_event_ids"] = fresh
            conn.execute(insert(alerts).values(
                id=a.id, kind=a.kind, name=a.name, series=a.series, as_of=a.as_of,
                window_start=a.window_start, window_end=a.window_end, country=a.country,
                admin1=a.admin1, admin2=a.admin2, event_type=a.event_type,
                n_events=len(a.events), event_ids=json.dumps(a.event_ids),
                reason=json.dumps(a.reason, ensure_ascii=False),
                payload=json.dumps(a.to_dict(), ensure_ascii=False, default=str),
                fired_at=_now()))
            run.new.append(a)

    if jsonl and run.new:
        with open(jsonl, "a", encoding="utf-8") as fh:
            for a in run.new:
                fh.write(json.dumps(a.to_dict(), ensure_ascii=False, default=str) + "\n")

    if webhook:
        pending = run.new + run.repeated
        with store.engine.connect() as conn:
            undelivered = {r.id for r in conn.execute(
                select(alerts.c.id).where(alerts.c.id.in_([a.id for a in pending]),
                                          alerts.c.delivered_at.is_(None)))}
        for a in pending:
            if a.id not in undelivered:
                continue
            d = post_json(webhook, a.to_dict(), retries=retries, timeout=timeout,
                          backoff=backoff)
            run.deliveries[a.id] = d
            with store.engine.begin() as conn:
                conn.execute(update(alerts).where(alerts.c.id == a.id).values(
                    webhook_url=webhook, delivered_at=_now() if d.ok else None,
                    delivery_attempts=alerts.c.delivery_attempts + d.attempts,
                    delivery_error="" if d.ok else d.error))
    return run


def recent_alerts(store, limit: int = 50, kind: str | None = None) -> list[dict]:
    """Fired alerts, newest first, as sent (for the dashboard): the alert dict plus
    fired_at and delivered_at."""
    ensure_tables(store.engine)
    q = select(alerts).order_by(alerts.c.as_of.desc(), alerts.c.fired_at.desc(),
                                alerts.c.id).limit(limit)
    if kind:
        q = q.where(alerts.c.kind == kind)
    with store.engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    out = []
    for r in rows:
        d = json.loads(r["payload"] or "{}")
        d["fired_at"] = r["fired_at"].isoformat() if r["fired_at"] else None
        d["delivered_at"] = r["delivered_at"].isoformat() if r["delivered_at"] else None
        out.append(d)
    return out
