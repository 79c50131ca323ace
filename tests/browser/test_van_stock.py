"""Issue 16: a van is replenished (the depot's pick list → a transfer → the engineer scans
it in), the dispatcher sends the engineer who carries the part straight to the site, and
the job consumes the part from the van while the faulty one is routed back to the vendor's
Shanghai hub by rule — sent by the engineer and booked at the hub by the warehouse — where
a warranty claim (RTV) takes it: shipped, replaced by the vendor, credited; the ledger
verifies."""

from __future__ import annotations

from tests.browser.conftest import shot, sign_in

PART = "SRV-2288-PSU"  # a demo rule sends faulty ones to the vendor's Shanghai hub
SITE = "C001-S1"  # Beijing
OLD = "VAN16-OLD-0001"  # the unit installed at the site, about to fail
NEW_FROM_VENDOR = "VAN16-HW-0001"  # the unit the vendor sends back in its place


def test_a_van_is_replenished_and_a_job_uses_its_part_and_returns_the_faulty_one_by_rule(
    live_server, desktop, phone, api
):
    from playwright.sync_api import expect

    warehouse, dispatcher, engineer = api("warehouse"), api("dispatcher"), api("engineer")
    api("admin").call("POST", "/api/warranty-terms",
                      {"vendor": "Huawei", "part_number": PART, "months": 36,
                       "basis": "installation"})  # fmt: skip
    warehouse.call("POST", "/api/stock/receipts",
                   {"depot": "BJ01", "part_number": PART, "serial": "VAN16-NEW-0001"})  # fmt: skip
    dispatcher.call(
        "POST",
        "/api/equipment",
        {"site_code": SITE, "part_number": PART, "serial": OLD, "acceptance_date": "2025-06-01"},
    )

    # the warehouse gives zhang's van a stocking list and issues what it lacks
    page = desktop
    sign_in(page, live_server, "wang.wh", "warehouse-demo-pass")
    page.goto(f"{live_server}/vans/")
    page.locator("#level-engineer").select_option("ENG-001")
    page.locator("#level-part").select_option(PART)
    page.locator("#level-qty").fill("1")
    page.locator("#set-level").click()
    row = page.locator(f'#pick-list tr[data-engineer="ENG-001"][data-part="{PART}"]')
    expect(row).to_be_visible()
    picked = row.locator(".mono.small").inner_text().split(", ")[0]
    shot(page, "van-pick-list")
    page.locator("#replenish-ENG-001").click()
    expect(page.locator(".flash.success")).to_contain_text("TRF-")

    # the engineer scans the unit into the van
    van = phone
    sign_in(van, live_server, "zhang.eng", "engineer-demo-pass")
    van.goto(f"{live_server}/vans/mine")
    incoming = van.locator("section[id^=incoming-]").first
    incoming.locator("textarea").fill(picked)
    shot(van, "van-receive-scan")
    incoming.locator("button[type=submit]").click()
    expect(van.locator(f'#van-stock tr[data-part="{PART}"]')).to_have_attribute("data-good", "1")

    # the dispatcher sees the van option: straight to the site, no depot leg
    ticket = dispatcher.call(
        "POST",
        "/api/tickets",
        {"site": SITE, "severity": "P2", "channel": "phone", "equipment_serial": OLD,
         "symptom": "服务器电源告警", "contact_name": "赵主任", "contact_phone": "13911112222"},
    )["number"]  # fmt: skip
    page.context.clear_cookies()
    sign_in(page, live_server, "li.disp", "dispatcher-demo-pass")
    page.goto(f"{live_server}/dispatch/tickets/{ticket}")
    option = page.locator('li.option[data-engineer="ENG-001"]:has(.van-note)').first
    expect(option).to_be_visible()
    expect(option.locator("input[name=mode]")).to_have_value("van")
    shot(page, "van-dispatch-option")
    option.locator("button[type=submit]").click()

    # on site: the part used from the van, the faulty unit removed and routed by rule
    engineer.call("POST", f"/api/tickets/{ticket}/visit/arrival", {})
    van.goto(f"{live_server}/engineer/{ticket}")
    van.locator("#used-source").select_option("van")
    van.locator("#used-part").select_option(PART)
    van.locator("#used-serial").fill(picked)
    van.locator("#record-used").click()
    expect(van.locator('#parts-list tr[data-source="van"]')).to_contain_text(picked)
    van.locator("#removed-condition").select_option("faulty")
    van.locator("#removed-part").select_option(PART)
    van.locator("#removed-serial-van").fill(OLD)
    van.locator("#record-removed").click()
    expect(van.locator(".flash.success")).to_contain_text("华为上海备件中心")
    expect(van.locator('#parts-list tr[data-removed="faulty"]')).to_contain_text(OLD)
    shot(van, "van-job-parts")

    van.goto(f"{live_server}/vans/mine")
    owed = van.locator("#owed li.owed").first
    expect(owed.locator(".destination")).to_contain_text("华为上海备件中心")
    owed.locator("input[name=waybill]").fill("SF1016001")
    owed.locator("button[type=submit]").click()
    expect(van.locator("#owed li.owed").first).to_have_attribute("data-status", "shipped")
    shot(van, "van-owed-sent")

    # the warehouse records the hub's receipt; the part's ledger ends at the vendor
    page.context.clear_cookies()
    sign_in(page, live_server, "wang.wh", "warehouse-demo-pass")
    page.goto(f"{live_server}/vans/")
    returned = page.locator("#returns tr[data-status=shipped]").filter(has_text=OLD)
    expect(returned).to_be_visible()
    shot(page, "van-returns-console")
    returned.locator("button[type=submit]").click()
    expect(page.locator(".flash.success")).to_contain_text("VND-HW-SH")
    history = warehouse.call("GET", f"/api/items/{OLD}")
    assert history["location"] == "VND-HW-SH" and history["condition"] == "faulty", history

    # the vendor's warranty pays for it: a claim (RTV) from the unit at the hub, shipped,
    # the vendor replaces it with a new serial, and the credit is recorded
    page.goto(f"{live_server}/rtv/")
    page.locator(f'label.candidate[data-serial="{OLD}"] input').check()
    page.locator("#rtv-vendor").fill("Huawei")
    page.locator("#rtv-vendor_rma").fill("HW-RMA-16001")
    page.locator("#rtv-failure").fill("电源无输出")
    shot(page, "rtv-new-claim")
    page.locator("#create-rtv").click()
    expect(page.locator(".flash.success")).to_contain_text("RTV-")
    claim = page.locator("#claim")
    expect(claim).to_have_attribute("data-status", "open")
    expect(page.locator(f'#lines tr[data-serial="{OLD}"]')).to_contain_text("在保")
    claimed = page.locator("#claim-amount").inner_text()
    assert float(claimed) > 0, claimed  # in warranty: the unit's value is claimed
    page.locator("#rtv-waybill").fill("SF1016002")
    page.locator("#ship-rtv").click()
    expect(claim).to_have_attribute("data-status", "shipped")
    page.locator(f'select[name="outcome.{OLD}"]').select_option("replaced")
    page.locator(f'input[name="replacement.{OLD}"]').fill(NEW_FROM_VENDOR)
    page.locator("#record-outcomes").click()
    expect(claim).to_have_attribute("data-status", "received")
    page.locator("#rtv-credit_amount").fill(claimed)
    page.locator("#rtv-credit_note").fill("CN-HW-16001")
    page.locator("#credit-rtv").click()
    expect(claim).to_have_attribute("data-status", "credited")
    expect(page.locator("#not-recovered")).to_have_text("0.00")
    shot(page, "rtv-credited")
    page.goto(f"{live_server}/rtv/")  # the vendor's report: the claim recovered in full
    expect(page.locator('#vendor-report tr[data-vendor="Huawei"]')).to_have_attribute(
        "data-recovery", "1.0"
    )
    replacement = warehouse.call("GET", f"/api/items/{NEW_FROM_VENDOR}")
    assert (replacement["location_kind"], replacement["status"], replacement["condition"]) == (
        "depot", "in_stock", "good"
    ), replacement  # fmt: skip
    assert _ledger_problems(live_server) == []


def _ledger_problems(live_server) -> list:
    """What `flask inventory verify` checks: every on-hand figure matches the movements."""
    from inventory.verify import verify_ledger
    from models.db import make_engine, make_session_factory

    engine = make_engine(live_server.database_url)
    try:
        with make_session_factory(engine)() as session:
            return verify_ledger(session)
    finally:
        engine.dispose()
