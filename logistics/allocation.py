"""Outage allocation: many open demands competing for scarce spares at depots.

`allocate` solves it exactly as a min-cost flow (OR-Tools) with a lexicographic
objective, in this order:

1. fewest severity-weighted SLA misses — a demand misses when its part arrives after its
   deadline or when it gets no part at all;
2. most demands served — free stock is never left on the shelf to save kilometres;
3. least total road km from depots to sites.

`greedy_allocate` is the baseline: demands in order of arrival (first come, first
served), each takes the nearest depot (by drive time) that still holds its part.

`assign_engineers` is the optional second stage with the same objective: engineers
(capacity = free job slots, skill = the demand's category) to demands, each engineer
driving straight to the site while the part follows by courier.

A part goes from its depot by courier van when the depot is within
`CourierRule.van_max_minutes` of the site, otherwise by parcel on the contract's
spare-delivery rule — the same rule as dispatch ranking. Plain data in and out.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

import numpy as np

from logistics.calendars import CoverageCalendar, require_utc
from logistics.dispatch import CourierRule, EngineerCandidate
from logistics.sla import Severity, SlaPolicy, spare_delivery_due
from logistics.travel import TravelEstimator

DEFAULT_SEVERITY_WEIGHTS: Mapping[Severity, int] = MappingProxyType(
    {Severity.P1: 8, Severity.P2: 4, Severity.P3: 2, Severity.P4: 1}
)
_KM_UNIT = 10  # costs count tenths of a km


@dataclass(frozen=True)
class Demand:
    """An open fault needing one unit of `part` at a site by `deadline_utc`."""

    id: int | str
    lat: float
    lon: float
    part: str
    severity: Severity | str
    deadline_utc: datetime
    opened_at_utc: datetime
    category: str | None = None  # skill an engineer needs; None: any engineer
    onsite_deadline_utc: datetime | None = None  # engineer on site by; None: deadline_utc


@dataclass(frozen=True)
class DepotSupply:
    """A depot's good stock, units per part."""

    depot_id: int | str
    code: str
    lat: float
    lon: float
    stock: Mapping[str, int]


@dataclass(frozen=True)
class AllocationSettings:
    """When the allocation is made and how parts travel (times UTC)."""

    now_utc: datetime
    courier: CourierRule = field(default_factory=CourierRule)
    policy: SlaPolicy = field(default_factory=SlaPolicy)
    calendar: CoverageCalendar | None = None  # for the parcel rule; default Shanghai
    severity_weights: Mapping[Severity, int] = field(
        default_factory=lambda: DEFAULT_SEVERITY_WEIGHTS
    )


@dataclass(frozen=True)
class Assignment:
    demand_id: int | str
    depot_id: int | str
    part_eta: datetime
    km: float
    late_minutes: float  # 0 when on time

    @property
    def on_time(self) -> bool:
        return self.late_minutes <= 0


@dataclass(frozen=True)
class Unassigned:
    demand_id: int | str
    reason: str


@dataclass(frozen=True)
class AllocationResult:
    method: str
    assignments: list[Assignment]
    unassigned: list[Unassigned]
    weighted_misses: int  # late or unserved, weighted by severity
    misses: int
    travel_km: float
    solve_seconds: float

    def sort_key(self) -> tuple[int, int, float]:
        """The objective, smaller is better: weighted misses, unserved, km."""
        return (self.weighted_misses, len(self.unassigned), round(self.travel_km, 6))


@dataclass(frozen=True)
class _Problem:
    """Arrays shared by both methods: depots × demands."""

    minutes: np.ndarray  # (D, N) part arrival, minutes from now
    km: np.ndarray  # (D, N) road km depot -> site
    slack: np.ndarray  # (N,) minutes from now to each deadline
    weights: np.ndarray  # (N,) severity weight
    stock: np.ndarray  # (D, N) units of demand n's part at depot d (shared per part)
    parts: list[str]
    part_of: np.ndarray  # (N,) index into parts
    stock_by_part: np.ndarray  # (D, P)


def allocate(
    demands: Sequence[Demand],
    depots: Sequence[DepotSupply],
    travel: TravelEstimator,
    settings: AllocationSettings,
) -> AllocationResult:
    """Optimal allocation by min-cost flow (module docstring for the objective)."""
    started = clock.perf_counter()
    if not demands:
        return AllocationResult("min_cost_flow", [], [], 0, 0, 0.0, 0.0)
    prob = _prepare(demands, depots, travel, settings)
    n, n_parts = len(demands), len(prob.parts)

    d_idx, n_idx = np.nonzero(prob.stock > 0)
    p_idx = prob.part_of[n_idx]
    pool = d_idx * n_parts + p_idx  # one pool per (depot, part)
    capacity = prob.stock_by_part.ravel()
    arc = _lexicographic_assignment(
        n_demands=n,
        capacity=capacity,
        arc_demand=n_idx,
        arc_pool=pool,
        arc_late=prob.minutes[d_idx, n_idx] > prob.slack[n_idx],
        arc_km=prob.km[d_idx, n_idx],
        weights=prob.weights,
    )
    chosen = {int(n_idx[a]): int(d_idx[a]) for a in arc}
    return _result(
        "min_cost_flow",
        chosen,
        demands,
        depots,
        prob,
        settings,
        clock.perf_counter() - started,
        lambda part: f"all units of {part} went to demands that miss fewer or weigh more",
    )


def _lexicographic_assignment(
    n_demands: int,
    capacity: np.ndarray,
    arc_demand: np.ndarray,
    arc_pool: np.ndarray,
    arc_late: np.ndarray,
    arc_km: np.ndarray,
    weights: np.ndarray,
) -> list[int]:
    """Give each demand at most one unit from a pool it has an arc to, optimally for
    (weighted misses, unserved demands, km), by min-cost flow. Returns the arcs used.

    Costs are integers in strict tiers: one more unserved demand costs more than any
    possible km total, one more weighted miss more than any unserved count and km.
    """
    n_pools = capacity.size
    km_cost = np.rint(np.asarray(arc_km) * _KM_UNIT).astype(np.int64)
    unserved_cost = int(km_cost.max(initial=0)) * n_demands + 1
    miss_cost = unserved_cost * (n_demands + 1)

    # Nodes: demands 0..n-1, pools n..n+P-1, sink last.
    sink = n_demands + n_pools
    pools = np.nonzero(capacity > 0)[0]
    n_arcs = len(arc_demand)
    tails = np.concatenate([arc_demand, np.arange(n_demands), n_demands + pools])
    heads = np.concatenate(
        [n_demands + arc_pool, np.full(n_demands, sink), np.full(len(pools), sink)]
    )
    caps = np.concatenate(
        [np.ones(n_arcs + n_demands, dtype=np.int64), capacity[pools].astype(np.int64)]
    )
    costs = np.concatenate(
        [
            km_cost + arc_late * weights[arc_demand] * miss_cost,
            weights * miss_cost + unserved_cost,
            np.zeros(len(pools), dtype=np.int64),
        ]
    ).astype(np.int64)

    from ortools.graph.python import min_cost_flow  # loaded when first solved

    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps, costs
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_demands] = 1
    supplies[sink] = -n_demands
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    used = flow.flows(np.arange(n_arcs, dtype=np.int32)) > 0
    return np.nonzero(used)[0].tolist()


def greedy_allocate(
    demands: Sequence[Demand],
    depots: Sequence[DepotSupply],
    travel: TravelEstimator,
    settings: AllocationSettings,
) -> AllocationResult:
    """Baseline: first come, first served, each from the nearest depot with the part."""
    started = clock.perf_counter()
    if not demands:
        return AllocationResult("greedy", [], [], 0, 0, 0.0, 0.0)
    prob = _prepare(demands, depots, travel, settings)
    left = prob.stock_by_part.copy()
    order = sorted(range(len(demands)), key=lambda i: (demands[i].opened_at_utc, i))
    chosen: dict[int, int] = {}
    for i in order:
        p = prob.part_of[i]
        holders = np.nonzero(left[:, p] > 0)[0]
        if holders.size == 0:
            continue
        d = int(holders[np.lexsort((prob.km[holders, i], prob.minutes[holders, i]))[0]])
        left[d, p] -= 1
        chosen[i] = d
    return _result(
        "greedy",
        chosen,
        demands,
        depots,
        prob,
        settings,
        clock.perf_counter() - started,
        lambda part: (
            f"stock of {part} ran out before this demand's turn (first come, first served)"
        ),
    )


def _prepare(
    demands: Sequence[Demand],
    depots: Sequence[DepotSupply],
    travel: TravelEstimator,
    settings: AllocationSettings,
) -> _Problem:
    now = require_utc(settings.now_utc, "now_utc")
    calendar = settings.calendar or settings.policy.calendar()
    parts = sorted({d.part for d in demands})
    index = {part: k for k, part in enumerate(parts)}
    part_of = np.array([index[d.part] for d in demands], dtype=np.int64)
    stock_by_part = np.array(
        [[max(0, int(dep.stock.get(part, 0))) for part in parts] for dep in depots],
        dtype=np.int64,
    ).reshape(len(depots), len(parts))
    sites = np.array([[d.lat, d.lon] for d in demands], dtype=float)
    if depots:
        depot_xy = np.array([[d.lat, d.lon] for d in depots], dtype=float)
        drive = travel.minutes_matrix(depot_xy, sites)
        km = travel.km_matrix(depot_xy, sites)
    else:
        drive = km = np.zeros((0, len(demands)))
    parcel = (spare_delivery_due(now, settings.policy, calendar) - now).total_seconds() / 60.0
    slack = np.array(
        [
            (require_utc(d.deadline_utc, "deadline_utc") - now).total_seconds() / 60.0
            for d in demands
        ]
    )
    weights = np.array(
        [settings.severity_weights[Severity(d.severity)] for d in demands], dtype=np.int64
    )
    return _Problem(
        minutes=settings.courier.arrival_minutes(drive, parcel),
        km=km,
        slack=slack,
        weights=weights,
        stock=stock_by_part[:, part_of],
        parts=parts,
        part_of=part_of,
        stock_by_part=stock_by_part,
    )


def _result(
    method: str,
    chosen: Mapping[int, int],
    demands: Sequence[Demand],
    depots: Sequence[DepotSupply],
    prob: _Problem,
    settings: AllocationSettings,
    seconds: float,
    out_of_stock: Callable[[str], str],
) -> AllocationResult:
    now = settings.now_utc
    assignments, unassigned = [], []
    weighted = misses = 0
    km_total = 0.0
    for i, demand in enumerate(demands):
        d = chosen.get(i)
        if d is None:
            part = demand.part
            if prob.stock_by_part[:, prob.part_of[i]].sum() == 0:
                reason = f"no depot holds a good {part}"
            else:
                reason = out_of_stock(part)
            unassigned.append(Unassigned(demand.id, reason))
            weighted += int(prob.weights[i])
            misses += 1
            continue
        minutes, km = float(prob.minutes[d, i]), float(prob.km[d, i])
        late = max(0.0, minutes - float(prob.slack[i]))
        if late > 0:
            weighted += int(prob.weights[i])
            misses += 1
        km_total += km
        assignments.append(
            Assignment(demand.id, depots[d].depot_id, now + timedelta(minutes=minutes), km, late)
        )
    return AllocationResult(method, assignments, unassigned, weighted, misses, km_total, seconds)


@dataclass(frozen=True)
class EngineerAssignment:
    demand_id: int | str
    engineer_id: int | str
    onsite_eta: datetime
    km: float
    late_minutes: float  # 0 when on time


@dataclass(frozen=True)
class EngineerAllocation:
    assignments: list[EngineerAssignment]
    unassigned: list[Unassigned]
    weighted_misses: int  # late on site or no engineer, weighted by severity
    misses: int
    travel_km: float
    solve_seconds: float


def assign_engineers(
    demands: Sequence[Demand],
    engineers: Sequence[EngineerCandidate],
    travel: TravelEstimator,
    settings: AllocationSettings,
    nearest: int = 25,
) -> EngineerAllocation:
    """Engineers for a batch of demands by min-cost flow: fewest severity-weighted on-site
    misses, then most demands staffed, then least km.

    An engineer takes demands only while on shift, skilled for the demand's category and
    with free slots (max_jobs − open_jobs). Each demand considers its `nearest` eligible
    engineers by drive time; the optimum is exact over those candidates.
    """
    started = clock.perf_counter()
    now = require_utc(settings.now_utc, "now_utc")
    staff = [e for e in engineers if e.on_shift and e.open_jobs < e.max_jobs]
    n = len(demands)
    if n == 0:
        return EngineerAllocation([], [], 0, 0, 0.0, 0.0)
    weights = np.array(
        [settings.severity_weights[Severity(d.severity)] for d in demands], dtype=np.int64
    )
    slack = np.array(
        [
            (require_utc(d.onsite_deadline_utc or d.deadline_utc, "deadline") - now).total_seconds()
            / 60.0
            for d in demands
        ]
    )
    if staff:
        sites = np.array([[d.lat, d.lon] for d in demands], dtype=float)
        eng_xy = np.array([[e.lat, e.lon] for e in staff], dtype=float)
        minutes = travel.minutes_matrix(eng_xy, sites)  # (E, N)
        km = travel.km_matrix(eng_xy, sites)
        skilled = np.array(
            [[d.category is None or d.category in e.skills for d in demands] for e in staff]
        )
        ranked = np.where(skilled, minutes, np.inf)
        k = min(nearest, len(staff))
        if k < len(staff):
            near = np.argpartition(ranked, k - 1, axis=0)[:k]  # (k, N) engineer rows
        else:
            near = np.broadcast_to(np.arange(k)[:, None], (k, n))
        e_idx, n_idx = near.ravel(), np.tile(np.arange(n), k)
        keep = skilled[e_idx, n_idx]
        e_idx, n_idx = e_idx[keep], n_idx[keep]
        capacity = np.array([e.max_jobs - e.open_jobs for e in staff], dtype=np.int64)
        arcs = _lexicographic_assignment(
            n_demands=n,
            capacity=capacity,
            arc_demand=n_idx,
            arc_pool=e_idx,
            arc_late=minutes[e_idx, n_idx] > slack[n_idx],
            arc_km=km[e_idx, n_idx],
            weights=weights,
        )
        chosen = {int(n_idx[a]): int(e_idx[a]) for a in arcs}
    else:
        chosen = {}

    assignments, unassigned = [], []
    weighted = misses = 0
    km_total = 0.0
    for i, demand in enumerate(demands):
        e = chosen.get(i)
        if e is None:
            if not any(demand.category is None or demand.category in s.skills for s in staff):
                what = f" skilled for {demand.category}" if demand.category else ""
                reason = f"no engineer on shift{what} has a free slot"
            else:
                reason = "engineers within reach went to demands that miss fewer or weigh more"
            unassigned.append(Unassigned(demand.id, reason))
            weighted, misses = weighted + int(weights[i]), misses + 1
            continue
        drive = float(minutes[e, i])
        late = max(0.0, drive - float(slack[i]))
        if late > 0:
            weighted, misses = weighted + int(weights[i]), misses + 1
        km_total += float(km[e, i])
        assignments.append(
            EngineerAssignment(
                demand.id, staff[e].id, now + timedelta(minutes=drive), float(km[e, i]), late
            )
        )
    seconds = clock.perf_counter() - started
    return EngineerAllocation(assignments, unassigned, weighted, misses, km_total, seconds)
