"""Issue 13: a customer reports a fault and asks for a repair themselves, confirms a fix,
and follows the repair on a phone with the tracking code typed in lower case."""

from __future__ import annotations

import re

from tests.browser.conftest import shot, sign_in


def test_a_customer_reports_a_fault_requests_a_repair_and_tracks_it_in_lower_case(
    live_server, desktop, phone
):
    from playwright.sync_api import expect

    page = desktop
    sign_in(page, live_server, "customer.sgcc", "customer-demo-pass")
    page.goto(live_server + "/my/")
    expect(page.locator("#equipment tr[data-serial]").first).to_be_visible()
    resolved = page.locator('#open-tickets tr[data-status="resolved"]').first
    closing = resolved.get_attribute("data-ticket")
    shot(page, "customer-self-service")

    # a fault, in plain words, on a unit chosen from the list
    page.locator("#report-fault").click()
    unit = page.locator("#serial option").nth(1)
    serial = unit.get_attribute("value")
    page.locator("#serial").select_option(serial)
    page.get_by_label("严重影响，系统明显变慢或部分功能不可用").check()
    page.locator("#symptom").fill("存储控制器告警，读写明显变慢")
    page.locator("#contact_phone").fill("13700001234")
    shot(page, "customer-report-fault")
    page.locator("#report-submit").click()
    expect(page.locator(".flash.success")).to_contain_text("TKT-")
    number = re.search(r"TKT-\d{4}-\d{6}", page.locator(".flash.success").inner_text()).group(0)
    row = page.locator(f'#open-tickets tr[data-ticket="{number}"]')
    expect(row).to_contain_text(serial)
    expect(row.locator(".badge.P2")).to_be_visible()
    expect(row.locator('[data-clock="response"]')).to_be_visible()

    # the engineer's fix on an older ticket: the customer confirms it
    closed = page.locator(f'#open-tickets tr[data-ticket="{closing}"]')
    closed.locator("select").select_option("5")
    closed.locator(".confirm-closure").click()
    expect(page.locator(".flash.success")).to_contain_text(closing)
    expect(page.locator(f'#past-tickets li[data-ticket="{closing}"]')).to_be_visible()

    # a repair return for one of their units
    page.locator(f'#equipment tr[data-serial="{serial}"] .repair-link').click()
    expect(page.locator("#serial")).to_have_value(serial)
    page.locator("#fault_symptom").fill("风扇异响，温度偏高")
    shot(page, "customer-request-repair")
    page.locator("#repair-submit").click()
    expect(page.locator(".flash.success")).to_contain_text("RMA-")
    rma = re.search(r"RMA-\d{4}-\d{6}", page.locator(".flash.success").inner_text()).group(0)
    link = page.locator("#my-rmas a.mono", has_text=rma)
    expect(link).to_be_visible()
    code = link.get_attribute("href").rsplit("/", 1)[1]
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code), code

    # read out on the phone, typed in lower case with spaces
    page = phone
    page.goto(live_server + "/track")
    page.locator("#code").fill(code.lower().replace("-", " "))
    page.locator("#code").press("Enter")
    expect(page).to_have_url(f"{live_server}/track/{code}")
    expect(page.locator("#tracking-code")).to_have_text(code)
    expect(page.locator("h1")).to_contain_text(rma)
    expect(page.locator("#rma-status")).to_have_attribute("data-status", "requested")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "tracking-lower-case-phone")
