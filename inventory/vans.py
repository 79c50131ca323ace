"""Engineers' van stock (车载备件): each engineer's van is a ledger location of kind ``van``.

The van's stock moves with the same primitives as a depot's (``inventory.ledger``):
replenished by transfers from a depot that the engineer receives by scanning
(``inventory.transfers``, "received where it arrives": the van's engineer is its staff),
counted like a small cycle count (``inventory.counts.count_at``), used on jobs
(``inventory.job_parts``). A stocking list says how many of each part a van should carry:
set by hand, or proposed from the demand of the engineer's area:

    proposal(part) = the smallest s with P(N <= s) >= fill target, N ~ Poisson(m),
    m = (installed units of the part within ``radius_km`` of the engineer's base)
        x (the part's failure rate per unit-year, from the service-parts plan's estimate)
        x (replenishment interval in days / 365.25)

A part with no installed unit in the area is not proposed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from inventory.counts import CountResult, count_at
from inventory.errors import InvalidInput
from inventory.events import record_on
from inventory.ledger import FREE_GOOD_UNIT
from inventory.lookups import depot_by_code, engineer_by_code, part_by_number
from inventory.planning_data import failure_rates
from inventory.supersession import free_good_units, serving_part_ids
from inventory.transaction import transaction
from inventory.transfers import LineRequest, TransferResult, ship_transfer
from logistics.dispatch import great_circle_km
from logistics.planning.poisson import survival
from models import (
    Depot,
    Engineer,
    Equipment,
    Location,
    Part,
    SerialItem,
    Site,
    StockQuantity,
    Ticket,
    Transfer,
    TransferLine,
    VanStockLevel,
    utcnow,
)
from models.enums import (
    Condition,
    ItemStatus,
    LocationKind,
    TicketStatus,
    Tracking,
    TransferStatus,
)

DEFAULT_RADIUS_KM = 100.0
DEFAULT_INTERVAL_DAYS = 14
DEFAULT_FILL_TARGET = 0.90
MAX_PROPOSED_LEVEL = 50


TOOL_LIMIT = 40  # characters of a tool's name (like a skill)
MAX_TOOLS = 50


def _tool_set(tools: list[str]) -> list[str]:
    """A list of tool names as a sorted set, each name checked."""
    cleaned = sorted({t.strip() for t in tools if t and t.strip()})
    for i, tool in enumerate(cleaned):
        if len(tool) > TOOL_LIMIT:
            raise InvalidInput(
                f"a tool's name has at most {TOOL_LIMIT} characters",
                field=f"tools.{i}",
                key="tool_name_too_long",
                params={"n": TOOL_LIMIT},
            )
    if len(cleaned) > MAX_TOOLS:
        raise InvalidInput(
            f"at most {MAX_TOOLS} tools",
            field="tools",
            key="too_many_tools",
            params={"n": MAX_TOOLS},
        )
    return cleaned


def set_tools(session: Session, engineer_code: str, tools: list[str], *, actor: str) -> list[str]:
    """The tools an engineer carries (a set; the day routes send an engineer lacking a
    job's tool through a depot first). Audited; commits. Returns the sorted set."""
    cleaned = _tool_set(tools)
    with transaction(session):
        engineer = engineer_by_code(session, engineer_code)
        _store_tools(session, "engineer", engineer, engineer.code, cleaned, actor)
        return cleaned


def set_part_tools(
    session: Session, part_number: str, tools: list[str], *, actor: str
) -> list[str]:
    """The tools a job replacing this part needs (a set; the routes page asks them of
    each ticket's part, ``inventory.route_planning.ticket_stop``). Audited; commits."""
    cleaned = _tool_set(tools)
    with transaction(session):
        part = part_by_number(session, part_number, field="part_number")
        _store_tools(session, "part", part, part.part_number, cleaned, actor)
        return cleaned


def _store_tools(
    session: Session,
    subject_type: str,
    row: Engineer | Part,
    ref: str,
    tools: list[str],
    actor: str,
) -> None:
    """``tools`` (a cleaned set) become the row's, audited as ``tools_set`` when they change it."""
    before = sorted(row.tools or [])
    if before != tools:
        row.tools = tools
        record_on(
            session,
            subject_type,
            row,
            "tools_set",
            actor=actor,
            ref=ref,
            data={"before": before, "after": tools},
        )


def van_location(session: Session, engineer: Engineer) -> Location:
    """The engineer's van location, created on first use (race-free: the code is unique
    and the engineer's link is set only while empty). No commit."""
    if engineer.van_location_id is not None:
        return session.get_one(Location, engineer.van_location_id)
    code = van_code(engineer)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(Location)
        .values(code=code, name=f"{engineer.name} 车载", kind=LocationKind.VAN.value)
        .on_conflict_do_nothing()
    )
    location = session.scalars(select(Location).where(Location.code == code)).one()
    engineer.van_location_id = location.id
    session.flush()
    return location


def van_of(session: Session, engineer_code: str) -> tuple[Engineer, Location]:
    engineer = engineer_by_code(session, engineer_code)
    return engineer, van_location(session, engineer)


# --- what a van holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class VanLine:
    part_number: str
    description: str
    description_zh: str | None
    tracking: str
    level: int  # the stocking list's level (0: not on the list)
    level_source: str | None  # manual | proposed
    good: int  # free good units in the van
    faulty: int  # faulty units the engineer carries back
    held: int  # units held for a return (removed on a job, owed back)
    incoming: int  # shipped to the van, not yet received
    serials: tuple[str, ...]  # good serials in the van

    @property
    def short(self) -> int:
        """Units the van lacks to reach its level, counting what is already on its way."""
        return max(self.level - self.good - self.incoming, 0)


@dataclass(frozen=True)
class VanView:
    engineer_code: str
    engineer_name: str
    location_code: str
    base_depot: str | None
    lines: list[VanLine]
    open_transfers: list[str]  # transfers to the van still to be received


@dataclass
class _Holding:
    good: int = 0
    faulty: int = 0
    held: int = 0
    serials: list[str] = field(default_factory=list)


def _holdings(session: Session, location_id: int) -> dict[int, _Holding]:
    """part id -> good/faulty/held counts and good serials at a location."""
    out: dict[int, _Holding] = {}
    for part_id, serial, status, condition in session.execute(
        select(SerialItem.part_id, SerialItem.serial, SerialItem.status, SerialItem.condition)
        .where(
            SerialItem.location_id == location_id,
            SerialItem.status.in_((ItemStatus.IN_STOCK.value, ItemStatus.RESERVED.value)),
        )
        .order_by(SerialItem.serial)
    ):
        h = out.setdefault(part_id, _Holding())
        if status == ItemStatus.RESERVED.value:
            h.held += 1
        elif condition == Condition.GOOD.value:
            h.good += 1
            h.serials.append(serial)
        else:
            h.faulty += 1
    for part_id, condition, qty, reserved in session.execute(
        select(
            StockQuantity.part_id,
            StockQuantity.condition,
            StockQuantity.qty,
            StockQuantity.reserved,
        ).where(StockQuantity.location_id == location_id)
    ):
        h = out.setdefault(part_id, _Holding())
        if condition == Condition.GOOD.value:
            h.good += qty
        else:
            h.faulty += qty
        h.held += reserved
    return out


def _incoming(session: Session, location_id: int) -> dict[int, int]:
    rows = session.execute(
        select(TransferLine.part_id, func.sum(TransferLine.qty_shipped))
        .join(Transfer, Transfer.id == TransferLine.transfer_id)
        .where(
            Transfer.to_location_id == location_id,
            Transfer.status == TransferStatus.SHIPPED.value,
            TransferLine.condition == Condition.GOOD.value,
        )
        .group_by(TransferLine.part_id)
    )
    return {part_id: int(n) for part_id, n in rows}


def van_code(engineer: Engineer) -> str:
    return f"VAN-{engineer.code}"[:32]


def van_view(session: Session, engineer: Engineer) -> VanView:
    """What the van holds, should hold and has on its way (reads only: a van that never
    held anything has no location yet and shows empty)."""
    location_id = engineer.van_location_id or -1
    holdings = _holdings(session, location_id)
    incoming = _incoming(session, location_id)
    levels = {
        lvl.part_id: lvl
        for lvl in session.scalars(
            select(VanStockLevel).where(VanStockLevel.engineer_id == engineer.id)
        )
    }
    part_ids = set(holdings) | set(levels) | set(incoming)
    parts = {p.id: p for p in session.scalars(select(Part).where(Part.id.in_(part_ids)))}
    lines = []
    for part_id in sorted(part_ids, key=lambda i: parts[i].part_number):
        part, held = parts[part_id], holdings.get(part_id, _Holding())
        level = levels.get(part_id)
        lines.append(
            VanLine(
                part_number=part.part_number,
                description=part.description,
                description_zh=part.description_zh,
                tracking=part.tracking,
                level=level.level if level else 0,
                level_source=level.source if level else None,
                good=held.good,
                faulty=held.faulty,
                held=held.held,
                incoming=incoming.get(part_id, 0),
                serials=tuple(held.serials),
            )
        )
    transfers = list(
        session.scalars(
            select(Transfer.number)
            .where(
                Transfer.to_location_id == location_id,
                Transfer.status == TransferStatus.SHIPPED.value,
            )
            .order_by(Transfer.id)
        )
    )
    base = session.get(Depot, engineer.base_depot_id) if engineer.base_depot_id else None
    return VanView(
        engineer.code, engineer.name, van_code(engineer), base.code if base else None, lines,
        transfers,
    )  # fmt: skip


def all_vans(session: Session) -> list[VanView]:
    """Every active engineer's van, by engineer code (the dispatcher's overview)."""
    engineers = session.scalars(select(Engineer).where(Engineer.active).order_by(Engineer.code))
    return [van_view(session, e) for e in engineers]


def van_free_by_part(session: Session, part: Part) -> dict[int, dict[int, int]]:
    """engineer id -> {part id: free good units in their van} of ``part`` and the part
    numbers that can serve its demand (``inventory.supersession``), the part first."""
    location_engineer = select(Engineer.id, Engineer.van_location_id).where(
        Engineer.van_location_id.is_not(None), Engineer.active
    )
    by_location = {loc: eid for eid, loc in session.execute(location_engineer)}
    if not by_location:
        return {}
    ids = serving_part_ids(session, part.id)
    out: dict[int, dict[int, int]] = {}
    for (loc, pid), n in sorted(free_good_units(session, ids, list(by_location)).items()):
        out.setdefault(by_location[loc], {})[pid] = n
    return {
        eid: dict(sorted(held.items(), key=lambda kv: ids.index(kv[0])))
        for eid, held in out.items()
    }


def van_free_units(session: Session, part: Part) -> dict[int, int]:
    """engineer id -> free good units of ``part`` (or of a part number serving its demand)
    in their van, less the units already promised to their open jobs dispatched from the
    van (the dispatch ranking's input)."""
    free = {eid: sum(held.values()) for eid, held in van_free_by_part(session, part).items()}
    if not free:
        return {}
    promised = session.execute(
        select(Ticket.engineer_id, func.count())
        .where(
            Ticket.part_id.in_(serving_part_ids(session, part.id)),
            Ticket.dispatch_mode == "van",
            Ticket.status == TicketStatus.DISPATCHED.value,
            Ticket.engineer_id.in_(free),
        )
        .group_by(Ticket.engineer_id)
    )
    for eid, n in promised:
        free[eid] -= int(n)
    return {eid: n for eid, n in free.items() if n > 0}


# --- the stocking list ----------------------------------------------------------------------


def set_level(
    session: Session,
    *,
    engineer_code: str,
    part_number: str,
    level: int,
    actor: str,
    source: str = "manual",
) -> VanView:
    """Set how many good units of a part the van should carry (0 takes it off the list);
    commits."""
    if level < 0:
        raise InvalidInput("the level cannot be negative", field="level", key="level_negative")
    with transaction(session):
        engineer = engineer_by_code(session, engineer_code)
        part = part_by_number(session, part_number)
        _upsert_level(session, engineer, part, level, actor, source)
        return van_view(session, engineer)


def _upsert_level(
    session: Session, engineer: Engineer, part: Part, level: int, actor: str, source: str
) -> None:
    row = session.scalar(
        select(VanStockLevel).where(
            VanStockLevel.engineer_id == engineer.id, VanStockLevel.part_id == part.id
        )
    )
    before = row.level if row else 0
    if level == 0:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(
            VanStockLevel(
                engineer_id=engineer.id,
                part_id=part.id,
                level=level,
                source=source,
                set_by=actor,
                set_at=utcnow(),
            )
        )
    else:
        row.level, row.source, row.set_by, row.set_at = level, source, actor, utcnow()
    session.flush()
    record_on(
        session,
        "engineer",
        engineer,
        "van_level_set",
        actor=actor,
        ref=engineer.code,
        from_state=str(before),
        to_state=str(level),
        data={"part_number": part.part_number, "source": source},
    )


@dataclass(frozen=True)
class LevelProposal:
    part_number: str
    installed_units: int  # within the radius of the engineer's base
    rate_per_year: float  # failures per installed unit per year
    expected_demand: float  # failures expected over the replenishment interval
    level: int
    current: int


def propose_levels(
    session: Session,
    engineer_code: str,
    *,
    now: datetime | None = None,
    radius_km: float = DEFAULT_RADIUS_KM,
    interval_days: float = DEFAULT_INTERVAL_DAYS,
    fill_target: float = DEFAULT_FILL_TARGET,
) -> list[LevelProposal]:
    """The stocking list the demand of the engineer's area suggests (module docstring)."""
    if not 0 < fill_target < 1:
        raise InvalidInput(
            "the fill target is a fraction between 0 and 1",
            field="fill_target",
            key="fill_target_fraction",
        )
    if radius_km <= 0 or interval_days <= 0:
        raise InvalidInput(
            "radius and interval must be positive",
            field="radius_km",
            key="radius_interval_positive",
        )
    now = now or utcnow()
    engineer = engineer_by_code(session, engineer_code)
    units = list(
        session.execute(
            select(Equipment.part_id, Site.lat, Site.lon)
            .join(Site, Site.id == Equipment.site_id)
            .join(Part, Part.id == Equipment.part_id)
            .where(Equipment.active, Part.active)
        )
    )
    if not units:
        return []
    points = np.array([[lat, lon] for _, lat, lon in units], dtype=float)
    km = great_circle_km(np.array([[engineer.home_lat, engineer.home_lon]]), points)[0]
    near: dict[int, int] = {}
    for (part_id, _, _), d in zip(units, km, strict=True):
        if d <= radius_km:
            near[part_id] = near.get(part_id, 0) + 1
    if not near:
        return []
    parts = list(session.scalars(select(Part).where(Part.active).order_by(Part.part_number)))
    rates = failure_rates(session, parts, now=now)
    current = {
        lvl.part_id: lvl.level
        for lvl in session.scalars(
            select(VanStockLevel).where(VanStockLevel.engineer_id == engineer.id)
        )
    }
    out = []
    for part in parts:
        if part.id not in near:
            continue
        rate = rates[part.part_number].rate
        mean = near[part.id] * rate * interval_days / 365.25
        level = 0
        while level < MAX_PROPOSED_LEVEL and 1.0 - survival(level, mean) < fill_target:
            level += 1
        out.append(
            LevelProposal(
                part.part_number, near[part.id], rate, mean, level, current.get(part.id, 0)
            )
        )
    return out


def accept_proposals(
    session: Session, engineer_code: str, *, actor: str, now: datetime | None = None, **rule
) -> VanView:
    """Set the van's stocking list to the proposal (parts proposed at 0 are left as they
    are: a level set by hand is never lowered to nothing by the rule); commits."""
    proposals = propose_levels(session, engineer_code, now=now, **rule)
    with transaction(session):
        engineer = engineer_by_code(session, engineer_code)
        for p in proposals:
            if p.level > 0:
                _upsert_level(
                    session, engineer, part_by_number(session, p.part_number), p.level, actor,
                    "proposed",
                )  # fmt: skip
        return van_view(session, engineer)


# --- replenishment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PickLine:
    engineer_code: str
    engineer_name: str
    part_number: str
    short: int  # what the van lacks
    available: int  # free good units at the depot
    pick: int  # what the depot can send now
    serials: tuple[str, ...]  # the serials to pick (serialized parts), oldest first


def pick_list(session: Session, depot_code: str) -> list[PickLine]:
    """What each van based at ``depot_code`` is short of, and what the depot can send."""
    depot = depot_by_code(session, depot_code)
    engineers = session.scalars(
        select(Engineer)
        .where(Engineer.active, Engineer.base_depot_id == depot.id)
        .order_by(Engineer.code)
    )
    out: list[PickLine] = []
    for engineer in engineers:
        view = van_view(session, engineer)
        for line in view.lines:
            if line.short <= 0:
                continue
            part = part_by_number(session, line.part_number)
            serials: tuple[str, ...] = ()
            if part.tracking == Tracking.SERIALIZED.value:
                shelf = list(
                    session.scalars(
                        select(SerialItem.serial)
                        .where(
                            SerialItem.part_id == part.id,
                            SerialItem.location_id == depot.location_id,
                            *FREE_GOOD_UNIT,
                        )
                        .order_by(SerialItem.updated_at, SerialItem.id)
                    )
                )
                available = len(shelf)
                # each engineer's picks come after those listed for the engineers before
                taken = {s for p in out if p.part_number == part.part_number for s in p.serials}
                serials = tuple(s for s in shelf if s not in taken)[: line.short]
                pick = len(serials)
            else:
                available = int(
                    session.scalar(
                        select(StockQuantity.qty).where(
                            StockQuantity.part_id == part.id,
                            StockQuantity.location_id == depot.location_id,
                            StockQuantity.condition == Condition.GOOD.value,
                        )
                    )
                    or 0
                )
                before = sum(p.pick for p in out if p.part_number == part.part_number)
                pick = max(min(line.short, available - before), 0)
            out.append(
                PickLine(
                    engineer.code, engineer.name, part.part_number, line.short, available, pick,
                    serials,
                )
            )  # fmt: skip
    return out


def replenish_van(
    session: Session, *, depot_code: str, engineer_code: str, actor: str
) -> TransferResult:
    """Ship what the engineer's van is short of (as far as the depot has it) as one
    transfer to the van; the engineer books it in by scanning. Commits."""
    lines = [
        p for p in pick_list(session, depot_code) if p.engineer_code == engineer_code and p.pick
    ]
    if not lines:
        raise InvalidInput(
            f"the van of {engineer_code} lacks nothing this depot can send",
            field="engineer",
            key="van_lacks_nothing",
            params={"engineer": engineer_code},
        )
    requests: list[LineRequest] = []
    for p in lines:
        if p.serials:
            requests += [LineRequest(p.part_number, serial) for serial in p.serials]
        else:
            requests.append(LineRequest(p.part_number, None, p.pick))
    engineer, van = van_of(session, engineer_code)
    return ship_transfer(
        session,
        from_depot=depot_code,
        to_van=van,
        lines=requests,
        actor=actor,
        note=f"van replenishment {engineer.code}",
    )


def van_transfers(session: Session, engineer: Engineer) -> list[Transfer]:
    """Transfers to the engineer's van still to be received, oldest first."""
    return list(
        session.scalars(
            select(Transfer)
            .where(
                Transfer.to_location_id == (engineer.van_location_id or -1),
                Transfer.status == TransferStatus.SHIPPED.value,
            )
            .order_by(Transfer.id)
        )
    )


def count_van(
    session: Session,
    *,
    engineer_code: str,
    part_number: str,
    actor: str,
    counted_qty: int | None = None,
    serials: list[str] | None = None,
    confirm_missing: bool = False,
) -> CountResult:
    """A van stock check: a small cycle count of one part in the van (same rules as a
    depot's: ``inventory.counts.count_at``); commits."""
    with transaction(session):
        _, van = van_of(session, engineer_code)
        return count_at(
            session,
            van,
            van.code,
            part_by_number(session, part_number),
            actor=actor,
            reason="van stock check",
            counted_qty=counted_qty,
            serials=serials,
            confirm_missing=confirm_missing,
        )
