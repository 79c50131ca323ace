"""Re-derive every on-hand figure from the movement ledger and compare."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inventory.ledger import UNBOUNDED_SOURCES
from models import Location, Movement, SerialItem, StockQuantity


@dataclass(frozen=True)
class Mismatch:
    what: str  # "serial" | "counted"
    key: str
    books: str
    ledger: str


def verify_ledger(session: Session) -> list[Mismatch]:
    """Every serial must sit where (and in the condition) its last movement put it, and
    every counted quantity must equal the sum of its movements in minus out."""
    problems: list[Mismatch] = []
    last = (
        select(Movement.serial_item_id, func.max(Movement.id).label("mid"))
        .where(Movement.serial_item_id.is_not(None))
        .group_by(Movement.serial_item_id)
        .subquery()
    )
    rows = session.execute(
        select(
            SerialItem.id,
            SerialItem.serial,
            SerialItem.location_id,
            SerialItem.condition,
            Movement.to_location_id,
            Movement.condition,
        )
        .outerjoin(last, last.c.serial_item_id == SerialItem.id)
        .outerjoin(Movement, Movement.id == last.c.mid)
    )
    for _id, serial, loc, cond, m_loc, m_cond in rows:
        if m_loc is None:
            problems.append(Mismatch("serial", serial, f"location {loc}", "no movement"))
        elif (loc, cond) != (m_loc, m_cond):
            problems.append(
                Mismatch("serial", serial, f"location {loc} {cond}", f"location {m_loc} {m_cond}")
            )

    # stock appears from suppliers and the adjustment account without being taken from them;
    # losses booked into the adjustment account are on its books, gains are not taken off
    supplier_ids = set(
        session.scalars(select(Location.id).where(Location.kind.in_(UNBOUNDED_SOURCES)))
    )
    derived: dict[tuple[int, int, str], int] = defaultdict(int)
    counted = (
        select(
            Movement.part_id,
            Movement.from_location_id,
            Movement.to_location_id,
            Movement.from_condition,
            Movement.condition,
            func.sum(Movement.qty),
        )
        .where(Movement.serial_item_id.is_(None))
        .group_by(
            Movement.part_id,
            Movement.from_location_id,
            Movement.to_location_id,
            Movement.from_condition,
            Movement.condition,
        )
    )
    for part_id, src, dst, src_cond, dst_cond, qty in session.execute(counted):
        derived[(part_id, dst, dst_cond)] += qty
        if src not in supplier_ids:
            derived[(part_id, src, src_cond)] -= qty
    books = {
        (p, loc, cond): qty + reserved
        for p, loc, cond, qty, reserved in session.execute(
            select(
                StockQuantity.part_id,
                StockQuantity.location_id,
                StockQuantity.condition,
                StockQuantity.qty,
                StockQuantity.reserved,
            )
        )
    }
    for key in sorted(set(derived) | set(books)):
        if derived.get(key, 0) != books.get(key, 0):
            problems.append(
                Mismatch(
                    "counted",
                    f"part {key[0]} at location {key[1]} ({key[2]})",
                    str(books.get(key, 0)),
                    str(derived.get(key, 0)),
                )
            )
    return problems
