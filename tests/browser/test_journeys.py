"""The three journeys of issue 5 in a real browser, and a screenshot of every screen."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from inventory.tracking import grouped
from tests.browser.conftest import shot, sign_in
from tests.browser.conftest import shot as take_shot
from tests.web.test_zh_sweep import english_words

# The text a reader sees, as test_zh_sweep.visible_text reads it from the HTML, but from the
# page the browser drew: what scripts wrote included, codes (.mono, translate="no") and
# the language switch left out.
VISIBLE_TEXT = r"""() => {
  const out = [document.title];
  const skip = (el) => el.matches(
    'script, style, template, noscript, [translate="no"], .mono, #lang-switch, [hreflang]');
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { out.push(node.textContent); return; }
    if (node.nodeType !== Node.ELEMENT_NODE || skip(node)) { return; }
    for (const name of ["title", "placeholder", "aria-label", "alt"]) {
      if (node.getAttribute(name)) { out.push(node.getAttribute(name)); }
    }
    node.childNodes.forEach(walk);
  };
  walk(document.body);
  return out.join("\n");
}"""

PART = "SRV-2288-PSU"


def advance_replacement(api, faulty_serial: str, *, until: str) -> dict:
    """An advance replacement moved through the API up to ``until`` (deliver / return_faulty)."""
    dispatcher, warehouse = api("dispatcher"), api("warehouse")
    depot = next(  # a depot of the demo clerk (wang.wh works at BJ01 and TJ01)
        a["depot"]
        for a in warehouse.call("GET", f"/api/availability?part_number={PART}")["items"]
        if a["available"] > 0 and a["depot"] in ("BJ01", "TJ01")
    )
    rma = dispatcher.call(
        "POST",
        "/api/rmas",
        {
            "kind": "advance_replacement",
            "site": "C001-S1",
            "faulty_part_number": PART,
            "faulty_serial": faulty_serial,
            "fault_symptom": "电源模块故障，告警灯常亮",
            "return_depot": "BJ01",
        },
    )
    number = rma["number"]
    dispatcher.call("POST", f"/api/rmas/{number}/approve", {})
    dispatcher.call("POST", f"/api/rmas/{number}/allocate", {"depot": depot})
    warehouse.call(
        "POST", f"/api/rmas/{number}/ship", {"carrier": "顺丰速运", "waybill": "SF1400000001"}
    )
    rma = dispatcher.call("POST", f"/api/rmas/{number}/deliver", {})
    if until == "return_faulty":
        rma = api("customer").call(
            "POST",
            f"/api/rmas/{number}/return_faulty",
            {"carrier": "顺丰速运", "waybill": "SF1400000002"},
        )
    return rma


def test_warehouse_staff_scan_a_returned_faulty_serial_and_receive_it(live_server, desktop, api):
    from playwright.sync_api import expect

    rma = advance_replacement(api, "PSU-RET-20261122", until="return_faulty")
    page = desktop
    sign_in(page, live_server, "wang.wh", "warehouse-demo-pass")
    expect(page).to_have_url(live_server + "/warehouse/")
    expect(page.locator("#scan")).to_be_focused()
    page.keyboard.type("PSU-RET-20261122")  # a keyboard-wedge scanner types the code ...
    page.keyboard.press("Enter")  # ... and presses Enter
    expect(page.locator("#item-status")).to_have_attribute("data-status", "in_transit")
    expect(page.locator("#item-card")).to_contain_text(rma["number"])
    expect(page.locator("#scan")).to_be_focused()  # ready for the next scan
    shot(page, "warehouse-scan")

    page.locator("#act-receive-return").click()  # the one click
    expect(page.locator(".flash.success")).to_contain_text("PSU-RET-20261122")
    expect(page.locator("#item-status")).to_have_attribute("data-status", "in_stock")
    expect(page.locator("#item-condition")).to_have_attribute("data-condition", "faulty")
    expect(page.locator("#item-location")).to_have_attribute("data-location", "BJ01")
    shot(page, "warehouse-received")
    assert (
        api("dispatcher").call("GET", f"/api/rmas/{rma['number']}")["status"] == "faulty_received"
    )


def test_a_dispatcher_opens_a_p1_ticket_picks_the_top_option_and_confirms(
    live_server, desktop, api
):
    from playwright.sync_api import expect

    # C001 has a 7×24 contract: the response clock runs at whatever hour the suite runs
    # (a 5×8 or 7×8 clock stands still outside service hours and says so instead;
    # tests/web/test_dispatcher.py checks that wording)
    ticket = api("dispatcher").call(
        "POST",
        "/api/tickets",
        {
            "site": "C001-S1",
            "severity": "P1",
            "channel": "phone",
            "part_number": PART,
            "symptom": "服务器电源故障，业务系统宕机",
            "contact_name": "王工",
            "contact_phone": "13800001111",
        },
    )
    page = desktop
    sign_in(page, live_server, "li.disp", "dispatcher-demo-pass")
    expect(page).to_have_url(live_server + "/dispatch/")
    row = page.locator(f'tr[data-ticket="{ticket["number"]}"]')
    expect(row).to_be_visible()
    response_clock = row.locator('[data-clock="response"] .remaining')
    before = response_clock.text_content()
    time.sleep(1.6)
    assert response_clock.text_content() != before, "the SLA countdown does not tick"
    expect(row.locator('[data-clock="restore"]')).to_have_attribute("data-level", "ok")
    shot(page, "dispatch-board")

    row.get_by_role("link", name=ticket["number"]).click()
    top = page.locator('#options li[data-rank="1"]')
    expect(top).to_be_visible()
    engineer = top.get_attribute("data-engineer")
    expect(top.locator(".legs li").first).to_be_visible()
    expect(top.locator(".verdicts .badge").first).to_be_visible()
    expect(page.locator("#map path.line-route").first).to_be_attached()
    shot(page, "dispatch-options")

    page.locator("#confirm-1").click()
    expect(page.locator(".flash.success")).to_contain_text(ticket["number"])
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "dispatched")
    expect(page.locator("#assigned-engineer")).to_contain_text(engineer)
    shot(page, "dispatch-confirmed")
    confirmed = api("dispatcher").call("GET", f"/api/tickets/{ticket['number']}")
    assert confirmed["status"] == "dispatched"


def test_a_customer_opens_the_tracking_page_and_downloads_the_return_label(live_server, phone, api):
    from playwright.sync_api import expect

    rma = advance_replacement(api, "PSU-CUST-20261122", until="deliver")
    page = phone
    page.goto(live_server + "/track")
    expect(page.locator("#code")).to_be_focused()
    page.keyboard.type(rma["tracking_code"])
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/track/{grouped(rma['tracking_code'])}")
    expect(page.locator("#rma-status")).to_have_attribute("data-status", "delivered")
    expect(page.locator("#return-countdown")).to_have_attribute("data-level", "ok")
    expect(page.locator('#timeline li[data-event="deliver"]')).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "tracking-phone")

    with page.expect_download() as info:
        page.locator("#return-label").click()
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF"), pdf[:20]
    assert info.value.suggested_filename.endswith(".pdf")
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(p.extract_text() or "" for p in PdfReader(BytesIO(pdf)).pages)
    assert rma["number"] in text and "PSU-CUST-20261122" in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_screen_renders_for_the_readme(live_server, desktop, api, tmp_path, lang):
    """Screenshots of the remaining screens (sign-in, import with its report, reorder,
    routes, alerts, engineer, customer list), in both languages; in Chinese each screen
    as the browser draws it (scripts' words included) carries no English word."""
    from playwright.sync_api import expect

    def shot(page, name: str) -> None:
        take_shot(page, name)
        if lang == "zh":
            words = english_words(page.evaluate(VISIBLE_TEXT))
            assert words == [], (name, words)

    page = desktop
    suffix = "" if lang == "zh" else "-en"
    page.goto(live_server + "/login")
    if lang == "en":
        page.locator("#lang-switch").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, f"login{suffix}")

    sign_in_as(page, live_server, "wang.wh", "warehouse-demo-pass", lang)
    delivery = tmp_path / "delivery.csv"
    delivery.write_text(
        "depot,part_number,serial,qty,condition\n"
        f"BJ01,{PART},SHOT-{lang}-0001,1,good\nBJ01,NO-SUCH-PART,X1,1,good\n"
        f"BJ01,{PART},,1,good\n",
        encoding="utf-8",
    )
    page.goto(live_server + "/warehouse/import")
    page.locator("#import-file").set_input_files(str(delivery))
    page.locator("#import-submit").click()
    expect(page.locator("#import-errors")).to_be_visible()
    expect(page.locator("#import-accepted")).to_have_text("1")
    shot(page, f"warehouse-import{suffix}")
    page.goto(live_server + "/warehouse/reorder?depot=BJ01")
    shot(page, f"warehouse-reorder{suffix}")
    page.goto(live_server + f"/warehouse/?q={PART}")
    shot(page, f"warehouse-part{suffix}")
    page.locator("#logout").click()

    sign_in_as(page, live_server, "li.disp", "dispatcher-demo-pass", lang)
    page.goto(live_server + "/dispatch/routes?depot=CD01")
    if page.locator("#plan-routes").count():
        page.locator("#plan-routes").click()
        expect(page.locator("#plan")).to_have_attribute(
            "data-job-status", "succeeded", timeout=60_000
        )
    shot(page, f"dispatch-routes{suffix}")
    page.goto(live_server + "/dispatch/alerts")
    shot(page, f"dispatch-alerts{suffix}")
    if lang == "en":
        page.goto(live_server + "/dispatch/")
        shot(page, "dispatch-board-en")
    page.locator("#logout").click()

    sign_in_as(page, live_server, "zhang.eng", "engineer-demo-pass", lang)
    shot(page, f"engineer-jobs{suffix}")
    page.locator("#logout").click()
    sign_in_as(page, live_server, "customer.sgcc", "customer-demo-pass", lang)
    shot(page, f"customer-home{suffix}")
    page.goto(live_server + "/my/rmas")
    shot(page, f"customer-rmas{suffix}")


def sign_in_as(page, base: str, username: str, password: str, lang: str) -> None:
    if lang == "zh":
        sign_in(page, base, username, password)
        return
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
