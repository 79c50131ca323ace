"""The stock ledger on a real database (each test runs on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from inventory import counts, queries, receiving, reservation, transfers
from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.verify import verify_ledger
from models import Movement, SerialItem, StockQuantity
from tests.builders import ship_bj01_to_sh01, stock_bj01


@pytest.fixture
def stocked(session):
    stock_bj01(session, psus=3, sfps=10)
    return session


def test_receipt_puts_the_serial_on_the_depot_shelf_with_a_movement(stocked):
    history = queries.serial_history(stocked, "PSU0")
    assert (history.location, history.status, history.condition) == ("BJ01", "in_stock", "good")
    assert [(m.from_location, m.to_location, m.reason) for m in history.movements] == [
        ("SUPPLIER", "BJ01", "receipt")
    ]
    assert verify_ledger(stocked) == []


def test_duplicate_serial_of_the_same_part_is_refused_and_nothing_is_written(stocked):
    before = stocked.scalar(select(text("count(*)")).select_from(Movement))
    with pytest.raises(Conflict) as err:
        receiving.receive_from_supplier(
            stocked, depot_code="SH01", part_number="SRV-PSU", serial="PSU1", actor="wh"
        )
    assert err.value.field == "serial"
    assert stocked.scalar(select(text("count(*)")).select_from(Movement)) == before


def test_database_refuses_negative_counted_stock(stocked):
    with pytest.raises((IntegrityError, DBAPIError)):
        stocked.execute(text("UPDATE stock_quantities SET qty = -1"))
        stocked.flush()
    stocked.rollback()


def test_movements_cannot_be_rewritten(stocked):
    with pytest.raises(DBAPIError):
        stocked.execute(text("UPDATE movements SET qty = 5"))
    stocked.rollback()
    with pytest.raises(DBAPIError):
        stocked.execute(text("DELETE FROM movements"))
    stocked.rollback()


def test_transfer_ships_into_transit_and_reports_what_did_not_arrive(stocked):
    shipped = ship_bj01_to_sh01(stocked, "wh")
    assert queries.serial_history(stocked, "PSU0").location == "IN-TRANSIT"
    got = transfers.receive_transfer(
        stocked,
        number=shipped.number,
        actor="wh2",
        received=[
            transfers.LineRequest("SRV-PSU", "PSU0"),
            transfers.LineRequest("NET-SFP", qty=3),
        ],
    )
    assert got.status == "discrepancy"
    kinds = sorted((d.kind, d.serial or d.part_number) for d in got.discrepancies)
    assert kinds == [("missing", "PSU1"), ("short", "NET-SFP")]
    assert queries.serial_history(stocked, "PSU0").location == "SH01"
    assert queries.serial_history(stocked, "PSU1").location == "IN-TRANSIT"
    sh = {a.depot: a.available for a in queries.availability(stocked, "NET-SFP")}
    assert sh == {"BJ01": 6, "SH01": 3}
    assert verify_ledger(stocked) == []


def test_shipping_an_item_that_is_not_at_the_source_depot_is_a_conflict(stocked):
    with pytest.raises(Conflict):
        transfers.ship_transfer(
            stocked,
            from_depot="SH01",
            to_depot="BJ01",
            actor="wh",
            lines=[transfers.LineRequest("SRV-PSU", "PSU0")],
        )
    assert queries.serial_history(stocked, "PSU0").location == "BJ01"


def test_cycle_count_writes_off_unscanned_serials_and_finds_them_again(stocked):
    result = counts.cycle_count(
        stocked, depot_code="BJ01", part_number="SRV-PSU", actor="wh", serials=["PSU0", "PSU1"]
    )
    assert result.missing == ["PSU2"] and result.delta == -1
    assert queries.serial_history(stocked, "PSU2").status == "missing"
    again = counts.cycle_count(
        stocked,
        depot_code="BJ01",
        part_number="SRV-PSU",
        actor="wh",
        serials=["PSU0", "PSU1", "PSU2"],
    )
    assert again.found == ["PSU2"]
    assert verify_ledger(stocked) == []


def test_a_count_missing_most_of_the_shelf_writes_nothing_off_until_confirmed(stocked):
    with pytest.raises(Conflict, match="2 of 3 expected serials were not scanned") as refused:
        counts.cycle_count(
            stocked, depot_code="BJ01", part_number="SRV-PSU", actor="wh", serials=["PSU0"]
        )
    assert refused.value.field == "confirm"
    assert queries.serial_history(stocked, "PSU1").status == "in_stock"
    confirmed = counts.cycle_count(
        stocked,
        depot_code="BJ01",
        part_number="SRV-PSU",
        actor="wh",
        serials=["PSU0"],
        confirm_missing=True,
    )
    assert confirmed.missing == ["PSU1", "PSU2"]
    assert verify_ledger(stocked) == []


def test_counted_cycle_count_and_adjustment_move_the_books_to_the_shelf(stocked):
    result = counts.cycle_count(
        stocked, depot_code="BJ01", part_number="NET-SFP", actor="wh", counted_qty=7
    )
    assert (result.expected, result.delta) == (10, -3)
    assert (
        counts.adjust_quantity(
            stocked,
            depot_code="BJ01",
            part_number="NET-SFP",
            delta=2,
            reason="found in returns bin",
            actor="wh",
        )
        == 9
    )
    with pytest.raises(Conflict):
        counts.adjust_quantity(
            stocked, depot_code="BJ01", part_number="NET-SFP", delta=-50, reason="typo", actor="wh"
        )
    assert verify_ledger(stocked) == []


def test_units_found_on_fresh_stock_are_booked_in_by_a_count_or_an_adjustment(stocked):
    """Nothing was ever written off at BJ01, yet the shelf holds more than the books."""
    result = counts.cycle_count(
        stocked, depot_code="BJ01", part_number="NET-SFP", actor="wh", counted_qty=12
    )
    assert (result.expected, result.delta) == (10, 2)
    assert (
        counts.adjust_quantity(
            stocked,
            depot_code="SH01",
            part_number="NET-SFP",
            delta=4,
            reason="found in an unlabelled box",
            actor="wh",
        )
        == 4
    )
    assert verify_ledger(stocked) == []


def test_scrapped_item_leaves_availability_and_keeps_its_history(stocked):
    counts.scrap(stocked, actor="wh", reason="burnt", serial="PSU2")
    history = queries.serial_history(stocked, "PSU2")
    assert (history.status, history.condition, history.location) == (
        "scrapped",
        "scrapped",
        "SCRAP",
    )
    assert [a.available for a in queries.availability(stocked, "SRV-PSU")] == [2]
    with pytest.raises(Conflict):
        counts.scrap(stocked, actor="wh", reason="again", serial="PSU2")


def test_reservation_takes_a_unit_out_of_availability_until_released(stocked):
    held = reservation.reserve(stocked, depot_code="BJ01", part_number="SRV-PSU", reference="RMA-1")
    avail = queries.availability(stocked, "SRV-PSU")[0]
    assert (avail.available, avail.reserved) == (2, 1)
    reservation.release_in_session(stocked, held)
    stocked.commit()
    assert queries.availability(stocked, "SRV-PSU")[0].available == 3


def test_counted_reservation_cannot_exceed_free_quantity(stocked):
    reservation.reserve(stocked, depot_code="BJ01", part_number="NET-SFP", reference="R1", qty=8)
    with pytest.raises(Conflict):
        reservation.reserve(
            stocked, depot_code="BJ01", part_number="NET-SFP", reference="R2", qty=3
        )
    row = stocked.scalar(select(StockQuantity).where(StockQuantity.condition == "good"))
    assert (row.qty, row.reserved) == (2, 8)
    assert verify_ledger(stocked) == []


def test_availability_sorted_by_distance_from_a_point(stocked):
    receiving.receive_from_supplier(
        stocked, depot_code="SH01", part_number="SRV-PSU", serial="PSU9", actor="wh"
    )
    near_shanghai = queries.availability(stocked, "SRV-PSU", near=(31.0, 121.0))
    assert [a.depot for a in near_shanghai] == ["SH01", "BJ01"]
    assert near_shanghai[0].distance_km < near_shanghai[1].distance_km


def test_import_rejects_bad_rows_with_reasons_and_books_the_good_ones(stocked):
    rows = [
        {"depot": "SH01", "part_number": "SRV-PSU", "serial": "NEW1", "qty": "1"},
        {"depot": "XX99", "part_number": "SRV-PSU", "serial": "NEW2", "qty": "1"},
        {"depot": "SH01", "part_number": "SRV-PSU", "serial": "PSU0", "qty": "1"},
        {"depot": "SH01", "part_number": "NET-SFP", "serial": "", "qty": "-4"},
        {"depot": "SH01", "part_number": "NET-SFP", "serial": "", "qty": "5"},
    ]
    report = receiving.import_receipts(stocked, rows, actor="wh", reference="DN-1")
    assert [(e.row, e.field) for e in report.errors] == [(3, "depot"), (4, "serial"), (5, "qty")]
    assert report.committed and report.accepted == 2 and report.units == 6
    with pytest.raises(Conflict):
        receiving.import_receipts(stocked, rows[:1], actor="wh", reference="DN-1")
    assert verify_ledger(stocked) == []


def test_strict_import_with_a_bad_row_books_nothing(stocked):
    rows = [
        {"depot": "SH01", "part_number": "SRV-PSU", "serial": "NEW1"},
        {"depot": "SH01", "part_number": "NOPE", "serial": "NEW2"},
    ]
    report = receiving.import_receipts(stocked, rows, actor="wh", strict=True)
    assert not report.committed
    assert stocked.scalar(select(SerialItem).where(SerialItem.serial == "NEW1")) is None


def test_unknown_depot_and_part_name_the_field(stocked):
    with pytest.raises(NotFound) as err:
        receiving.receive_from_supplier(
            stocked, depot_code="NOPE", part_number="SRV-PSU", serial="X", actor="wh"
        )
    assert err.value.field == "depot"
    with pytest.raises(InvalidInput) as err:
        receiving.receive_from_supplier(
            stocked, depot_code="BJ01", part_number="NET-SFP", qty=0, actor="wh"
        )
    assert err.value.field == "qty"


def test_verify_detects_books_that_disagree_with_the_ledger(stocked):
    stocked.execute(text("UPDATE stock_quantities SET qty = qty + 1"))
    stocked.commit()
    problems = verify_ledger(stocked)
    assert problems and problems[0].what == "counted"


def test_below_reorder_point_lists_parts_at_or_under_their_point(stocked):
    from models import Depot, Part, StockPolicy

    bj = stocked.scalar(select(Depot).where(Depot.code == "BJ01"))
    psu = stocked.scalar(select(Part).where(Part.part_number == "SRV-PSU"))
    stocked.add(StockPolicy(depot_id=bj.id, part_id=psu.id, reorder_point=3, target_level=8))
    stocked.commit()
    rows = queries.below_reorder_point(stocked)
    assert [(r.depot, r.part_number, r.on_hand, r.suggested_qty) for r in rows] == [
        ("BJ01", "SRV-PSU", 3, 5)
    ]
