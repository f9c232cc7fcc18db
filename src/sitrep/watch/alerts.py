"""Alerts over the stored incidents: surges and watchlists, remembered in the `alerts` table.

An alert counts incidents (events merged across documents), never reports: the same article
loaded forty times, or ten outlets reporting one attack, is one incident.

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

from sqlalchemy import func, insert, select, true, update

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


def _merged(store) -> bool:
    from sqlalchemy import inspect

    from ..merge.schema import MERGE_TABLES

    return all(inspect(store.engine).has_table(t.name) for t in MERGE_TABLES)


def event_dates(store) -> tuple[str | None, str | None]:
    """The first and last event date over incidents and reports not merged yet."""
    with store.engine.connect() as conn:
        lo, hi = conn.execute(select(func.min(events.c.event_date),
                                     func.max(events.c.event_date))).one()
    return lo, hi


def load_events(store, date_from: date, date_to: date) -> list[dict]:
    """What alerts count, as light dicts (no evidence) with a document URL, by date then id:
    every incident (reports of one event merged across documents: one incident however many
    copies or outlets report it), and each stored report not merged yet as an incident of
    its own (so alerts work on a store that was never merged). Incidents carry
    ``n_sources`` and their first document."""
    lo, hi = date_from.isoformat(), date_to.isoformat()
    out: list[dict] = []
    with store.engine.connect() as conn:
        unmerged = true()
        if _merged(store):
            from ..merge.schema import canonical_events as ce
            from ..merge.schema import event_reports as er

            cols = [ce.c[c] for c in _EVENT_COLS if c != "doc_id"]
            rows = [dict(r) for r in conn.execute(
                select(*cols, ce.c.n_sources).where(ce.c.event_date >= lo,
                                                    ce.c.event_date <= hi)).mappings()]
            first: dict[str, tuple[str, str]] = {}
            ids = [r["id"] for r in rows]
            for k in range(0, len(ids), 500):
                q = (select(er.c.canonical_id, er.c.doc_id, documents.c.url)
                     .select_from(er.outerjoin(documents, er.c.doc_id == documents.c.id))
                     .where(er.c.canonical_id.in_(ids[k:k + 500]))
                     .order_by(er.c.added_at, er.c.event_id))
                for cid, doc_id, url in conn.execute(q):
                    first.setdefault(cid, (doc_id, url or ""))
            for r in rows:
                r["doc_id"], r["doc_url"] = first.get(r["id"], ("", ""))
            out += rows
            unmerged = ~events.c.id.in_(select(er.c.event_id))
        cols = [events.c[c] for c in _EVENT_COLS]
        q = (select(*cols, documents.c.url.label("doc_url"))
             .select_from(events.outerjoin(documents, events.c.doc_id == documents.c.id))
             .where(events.c.event_date >= lo, events.c.event_date <= hi, unmerged))
        out += [{**dict(r), "n_sources": 1} for r in conn.execute(q).mappings()]
    out.sort(key=lambda r: (r["event_date"] or "", r["id"]))
    return out


def _now() -> datetime:
    return datetime.now(UTC)


def detect_alerts(store, *, as_of: date | str | None = None,
                  watchlists: list[dict] | None = None, surge: SurgeConfig | None = None,
                  surges: bool = True, watch_window_days: int | None = None
                  ) -> tuple[str | None, list[Alert], int]:
    """(as-of day, the alerts that hold on it, incidents read): surges and watchlist
    matches over the incidents, without recording or sending anything (the dashboard's
    view; `run_alerts` records and delivers the same alerts). as_of None: the latest
    event date."""
    cfg = surge or SurgeConfig()
    lo, hi = event_dates(store)
    if as_of is None:
        as_of = hi
    if as_of is None:
        return None, [], 0
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
    return as_of.isoformat(), found, len(evs)


def run_alerts(store, *, as_of: date | str | None = None, watchlists: list[dict] | None = None,
               surge: SurgeConfig | None = None, surges: bool = True,
               watch_window_days: int | None = None, jsonl: str | Path | None = None,
               webhook: str | None = None, retries: int = 3, timeout: float = 10.0,
               backoff: float = 0.5) -> AlertRun:
    """Detect, de-duplicate against the alerts table, record, and deliver (see module doc)."""
    ensure_tables(store.engine)
    day, found, n_events = detect_alerts(store, as_of=as_of, watchlists=watchlists,
                                         surge=surge, surges=surges,
                                         watch_window_days=watch_window_days)
    if day is None:
        return AlertRun(as_of=None)
    run = AlertRun(as_of=day, n_events=n_events)

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
