"""The return-to-vendor pages on the demo: the warehouse opens a claim for a faulty unit on
its shelf, ships it, records what the vendor did and the credit; the claim reads in both
languages and a bad amount is refused with words, not a 500."""

from __future__ import annotations

import re

from sqlalchemy import select

from inventory.receiving import receive_from_supplier
from models import SerialItem
from tests.web.conftest import DEMO_LOGINS, post_form, sign_in

FLASH = re.compile(r'class="flash (success|error)"[^>]*>\s*([^<]*)')
SERIAL = "RTV-WEB-0001"


def _flash(response) -> tuple[str, str]:
    found = FLASH.search(response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)[:2000]
    return found.group(1), found.group(2).strip()


def test_a_claim_is_opened_shipped_answered_and_credited_on_the_pages(app, db):
    receive_from_supplier(db, depot_code="BJ01", part_number="SRV-2288-PSU", actor="wh",
                          serial=SERIAL, condition="faulty")  # fmt: skip
    db.rollback()
    client = app.test_client()
    assert sign_in(client, DEMO_LOGINS["warehouse"], "warehouse").status_code == 302
    page = client.get("/rtv/").get_data(as_text=True)
    assert f'data-serial="{SERIAL}"' in page and "新建退供应商索赔" in page
    made = post_form(client, "/rtv/", {"serial": SERIAL, "vendor": "Huawei",
                                       "vendor_rma": "HW-RMA-77", "failure": "无输出"},
                     follow_redirects=True)  # fmt: skip
    kind, text = _flash(made)
    assert kind == "success" and "RTV-" in text, text
    number = re.search(r"(RTV-[0-9-]+)", text).group(1)
    url = f"/rtv/{number}"
    assert 'data-status="open"' in made.get_data(as_text=True)
    # no warranty terms in the demo: out, and the line says why
    assert 'data-why="no_terms"' in made.get_data(as_text=True)
    assert "该供应商没有此件的保修条款" in made.get_data(as_text=True)
    done = post_form(client, f"{url}/ship", {"waybill": "SF777"}, page=url, follow_redirects=True)
    assert _flash(done)[0] == "success" and 'data-status="shipped"' in done.get_data(as_text=True)
    done = post_form(client, f"{url}/receive", {f"outcome.{SERIAL}": "repaired"}, page=url,
                     follow_redirects=True)  # fmt: skip
    html = done.get_data(as_text=True)
    assert 'data-status="received"' in html and 'data-outcome="repaired"' in html
    bad = post_form(client, f"{url}/credit", {"credit_amount": "lots"}, page=url,
                    follow_redirects=True)  # fmt: skip
    assert _flash(bad) == ("error", "操作未完成：金额格式不对")
    done = post_form(client, f"{url}/credit", {"credit_amount": "80.00", "credit_note": "CN-1"},
                     page=url, follow_redirects=True)  # fmt: skip
    html = done.get_data(as_text=True)
    assert 'data-status="credited"' in html and "已赔付" in html and "CN-1" in html
    unit = db.scalar(select(SerialItem).where(SerialItem.serial == SERIAL))
    assert (unit.condition, unit.status) == ("good", "in_stock")  # repaired, back on the shelf
    db.rollback()
    report = client.get("/rtv/").get_data(as_text=True)  # the vendor's figures, in words
    row = re.search(r'<tr data-vendor="Huawei" data-nff="([^"]*)" data-yield="([^"]*)"', report)
    assert row and row.groups() == ("0.0", "1.0"), report[report.find("vendor-report") :][:1500]
    assert (
        "各供应商的索赔情况" in report
        and "无故障发现率" in report
        and "赔付 80.00 / 索赔" in report
    )
    post_form(client, "/prefs", {"lang": "en"}, page="/rtv/")
    html = client.get(url).get_data(as_text=True)
    assert "Credited" in html and "Repaired" in html
    listing = client.get("/rtv/").get_data(as_text=True)
    assert f'data-number="{number}" data-status="credited"' in listing
    assert "Per-vendor report" in listing and "Repair yield" in listing


def test_an_admin_sets_a_vendors_warranty_term_and_a_new_claim_is_checked_against_it(app, db):
    admin = app.test_client()
    assert sign_in(admin, DEMO_LOGINS["admin"], "admin").status_code == 302
    page = admin.get("/rtv/").get_data(as_text=True)
    assert 'id="terms-empty"' in page and 'id="set-term"' in page
    bad = post_form(admin, "/rtv/terms", {"vendor": "Huawei", "months": "十二", "basis": "purchase"},
                    page="/rtv/", follow_redirects=True)  # fmt: skip
    assert _flash(bad) == ("error", "操作未完成：月数为 1 到 240")
    done = post_form(admin, "/rtv/terms", {"vendor": "Huawei", "part_number": "SRV-2288-PSU",
                                           "months": "36", "basis": "installation"},
                     page="/rtv/", follow_redirects=True)  # fmt: skip
    assert _flash(done)[0] == "success"
    assert ('data-vendor="Huawei" data-part="SRV-2288-PSU" data-months="36" '
            'data-basis="installation"') in done.get_data(as_text=True)  # fmt: skip
    assert "安装验收" in done.get_data(as_text=True)

    # the warehouse reads the terms (no form) and a claim on a unit bought today is in
    receive_from_supplier(db, depot_code="BJ01", part_number="SRV-2288-PSU", actor="wh",
                          serial=SERIAL, condition="faulty")  # fmt: skip
    post_form(admin, "/rtv/terms", {"vendor": "Huawei", "part_number": "SRV-2288-PSU",
                                    "months": "12", "basis": "purchase"}, page="/rtv/")  # fmt: skip
    db.rollback()
    client = app.test_client()
    assert sign_in(client, DEMO_LOGINS["warehouse"], "warehouse").status_code == 302
    page = client.get("/rtv/").get_data(as_text=True)
    assert 'data-months="12" data-basis="purchase"' in page and 'id="set-term"' not in page
    made = post_form(client, "/rtv/", {"serial": SERIAL, "vendor": "Huawei",
                                       "vendor_rma": "HW-RMA-78", "failure": "无输出"},
                     follow_redirects=True)  # fmt: skip
    row = re.search(rf'<tr data-serial="{SERIAL}".*?</tr>', made.get_data(as_text=True), re.S)
    assert row and "在保" in row.group(0), made.get_data(as_text=True)[:2000]
    denied = post_form(client, "/rtv/terms", {"vendor": "Huawei", "months": "60",
                                              "basis": "purchase"}, page="/rtv/")  # fmt: skip
    assert denied.status_code == 403
