"""Counts as documents: the expected list frozen at the start, counted by several people,
reviewed (variances with their value; over the limits: recount or a second person), then
posted to the ledger, honestly about stock that moved meanwhile. SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from inventory import receiving, reservation, stock_counts, transfers
from inventory.errors import Conflict, InvalidInput
from inventory.stock_counts import Limits, QuantityCount
from inventory.verify import verify_ledger
from models import Location, Movement, Part, SerialItem, StockCount, StockQuantity
from models.db import make_engine, make_session_factory
from tests.builders import make_depot, make_part
from tests.races import at_once, outcomes

PSU, SFP = "SRV-PSU", "NET-SFP"


@pytest.fixture
def shelf(session):
    """BJ01 holds PSU-0..PSU-4 (unit cost 100) and 20 SFPs; SH01 holds PSU-SH."""
    make_depot(session, "BJ01")
    make_depot(session, "SH01")
    make_part(session, PSU)
    make_part(session, SFP, tracking="counted", category="network", kind="consumable")
    for i in range(5):
        receiving.receive_from_supplier(
            session, depot_code="BJ01", part_number=PSU, serial=f"PSU-{i}", actor="wh"
        )
    receiving.receive_from_supplier(
        session, depot_code="SH01", part_number=PSU, serial="PSU-SH", actor="wh"
    )
    receiving.receive_from_supplier(session, depot_code="BJ01", part_number=SFP, qty=20, actor="wh")
    return session


def _item(session, serial):
    session.expire_all()
    item = session.scalar(select(SerialItem).where(SerialItem.serial == serial))
    return item.status, item.location.code


def test_the_expected_list_is_frozen_at_the_start_and_each_line_records_who_counted_it(shelf):
    count = stock_counts.start_count(shelf, depot_code="BJ01", actor="wang.wh")
    assert count.number.startswith("CNT-") and count.status == "counting"
    receiving.receive_from_supplier(
        shelf, depot_code="BJ01", part_number=PSU, serial="PSU-LATE", actor="wh"
    )
    view = stock_counts.view_count(shelf, count.number)
    assert sorted(line.serial or line.part_number for line in view.lines) == [
        SFP,
        *[f"PSU-{i}" for i in range(5)],
    ]  # the unit booked in after the start is not expected
    stock_counts.record_counts(shelf, count.number, actor="wang.wh", serials=["psu-0", "PSU-1"])
    stock_counts.record_counts(
        shelf,
        count.number,
        actor="li.wh",
        serials=["PSU-2", "PSU-3", "PSU-4", "PSU-LATE"],
        quantities=[QuantityCount(SFP, 20)],
    )
    view = stock_counts.view_count(shelf, count.number)
    who = {line.serial or line.part_number: line.counted_by for line in view.lines}
    assert who["PSU-0"] == "wang.wh" and who["PSU-3"] == "li.wh" and who[SFP] == "li.wh"
    late = next(line for line in view.lines if line.serial == "PSU-LATE")
    assert (late.finding, late.variance) == ("received", 0)
    assert view.counters == ["li.wh", "wang.wh"]


def test_a_variance_over_the_limit_needs_a_recount_then_posts(shelf):
    count = stock_counts.start_count(
        shelf, depot_code="BJ01", actor="wang.wh", limits=Limits(2, Decimal("1000"))
    )
    stock_counts.record_counts(
        shelf,
        count.number,
        actor="wang.wh",
        serials=["PSU-0", "PSU-1", "PSU-2", "PSU-3", "PSU-4"],
        quantities=[QuantityCount(SFP, 14)],  # six short: over the 2-unit limit
    )
    view = stock_counts.submit_count(shelf, count.number, actor="wang.wh")
    sfp = next(line for line in view.lines if line.part_number == SFP)
    assert (sfp.variance, sfp.variance_value, sfp.over_limit, sfp.needs_check) == (
        -6,
        Decimal("-600.00"),
        True,
        True,
    )
    with pytest.raises(Conflict) as refused:
        stock_counts.post_count(shelf, count.number, actor="wang.wh")
    assert refused.value.field == "approval"

    stock_counts.request_recount(shelf, count.number, actor="wang.wh", part_numbers=[SFP])
    stock_counts.record_counts(
        shelf, count.number, actor="li.wh", quantities=[QuantityCount(SFP, 19)]
    )
    view = stock_counts.submit_count(shelf, count.number, actor="wang.wh")
    sfp = next(line for line in view.lines if line.part_number == SFP)
    assert (sfp.previous_counted, sfp.counted, sfp.variance, sfp.needs_check) == (14, 19, -1, False)
    assert view.round == 2
    posted = stock_counts.post_count(shelf, count.number, actor="wang.wh")
    assert posted.units_out == 1 and posted.value == Decimal("-100.00")
    assert receiving_qty(shelf) == 19
    assert verify_ledger(shelf) == []
    moves = shelf.scalars(select(Movement).where(Movement.reference == count.number)).all()
    assert [(m.reason, m.qty, m.actor) for m in moves] == [("cycle_count", 1, "wang.wh")]


def receiving_qty(session) -> int:
    """Free good SFPs at BJ01 by the books."""
    session.expire_all()
    return session.scalar(
        select(StockQuantity.qty)
        .join(Location, Location.id == StockQuantity.location_id)
        .join(Part, Part.id == StockQuantity.part_id)
        .where(Location.code == "BJ01", Part.part_number == SFP, StockQuantity.condition == "good")
    )


def test_a_second_person_approves_instead_of_a_recount_but_not_the_counter(shelf):
    count = stock_counts.start_count(shelf, depot_code="BJ01", actor="wang.wh", part_numbers=[SFP])
    stock_counts.record_counts(
        shelf, count.number, actor="wang.wh", quantities=[QuantityCount(SFP, 30)]
    )
    stock_counts.submit_count(shelf, count.number, actor="wang.wh")
    with pytest.raises(Conflict) as own:
        stock_counts.approve_count(shelf, count.number, actor="wang.wh")
    assert own.value.field == "approved_by"
    view = stock_counts.approve_count(shelf, count.number, actor="zhang.admin")
    assert view.approved_by == "zhang.admin" and not view.needs_check
    posted = stock_counts.post_count(shelf, count.number, actor="wang.wh")
    assert posted.units_in == 10 and receiving_qty(shelf) == 30


def test_most_serials_missing_asks_for_confirmation_and_unknown_serials_are_findings(shelf):
    shelf.execute(
        SerialItem.__table__.update().where(SerialItem.serial == "PSU-SH").values(status="in_stock")
    )
    count = stock_counts.start_count(
        shelf,
        depot_code="BJ01",
        actor="wang.wh",
        part_numbers=[PSU],
        limits=Limits(10, Decimal("99999")),
    )
    recorded = stock_counts.record_counts(
        shelf, count.number, actor="wang.wh", serials=["PSU-0", "PSU-SH", "NEVER-SEEN"]
    )
    assert recorded.matched == 1
    assert [(s, k) for s, k, _w in recorded.findings] == [
        ("PSU-SH", "elsewhere"),
        ("NEVER-SEEN", "unknown"),
    ]
    assert recorded.findings[0][2] == "in_stock @ SH01"  # where the ledger says it is
    view = stock_counts.submit_count(shelf, count.number, actor="wang.wh")
    assert (view.expected_serials, view.missing_serials, view.findings) == (5, 4, 2)
    with pytest.raises(Conflict) as asked:
        stock_counts.post_count(shelf, count.number, actor="wang.wh")
    assert asked.value.field == "confirm" and asked.value.details["missing"] == 4
    assert _item(shelf, "PSU-1") == ("in_stock", "BJ01")  # nothing written yet

    posted = stock_counts.post_count(shelf, count.number, actor="wang.wh", confirm_missing=True)
    assert sorted(posted.written_off) == ["PSU-1", "PSU-2", "PSU-3", "PSU-4"]
    assert sorted(posted.findings) == ["NEVER-SEEN", "PSU-SH"]
    assert _item(shelf, "PSU-SH") == ("in_stock", "SH01")  # a finding moves nothing
    assert _item(shelf, "PSU-2") == ("missing", "ADJUST")
    assert verify_ledger(shelf) == []


def test_stock_that_moved_since_the_start_is_not_taken_for_a_loss(shelf):
    count = stock_counts.start_count(shelf, depot_code="BJ01", actor="wang.wh")
    # after the start: PSU-4 ships to SH01, PSU-3 is reserved, 5 SFPs leave
    transfers.ship_transfer(
        shelf,
        from_depot="BJ01",
        to_depot="SH01",
        actor="wang.wh",
        lines=[transfers.LineRequest(PSU, "PSU-4"), transfers.LineRequest(SFP, qty=5)],
    )
    reservation.reserve(
        shelf, depot_code="BJ01", part_number=PSU, reference="RMA-1", serial="PSU-3"
    )
    # the shelf now shows PSU-0..2 and 15 SFPs, as counted
    stock_counts.record_counts(
        shelf,
        count.number,
        actor="wang.wh",
        serials=["PSU-0", "PSU-1", "PSU-2"],
        quantities=[QuantityCount(SFP, 15)],
    )
    view = stock_counts.submit_count(shelf, count.number, actor="wang.wh")
    sfp = next(line for line in view.lines if line.part_number == SFP)
    assert (sfp.expected, sfp.book_at_count, sfp.moved_since_start, sfp.variance) == (
        20,
        15,
        -5,
        0,
    )
    posted = stock_counts.post_count(shelf, count.number, actor="wang.wh")
    assert posted.written_off == [] and sorted(posted.moved) == ["PSU-3", "PSU-4"]
    assert _item(shelf, "PSU-3") == ("reserved", "BJ01")
    assert _item(shelf, "PSU-4") == ("in_transit", "IN-TRANSIT")
    assert receiving_qty(shelf) == 15
    assert verify_ledger(shelf) == []


def test_a_serial_written_off_by_an_earlier_count_is_booked_back_in(shelf):
    first = stock_counts.start_count(shelf, depot_code="BJ01", actor="wang.wh", part_numbers=[PSU])
    stock_counts.record_counts(
        shelf, first.number, actor="wang.wh", serials=["PSU-0", "PSU-1", "PSU-2", "PSU-3"]
    )
    stock_counts.submit_count(shelf, first.number, actor="wang.wh")
    assert stock_counts.post_count(shelf, first.number, actor="wang.wh").written_off == ["PSU-4"]
    second = stock_counts.start_count(shelf, depot_code="BJ01", actor="li.wh", part_numbers=[PSU])
    recorded = stock_counts.record_counts(
        shelf, second.number, actor="li.wh", serials=["PSU-0", "PSU-1", "PSU-2", "PSU-3", "PSU-4"]
    )
    assert [(s, k) for s, k, _w in recorded.findings] == [("PSU-4", "missing")]
    stock_counts.submit_count(shelf, second.number, actor="li.wh")
    assert stock_counts.post_count(shelf, second.number, actor="li.wh").found == ["PSU-4"]
    assert _item(shelf, "PSU-4") == ("in_stock", "BJ01")


def test_a_quantity_line_must_be_counted_and_a_posted_count_is_closed(shelf):
    count = stock_counts.start_count(shelf, depot_code="BJ01", actor="wang.wh", part_numbers=[SFP])
    with pytest.raises(InvalidInput) as uncounted:
        stock_counts.submit_count(shelf, count.number, actor="wang.wh")
    assert uncounted.value.field == "quantities"
    stock_counts.record_counts(
        shelf, count.number, actor="wang.wh", quantities=[QuantityCount(SFP, 20)]
    )
    stock_counts.submit_count(shelf, count.number, actor="wang.wh")
    stock_counts.post_count(shelf, count.number, actor="wang.wh")
    for again in (
        lambda: stock_counts.post_count(shelf, count.number, actor="wang.wh"),
        lambda: stock_counts.record_counts(
            shelf, count.number, actor="x", quantities=[QuantityCount(SFP, 1)]
        ),
        lambda: stock_counts.request_recount(shelf, count.number, actor="x", part_numbers=[SFP]),
    ):
        with pytest.raises(Conflict) as closed:
            again()
        assert closed.value.field == "status"


def test_two_people_posting_the_same_count_at_once_post_it_once(shelf, database_url):
    count = stock_counts.start_count(shelf, depot_code="BJ01", actor="wang.wh", part_numbers=[SFP])
    stock_counts.record_counts(
        shelf, count.number, actor="wang.wh", quantities=[QuantityCount(SFP, 19)]
    )
    stock_counts.submit_count(shelf, count.number, actor="wang.wh")
    number = count.number
    shelf.rollback()  # end the read the review left open (SQLite: it holds the write lock)
    workers = 8
    engine = make_engine(database_url, pool_size=workers, max_overflow=0)
    results = at_once(
        workers,
        lambda s, i: stock_counts.post_count(s, number, actor=f"clerk{i}"),
        sessions=make_session_factory(engine),
        connect_first=not database_url.startswith("sqlite"),
    )
    engine.dispose()
    wins, conflicts, errors = outcomes(results)
    assert errors == [] and len(wins) == 1 and len(conflicts) == workers - 1
    shelf.expire_all()
    assert receiving_qty(shelf) == 19  # one unit written off, once
    moves = shelf.scalars(select(Movement).where(Movement.reference == number)).all()
    assert len(moves) == 1
    assert shelf.scalar(select(StockCount.status).where(StockCount.number == number)) == "posted"
    assert verify_ledger(shelf) == []


def test_a_clerk_counts_only_at_their_own_depots(shelf):
    from inventory.depot_access import SCOPE_KEY
    from inventory.errors import Forbidden
    from models import Depot

    sh = shelf.scalar(select(Depot).where(Depot.code == "SH01"))
    shelf.info[SCOPE_KEY] = frozenset({sh.location_id})
    try:
        with pytest.raises(Forbidden):
            stock_counts.start_count(shelf, depot_code="BJ01", actor="zhao.wh")
    finally:
        shelf.info.pop(SCOPE_KEY)
    count = stock_counts.start_count(shelf, depot_code="BJ01", actor="wang.wh")
    shelf.info[SCOPE_KEY] = frozenset({sh.location_id})
    try:
        with pytest.raises(Forbidden):
            stock_counts.record_counts(shelf, count.number, actor="zhao.wh", serials=["PSU-0"])
    finally:
        shelf.info.pop(SCOPE_KEY)
