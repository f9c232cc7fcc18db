"""End-to-end: the dashboard in real headless Chromium (Debian's /usr/bin/chromium driven by
Playwright; never a downloaded browser), served by uvicorn from a store seeded by the real
pipeline on the example articles plus a hostile article. Saves out/dashboard.png."""

from __future__ import annotations

import os
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from sitrep.store import Store

CHROMIUM = os.environ.get("SITREP_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "e2e-token-456"
OUT = Path(__file__).resolve().parents[1] / "out"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

if not Path(CHROMIUM).exists():
    if IN_CI:
        raise RuntimeError(f"CI: {CHROMIUM} is missing (.ci/setup.d/20-browser.sh installs it)")
    pytest.skip(f"{CHROMIUM} not found: apt-get install chromium to run the browser tests",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, pipeline):

    from sitrep.api import create_app
    from sitrep.api.fixtures import seed_examples

    path = tmp_path_factory.mktemp("dash") / "dash.db"
    store = Store(path)
    info = seed_examples(store, pipeline)
    with running(create_app(store=store, token=TOKEN)) as base:
        yield {"base": base, "info": info, "db": path}
    store.close()


@contextmanager
def running(app):
    """The app served by uvicorn on a free loopback port, in a thread: its base URL."""
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        th.join(10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def wait_js(pg, expr: str, timeout: float = 20.0) -> None:
    """Poll a JS expression until truthy (page.wait_for_function would need 'unsafe-eval',
    which the dashboard's Content-Security-Policy forbids)."""
    end = time.monotonic() + timeout
    while not pg.evaluate(expr):
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {expr}")
        time.sleep(0.05)


@pytest.fixture(params=[False], ids=["csp"])
def page(request, browser, server):
    # bypass_csp=True switches the page's Content-Security-Policy off: the hostile-article
    # test runs both ways, so it proves the rendering itself never runs article markup.
    ctx = browser.new_context(viewport={"width": 1440, "height": 900},
                              bypass_csp=request.param)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.goto(server["base"] + "/")
    pg.wait_for_selector("body[data-ready='1']", timeout=20000)
    pg.wait_for_selector("body[data-map-ready='1']", timeout=20000)
    yield pg
    assert not errors, errors
    foreign = [u for u in requests if not u.startswith(server["base"]) and not
               u.startswith("data:")]
    assert not foreign, f"requests outside the app (CDN?): {foreign}"
    ctx.close()


def api_json(server, path, **params):
    return httpx.get(server["base"] + path, params=params, timeout=10).json()


def settle(pg):
    pg.wait_for_timeout(50)
    wait_js(pg, "document.body.dataset.loading === '0' && "
                "document.body.dataset.mapReady === '1'")


def test_loads_with_markers_and_screenshot(page, server):
    total = api_json(server, "/api/events", limit=1)["total"]
    on_map = api_json(server, "/api/events", format="points")["returned"]
    assert page.evaluate("document.body.dataset.markers") == str(on_map)
    clusters = page.locator(".marker-cluster").count()
    singles = page.locator("path.ev-marker").count()
    assert clusters + singles > 0
    shown = sum(int(t) for t in page.locator(".marker-cluster span").all_inner_texts()) + singles
    assert shown == on_map                                # every marker, clustered or not
    first = page.evaluate("window.__sitrepFirstRender")
    assert isinstance(first, int | float) and first > 0
    assert page.locator("#list-count").inner_text().endswith(f"of {total}")
    assert page.locator(".leaflet-overlay-pane path, .leaflet-countries-pane path").count() \
        or page.locator(".leaflet-pane path").count() > 100        # country borders drawn
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "dashboard.png"), full_page=True)
    assert (OUT / "dashboard.png").stat().st_size > 10000


def test_brush_timeline_sets_date_range(page, server):
    box = page.locator("#timeline").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.35, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=8)
    page.mouse.up()
    settle(page)
    d_from = page.input_value("#f-date-from")
    d_to = page.input_value("#f-date-to")
    assert d_from and d_to and d_from <= d_to
    expected = api_json(server, "/api/events", date_from=d_from, date_to=d_to, limit=1)["total"]
    full = api_json(server, "/api/events", limit=1)["total"]
    assert 0 < expected < full
    assert page.evaluate("document.body.dataset.listTotal") == str(expected)
    dates = page.locator("tr.event-row td.date").all_inner_texts()
    assert dates and all(d_from <= d <= d_to for d in dates)
    assert float(page.locator("#timeline .brush").get_attribute("width")) > 10
    pts = api_json(server, "/api/events", format="points", date_from=d_from, date_to=d_to)
    assert page.evaluate("document.body.dataset.markers") == str(pts["returned"])
    page.click("#timeline-clear")
    settle(page)
    assert page.evaluate("document.body.dataset.listTotal") == str(full)


def test_filter_by_type(page, server):
    page.check("#f-types input[value='Protests']")
    settle(page)
    expected = api_json(server, "/api/events", event_type="Protests", limit=1)["total"]
    assert expected > 0
    assert page.evaluate("document.body.dataset.listTotal") == str(expected)
    types = page.locator("tr.event-row").evaluate_all("rs => rs.map(r => r.dataset.type)")
    assert types and set(types) == {"Protests"}
    pts = api_json(server, "/api/events", format="points", event_type="Protests")
    assert page.evaluate("document.body.dataset.markers") == str(pts["returned"])
    assert "event_type=Protests" in page.get_attribute("#export-csv", "href")


def _open(page, event_id):
    page.fill("#f-q", "")
    page.locator(f"tr.event-row[data-id='{event_id}']").click()
    page.wait_for_selector(f"#detail[data-event-id='{event_id}'][data-ready='1']",
                           timeout=15000)


def test_open_event_evidence_highlighted(page, server):
    ev = api_json(server, "/api/events", q="Kunduz", event_type="Battles")["events"][0]
    page.fill("#f-q", "Kunduz")
    page.click("#f-apply")
    settle(page)
    _open(page, ev["id"])
    full = api_json(server, f"/api/events/{ev['id']}")
    marks = page.locator("#article mark.ev")
    assert marks.count() > 0
    marked_text = " ".join(marks.all_inner_texts())
    for e in full["evidence"]:
        if e["doc_id"] == ev["doc_id"]:
            assert e["text"] in marked_text or e["text"] in page.inner_text("#article")
    actor = next(e for e in full["evidence"] if e["field"] == "actor1")
    page.click("#detail-fields tr[data-field='actor1']")
    focus = page.locator("#article mark.ev.focus")
    assert focus.count() >= 1
    assert actor["text"] in " ".join(focus.all_inner_texts())
    assert "actor1" in focus.first.get_attribute("data-fields")
    # why this type: the rules that fired, shown with the coded fields
    why = page.inner_text("#detail-fields tr[data-field='why'] td.value")
    assert why == full["why"] and why.startswith("rules: ")


def test_submit_correction_with_token_and_audit(page, server):
    ev = api_json(server, "/api/events", event_type="Protests", limit=1)["events"][0]
    page.check("#f-types input[value='Protests']")
    settle(page)
    _open(page, ev["id"])
    page.select_option("#rf-action", "correct")
    page.select_option(".rf-field", "fatalities")
    page.fill(".rf-value", "7")
    page.fill("#rf-reviewer", "e2e-analyst")
    page.fill("#rf-note", "checked against a second report")
    page.fill("#rf-token", "wrong-token")
    page.click("#rf-submit")
    wait_js(page, "document.getElementById('rf-status').textContent.includes('401')")
    assert api_json(server, f"/api/events/{ev['id']}")["fatalities"] == ev["fatalities"]
    page.fill("#rf-token", TOKEN)
    page.click("#rf-submit")
    page.wait_for_selector("#audit-log li.audit-entry[data-action='correct']", timeout=15000)
    entry = page.locator("#audit-log li.audit-entry").first.inner_text()
    assert "e2e-analyst" in entry and "correct" in entry and '"fatalities":7' in entry
    assert f'"fatalities":{ev["fatalities"]}' in entry                 # before
    row = page.locator("#detail-fields tr[data-field='fatalities'] td.value").inner_text()
    assert row == "7"
    saved = api_json(server, f"/api/events/{ev['id']}")
    assert saved["fatalities"] == 7 and saved["audit"][0]["who"] == "e2e-analyst"


@pytest.mark.parametrize("page", [False, True], ids=["csp", "no-csp"], indirect=True)
def test_hostile_article_renders_as_text(page, server):
    hid = server["info"]["hostile_doc_id"]
    doc = api_json(server, f"/api/documents/{hid}")
    ev_id = doc["events"][0]["id"]
    page.fill("#f-q", "Kunduz")
    page.click("#f-apply")
    settle(page)
    _open(page, ev_id)
    article = page.inner_text("#article")
    assert "<script>window.__pwned=1</script>" in article
    assert '<img src=x onerror="window.__pwned=1">' in article
    assert page.locator("#detail script, #detail img").count() == 0
    assert page.locator("#detail b").count() == 0                 # "Example <b>Wire</b>"
    assert '<img src=x onerror="window.__pwned=1">' in page.inner_text("#doc-title")
    assert "Example <b>Wire</b>" in page.inner_text("#detail-fields")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#article mark.ev").count() > 0            # evidence still marked


def test_docs_page_offline(browser, server):
    ctx = browser.new_context()
    pg = ctx.new_page()
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.goto(server["base"] + "/docs")
    pg.get_by_text("/api/events/{event_id}/review").first.wait_for(timeout=20000)
    assert all(u.startswith(server["base"]) or u.startswith("data:") for u in requests)
    ctx.close()

