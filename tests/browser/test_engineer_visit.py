"""Issue 13: the engineer records a whole visit on a phone with no connection — arrival,
work, the parts swapped, a photo, the customer's signature — and it reaches the server
once, in order, when the connection returns; the signature ends in the technical service
sheet and the fault report prints the real actions."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from tests.browser.conftest import draw_signature, shot, sign_in

ENGINEER = "ENG-001"  # the demo's zhang.eng: Beijing, network and server skills
SITE = "C001-S1"  # Beijing


def dispatched_p1(api) -> tuple[str, str, str]:
    """A P1 at the Beijing site on a unit whose spare is in stock, dispatched to zhang.eng in
    pickup mode: (ticket number, reserved spare serial, faulty serial)."""
    dispatcher = api("dispatcher")
    units = dispatcher.call("GET", f"/api/equipment?site={SITE}&page_size=50")["items"]
    for unit in units:
        stock = dispatcher.call("GET", f"/api/availability?part_number={unit['part_number']}")[
            "items"
        ]
        depots = [row["depot"] for row in stock if row["available"] > 0]
        if depots and unit["part_number"].startswith(("NET-", "SRV-")):
            break
    else:
        raise AssertionError("no unit at the site has a spare in stock")
    ticket = dispatcher.call(
        "POST",
        "/api/tickets",
        {
            "site": SITE,
            "severity": "P1",
            "channel": "phone",
            "equipment_serial": unit["serial"],
            "symptom": "核心交换机电源告警，业务中断",
            "contact_name": "赵主任",
            "contact_phone": "13911112222",
        },
    )
    done = dispatcher.call(
        "POST",
        f"/api/tickets/{ticket['number']}/dispatch",
        {"engineer": ENGINEER, "depot": depots[0], "mode": "pickup"},
    )
    return ticket["number"], done["reserved_serial"], unit["serial"]


def _pdf_text(download) -> str:
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    return "".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)


def test_an_engineer_records_a_whole_visit_offline_and_it_is_sent_once_back_online(
    live_server, phone, api, tmp_path
):
    from playwright.sync_api import expect

    number, spare, faulty = dispatched_p1(api)
    page = phone
    sign_in(page, live_server, "zhang.eng", "engineer-demo-pass")
    card = page.locator(f'section.job[data-ticket="{number}"]')
    expect(card).to_have_attribute("data-mode", "pickup")
    expect(card.locator("a.ticket-contact")).to_have_attribute("href", "tel:13911112222")
    expect(card.locator(".pickup")).to_be_visible()  # pickup mode: the depot to collect from
    card.get_by_role("link", name=number).click()
    expect(page.locator("#step-arrival")).to_be_visible()
    expect(page.locator(".nav-amap").first).to_have_attribute(
        "href", re.compile(r"^https://uri\.amap\.com/marker\?position=\d")
    )
    shot(page, "engineer-job-phone")

    page.context.set_offline(True)  # the basement machine room: no signal
    unsent = page.locator("#unsent-count")
    page.locator("#step-arrival button").click()
    expect(unsent).to_have_attribute("data-count", "1")
    page.locator("#diagnosis").fill("电源模块输出异常")
    page.locator("#actions").fill("更换电源模块，重启后业务恢复")
    page.locator("#open_issues").fill("建议检查机房空调")
    page.locator("#step-work button[type=submit]").click()
    expect(unsent).to_have_attribute("data-count", "2")
    page.locator("#installed_serial").fill(spare)
    page.locator("#removed_serial").fill(faulty)
    page.locator("#step-parts button[type=submit]").click()
    expect(unsent).to_have_attribute("data-count", "3")
    photo = tmp_path / "psu.png"
    Image.new("RGB", (800, 600), (40, 120, 200)).save(photo)
    page.locator("#photo").set_input_files(str(photo))
    expect(unsent).to_have_attribute("data-count", "4")
    page.locator("#signer_name").fill("赵主任")
    draw_signature(page)
    page.locator("#signature-submit").click()
    expect(unsent).to_have_attribute("data-count", "5")
    expect(page.locator("#outbox-items li[data-state=pending]")).to_have_count(5)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "engineer-visit-offline")

    page.context.set_offline(False)  # back in signal: the queue goes out and the page reloads
    expect(page.locator("#signed")).to_contain_text("赵主任", timeout=30_000)
    expect(page.locator("#outbox")).to_be_hidden()
    assert page.evaluate("localStorage.getItem('sparelog.outbox.v1')") == "[]"
    shot(page, "engineer-visit-signed")

    visit = api("dispatcher").call("GET", f"/api/tickets/{number}/visit")
    assert [(p["installed_serial"], p["removed_serial"]) for p in visit["parts"]] == [
        (spare, faulty)
    ]
    assert len(visit["photos"]) == 1
    assert visit["arrived_device_at"] < visit["arrived_at"]  # queued offline, sent later
    assert visit["observation_until"] is not None  # a P1 fix: watched for 72 h
    ticket = api("dispatcher").call("GET", f"/api/tickets/{number}")
    assert ticket["status"] == "resolved"

    with page.expect_download() as sheet:
        page.locator("#service-sheet").click()
    text = _pdf_text(sheet.value)
    for expected in (
        "技术服务单",
        "更换电源模块，重启后业务恢复",
        "建议检查机房空调",
        spare,
        faulty,
    ):
        assert expected in text, expected
    with page.expect_download() as report:
        page.locator("#fault-report").click()
    text = _pdf_text(report.value)
    assert "更换电源模块，重启后业务恢复" in text and spare in text
