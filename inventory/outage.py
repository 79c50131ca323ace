"""Outage allocation from the database: open tickets competing for scarce spares.

Reads every open ticket that needs a part and is not dispatched yet, and the good free
stock of those parts per depot; hands them to ``logistics.allocation`` (min-cost flow, and
the greedy first-come nearest-depot rule for comparison). The result is a proposal: a
dispatcher confirms each assignment through dispatch, which reserves the unit.
A ticket's part deadline is its replacement-unit clock (DESIGN.md §2: 6 h).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from inventory.errors import NotFound
from inventory.ledger import FREE_GOOD_UNIT
from inventory.tickets import WAITING_FOR_DISPATCH
from logistics.allocation import (
    AllocationResult,
    AllocationSettings,
    Demand,
    DepotSupply,
    allocate,
    greedy_allocate,
)
from models import Depot, Part, SerialItem, StockQuantity, Ticket, utcnow
from models.enums import Condition


@dataclass(frozen=True)
class OutagePlan:
    optimal: AllocationResult
    greedy: AllocationResult
    tickets: dict[int, str]  # ticket id -> number
    depots: dict[int | str, str]  # depot id (the solver's DepotSupply.depot_id) -> code


def _open_demands(
    session: Session, numbers: list[str] | None
) -> tuple[list[Demand], dict[int, str]]:
    # the inner join on the part keeps only tickets that name one
    stmt = (
        select(Ticket, Part)
        .join(Part, Part.id == Ticket.part_id)
        .options(joinedload(Ticket.site))
        .where(Ticket.status.in_(WAITING_FOR_DISPATCH))
        .order_by(Ticket.opened_at)
    )
    if numbers:
        stmt = stmt.where(Ticket.number.in_(numbers))
    rows = session.execute(stmt).tuples().all()
    if numbers:
        missing = sorted(set(numbers) - {t.number for t, _ in rows})
        if missing:
            raise NotFound(
                f"not an open ticket waiting for a part: {', '.join(missing)}",
                field="tickets",
                key="not_waiting_for_part",
                params={"refs": ", ".join(missing)},
            )
    demands = [
        Demand(
            id=t.id,
            lat=t.site.lat,
            lon=t.site.lon,
            part=part.part_number,
            severity=t.severity,
            deadline_utc=t.replacement_due,
            opened_at_utc=t.opened_at,
            category=part.category,
            onsite_deadline_utc=t.onsite_due,
        )
        for t, part in rows
    ]
    return demands, {t.id: t.number for t, _ in rows}


def _supply(session: Session, part_numbers: set[str]) -> list[DepotSupply]:
    if not part_numbers:
        return []
    serial = (
        select(SerialItem.location_id, Part.part_number, func.count())
        .join(Part, Part.id == SerialItem.part_id)
        .where(
            Part.part_number.in_(part_numbers),
            *FREE_GOOD_UNIT,
        )
        .group_by(SerialItem.location_id, Part.part_number)
    )
    counted = (
        select(StockQuantity.location_id, Part.part_number, StockQuantity.qty)
        .join(Part, Part.id == StockQuantity.part_id)
        .where(
            Part.part_number.in_(part_numbers),
            StockQuantity.condition == Condition.GOOD.value,
            StockQuantity.qty > 0,
        )
    )
    stock: dict[int, dict[str, int]] = {}
    for loc, pn, n in list(session.execute(serial)) + list(session.execute(counted)):
        stock.setdefault(loc, {})[pn] = stock.get(loc, {}).get(pn, 0) + int(n)
    depots = session.scalars(select(Depot).where(Depot.active, Depot.location_id.in_(stock)))
    return [
        DepotSupply(depot_id=d.id, code=d.code, lat=d.lat, lon=d.lon, stock=stock[d.location_id])
        for d in depots
    ]


def plan_outage(
    session: Session, travel, *, tickets: list[str] | None = None, now: datetime | None = None
) -> OutagePlan:
    """Allocate depots to the waiting tickets; both methods on the same data."""
    demands, numbers = _open_demands(session, tickets)
    supply = _supply(session, {d.part for d in demands})
    settings = AllocationSettings(now_utc=now or utcnow())
    return OutagePlan(
        optimal=allocate(demands, supply, travel, settings),
        greedy=greedy_allocate(demands, supply, travel, settings),
        tickets=numbers,
        depots={s.depot_id: s.code for s in supply},
    )
