"""`sitrep bench serve`: latency of GET /api/events on a 100k-incident store, and the time
to the dashboard's first map render in headless Chromium.

The store holds real pipeline output (bench corpus documents coded by the pipeline) copied
out to ``SITREP_BENCH_SERVE_EVENTS`` events (default 100,000) with shifted dates and jittered
coordinates, each copy an incident of its own (what the API and dashboard list by default).
The server runs as a separate ``sitrep serve`` process; requests go over HTTP.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..bench import BenchContext, build_corpus, register, sitrep_command

N_EVENTS = int(os.environ.get("SITREP_BENCH_SERVE_EVENTS", "100000"))
BASE_DOCS = 200
REPEAT = 25
CHROMIUM = os.environ.get("SITREP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _pct(xs: list[float], p: float) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return round(s[k] * 1000, 2)


def seed_store(path: Path, n_events: int, ctx: BenchContext) -> dict[str, Any]:
    """Pipeline output on BASE_DOCS corpus documents, copied out to n_events events."""
    from sqlalchemy import insert, select

    from ..export import event_id_cnty
    from ..store import Store
    from ..store.schema import event_evidence, event_sources, events

    store = Store(path)
    docs = build_corpus(min(BASE_DOCS, max(1, ctx.n_docs)), ctx.seed)
    pipe = ctx.pipeline
    n_base = 0
    for d in docs:
        evs = pipe.run(d)
        store.save(d, evs)
        n_base += len(evs)
    rng = random.Random(f"sitrep-bench-serve:{ctx.seed}")
    with store.engine.begin() as conn:
        base = [dict(r) for r in conn.execute(select(events)).mappings()]
        evid: dict[str, list[dict]] = {}
        for r in conn.execute(select(event_evidence)).mappings():
            evid.setdefault(r["event_id"], []).append(
                {k: v for k, v in r.items() if k not in ("pk", "event_id")})
        srcs: dict[str, list[dict]] = {}
        for r in conn.execute(select(event_sources)).mappings():
            srcs.setdefault(r["event_id"], []).append(
                {k: v for k, v in r.items() if k not in ("pk", "event_id")})
        todo = n_events - len(base)
        batch_e, batch_v, batch_s = [], [], []
        start = date(2018, 1, 1)
        for i in range(max(0, todo)):
            b = base[rng.randrange(len(base))]
            eid = f"b{i:015x}"
            row = dict(b)
            day = start + timedelta(days=rng.randrange(6 * 365))
            row.update(id=eid, event_id_cnty=event_id_cnty(eid, b["country_code"]),
                       event_date=day.isoformat(), year=day.year,
                       fatalities=rng.choice([0, 0, 0, 1, 2, 3, 5, 12]))
            if b["latitude"] is not None:
                row["latitude"] = max(-89.9, min(89.9, b["latitude"] + rng.uniform(-1, 1)))
                row["longitude"] = max(-179.9, min(179.9, b["longitude"] + rng.uniform(-1, 1)))
            batch_e.append(row)
            batch_v.extend({**e, "event_id": eid} for e in evid.get(b["id"], []))
            batch_s.extend({**s, "event_id": eid} for s in srcs.get(b["id"], []))
            if len(batch_e) >= 5000:
                conn.execute(insert(events), batch_e)
                conn.execute(insert(event_evidence), batch_v)
                if batch_s:
                    conn.execute(insert(event_sources), batch_s)
                batch_e, batch_v, batch_s = [], [], []
        if batch_e:
            conn.execute(insert(events), batch_e)
            if batch_v:
                conn.execute(insert(event_evidence), batch_v)
            if batch_s:
                conn.execute(insert(event_sources), batch_s)
    n_inc = seed_incidents(store)
    counts = store.counts()
    store.close()
    return {"base_docs": len(docs), "base_events": n_base, **counts, "incidents": n_inc}


def seed_incidents(store) -> int:
    """Every stored event as an incident of its own (one report, its sources), written
    straight to the merge tables: the merge stage's clustering is not what is measured."""
    from datetime import UTC, datetime

    from sqlalchemy import func, insert, select

    from ..merge.schema import CANONICAL_FIELDS, create_merge_tables
    from ..merge.schema import canonical_events as ce
    from ..merge.schema import event_reports as er
    from ..models import disorder_type
    from ..store.schema import event_sources, events

    create_merge_tables(store.engine)
    now = datetime.now(UTC)
    n = 0
    with store.engine.begin() as conn:
        n_src = dict(conn.execute(select(event_sources.c.event_id,
                                         func.count(func.distinct(event_sources.c.doc_id)))
                                  .group_by(event_sources.c.event_id)).all())
        batch_c, batch_r = [], []
        for r in conn.execute(select(events)).mappings():
            row = {k: r[k] for k in CANONICAL_FIELDS if k in r}
            row.update(id=r["id"], n_sources=max(1, n_src.get(r["id"], 1)), n_reports=1,
                       n_documents=1, roles="{}", created_at=now, updated_at=now,
                       disorder_type=r.get("disorder_type") or disorder_type(
                           r["event_type"] or "", r["sub_event_type"] or ""))
            for k in CANONICAL_FIELDS:
                if row.get(k) is None and not ce.c[k].nullable:
                    row[k] = ""
            batch_c.append(row)
            batch_r.append({"event_id": r["id"], "canonical_id": r["id"], "doc_id": r["doc_id"],
                            "role": "report", "outlet": r["source"] or "", "score": None,
                            "added_at": now})
            if len(batch_c) >= 5000:
                conn.execute(insert(ce), batch_c)
                conn.execute(insert(er), batch_r)
                n += len(batch_c)
                batch_c, batch_r = [], []
        if batch_c:
            conn.execute(insert(ce), batch_c)
            conn.execute(insert(er), batch_r)
            n += len(batch_c)
    return n


def _start_server(db: Path, port: int, token: str) -> subprocess.Popen:
    env = {**os.environ, "SITREP_TOKEN": token}
    env.pop("SITREP_PUBLIC_READ", None)
    return subprocess.Popen(sitrep_command() + ["serve", "--db", str(db), "--port", str(port),
                                                "--log-level", "warning"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_render_ms(base: str) -> tuple[float | None, float | None, str | None]:
    """(window.__sitrepFirstRender, wall ms to it, reason if skipped) in headless Chromium."""
    if not Path(CHROMIUM).exists():
        return None, None, f"{CHROMIUM} not found"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None, None, "playwright is not installed"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            pg = b.new_page(viewport={"width": 1440, "height": 900})
            t0 = time.perf_counter()
            pg.goto(base + "/")
            end = time.monotonic() + 120
            while pg.evaluate("window.__sitrepFirstRender") is None:
                if time.monotonic() > end:
                    return None, None, "no first render within 120 s"
                time.sleep(0.02)
            wall = (time.perf_counter() - t0) * 1000
            return round(pg.evaluate("window.__sitrepFirstRender"), 1), round(wall, 1), None
        finally:
            b.close()


@register("serve")
def bench_serve(ctx: BenchContext) -> dict[str, Any]:
    """GET /api/events latency (p50/p95, a dashboard-like query mix) on N_EVENTS incidents,
    and the time to the first map render in Chromium."""
    import httpx

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "serve.db"
        ctx.log(f"serve: seeding a store with {N_EVENTS:,} events")
        t = time.perf_counter()
        out.update(seed_store(db, N_EVENTS, ctx))
        out["seed_s"] = round(time.perf_counter() - t, 1)
        port = _free_port()
        proc = _start_server(db, port, "bench-token")
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=60) as c:
                t = time.perf_counter()
                while True:
                    try:
                        if c.get("/api/meta").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if proc.poll() is not None or time.perf_counter() - t > 120:
                        raise RuntimeError("sitrep serve did not start: "
                                           + (proc.stderr.read().decode()[-500:]
                                              if proc.poll() is not None else "timeout"))
                    time.sleep(0.1)
                out["server_start_s"] = round(time.perf_counter() - t, 2)
                sample = c.get("/api/events", params={"limit": 1}).json()["events"][0]
                country = sample["country"] or "Syria"
                queries: dict[str, dict] = {
                    "page": {"limit": 50},
                    "type": {"limit": 50, "event_type": "Battles"},
                    "type_dates": {"limit": 50, "event_type": "Explosions/Remote violence",
                                   "date_from": "2020-01-01", "date_to": "2020-06-30"},
                    "country": {"limit": 50, "country": country},
                    "actor": {"limit": 50, "actor": "islamic state"},
                    "bbox": {"limit": 50, "bbox": "35,29,49,38"},
                    "text": {"limit": 50, "q": "checkpoint"},
                    "min_sources": {"limit": 50, "min_sources": 2},
                    "deep_page": {"limit": 50, "offset": 5000},
                    "evidence": {"limit": 50, "include": "evidence,sources"},
                }
                for params in queries.values():            # warm-up
                    c.get("/api/events", params=params)
                lat: dict[str, list[float]] = {k: [] for k in queries}
                for _ in range(REPEAT):
                    for name, params in queries.items():
                        t = time.perf_counter()
                        r = c.get("/api/events", params=params)
                        lat[name].append(time.perf_counter() - t)
                        r.raise_for_status()
                every = [x for xs in lat.values() for x in xs]
                out.update(events_requests=len(every), events_p50_ms=_pct(every, 50),
                           events_p95_ms=_pct(every, 95), events_max_ms=_pct(every, 100))
                for name, xs in lat.items():
                    out[f"p95_{name}_ms"] = _pct(xs, 95)

                def timed(path, params, k=5):
                    xs = []
                    for _ in range(k):
                        t = time.perf_counter()
                        c.get(path, params=params).raise_for_status()
                        xs.append(time.perf_counter() - t)
                    return _pct(xs, 50)

                out["points_all_p50_ms"] = timed("/api/events", {"format": "points"})
                out["density_all_p50_ms"] = timed("/api/events", {"format": "density"})
                out["stats_day_p50_ms"] = timed("/api/stats", {"group": "day"})
                out["stats_all_p50_ms"] = timed("/api/stats", {})
                out["trends_p50_ms"] = timed("/api/trends", {})
                out["alerts_p50_ms"] = timed("/api/alerts", {})
                out["event_detail_p50_ms"] = timed(f"/api/events/{sample['id']}", {}, 20)
            ctx.log("serve: first map render in Chromium")
            fr, wall, why = first_render_ms(base)
            out.update(first_render_ms=fr, first_render_wall_ms=wall, first_render_skipped=why)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    out["targets"] = "events p95 < 100 ms; first render < 2000 ms"
    out["median_of_p95s_ms"] = statistics.median(
        [v for k, v in out.items() if k.startswith("p95_") and v is not None])
    return out


if __name__ == "__main__":  # pragma: no cover
    sys.exit(0)
