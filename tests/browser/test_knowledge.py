"""A symptom typed in Chinese on the ticket page finds the right article and the part that
fixed it (issue 17's "done when")."""

from __future__ import annotations

from tests.browser.conftest import shot, sign_in

PART = "SRV-2288-PSU"


def test_a_dispatcher_types_a_chinese_symptom_and_sees_the_article_and_its_part(
    live_server, desktop, api
):
    from playwright.sync_api import expect

    article = api("admin").call(
        "POST",
        "/api/knowledge/articles",
        {
            "symptom": "服务器电源模块故障，无法开机，电源指示灯不亮",
            "cause": "电源模块电容老化",
            "fix": "更换电源模块",
            "parts": [PART],
            "models": [PART],
        },
    )["number"]
    ticket = api("dispatcher").call(
        "POST",
        "/api/tickets",
        {"site": "C002-S1", "severity": "P3", "symptom": "机房反映设备异常", "part_number": PART},
    )["number"]
    page = desktop
    sign_in(page, live_server, "li.disp", "dispatcher-demo-pass")
    page.goto(f"{live_server}/dispatch/tickets/{ticket}")
    box = page.get_by_label("故障现象")
    box.fill("开不了机，电源灯不亮")
    box.press("Enter")
    hit = page.locator(f'#knowledge li[data-ref="{article}"]')
    expect(hit).to_be_visible()
    expect(page.locator(f'#knowledge .kb-parts li[data-part="{PART}"]')).to_be_visible()
    assert page.locator("#knowledge .kb-hits li").first.get_attribute("data-ref") == article
    shot(page, "knowledge-ticket-panel")
