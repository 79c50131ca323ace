"""Read-side questions warehouse staff and dispatchers ask of the stock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from inventory.errors import NotFound
from inventory.ledger import FREE_GOOD_UNIT
from inventory.lookups import no_serial, serial_of_several_parts
from inventory.paging import count_and_cut
from inventory.serials import normalize_serial
from inventory.supersession import serving_part_ids
from inventory.views import view_of
from logistics.dispatch import great_circle_km
from models import Depot, Location, Movement, Part, SerialItem, StockPolicy, StockQuantity
from models.enums import Condition, ItemStatus


@dataclass(frozen=True)
class DepotAvailability:
    depot: str
    name: str
    city: str
    lat: float
    lon: float
    available: int  # free to reserve, in the asked condition
    reserved: int
    distance_km: float | None
    parts: dict[str, int] = field(default_factory=dict)  # part number → free units counted


def availability(
    session: Session,
    part_number: str,
    *,
    condition: str = Condition.GOOD.value,
    near: tuple[float, float] | None = None,
    include_empty: bool = False,
) -> list[DepotAvailability]:
    """Where a part is on the shelf. Sorted by great-circle distance from ``near`` when
    given (closest first), otherwise by most available."""
    part = session.execute(
        select(Part.id, Part.tracking).where(Part.part_number == part_number)
    ).first()
    if part is None:
        raise NotFound.unknown("part", part_number, field="part_number")
    # interchangeable stock is one: every part number that can serve this one's demand
    ids = serving_part_ids(session, part.id)
    numbers: dict[int, str] = {
        pid: pn
        for pid, pn in session.execute(select(Part.id, Part.part_number).where(Part.id.in_(ids)))
    }
    # Simple statements on purpose: counts per location (an index-only scan), then the
    # depots by location — cheaper to plan than one statement joining the two.
    free = func.count().filter(SerialItem.status == ItemStatus.IN_STOCK.value)
    held = func.count().filter(SerialItem.status == ItemStatus.RESERVED.value)
    serial_stmt = (
        select(SerialItem.location_id, SerialItem.part_id, free, held)
        .where(
            SerialItem.part_id.in_(ids),
            SerialItem.condition == condition,
            SerialItem.status.in_([ItemStatus.IN_STOCK.value, ItemStatus.RESERVED.value]),
        )
        .group_by(SerialItem.location_id, SerialItem.part_id)
    )
    counted_stmt = select(
        StockQuantity.location_id, StockQuantity.part_id, StockQuantity.qty, StockQuantity.reserved
    ).where(StockQuantity.part_id.in_(ids), StockQuantity.condition == condition)
    counts: dict[int, tuple[int, int]] = {}
    by_part: dict[int, dict[str, int]] = {}
    for stmt in (serial_stmt, counted_stmt):
        for loc, pid, f, h in session.execute(stmt):
            f0, h0 = counts.get(loc, (0, 0))
            counts[loc] = (f0 + int(f or 0), h0 + int(h or 0))
            if f:
                by_part.setdefault(loc, {})[numbers[pid]] = int(f)
    if not include_empty:
        counts = {loc: c for loc, c in counts.items() if c[0] > 0}
    if not counts and not include_empty:
        return []
    depots = session.execute(
        select(Depot.location_id, Depot.code, Depot.name, Depot.city, Depot.lat, Depot.lon).where(
            Depot.active
        )
    )
    rows = [r for r in depots if include_empty or r.location_id in counts]
    if not rows:
        return []
    dist: list[float | None] = [None] * len(rows)
    if near is not None:
        depots_xy = np.array([(r.lat, r.lon) for r in rows], dtype=float)
        dist = [
            round(float(d), 1) for d in great_circle_km(np.array([near], dtype=float), depots_xy)[0]
        ]
    result = [
        DepotAvailability(
            r.code,
            r.name,
            r.city,
            r.lat,
            r.lon,
            *counts.get(r.location_id, (0, 0)),
            d,
            by_part.get(r.location_id, {}),
        )
        for r, d in zip(rows, dist, strict=True)
    ]
    if near is not None:
        result.sort(key=lambda a: (a.distance_km, a.depot))
    else:
        result.sort(key=lambda a: (-a.available, a.depot))
    return result


@dataclass(frozen=True)
class BelowReorder:
    depot: str
    part_number: str
    description: str
    on_hand: int
    reorder_point: int
    target_level: int
    suggested_qty: int


def below_reorder_point(session: Session, depot_code: str | None = None) -> list[BelowReorder]:
    """Parts whose good free stock at a depot is at or below its reorder point (policies
    with a target: a base stock of 1 reorders at 0, one for one)."""
    serial_counts = (
        select(SerialItem.part_id, SerialItem.location_id, func.count().label("n"))
        .where(*FREE_GOOD_UNIT)
        .group_by(SerialItem.part_id, SerialItem.location_id)
        .subquery()
    )
    qty_counts = (
        select(StockQuantity.part_id, StockQuantity.location_id, StockQuantity.qty.label("n"))
        .where(StockQuantity.condition == Condition.GOOD.value)
        .subquery()
    )
    on_hand = func.coalesce(serial_counts.c.n, 0) + func.coalesce(qty_counts.c.n, 0)
    stmt = (
        select(
            Depot.code,
            Part.part_number,
            Part.description,
            on_hand.label("on_hand"),
            StockPolicy.reorder_point,
            StockPolicy.target_level,
        )
        .join(Depot, Depot.id == StockPolicy.depot_id)
        .join(Part, Part.id == StockPolicy.part_id)
        .outerjoin(
            serial_counts,
            and_(
                serial_counts.c.part_id == Part.id, serial_counts.c.location_id == Depot.location_id
            ),
        )
        .outerjoin(
            qty_counts,
            and_(qty_counts.c.part_id == Part.id, qty_counts.c.location_id == Depot.location_id),
        )
        .where(on_hand <= StockPolicy.reorder_point, StockPolicy.target_level > 0)
        .order_by(Depot.code, Part.part_number)
    )
    if depot_code:
        stmt = stmt.where(Depot.code == depot_code)
    return [
        BelowReorder(
            r.code,
            r.part_number,
            r.description,
            int(r.on_hand),
            r.reorder_point,
            r.target_level,
            max(r.target_level - int(r.on_hand), 0),
        )
        for r in session.execute(stmt)
    ]


@dataclass(frozen=True)
class MovementView:
    id: int
    occurred_at: datetime
    part_number: str
    serial: str | None
    qty: int
    from_location: str
    to_location: str
    from_condition: str | None
    condition: str
    reason: str
    reference: str | None
    note: str | None
    actor: str


def _movement_select() -> tuple[Select, type[Location], type[Location]]:
    """The movement listing query and its two location aliases (source, destination)."""
    src, dst = aliased(Location), aliased(Location)
    return (
        (
            select(
                Movement.id,
                Movement.occurred_at,
                Part.part_number,
                SerialItem.serial,
                Movement.qty,
                src.code.label("src"),
                dst.code.label("dst"),
                Movement.from_condition,
                Movement.condition,
                Movement.reason,
                Movement.reference,
                Movement.note,
                Movement.actor,
            )
            .join(Part, Part.id == Movement.part_id)
            .outerjoin(SerialItem, SerialItem.id == Movement.serial_item_id)
            .join(src, src.id == Movement.from_location_id)
            .join(dst, dst.id == Movement.to_location_id)
        ),
        src,
        dst,
    )


def _to_view(r) -> MovementView:
    return view_of(MovementView, r, from_location=r.src, to_location=r.dst)


def list_movements(
    session: Session,
    *,
    depot_code: str | None = None,
    part_number: str | None = None,
    reason: str | None = None,
    reference: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[MovementView], int]:
    """Movements newest first, filtered; returns (page of rows, total count)."""
    stmt, src, dst = _movement_select()
    if depot_code:
        stmt = stmt.where(or_(src.code == depot_code, dst.code == depot_code))
    if part_number:
        stmt = stmt.where(Part.part_number == part_number)
    if reason:
        stmt = stmt.where(Movement.reason == reason)
    if reference:
        stmt = stmt.where(Movement.reference == reference)
    if since:
        stmt = stmt.where(Movement.occurred_at >= since)
    if until:
        stmt = stmt.where(Movement.occurred_at < until)
    total, window = count_and_cut(session, stmt.order_by(Movement.id.desc()), page, page_size)
    return [_to_view(r) for r in session.execute(window)], total


@dataclass(frozen=True)
class SerialHistory:
    part_number: str
    description: str
    serial: str
    status: str
    condition: str
    location: str
    location_kind: str
    reserved_ref: str | None
    movements: list[MovementView]


def serial_history(session: Session, serial: str, part_number: str | None = None) -> SerialHistory:
    """The item's state now and every movement it ever made, oldest first: one query on
    indexed columns and one for the location codes (few joins: at this size PostgreSQL's
    planning time matters as much as execution)."""
    serial = normalize_serial(serial)
    stmt = (
        select(
            SerialItem.id.label("item_id"),
            SerialItem.status,
            SerialItem.condition.label("item_condition"),
            SerialItem.reserved_ref,
            SerialItem.location_id,
            Part.part_number,
            Part.description,
            Movement.id,
            Movement.occurred_at,
            Movement.qty,
            Movement.from_location_id,
            Movement.to_location_id,
            Movement.from_condition,
            Movement.condition,
            Movement.reason,
            Movement.reference,
            Movement.note,
            Movement.actor,
        )
        .join(Part, Part.id == SerialItem.part_id)
        .outerjoin(Movement, Movement.serial_item_id == SerialItem.id)
        .where(SerialItem.serial == serial)
        .order_by(SerialItem.id, Movement.id)
    )
    if part_number:
        stmt = stmt.where(Part.part_number == part_number)
    rows = session.execute(stmt).all()
    if not rows:
        raise no_serial(serial)
    if len({r.item_id for r in rows}) > 1:
        raise serial_of_several_parts(serial)
    first = rows[0]
    ids = (
        {first.location_id} | {r.from_location_id for r in rows} | {r.to_location_id for r in rows}
    )
    places = {
        i: (c, k)
        for i, c, k in session.execute(
            select(Location.id, Location.code, Location.kind).where(Location.id.in_(ids - {None}))
        )
    }
    history = [
        MovementView(
            r.id,
            r.occurred_at,
            r.part_number,
            serial,
            r.qty,
            places[r.from_location_id][0],
            places[r.to_location_id][0],
            r.from_condition,
            r.condition,
            r.reason,
            r.reference,
            r.note,
            r.actor,
        )
        for r in rows
        if r.id is not None
    ]
    here, here_kind = places[first.location_id]
    return SerialHistory(
        first.part_number,
        first.description,
        serial,
        first.status,
        first.item_condition,
        here,
        here_kind,
        first.reserved_ref,
        history,
    )
