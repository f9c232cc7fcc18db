"""The HTTP API on a real SQLite store seeded by running the pipeline on the bundled example
articles (plus one hostile article). Reads, filters, formats, auth and reviews."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import warnings

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from sitrep.export import COLUMNS
from sitrep.store import Store

warnings.filterwarnings("ignore", message=".*starlette.testclient.*")

from starlette.testclient import TestClient  # noqa: E402

from sitrep.api import create_app  # noqa: E402
from sitrep.api.fixtures import seed_examples  # noqa: E402

TOKEN = "test-token-123"
LOCAL = ("127.0.0.1", 40000)


@pytest.fixture(scope="module")
def template_db(tmp_path_factory, pipeline):
    path = tmp_path_factory.mktemp("api") / "seed.db"
    store = Store(path)
    info = seed_examples(store, pipeline)
    store.close()
    return path, info


def _copy(src, dst):
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)


@pytest.fixture
def db(template_db, tmp_path):
    path = tmp_path / "api.db"
    _copy(template_db[0], path)
    return path


def client_for(store, client=LOCAL, **kw) -> TestClient:
    kw.setdefault("token", TOKEN)
    app = create_app(store=store, **kw)
    return TestClient(app, client=client, base_url="http://127.0.0.1:8000")


@pytest.fixture
def api(db):
    store = Store(db)
    c = client_for(store)
    yield c
    store.close()


@pytest.fixture(scope="module")
def ro(template_db, tmp_path_factory):
    """A read-only client shared by the read tests (nothing in them writes)."""
    path = tmp_path_factory.mktemp("ro") / "ro.db"
    _copy(template_db[0], path)
    store = Store(path)
    yield client_for(store)
    store.close()


def all_events(c, **params):
    params = {"limit": 1000, **params}
    r = c.get("/api/events", params=params)
    assert r.status_code == 200, r.text
    return r.json()


AUTH = {"Authorization": f"Bearer {TOKEN}"}


# ------------------------------------------------------------------ reads
def test_events_page_and_total(ro, template_db):
    data = all_events(ro)
    info = template_db[1]
    assert data["total"] == info["incidents"] >= 50                 # merged incidents
    reports = all_events(ro, level="reports")
    assert reports["total"] == info["events"] > info["incidents"]
    assert len(data["events"]) == data["total"]
    dates = [e["event_date"] for e in data["events"]]
    assert dates == sorted(dates, reverse=True)             # newest first by default
    first = ro.get("/api/events", params={"limit": 10, "sort": "date"}).json()
    second = ro.get("/api/events", params={"limit": 10, "offset": 10, "sort": "date"}).json()
    assert len(first["events"]) == 10 and first["total"] == data["total"]
    assert not {e["id"] for e in first["events"]} & {e["id"] for e in second["events"]}
    e = first["events"][0]
    for k in ("id", "event_id_cnty", "event_type", "sub_event_type", "actor1", "latitude",
              "n_sources", "review_status", "doc_title"):
        assert k in e
    assert ro.get("/api/events", params={"limit": 5000}).json()["limit"] == 1000


def _pick(events, key):
    vals = [e[key] for e in events if e[key]]
    assert vals, key
    return max(set(vals), key=vals.count)


@pytest.mark.parametrize("key,param", [
    ("event_type", "event_type"), ("sub_event_type", "sub_event_type"),
    ("country", "country"), ("admin1", "admin1"), ("claim_status", "claim_status"),
])
def test_filter_exact_fields(ro, key, param):
    evs = all_events(ro)["events"]
    value = _pick(evs, key)
    got = all_events(ro, **{param: value})
    assert got["total"] == sum(1 for e in evs if e[key] == value) > 0
    assert all(e[key] == value for e in got["events"])


def test_filter_several_types_country_code_actor_text(ro):
    evs = all_events(ro)["events"]
    two = all_events(ro, event_type=["Battles", "Protests"])
    assert two["total"] == sum(e["event_type"] in ("Battles", "Protests") for e in evs)
    syr = all_events(ro, country="SY")
    assert syr["total"] > 0 and all(e["country"] == "Syria" for e in syr["events"])
    act = all_events(ro, actor="islamic state")
    assert act["total"] > 0
    assert all("islamic state" in " ".join([e["actor1"], e["actor2"], e["assoc_actor_1"],
                                            e["assoc_actor_2"]]).lower() for e in act["events"])
    q = all_events(ro, q="kunduz")
    assert q["total"] > 0
    assert all("kunduz" in json.dumps(e).lower() for e in q["events"])
    assert all_events(ro, q="zzz-no-such-text-%_")["total"] == 0


def test_filter_dates_bbox_min_sources(ro):
    evs = [e for e in all_events(ro)["events"] if e["event_date"]]
    days = sorted(e["event_date"] for e in evs)
    lo, hi = days[len(days) // 4], days[3 * len(days) // 4]
    got = all_events(ro, date_from=lo, date_to=hi)
    assert got["total"] == sum(lo <= d <= hi for d in days) > 0
    assert all(lo <= e["event_date"] <= hi for e in got["events"])
    # Syria and Iraq, roughly
    box = all_events(ro, bbox="35,29,49,38")
    assert box["total"] > 0
    assert all(29 <= e["latitude"] <= 38 and 35 <= e["longitude"] <= 49 for e in box["events"])
    assert all_events(ro, min_sources=1)["total"] == all_events(ro)["total"]
    assert all(e["n_sources"] >= 2 for e in all_events(ro, min_sources=2)["events"])
    assert ro.get("/api/events", params={"bbox": "1,2,3"}).status_code == 422
    assert ro.get("/api/events", params={"date_from": "May 5"}).status_code == 422


def test_geojson_and_csv(ro):
    total = all_events(ro)["total"]
    r = ro.get("/api/events", params={"format": "geojson"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) + fc["sitrep"]["skipped_without_coordinates"] == total
    f = fc["features"][0]
    assert f["geometry"]["type"] == "Point" and len(f["geometry"]["coordinates"]) == 2
    assert f["properties"]["sitrep_id"] == f["id"]
    r = ro.get("/api/events", params={"format": "csv", "event_type": "Battles"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == COLUMNS
    n_battles = all_events(ro, event_type="Battles")["total"]
    assert len(rows) - 1 == n_battles
    assert all(row[COLUMNS.index("event_type")] == "Battles" for row in rows[1:])
    big = list(csv.reader(io.StringIO(ro.get("/api/events", params={"format": "csv"}).text)))
    assert len(big) - 1 == total                     # more than one streamed chunk is fine
    lim = list(csv.reader(io.StringIO(ro.get("/api/events", params={
        "format": "csv", "limit": 3, "offset": 2, "sort": "date"}).text)))
    page = ro.get("/api/events", params={"limit": 3, "offset": 2, "sort": "date"}).json()
    assert [r[COLUMNS.index("sitrep_id")] for r in lim[1:]] == [e["id"] for e in page["events"]]


def test_points_format(ro):
    p = ro.get("/api/events", params={"format": "points"}).json()
    with_coords = [e for e in all_events(ro)["events"] if e["latitude"] is not None]
    assert p["total"] == p["returned"] == len(with_coords)
    pid, lat, lon, t, fat, day, place, n_src = p["points"][0]
    assert isinstance(lat, float) and p["types"][t] and fat >= 0 and place and n_src >= 1


def test_one_event_with_evidence_and_sources(ro):
    ev0 = all_events(ro, q="Kunduz", event_type="Battles")["events"][0]
    ev = ro.get(f"/api/events/{ev0['id']}").json()
    assert ev["id"] == ev0["id"] and ev["evidence"] and ev["documents"]
    doc = ro.get(f"/api/documents/{ev['doc_id']}").json()
    for e in ev["evidence"]:
        if e["doc_id"] == ev["doc_id"]:
            assert doc["body"][e["start"]:e["end"]] == e["text"]
    fields = {e["field"] for e in ev["evidence"]}
    assert {"event_type", "actor1", "location"} <= fields
    # why this type: the codebook rules that fired, the winner first
    assert ev["why"].startswith("rules: battle.") or ev["why"].startswith("rules: remote."), \
        ev["why"]
    assert ev["audit"] == [] and ev["review"] is None
    assert ro.get("/api/events/nope").status_code == 404
    assert ro.get("/api/documents/nope").status_code == 404


def test_document_spans_marked(ro, template_db):
    hid = template_db[1]["hostile_doc_id"]
    doc = ro.get(f"/api/documents/{hid}").json()
    assert "<script>window.__pwned=1</script>" in doc["body"]      # stored as plain text
    assert "".join(s["text"] for s in doc["segments"]) == doc["body"]
    marked = [s for s in doc["segments"] if s["fields"]]
    assert marked and all(s["event_ids"] for s in marked)
    assert any("actor1" in s["fields"] for s in marked)
    ev_id = doc["events"][0]["id"]
    only = ro.get(f"/api/documents/{hid}", params={"event_id": ev_id}).json()
    assert all(s["event_id"] == ev_id for s in only["spans"])


def test_stats(ro):
    evs = all_events(ro)["events"]
    st = ro.get("/api/stats").json()
    assert st["total"] == len(evs)
    assert sum(x["count"] for x in st["by_type"]) == len(evs)
    assert sum(x["count"] for x in st["by_day"]) == sum(1 for e in evs if e["event_date"])
    assert sum(x["count"] for x in st["by_week"]) == sum(x["count"] for x in st["by_day"])
    assert st["by_admin1"] and st["by_actor"] and st["by_country"] and st["by_sub_type"]
    top_actor = st["by_actor"][0]
    assert top_actor["count"] == sum((e["actor1"] == top_actor["actor"])
                                     + (e["actor2"] == top_actor["actor"]) for e in evs)
    only = ro.get("/api/stats", params={"group": "type", "event_type": "Battles"}).json()
    assert set(only) == {"total", "fatalities", "date_min", "date_max", "by_type"}
    assert [x["event_type"] for x in only["by_type"]] == ["Battles"]
    assert ro.get("/api/stats", params={"group": "nope"}).status_code == 422


def test_openapi_docs_and_dashboard_offline(ro):
    spec = ro.get("/openapi.json").json()
    for path in ("/api/events", "/api/events/{event_id}", "/api/documents/{doc_id}",
                 "/api/stats", "/api/events/{event_id}/review"):
        assert path in spec["paths"]
    assert "post" in spec["paths"]["/api/events/{event_id}/review"]
    for page in ("/", "/docs"):
        r = ro.get(page)
        assert r.status_code == 200
        assert "http://" not in r.text and "https://" not in r.text   # nothing from a CDN
        assert "script-src 'self'" in r.headers["content-security-policy"]
    for asset in ("/static/app.js", "/static/vendor/leaflet/leaflet.js",
                  "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
                  "/static/vendor/topojson-client/topojson-client.min.js",
                  "/static/countries-50m.json", "/static/vendor/swagger-ui/swagger-ui-bundle.js"):
        assert ro.get(asset).status_code == 200, asset
    assert "access-control-allow-origin" not in ro.get(
        "/api/events", headers={"Origin": "http://evil.example"}).headers


# ------------------------------------------------------------------ auth
def test_reads_open_on_loopback_only(db):
    store = Store(db)
    remote = client_for(store, client=("203.0.113.9", 5555))
    assert remote.get("/api/events").status_code == 401
    assert remote.get("/api/events", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert remote.get("/api/events", headers=AUTH).status_code == 200
    assert remote.get("/api/stats", headers={"X-Sitrep-Token": TOKEN}).status_code == 200
    public = client_for(store, client=("203.0.113.9", 5555), public_read=True)
    assert public.get("/api/events").status_code == 200
    ev_id = public.get("/api/events").json()["events"][0]["id"]
    assert public.post(f"/api/events/{ev_id}/review", json={"action": "confirm"}
                       ).status_code == 401                  # public reads, never writes
    local = client_for(store)
    assert local.get("/api/events").status_code == 200
    # DNS rebinding: a loopback client with a foreign Host header gets no token-less reads
    assert local.get("/api/events", headers={"Host": "evil.example"}).status_code == 401
    v6 = client_for(store, client=("::1", 5555))
    assert v6.get("/api/stats", headers={"Host": "[::1]:8000"}).status_code == 200
    store.close()


def test_token_generated_once_and_hashed(db, monkeypatch):
    monkeypatch.delenv("SITREP_TOKEN", raising=False)
    store = Store(db)
    app1 = create_app(store=store)
    tok = app1.state.tokens.new_token
    assert tok and len(tok) >= 32
    app2 = create_app(store=store)
    assert app2.state.tokens.new_token is None          # printed once, never again
    with store.engine.connect() as conn:
        stored = [r[0] for r in conn.execute(text("SELECT token_sha256 FROM api_tokens"))]
    assert stored and tok not in stored
    c = TestClient(app2, client=LOCAL, base_url="http://127.0.0.1")
    ev_id = c.get("/api/events").json()["events"][0]["id"]
    assert c.post(f"/api/events/{ev_id}/review", json={"action": "confirm"},
                  headers={"Authorization": f"Bearer {tok}"}).status_code == 200
    assert c.post(f"/api/events/{ev_id}/review", json={"action": "confirm"},
                  headers={"Authorization": f"Bearer {tok}x"}).status_code == 401
    monkeypatch.setenv("SITREP_TOKEN", "from-env")
    app3 = create_app(store=store)
    c3 = TestClient(app3, client=LOCAL, base_url="http://127.0.0.1")
    assert c3.post(f"/api/events/{ev_id}/review", json={"action": "confirm"},
                   headers={"Authorization": "Bearer from-env"}).status_code == 200
    store.close()


# ------------------------------------------------------------------ reviews
def _battle(api):
    return all_events(api, event_type="Battles")["events"][0]


def test_review_needs_token(api):
    ev = _battle(api)
    body = {"action": "correct", "fields": {"fatalities": 9}}
    assert api.post(f"/api/events/{ev['id']}/review", json=body).status_code == 401
    assert api.post(f"/api/events/{ev['id']}/review", json=body,
                    headers={"Authorization": "Bearer nope"}).status_code == 401
    assert api.get(f"/api/events/{ev['id']}").json()["fatalities"] == ev["fatalities"]
    assert api.get("/api/audit").json()["entries"] == []


def test_correct_fields_with_audit(api):
    ev = _battle(api)
    r = api.post(f"/api/events/{ev['id']}/review", headers=AUTH, json={
        "action": "correct", "reviewer": "analyst-1", "note": "two sources disagree",
        "fields": {"fatalities": ev["fatalities"] + 3, "sub_event_type": "Suicide bomb",
                   "event_date": "2021-01-02"}})
    assert r.status_code == 200, r.text
    after = r.json()["event"]
    assert after["fatalities"] == ev["fatalities"] + 3
    assert after["event_type"] == "Explosions/Remote violence"       # follows the sub-type
    assert after["disorder_type"] == "Political violence" and after["year"] == 2021
    assert after["review"]["status"] == "corrected"
    (entry,) = after["audit"]
    assert entry["who"] == "analyst-1" and entry["token"] == "env" and entry["at"]
    assert entry["action"] == "correct" and entry["note"] == "two sources disagree"
    assert entry["before"]["fatalities"] == ev["fatalities"]
    assert entry["after"]["fatalities"] == ev["fatalities"] + 3
    assert entry["before"]["event_type"] == "Battles"
    # reads, filters and exports see the correction
    listed = all_events(api, event_type="Explosions/Remote violence", review="corrected")
    assert [e["id"] for e in listed["events"]] == [ev["id"]]
    csv_text = api.get("/api/events", params={"format": "csv", "review": "corrected"}).text
    assert "Suicide bomb" in csv_text
    log = api.get("/api/audit").json()["entries"]
    assert [x["event_id"] for x in log] == [ev["id"]]


@pytest.mark.parametrize("fields,msg", [
    ({"nope": 1}, "cannot be corrected"), ({"fatalities": -1}, "whole number"),
    ({"event_type": "Protests"}, "not a kind of"), ({"sub_event_type": "Dance"}, "unknown"),
    ({"event_date": "05/01/2021"}, "YYYY-MM-DD"), ({"latitude": 100}, "between"),
    ({"claim_status": "rumour"}, "claim_status"), ({}, "corrected fields"),
])
def test_correct_rejects_bad_values(api, fields, msg):
    ev = _battle(api)
    r = api.post(f"/api/events/{ev['id']}/review", headers=AUTH,
                 json={"action": "correct", "fields": fields})
    assert r.status_code == 400 and msg in r.json()["detail"]
    assert api.get("/api/audit").json()["entries"] == []


def test_confirm_and_reject(api):
    evs = all_events(api)["events"]
    total = len(evs)
    a, b = evs[0]["id"], evs[1]["id"]
    assert api.post(f"/api/events/{a}/review", headers=AUTH,
                    json={"action": "confirm"}).status_code == 200
    assert api.post(f"/api/events/{b}/review", headers=AUTH,
                    json={"action": "reject", "note": "a forecast, not an event"}
                    ).status_code == 200
    assert all_events(api)["total"] == total - 1               # rejected: hidden by default
    assert [e["id"] for e in all_events(api, review="rejected")["events"]] == [b]
    assert [e["id"] for e in all_events(api, review="confirmed")["events"]] == [a]
    assert all_events(api, review="all")["total"] == total
    assert api.get("/api/stats").json()["total"] == total - 1
    entry = api.get(f"/api/events/{b}").json()["audit"][0]
    assert entry["action"] == "reject" and entry["after"] == {"review_status": "rejected"}


def test_merge_and_split(api):
    evs = all_events(api, sort="date")["events"]
    target, dup = evs[0], evs[1]
    r = api.post(f"/api/events/{target['id']}/review", headers=AUTH,
                 json={"action": "merge", "merge_ids": [dup["id"]], "reviewer": "ed"})
    assert r.status_code == 200, r.text
    merged = api.get(f"/api/events/{target['id']}").json()
    if dup["doc_id"] != target["doc_id"]:
        assert merged["n_sources"] == 2
        assert dup["doc_id"] in {s["doc_id"] for s in merged["sources"]}
        assert target["id"] in {e["id"] for e in all_events(api, min_sources=2)["events"]}
    gone = api.get(f"/api/events/{dup['id']}").json()
    assert gone["review"]["status"] == "merged" and gone["review"]["merged_into"] == target["id"]
    assert dup["id"] not in {e["id"] for e in all_events(api)["events"]}
    again = api.post(f"/api/events/{dup['id']}/review", headers=AUTH,
                     json={"action": "correct", "fields": {"fatalities": 1}})
    assert again.status_code == 409
    # split
    src = evs[2]
    r = api.post(f"/api/events/{src['id']}/review", headers=AUTH, json={
        "action": "split", "parts": [{"location": "Elsewhere", "fatalities": 1}]})
    assert r.status_code == 200, r.text
    (new_id,) = r.json()["created"]
    new = api.get(f"/api/events/{new_id}").json()
    assert new["location"] == "Elsewhere" and new["fatalities"] == 1
    assert new["event_type"] == src["event_type"] and new["doc_id"] == src["doc_id"]
    assert len(new["evidence"]) == len(api.get(f"/api/events/{src['id']}").json()["evidence"])
    assert new["audit"][0]["action"] == "split_from"
    assert api.get(f"/api/events/{src['id']}").json()["audit"][0]["after"]["split_into"] == [
        new_id]
    bad = api.post(f"/api/events/{src['id']}/review", headers=AUTH, json={"action": "split"})
    assert bad.status_code == 400


def test_audit_log_is_append_only(api, db):
    ev = _battle(api)
    api.post(f"/api/events/{ev['id']}/review", headers=AUTH, json={"action": "confirm"})
    store = Store(db)
    with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text("UPDATE review_log SET who = 'mallory'"))
    with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text("DELETE FROM review_log"))
    store.close()
    assert api.get("/api/audit").json()["entries"][0]["who"] == "env"


def test_corrections_survive_recoding(db, pipeline):
    store = Store(db)
    c = client_for(store)
    ev = all_events(c, event_type="Battles")["events"][0]
    assert c.post(f"/api/events/{ev['id']}/review", headers=AUTH, json={
        "action": "correct", "fields": {"actor1": "Corrected Actor"}}).status_code == 200
    doc = store.get_document(ev["doc_id"])
    store.replace_events(doc.id, pipeline.run(doc))            # the pipeline codes it again
    assert store.get_event(ev["id"])["actor1"] == ev["actor1"]
    c2 = client_for(store)                                      # app start re-applies reviews
    assert c2.get(f"/api/events/{ev['id']}").json()["actor1"] == "Corrected Actor"
    store.close()


def test_scan_filters_page_like_the_index_path(ro):
    """Filters served by a scan (text, actor, bbox...) page and sort like the others."""
    full = all_events(ro, sort="-date")["events"]
    for params in ({"actor": "forces"}, {"bbox": "-180,-90,180,90"}, {"q": "e"}):
        got = all_events(ro, **params)
        assert got["total_exact"] is True
        ids = [e["id"] for e in got["events"]]
        assert ids == [e["id"] for e in full if e["id"] in set(ids)]
        page = ro.get("/api/events", params={**params, "limit": 3, "offset": 2}).json()
        assert [e["id"] for e in page["events"]] == ids[2:5] and page["total"] == got["total"]
    asc = all_events(ro, q="e", sort="fatalities")["events"]
    assert [e["fatalities"] for e in asc] == sorted(e["fatalities"] for e in asc)


def test_text_and_actor_filters_use_the_incident_index_and_match_like(db):
    """On SQLite the incidents' q and actor filters go through the FTS5 trigram index; they
    give exactly the rows a case-insensitive substring test gives, and follow changes."""
    from sitrep.api.schema import has_incident_search

    store = Store(db)
    c = client_for(store)
    with store.engine.connect() as conn:
        assert has_incident_search(conn)
        plan = " ".join(str(r) for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH "
            "'\"state\"'"))
    assert "VIRTUAL TABLE INDEX" in plan
    rows = all_events(c, include="sources")["events"]
    q_cols = ("notes", "actor1", "actor2", "location", "admin1", "admin2", "sub_event_type",
              "source")
    a_cols = ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2")
    for term in ("Islamic State", "forces", "KUNDUZ", "raqqa", "ied", "Police", "xyzzy",
                 'say "no"', "50%"):
        for param, cols in (("q", q_cols), ("actor", a_cols)):
            want = {e["id"] for e in rows
                    if any(term.lower() in (e.get(k) or "").lower() for k in cols)}
            got = {e["id"] for e in all_events(c, **{param: term})["events"]}
            assert got == want, (param, term)
    ev = rows[0]
    r = c.post(f"/api/events/{ev['id']}/review", headers=AUTH, json={
        "action": "correct", "fields": {"notes": "Zanzibar-unique marker"}})
    assert r.status_code == 200
    assert [e["id"] for e in all_events(c, q="zanzibar-uniq")["events"]] == [ev["id"]]
    store.close()


def test_common_scan_filters_walk_the_date_index_and_page_the_same(ro, monkeypatch):
    """A bbox (or admin1, sub-type...) filter with more than SCAN_MAX matches pages through
    the date index instead of sorting every match's key: same rows, order and total."""
    from sitrep.api import query as Q

    full = all_events(ro, sort="-date")["events"]
    for params in ({"bbox": "-180,-90,180,90"}, {"sub_event_type": "Armed clash"}):
        want = [e["id"] for e in all_events(ro, **params)["events"]]
        assert len(want) > 3
        monkeypatch.setattr(Q, "SCAN_MAX", 3)
        walked = []
        real = Q.page_events

        def spy(*a, walked=walked, real=real, **kw):
            walked.append(kw.get("walk_index"))
            return real(*a, **kw)

        monkeypatch.setattr(Q, "page_events", spy)
        got = ro.get("/api/events", params={**params, "limit": 3, "offset": 2}).json()
        monkeypatch.undo()
        assert walked == [True]
        assert [e["id"] for e in got["events"]] == want[2:5]
        assert got["total"] == len(want)
        assert want == [e["id"] for e in full if e["id"] in set(want)]
