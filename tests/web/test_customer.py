"""The customer serves themselves: sees their sites, units (warranty, contract) and tickets
with clocks; reports a fault in plain words; asks for a repair; confirms a closure, which
closes the finished RMA."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from app.formatting import format_day
from inventory import rmas
from models import Equipment, Rma, Ticket
from tests.web.conftest import post_form


def _units(db, customer: str = "C001") -> list:
    """(serial, site_id, warranty_end) of a customer's first site's units, read and let go."""
    units = db.execute(
        select(Equipment.serial, Equipment.site_id, Equipment.warranty_end)
        .join(Equipment.site)
        .where(Equipment.site.has(code=f"{customer}-S1"))
        .order_by(Equipment.serial)
    ).all()
    db.rollback()
    return units


def test_the_customer_sees_their_units_with_warranty_and_contract_and_no_one_elses(
    client, as_role, db
):
    mine, theirs = _units(db), _units(db, "C002")
    as_role("customer")
    page = client.get("/my/").get_data(as_text=True)
    for unit in mine:
        assert f'data-serial="{unit.serial}"' in page
        assert format_day(unit.warranty_end, "zh") in page  # "2027年3月1日"
    assert not any(f'data-serial="{unit.serial}"' in page for unit in theirs)
    assert 'class="clock"' in page  # the open tickets' clocks


@pytest.mark.parametrize(("lang", "day"), [("zh", "2026年12月7日"), ("en", "7 Dec 2026")])
def test_a_warranty_end_reads_as_the_readers_locale_writes_a_date(client, as_role, db, lang, day):
    unit = db.scalar(
        select(Equipment).where(Equipment.site.has(code="C001-S1")).order_by(Equipment.serial)
    )
    unit.warranty_end = date(2026, 12, 7)
    db.commit()
    as_role("customer")
    post_form(client, "/prefs", {"lang": lang}, page="/my/")

    page = client.get("/my/").get_data(as_text=True)

    assert day in page


def test_a_fault_reported_in_plain_words_opens_a_ticket_at_the_units_site(client, as_role, db):
    unit = _units(db)[0]
    as_role("customer")
    response = post_form(
        client,
        "/my/report",
        {"serial": unit.serial, "severity": "P2", "symptom": "屏幕无显示", "contact_phone": "139"},
    )
    assert response.status_code == 302
    ticket = db.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))
    assert (ticket.equipment_serial, ticket.severity, ticket.channel) == (unit.serial, "P2", "web")
    assert ticket.site_id == unit.site_id


def test_a_fault_on_another_customers_unit_is_refused_naming_the_field(client, as_role, db):
    other = _units(db, "C002")[0]
    as_role("customer")
    response = post_form(
        client, "/my/report", {"serial_typed": other.serial, "severity": "P3", "symptom": "x"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "设备序列号" in page


def test_a_repair_request_opens_a_return_for_repair_rma_for_the_unit(client, as_role, db):
    unit = _units(db)[1]
    as_role("customer")
    response = post_form(
        client,
        "/my/repair",
        {"serial": unit.serial, "fault_symptom": "风扇异响"},
        page="/my/repair",
    )
    assert response.status_code == 302
    rma = db.scalar(select(Rma).order_by(Rma.id.desc()).limit(1))
    assert (rma.kind, rma.status, rma.faulty_serial) == (
        "return_for_repair",
        "requested",
        unit.serial,
    )


def test_confirming_a_closure_closes_the_ticket_and_its_finished_rma(client, as_role, db):
    resolved = db.scalar(
        select(Ticket).where(Ticket.status == "resolved", Ticket.customer.has(code="C001"))
    )
    number = resolved.number
    part_number = resolved.part.part_number if resolved.part else "SRV-2288-PSU"
    db.rollback()
    rma = rmas.open_rma(
        db,
        rmas.RmaRequest(
            kind="return_for_repair",
            site_code="C001-S1",
            faulty_part_number=part_number,
            fault_symptom="x",
            ticket=number,
        ),
        actor="test",
    ).number
    db.execute(update(Rma).where(Rma.number == rma).values(status="delivered"))
    db.commit()
    as_role("customer")
    response = post_form(
        client, f"/my/tickets/{number}/close", {"confirmed": "yes", "overall": "5"}, page="/my/"
    )
    assert response.status_code == 302
    assert db.scalar(select(Ticket.status).where(Ticket.number == number)) == "closed"
    assert db.scalar(select(Rma.status).where(Rma.number == rma)) == "closed"


def test_saying_it_is_not_solved_sends_the_ticket_back_to_the_engineer(client, as_role, db):
    number = db.scalar(
        select(Ticket.number).where(Ticket.status == "resolved", Ticket.customer.has(code="C001"))
    )
    db.rollback()
    as_role("customer")
    page = client.get("/my/").get_data(as_text=True)
    assert f'action="/my/tickets/{number}/close"' in page and 'class="reject-closure"' in page

    response = post_form(
        client, f"/my/tickets/{number}/close", {"confirmed": "no", "comment": "仍然报警"},
        page="/my/", follow_redirects=True,
    )  # fmt: skip

    assert f"{number}：已退回，工程师将继续处理。" in response.get_data(as_text=True)
    assert db.scalar(select(Ticket.status).where(Ticket.number == number)) == "dispatched"


def test_the_customer_downloads_the_signed_service_sheet_of_their_ticket(client, as_role, db):
    from io import BytesIO

    from pypdf import PdfReader

    from inventory import visits
    from models import Customer, Site
    from tests.builders import signature_png

    # the demo's dispatched jobs are other customers': give the first one to C001's site
    ticket = db.scalar(select(Ticket).where(Ticket.status == "dispatched").order_by(Ticket.id))
    ticket.customer = db.scalar(select(Customer).where(Customer.code == "C001"))
    ticket.site = db.scalar(select(Site).where(Site.code == "C001-S1"))
    number, engineer = ticket.number, ticket.engineer_id
    db.commit()
    visits.record_arrival(db, number, engineer_id=engineer, actor="zhang.eng")
    visits.record_work(
        db, number, engineer_id=engineer, actor="zhang.eng", diagnosis="风扇停转",
        actions="更换风扇模块，运行正常", open_issues="观察机房温度",
    )  # fmt: skip
    visits.sign_visit(
        db, number, engineer_id=engineer, actor="zhang.eng", signer_name="韩梅",
        signature_png=signature_png(),
    )  # fmt: skip
    as_role("customer")

    page = client.get("/my/").get_data(as_text=True)
    link = f'href="/documents/ticket/{number}/service-sheet.pdf"'
    assert link in page

    sheet = client.get(f"/documents/ticket/{number}/service-sheet.pdf")
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(sheet.data)).pages)
    for expected in ("技术服务单", "更换风扇模块，运行正常", "观察机房温度", "韩梅"):
        assert expected in text
