"""Transfers received with differences: each difference is a record someone resolves (found,
or lost in transit and written off with a second person's approval), never a silent loss.
Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inventory import transfers
from inventory.errors import Conflict
from inventory.verify import verify_ledger
from models import Depot, Location, SerialItem, StockQuantity, Transfer
from tests.builders import ship_bj01_to_sh01, stock_bj01


@pytest.fixture
def short_arrival(session) -> str:
    """BJ01 ships PSU0, PSU1 and 4 SFPs to SH01; PSU0 and 3 SFPs arrive."""
    stock_bj01(session, psus=2, sfps=4)
    number = ship_bj01_to_sh01(session, "wang.wh").number
    transfers.receive_transfer(
        session,
        number=number,
        actor="zhao.wh",
        received=[
            transfers.LineRequest("SRV-PSU", "PSU0"),
            transfers.LineRequest("NET-SFP", qty=3),
        ],
    )
    return number


def _where(session, serial: str) -> tuple[str, str]:
    session.expire_all()
    item = session.scalar(select(SerialItem).where(SerialItem.serial == serial))
    return item.status, item.location.code


def _qty(session, code: str) -> int:
    session.expire_all()
    total = session.scalar(
        select(func.coalesce(func.sum(StockQuantity.qty), 0))
        .join(Location, Location.id == StockQuantity.location_id)
        .where(Location.code == code)
    )
    session.rollback()
    return int(total)


def test_each_difference_is_an_open_record_until_resolved(session, short_arrival):
    shown = transfers.discrepancies_of(session, short_arrival)
    assert [(d.part_number, d.serial, d.kind, d.qty, d.status) for d in shown] == [
        ("SRV-PSU", "PSU1", "missing", 1, "open"),
        ("NET-SFP", None, "short", 1, "open"),
    ]
    assert _where(session, "PSU1") == ("in_transit", "IN-TRANSIT")
    assert _qty(session, "IN-TRANSIT") == 1
    status = session.scalar(select(Transfer.status).where(Transfer.number == short_arrival))
    assert status == "discrepancy"


def test_a_unit_found_later_is_booked_in_and_the_transfer_ends_received(session, short_arrival):
    psu, sfp = transfers.discrepancies_of(session, short_arrival)
    found = transfers.resolve_discrepancy(
        session, number=short_arrival, discrepancy_id=psu.id, outcome="found", actor="zhao.wh"
    )
    assert (found.status, found.resolved_by) == ("found", "zhao.wh")
    assert _where(session, "PSU1") == ("in_stock", "SH01")
    transfers.resolve_discrepancy(
        session, number=short_arrival, discrepancy_id=sfp.id, outcome="found", actor="zhao.wh"
    )
    assert _qty(session, "SH01") == 4 and _qty(session, "IN-TRANSIT") == 0
    status = session.scalar(select(Transfer.status).where(Transfer.number == short_arrival))
    assert status == "received"
    assert verify_ledger(session) == []


def test_a_loss_in_transit_is_written_off_only_when_someone_else_approves(session, short_arrival):
    psu, _sfp = transfers.discrepancies_of(session, short_arrival)

    def resolve(outcome: str, actor: str, **may):
        return transfers.resolve_discrepancy(
            session,
            number=short_arrival,
            discrepancy_id=psu.id,
            outcome=outcome,
            actor=actor,
            **may,
        )

    asked = resolve("lost", "zhao.wh")
    assert asked.status == "write_off_requested"
    assert _where(session, "PSU1") == ("in_transit", "IN-TRANSIT")  # nothing lost yet
    with pytest.raises(Conflict, match="someone other"):
        resolve("approve", "zhao.wh", approver_may_approve=True)
    with pytest.raises(Conflict, match="administrator"):
        resolve("approve", "x")
    written = resolve("approve", "admin", approver_may_approve=True)
    assert (written.status, written.resolved_by) == ("written_off", "admin")
    assert _where(session, "PSU1") == ("missing", "ADJUST")
    with pytest.raises(Conflict):  # resolved once only
        resolve("found", "x")
    assert verify_ledger(session) == []


def test_transfers_in_transit_show_on_both_depots_with_their_age(session, short_arrival):
    pending = transfers.ship_transfer(
        session,
        from_depot="SH01",
        to_depot="BJ01",
        actor="zhao.wh",
        lines=[transfers.LineRequest("SRV-PSU", "PSU0")],
    ).number
    shipped_at = session.scalar(select(Transfer.shipped_at).where(Transfer.number == pending))
    later = shipped_at + timedelta(hours=30, minutes=10)
    at_sh = transfers.open_transfers(session, make_or_get(session, "SH01"), later)
    at_bj = transfers.open_transfers(session, make_or_get(session, "BJ01"), later)
    assert [(t.number, t.incoming, t.age_hours) for t in at_bj if t.number == pending] == [
        (pending, True, 30)
    ]
    assert [(t.number, t.incoming) for t in at_sh] == [(short_arrival, True), (pending, False)]


def make_or_get(session, code: str) -> Depot:
    return session.scalar(select(Depot).where(Depot.code == code))
