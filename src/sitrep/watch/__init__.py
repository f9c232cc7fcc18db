"""Watch: surge detection and watchlists over the stored events, with a JSONL feed and a
webhook; fired alerts are remembered in the `alerts` table (``watch.schema``).

    from sitrep.watch import run_alerts, load_watchlists, recent_alerts
"""

from .alerts import (
    AlertRun,
    detect_alerts,
    load_events,
    load_watchlists,
    recent_alerts,
    run_alerts,
)
from .detect import (
    Alert,
    SurgeConfig,
    detect_surges,
    haversine_km,
    match_event,
    match_watchlists,
    poisson_sf,
)
from .webhook import Delivery, post_json

__all__ = [
    "detect_alerts",
    "Alert", "AlertRun", "Delivery", "SurgeConfig", "detect_surges", "haversine_km",
    "load_events", "load_watchlists", "match_event", "match_watchlists", "poisson_sf",
    "post_json", "recent_alerts", "run_alerts",
]
