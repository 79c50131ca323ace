"""Issue 13 on a phone (390 x 844): the engineer and the customer switch the language to
English and back, and every page they use stays usable — nothing wider than the screen,
the buttons they need on it — and a tracking code read out on the phone and typed in lower
case finds the RMA in either language."""

from __future__ import annotations

import re

from tests.browser.conftest import ARTIFACTS, sign_in
from tests.browser.test_engineer_visit import dispatched_p1


def artifact(page, name: str) -> None:
    """A screenshot to look at after the run (test-artifacts/, never the README's folder)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def fits_the_screen(page, what: str) -> None:
    wide = page.evaluate(
        """() => {
            const width = innerWidth;
            const over = [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > width + 1 && e.offsetParent !== null)
                .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className);
            return [document.scrollingElement.scrollWidth, width, over];
        }"""
    )
    scroll, width, over = wide
    assert scroll <= width, f"{what} scrolls sideways on a phone ({scroll} > {width}): {over}"


def switch_language(page, lang: str) -> None:
    from playwright.sync_api import expect

    page.locator("#lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en" if lang == "en" else "zh-CN")


def test_an_engineer_switches_to_english_and_back_on_a_phone(live_server, phone, api):
    from playwright.sync_api import expect

    number, _spare, faulty = dispatched_p1(api)
    page = phone
    sign_in(page, live_server, "zhang.eng", "engineer-demo-pass")
    job = f"{live_server}/engineer/{number}"
    for lang, words in (("en", "I am on site"), ("zh", "已到场")):
        page.goto(live_server + "/engineer/")
        switch_language(page, lang)
        card = page.locator(f'section.job[data-ticket="{number}"]')
        expect(card.locator("a.ticket-contact")).to_have_attribute("href", "tel:13911112222")
        fits_the_screen(page, f"the jobs list ({lang})")
        page.goto(job)
        expect(page.locator("#step-arrival button")).to_have_text(words)
        expect(page.locator(".bring-back")).to_have_text(faulty)
        expect(page.locator(".nav-amap").first).to_be_visible()
        for step in ("#step-arrival", "#step-work", "#step-signature"):
            box = page.locator(step).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, step
        fits_the_screen(page, f"the job page ({lang})")
        artifact(page, f"phone-lang-engineer-job-{lang}")


def test_a_customer_switches_to_english_and_back_and_tracks_in_lower_case(live_server, phone):
    from playwright.sync_api import expect

    page = phone
    sign_in(page, live_server, "customer.sgcc", "customer-demo-pass")
    page.goto(live_server + "/my/")
    code = page.locator('a[href^="/track/"]').first.get_attribute("href").rsplit("/", 1)[1]
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code), code
    pages = ("/my/", "/my/report", "/my/repair", "/my/rmas", "/track")
    for lang in ("en", "zh"):
        page.goto(live_server + "/my/")
        switch_language(page, lang)
        for path in pages:
            page.goto(live_server + path)
            expect(page.locator("html")).to_have_attribute(
                "lang", "en" if lang == "en" else "zh-CN"
            )
            fits_the_screen(page, f"{path} ({lang})")
            name = path.strip("/").replace("/", "-") or "home"
            artifact(page, f"phone-lang-customer-{name}-{lang}")
        page.goto(live_server + "/my/report")
        expect(page.locator("#report-submit")).to_be_visible()
        page.goto(live_server + "/track")
        page.locator("#code").fill(code.lower().replace("-", " "))  # read out, typed as heard
        page.locator("#code").press("Enter")
        expect(page).to_have_url(f"{live_server}/track/{code}")
        expect(page.locator("#tracking-code")).to_have_text(code)
        fits_the_screen(page, f"the tracking page ({lang})")
        artifact(page, f"phone-lang-tracking-{lang}")


def test_the_dispatchers_board_fits_a_phone_in_both_languages(live_server, phone):
    """The board's status filter and its ticket cards stay on the screen (the filter once
    ran off its right edge and the cards were wider than the phone)."""
    from playwright.sync_api import expect

    page = phone
    sign_in(page, live_server, "li.disp", "dispatcher-demo-pass")
    for lang in ("en", "zh"):
        page.goto(live_server + "/dispatch/")
        switch_language(page, lang)
        show = page.locator("form[action$='/dispatch/'] button[type=submit]")
        expect(show).to_be_visible()
        box = show.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390, "the filter's button"
        fits_the_screen(page, f"the dispatcher's board ({lang})")
        artifact(page, f"phone-lang-dispatch-board-{lang}")
