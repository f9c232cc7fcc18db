"""The dataset a user sees is the deduplicated one: forty copies of one article (syndicated:
the same text, each with its own URL and a partner line) are one row per incident in `sitrep
events`, `sitrep export`, the API and the dashboard (real headless Chromium), and raise no
surge alert; the per-report rows are there on request (`--reports`, `?level=reports`)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sitrep.store import Store

# Our own article: three incidents on one day (a battle near Gao, an arrest of protesters in
# Bamako, a roadside bomb on a UN convoy between Kidal and Aguelhok).
ARTICLE = """Militants storm army post near Gao as clashes spread in northern Mali

Jihadist fighters of the Islamic State Sahel Province attacked an army post in the village \
of Tin-Hama near Gao on Tuesday, killing four soldiers, the Malian army said.

The assault began before dawn and lasted several hours, according to a local official. Two \
other soldiers were wounded.

In a separate incident on Tuesday, police in Bamako arrested eleven people during a protest \
against rising fuel prices outside the national assembly.

Also on Tuesday, a roadside bomb struck a UN convoy on the road between Kidal and Aguelhok, \
wounding three peacekeepers, the UN mission said."""
COPIES = 40
INCIDENTS = 3


def copies_jsonl(path: Path, n: int = COPIES) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            body = ARTICLE + f"\n\nDistributed by Sahel Wire partner desk number {i + 1}."
            fh.write(json.dumps({"url": f"https://outlet{i}.example.org/mali-gao-attack",
                                 "title": "Militants storm army post near Gao",
                                 "published": "2022-03-10", "text": body}) + "\n")
    return path


def run(*args):
    return subprocess.run([sys.executable, "-m", "sitrep.cli", *args], capture_output=True,
                          text=True, env=dict(os.environ, COLUMNS="200"), timeout=600)


@pytest.fixture(scope="module")
def copies_db(tmp_path_factory):
    d = tmp_path_factory.mktemp("copies")
    db = d / "copies.db"
    r = run("extract", str(copies_jsonl(d / "copies.jsonl")), "--db", str(db), "--quiet")
    assert r.returncode == 0, r.stderr
    with Store(db) as st:
        n = st.counts()
    assert n["documents"] == COPIES and n["events"] == COPIES * INCIDENTS   # 120 reports
    return db


def _csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_events_shows_one_row_per_incident(copies_db):
    r = run("events", "--db", str(copies_db), "--format", "json", "--limit", "0")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert len(rows) == INCIDENTS
    assert sorted(e["event_type"] for e in rows) == [
        "Battles", "Explosions/Remote violence", "Protests"]
    assert all(e["n_sources"] == COPIES for e in rows)
    table = run("events", "--db", str(copies_db), "--sources")
    assert table.returncode == 0 and f"{INCIDENTS} events" in table.stdout
    assert f"{COPIES} sources" in table.stdout
    per_report = run("events", "--db", str(copies_db), "--reports", "--format", "json",
                     "--limit", "0")
    assert len(json.loads(per_report.stdout)) == COPIES * INCIDENTS


def test_export_is_incidents_unless_reports_are_asked_for(copies_db):
    r = run("export", "--db", str(copies_db), "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = _csv_rows(r.stdout)
    assert len(rows) == INCIDENTS
    assert len({row["event_id_cnty"] for row in rows}) == INCIDENTS
    old = run("export", "--db", str(copies_db), "--format", "csv", "--merged")  # old scripts
    assert old.returncode == 0 and _csv_rows(old.stdout) == rows
    gj = json.loads(run("export", "--db", str(copies_db), "--format", "geojson").stdout)
    assert len(gj["features"]) == INCIDENTS
    reports = run("export", "--db", str(copies_db), "--format", "csv", "--reports")
    assert len(_csv_rows(reports.stdout)) == COPIES * INCIDENTS
    both = run("export", "--db", str(copies_db), "--merged", "--reports")
    assert both.returncode == 2 and "Traceback" not in both.stderr


def test_api_lists_incidents_and_reports_on_request(copies_db):
    from starlette.testclient import TestClient

    from sitrep.api import create_app

    store = Store(copies_db)
    c = TestClient(create_app(store=store, token="t"), client=("127.0.0.1", 40000),
                   base_url="http://127.0.0.1:8000")
    try:
        data = c.get("/api/events").json()
        assert data["total"] == INCIDENTS and len(data["events"]) == INCIDENTS
        assert {e["n_sources"] for e in data["events"]} == {COPIES}
        assert c.get("/api/events", params={"format": "points"}).json()["returned"] == INCIDENTS
        assert len(_csv_rows(c.get("/api/events", params={"format": "csv"}).text)) == INCIDENTS
        assert c.get("/api/stats").json()["total"] == INCIDENTS
        reports = c.get("/api/events", params={"level": "reports", "limit": 1000}).json()
        assert reports["total"] == COPIES * INCIDENTS
        one = c.get(f"/api/events/{data['events'][0]['id']}").json()
        assert one["level"] == "incident" and len(one["reports"]) == COPIES
        assert len(one["documents"]) == COPIES
        meta = c.get("/api/meta").json()["counts"]
        assert meta["incidents"] == INCIDENTS and meta["events"] == COPIES * INCIDENTS
        assert meta["unmerged_reports"] == 0
    finally:
        store.close()


def test_forty_copies_raise_no_surge(copies_db, tmp_path):
    import shutil

    from sitrep.watch import run_alerts
    from sitrep.watch.detect import SurgeConfig, detect_surges

    db = tmp_path / "alerts.db"
    shutil.copy(copies_db, db)
    with Store(db) as st:
        run = run_alerts(st)
        assert run.new == [] and run.n_events == INCIDENTS
        # counted per report, the same store would alert: the test can fail
        reports = list(st.iter_events())
        assert detect_surges(reports, run.as_of, SurgeConfig())
    r = subprocess.run([sys.executable, "-m", "sitrep.cli", "alerts", "--db", str(db)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "0 new alert(s)" in r.stdout
    assert f"{INCIDENTS} incidents read" in " ".join(r.stdout.split())


def test_unmerged_reports_count_as_incidents_of_their_own(tmp_path, pipeline):
    """A store never merged still alerts (each report its own incident), and `events`
    says what it does not show."""
    from sitrep.ingest import iter_documents
    from sitrep.watch.alerts import load_events

    db = tmp_path / "raw.db"
    with Store(db) as st:
        for doc in iter_documents([str(copies_jsonl(tmp_path / "c.jsonl", 2))]):
            st.save(doc, pipeline.run(doc))
        from datetime import date

        evs = load_events(st, date(2022, 1, 1), date(2022, 12, 31))
        assert len(evs) == 2 * INCIDENTS and {e["n_sources"] for e in evs} == {1}
    r = run("events", "--db", str(db))
    assert r.returncode == 0 and "not merged yet" in r.stderr and "--reports" in r.stderr


# ---------------------------------------------------------------------- the dashboard
def test_dashboard_shows_one_marker_and_row_per_incident(copies_db):
    dash = pytest.importorskip("test_dashboard")
    sync_api = dash.sync_api
    from sitrep.api import create_app

    store = Store(copies_db)
    try:
        with dash.running(create_app(store=store, token="t")) as base, \
                sync_api.sync_playwright() as p:
            b = p.chromium.launch(executable_path=dash.CHROMIUM, args=dash.ARGS, headless=True)
            pg = b.new_page(viewport={"width": 1440, "height": 900})
            pg.goto(base + "/")
            pg.wait_for_selector("body[data-ready='1']", timeout=20000)
            pg.wait_for_selector("body[data-map-ready='1']", timeout=20000)
            assert pg.evaluate("document.body.dataset.markers") == str(INCIDENTS)
            assert pg.evaluate("document.body.dataset.listTotal") == str(INCIDENTS)
            assert pg.locator("tr.event-row").count() == INCIDENTS
            srcs = pg.locator("tr.event-row td.src").all_inner_texts()
            assert srcs == [str(COPIES)] * INCIDENTS
            assert "3 incidents" in pg.inner_text("#summary")
            b.close()
    finally:
        store.close()


def test_incidents_api_on_postgresql(tmp_path, pipeline):
    """The same incident-level reads, filters (through the trigram indexes when pg_trgm may
    be created), trends and alerts on PostgreSQL."""
    import conftest_pg
    from starlette.testclient import TestClient

    from sitrep.api import create_app
    from sitrep.ingest import iter_documents
    from sitrep.merge import merge_documents

    with conftest_pg.pg_schema_url(conftest_pg.require_pg()) as url:
        store = Store(url)
        try:
            for doc in iter_documents([str(copies_jsonl(tmp_path / "c.jsonl", 5))]):
                store.save(doc, pipeline.run(doc))
            merge_documents(store)
            c = TestClient(create_app(store=store, token="t"), client=("127.0.0.1", 40000),
                           base_url="http://127.0.0.1:8000")
            data = c.get("/api/events").json()
            assert data["total"] == INCIDENTS and {e["n_sources"] for e in data["events"]} == {5}
            assert c.get("/api/events", params={"level": "reports"}).json()["total"] == 15
            assert c.get("/api/events", params={"q": "bamako"}).json()["total"] == 1
            assert c.get("/api/events", params={"actor": "mali"}).json()["total"] >= 1
            assert c.get("/api/trends").json()["total"] == INCIDENTS
            assert c.get("/api/alerts").json()["incidents_read"] == INCIDENTS
            one = c.get(f"/api/events/{data['events'][0]['id']}").json()
            assert len(one["reports"]) == 5
        finally:
            store.close()


def test_a_corrected_incident_keeps_its_correction_when_a_new_copy_joins(copies_db, tmp_path):
    import shutil

    from starlette.testclient import TestClient

    from sitrep.api import create_app
    from sitrep.merge import canonical_events

    db = tmp_path / "review.db"
    shutil.copy(copies_db, db)
    store = Store(db)
    c = TestClient(create_app(store=store, token="t"), client=("127.0.0.1", 40000),
                   base_url="http://127.0.0.1:8000")
    battle = c.get("/api/events", params={"event_type": "Battles"}).json()["events"][0]
    r = c.post(f"/api/events/{battle['id']}/review", headers={"Authorization": "Bearer t"},
               json={"action": "correct", "fields": {"fatalities": 9}})
    assert r.status_code == 200 and r.json()["event"]["fatalities"] == 9
    store.close()
    extra = tmp_path / "late.jsonl"
    copies_jsonl(extra, COPIES + 1)
    late = extra.read_text(encoding="utf-8").splitlines()[-1]
    extra.write_text(late + "\n", encoding="utf-8")
    r = run("extract", str(extra), "--db", str(db), "--quiet")
    assert r.returncode == 0, r.stderr
    with Store(db) as st:
        (inc,) = list(canonical_events(st, event_type="Battles"))
    assert inc["n_sources"] == COPIES + 1 and inc["fatalities"] == 9


def test_watch_keeps_a_stored_documents_date_and_merges(tmp_path, pipeline):
    """`sitrep watch` on an undated copy of a document stored with its date: the events keep
    the stored date (not re-dated to today: a false surge in the current window), and what
    watch stores is merged into incidents."""
    from datetime import date

    from sitrep.ingest import make_document
    from sitrep.ingest.poll import poll_source

    text = ("Gunmen kill three villagers near Gao\n\nGunmen killed three villagers in the "
            "village of Tin-Hama near Gao, Mali, yesterday, a local official said.")
    db = tmp_path / "w.db"
    with Store(db) as st:
        doc = make_document(text, path="a.txt", published=date(2021, 5, 4))
        st.save(doc, pipeline.run(doc))
        (before,) = [e["event_date"] for e in st.iter_events()]
        assert before == "2021-05-03"
        copy = tmp_path / "copy.txt"              # the same text, no date anywhere
        copy.write_text(text, encoding="utf-8")
        r = poll_source(str(copy), st, pipeline)
        assert r.ok and r.seen_before == 0
        assert [e["event_date"] for e in st.iter_events()] == ["2021-05-03"]
    feed = tmp_path / "feed.txt"
    feed.write_text(ARTICLE, encoding="utf-8")
    r = run("watch", str(feed), "--once", "--db", str(db), "--published", "2022-03-10")
    assert r.returncode == 0, r.stderr
    events = run("events", "--db", str(db), "--format", "json", "--limit", "0")
    assert "not merged" not in events.stderr
    assert len(json.loads(events.stdout)) == 1 + INCIDENTS
