"""The warehouse's counts and reorder list in a real browser: a count with a variance over
the limit reviewed, recounted and posted; a reorder line accepted as a transfer."""

from __future__ import annotations

from tests.browser.conftest import shot, sign_in

FAN = "SRV-FAN-80"  # a counted part the demo stocks at BJ01


def test_a_count_with_variances_is_reviewed_recounted_and_posted(live_server, desktop, api):
    from playwright.sync_api import expect

    page = desktop
    sign_in(page, live_server, "wang.wh", "warehouse-demo-pass")  # works at BJ01 and TJ01
    page.locator("#depot-select").select_option("BJ01")
    page.get_by_role("button", name="切换").click()
    page.goto(live_server + "/warehouse/counts/")
    page.get_by_label("盘点的备件号（每行一个）").fill(FAN)
    page.locator("#count-start-submit").click()
    expect(page.locator("#count-status")).to_have_attribute("data-status", "counting")
    number = page.url.rsplit("/", 1)[-1]
    books = api("warehouse").call("GET", f"/api/counts/{number}")["lines"][0]["expected"]

    quantity = page.locator(f'input[data-part="{FAN}"]')
    quantity.fill(str(books + 6))  # six more than the books: over the 2-unit limit
    page.locator("#count-record-submit").click()
    expect(page.locator(".flash.success")).to_contain_text("已记录")
    page.locator("#count-submit").click()
    expect(page.locator("#count-status")).to_have_attribute("data-status", "review")
    row = page.locator(f'#count-parts tr[data-part="{FAN}"]')
    expect(row).to_have_attribute("data-over", "yes")
    expect(row).to_contain_text("+6")
    expect(page.locator("#count-needs-check")).to_be_visible()
    expect(page.locator("#count-post-submit")).to_be_disabled()
    expect(page.locator("#count-value")).to_contain_text("¥")
    shot(page, "count-review")

    row.get_by_role("checkbox").check()
    page.locator("#count-recount-submit").click()
    expect(page.locator("#count-status")).to_have_attribute("data-status", "counting")
    expect(page.locator("#count-record")).to_contain_text(f"首次 {books + 6}")
    page.locator(f'input[data-part="{FAN}"]').fill(str(books + 1))  # the recount finds one
    page.locator("#count-record-submit").click()
    page.locator("#count-submit").click()
    expect(page.locator(f'#count-parts tr[data-part="{FAN}"]')).to_contain_text("已复盘")
    page.locator("#count-post-submit").click()
    expect(page.locator(".flash.success")).to_contain_text(f"盘点单 {number} 已过账")
    expect(page.locator("#count-status")).to_have_attribute("data-status", "posted")
    expect(page.locator(f'#count-lines tr[data-part="{FAN}"]')).to_have_attribute(
        "data-outcome", "adjusted"
    )
    shot(page, "count-posted")
    posted = api("warehouse").call("GET", f"/api/counts/{number}")
    assert posted["status"] == "posted" and posted["lines"][0]["variance"] == 1
    assert posted["lines"][0]["previous_counted"] == books + 6


def test_a_reorder_line_is_accepted_as_a_transfer(live_server, desktop, api):
    from playwright.sync_api import expect

    page = desktop
    sign_in(page, live_server, "li.disp", "dispatcher-demo-pass")
    page.goto(live_server + "/warehouse/reorder")
    line = page.locator('tr[data-kind="transfer"]').first
    expect(line).to_contain_text("调拨")
    key = line.get_attribute("data-line")
    shot(page, "reorder-proposals", full_page=False)
    line.locator('button[data-accept="transfer"]').click()
    expect(page.locator(".flash.success")).to_contain_text("在途中")
    accepted = page.locator(f'tr[data-line="{key}"]')
    expect(accepted).to_have_attribute("data-kind", "accepted")
    number = accepted.locator(".accepted-ref").inner_text()
    depot, part = key.split(":")
    shot(page, "reorder-accepted", full_page=False)
    again = api("dispatcher").call(  # a second click, from the API: the same transfer
        "POST",
        "/api/stock/reorder-proposals/accept",
        {
            "depot": depot,
            "part_number": part,
            "kind": "transfer",
            "qty": 1,
            "source": "BJ01",
        },
    )
    assert again["reference"] == number and again["created"] is False
    shipped = api("dispatcher").call("GET", f"/api/transfers?depot={depot}&status=shipped")
    transfer = next(t for t in shipped["items"] if t["number"] == number)
    assert transfer["to_depot"] == depot and transfer["from_depot"] != depot
