"""The planning page as the administrator uses it on the demo network: run a
recommendation, read its curve and the map of which sites get a part within the clock,
run a what-if with another depot, compare the two, accept the plan and see the depots'
reorder points change with an audit entry."""

from __future__ import annotations

import re

from tests.browser.conftest import shot, sign_in


def _start_run(page, base: str, label: str, city: str = "") -> str:
    from playwright.sync_api import expect

    page.goto(base + "/planning")
    page.locator("#label").fill(label)
    if city:
        page.locator("#extra-depot").fill(city)
    page.locator("#start-run").click()
    page.wait_for_url(re.compile(r"/planning\?run="))
    run = page.url.split("run=")[1].split("&")[0]
    # the page polls the job and reloads itself when the plan is ready
    expect(page.locator("#plan")).to_be_visible(timeout=120_000)
    expect(page.locator("#runs")).to_have_attribute("data-job-status", "succeeded")
    return run


def test_plan_map_what_if_compare_and_accept(live_server, desktop, api):
    from playwright.sync_api import expect

    page = desktop
    admin = api("admin")
    sign_in(page, live_server, "admin", "admin-demo-pass")

    base_run = _start_run(page, live_server, "基准")
    # the curve with where the network stands today
    expect(page.locator("#curve polyline.curve-line")).to_have_count(1)
    expect(page.locator("#curve circle").first).to_be_attached()
    # the map: the product's Leaflet map on its offline base layer, sites by fill rate
    the_map = page.locator("#site-map")
    expect(the_map).to_have_attribute("data-ready", "yes")
    expect(the_map).to_have_attribute("data-base-layer", "outline")
    sites = page.locator("#site-map .pt-site")
    assert sites.count() >= 10
    assert page.locator("#site-map .pt-site.band-good").count() >= 1
    assert page.locator("#site-map .pt-depot").count() >= 1
    shot(page, "planning-plan")

    # one part, the 2-working-day clock: only the sites with that part installed
    plan = admin.call("GET", f"/api/planning/runs/{base_run}")["result"]
    part = max(plan["part_sites"], key=lambda p: len(plan["part_sites"][p]))
    page.locator("#map-part").select_option(part)
    page.locator("#map-clock").select_option("spare")
    page.locator("#map-show").click()
    expect(page.locator("#site-map-wrap")).to_have_attribute("data-part", part)
    expect(page.locator("#site-map")).to_have_attribute("data-ready", "yes")
    expect(page.locator("#site-map .pt-site")).to_have_count(len(plan["part_sites"][part]))
    shot(page, "planning-map-one-part")

    # a what-if: another depot in Lhasa, compared with the baseline in a table and a chart
    whatif = _start_run(page, live_server, "拉萨备件库", city="拉萨")
    assert whatif != base_run
    expect(page.locator("#site-map .pt-depot.hl")).to_have_count(1)  # the hypothetical depot
    expect(page.locator("#whatif-note")).to_contain_text("拉萨")
    expect(page.locator("#accept-plan")).to_have_count(0)  # a what-if depot is not accepted
    compare = page.locator("#compare")
    expect(compare).to_be_visible()
    expect(compare.locator("td.whatif", has_text="增设 拉萨")).to_have_count(1)
    expect(compare.locator("td.whatif", has_text="基准")).to_have_count(1)
    expect(page.locator("#curve polyline.curve-line")).to_have_count(2)
    shot(page, "planning-what-if-compare")

    # accept the baseline: reorder points follow the plan, with an audit entry
    line = max(plan["lines"], key=lambda x: x["recommended"])
    page.goto(f"{live_server}/planning?run={base_run}")
    page.locator("#accept-plan").click()
    expect(page.locator(".flash").first).to_contain_text("已采纳")
    expect(page.locator("#acceptances li")).to_have_count(1)
    expect(page.locator("#acceptances li").first).to_contain_text(f"PLAN-{base_run[:8]}")
    shot(page, "planning-accepted")
    page.goto(f"{live_server}/admin/parts/{line['part']}")
    after = page.get_by_label(f"{line['depot']} · 补货点").input_value()
    assert after == str(line["recommended"] - 1)
    target = page.get_by_label(f"{line['depot']} · 目标库存")
    expect(target).to_have_value(str(line["recommended"]))
