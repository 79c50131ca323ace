"""The planning network read from the database: a thin adapter for logistics.planning.

Reads depots, parts, the installed base (equipment at sites under contracts), the
failure history (tickets naming a part), repair yields, and the free good stock on depot
shelves; returns plain data. The models and the optimiser live in `logistics/planning/`.

Stock that counts as "current" is good stock on a depot shelf and free: reserved units
(promised to an RMA or a transfer) and units in transit are never counted, so a plan can
never propose to move them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inventory.contracts import sla_policy
from inventory.ledger import FREE_GOOD_UNIT
from inventory.supersession import successor_heads
from logistics.dispatch import CourierRule
from logistics.planning.demand import FailureHistory, RateEstimate, estimate_rates
from logistics.planning.metric import PlanningInputError
from logistics.planning.service_levels import PlanDemand, PlanDepot, PlanNetwork, PlanPart
from logistics.travel import TravelEstimator
from models import (
    Customer,
    Depot,
    Equipment,
    Location,
    Part,
    SerialItem,
    Site,
    StockPolicy,
    StockQuantity,
    Ticket,
)
from models.enums import Condition, PartKind
from models.service import Contract, RepairLine

DEFAULT_REPAIR_TURNAROUND_DAYS = 14.0
DEFAULT_LEAD_TIME_DAYS = 30.0
DEFAULT_DEPOT_RESUPPLY_DAYS = 1.0
DEFAULT_REPAIR_YIELD = 0.9
HISTORY_YEARS = 2.0
NO_CONTRACT_CLASS = "none"


@dataclass(frozen=True)
class PartInfo:
    part_number: str
    description: str
    description_zh: str | None
    unit_cost: float
    kind: str
    resupply_days: float
    repair_yield: float | None


@dataclass(frozen=True)
class DepotInfo:
    code: str
    name: str
    name_en: str | None
    city: str
    lat: float
    lon: float
    resupply_days: float = DEFAULT_DEPOT_RESUPPLY_DAYS
    hypothetical: bool = False  # a what-if depot: planned, never saved


WHATIF_PREFIX = "WHATIF-"


def hypothetical_depots(extra: list[dict]) -> list[DepotInfo]:
    """What-if depots ({"city", "lat", "lon"}) as planning depots WHATIF-1, WHATIF-2, ...;
    no stock, the default resupply days, never written to the database."""
    out = []
    for n, d in enumerate(extra, start=1):
        lat, lon = float(d["lat"]), float(d["lon"])
        if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
            raise PlanningInputError(f"what-if depot {d.get('city') or n} has no valid coordinates")
        city = str(d.get("city") or f"{lat:.3f},{lon:.3f}")
        out.append(DepotInfo(f"{WHATIF_PREFIX}{n}", city, city, city, lat, lon, hypothetical=True))
    return out


@dataclass
class PlanningData:
    """Everything the planner needs, as plain data (ids: part numbers, depot codes)."""

    network: PlanNetwork
    parts: dict[str, PartInfo]
    depots: dict[str, DepotInfo]
    rates: dict[str, RateEstimate]
    current: dict[tuple[str, str], int]  # (part, depot) → free good units on the shelf
    policies: dict[tuple[str, str], tuple[int, int]]  # (part, depot) → (reorder, target)
    site_points: dict[str, tuple[float, float, str]]  # site → (lat, lon, customer)
    warnings: list[str] = field(default_factory=list)


def load_planning_data(
    session: Session,
    travel: TravelEstimator,
    *,
    now: datetime,
    courier: CourierRule | None = None,
    failure_rate_overrides: dict[str, float] | None = None,
    history_years: float = HISTORY_YEARS,
    extra_depots: list[dict] | None = None,
) -> PlanningData:
    """Read the network; a record that cannot be planned raises PlanningInputError naming it."""
    courier = courier or CourierRule()
    warnings: list[str] = []
    rows_of_depots = list(session.scalars(select(Depot).where(Depot.active).order_by(Depot.code)))
    if not rows_of_depots:
        raise PlanningInputError("no active depot to plan for")
    for d in rows_of_depots:
        if d.lat is None or d.lon is None or not (math.isfinite(d.lat) and math.isfinite(d.lon)):
            raise PlanningInputError(f"depot {d.code} has no coordinates")
        if d.resupply_days is not None and d.resupply_days < 0:
            raise PlanningInputError(
                f"depot {d.code}: resupply_days must be >= 0, got {d.resupply_days}"
            )
    depots = [
        DepotInfo(
            d.code,
            d.name,
            d.name_en,
            d.city,
            d.lat,
            d.lon,
            d.resupply_days if d.resupply_days is not None else DEFAULT_DEPOT_RESUPPLY_DAYS,
        )
        for d in rows_of_depots
    ] + hypothetical_depots(extra_depots or [])
    parts = list(session.scalars(select(Part).where(Part.active).order_by(Part.part_number)))
    # the installed base as plain columns (no ORM object per unit): tens of thousands of rows
    units = session.execute(
        select(
            Equipment.part_id,
            Equipment.site_id,
            Equipment.contract_id,
            Equipment.acceptance_date,
        )
        .where(Equipment.active)
        .order_by(Equipment.id)
    ).all()
    site_rows = {
        int(r.id): r
        for r in session.execute(
            select(Site.id, Site.code, Site.lat, Site.lon, Customer.code.label("customer"))
            .join(Customer, Site.customer_id == Customer.id)
            .where(Site.id.in_(select(Equipment.site_id).where(Equipment.active)))
        )
    }
    contract_ids = {u.contract_id for u in units if u.contract_id is not None}
    contracts = {
        c.id: c for c in session.scalars(select(Contract).where(Contract.id.in_(contract_ids)))
    }
    rates = failure_rates(
        session,
        parts,
        now=now,
        equipment=units,
        overrides=failure_rate_overrides,
        history_years=history_years,
    )
    yields = _repair_yields(session)
    # a superseded part is planned as the newest part of its chain (inventory.supersession):
    # its installed base, failure history and shelf stock count for that part
    carry = planned_as(session, parts)
    warnings.extend(
        r.warning for pn, r in rates.items() if r.warning and pn not in carry.superseded_numbers
    )
    # --- parts ----------------------------------------------------------------------------
    infos: dict[str, PartInfo] = {}
    plan_parts = []
    for p in parts:
        if p.id in carry.heads:
            continue  # planned as its successor
        for name in ("repair_turnaround_days", "lead_time_days"):
            value = getattr(p, name)
            if value is not None and value < 0:
                raise PlanningInputError(f"part {p.part_number}: {name} must be >= 0, got {value}")
        if p.unit_cost is not None and p.unit_cost < 0:
            raise PlanningInputError(f"part {p.part_number}: unit_cost must be >= 0")
        lead = p.lead_time_days if p.lead_time_days is not None else DEFAULT_LEAD_TIME_DAYS
        repair_yield = None
        if p.kind == PartKind.REPAIRABLE.value:
            turnaround = (
                p.repair_turnaround_days
                if p.repair_turnaround_days is not None
                else DEFAULT_REPAIR_TURNAROUND_DAYS
            )
            repair_yield = yields.get(p.id, DEFAULT_REPAIR_YIELD)
            resupply = repair_yield * turnaround + (1 - repair_yield) * lead
        else:
            resupply = lead
        infos[p.part_number] = PartInfo(
            p.part_number,
            p.description,
            p.description_zh,
            float(p.unit_cost or 0),
            p.kind,
            resupply,
            repair_yield,
        )
        plan_parts.append(
            PlanPart(p.part_number, float(p.unit_cost or 0), rates[p.part_number].rate, resupply)
        )
    # --- installed base → demand rows ---------------------------------------------------------
    part_number = {p.id: p.part_number for p in parts}
    rows: dict[tuple[str, str, str], list] = {}
    site_points: dict[str, tuple[float, float, str]] = {}
    clocks_of: dict[int | None, tuple[float, float]] = {None: _contract_clocks(None)}
    for contract_id, known in sorted(contracts.items()):
        clocks_of[contract_id] = _contract_clocks(known)
    for unit in units:
        if unit.part_id not in part_number:
            continue  # inactive part model
        site = site_rows[unit.site_id]
        contract: Contract | None = (
            contracts.get(unit.contract_id) if unit.contract_id is not None else None
        )
        klass = contract.coverage if contract is not None else NO_CONTRACT_CLASS
        key = (
            site.code,
            part_number[carry.heads.get(unit.part_id, unit.part_id)],
            contract.code if contract else "",
        )
        if key not in rows:
            rows[key] = [0, klass, site.customer, *clocks_of[unit.contract_id]]
        rows[key][0] += 1
        site_points[site.code] = (site.lat, site.lon, site.customer)
    sites = sorted(site_points)
    demands = tuple(
        PlanDemand(site, part, n, klass, customer, replacement, spare)
        for (site, part, _c), (n, klass, customer, replacement, spare) in sorted(rows.items())
    )
    # --- delivery minutes depot → site --------------------------------------------------------
    if sites:
        depot_xy = np.array([[d.lat, d.lon] for d in depots])
        site_xy = np.array([[site_points[s][0], site_points[s][1]] for s in sites])
        drive = travel.minutes_matrix(depot_xy, site_xy)
        parcel = np.full(len(sites), np.inf)
        index = {s: k for k, s in enumerate(sites)}
        for dm in demands:
            parcel[index[dm.site]] = min(parcel[index[dm.site]], dm.spare_minutes)
        delivery = np.column_stack(
            [courier.arrival_minutes(drive[:, k], float(parcel[k])) for k in range(len(sites))]
        )
    else:
        delivery = np.zeros((len(depots), 0))
    network = PlanNetwork(
        parts=tuple(plan_parts),
        depots=tuple(PlanDepot(d.code, d.resupply_days) for d in depots),
        sites=tuple(sites),
        demands=demands,
        delivery_minutes=delivery,
    )
    return PlanningData(
        network=network,
        parts=infos,
        depots={d.code: d for d in depots},
        rates=rates,
        current=carry.stock(free_good_stock(session)),
        policies=_policies(session),
        site_points=site_points,
        warnings=warnings,
    )


@dataclass(frozen=True)
class PlannedAs:
    """Superseded parts and the part planned in their place."""

    heads: dict[int, int]  # superseded part id → the id of the part planned instead
    numbers: dict[int, str]  # part id → part number

    @property
    def superseded_numbers(self) -> set[str]:
        """The part numbers of the superseded parts (not planned themselves)."""
        return {self.numbers[old] for old in self.heads}

    def stock(self, current: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
        """(part, depot) → units with a superseded part's units counted for its successor."""
        by_number = {self.numbers[old]: self.numbers[new] for old, new in self.heads.items()}
        out: dict[tuple[str, str], int] = defaultdict(int)
        for (pn, depot), n in current.items():
            out[(by_number.get(pn, pn), depot)] += n
        return dict(out)


def planned_as(session: Session, parts: Sequence[Part]) -> PlannedAs:
    """Which of ``parts`` are planned as their successor (the newest part of their chain,
    when it is among ``parts``)."""
    ids = {p.id for p in parts}
    heads = {old: new for old, new in successor_heads(session).items() if old in ids and new in ids}
    return PlannedAs(heads, {p.id: p.part_number for p in parts})


def _contract_clocks(contract: Contract | None) -> tuple[float, float]:
    """(replacement-unit minutes, spare-delivery minutes) the contract promises."""
    if contract is not None:
        if not contract.replacement_unit_minutes or contract.replacement_unit_minutes <= 0:
            raise PlanningInputError(f"contract {contract.code} has no replacement-unit clock")
        if not contract.spare_delivery_days or contract.spare_delivery_days <= 0:
            raise PlanningInputError(f"contract {contract.code} has no spare-delivery clock")
    policy = sla_policy(contract)
    # working days counted as whole days: weekends only lengthen the real clock (conservative)
    return float(policy.replacement_unit_minutes), float(policy.spare_delivery_days) * 24 * 60


def _repair_yields(session: Session) -> dict[int, float]:
    """Measured share of repaired units among finished repairs, per part."""
    out: dict[int, float] = {}
    counts = session.execute(
        select(RepairLine.part_id, RepairLine.outcome, func.sum(RepairLine.qty))
        .where(RepairLine.outcome.in_(("repaired", "scrapped")))
        .group_by(RepairLine.part_id, RepairLine.outcome)
    ).all()
    by_part: dict[int, dict[str, int]] = defaultdict(dict)
    for part_id, outcome, qty in counts:
        by_part[part_id][outcome] = int(qty or 0)
    for part_id, c in by_part.items():
        done = c.get("repaired", 0) + c.get("scrapped", 0)
        if done:
            out[part_id] = c.get("repaired", 0) / done
    return out


def free_good_stock(session: Session) -> dict[tuple[str, str], int]:
    """(part number, depot code) → good units on the shelf and free (not reserved)."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    serial = session.execute(
        select(Part.part_number, Depot.code, func.count())
        .select_from(SerialItem)
        .join(Part, SerialItem.part_id == Part.id)
        .join(Location, SerialItem.location_id == Location.id)
        .join(Depot, Depot.location_id == Location.id)
        .where(*FREE_GOOD_UNIT)
        .group_by(Part.part_number, Depot.code)
    ).all()
    for pn, code, n in serial:
        out[(pn, code)] += int(n)
    counted = session.execute(
        select(Part.part_number, Depot.code, func.sum(StockQuantity.qty))
        .select_from(StockQuantity)
        .join(Part, StockQuantity.part_id == Part.id)
        .join(Location, StockQuantity.location_id == Location.id)
        .join(Depot, Depot.location_id == Location.id)
        .where(StockQuantity.condition == Condition.GOOD.value)
        .group_by(Part.part_number, Depot.code)
    ).all()
    for pn, code, n in counted:
        out[(pn, code)] += int(n or 0)
    return {k: v for k, v in out.items() if v > 0}


def _policies(session: Session) -> dict[tuple[str, str], tuple[int, int]]:
    rows = session.execute(
        select(Part.part_number, Depot.code, StockPolicy.reorder_point, StockPolicy.target_level)
        .join(Part, StockPolicy.part_id == Part.id)
        .join(Depot, StockPolicy.depot_id == Depot.id)
    ).all()
    return {(pn, code): (int(r), int(t)) for pn, code, r, t in rows}


class _Unit(Protocol):
    part_id: int
    acceptance_date: date


def failure_rates(
    session: Session,
    parts: list[Part],
    *,
    now: datetime,
    equipment: Sequence[_Unit] | None = None,
    overrides: dict[str, float] | None = None,
    history_years: float = HISTORY_YEARS,
) -> dict[str, RateEstimate]:
    """Each part's failure rate per installed unit per year (``estimate_rates``): the
    failures of the last ``history_years`` (tickets naming the part) over the installed
    base's unit-years in that window (``equipment``: the active units; read when None)."""
    if equipment is None:
        equipment = list(session.scalars(select(Equipment).where(Equipment.active)))
    start = (now - timedelta(days=365.25 * history_years)).date()
    today = now.date()
    # a superseded part's history carries over to its successor (inventory.supersession)
    heads = planned_as(session, parts).heads
    exposure: dict[int, float] = defaultdict(float)
    for unit in equipment:
        begin = max(unit.acceptance_date, start)
        if begin < today:
            exposure[heads.get(unit.part_id, unit.part_id)] += (today - begin).days / 365.25
    failures: dict[int, int] = defaultdict(int)
    for part_id, n in session.execute(
        select(Ticket.part_id, func.count())
        .where(
            Ticket.part_id.is_not(None),
            Ticket.opened_at >= now - timedelta(days=365.25 * history_years),
        )
        .group_by(Ticket.part_id)
    ).all():
        failures[heads.get(int(part_id), int(part_id))] += int(n)
    overrides = overrides or {}
    histories = [
        FailureHistory(
            part=p.part_number,
            group=p.category,
            failures=int(failures.get(p.id, 0)),
            unit_years=exposure.get(p.id, 0.0),
            entered_rate=overrides.get(p.part_number, p.failure_rate),
        )
        for p in parts
    ]
    return estimate_rates(histories)
