"""Places, legs, maps and today's routes as a dispatcher sees them, at desktop and phone
widths: legs inside a city are not zero and say what they are, a site known only to city
level reads as an estimate, maps have a base layer, routes as lines and labels that do not
overprint, and today's route leaves from now."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.conftest import shot, sign_in

PART = "SRV-2288-PSU"
LEG_WORDS = {"工程师驾车", "同城快送", "城际专车", "快递包裹"}
# the labels placed on a map must not overlap one another
LABELS_OVERLAP = """(sel) => {
  const rects = [...document.querySelectorAll(sel + ' .map-label:not(.lbl-hidden)')]
    .map(e => e.getBoundingClientRect());
  let hits = 0;
  for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) {
    const a = rects[i], b = rects[j];
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) hits++;
  }
  return {shown: rects.length, overlaps: hits};
}"""


@pytest.fixture(scope="module")
def beijing_tickets(api) -> dict[str, str]:
    """Two P3 faults in Beijing: one at a demo site placed at its street, one at a site the
    customer gave only as "北京市" (placed by the offline gazetteer at city level)."""
    dispatcher = api("dispatcher")
    site = dispatcher.call(
        "POST",
        "/api/sites",
        {
            "code": "C001-S9",
            "customer_code": "C001",
            "name": "华北分部 临时机房",
            "address": "北京市",
        },
    )
    assert site["precision"] == "city"
    out = {}
    for key, code in (("street", "C001-S1"), ("city", "C001-S9")):
        ticket = dispatcher.call(
            "POST",
            "/api/tickets",
            {
                "site": code,
                "severity": "P3",
                "channel": "phone",
                "symptom": "电源告警 / PSU alarm",
                "part_number": PART,
            },
        )
        out[key] = ticket["number"]
    return out


def _dispatcher_at(request, live_server, device: str, ticket: str):
    """The page of ``device`` (a fixture's name), the dispatcher signed in on it and looking
    at ``ticket``."""
    page = request.getfixturevalue(device)
    sign_in(page, live_server, "li.disp", "dispatcher-demo-pass")
    page.goto(f"{live_server}/dispatch/tickets/{ticket}")
    return page


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_same_city_options_show_nonzero_legs_labelled_by_what_they_are(
    live_server, request, beijing_tickets, device
):
    from playwright.sync_api import expect

    page = _dispatcher_at(request, live_server, device, beijing_tickets["street"])
    legs = page.locator("#options .legs li.leg")
    expect(legs.first).to_be_visible()
    for i in range(legs.count()):
        leg = legs.nth(i)
        assert float(leg.get_attribute("data-km")) > 0, leg.text_content()
        assert int(leg.get_attribute("data-minutes")) > 0, leg.text_content()
        assert leg.locator(".leg-kind").text_content() in LEG_WORDS
        assert "0.0 公里" not in leg.text_content()
    assert legs.locator(".estimate").count() == 0  # street-level places: no estimate
    assert page.locator('#options .legs li[data-kind="engineer_drive"]').count() > 0
    shot(page, f"places-street-options-{device}")

    page.goto(f"{live_server}/dispatch/tickets/{beijing_tickets['city']}")
    to_site = page.locator('#options .legs li[data-estimate="yes"]')
    expect(to_site.first).to_be_visible()
    text = to_site.first.text_content()
    assert "约" in text and "城市级位置" in text and "分钟" in text
    assert float(to_site.first.get_attribute("data-km")) > 1
    expect(page.locator("#estimate-note")).to_be_visible()
    expect(page.locator("#site-precision")).to_have_text("城市级位置")
    shot(page, f"places-city-estimate-{device}")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_ticket_and_its_route_are_drawn_on_a_map_with_a_base_layer_and_readable_labels(
    live_server, request, beijing_tickets, device
):
    from playwright.sync_api import expect

    page = _dispatcher_at(request, live_server, device, beijing_tickets["street"])
    the_map = page.locator("#map")
    expect(the_map).to_have_attribute("data-base-layer", "outline")
    expect(the_map).to_have_attribute("data-ready", "yes")
    assert page.locator("#map path.province").count() >= 34
    expect(page.locator("#map path.line-route").first).to_be_attached()
    labels = page.evaluate(LABELS_OVERLAP, "#map")
    assert labels["shown"] >= 2 and labels["overlaps"] == 0, labels
    expect(page.locator("#map .map-label", has_text=beijing_tickets["street"])).to_be_visible()
    shot(page, f"places-ticket-map-{device}")

    page.goto(f"{live_server}/dispatch/")  # the whole country: crowded, still no overprint
    expect(page.locator("#map")).to_have_attribute("data-base-layer", "outline")
    labels = page.evaluate(LABELS_OVERLAP, "#map")
    assert labels["shown"] >= 5 and labels["overlaps"] == 0, labels
    shot(page, f"places-board-map-{device}")


@pytest.fixture
def beijing_round_the_clock(live_server):
    """BJ01's engineers on a round-the-clock shift (today 00:00 to tomorrow 12:00, as a
    night team's shift runs past midnight) for one test, so that "today from now" has time
    left at whatever hour the suite runs (the demo's 09:00-18:00 shifts are over at night and
    a plan from now then has nothing to plan). Put back afterwards."""
    from sqlalchemy import select

    from models import Depot, Engineer
    from models.db import make_engine, make_session_factory

    engine = make_engine(live_server.database_url)
    try:
        with make_session_factory(engine)() as session:
            depot_id = session.scalar(select(Depot.id).where(Depot.code == "BJ01"))
            engineers = session.scalars(
                select(Engineer).where(Engineer.base_depot_id == depot_id, Engineer.active)
            ).all()
            assert engineers, "the demo has engineers based at BJ01"
            kept = {e.id: (e.shift_start_min, e.shift_end_min, e.work_days) for e in engineers}
            for e in engineers:
                e.shift_start_min, e.shift_end_min, e.work_days = 0, 36 * 60, "1234567"
            session.commit()
        yield
        with make_session_factory(engine)() as session:
            for e in session.scalars(select(Engineer).where(Engineer.id.in_(kept))):
                e.shift_start_min, e.shift_end_min, e.work_days = kept[e.id]
            session.commit()
    finally:
        engine.dispose()


@pytest.fixture
def psu_jobs_need_a_soldering_iron(live_server):
    """The PSU's job needs a tool no demo engineer carries (``Part.tools``, as an admin
    sets it on the part's page), for one test; put back afterwards."""
    from sqlalchemy import select

    from models import Part
    from models.db import make_engine, make_session_factory

    engine = make_engine(live_server.database_url)
    try:
        with make_session_factory(engine)() as session:
            part = session.scalars(select(Part).where(Part.part_number == PART)).one()
            kept, part.tools = part.tools, ["电烙铁"]
            session.commit()
        yield "电烙铁"
        with make_session_factory(engine)() as session:
            session.scalars(select(Part).where(Part.part_number == PART)).one().tools = kept
            session.commit()
    finally:
        engine.dispose()


def test_todays_route_starts_from_now_and_is_drawn_as_lines(
    live_server, desktop, beijing_tickets, beijing_round_the_clock, psu_jobs_need_a_soldering_iron
):
    from playwright.sync_api import expect

    page = desktop
    sign_in(page, live_server, "li.disp", "dispatcher-demo-pass")
    before = datetime.now(UTC) - timedelta(seconds=5)
    page.goto(f"{live_server}/dispatch/routes?depot=BJ01")
    page.locator("#plan-routes").click()
    expect(page.locator("#plan")).to_have_attribute("data-job-status", "succeeded", timeout=60_000)
    planned = page.locator("#planned-from-now")
    expect(planned).to_be_visible()
    planned_at = datetime.fromisoformat(planned.get_attribute("data-planned-at"))
    assert planned_at >= before.replace(second=0, microsecond=0)
    departs = page.locator("td.route-depart")
    assert departs.count() >= 1
    for i in range(departs.count()):
        depart = datetime.fromisoformat(departs.nth(i).get_attribute("data-utc"))
        assert depart >= planned_at, "a route for today leaves before now"
    expect(page.locator("#map path.line-day-route").first).to_be_attached()
    # the PSU jobs need a tool nobody carries: their engineer collects it at a depot first
    tool = psu_jobs_need_a_soldering_iron
    collect = page.locator(f'tr.route-collect[data-collect-tools="{tool}"]').first
    expect(collect).to_contain_text(f"和工具 {tool}")
    labels = page.evaluate(LABELS_OVERLAP, "#map")
    assert labels["overlaps"] == 0, labels
    shot(page, "places-routes-today")
    page.set_viewport_size({"width": 390, "height": 844})  # the same plan on a phone
    page.reload()
    expect(page.locator("#map")).to_have_attribute("data-ready", "yes")
    expect(page.locator("td.route-depart").first).to_be_visible()
    assert page.evaluate(LABELS_OVERLAP, "#map")["overlaps"] == 0
    shot(page, "places-routes-today-phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    # plan again: the page says what changed since the last plan
    page.goto(f"{live_server}/dispatch/routes?depot=BJ01")
    page.locator("#plan-routes").click()
    expect(page.locator("#plan")).to_have_attribute("data-job-status", "succeeded", timeout=60_000)
    expect(page.locator("#plan-changes")).to_be_visible()


def test_a_dispatcher_picks_a_new_site_on_the_map(live_server, phone):
    from playwright.sync_api import expect

    page = phone
    sign_in(page, live_server, "li.disp", "dispatcher-demo-pass")
    page.goto(f"{live_server}/dispatch/")
    page.locator("#new-site summary").click()
    pick = page.locator("#pick-map")
    expect(pick).to_have_attribute("data-ready", "yes")
    expect(pick).to_have_attribute("data-base-layer", "outline")
    pick.scroll_into_view_if_needed()
    box = pick.bounding_box()
    pick.click(position={"x": box["width"] * 0.7, "y": box["height"] * 0.4})
    expect(pick).to_have_attribute("data-picked", re.compile(r"^\d+\.\d{6},\d+\.\d{6}$"))
    assert page.locator("#ns-lat").input_value() and page.locator("#ns-lon").input_value()
    page.locator("#ns-code").fill("C002-P1")
    page.locator("#ns-name").fill("上海 新机房")
    page.locator("#ns-address").fill("上海市浦东新区某路1号")
    page.locator("#ns-submit").click()
    expect(page.locator(".flash.success")).to_contain_text("精确位置")
    shot(page, "places-new-site-picked-phone")
