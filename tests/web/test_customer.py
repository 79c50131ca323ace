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
