"""Return to vendor with warranty claims, on SQLite and PostgreSQL: the claim line says in
or out of warranty and why; units leave for the vendor and come back repaired, replaced
(the new serial enters stock), no fault found or rejected; the vendor's credit settles
the claim; receiving the same RTV twice at once books it once; the ledger balances."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from inventory import part_returns, rtv, warranty
from inventory.errors import Conflict, InvalidInput
from inventory.receiving import receive_from_supplier
from inventory.verify import verify_ledger
from models import Location, Part, SerialItem
from models.db import make_session_factory
from tests.builders import make_depot, make_part
from tests.races import at_once

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def shelf(session):
    """BJ01 with four faulty Huawei PSUs on the shelf (bought today), the vendor's hub, and
    the vendor's 12 months from purchase on the PSU."""
    make_depot(session, "BJ01")
    part = make_part(session, "SRV-PSU")
    part.vendor = "Huawei"
    session.commit()
    for serial in ("F1", "F2", "F3", "F4"):
        receive_from_supplier(session, depot_code="BJ01", part_number="SRV-PSU", serial=serial,
                              actor="wh", condition="faulty")  # fmt: skip
    part_returns.create_vendor_location(
        session, code="VND-HW-SH", name="华为上海备件中心", vendor="Huawei", city="上海",
        actor="admin",
    )  # fmt: skip
    warranty.set_term(session, vendor="Huawei", part_number="SRV-PSU", months=12,
                      basis="purchase", actor="admin")  # fmt: skip
    return session


def _where(session, serial):
    item = session.scalar(select(SerialItem).where(SerialItem.serial == serial))
    session.refresh(item)
    return session.get(Location, item.location_id).code, item.status, item.condition


def _open(session, serials, rma="HW-RMA-1", now=NOW):
    return rtv.create_rtv(session, vendor="huawei", vendor_rma=rma, failure="PSU no output",
                          depot_code="BJ01", serials=serials, actor="wh", now=now)  # fmt: skip


def test_the_claim_line_says_in_or_out_of_warranty_and_why(shelf):
    inside = _open(shelf, ["F1"])
    line = inside.lines[0]
    assert (line.warranty, line.claim_amount, line.unit_value) == (
        "in", Decimal("100.00"), Decimal("100.00"),
    )  # fmt: skip
    assert "12 months from purchase" in line.warranty_reason
    assert line.warranty_end == warranty.add_months(NOW.date(), 12)
    assert inside.vendor_location == "VND-HW-SH" and inside.claim_amount == Decimal("100.00")

    later = _open(shelf, ["F2"], rma="HW-RMA-2", now=NOW + timedelta(days=400))
    assert later.lines[0].warranty == "out" and later.lines[0].claim_amount == 0
    assert "warranty ended" in later.lines[0].warranty_reason

    # another vendor with no terms: out, and the line says there are none
    other = rtv.create_rtv(shelf, vendor="Delta", vendor_rma="D-1", failure="fan noise",
                           depot_code="BJ01", serials=["F3"], actor="wh",
                           vendor_location="REPAIR", now=NOW)  # fmt: skip
    assert other.lines[0].warranty == "out"
    assert "no warranty terms" in other.lines[0].warranty_reason

    # installation basis with no installation on record: unknown, still claimed
    warranty.set_term(shelf, vendor="Huawei", part_number="SRV-PSU", months=24,
                      basis="installation", actor="admin")  # fmt: skip
    unknown = _open(shelf, ["F4"], rma="HW-RMA-4")
    assert unknown.lines[0].warranty == "unknown"
    assert unknown.lines[0].claim_amount == Decimal("100.00")


def test_months_run_to_the_months_last_day():
    assert warranty.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert warranty.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert warranty.add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)


def test_units_go_out_and_come_back_by_outcome_and_the_credit_settles_the_claim(shelf):
    opened = _open(shelf, ["F1", "F2", "F3", "F4"])
    assert _where(shelf, "F1") == ("BJ01", "reserved", "faulty")
    with pytest.raises(Conflict):  # a unit is on one claim at a time
        _open(shelf, ["F1"], rma="HW-RMA-9")
    with pytest.raises(Conflict):  # units come back after they left
        rtv.receive_rtv(shelf, opened.number, outcomes={"F1": rtv.Outcome("repaired")},
                        actor="wh")  # fmt: skip
    shipped = rtv.ship_rtv(shelf, opened.number, actor="wh", waybill="SF-1")
    assert shipped.status == "shipped" and _where(shelf, "F1") == (
        "VND-HW-SH",
        "at_vendor",
        "faulty",
    )
    with pytest.raises(Conflict):
        rtv.ship_rtv(shelf, opened.number, actor="wh")

    back = NOW + timedelta(days=10)
    part = rtv.receive_rtv(
        shelf, opened.number, actor="wh", now=back,
        outcomes={"F1": rtv.Outcome("repaired"), "F2": rtv.Outcome("replaced", "NEW-9")},
    )  # fmt: skip
    assert part.status == "shipped"  # two still out
    with pytest.raises(InvalidInput):
        rtv.receive_rtv(shelf, opened.number, actor="wh",
                        outcomes={"F3": rtv.Outcome("replaced")})  # fmt: skip
    done = rtv.receive_rtv(
        shelf, opened.number, actor="wh", now=back,
        outcomes={"F3": rtv.Outcome("no_fault_found"),
                  "F4": rtv.Outcome("rejected_damaged")},
    )  # fmt: skip
    assert done.status == "received"
    assert _where(shelf, "F1") == ("BJ01", "in_stock", "good")
    assert _where(shelf, "F2") == ("SCRAP", "scrapped", "scrapped")  # the vendor kept it
    assert _where(shelf, "NEW-9") == ("BJ01", "in_stock", "good")  # the replacement entered stock
    assert _where(shelf, "F3") == ("BJ01", "in_stock", "good")
    assert _where(shelf, "F4") == ("BJ01", "in_stock", "faulty")
    assert [ln.replacement_serial for ln in done.lines] == [None, "NEW-9", None, None]

    settled = rtv.settle_rtv(shelf, opened.number, credit_amount=Decimal("250.00"),
                             credit_note="CN-77", actor="fin", now=back)  # fmt: skip
    assert settled.status == "credited" and settled.claim_amount == Decimal("400.00")
    assert settled.cost_not_recovered == Decimal("150.00")
    with pytest.raises(Conflict):
        rtv.settle_rtv(shelf, opened.number, credit_amount=Decimal("1.00"), credit_note="X",
                       actor="fin")  # fmt: skip

    [report] = rtv.vendor_report(shelf)
    assert (report.units, report.units_back, report.repaired, report.replaced) == (4, 4, 1, 1)
    assert report.no_fault_found_rate == 0.25 and report.repair_yield == round(2 / 3, 4)
    assert report.claimed == Decimal("400.00") and report.credited == Decimal("250.00")
    assert report.recovery_rate == 0.625 and report.not_recovered == Decimal("150.00")
    assert report.turnaround_mean_days is not None
    assert rtv.ageing(shelf) == []  # settled: no longer ageing
    assert verify_ledger(shelf) == []


def test_open_claims_age_per_vendor(shelf):
    _open(shelf, ["F1"], now=NOW - timedelta(days=45))
    _open(shelf, ["F2"], rma="HW-RMA-2", now=NOW - timedelta(days=2))
    [row] = rtv.ageing(shelf, now=NOW)
    assert row.vendor == "huawei" and row.open_claims == 2 and row.oldest_days == 45
    assert row.buckets == {"0-30": 1, "31-60": 1, "61-90": 0, "90+": 0}


def test_a_unit_at_the_vendor_hub_goes_on_the_claim_without_moving_again(shelf):
    hub = shelf.scalar(select(Location).where(Location.code == "VND-HW-SH"))
    part = shelf.scalar(select(Part))
    from inventory.ledger import Stamp, move_serial

    item = shelf.scalar(select(SerialItem).where(SerialItem.serial == "F1"))
    move_serial(shelf, item, hub, to_status="at_vendor", stamp=Stamp("wh", "part_return_in"),
                expect_statuses=("in_stock",))  # fmt: skip
    shelf.commit()
    opened = rtv.create_rtv(shelf, vendor="Huawei", vendor_rma="HW-9", failure="dead",
                            depot_code="BJ01", serials=["F1"], actor="wh")  # fmt: skip
    assert opened.vendor_location == "VND-HW-SH" and part.vendor == "Huawei"
    rtv.ship_rtv(shelf, opened.number, actor="wh")
    assert _where(shelf, "F1") == ("VND-HW-SH", "at_vendor", "faulty")
    rtv.receive_rtv(shelf, opened.number, actor="wh", outcomes={"F1": rtv.Outcome("repaired")})
    assert _where(shelf, "F1") == ("BJ01", "in_stock", "good")
    assert verify_ledger(shelf) == []


def test_receiving_the_same_rtv_twice_at_once_books_it_once(shelf, engine):
    opened = _open(shelf, ["F1", "F2"])
    rtv.ship_rtv(shelf, opened.number, actor="wh")
    outcomes = {"F1": rtv.Outcome("repaired"), "F2": rtv.Outcome("replaced", "NEW-1")}
    results = at_once(
        2,
        lambda s, i: rtv.receive_rtv(s, opened.number, outcomes=outcomes, actor=f"wh{i}"),
        sessions=make_session_factory(engine),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict), results
    shelf.expire_all()
    assert rtv.rtv_view(rtv.rtv_by_number(shelf, opened.number)).status == "received"
    assert shelf.scalar(select(SerialItem.location_id).where(SerialItem.serial == "NEW-1"))
    assert verify_ledger(shelf) == []


def test_a_term_from_installation_counts_from_the_units_acceptance_and_a_vendor_wide_term_applies(
    shelf,
):
    from inventory.installed_base import register_equipment
    from tests.service_builders import make_customer

    _customer, site, contract = make_customer(shelf)
    register_equipment(shelf, site_code=site, part_number="SRV-PSU", serial="F4",
                       acceptance_date=NOW.date() - timedelta(days=700), actor="admin",
                       contract_code=contract)  # fmt: skip
    warranty.set_term(shelf, vendor="Huawei", part_number="SRV-PSU", months=24,
                      basis="installation", actor="admin")  # fmt: skip
    [line] = _open(shelf, ["F4"]).lines  # bought today, installed 700 days ago
    assert line.warranty == "in" and "24 months from installation" in line.warranty_reason
    assert line.warranty_end == warranty.add_months(NOW.date() - timedelta(days=700), 24)
    # a vendor's term for all its parts applies when the part has none of its own
    warranty.set_term(shelf, vendor="Delta", months=6, basis="purchase", actor="admin")
    other = rtv.create_rtv(shelf, vendor="Delta", vendor_rma="D-2", failure="fan noise",
                           depot_code="BJ01", serials=["F3"], actor="wh",
                           vendor_location="REPAIR", now=NOW)  # fmt: skip
    assert other.lines[0].warranty == "in" and "all Delta parts" in other.lines[0].warranty_reason
