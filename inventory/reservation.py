"""Reserving spares for a reference (an RMA, a transfer) without overselling.

The database decides every race: a serial is taken with a compare-and-set
(``UPDATE ... WHERE status = 'in_stock'``), counted stock with
``qty = qty - n WHERE qty >= n`` under ``CHECK (qty >= 0)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from inventory.errors import Conflict, InvalidInput
from inventory.ledger import rows_matched
from inventory.lookups import depot_by_code, part_by_number
from models import Depot, Part, SerialItem, StockQuantity, utcnow
from models.enums import Condition, ItemStatus, Tracking

CANDIDATE_BATCH = 16


@dataclass(frozen=True)
class Reservation:
    reference: str
    depot: str
    part_number: str
    serial: str | None
    qty: int


def reserve_in_session(
    session: Session, depot: Depot, part: Part, reference: str, *, qty: int = 1, serial: str | None = None
) -> Reservation:
    """Reserve inside the caller's transaction (no commit). Raises Conflict when none left."""
    if not reference:
        raise InvalidInput("a reservation needs a reference", field="reference")
    if part.tracking == Tracking.COUNTED.value:
        if qty <= 0:
            raise InvalidInput("quantity must be at least 1", field="qty")
        done = rows_matched(session.execute(
            update(StockQuantity)
            .where(
                StockQuantity.part_id == part.id,
                StockQuantity.location_id == depot.location_id,
                StockQuantity.condition == Condition.GOOD.value,
                StockQuantity.qty >= qty,
            )
            .values(qty=StockQuantity.qty - qty, reserved=StockQuantity.reserved + qty)
            .execution_options(synchronize_session=False)
        ))
        if done != 1:
            raise Conflict(f"not enough {part.part_number} free at {depot.code}", field="qty")
        return Reservation(reference, depot.code, part.part_number, None, qty)

    if qty != 1:
        raise InvalidInput("serialized parts are reserved one at a time", field="qty")
    available = (
        SerialItem.part_id == part.id,
        SerialItem.location_id == depot.location_id,
        SerialItem.status == ItemStatus.IN_STOCK.value,
        SerialItem.condition == Condition.GOOD.value,
    )
    while True:
        pick = select(SerialItem.id, SerialItem.serial).where(*available)
        if serial:
            pick = pick.where(SerialItem.serial == serial)
        candidates = session.execute(pick.order_by(SerialItem.id).limit(CANDIDATE_BATCH)).all()
        if not candidates:
            what = f"serial {serial}" if serial else f"good {part.part_number}"
            raise Conflict(f"no {what} left free at {depot.code}", field="serial" if serial else "part_number")
        for item_id, item_serial in candidates:
            won = rows_matched(session.execute(
                update(SerialItem)
                .where(SerialItem.id == item_id, *available)
                .values(status=ItemStatus.RESERVED.value, reserved_ref=reference, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            ))
            if won == 1:
                return Reservation(reference, depot.code, part.part_number, item_serial, 1)
        # every candidate we saw was taken by someone else meanwhile: look again


def reserve(
    session: Session,
    *,
    depot_code: str,
    part_number: str,
    reference: str,
    qty: int = 1,
    serial: str | None = None,
) -> Reservation:
    """Reserve and commit."""
    try:
        depot = depot_by_code(session, depot_code)
        part = part_by_number(session, part_number)
        result = reserve_in_session(session, depot, part, reference, qty=qty, serial=serial)
        session.commit()
        return result
    except Exception:
        session.rollback()
        raise


def release_in_session(session: Session, reservation: Reservation) -> None:
    """Give a reservation back to free stock (inside the caller's transaction)."""
    depot = depot_by_code(session, reservation.depot)
    part = part_by_number(session, reservation.part_number)
    if reservation.serial:
        done = rows_matched(session.execute(
            update(SerialItem)
            .where(
                SerialItem.part_id == part.id,
                SerialItem.serial == reservation.serial,
                SerialItem.status == ItemStatus.RESERVED.value,
                SerialItem.reserved_ref == reservation.reference,
            )
            .values(status=ItemStatus.IN_STOCK.value, reserved_ref=None, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ))
    else:
        done = rows_matched(session.execute(
            update(StockQuantity)
            .where(
                StockQuantity.part_id == part.id,
                StockQuantity.location_id == depot.location_id,
                StockQuantity.condition == Condition.GOOD.value,
                StockQuantity.reserved >= reservation.qty,
            )
            .values(qty=StockQuantity.qty + reservation.qty, reserved=StockQuantity.reserved - reservation.qty)
            .execution_options(synchronize_session=False)
        ))
    if done != 1:
        raise Conflict(f"reservation {reservation.reference} is not held any more", field="reference")
