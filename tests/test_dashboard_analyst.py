"""The analyst's dashboard (issue 18) in real headless Chromium: the alerts panel filters map
and list, the map fits the results, pans to and highlights a selection and has tooltips,
clusters take their dominant event type's colour, the list is keyboard-navigable, the layout
has no overlapping panes at 1024x700 and 1600x900, and split / merge from the reports'
checkboxes land in the audit log. Screenshots go to artifacts/screenshots/ (git-ignored)."""

from __future__ import annotations

import math
from pathlib import Path

import httpx
import pytest

from sitrep.store import Store

dash = pytest.importorskip("test_dashboard")        # skips (or fails in CI) without Chromium
sync_api = dash.sync_api
wait_js = dash.wait_js
TOKEN = "analyst-token-789"
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
SIZES = {"1024x700": (1024, 700), "1600x900": (1600, 900)}
# every Syrian incident of the bundled examples, whatever its date
WATCH = [{"name": "syria-all", "country": "Syria", "window_days": 36500}]


@pytest.fixture(scope="module")
def server(tmp_path_factory, pipeline):
    from sitrep.api import create_app
    from sitrep.api.fixtures import seed_examples

    path = tmp_path_factory.mktemp("analyst") / "analyst.db"
    store = Store(path)
    info = seed_examples(store, pipeline)
    with dash.running(create_app(store=store, token=TOKEN, watchlists=WATCH)) as base:
        yield {"base": base, "info": info}
    store.close()


browser = dash.browser     # fixture: one headless Chromium for the module


def open_page(browser, server, size="1600x900"):
    w, h = SIZES[size]
    ctx = browser.new_context(viewport={"width": w, "height": h})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(server["base"] + "/")
    pg.wait_for_selector("body[data-ready='1']", timeout=20000)
    pg.wait_for_selector("body[data-map-ready='1']", timeout=20000)
    wait_js(pg, "document.body.dataset.alerts !== undefined")
    return ctx, pg, errors


def get(server, path, **params):
    return httpx.get(server["base"] + path, params=params, timeout=20).json()


def settle(pg):
    pg.wait_for_timeout(80)
    wait_js(pg, "document.body.dataset.loading === '0' && "
                "document.body.dataset.mapReady === '1'")


def shot(pg, name: str, size: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    out = SHOTS / f"{name}-{size}.png"
    pg.screenshot(path=str(out))
    print(f"screenshot: {out}")
    assert out.stat().st_size > 10000
    return out


def boxes(pg, selectors):
    return {s: pg.locator(s).first.bounding_box() for s in selectors}


def overlap(a, b) -> bool:
    return (a["x"] < b["x"] + b["width"] - 1 and b["x"] < a["x"] + a["width"] - 1
            and a["y"] < b["y"] + b["height"] - 1 and b["y"] < a["y"] + a["height"] - 1)


@pytest.mark.parametrize("size", list(SIZES))
def test_layout_has_no_overlap_and_every_pane_shows(browser, server, size):
    ctx, pg, errors = open_page(browser, server, size)
    first = get(server, "/api/events", limit=1)["events"][0]["id"]
    pg.locator(f"tr.event-row[data-id='{first}']").click()
    pg.wait_for_selector(f"#detail[data-event-id='{first}'][data-ready='1']", timeout=15000)
    panes = ["#alerts-panel", "#filter-form", "#map", "#timeline-wrap", "#list-wrap",
             "#detail"]
    b = boxes(pg, panes)
    w, h = SIZES[size]
    for s, box in b.items():
        assert box and box["width"] > 100 and box["height"] > 60, (s, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= w + 1, (s, box)
    for s in ("#map", "#timeline-wrap", "#list-wrap", "#detail"):
        assert b[s]["y"] + b[s]["height"] <= h + 1, (s, b[s])     # inside the window
    for i, a in enumerate(["#map", "#timeline-wrap", "#list-wrap", "#detail"]):
        for c in ["#map", "#timeline-wrap", "#list-wrap", "#detail"][i + 1:]:
            assert not overlap(b[a], b[c]), (a, c, b[a], b[c])
    assert pg.locator("tr.event-row").first.is_visible()
    shot(pg, "dashboard", size)
    assert not errors, errors
    ctx.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_alerts_panel_click_filters_map_and_list(browser, server, size):
    data = get(server, "/api/alerts")
    watch = next(a for a in data["alerts"] if a["name"] == "syria-all")
    syria = get(server, "/api/events", country="Syria", limit=1000)
    assert watch["n_events"] == syria["total"] > 0
    assert set(watch["event_ids"]) == {e["id"] for e in syria["events"]}
    ctx, pg, errors = open_page(browser, server, size)
    total = int(pg.evaluate("document.body.dataset.listTotal"))
    assert total > watch["n_events"]
    assert pg.locator(".alert-item").count() == len(data["alerts"])
    item = pg.locator(".alert-item[data-id='{}']".format(watch["id"]))
    assert "watchlist" in item.inner_text()
    item.click()
    settle(pg)
    assert pg.evaluate("document.body.dataset.listTotal") == str(watch["n_events"])
    listed = set(pg.locator("tr.event-row").evaluate_all("rs => rs.map(r => r.dataset.id)"))
    assert listed == set(watch["event_ids"])
    pts = get(server, "/api/events", format="points", id=watch["event_ids"])
    assert pg.evaluate("document.body.dataset.markers") == str(pts["returned"])
    # the map fitted to the alert's incidents: all in view, the view no wider than Syria's
    w, s, e, n = map(float, pg.evaluate("document.body.dataset.mapBounds").split(","))
    assert all(s <= p[1] <= n and w <= p[2] <= e for p in pts["points"])
    assert e - w < 60
    shot(pg, "alert-selected", size)
    pg.click("#alert-clear")
    settle(pg)
    assert pg.evaluate("document.body.dataset.listTotal") == str(total)
    assert not errors, errors
    ctx.close()


def test_api_alerts_reason_and_validation(server):
    data = get(server, "/api/alerts")
    assert data["as_of"] and data["watchlists"] == 1 and data["incidents_read"] > 0
    a = next(a for a in data["alerts"] if a["kind"] == "watch")
    assert a["why"] and a["window_start"] <= a["window_end"] == data["as_of"]
    r = httpx.get(server["base"] + "/api/alerts", params={"as_of": "2020-13-40"}, timeout=10)
    assert r.status_code == 422 and "as_of" in r.text
    # a surge needs a count at least min_count: an impossible one means no surge alert
    quiet = get(server, "/api/alerts", min_count=10000)
    assert not [x for x in quiet["alerts"] if x["kind"] == "surge"]


def test_fit_tooltip_highlight_and_cluster_colours(browser, server):
    ctx, pg, errors = open_page(browser, server, "1600x900")
    pg.check("#f-types input[value='Protests']")
    settle(pg)
    pts = get(server, "/api/events", format="points", event_type="Protests")
    w, s, e, n = map(float, pg.evaluate("document.body.dataset.mapBounds").split(","))
    assert all(s <= p[1] <= n and w <= p[2] <= e for p in pts["points"])
    pg.uncheck("#f-types input[value='Protests']")
    settle(pg)
    # clusters: coloured by the type most of their incidents have
    clusters = pg.locator(".sitrep-cluster")
    if clusters.count():
        style = clusters.first.locator("div").get_attribute("style")
        assert "background-color" in style
        k = int(next(c for c in clusters.first.get_attribute("class").split()
                     if c.startswith("type-"))[5:])
        assert k >= 0
    # select from the list: the map pans to the incident and highlights it
    ev = next(e for e in get(server, "/api/events", limit=100)["events"]
              if e["latitude"] is not None)
    pg.locator(f"tr.event-row[data-id='{ev['id']}']").click()
    wait_js(pg, f"document.body.dataset.highlighted === '{ev['id']}'")
    c = pg.evaluate("(() => { const m = document.querySelector('path.ev-marker[stroke=\"#ffd400\"]');"
                    " return m ? 1 : 0; })()")
    assert c == 1
    # hover: a tooltip with date, type, place, fatalities and sources (text)
    marker = pg.locator("path.ev-marker[stroke='#ffd400']")
    marker.hover(force=True)
    pg.wait_for_selector(".leaflet-tooltip .ev-tip", timeout=5000)
    tip = pg.inner_text(".leaflet-tooltip .ev-tip")
    assert ev["event_type"] in tip and "fatalities" in tip and "source" in tip
    assert (ev["event_date"] or "no date") in tip
    shot(pg, "highlight-tooltip", "1600x900")
    assert not errors, errors
    ctx.close()


def test_keyboard_moves_through_the_list(browser, server):
    ctx, pg, errors = open_page(browser, server, "1024x700")
    rows = pg.locator("tr.event-row")
    ids = rows.evaluate_all("rs => rs.map(r => r.dataset.id)")
    rows.first.focus()
    pg.keyboard.press("ArrowDown")
    pg.wait_for_selector(f"#detail[data-event-id='{ids[1]}'][data-ready='1']", timeout=15000)
    assert pg.evaluate("document.activeElement.dataset.id") == ids[1]
    pg.keyboard.press("ArrowDown")
    pg.keyboard.press("ArrowUp")
    pg.wait_for_selector(f"#detail[data-event-id='{ids[1]}'][data-ready='1']", timeout=15000)
    pg.keyboard.press("End")
    assert pg.evaluate("document.activeElement.dataset.id") == ids[-1]
    pg.keyboard.press("Home")
    pg.wait_for_selector(f"#detail[data-event-id='{ids[0]}'][data-ready='1']", timeout=15000)
    assert not errors, errors
    ctx.close()


def test_merge_then_split_from_the_checkboxes_lands_in_the_audit_log(browser, server):
    ctx, pg, errors = open_page(browser, server, "1600x900")
    evs = get(server, "/api/events", limit=50)["events"]            # the first page
    target, dup = evs[0], evs[1]
    n_before = get(server, "/api/events", limit=1)["total"]
    pg.locator(f"tr.event-row[data-id='{dup['id']}'] input.pick").check()
    pg.locator(f"tr.event-row[data-id='{target['id']}']").click()
    pg.wait_for_selector(f"#detail[data-event-id='{target['id']}'][data-ready='1']",
                         timeout=15000)
    pg.fill("#rf-token", TOKEN)
    pg.fill("#rf-reviewer", "desk-1")
    pg.click("#rp-merge")
    n_merged = len(target["report_ids"]) + len(dup["report_ids"])
    wait_js(pg, f"document.querySelectorAll('#report-list tr.report-row').length === {n_merged}")
    pg.wait_for_selector("#audit-log li.audit-entry[data-action='merge']", timeout=15000)
    merged = get(server, f"/api/events/{target['id']}")
    assert set(merged["report_ids"]) == set(target["report_ids"]) | set(dup["report_ids"])
    assert get(server, "/api/events", limit=1)["total"] == n_before - 1
    shot(pg, "merged", "1600x900")
    # split the dup's reports out again, ticking them in the reports list
    settle(pg)
    pg.wait_for_selector(f"#detail[data-event-id='{target['id']}'][data-ready='1']",
                         timeout=15000)
    for rid in dup["report_ids"]:
        pg.locator(f"#report-list tr.report-row[data-id='{rid}'] input.rp-pick").check()
    pg.click("#rp-split")
    pg.wait_for_selector("#audit-log li.audit-entry[data-action='split']", timeout=15000)
    n_left = len(target["report_ids"])
    wait_js(pg, f"document.querySelectorAll('#report-list tr.report-row').length === {n_left}")
    log = get(server, "/api/audit")["entries"]
    assert [x["action"] for x in log[:2]] == ["split", "split_from"]
    assert log[0]["who"] == "desk-1" and log[0]["after"]["reports"] == target["report_ids"]
    new_id = log[0]["after"]["split_into"][0]
    assert get(server, f"/api/events/{new_id}")["report_ids"] == dup["report_ids"]
    assert get(server, "/api/events", limit=1)["total"] == n_before
    assert not errors, errors
    ctx.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_trends_follow_the_filters(browser, server, size):
    ctx, pg, errors = open_page(browser, server, size)
    pg.click("#tab-trends")
    pg.wait_for_selector("#trends-wrap[data-ready='1']", timeout=15000)
    everything = get(server, "/api/trends")
    assert pg.get_attribute("#trends-wrap", "data-total") == str(everything["total"])
    assert everything["total"] > 0
    for c in ("chart-weekly", "chart-fatalities", "chart-admin1", "chart-actors"):
        box = pg.locator(f"#{c}").bounding_box()
        assert box["width"] > 80 and box["height"] > 50, (c, box)
    shot(pg, "trends", size)
    pg.check("#f-types input[value='Battles']")
    settle(pg)
    pg.wait_for_selector("#trends-wrap[data-ready='1']", timeout=15000)
    battles = get(server, "/api/trends", event_type="Battles")
    assert 0 < battles["total"] < everything["total"]
    assert pg.get_attribute("#trends-wrap", "data-total") == str(battles["total"])
    assert set(battles["by_type"]) == {"Battles"}
    assert not errors, errors
    ctx.close()


def test_api_trends_periods_and_previous(server):
    t = get(server, "/api/trends", date_from="2019-01-01", date_to="2019-12-31")
    assert t["period"] == {"from": "2019-01-01", "to": "2019-12-31"}
    assert t["previous"] == {"from": "2018-01-01", "to": "2018-12-31"}
    now = get(server, "/api/events", date_from="2019-01-01", date_to="2019-12-31", limit=1)
    before = get(server, "/api/events", date_from="2018-01-01", date_to="2018-12-31", limit=1)
    assert t["total"] == now["total"] and t["previous_total"] == before["total"]
    assert len(t["weeks"]) == len(t["fatalities"]) == len(t["previous_counts"]) == 53
    assert sum(t["fatalities"]) == get(server, "/api/stats", date_from="2019-01-01",
                                       date_to="2019-12-31")["fatalities"]
    for row in t["admin1"] + t["actors"]:
        assert row["count"] >= 1 and row["previous"] >= 0
    assert get(server, "/api/trends", country="Nowhere")["period"] is None


HEAT_PIXELS = """(() => {
  const c = document.querySelector('canvas.leaflet-heatmap-layer');
  if (!c || !c.width || !c.height) return -1;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1;
  return n;
})()"""


@pytest.mark.parametrize("size", list(SIZES))
def test_density_layer_switches_on_draws_and_keeps_the_choice(browser, server, size):
    ctx, pg, errors = open_page(browser, server, size)
    pts = get(server, "/api/events", format="points")
    # a few dozen incidents: markers only, the density layer starts off
    assert pg.evaluate("document.body.dataset.density") == "off"
    assert pg.locator("canvas.leaflet-heatmap-layer").count() == 0
    control = pg.locator(".leaflet-control-layers-overlays label", has_text="Density")
    control.locator("input").check()
    wait_js(pg, "document.body.dataset.density === 'on'")
    assert pg.evaluate("document.body.dataset.densityPoints") == str(pts["returned"])
    wait_js(pg, HEAT_PIXELS + " > 200")            # the canvas really shows the density
    shot(pg, "density", size)
    # the choice outlives a new filter, and the layer follows the filtered results
    pg.check("#f-types input[value='Protests']")
    settle(pg)
    protests = get(server, "/api/events", format="points", event_type="Protests")
    assert pg.evaluate("document.body.dataset.density") == "on"
    assert pg.evaluate("document.body.dataset.densityPoints") == str(protests["returned"])
    control.locator("input").uncheck()
    wait_js(pg, "document.body.dataset.density === 'off'")
    assert pg.locator("canvas.leaflet-heatmap-layer").count() == 0
    assert not errors, errors
    ctx.close()


def test_api_density_counts_every_match_per_cell(server):
    pts = get(server, "/api/events", format="points")
    d = get(server, "/api/events", format="density", cell=1)
    assert d["cell"] == 1 and d["total"] == pts["total"] == sum(c[2] for c in d["cells"])
    # each incident falls in the cell whose centre is within half a cell of it
    for p in pts["points"]:
        assert any(abs(c[0] - p[1]) <= 0.5 and abs(c[1] - p[2]) <= 0.5 for c in d["cells"]), p
    counts = {}
    for p in pts["points"]:
        key = (math.floor(p[1]), math.floor(p[2]))
        counts[key] = counts.get(key, 0) + 1
    assert sorted(c[2] for c in d["cells"]) == sorted(counts.values())
    # negative coordinates go to the cell below them, not toward zero
    west = get(server, "/api/events", format="density", cell=1, bbox="-180,-90,0,90")
    assert west["cells"]
    for c in west["cells"]:
        assert c[1] < 0 and (c[1] + 0.5) % 1 == 0
    protests = get(server, "/api/events", format="density", event_type="Protests")
    assert protests["total"] == get(server, "/api/events", format="points",
                                    event_type="Protests")["total"] < d["total"]
    r = httpx.get(server["base"] + "/api/events", params={"format": "density", "cell": 0},
                  timeout=10)
    assert r.status_code == 422


def test_density_layer_counts_every_match_when_markers_are_capped(browser, server):
    """More matches than markers (here forced to 5): the density layer takes the grid cells
    of every match, not the capped markers."""
    w, h = SIZES["1600x900"]
    ctx = browser.new_context(viewport={"width": w, "height": h})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.route("**/api/events?*format=points*",
             lambda route: route.continue_(url=route.request.url + "&limit=5"))
    pg.goto(server["base"] + "/")
    pg.wait_for_selector("body[data-map-ready='1']", timeout=20000)
    wait_js(pg, "document.body.dataset.densitySource === 'cells'")
    total = get(server, "/api/events", format="points")["total"]
    assert pg.evaluate("document.body.dataset.markers") == "5"
    assert pg.evaluate("document.body.dataset.densityPoints") == str(total)
    assert "newest" in pg.inner_text("#map-note")
    assert not errors, errors
    ctx.close()
