"""The repair loop: faulty stock goes to a repair vendor in batches (a vendor RMA) and
comes back as good stock (restocked at the batch's depot) or is scrapped.

Every leg is a stock movement referencing the batch number (VRMA-YYYY-NNNNNN):
send = depot → repair vendor (condition in_repair), repaired = repair vendor → depot
(condition good, free stock), scrapped = repair vendor → scrap. Each step is an event.
Turnaround per vendor is measured from the batch's sending to each unit's return.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.events import record_on
from inventory.ledger import Stamp, move_serial
from inventory.lookups import depot_by_code, item_by_serial, must_get, one_by, virtual_location
from inventory.numbering import next_number
from inventory.transaction import transaction
from inventory.views import view_of
from logistics.calendars import require_utc
from models import Depot, RepairBatch, RepairLine, SerialItem, utcnow
from models.enums import Condition, ItemStatus, LocationKind, MovementReason

OUTCOMES = ("repaired", "scrapped")


@dataclass(frozen=True)
class RepairLineView:
    part_number: str
    serial: str | None
    outcome: str
    returned_at: datetime | None


@dataclass(frozen=True)
class RepairBatchView:
    number: str
    vendor: str
    depot: str
    status: str
    sent_by: str
    sent_at: datetime
    closed_at: datetime | None
    lines: list[RepairLineView]


@dataclass(frozen=True)
class VendorTurnaround:
    """Units a vendor returned and how long they took (days, from sending to return)."""

    vendor: str
    units_sent: int
    units_open: int
    repaired: int
    scrapped: int
    mean_days: float | None
    median_days: float | None
    max_days: float | None


def batch_view(session: Session, batch: RepairBatch) -> RepairBatchView:
    lines = []
    for line in batch.lines:
        item = must_get(session, SerialItem, line.serial_item_id) if line.serial_item_id else None
        lines.append(
            RepairLineView(
                item.part.part_number if item else "",
                item.serial if item else None,
                line.outcome,
                line.returned_at,
            )
        )
    return view_of(
        RepairBatchView, batch, depot=must_get(session, Depot, batch.depot_id).code, lines=lines
    )


def batch_by_number(session: Session, number: str) -> RepairBatch:
    return one_by(
        session, RepairBatch.number, number, "repair_batch", field="number", noun="repair batch"
    )


def _event(
    session: Session,
    batch: RepairBatch,
    kind: str,
    actor: str,
    at: datetime,
    from_state: str | None,
    to_state: str | None,
    data: dict,
) -> None:
    record_on(
        session,
        "repair_batch",
        batch,
        kind,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        at=at,
        data=data,
    )


def send_to_repair(
    session: Session,
    *,
    depot_code: str,
    vendor: str,
    serials: list[str],
    actor: str,
    note: str | None = None,
    now: datetime | None = None,
) -> RepairBatchView:
    """Send faulty units on a depot's shelf to `vendor` as one batch; commits. A unit that
    is not faulty and free at that depot (or that someone moved meanwhile) refuses the
    whole batch."""
    now = require_utc(now or utcnow(), "now")
    if not vendor.strip():
        raise InvalidInput("name the repair vendor", field="vendor", key="name_vendor")
    if not serials:
        raise InvalidInput("a batch needs at least one unit", field="serials", key="batch_empty")
    if len(set(serials)) != len(serials):
        raise InvalidInput("a serial is listed twice", field="serials", key="serial_listed_twice")
    with transaction(session):
        depot = depot_by_code(session, depot_code, field="depot")
        batch = RepairBatch(
            number=next_number(session, "VRMA", now),
            vendor=vendor.strip(),
            depot_id=depot.id,
            status="sent",
            sent_by=actor,
            sent_at=now,
            note=note,
        )
        session.add(batch)
        session.flush()
        vendor_loc = virtual_location(session, LocationKind.REPAIR_VENDOR)
        for index, serial in enumerate(serials):
            item = item_by_serial(session, serial, field=f"serials.{index}")
            if item.location_id != depot.location_id or item.condition != Condition.FAULTY.value:
                raise Conflict(
                    f"{serial} is not a faulty unit on the shelf at {depot.code}",
                    field=f"serials.{index}",
                    key="not_faulty_on_shelf",
                    params={"serial": serial, "depot": depot.code},
                )
            move_serial(
                session,
                item,
                vendor_loc,
                to_status=ItemStatus.AT_VENDOR.value,
                condition=Condition.IN_REPAIR.value,
                stamp=Stamp(actor, MovementReason.SEND_TO_REPAIR.value, batch.number, batch.vendor),
                expect_statuses=(ItemStatus.IN_STOCK.value,),
            )
            session.add(RepairLine(batch_id=batch.id, part_id=item.part_id, serial_item_id=item.id))
        session.flush()
        session.refresh(batch)
        _event(
            session,
            batch,
            "sent",
            actor,
            now,
            None,
            "sent",
            {"vendor": batch.vendor, "units": len(serials)},
        )
        view = batch_view(session, batch)
        return view


def receive_from_repair(
    session: Session,
    number: str,
    *,
    outcomes: dict[str, str],
    actor: str,
    now: datetime | None = None,
) -> RepairBatchView:
    """Record what came back from the vendor: serial → repaired (restocked good at the
    batch's depot) or scrapped; commits. The batch closes when every unit is back."""
    now = require_utc(now or utcnow(), "now")
    if not outcomes:
        raise InvalidInput("say what came back", field="outcomes", key="say_what_came_back")
    with transaction(session):
        batch = batch_by_number(session, number)
        depot = must_get(session, Depot, batch.depot_id)
        lines = {
            must_get(session, SerialItem, ln.serial_item_id).serial: ln
            for ln in batch.lines
            if ln.serial_item_id
        }
        for serial, outcome in outcomes.items():
            if outcome not in OUTCOMES:
                raise InvalidInput(
                    "outcome must be repaired or scrapped",
                    field=f"outcomes.{serial}",
                    key="repair_outcome_choice",
                )
            line = lines.get(serial)
            if line is None:
                raise NotFound(
                    f"{serial} is not in batch {batch.number}",
                    field=f"outcomes.{serial}",
                    key="not_in_batch",
                    params={"serial": serial, "ref": batch.number},
                )
            if line.outcome != "pending":
                raise Conflict(
                    f"{serial} already came back ({line.outcome})",
                    field=f"outcomes.{serial}",
                    key="already_came_back",
                    params={"serial": serial},
                )
            item = must_get(session, SerialItem, line.serial_item_id)
            if outcome == "repaired":
                move_serial(
                    session,
                    item,
                    depot.location,
                    to_status=ItemStatus.IN_STOCK.value,
                    condition=Condition.GOOD.value,
                    stamp=Stamp(actor, MovementReason.RETURN_FROM_REPAIR.value, batch.number),
                    expect_statuses=(ItemStatus.AT_VENDOR.value,),
                )
            else:
                move_serial(
                    session,
                    item,
                    virtual_location(session, LocationKind.SCRAP),
                    to_status=ItemStatus.SCRAPPED.value,
                    condition=Condition.SCRAPPED.value,
                    stamp=Stamp(actor, MovementReason.SCRAP.value, batch.number, "beyond repair"),
                    expect_statuses=(ItemStatus.AT_VENDOR.value,),
                )
            line.outcome, line.returned_at = outcome, now
        session.flush()
        done = all(ln.outcome != "pending" for ln in batch.lines)
        previous = batch.status
        if done:
            batch.status, batch.closed_at = "closed", now
        _event(
            session,
            batch,
            "returned",
            actor,
            now,
            previous,
            batch.status,
            {
                "repaired": sum(1 for o in outcomes.values() if o == "repaired"),
                "scrapped": sum(1 for o in outcomes.values() if o == "scrapped"),
            },
        )
        view = batch_view(session, batch)
        return view


def vendor_turnaround(session: Session) -> list[VendorTurnaround]:
    """Per vendor: units sent, still out, repaired, scrapped, and days from sending to return."""
    rows = session.execute(
        select(
            RepairBatch.vendor, RepairBatch.sent_at, RepairLine.outcome, RepairLine.returned_at
        ).join(RepairLine, RepairLine.batch_id == RepairBatch.id)
    )
    by_vendor: dict[str, list] = {}
    for vendor, sent_at, outcome, returned_at in rows:
        by_vendor.setdefault(vendor, []).append((sent_at, outcome, returned_at))
    result = []
    for vendor, units in sorted(by_vendor.items()):
        days = [(r - s).total_seconds() / 86400.0 for s, _o, r in units if r is not None]
        result.append(
            VendorTurnaround(
                vendor=vendor,
                units_sent=len(units),
                units_open=sum(1 for _s, o, _r in units if o == "pending"),
                repaired=sum(1 for _s, o, _r in units if o == "repaired"),
                scrapped=sum(1 for _s, o, _r in units if o == "scrapped"),
                mean_days=round(statistics.fmean(days), 2) if days else None,
                median_days=round(statistics.median(days), 2) if days else None,
                max_days=round(max(days), 2) if days else None,
            )
        )
    return result
