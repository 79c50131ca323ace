"""Issue 17: preventive inspections (巡检) end to end. The demo contract's quarterly
programme generates a year of visits from the admin's page; one of them joins the fault
work in the Beijing engineers' day plan; the engineer records it on a phone-size page with
no signal — checklist, a finding that opens a ticket in one tap, the customer's signature
— and when the signal returns the steps reach the server once; the report is issued
before its deadline and its PDF carries the results and the ticket.

The visits are planned in a year to come, so the plan starts from the shifts' start and
nothing depends on the hour the test runs."""

from __future__ import annotations

import re
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from tests.browser.conftest import draw_signature, shot, sign_in
from tests.browser.test_engineer_offline import signed_in_with_pages_kept

ENGINEER = "ENG-001"  # the demo's zhang.eng, based at BJ01
SITE = "C001-S1"  # the demo customer's Beijing machine room


def _generate_from_the_programme_page(page, live_server, contract: str, year: int) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server}/admin/contracts/{contract}")
    page.locator("#inspection-programme").click()
    expect(page.locator("#f-frequency")).to_have_value("quarterly")
    page.locator("#g-year").fill(str(year))
    page.locator("#generate-button").click()
    expect(page.locator(".flash.success")).to_contain_text(f"{year}")
    expect(page.locator(".flash.success")).to_contain_text("新增 8 次")


def _a_visit_for_zhang(api, customer: str, year: int) -> dict:
    """A Beijing visit of ``year``, given to zhang.eng on a weekday he works."""
    dispatcher = api("dispatcher")
    visits = dispatcher.call(
        "GET", f"/api/inspections?customer={customer}&from={year}-01-01&to={year}-12-31"
    )["items"]
    assert len(visits) == 8 and {v["period"] for v in visits} == {
        f"{year}-Q{q}" for q in range(1, 5)
    }
    assert all(date.fromisoformat(v["day"]).isoweekday() in (2, 4) for v in visits)
    for visit in (v for v in visits if v["site"] == SITE):
        try:
            return dispatcher.call(
                "PUT", f"/api/inspections/{visit['number']}/engineer", {"engineer": ENGINEER}
            )
        except Exception:  # noqa: BLE001 - not a weekday he works: the next one
            continue
    raise AssertionError("no Beijing visit falls on a weekday zhang.eng works")


def _plan_the_day(page, live_server, api, day: str, number: str) -> str:
    """The dispatcher plans BJ01's day with a fault ticket and the inspection among it;
    returns the ticket's number."""
    from playwright.sync_api import expect

    fault = api("dispatcher").call(
        "POST",
        "/api/tickets",
        {"site": SITE, "severity": "P3", "channel": "phone", "symptom": "打印服务器告警"},
    )["number"]
    page.goto(f"{live_server}/dispatch/routes?depot=BJ01&date={day}")
    for box in page.locator("input[name=ticket]").all():
        if box.get_attribute("value") != fault:
            box.uncheck()
    page.locator(f'input[name=ticket][value="{fault}"]').check()
    page.locator("#plan-routes").click()
    expect(page.locator('[data-job-status="succeeded"]')).to_be_visible(timeout=60_000)
    plan = page.locator("#plan")
    expect(plan).to_contain_text(number)
    expect(plan).to_contain_text(fault)
    expect(page.locator("#moved-inspections")).to_have_count(0)
    shot(page, "inspection-in-day-plan")
    return fault


def test_a_quarterly_inspection_is_planned_recorded_offline_and_reported_before_its_deadline(
    live_server, desktop, phone, api
):
    from playwright.sync_api import expect

    year = datetime.now().year + 2  # the demo generated this year's and next year's
    programme = None
    for contract in api("admin").call("GET", "/api/contracts?page_size=100")["items"]:
        try:
            programme = api("dispatcher").call(
                "GET", f"/api/contracts/{contract['code']}/inspection-programme"
            )
            break
        except Exception:  # noqa: BLE001 - this contract has no programme
            continue
    assert programme is not None and programme["frequency"] == "quarterly"

    sign_in(desktop, live_server, "admin", "admin-demo-pass")
    _generate_from_the_programme_page(desktop, live_server, programme["contract"], year)
    visit = _a_visit_for_zhang(api, programme["customer"], year)
    number = visit["number"]
    desktop.context.clear_cookies()
    sign_in(desktop, live_server, "li.disp", "dispatcher-demo-pass")
    fault = _plan_the_day(desktop, live_server, api, visit["day"], number)

    page = phone
    inspection = f"/engineer/inspections/{number}"
    signed_in_with_pages_kept(page, live_server, kept=inspection, opened=inspection)

    page.context.set_offline(True)  # the machine room in the basement
    reloaded = page.reload()
    assert reloaded is not None and reloaded.from_service_worker
    expect(page.locator("#offline-note .no-signal")).to_be_visible()
    unsent = page.locator("#unsent-count")
    page.locator("#step-arrival button").click()
    expect(unsent).to_have_attribute("data-count", "1")
    items = page.locator("#step-checklist [data-item]")
    assert items.count() == len(visit["checklist"]) >= 3
    for i in range(items.count()):
        item = items.nth(i)
        outcome = "fail" if i == 0 else "pass"
        item.locator(f'input[value="{outcome}"]').check()
        item.locator("input[name^='r:']").fill(f"读数 {i}")
    page.locator("#ins-recommendations").fill("建议下季度更换老化风扇")
    page.locator("#step-checklist button[type=submit]").click()
    expect(unsent).to_have_attribute("data-count", "2")
    page.locator("#finding-text").fill("机柜风扇异响，需要更换")
    page.locator("#finding-severity").select_option("P3")
    page.locator("#open-ticket").click()  # one tap: a ticket, linked to the inspection
    expect(unsent).to_have_attribute("data-count", "3")
    page.locator("#signer_name").fill("韩主任")
    draw_signature(page)
    page.locator("#signature-submit").click()
    expect(unsent).to_have_attribute("data-count", "4")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "inspection-offline-queued")
    dispatcher = api("dispatcher")
    assert dispatcher.call("GET", f"/api/inspections/{number}")["status"] == "planned"

    page.context.set_offline(False)  # signal: the queue goes out once, the page reloads
    expect(page.locator("#ins-status")).to_have_attribute("data-status", "done", timeout=30_000)
    expect(page.locator("#outbox")).to_be_hidden()
    done = dispatcher.call("GET", f"/api/inspections/{number}")
    assert done["arrived_device_at"] < done["arrived_at"]  # pressed offline, received later
    assert len(done["findings"]) == 1 and done["findings"][0]["severity"] == "P3"
    ticket = done["findings"][0]["ticket_number"]
    assert ticket != fault
    assert dispatcher.call("GET", f"/api/tickets/{ticket}")["status"] == "new"
    assert sorted(r["outcome"] for r in done["results"]).count("fail") == 1

    page.locator("#step-report button").click()
    expect(page.locator("#report-issued")).to_be_visible(timeout=30_000)
    issued = dispatcher.call("GET", f"/api/inspections/{number}")
    assert issued["report_issued_at"] <= issued["report_due"]
    with page.expect_download() as download:
        page.locator("#report-pdf").click()
    data = Path(download.value.path()).read_bytes()
    text = "".join(p.extract_text() or "" for p in PdfReader(BytesIO(data)).pages)
    for expected in ("巡检报告", number, ticket, "建议下季度更换老化风扇", "不合格"):
        assert expected in text, expected
    assert re.search(r"韩主任", text)
    shot(page, "inspection-report-issued")
