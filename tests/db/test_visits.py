"""The engineer's visit: arrival with both clocks, the parts swapped moving the ledger and
the installed base, the signature resolving the ticket and starting the 72 h observation
of a serious fault — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from inventory import visits
from inventory.dispatch_service import confirm_dispatch
from inventory.errors import Conflict, InvalidInput, NotFound
from models import Equipment, Movement, Rma, SerialItem, Ticket, Visit
from tests.builders import signature_png
from tests.service_builders import make_engineer, make_world, open_fault

OPENED = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # Tue 10:00 in Shanghai
ARRIVED = OPENED + timedelta(minutes=50)


def dispatched_job(session, severity: str = "P2", mode: str = "pickup"):
    world = make_world(session)
    ticket = open_fault(
        session,
        world,
        severity=severity,
        contact_name="韩梅",
        contact_phone="13800001111",
        now=OPENED,
    )
    done = confirm_dispatch(
        session,
        ticket.number,
        engineer_code=world.engineer,
        depot_code=world.depot,
        mode=mode,
        actor="li.disp",
        now=OPENED + timedelta(minutes=5),
    )
    engineer_id = session.scalar(select(Ticket.engineer_id).where(Ticket.number == ticket.number))
    return world, ticket.number, done.reserved_serial, engineer_id


def _sign(session, number: str, me: int, *, ink: bool = True, **when):
    """韩梅 signs the engineer's visit (a blank box with ``ink=False``)."""
    return visits.sign_visit(
        session,
        number,
        engineer_id=me,
        actor="zhang.eng",
        signer_name="韩梅",
        signature_png=signature_png(ink=ink),
        **when,
    )


def test_arrival_keeps_the_phones_time_beside_the_servers_and_moves_the_ticket_on_site(session):
    _world, number, _serial, me = dispatched_job(session)
    phone = ARRIVED - timedelta(hours=2)  # recorded offline two hours before it was sent
    view = visits.record_arrival(
        session, number, engineer_id=me, actor="zhang.eng", device_time=phone, now=ARRIVED
    )
    assert (view.arrived_at, view.arrived_device_at) == (ARRIVED, phone)
    assert view.number.startswith("TSS-2026-")
    ticket = session.scalar(select(Ticket).where(Ticket.number == number))
    assert (ticket.status, ticket.onsite_at) == ("on_site", ARRIVED)


def test_installing_the_reserved_spare_and_removing_the_faulty_unit_moves_ledger_and_installed_base(
    session,
):
    world, number, spare, me = dispatched_job(session)
    visits.record_arrival(session, number, engineer_id=me, actor="zhang.eng", now=ARRIVED)
    view = visits.record_part(
        session,
        number,
        engineer_id=me,
        actor="zhang.eng",
        installed_serial=spare.lower(),  # scanned in lower case: the same unit
        removed_serial=world.equipment_serial,
        now=ARRIVED + timedelta(minutes=30),
    )
    assert [(p.installed_serial, p.removed_serial) for p in view.parts] == [
        (spare.lower(), world.equipment_serial)
    ]
    installed = session.scalar(select(SerialItem).where(SerialItem.serial == spare))
    removed = session.scalar(select(SerialItem).where(SerialItem.serial == world.equipment_serial))
    assert installed.status == "at_customer"
    assert (removed.status, removed.condition) == ("in_transit", "faulty")
    unit = session.scalar(select(Equipment))
    assert unit.serial == spare  # the installed base now holds the spare
    rma = session.scalar(select(Rma))
    assert rma.status == "faulty_in_transit" and rma.carrier == "王伟"
    reasons = [m.reason for m in session.scalars(select(Movement).order_by(Movement.id))]
    assert reasons[-3:] == ["ship_to_customer", "deliver_to_customer", "return_from_customer"]


def test_a_serial_that_is_not_the_reserved_spare_is_refused_and_nothing_moves(session):
    _world, number, _spare, me = dispatched_job(session)
    visits.record_arrival(session, number, engineer_id=me, actor="zhang.eng", now=ARRIVED)
    before = session.scalar(select(Movement.id).order_by(Movement.id.desc()).limit(1))
    with pytest.raises(InvalidInput) as error:
        visits.record_part(
            session, number, engineer_id=me, actor="zhang.eng", installed_serial="PSU-999"
        )
    assert error.value.field == "installed_serial"
    assert session.scalar(select(Movement.id).order_by(Movement.id.desc()).limit(1)) == before
    assert session.scalar(select(Rma.status)) == "allocated"


def test_another_engineers_job_answers_like_an_unknown_ticket(session):
    _world, number, _spare, _me = dispatched_job(session)
    make_engineer(session, "ENG-2", name="李强")
    with pytest.raises(NotFound):
        visits.record_arrival(session, number, engineer_id=-1, actor="other.eng")


def test_the_signature_resolves_the_ticket_and_a_p1_is_watched_72_hours_on_the_board(session):
    _world, number, _spare, me = dispatched_job(session, severity="P1")
    visits.record_arrival(session, number, engineer_id=me, actor="zhang.eng", now=ARRIVED)
    with pytest.raises(InvalidInput) as missing:
        _sign(session, number, me)
    assert missing.value.field == "actions"  # a sheet without the work done is not signed
    visits.record_work(
        session,
        number,
        engineer_id=me,
        actor="zhang.eng",
        diagnosis="电源模块损坏",
        actions="更换电源模块，系统恢复",
    )
    signed_at = ARRIVED + timedelta(hours=1)
    view = _sign(session, number, me, now=signed_at)
    assert view.ticket_status == "resolved"
    assert view.observation_until == signed_at + timedelta(hours=72)
    ticket = session.scalar(select(Ticket).where(Ticket.number == number))
    assert ticket.resolution == "更换电源模块，系统恢复"
    watched = visits.running_observations(session, signed_at + timedelta(hours=71))
    assert [o.ticket_number for o in watched] == [number]
    assert visits.running_observations(session, signed_at + timedelta(hours=73)) == []
    with pytest.raises(Conflict):  # signed: the visit is closed to changes
        visits.record_work(session, number, engineer_id=me, actor="zhang.eng", actions="x")


def test_a_p3_fix_needs_no_observation_and_a_blank_signature_is_refused(session):
    _world, number, _spare, me = dispatched_job(session, severity="P3")
    visits.record_arrival(session, number, engineer_id=me, actor="zhang.eng", now=ARRIVED)
    visits.record_work(session, number, engineer_id=me, actor="zhang.eng", actions="重新插拔")
    with pytest.raises(InvalidInput) as blank:
        _sign(session, number, me, ink=False)
    assert blank.value.field == "signature"
    view = _sign(session, number, me)
    assert view.observation_until is None
    assert session.scalar(select(Visit.signer_name)) == "韩梅"
