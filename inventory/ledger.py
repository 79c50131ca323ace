"""The two primitives every stock operation is made of.

Each appends one immutable movement and updates the on-hand figure in the same
transaction. The update is a compare-and-set decided by the database: if another
transaction got there first the row count is zero and the caller gets a Conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Result, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from inventory.depot_access import check_movement
from inventory.errors import Conflict
from models import Location, Movement, Part, SerialItem, StockQuantity, utcnow
from models.enums import Condition, ItemStatus, LocationKind

# A serialized unit free to take: on the shelf (in stock, so not reserved) and good.
FREE_GOOD_UNIT = (
    SerialItem.status == ItemStatus.IN_STOCK.value,
    SerialItem.condition == Condition.GOOD.value,
)


def rows_matched(result: Result[Any]) -> int:
    """Rows an UPDATE matched: the outcome of a compare-and-set. ``Session.execute`` is
    typed as returning a plain ``Result``; for an UPDATE it is a ``CursorResult``."""
    return cast(CursorResult[Any], result).rowcount


@dataclass(frozen=True)
class Stamp:
    """Who did it, why, and for what: carried onto every movement."""

    actor: str
    reason: str
    reference: str | None = None
    note: str | None = None


def _append(session: Session, stamp: Stamp, **fields: Any) -> Movement:
    """Append one movement, stamped with who, why and for what, at this instant."""
    movement = Movement(
        reason=stamp.reason,
        reference=stamp.reference,
        note=stamp.note,
        actor=stamp.actor,
        occurred_at=utcnow(),
        **fields,
    )
    session.add(movement)
    session.flush()
    return movement


def move_serial(
    session: Session,
    item: SerialItem,
    to_location: Location,
    *,
    to_status: str,
    stamp: Stamp,
    condition: str | None = None,
    expect_statuses: tuple[str, ...],
    reserved_ref: str | None = None,
    expect_reserved_ref: str | None = None,
) -> Movement:
    """Move one serialized item, only if it is still where and in the state we read."""
    check_movement(session, item.location_id, to_location.id)
    new_condition = condition or item.condition
    stmt = (
        update(SerialItem)
        .where(
            SerialItem.id == item.id,
            SerialItem.location_id == item.location_id,
            SerialItem.condition == item.condition,
            SerialItem.status.in_(expect_statuses),
        )
        .values(
            location_id=to_location.id,
            status=to_status,
            condition=new_condition,
            reserved_ref=reserved_ref,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if expect_reserved_ref is not None:
        stmt = stmt.where(SerialItem.reserved_ref == expect_reserved_ref)
    if rows_matched(session.execute(stmt)) != 1:
        raise Conflict(
            f"item {item.serial} is no longer {'/'.join(expect_statuses)} at its location; "
            "someone else changed it",
            field="serial",
            key="item_changed",
            params={"serial": item.serial},
        )
    movement = _append(
        session,
        stamp,
        part_id=item.part_id,
        serial_item_id=item.id,
        qty=1,
        from_location_id=item.location_id,
        to_location_id=to_location.id,
        from_condition=item.condition,
        condition=new_condition,
    )
    # the row now holds what we wrote; tell the identity map without another SELECT
    for key, value in (
        ("location_id", to_location.id),
        ("status", to_status),
        ("condition", new_condition),
        ("reserved_ref", reserved_ref),
    ):
        set_committed_value(item, key, value)
    return movement


UNBOUNDED_SOURCES = (LocationKind.SUPPLIER.value, LocationKind.ADJUSTMENT.value)


def restock(
    session: Session, item: SerialItem, location: Location, stamp: Stamp, *, was: ItemStatus
) -> Movement:
    """A unit back in stock at ``location`` from ``was``: arrived (in transit) or found
    again by a count (missing)."""
    return move_serial(
        session,
        item,
        location,
        to_status=ItemStatus.IN_STOCK.value,
        stamp=stamp,
        expect_statuses=(was.value,),
    )


def write_off_missing(
    session: Session, item: SerialItem, adjust: Location, stamp: Stamp
) -> Movement:
    """A unit in stock that a count did not find: to the adjustment location, missing."""
    return move_serial(
        session,
        item,
        adjust,
        to_status=ItemStatus.MISSING.value,
        stamp=stamp,
        expect_statuses=(ItemStatus.IN_STOCK.value,),
    )


def _is_infinite_source(location: Location) -> bool:
    """Suppliers and the adjustment account are not counted as sources: stock appears from
    them (a delivery; units found by a count or an adjustment, whatever was lost before)."""
    return location.kind in UNBOUNDED_SOURCES


def add_counted(session: Session, part: Part, location: Location, condition: str, qty: int) -> None:
    _add_counted(session, part.id, location.id, condition, qty)


def _add_counted(
    session: Session, part_id: int, location_id: int, condition: str, qty: int
) -> None:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(StockQuantity).values(
        part_id=part_id, location_id=location_id, condition=condition, qty=qty, reserved=0
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["part_id", "location_id", "condition"],
        set_={"qty": StockQuantity.qty + qty},
    )
    session.execute(stmt)


def take_counted(
    session: Session,
    part: Part,
    location: Location,
    condition: str,
    qty: int,
    *,
    from_reserved: bool = False,
) -> None:
    """Decrement free (or reserved) quantity; refused by the database when short."""
    free, reserved = (0, -qty) if from_reserved else (-qty, 0)
    if not shift_counted(session, part.id, location.id, condition, free=free, reserved=reserved):
        raise _not_enough(part, location, condition, qty, to="take")


def shift_counted(
    session: Session,
    part_id: int,
    location_id: int,
    condition: str,
    *,
    free: int = 0,
    reserved: int = 0,
) -> bool:
    """Add ``free`` and ``reserved`` (either may be negative, not both zero) to a stock
    row's free and reserved quantities, a compare-and-set the database decides: False,
    and nothing changed, when either would go below zero (or there is no such row)."""
    where = [
        StockQuantity.part_id == part_id,
        StockQuantity.location_id == location_id,
        StockQuantity.condition == condition,
    ]
    values = {}
    for column, change in ((StockQuantity.qty, free), (StockQuantity.reserved, reserved)):
        if change < 0:
            where.append(column >= -change)
        if change:
            values[column.key] = column + change
    result = session.execute(
        update(StockQuantity)
        .where(*where)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    return rows_matched(result) == 1


def _not_enough(part: Part, location: Location, condition: str, qty: int, *, to: str) -> Conflict:
    return Conflict(
        f"not enough {part.part_number} ({condition}) at {location.code} to {to} {qty}",
        field="qty",
        key="not_enough_stock",
        params={
            "part": part.part_number,
            "condition": condition,
            "location": location.code,
            "qty": qty,
        },
    )


def move_counted(
    session: Session,
    part: Part,
    from_location: Location,
    to_location: Location,
    qty: int,
    *,
    stamp: Stamp,
    condition: str,
    to_condition: str | None = None,
    from_reserved: bool = False,
) -> Movement:
    """Move ``qty`` units of a counted part between locations (and maybe conditions)."""
    check_movement(session, from_location.id, to_location.id)
    if qty <= 0:
        raise Conflict("quantity must be positive", field="qty", key="qty_positive")
    if not _is_infinite_source(from_location):
        take_counted(session, part, from_location, condition, qty, from_reserved=from_reserved)
    new_condition = to_condition or condition
    add_counted(session, part, to_location, new_condition, qty)
    return _append(
        session,
        stamp,
        part_id=part.id,
        qty=qty,
        from_location_id=from_location.id,
        to_location_id=to_location.id,
        from_condition=condition,
        condition=new_condition,
    )


@dataclass(frozen=True)
class Arrival:
    """One line of a delivery: a serialized unit (``serial``, qty 1) or a quantity of a
    counted part, arriving at a depot's location in a condition."""

    part_id: int
    location_id: int
    serial: str | None
    qty: int
    condition: str


BULK_CHUNK = 1_000  # rows per INSERT statement


def receive_many(
    session: Session,
    supplier: Location,
    arrivals: Sequence[Arrival],
    *,
    stamp: Stamp,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Book a whole delivery from ``supplier`` in bulk (no commit): the serialized units
    are created in stock at their depot, the counted quantities added per (part, depot,
    condition), and one movement per arrival; the movements' ids in the arrivals' order.

    The same ledger as ``move_serial`` / ``move_counted`` writes, in a few statements per
    thousand lines instead of several per line. A serial that exists already raises the
    database's IntegrityError (the caller checked the file's serials beforehand, so that
    is a concurrent booking); on PostgreSQL an insert of a serial another transaction is
    booking waits for it. Callers pass arrivals in one order (by part and serial) so two
    deliveries sharing serials wait for each other instead of deadlocking."""
    now = utcnow()
    serialized = [a for a in arrivals if a.serial]
    for start in range(0, len(serialized), BULK_CHUNK):
        session.execute(
            insert(SerialItem),
            [
                {
                    "part_id": a.part_id,
                    "serial": a.serial,
                    "location_id": a.location_id,
                    "status": ItemStatus.IN_STOCK.value,
                    "condition": a.condition,
                    "updated_at": now,
                }
                for a in serialized[start : start + BULK_CHUNK]
            ],
        )
    item_ids = _serial_item_ids(session, serialized)
    totals: dict[tuple[int, int, str], int] = {}
    for a in arrivals:
        if not a.serial:
            key = (a.part_id, a.location_id, a.condition)
            totals[key] = totals.get(key, 0) + a.qty
    for (part_id, location_id, condition), qty in sorted(totals.items()):
        _add_counted(session, part_id, location_id, condition, qty)
    movement_ids: list[int] = []
    for start in range(0, len(arrivals), BULK_CHUNK):
        chunk_ids = session.scalars(
            insert(Movement).returning(Movement.id),
            [
                {
                    "part_id": a.part_id,
                    "serial_item_id": item_ids.get((a.part_id, a.serial)) if a.serial else None,
                    "qty": a.qty,
                    "from_location_id": supplier.id,
                    "to_location_id": a.location_id,
                    "from_condition": a.condition,
                    "condition": a.condition,
                    "reason": stamp.reason,
                    "reference": stamp.reference,
                    "note": stamp.note,
                    "actor": stamp.actor,
                    "occurred_at": now,
                }
                for a in arrivals[start : start + BULK_CHUNK]
            ],
        ).all()
        movement_ids += chunk_ids
        if progress:
            progress(len(chunk_ids))
    return sorted(movement_ids)


def _serial_item_ids(session: Session, serialized: Sequence[Arrival]) -> dict[tuple[int, str], int]:
    """(part id, serial) -> serial item id, looked up a chunk at a time."""
    by_part: dict[int, list[str]] = {}
    for a in serialized:
        assert a.serial is not None
        by_part.setdefault(a.part_id, []).append(a.serial)
    found: dict[tuple[int, str], int] = {}
    for part_id, serials in by_part.items():
        for start in range(0, len(serials), BULK_CHUNK):
            for item_id, serial in session.execute(
                select(SerialItem.id, SerialItem.serial).where(
                    SerialItem.part_id == part_id,
                    SerialItem.serial.in_(serials[start : start + BULK_CHUNK]),
                )
            ):
                found[(part_id, serial)] = item_id
    return found


def hold_counted(
    session: Session, part: Part, location: Location, condition: str, qty: int
) -> None:
    """Set ``qty`` free units aside (free → reserved) at a location, a compare-and-set like
    ``take_counted``; on hand (and so the ledger) is unchanged."""
    if not shift_counted(session, part.id, location.id, condition, free=-qty, reserved=qty):
        raise _not_enough(part, location, condition, qty, to="hold")
