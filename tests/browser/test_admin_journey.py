"""An administrator sets a contract up on the pages, and a ticket on it runs on its clocks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from app.formatting import format_day
from tests.browser.conftest import shot, sign_in

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _fill_contract_header(page, code: str, name: str, coverage: str, start: str, end: str):
    """The contract form's first fields: customer C001, ``coverage`` from ``start`` to
    ``end`` (HH:MM)."""
    page.get_by_label("合同编号").fill(code)
    page.get_by_label("客户", exact=True).select_option("C001")
    page.get_by_label("名称", exact=True).fill(name)
    page.get_by_label("服务时间类型").select_option(coverage)
    page.get_by_label("服务开始").fill(start)
    page.get_by_label("服务结束").fill(end)


def _clock(page, name: str) -> tuple[datetime, datetime]:
    """(start, deadline) of the clock ``name`` on the ticket page open in ``page``."""
    clock = page.locator(f".clock-list [data-clock={name}]")
    start = datetime.fromisoformat(clock.get_attribute("data-start").replace("Z", "+00:00"))
    due = datetime.fromisoformat(clock.get_attribute("data-deadline").replace("Z", "+00:00"))
    return start, due


def test_an_administrator_creates_a_contract_with_its_own_ladder_and_a_ticket_shows_its_clocks(
    live_server, desktop, api
):
    from playwright.sync_api import expect

    page = desktop
    sign_in(page, live_server, "admin", "admin-demo-pass")
    expect(page).to_have_url(live_server + "/admin/")  # not the dispatcher board
    page.locator("#admin-contracts").click()
    page.locator("#new-contract").click()

    _fill_contract_header(page, "C001-PLATINUM", "白金服务 7×24", "7x24", "00:00", "24:00")
    page.get_by_label("响应时限 · 电话").fill("25")
    page.get_by_label("恢复时限 · P2").fill("200")
    page.get_by_label("故障件返还期限（天）").fill("7")
    page.get_by_label("逾期返还费用").fill("880.00")
    ladder = [
        ("12", "值班主管", "138 0000 0001"),
        ("40", "区域总监", "dir@x.cn"),
    ]
    for level, (minutes, who, contact) in enumerate(ladder, start=1):
        page.get_by_label(f"第{level}级 · 无进展分钟数").fill(minutes)
        page.get_by_label(f"第{level}级 · 升级给谁").fill(who)
        page.get_by_label(f"第{level}级 · 联系方式").fill(contact)
    page.get_by_label("第3级 · 无进展分钟数").fill("5")  # below level 2: refused, named
    page.get_by_label("第3级 · 升级给谁").fill("nobody")
    page.locator("#save-contract").click()
    expect(page.locator("#form-errors [data-field=contract]")).to_contain_text("escalation")
    expect(page.get_by_label("合同编号")).to_have_value("C001-PLATINUM")  # as typed

    page.get_by_label("第3级 · 无进展分钟数").fill("")
    page.get_by_label("第3级 · 升级给谁").fill("")
    page.locator("#save-contract").click()
    expect(page.locator(".flash.success")).to_contain_text("C001-PLATINUM")
    expect(page.locator(".audit-table [data-kind=created]")).to_be_visible()
    shot(page, "admin-contract")

    ticket = api("dispatcher").call(
        "POST",
        "/api/tickets",
        {"site": "C001-S1", "severity": "P2", "symptom": "存储告警", "contract": "C001-PLATINUM"},
    )
    page.goto(f"{live_server}/dispatch/tickets/{ticket['number']}")
    start, due = _clock(page, "response")
    assert (due - start).total_seconds() == 25 * 60  # the contract's phone response, 7×24
    start, due = _clock(page, "restore")
    assert (due - start).total_seconds() == 200 * 60
    expect(page.locator("#ladder-title")).to_contain_text("C001-PLATINUM")
    expect(page.locator("#ticket-ladder li")).to_have_count(2)
    expect(page.locator("#ticket-ladder li").nth(0)).to_contain_text("值班主管")
    expect(page.locator("#ticket-ladder li").nth(1)).to_contain_text("dir@x.cn")


def _restore_clock(page, live_server: str, number: str) -> tuple[datetime, datetime]:
    page.goto(f"{live_server}/dispatch/tickets/{number}")
    return _clock(page, "restore")


def test_a_company_holiday_added_on_the_calendar_page_moves_a_new_tickets_deadline(
    live_server, desktop, api
):
    from playwright.sync_api import expect

    page = desktop
    sign_in(page, live_server, "admin", "admin-demo-pass")
    page.goto(f"{live_server}/admin/contracts/new")
    _fill_contract_header(page, "C001-OFFICE", "工作日服务 5×8", "5x8", "09:00", "17:00")
    page.get_by_label("恢复时限 · P2").fill("960")  # two working days
    page.locator("#save-contract").click()
    expect(page.locator(".flash.success")).to_contain_text("C001-OFFICE")

    dispatcher = api("dispatcher")
    body = {"site": "C001-S1", "severity": "P2", "symptom": "存储告警", "contract": "C001-OFFICE"}
    before_start, before_due = _restore_clock(
        page, live_server, dispatcher.call("POST", "/api/tickets", body)["number"]
    )
    holiday = before_due.astimezone(SHANGHAI).date()  # the working day the clock ends on

    page.goto(f"{live_server}/admin/")
    page.locator("#admin-calendar").click()
    page.get_by_label("日期", exact=True).fill(holiday.isoformat())
    page.get_by_label("名称", exact=True).fill("公司年会")
    page.get_by_label("类型", exact=True).select_option("false")
    page.locator("#add-day").click()
    expect(page.locator(".flash.success")).to_contain_text(format_day(holiday, "zh"))
    row = page.locator(f"#calendar-table tr[data-day='{holiday.isoformat()}']")
    expect(row).to_contain_text("公司年会")
    shot(page, "admin-calendar")

    after_start, after_due = _restore_clock(
        page, live_server, dispatcher.call("POST", "/api/tickets", body)["number"]
    )
    assert after_due.astimezone(SHANGHAI).date() > holiday  # the holiday does not count
    assert after_due - after_start > before_due - before_start

    page.goto(f"{live_server}/admin/calendar")  # the day goes back to the country's calendar
    page.locator(f"#calendar-table tr[data-day='{holiday.isoformat()}'] button").click()
    expect(page.locator(f"#calendar-table tr[data-day='{holiday.isoformat()}']")).to_have_count(0)
    expect(page.locator(".audit-table [data-kind=day_removed]")).to_be_visible()
    expect(page.locator(".audit-table [data-kind=day_added]")).to_be_visible()
