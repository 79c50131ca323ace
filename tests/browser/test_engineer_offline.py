"""Issue 13: the engineer's pages work on a phone with no connection. An engineer who opened
their jobs loses the signal, reloads the job page — the service worker answers with the copy
kept on the phone, marked as such — records the arrival and the work there (kept in the
phone's queue across another reload), and when the signal returns each step reaches the
server once."""

from __future__ import annotations

import time

from tests.browser.conftest import shot, sign_in
from tests.browser.test_engineer_visit import dispatched_p1

PAGES_CACHE = "sparelog-engineer-pages"


def wait_until(page, script: str, arg=None, timeout: float = 60) -> None:
    """Poll ``script`` (a function) in the page until it is true (the pages' CSP forbids the
    string evaluation ``wait_for_function`` uses). The limit is generous: installing the
    worker and keeping the pages took over 20 s on the shared 2-core machine under load, and
    speed is not what these tests assert."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"never true: {script}"
        time.sleep(0.2)


KEPT = "([name, path]) => caches.open(name).then(c => c.match(path)).then(r => !!r)"


def _kept(page, path: str) -> bool:
    return page.evaluate(KEPT, [PAGES_CACHE, path])


def signed_in_with_pages_kept(page, live_server: str, kept: str, opened: str = "/engineer/"):
    """The engineer signs in on the phone and opens ``opened`` (the job list); the service
    worker takes control and keeps ``kept`` on the phone."""
    sign_in(page, live_server, "zhang.eng", "engineer-demo-pass")
    page.goto(live_server + opened)
    wait_until(page, "() => navigator.serviceWorker.controller !== null")
    try:
        wait_until(page, KEPT, [PAGES_CACHE, kept])
    except AssertionError as failed:  # say why: what the server answers, what the phone kept
        raise AssertionError(f"{failed}\n{_why_not_kept(page, kept)}") from None


def _why_not_kept(page, path: str) -> str:
    answer = page.evaluate(
        "(path) => fetch(path, {credentials: 'same-origin', redirect: 'manual'})"
        ".then(r => r.type + ' ' + r.status, e => 'no answer: ' + e)",
        path,
    )
    kept = page.evaluate(
        "(name) => caches.open(name).then(c => c.keys()).then(ks => ks.map(k => k.url))",
        PAGES_CACHE,
    )
    return f"the server now answers {path} with {answer}; the phone kept {kept}"


def test_a_job_page_reloaded_with_no_signal_still_records_the_visit_sent_once_back_online(
    live_server, phone, api
):
    from playwright.sync_api import expect

    number, _spare, _faulty = dispatched_p1(api)
    page = phone
    # the worker installs and keeps the list and every job page on it
    signed_in_with_pages_kept(page, live_server, f"/engineer/{number}")
    assert _kept(page, "/engineer/")
    worker = page.evaluate("navigator.serviceWorker.controller.scriptURL")
    assert worker == live_server + "/engineer/sw.js"
    page.locator(f'section.job[data-ticket="{number}"] h2 a').click()
    expect(page.locator("#step-arrival")).to_be_visible()
    expect(page.locator("#offline-note")).to_be_hidden()

    page.context.set_offline(True)  # the lift to the basement machine room
    reloaded = page.reload()
    assert reloaded is not None and reloaded.from_service_worker
    assert page.locator("body").get_attribute("data-saved-copy")  # the kept copy, said so
    expect(page.locator("#offline-note")).to_be_visible()
    expect(page.locator("#offline-note .saved-copy")).to_be_visible()
    expect(page.locator("#offline-note .no-signal")).to_be_visible()
    expect(page.locator(f'section.job[data-ticket="{number}"] a.ticket-contact')).to_have_attribute(
        "href", "tel:13911112222"
    )
    expect(page.locator('[data-clock="restore"] .remaining')).not_to_be_empty()
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.evaluate("innerWidth"), f"the page scrolls sideways ({width}px)"
    shot(page, "engineer-job-offline-copy")

    unsent = page.locator("#unsent-count")
    page.locator("#step-arrival button").click()
    expect(unsent).to_have_attribute("data-count", "1")
    page.locator("#diagnosis").fill("光模块收光功率过低")
    page.locator("#actions").fill("清洁光纤接头并更换光模块，链路恢复")
    page.locator("#step-work button[type=submit]").click()
    expect(unsent).to_have_attribute("data-count", "2")

    page.reload()  # still no signal: the queue is still on the phone
    expect(page.locator("#unsent-count")).to_have_attribute("data-count", "2")
    expect(page.locator("#outbox-items li[data-state=pending]")).to_have_count(2)
    expect(page.locator("#step-arrival button")).to_be_disabled()  # not pressed twice
    expect(page.locator("#actions")).to_have_value("清洁光纤接头并更换光模块，链路恢复")
    shot(page, "engineer-job-offline-queued")
    dispatcher = api("dispatcher")
    assert dispatcher.call("GET", f"/api/tickets/{number}")["status"] == "dispatched"

    page.context.set_offline(False)  # signal: the queue goes out, the page reloads fresh
    expect(page.locator("#arrived-server")).to_be_visible(timeout=30_000)
    expect(page.locator("#outbox")).to_be_hidden()
    expect(page.locator("#offline-note")).to_be_hidden()
    assert page.locator("body").get_attribute("data-saved-copy") is None
    assert page.evaluate("localStorage.getItem('sparelog.outbox.v1')") == "[]"
    expect(page.locator("#actions")).to_have_value("清洁光纤接头并更换光模块，链路恢复")

    ticket = dispatcher.call("GET", f"/api/tickets/{number}")
    assert ticket["status"] == "on_site"
    kinds = [e["kind"] for e in dispatcher.call("GET", f"/api/tickets/{number}/events")]
    assert kinds.count("arrive") == 1 and kinds.count("work_recorded") == 1
    visit = dispatcher.call("GET", f"/api/tickets/{number}/visit")
    assert visit["arrived_device_at"] < visit["arrived_at"]  # pressed offline, received later


def test_signing_out_drops_the_pages_kept_on_the_phone(live_server, phone, api):
    page = phone
    signed_in_with_pages_kept(page, live_server, "/engineer/")
    page.locator("#logout").click()
    page.wait_for_url("**/login**")
    wait_until(page, "name => caches.has(name).then(has => !has)", PAGES_CACHE)

    page.context.set_offline(True)
    page.goto(live_server + "/engineer/")  # nothing of theirs left to show
    assert page.locator(".job").count() == 0
    page.context.set_offline(False)


def test_a_job_page_the_poor_signal_cannot_bring_is_shown_from_the_kept_copy(
    live_server, phone, api
):
    """Signal, but too poor for the page to arrive: after a few seconds the phone shows the
    copy it kept (said so) instead of a blank screen."""
    from playwright.sync_api import expect

    number, _spare, _faulty = dispatched_p1(api)
    page = phone
    signed_in_with_pages_kept(page, live_server, f"/engineer/{number}")
    stuck = []
    page.context.route(f"**/engineer/{number}", lambda route: stuck.append(route))  # never answers

    started = time.monotonic()
    page.goto(f"{live_server}/engineer/{number}", timeout=30_000)

    assert time.monotonic() - started < 20
    assert stuck, "the worker asked the server first"
    assert page.locator("body").get_attribute("data-saved-copy")
    expect(page.locator("#offline-note .saved-copy")).to_be_visible()
    expect(page.locator("#offline-note .no-signal")).to_be_hidden()  # there is a signal
    expect(page.locator("#step-arrival button")).to_be_enabled()
    page.context.unroute(f"**/engineer/{number}")  # lets the held request go on


def test_a_page_kept_while_the_job_list_drops_the_others_stays_kept(live_server, phone, api):
    """The job list drops the kept pages of jobs no longer on it once its own pages have
    arrived. A page the engineer opened in the meantime (the list's pages still on their way
    over a poor signal) is one they want offline: it stays kept."""
    number, _spare, _faulty = dispatched_p1(api)
    page = phone
    job = f"/engineer/{number}"
    signed_in_with_pages_kept(page, live_server, job)
    finished = "/engineer/TKT-2000-000001"  # kept once, its job no longer on the list
    page.evaluate(
        """([name, finished, job]) => caches.open(name).then(c => Promise.all([
            c.put(finished, new Response("<p>done</p>")), c.delete(job)]))""",
        [PAGES_CACHE, finished, job],
    )
    held: list = []
    # the list's own page does not arrive yet
    page.context.route("**/engineer/", lambda route: held.append(route))
    page.evaluate(
        """([list, job]) => {
            const worker = navigator.serviceWorker.controller;
            worker.postMessage({type: "keep", urls: [list], only: true});  // the job list
            worker.postMessage({type: "keep", urls: [job]});  // the page opened meanwhile
        }""",
        ["/engineer/", job],
    )
    wait_until(page, KEPT, [PAGES_CACHE, job])
    while not held:
        page.wait_for_timeout(100)
    held[0].continue_()  # the list's page arrives; the list drops what it does not show
    page.context.unroute("**/engineer/")

    wait_until(
        page,
        "([name, keep]) => caches.open(name).then(c => c.keys())"
        ".then(ks => ks.every(k => keep.includes(new URL(k.url).pathname)))",
        [PAGES_CACHE, ["/engineer/", job]],
    )
    kept = _kept_paths(page)
    assert finished not in kept and job in kept, f"the phone keeps {kept}"


def _kept_paths(page) -> list[str]:
    return page.evaluate(
        "(name) => caches.open(name).then(c => c.keys())"
        ".then(ks => ks.map(k => new URL(k.url).pathname))",
        PAGES_CACHE,
    )
