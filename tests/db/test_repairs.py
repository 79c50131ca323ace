"""The repair loop: faulty units to a vendor in a batch, back good on the shelf or scrapped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from inventory import repairs
from inventory.errors import Conflict
from inventory.receiving import receive_from_supplier
from inventory.verify import verify_ledger
from models import Location, Movement, SerialItem
from tests.builders import make_depot, make_part

SENT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def faulty_shelf(session):
    make_depot(session, "BJ01")
    make_part(session, "SRV-PSU")
    for serial in ("F1", "F2", "F3"):
        receive_from_supplier(
            session,
            depot_code="BJ01",
            part_number="SRV-PSU",
            serial=serial,
            actor="wh",
            condition="faulty",
        )
    receive_from_supplier(
        session, depot_code="BJ01", part_number="SRV-PSU", serial="G1", actor="wh"
    )
    return session


def _where(session, serial):
    item = session.scalar(select(SerialItem).where(SerialItem.serial == serial))
    session.refresh(item)
    return session.get(Location, item.location_id).code, item.status, item.condition


def test_a_batch_goes_out_and_comes_back_restocked_or_scrapped(faulty_shelf):
    s = faulty_shelf
    batch = repairs.send_to_repair(
        s, depot_code="BJ01", vendor="Delta Repair", serials=["F1", "F2"], actor="wh", now=SENT
    )
    assert batch.number.startswith("VRMA-2026-") and batch.status == "sent"
    assert _where(s, "F1") == ("REPAIR", "at_vendor", "in_repair")
    assert verify_ledger(s) == []

    partly = repairs.receive_from_repair(
        s, batch.number, outcomes={"F1": "repaired"}, actor="wh", now=SENT + timedelta(days=6)
    )
    assert partly.status == "sent"  # F2 still out
    assert _where(s, "F1") == ("BJ01", "in_stock", "good")  # a spare again
    done = repairs.receive_from_repair(
        s, batch.number, outcomes={"F2": "scrapped"}, actor="wh", now=SENT + timedelta(days=10)
    )
    assert done.status == "closed" and done.closed_at == SENT + timedelta(days=10)
    assert _where(s, "F2") == ("SCRAP", "scrapped", "scrapped")
    reasons = s.scalars(
        select(Movement.reason).where(Movement.reference == batch.number).order_by(Movement.id)
    ).all()
    assert reasons == ["send_to_repair", "send_to_repair", "return_from_repair", "scrap"]
    assert verify_ledger(s) == []


def test_turnaround_is_measured_per_vendor(faulty_shelf):
    s = faulty_shelf
    a = repairs.send_to_repair(
        s, depot_code="BJ01", vendor="Delta Repair", serials=["F1", "F2"], actor="wh", now=SENT
    )
    b = repairs.send_to_repair(
        s, depot_code="BJ01", vendor="Huaqiang Fix", serials=["F3"], actor="wh", now=SENT
    )
    repairs.receive_from_repair(
        s, a.number, outcomes={"F1": "repaired"}, actor="wh", now=SENT + timedelta(days=4)
    )
    repairs.receive_from_repair(
        s, a.number, outcomes={"F2": "repaired"}, actor="wh", now=SENT + timedelta(days=8)
    )
    repairs.receive_from_repair(
        s, b.number, outcomes={"F3": "scrapped"}, actor="wh", now=SENT + timedelta(days=2)
    )
    by_vendor = {t.vendor: t for t in repairs.vendor_turnaround(s)}
    delta, huaqiang = by_vendor["Delta Repair"], by_vendor["Huaqiang Fix"]
    assert (delta.units_sent, delta.repaired, delta.scrapped, delta.units_open) == (2, 2, 0, 0)
    assert (delta.mean_days, delta.max_days) == (6.0, 8.0)
    assert (huaqiang.scrapped, huaqiang.mean_days) == (1, 2.0)


def test_a_good_unit_cannot_go_to_repair_and_the_batch_moves_nothing(faulty_shelf):
    s = faulty_shelf
    with pytest.raises(Conflict):
        repairs.send_to_repair(
            s, depot_code="BJ01", vendor="Delta Repair", serials=["F1", "G1"], actor="wh"
        )
    assert _where(s, "F1") == ("BJ01", "in_stock", "faulty")
    assert s.scalar(select(Movement.id).where(Movement.reason == "send_to_repair")) is None


def test_a_unit_cannot_come_back_twice(faulty_shelf):
    s = faulty_shelf
    batch = repairs.send_to_repair(
        s, depot_code="BJ01", vendor="Delta Repair", serials=["F1", "F2"], actor="wh"
    )
    repairs.receive_from_repair(s, batch.number, outcomes={"F1": "repaired"}, actor="wh")
    with pytest.raises(Conflict):
        repairs.receive_from_repair(s, batch.number, outcomes={"F1": "scrapped"}, actor="wh")
    assert _where(s, "F1") == ("BJ01", "in_stock", "good")
