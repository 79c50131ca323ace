"""A transfer in a real browser: shipped at BJ01, received at SH01 by its own clerk with
one serial missing, the difference resolved when the unit turns up."""

from __future__ import annotations

from tests.browser.conftest import shot, sign_in

PART = "SRV-2288-PSU"


def test_a_transfer_received_with_a_serial_missing_ends_in_a_resolved_discrepancy(
    live_server, desktop, api
):
    from playwright.sync_api import expect

    sender = api("warehouse")  # wang.wh, who works at BJ01 and TJ01
    serials = ["TRF-BRW-0001", "TRF-BRW-0002"]
    for serial in serials:
        sender.call(
            "POST", "/api/stock/receipts", {"depot": "BJ01", "part_number": PART, "serial": serial}
        )
    number = sender.call(
        "POST",
        "/api/transfers",
        {
            "from_depot": "BJ01",
            "to_depot": "SH01",
            "lines": [{"part_number": PART, "serial": s} for s in serials],
        },
    )["number"]

    page = desktop
    sign_in(page, live_server, "zhao.wh", "warehouse-demo-pass")  # works at SH01, HZ01, NJ01
    page.locator("#depot-select").select_option("SH01")
    page.get_by_role("button", name="切换").click()
    incoming = page.locator(f'#in-transit tr[data-transfer="{number}"]')
    expect(incoming).to_contain_text("自 BJ01 调入")
    expect(incoming).to_contain_text("小时")
    incoming.get_by_role("link", name=number).click()

    expect(page.locator("#transfer-status")).to_have_attribute("data-status", "shipped")
    page.locator("#receive-serials").fill(serials[0])  # only one of the two arrived
    page.locator("#receive-submit").click()
    expect(page.locator(".flash.error")).to_contain_text("1 项差异")
    expect(page.locator("#transfer-status")).to_have_attribute("data-status", "discrepancy")
    missing = page.locator("#discrepancies tr[data-discrepancy]")
    expect(missing).to_have_count(1)
    expect(missing).to_contain_text(serials[1])
    expect(missing).to_have_attribute("data-status", "open")
    shot(page, "transfer-discrepancy")

    missing.locator('button[data-outcome="found"]').click()  # the unit turned up after all
    expect(page.locator(".flash.success")).to_contain_text("已入库")
    expect(page.locator("#discrepancies tr[data-discrepancy]")).to_have_attribute(
        "data-status", "found"
    )
    expect(page.locator("#transfer-status")).to_have_attribute("data-status", "received")
    for serial in serials:
        item = api("dispatcher").call("GET", f"/api/items/{serial}")
        assert (item["location"], item["status"]) == ("SH01", "in_stock"), item
