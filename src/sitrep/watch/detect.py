"""Alert detection over event dicts (pure functions: no store, no clock).

Events are dicts with at least ``id``, ``event_date`` (YYYY-MM-DD), ``event_type``,
``country``, ``admin1``, ``admin2``; watchlists also use ``country_code``,
``sub_event_type``, actors, ``latitude``/``longitude``.

Surges: per series (country, admin1[, admin2], event_type), the count in the recent window
(``window_days`` ending on ``as_of``, inclusive) is tested against the rate of the baseline
(the ``baseline_days`` before the window): expected = (baseline count + prior) * window /
baseline, or, with ``method="ewma"``, an exponentially weighted mean of the baseline's
window-sized buckets (recent weeks weigh more). An alert fires when the count is at least
``min_count`` and the Poisson upper tail P(X >= count | expected) is at most ``p_value``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from ..geo.distance import haversine_km
from ..models import as_date

EVENT_SUMMARY_FIELDS = (
    "id", "event_date", "event_type", "sub_event_type", "country", "admin1", "admin2",
    "location", "latitude", "longitude", "actor1", "actor2", "fatalities", "doc_id", "doc_url",
)


@dataclass
class SurgeConfig:
    window_days: int = 7
    baseline_days: int = 56
    min_count: int = 5
    p_value: float = 0.001
    method: str = "poisson"              # "poisson" (flat baseline rate) | "ewma"
    ewma_alpha: float = 0.3
    prior: float = 0.5                   # pseudo-count added to the baseline (no history)
    levels: tuple[str, ...] = ("admin1", "admin2")


@dataclass
class Alert:
    """One alert: what fired, the events behind it and why."""

    kind: str                            # "surge" | "watch"
    name: str
    series: str                          # surge: level|country|admin1|admin2|type; watch: name
    as_of: str
    window_start: str
    window_end: str
    why: str
    reason: dict
    events: list[dict] = field(default_factory=list)
    country: str = ""
    admin1: str = ""
    admin2: str = ""
    event_type: str = ""

    @property
    def event_ids(self) -> list[str]:
        return [e["id"] for e in self.events]

    @property
    def id(self) -> str:
        key = (f"{self.kind}|{self.series}|{self.as_of}" if self.kind == "surge"
               else f"{self.kind}|{self.series}|{','.join(sorted(self.event_ids))}")
        return hashlib.sha1(key.encode()).hexdigest()[:16]

    def to_dict(self) -> dict:
        d = asdict(self)
        d = {"id": self.id, **d, "event_ids": self.event_ids}
        return d


def summarize(ev: dict, **extra) -> dict:
    out = {k: ev.get(k) for k in EVENT_SUMMARY_FIELDS if k in ev}
    out.update(extra)
    return out


# ---------------------------------------------------------------------- statistics
def poisson_sf(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam), accurate in the far upper tail."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    log_term = k * math.log(lam) - lam - math.lgamma(k + 1)
    if k > lam:                          # sum the decreasing upper terms directly
        total, term, i = 0.0, math.exp(log_term), k
        while term > 1e-300:
            total += term
            i += 1
            term *= lam / i
            if term < total * 1e-17:
                break
        return min(1.0, total)
    cdf, term = 0.0, math.exp(-lam)      # 1 - P(X <= k - 1)
    for i in range(k):
        cdf += term
        term *= lam / (i + 1)
    return max(0.0, 1.0 - cdf)


def ewma(values: list[float], alpha: float) -> float:
    if not values:
        return 0.0
    s = values[0]
    for v in values[1:]:
        s = alpha * v + (1 - alpha) * s
    return s


# ---------------------------------------------------------------------- surges
def _series_keys(ev: dict, levels: tuple[str, ...]) -> list[tuple]:
    country, a1, a2 = ev.get("country") or "", ev.get("admin1") or "", ev.get("admin2") or ""
    et = ev.get("event_type") or ""
    if not (country and a1 and et):
        return []
    keys = []
    if "admin1" in levels:
        keys.append(("admin1", country, a1, "", et))
    if "admin2" in levels and a2:
        keys.append(("admin2", country, a1, a2, et))
    return keys


def detect_surges(events: Iterable[dict], as_of: date | str, cfg: SurgeConfig | None = None,
                  data_start: date | str | None = None) -> list[Alert]:
    """Surge alerts as of ``as_of`` (see the module docstring). ``data_start``: the first
    date with data; a baseline is cut to it, and no test is made with less than one window
    of baseline."""
    cfg = cfg or SurgeConfig()
    as_of = as_date(as_of, required=True)
    w_start = as_of - timedelta(days=cfg.window_days - 1)
    b_end = w_start - timedelta(days=1)
    b_start = w_start - timedelta(days=cfg.baseline_days)
    if data_start is not None:
        b_start = max(b_start, as_date(data_start, required=True))
    b_days = (b_end - b_start).days + 1
    if b_days < cfg.window_days:
        return []
    recent: dict[tuple, list[dict]] = {}
    base: dict[tuple, list[date]] = {}
    for ev in events:
        if not ev.get("event_date"):
            continue
        d = as_date(ev["event_date"], required=True)
        if d > as_of or d < b_start:
            continue
        for key in _series_keys(ev, cfg.levels):
            if d >= w_start:
                recent.setdefault(key, []).append(ev)
            else:
                base.setdefault(key, []).append(d)
    alerts = []
    for key in sorted(recent):
        evs = sorted(recent[key], key=lambda e: (e["event_date"], e["id"]))
        count = len(evs)
        if count < cfg.min_count:
            continue
        b_dates = base.get(key, [])
        flat = (len(b_dates) + cfg.prior) * cfg.window_days / b_days
        if cfg.method == "ewma":
            n_buckets = b_days // cfg.window_days
            first = b_end - timedelta(days=n_buckets * cfg.window_days - 1)
            buckets = [0] * n_buckets
            for d in b_dates:
                if d >= first:
                    buckets[(d - first).days // cfg.window_days] += 1
            expected = max(ewma([float(b) for b in buckets], cfg.ewma_alpha),
                           cfg.prior * cfg.window_days / b_days)
        else:
            expected = flat
        p = poisson_sf(count, expected)
        if p > cfg.p_value:
            continue
        level, country, a1, a2, et = key
        area = ", ".join(x for x in (a2, a1, country) if x)
        reason = {
            "method": cfg.method, "level": level, "count": count,
            "baseline_count": len(b_dates), "baseline_days": b_days,
            "window_days": cfg.window_days, "expected": round(expected, 3),
            "baseline_rate_per_day": round(len(b_dates) / b_days, 4),
            "rate_ratio": round(count / expected, 2) if expected else None,
            "p_value": float(f"{p:.3g}"), "p_value_threshold": cfg.p_value,
            "min_count": cfg.min_count,
        }
        why = (f"{count} '{et}' events in {area} in the {cfg.window_days} days to {as_of}; "
               f"expected {expected:.1f} from {len(b_dates)} in the previous {b_days} days "
               f"({cfg.method}); Poisson P(X >= {count}) = {p:.2g} <= {cfg.p_value}")
        alerts.append(Alert(
            kind="surge", name=f"surge: {et} in {area}", series="|".join(key),
            as_of=as_of.isoformat(), window_start=w_start.isoformat(),
            window_end=as_of.isoformat(), why=why, reason=reason,
            events=[summarize(e) for e in evs], country=country, admin1=a1, admin2=a2,
            event_type=et))
    return alerts


# ---------------------------------------------------------------------- watchlists
# every key a watchlist entry may have, in the order errors and README ("Watchlists") list them
WATCH_KEY_ORDER = ("name", "country", "admin1", "admin2", "actor", "event_type",
                   "sub_event_type", "point", "min_count", "window_days")
WATCH_KEYS = set(WATCH_KEY_ORDER)
CRITERIA_KEYS = tuple(k for k in WATCH_KEY_ORDER if k not in ("name", "min_count", "window_days"))
POINT_KEYS = ("lat", "lon", "radius_km")


def valid_keys_text() -> str:
    """The valid watchlist keys, for error messages."""
    return ", ".join(f"{k} ({', '.join(POINT_KEYS)})" if k == "point" else k
                     for k in WATCH_KEY_ORDER)


def validate_watchlist(entry: dict) -> dict:
    if not isinstance(entry, dict):
        raise ValueError(f"a watchlist entry must be a mapping, not {entry!r}")
    unknown = set(entry) - WATCH_KEYS
    if unknown:
        raise ValueError(f"watchlist {entry.get('name')!r}: unknown key(s) "
                         f"{', '.join(sorted(map(str, unknown)))}; valid keys: "
                         f"{valid_keys_text()}")
    if not entry.get("name"):
        raise ValueError(f"watchlist entry without a name: {entry!r}")
    if not any(entry.get(k) for k in CRITERIA_KEYS):
        raise ValueError(f"watchlist {entry['name']!r} has no criterion (give at least one "
                         f"of: {', '.join(CRITERIA_KEYS)})")
    pt = entry.get("point")
    if pt is not None:
        extra = set(pt) - set(POINT_KEYS) if isinstance(pt, dict) else set()
        if extra:
            raise ValueError(f"watchlist {entry['name']!r}: unknown point key(s) "
                             f"{', '.join(sorted(map(str, extra)))}; point needs "
                             f"{', '.join(POINT_KEYS)}")
        try:
            lat, lon, r = float(pt["lat"]), float(pt["lon"]), float(pt["radius_km"])
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"watchlist {entry['name']!r}: point needs lat, lon, radius_km"
                             ) from e
        if not (-90 <= lat <= 90 and -180 <= lon <= 180 and r > 0):
            raise ValueError(f"watchlist {entry['name']!r}: point out of range")
    return entry


def _eq(a, b) -> bool:
    return str(a or "").strip().lower() == str(b or "").strip().lower()


def match_event(entry: dict, ev: dict) -> tuple[bool, list[str], dict]:
    """(matches, the criteria that matched, extra such as distance_km)."""
    why: list[str] = []
    extra: dict = {}
    c = entry.get("country")
    if c:
        if not (_eq(c, ev.get("country")) or _eq(c, ev.get("country_code"))):
            return False, [], {}
        why.append(f"country {c}")
    for k in ("admin1", "admin2", "event_type", "sub_event_type"):
        if entry.get(k):
            if not _eq(entry[k], ev.get(k)):
                return False, [], {}
            why.append(f"{k} {entry[k]}")
    if entry.get("actor"):
        needle = str(entry["actor"]).lower()
        hits = [ev.get(k) for k in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2")
                if needle in str(ev.get(k) or "").lower()]
        if not hits:
            return False, [], {}
        why.append(f"actor '{entry['actor']}' ({hits[0]})")
    pt = entry.get("point")
    if pt:
        if ev.get("latitude") is None or ev.get("longitude") is None:
            return False, [], {}
        dist = haversine_km(float(pt["lat"]), float(pt["lon"]), ev["latitude"], ev["longitude"])
        if dist > float(pt["radius_km"]):
            return False, [], {}
        extra["distance_km"] = round(dist, 1)
        why.append(f"{dist:.1f} km from ({pt['lat']}, {pt['lon']}) <= {pt['radius_km']} km")
    return True, why, extra


def match_watchlists(events: Iterable[dict], watchlists: list[dict], as_of: date | str,
                     window_days: int = 7) -> list[Alert]:
    """One alert per watchlist with at least ``min_count`` (default 1) matching events in its
    window (``window_days`` to ``as_of``, inclusive)."""
    as_of = as_date(as_of, required=True)
    events = [e for e in events if e.get("event_date")]
    alerts = []
    for entry in watchlists:
        wd = int(entry.get("window_days") or window_days)
        start = as_of - timedelta(days=wd - 1)
        hits = []
        for ev in sorted(events, key=lambda e: (e["event_date"], e["id"])):
            if not (start <= as_date(ev["event_date"], required=True) <= as_of):
                continue
            ok, why, extra = match_event(entry, ev)
            if ok:
                hits.append(summarize(ev, matched=why, **extra))
        if len(hits) < int(entry.get("min_count") or 1):
            continue
        crit = {k: entry[k] for k in sorted(entry) if k not in ("name",) and entry[k]}
        why = (f"watchlist '{entry['name']}': {len(hits)} event(s) in the {wd} days to {as_of} "
               f"match {_criteria_text(crit)}")
        alerts.append(Alert(
            kind="watch", name=entry["name"], series=f"watch|{entry['name']}",
            as_of=as_of.isoformat(), window_start=start.isoformat(),
            window_end=as_of.isoformat(), why=why,
            reason={"watchlist": crit, "count": len(hits), "window_days": wd}, events=hits,
            country=str(entry.get("country") or ""), admin1=str(entry.get("admin1") or ""),
            admin2=str(entry.get("admin2") or ""), event_type=str(entry.get("event_type") or "")))
    return alerts


def _criteria_text(crit: dict) -> str:
    parts = []
    for k, v in crit.items():
        if k in ("min_count", "window_days"):
            continue
        if k == "point":
            parts.append(f"within {v['radius_km']} km of ({v['lat']}, {v['lon']})")
        else:
            parts.append(f"{k} {v}")
    return "; ".join(parts)
