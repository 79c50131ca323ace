"""Adjustments, cycle counts and scrapping: corrections with a reason, in the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.errors import Conflict, InvalidInput
from inventory.events import record_on, record_stock_event
from inventory.ledger import Stamp, move_counted, move_serial, restock, write_off_missing
from inventory.lookups import depot_by_code, item_by_serial, part_by_number, virtual_location
from inventory.serials import normalize_serial
from inventory.transaction import transaction
from models import Location, Part, SerialItem, StockQuantity
from models.enums import Condition, ItemStatus, LocationKind, MovementReason, Tracking


@dataclass
class CountResult:
    depot: str
    part_number: str
    expected: int
    counted: int
    found: list[str] = field(default_factory=list)  # serials booked in by the count
    missing: list[str] = field(default_factory=list)  # serials written off by the count
    delta: int = 0


def adjust_quantity(
    session: Session,
    *,
    depot_code: str,
    part_number: str,
    delta: int,
    reason: str,
    actor: str,
    condition: str = Condition.GOOD.value,
) -> int:
    """Correct a counted part's on-hand by ``delta`` (never below zero). Returns the new qty."""
    with transaction(session):
        if not reason or not reason.strip():
            raise InvalidInput(
                "an adjustment needs a reason", field="reason", key="cnt.adjust_reason"
            )
        if delta == 0:
            raise InvalidInput("delta must not be zero", field="delta", key="cnt.delta_zero")
        depot = depot_by_code(session, depot_code)
        part = part_by_number(session, part_number)
        if part.tracking != Tracking.COUNTED.value:
            raise InvalidInput(
                f"{part_number} is serialized: count its serials instead",
                field="part_number",
                key="serialized_scan",
                params={"part": part_number},
            )
        adjust = virtual_location(session, LocationKind.ADJUSTMENT)
        stamp = Stamp(actor, MovementReason.ADJUSTMENT.value, None, reason)
        if delta > 0:
            movement = move_counted(
                session, part, adjust, depot.location, delta, stamp=stamp, condition=condition
            )
        else:
            movement = move_counted(
                session, part, depot.location, adjust, -delta, stamp=stamp, condition=condition
            )
        qty = _free_qty(session, part.id, depot.location_id, condition)
        record_stock_event(
            session,
            part,
            "adjusted",
            actor=actor,
            note=reason,
            data={
                "depot": depot.code,
                "condition": condition,
                "delta": delta,
                "qty_after": qty,
                "movement_id": movement.id,
            },
        )
        return qty


def _free_qty(session: Session, part_id: int, location_id: int, condition: str) -> int:
    return (
        session.scalar(
            select(StockQuantity.qty).where(
                StockQuantity.part_id == part_id,
                StockQuantity.location_id == location_id,
                StockQuantity.condition == condition,
            )
        )
        or 0
    )


def cycle_count(
    session: Session,
    *,
    depot_code: str,
    part_number: str,
    actor: str,
    reason: str = "cycle count",
    counted_qty: int | None = None,
    serials: list[str] | None = None,
    condition: str = Condition.GOOD.value,
    confirm_missing: bool = False,
) -> CountResult:
    """Make the books match the shelf. Counted parts: give ``counted_qty`` (free stock in
    ``condition``). Serialized parts: give every serial found on the shelf; shelf items not
    scanned are written off as missing, scanned items the books had elsewhere-missing are
    booked back in. Items that are reserved or elsewhere are never moved by a count.
    A count that would write off most of the shelf (more than half of at least two expected
    serials) is refused (Conflict on ``confirm``) unless ``confirm_missing``: one pasted
    serial must not write thirteen units off in one click."""
    with transaction(session):
        depot = depot_by_code(session, depot_code)
        return count_at(
            session,
            depot.location,
            depot.code,
            part_by_number(session, part_number),
            actor=actor,
            reason=reason,
            counted_qty=counted_qty,
            serials=serials,
            condition=condition,
            confirm_missing=confirm_missing,
        )


def count_at(
    session: Session,
    location: Location,
    label: str,
    part: Part,
    *,
    actor: str,
    reason: str,
    counted_qty: int | None,
    serials: list[str] | None,
    condition: str = Condition.GOOD.value,
    confirm_missing: bool = False,
) -> CountResult:
    """``cycle_count`` at any stock location (a depot's, an engineer's van), inside the
    caller's transaction; ``label`` names the place in the result."""
    adjust = virtual_location(session, LocationKind.ADJUSTMENT)
    stamp = Stamp(actor, MovementReason.CYCLE_COUNT.value, None, reason)
    if part.tracking == Tracking.COUNTED.value:
        if counted_qty is None or counted_qty < 0:
            raise InvalidInput(
                "give the counted quantity (0 or more)", field="counted_qty", key="cnt.qty_required"
            )
        expected = _free_qty(session, part.id, location.id, condition)
        delta = counted_qty - expected
        if delta > 0:
            move_counted(session, part, adjust, location, delta, stamp=stamp, condition=condition)
        elif delta < 0:
            move_counted(session, part, location, adjust, -delta, stamp=stamp, condition=condition)
        result = CountResult(label, part.part_number, expected, counted_qty, delta=delta)
        _count_event(session, part, result, actor, reason, condition)
        return result

    if serials is None:
        raise InvalidInput(
            "a serialized part is counted by its serials", field="serials", key="cnt.by_serials_any"
        )
    scanned = {normalize_serial(s) for s in serials} - {""}
    on_shelf = {
        i.serial: i
        for i in session.scalars(
            select(SerialItem).where(
                SerialItem.part_id == part.id,
                SerialItem.location_id == location.id,
                SerialItem.status == ItemStatus.IN_STOCK.value,
            )
        )
    }
    reserved_here = set(
        session.scalars(
            select(SerialItem.serial).where(
                SerialItem.part_id == part.id,
                SerialItem.location_id == location.id,
                SerialItem.status == ItemStatus.RESERVED.value,
            )
        )
    )
    result = CountResult(label, part.part_number, len(on_shelf), len(scanned))
    not_scanned = len(set(on_shelf) - scanned)
    if len(on_shelf) >= 2 and not_scanned * 2 > len(on_shelf) and not confirm_missing:
        raise Conflict(
            f"{not_scanned} of {len(on_shelf)} expected serials were not scanned; "
            "confirm to write them off as missing",
            field="confirm",
            details={"missing": not_scanned, "expected": len(on_shelf)},
            key="cnt.confirm_missing",
            params={"missing": not_scanned, "expected": len(on_shelf)},
        )
    for serial, item in sorted(on_shelf.items()):
        if serial not in scanned:
            write_off_missing(session, item, adjust, stamp)
            result.missing.append(serial)
    for serial in sorted(scanned - set(on_shelf) - reserved_here):
        recovered = session.scalar(
            select(SerialItem).where(SerialItem.part_id == part.id, SerialItem.serial == serial)
        )
        if recovered is None or recovered.status != ItemStatus.MISSING.value:
            where = (
                "unknown"
                if recovered is None
                else f"{recovered.status} at {recovered.location.code}"
            )
            raise Conflict(
                f"serial {serial} was scanned here but the books say it is {where}; "
                "receive or transfer it first",
                field="serials",
                key="cnt.scanned_unknown" if recovered is None else "cnt.scanned_elsewhere",
                params={"serial": serial}
                if recovered is None
                else {
                    "serial": serial,
                    "item_status": recovered.status,
                    "location": recovered.location.code,
                },
            )
        restock(session, recovered, location, stamp, was=ItemStatus.MISSING)
        result.found.append(serial)
    result.delta = len(result.found) - len(result.missing)
    _count_event(session, part, result, actor, reason, None)
    return result


def _count_event(
    session: Session,
    part: Part,
    result: CountResult,
    actor: str,
    reason: str,
    condition: str | None,
) -> None:
    """One event per count (of the part), whatever it found; the serials it wrote off or
    booked back in each have their movement."""
    data = {
        "depot": result.depot,
        "expected": result.expected,
        "counted": result.counted,
        "delta": result.delta,
        "found": result.found,
        "missing": result.missing,
    }
    if condition:
        data["condition"] = condition
    record_stock_event(session, part, "counted", actor=actor, note=reason, data=data)


def scrap(
    session: Session,
    *,
    actor: str,
    reason: str,
    serial: str | None = None,
    part_number: str | None = None,
    depot_code: str | None = None,
    qty: int = 1,
    condition: str = Condition.FAULTY.value,
) -> int:
    """Write stock off to scrap. A serial is scrapped wherever it sits on a depot shelf
    (not while reserved or travelling); counted stock needs depot, part and qty."""
    with transaction(session):
        if not reason or not reason.strip():
            raise InvalidInput("scrapping needs a reason", field="reason", key="cnt.scrap_reason")
        target = virtual_location(session, LocationKind.SCRAP)
        stamp = Stamp(actor, MovementReason.SCRAP.value, None, reason)
        if serial:
            item = item_by_serial(session, serial, part_number)
            if depot_code:
                depot = depot_by_code(session, depot_code)
                if item.location_id != depot.location_id:
                    raise Conflict(
                        f"item {serial} is not at depot {depot_code}",
                        field="serial",
                        key="cnt.not_at_depot",
                        params={"serial": serial, "depot": depot_code},
                    )
            if item.status != ItemStatus.IN_STOCK.value:
                raise Conflict(
                    f"item {serial} is {item.status}; only shelf stock can be scrapped",
                    field="serial",
                    key="cnt.scrap_not_on_shelf",
                    params={"serial": serial, "item_status": item.status},
                )
            where = item.location.code
            movement = move_serial(
                session,
                item,
                target,
                to_status=ItemStatus.SCRAPPED.value,
                condition=Condition.SCRAPPED.value,
                stamp=stamp,
                expect_statuses=(ItemStatus.IN_STOCK.value,),
            )
            record_on(
                session,
                "serial_item",
                item,
                "scrapped",
                actor=actor,
                ref=item.serial,
                from_state=ItemStatus.IN_STOCK.value,
                to_state=ItemStatus.SCRAPPED.value,
                note=reason,
                data={
                    "depot": where,
                    "part_number": item.part.part_number,
                    "movement_id": movement.id,
                },
            )
        else:
            if not (part_number and depot_code):
                raise InvalidInput(
                    "give a serial, or depot, part_number and qty",
                    field="serial",
                    key="cnt.scrap_what",
                )
            if qty <= 0:
                raise InvalidInput("quantity must be at least 1", field="qty", key="qty_positive")
            depot = depot_by_code(session, depot_code)
            part = part_by_number(session, part_number)
            if part.tracking != Tracking.COUNTED.value:
                raise InvalidInput(
                    f"{part_number} is serialized: scrap it by serial",
                    field="serial",
                    key="cnt.scrap_by_serial",
                    params={"part": part_number},
                )
            movement = move_counted(
                session,
                part,
                depot.location,
                target,
                qty,
                stamp=stamp,
                condition=condition,
                to_condition=Condition.SCRAPPED.value,
            )
            record_stock_event(
                session,
                part,
                "scrapped",
                actor=actor,
                note=reason,
                data={
                    "depot": depot.code,
                    "qty": qty,
                    "condition": condition,
                    "movement_id": movement.id,
                },
            )
        return movement.id
