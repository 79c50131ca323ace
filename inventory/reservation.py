"""Reserving spares for a reference (an RMA, a transfer) without overselling.

The database decides every race: a serial is taken with a compare-and-set
(``UPDATE ... WHERE status = 'in_stock'``), counted stock with
``qty = qty - n WHERE qty >= n`` under ``CHECK (qty >= 0)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from inventory.depot_access import check_acts_at
from inventory.errors import Conflict, InvalidInput
from inventory.events import record_stock_event
from inventory.ledger import FREE_GOOD_UNIT, rows_matched, shift_counted
from inventory.lookups import depot_by_code, part_by_number
from inventory.serials import normalize_serial
from inventory.transaction import transaction
from models import Depot, Part, SerialItem, utcnow
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
    session: Session,
    depot: Depot,
    part: Part,
    reference: str,
    *,
    qty: int = 1,
    serial: str | None = None,
    actor: str = "system",
) -> Reservation:
    """Reserve inside the caller's transaction (no commit) and record it as an event of the
    serial item (or of the counted part). Raises Conflict when none left."""
    if not reference:
        raise InvalidInput(
            "a reservation needs a reference", field="reference", key="reservation_needs_reference"
        )
    if part.tracking == Tracking.COUNTED.value:
        if qty <= 0:
            raise InvalidInput("quantity must be at least 1", field="qty", key="qty_positive")
        good = Condition.GOOD.value
        if not shift_counted(session, part.id, depot.location_id, good, free=-qty, reserved=qty):
            raise Conflict(
                f"not enough {part.part_number} free at {depot.code}",
                field="qty",
                key="not_enough_free",
                params={"part": part.part_number, "depot": depot.code},
            )
        held = Reservation(reference, depot.code, part.part_number, None, qty)
        _event(session, held, "reserved", actor, part, None)
        return held

    if qty != 1:
        raise InvalidInput(
            "serialized parts are reserved one at a time",
            field="qty",
            key="serialized_one_at_a_time",
        )
    available = (
        SerialItem.part_id == part.id,
        SerialItem.location_id == depot.location_id,
        *FREE_GOOD_UNIT,
    )
    while True:
        pick = select(SerialItem.id, SerialItem.serial).where(*available)
        if serial:
            pick = pick.where(SerialItem.serial == normalize_serial(serial))
        candidates = session.execute(pick.order_by(SerialItem.id).limit(CANDIDATE_BATCH)).all()
        if not candidates:
            what = f"serial {serial}" if serial else f"good {part.part_number}"
            raise Conflict(
                f"no {what} left free at {depot.code}",
                field="serial" if serial else "part_number",
                key=("serial_not_free" if serial else "not_enough_free"),
                params={"serial": serial, "part": part.part_number, "depot": depot.code},
            )
        for item_id, item_serial in candidates:
            won = rows_matched(
                session.execute(
                    update(SerialItem)
                    .where(SerialItem.id == item_id, *available)
                    .values(
                        status=ItemStatus.RESERVED.value,
                        reserved_ref=reference,
                        updated_at=utcnow(),
                    )
                    .execution_options(synchronize_session=False)
                )
            )
            if won == 1:
                held = Reservation(reference, depot.code, part.part_number, item_serial, 1)
                _event(session, held, "reserved", actor, part, item_id)
                return held
        # every candidate we saw was taken by someone else meanwhile: look again


def reserve(
    session: Session,
    *,
    depot_code: str,
    part_number: str,
    reference: str,
    qty: int = 1,
    serial: str | None = None,
    actor: str = "system",
) -> Reservation:
    """Reserve and commit."""
    with transaction(session):
        depot = depot_by_code(session, depot_code)
        check_acts_at(session, depot)
        part = part_by_number(session, part_number)
        result = reserve_in_session(
            session, depot, part, reference, qty=qty, serial=serial, actor=actor
        )
        return result


def release_in_session(
    session: Session, reservation: Reservation, *, actor: str = "system"
) -> None:
    """Give a reservation back to free stock (inside the caller's transaction), as an event."""
    depot = depot_by_code(session, reservation.depot)
    part = part_by_number(session, reservation.part_number)
    item_id = None
    if reservation.serial:
        item_id = session.scalar(
            select(SerialItem.id).where(
                SerialItem.part_id == part.id, SerialItem.serial == reservation.serial
            )
        )
        result = session.execute(
            update(SerialItem)
            .where(
                SerialItem.id == item_id,
                SerialItem.status == ItemStatus.RESERVED.value,
                SerialItem.reserved_ref == reservation.reference,
            )
            .values(status=ItemStatus.IN_STOCK.value, reserved_ref=None, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        done = rows_matched(result) == 1
    else:
        back, good = reservation.qty, Condition.GOOD.value
        done = shift_counted(session, part.id, depot.location_id, good, free=back, reserved=-back)
    if not done:
        raise Conflict(
            f"reservation {reservation.reference} is not held any more",
            field="reference",
            key="reservation_released",
            params={"ref": reservation.reference},
        )
    _event(session, reservation, "released", actor, part, item_id)


def _event(
    session: Session, held: Reservation, kind: str, actor: str, part: Part, item_id: int | None
) -> None:
    """A serial's reservation is an event of the serial item; a counted one of the part."""
    data = {
        "reference": held.reference,
        "depot": held.depot,
        "part_number": held.part_number,
        "qty": held.qty,
    }
    states = (ItemStatus.IN_STOCK.value, ItemStatus.RESERVED.value)
    if kind == "released":
        states = states[::-1]
    record_stock_event(
        session,
        part,
        kind,
        actor=actor,
        item=(item_id, held.serial) if item_id is not None and held.serial else None,
        from_state=states[0],
        to_state=states[1],
        data=data,
    )
