"""`sitrep alerts`: surge detection, watchlists, the JSONL feed, the webhook, idempotency."""

from __future__ import annotations

import json
import math
import random
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import typer
from typer.testing import CliRunner

from sitrep.models import Document, Event
from sitrep.store import Store
from sitrep.watch import (
    SurgeConfig,
    detect_surges,
    haversine_km,
    load_watchlists,
    match_watchlists,
    poisson_sf,
    recent_alerts,
    run_alerts,
)
from sitrep.watch.cli import register

START = date(2023, 1, 2)
MOGADISHU = (2.0469, 45.3182)
AFGOOYE = (2.1381, 45.1212)          # ~24 km from Mogadishu
BAIDOA = (3.1138, 43.6498)           # ~220 km


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth's sampler: enough for small means."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def make_events(day: date, n: int, *, tag: str = "a", country="Somalia", admin1="Banaadir",
                admin2="Mogadishu", event_type="Battles", sub="Armed clash",
                point=MOGADISHU, actor1="Al Shabaab") -> tuple[Document, list[Event]]:
    text = f"synthetic {tag} {day.isoformat()} {n}"
    doc = Document(id=f"{tag}-{day.isoformat()}", text=text, body=text, published=day,
                   url=f"https://example.org/{tag}/{day.isoformat()}")
    evs = [Event(doc_id=doc.id, event_type=event_type, sub_event_type=sub,
                 event_date=day.isoformat(), country=country, country_code="SO",
                 admin1=admin1, admin2=admin2, location=admin2, latitude=point[0],
                 longitude=point[1], actor1=actor1, sentence_start=k, fatalities=1)
           for k in range(n)]
    return doc, evs


def as_dicts(pairs) -> list[dict]:
    out = []
    for doc, evs in pairs:
        for ev in evs:
            d = ev.to_dict()
            d["doc_url"] = doc.url
            out.append(d)
    return out


def series(counts: list[int], **kw) -> list[tuple[Document, list[Event]]]:
    return [make_events(START + timedelta(days=i), n, **kw) for i, n in enumerate(counts) if n]


# ---------------------------------------------------------------------- synthetic series
BASE_RATE, SURGE_RATE = 2.0, 10.0
N_BASE, WINDOW = 56, 7


@pytest.fixture(scope="module")
def surge_counts() -> list[int]:
    rng = random.Random(9)
    return ([poisson(rng, BASE_RATE) for _ in range(N_BASE)]
            + [poisson(rng, SURGE_RATE) for _ in range(WINDOW)])


def test_poisson_tail():
    assert poisson_sf(0, 3.0) == 1.0
    assert poisson_sf(1, 2.0) == pytest.approx(1 - math.exp(-2.0))
    assert poisson_sf(3, 1.5) == pytest.approx(
        1 - math.exp(-1.5) * (1 + 1.5 + 1.5 ** 2 / 2))
    assert 0 < poisson_sf(80, 14.0) < 1e-20            # far tail: no cancellation to 0
    scipy_stats = pytest.importorskip("scipy.stats")
    for k, lam in ((5, 2.0), (20, 14.0), (60, 14.0), (9, 9.0)):
        assert poisson_sf(k, lam) == pytest.approx(scipy_stats.poisson.sf(k - 1, lam),
                                                   rel=1e-9)


@pytest.mark.parametrize("method", ["poisson", "ewma"])
def test_surge_fires(surge_counts, method):
    evs = as_dicts(series(surge_counts))
    as_of = START + timedelta(days=N_BASE + WINDOW - 1)
    alerts = detect_surges(evs, as_of, SurgeConfig(method=method), data_start=START)
    assert {a.reason["level"] for a in alerts} == {"admin1", "admin2"}
    a = next(a for a in alerts if a.reason["level"] == "admin2")
    in_window = sum(surge_counts[-WINDOW:])
    assert a.kind == "surge" and a.event_type == "Battles" and a.admin2 == "Mogadishu"
    assert a.reason["count"] == in_window == len(a.events) == len(a.event_ids)
    assert a.reason["baseline_count"] == sum(surge_counts[:N_BASE])
    assert a.reason["p_value"] < 0.001 and a.reason["rate_ratio"] > 2
    assert all(e["event_date"] >= a.window_start for e in a.events)
    assert "Mogadishu" in a.why and "expected" in a.why and "P(X >=" in a.why


@pytest.mark.parametrize("method", ["poisson", "ewma"])
def test_steady_series_same_mean_stays_quiet(surge_counts, method):
    mean = sum(surge_counts) / len(surge_counts)          # the surge series' own mean
    rng = random.Random(1234)
    n_windows = 20
    counts = [poisson(rng, mean) for _ in range(N_BASE + n_windows * WINDOW)]
    evs = as_dicts(series(counts))
    fired = []
    for w in range(n_windows):
        as_of = START + timedelta(days=N_BASE + (w + 1) * WINDOW - 1)
        fired += detect_surges(evs, as_of, SurgeConfig(method=method), data_start=START)
    assert fired == []


def test_min_count_and_short_history():
    # a jump from 0 to 3: below the minimum count
    evs = as_dicts(series([0] * 56 + [1, 0, 1, 0, 1, 0, 0]))
    assert detect_surges(evs, START + timedelta(days=62), data_start=START) == []
    # a surge with less than one window of history is not tested
    evs = as_dicts(series([1, 1, 1, 9, 9, 9, 9, 9, 9, 9]))
    assert detect_surges(evs, START + timedelta(days=9), data_start=START) == []


# ---------------------------------------------------------------------- watchlists
def test_watchlist_radius_and_criteria():
    day = START + timedelta(days=3)
    pairs = [make_events(day, 1, tag="mog", point=MOGADISHU),
             make_events(day, 1, tag="afg", point=AFGOOYE, admin2="Afgooye",
                         admin1="Lower Shabelle"),
             make_events(day, 1, tag="bai", point=BAIDOA, admin2="Baidoa", admin1="Bay",
                         actor1="Military Forces of Somalia", event_type="Protests",
                         sub="Peaceful protest")]
    evs = as_dicts(pairs)
    assert 20 < haversine_km(*MOGADISHU, *AFGOOYE) < 30
    wl = [{"name": "capital", "point": {"lat": MOGADISHU[0], "lon": MOGADISHU[1],
                                        "radius_km": 50}},
          {"name": "tight", "point": {"lat": MOGADISHU[0], "lon": MOGADISHU[1],
                                      "radius_km": 5}},
          {"name": "army", "actor": "military forces"},
          {"name": "bay protests", "admin1": "bay", "event_type": "Protests"},
          {"name": "nothing", "country": "Kenya"},
          {"name": "old", "point": {"lat": MOGADISHU[0], "lon": MOGADISHU[1],
                                    "radius_km": 50}, "min_count": 3}]
    got = {a.name: a for a in match_watchlists(evs, wl, START + timedelta(days=5))}
    assert set(got) == {"capital", "tight", "army", "bay protests"}
    assert {e["admin2"] for e in got["capital"].events} == {"Mogadishu", "Afgooye"}
    assert [e["admin2"] for e in got["tight"].events] == ["Mogadishu"]
    afg = next(e for e in got["capital"].events if e["admin2"] == "Afgooye")
    assert 20 < afg["distance_km"] < 30 and "km" in got["capital"].why
    assert [e["admin2"] for e in got["army"].events] == ["Baidoa"]
    # outside the window: nothing
    assert match_watchlists(evs, wl, START + timedelta(days=30)) == []


def test_load_watchlists(tmp_path):
    p = tmp_path / "w.yaml"
    p.write_text("watchlists:\n  - name: capital\n    point: {lat: 2.05, lon: 45.32, "
                 "radius_km: 30}\n  - name: shabaab\n    actor: Shabaab\n", encoding="utf-8")
    assert [w["name"] for w in load_watchlists(p)] == ["capital", "shabaab"]
    p.write_text('[{"name": "x"}]', encoding="utf-8")
    with pytest.raises(ValueError, match="no criterion"):
        load_watchlists(p)
    p.write_text('[{"name": "x", "point": {"lat": 2}}]', encoding="utf-8")
    with pytest.raises(ValueError, match="radius_km"):
        load_watchlists(p)


# ---------------------------------------------------------------------- through the store
@pytest.fixture()
def surge_store(tmp_path, surge_counts):
    store = Store(str(tmp_path / "alerts.db"))
    for doc, evs in series(surge_counts):
        store.save(doc, evs)
    yield store
    store.close()


def test_run_alerts_jsonl_and_idempotent(surge_store, tmp_path):
    feed = tmp_path / "alerts.jsonl"
    wl = [{"name": "capital", "point": {"lat": 2.05, "lon": 45.32, "radius_km": 30}}]
    run = run_alerts(surge_store, watchlists=wl, jsonl=feed)
    assert run.as_of == (START + timedelta(days=N_BASE + WINDOW - 1)).isoformat()
    assert sorted(a.kind for a in run.new) == ["surge", "surge", "watch"]
    lines = [json.loads(x) for x in feed.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3
    surge = next(x for x in lines if x["kind"] == "surge")
    assert surge["event_ids"] and surge["reason"]["p_value"] < 0.001
    assert surge["events"][0]["doc_url"].startswith("https://example.org/")
    assert "expected" in surge["why"]
    # the same run again: nothing new, nothing appended
    again = run_alerts(surge_store, watchlists=wl, jsonl=feed)
    assert again.new == [] and len(again.repeated) == 3
    assert len(feed.read_text(encoding="utf-8").splitlines()) == 3
    # the next day: the surge series is not re-alerted inside its window
    nxt = run_alerts(surge_store, as_of=START + timedelta(days=N_BASE + WINDOW), jsonl=feed)
    assert [a for a in nxt.new if a.kind == "surge"] == [] and nxt.suppressed
    # a new matching event fires the watchlist again, carrying it as new
    doc, evs = make_events(START + timedelta(days=N_BASE + WINDOW - 1), 1, tag="late")
    surge_store.save(doc, evs)
    late = run_alerts(surge_store, watchlists=wl, surges=False)
    assert [a.kind for a in late.new] == ["watch"]
    assert late.new[0].reason["new_event_ids"] == [evs[0].id]
    shown = recent_alerts(surge_store)
    assert len(shown) == 4 and all(s["fired_at"] for s in shown)


# ---------------------------------------------------------------------- webhook
class _Hook(BaseHTTPRequestHandler):
    fail_first = 1
    requests: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server API
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        cls = type(self)
        cls.requests.append(json.loads(body))
        if len(cls.requests) <= cls.fail_first:
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"try again")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):
        pass


@pytest.fixture()
def hook_server():
    handler = type("Hook", (_Hook,), {"requests": [], "fail_first": 1})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, handler
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_webhook_retried_after_one_failure(surge_store, hook_server):
    server, handler = hook_server
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    run = run_alerts(surge_store, webhook=url, backoff=0.01, timeout=5,
                     surge=SurgeConfig(levels=("admin2",)))
    assert len(run.new) == 1
    (d,) = run.deliveries.values()
    assert d.ok and d.attempts == 2 and d.status == 200
    assert len(handler.requests) == 2 and handler.requests[0] == handler.requests[1]
    sent = handler.requests[1]
    assert sent["id"] == run.new[0].id and sent["event_ids"] and "why" in sent
    assert sent["reason"]["count"] == len(sent["events"])
    assert recent_alerts(surge_store)[0]["delivered_at"]
    # delivered: never posted again
    again = run_alerts(surge_store, webhook=url, backoff=0.01,
                       surge=SurgeConfig(levels=("admin2",)))
    assert again.deliveries == {} and len(handler.requests) == 2


def test_webhook_failure_is_retried_next_run(surge_store, hook_server):
    server, handler = hook_server
    handler.fail_first = 10
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    cfg = SurgeConfig(levels=("admin1",))
    run = run_alerts(surge_store, webhook=url, retries=1, backoff=0.01, surge=cfg)
    (d,) = run.deliveries.values()
    assert not d.ok and d.attempts == 2 and d.error == "HTTP 500" and run.delivery_failed
    handler.fail_first = 0
    nxt = run_alerts(surge_store, webhook=url, retries=1, backoff=0.01, surge=cfg)
    assert nxt.new == [] and [x.ok for x in nxt.deliveries.values()] == [True]


def test_webhook_unreachable_gives_up(surge_store):
    from sitrep.watch import post_json

    d = post_json("http://127.0.0.1:9/hook", {"x": 1}, retries=2, backoff=0.0, timeout=1)
    assert not d.ok and d.attempts == 3 and d.status is None and d.error
    assert not post_json("file:///etc/passwd", {}).ok


# ---------------------------------------------------------------------- command line
def test_cli_alerts(surge_store, tmp_path):
    app = typer.Typer()
    register(app)

    @app.command("noop")          # a second command keeps `alerts` a subcommand
    def _noop():
        pass

    wl = tmp_path / "w.json"
    wl.write_text(json.dumps([{"name": "banaadir battles", "admin1": "Banaadir",
                               "event_type": "Battles", "min_count": 5}]), encoding="utf-8")
    feed = tmp_path / "feed.jsonl"
    args = ["alerts", "--db", surge_store.url.removeprefix("sqlite:///"), "--watchlist",
            str(wl), "--jsonl", str(feed), "--min-count", "5", "--p-value", "0.001"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "3 new alert(s)" in r.output and "banaadir battles" in r.output
    assert len(feed.read_text(encoding="utf-8").splitlines()) == 3
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0 and "0 new alert(s); 3 already sent" in r.output
    r = CliRunner().invoke(app, ["alerts", "--db", "x.db", "--method", "zscore"])
    assert r.exit_code != 0


def test_watchlists_take_a_datetime_or_a_string_as_of():
    """as_of and event dates go through the one date coercion (models.as_date): a datetime
    (what a caller holding a timestamp passes) is its calendar day, not a TypeError."""
    from datetime import datetime

    evs = as_dicts([make_events(START + timedelta(days=3), 2, tag="mog", point=MOGADISHU)])
    wl = [{"name": "capital", "point": {"lat": MOGADISHU[0], "lon": MOGADISHU[1],
                                        "radius_km": 50}}]
    day = START + timedelta(days=5)
    as_str = match_watchlists(evs, wl, day.isoformat())
    as_dt = match_watchlists(evs, wl, datetime(day.year, day.month, day.day, 18, 30))
    assert [len(a.events) for a in as_str] == [len(a.events) for a in as_dt] == [2]
    with pytest.raises(ValueError, match="not a date"):
        match_watchlists(evs, wl, "someday")
