"""Time-window fill rates and the stock plan that buys them at the least stock value.

What the customer feels is not "in stock at the depot" but "a good part at the site
within the contract's clock". For a failure of part p at site k and a clock of W minutes:

1. depots are tried nearest first (by delivery minutes to the site: courier van when
   close, parcel otherwise); the first one with a unit on the shelf ships it. Depot d
   has a unit with probability a_d (independence between depots is assumed);
2. the part is in time when that depot's delivery minutes are within W;
3. when every depot within W is out, the failure waits for the pipeline of its serving
   depot b (the nearest one that stocks the part): with a base stock S, Poisson demand
   Λ and a constant resupply time R, a demand that finds b empty waits at most t with
   probability (P[N(Λ(R - t)) ≤ S - 1] - P[N(ΛR) ≤ S - 1]) / (1 - P[N(ΛR) ≤ S - 1])
   (FIFO: it is served by the order of the S-th demand before it). Then the part is in
   time when the wait plus b's delivery minutes is within W.

Each depot is a base-stock (S - 1, S) location whose demand Λ_d is the failures it
serves (its own first-choice sites, overflow from depots that were out, and the
backorders it holds), found by a short fixed-point iteration; a_d = P[N(Λ_d R_d) < S_d].
This is the analytic model; `docs/planning.md` says where it is optimistic and the
benchmark compares it with a simulation.

`optimise` adds one unit at a time where it buys the most in-clock demand per unit of
money (lazy greedy), either until every service class meets its target fill rate
(least stock value for the targets) or until the budget is spent (best service for a
budget), and records the service-versus-stock-value curve on the way.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from logistics.planning.metric import PlanningInputError

MINUTES_PER_DAY = 24 * 60.0
_FIXED_POINT_ROUNDS = 3
_MIN_GAIN = 1e-9  # failures per year: below this a unit buys nothing


@dataclass(frozen=True)
class PlanPart:
    """A part model: unit cost (money), annual failure rate per installed unit, and the
    days to replace a unit used at a depot (repair turnaround or purchase lead time)."""

    id: str
    unit_cost: float
    failure_rate: float
    resupply_days: float

    def __post_init__(self) -> None:
        for name in ("unit_cost", "failure_rate", "resupply_days"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise PlanningInputError(f"part {self.id}: {name} must be >= 0, got {value}")


@dataclass(frozen=True)
class PlanDepot:
    """A depot and the extra days its resupply takes (transport from the centre)."""

    id: str
    resupply_days: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.resupply_days) and self.resupply_days >= 0):
            raise PlanningInputError(
                f"depot {self.id}: resupply_days must be >= 0, got {self.resupply_days}"
            )


@dataclass(frozen=True)
class PlanDemand:
    """Installed units of one part at one site, under one contract's clocks (minutes)."""

    site: str
    part: str
    units: int
    service_class: str
    customer: str
    replacement_minutes: float
    spare_minutes: float

    def __post_init__(self) -> None:
        if self.units < 0:
            raise PlanningInputError(f"site {self.site}, part {self.part}: negative units")
        for name in ("replacement_minutes", "spare_minutes"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise PlanningInputError(
                    f"site {self.site}: the contract's {name} must be > 0, got {value}"
                )


CLOCKS = ("replacement", "spare")


@dataclass(frozen=True)
class PlanNetwork:
    """Depots, sites, demands and the delivery minutes depot → site (depots × sites)."""

    parts: tuple[PlanPart, ...]
    depots: tuple[PlanDepot, ...]
    sites: tuple[str, ...]
    demands: tuple[PlanDemand, ...]
    delivery_minutes: np.ndarray

    def __post_init__(self) -> None:
        shape = (len(self.depots), len(self.sites))
        if self.delivery_minutes.shape != shape:
            raise PlanningInputError(
                f"delivery_minutes must be depots × sites {shape}, got {self.delivery_minutes.shape}"
            )
        if not np.all(np.isfinite(self.delivery_minutes)) or np.any(self.delivery_minutes < 0):
            bad = np.argwhere(~np.isfinite(self.delivery_minutes) | (self.delivery_minutes < 0))
            d, s = bad[0]
            raise PlanningInputError(
                f"depot {self.depots[d].id} → site {self.sites[s]}: no valid delivery time"
            )
        parts = {p.id for p in self.parts}
        sites = set(self.sites)
        for dm in self.demands:
            if dm.part not in parts:
                raise PlanningInputError(f"site {dm.site}: unknown part {dm.part}")
            if dm.site not in sites:
                raise PlanningInputError(f"demand for part {dm.part}: unknown site {dm.site}")


@dataclass
class PartState:
    """One part's demand rows and depot arrays, restricted to the depots that matter."""

    part: PlanPart
    depot_index: np.ndarray  # network depot indices considered for this part
    rates: np.ndarray  # failures per year per demand row
    minutes: np.ndarray  # delivery minutes, considered depots × demand rows
    order: np.ndarray  # per demand row, depots (local index) nearest first
    clocks: dict[str, np.ndarray]  # clock name → minutes per demand row
    resupply_years: np.ndarray  # per considered depot
    demand_rows: list[PlanDemand]


@dataclass(frozen=True)
class PartService:
    """Service of one part under a stock vector: per demand row the in-clock probability
    for each clock, and per considered depot its availability and demand (per year)."""

    fill: Mapping[str, np.ndarray]
    availability: np.ndarray
    depot_demand: np.ndarray


def prepare_part(
    network: PlanNetwork, part: PlanPart, extra_depots: Sequence[int] = ()
) -> PartState:
    """The part's arrays: its demand rows and the depots that can serve them in a clock."""
    rows = [d for d in network.demands if d.part == part.id and d.units > 0]
    site_index = {s: k for k, s in enumerate(network.sites)}
    cols = np.array([site_index[d.site] for d in rows], dtype=int)
    minutes_all = network.delivery_minutes[:, cols] if rows else np.zeros((len(network.depots), 0))
    relevant: set[int] = set(int(i) for i in extra_depots)
    for j, dm in enumerate(rows):
        col = minutes_all[:, j]
        relevant.add(int(np.argmin(col)))
        relevant.update(int(i) for i in np.flatnonzero(col <= dm.replacement_minutes))
    depot_index = np.array(sorted(relevant), dtype=int)
    minutes = minutes_all[depot_index, :] if len(depot_index) else np.zeros((0, len(rows)))
    order = np.argsort(minutes, axis=0, kind="stable").T if len(rows) else np.zeros((0, 0), int)
    resupply = np.array(
        [(part.resupply_days + network.depots[i].resupply_days) / 365.0 for i in depot_index]
    )
    return PartState(
        part=part,
        depot_index=depot_index,
        rates=np.array([d.units * part.failure_rate for d in rows], dtype=float),
        minutes=minutes,
        order=order,
        clocks={
            "replacement": np.array([d.replacement_minutes for d in rows], dtype=float),
            "spare": np.array([d.spare_minutes for d in rows], dtype=float),
        },
        resupply_years=resupply,
        demand_rows=rows,
    )


def poisson_cdf(k: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """P[N ≤ k] elementwise for N ~ Poisson(mean); k may be -1 (gives 0)."""
    k = np.asarray(k, dtype=int)
    mean = np.asarray(mean, dtype=float)
    out = np.zeros(np.broadcast(k, mean).shape)
    kk, mm = np.broadcast_arrays(k, mean)
    top = int(kk.max(initial=-1))
    if top < 0:
        return out
    with np.errstate(divide="ignore"):
        log_m = np.log(np.where(mm > 0, mm, 1.0))
    log_p = -mm  # log P[N = 0]
    total = np.zeros_like(out)
    for x in range(top + 1):
        if x > 0:
            log_p = log_p + log_m - math.log(x)
        p = np.where(mm > 0, np.exp(log_p), 1.0 if x == 0 else 0.0)
        total = total + np.where(kk >= x, p, 0.0)
    return np.minimum(total, 1.0)


def evaluate_part(state: PartState, stock: np.ndarray) -> PartService:
    """Fill rates of one part for `stock` (units per considered depot)."""
    n_depots, n_rows = state.minutes.shape
    stock = np.asarray(stock, dtype=int)
    if n_rows == 0:
        zeros = np.zeros(0)
        return PartService({c: zeros for c in CLOCKS}, np.ones(n_depots), np.zeros(n_depots))
    # the serving depot of each row: nearest with stock, else nearest at all
    stocked = stock[state.order] > 0  # rows × ranked depots
    first_stocked = np.where(stocked.any(axis=1), stocked.argmax(axis=1), 0)
    serving = state.order[np.arange(n_rows), first_stocked]
    # fixed point for depot demand and availability
    demand = np.bincount(serving, weights=state.rates, minlength=n_depots).astype(float)
    for _ in range(_FIXED_POINT_ROUNDS):
        availability = poisson_cdf(stock - 1, demand * state.resupply_years)
        a_ranked = availability[state.order]  # rows × ranked
        out_before = np.cumprod(np.hstack([np.ones((n_rows, 1)), 1 - a_ranked[:, :-1]]), axis=1)
        ship = a_ranked * out_before  # P(row served from the j-th nearest depot's shelf)
        all_out = out_before[:, -1] * (1 - a_ranked[:, -1])
        routed = np.zeros(n_depots)
        np.add.at(routed, state.order, ship * state.rates[:, None])
        np.add.at(routed, serving, all_out * state.rates)
        demand = routed
    availability = poisson_cdf(stock - 1, demand * state.resupply_years)
    a_ranked = availability[state.order]
    out_before = np.cumprod(np.hstack([np.ones((n_rows, 1)), 1 - a_ranked[:, :-1]]), axis=1)
    ship = a_ranked * out_before
    ranked_minutes = np.take_along_axis(state.minutes.T, state.order, axis=1)
    serve_minutes = state.minutes[serving, np.arange(n_rows)]
    s_b = stock[serving]
    mu_b = demand[serving] * state.resupply_years[serving]
    r_b_min = state.resupply_years[serving] * 365.0 * MINUTES_PER_DAY
    f_out = poisson_cdf(s_b - 1, mu_b)
    fill: dict[str, np.ndarray] = {}
    for clock in CLOCKS:
        w = state.clocks[clock]
        in_time = ranked_minutes <= w[:, None]
        on_shelf = (ship * in_time).sum(axis=1)
        reach_out = np.prod(np.where(in_time, 1 - a_ranked, 1.0), axis=1)
        slack = w - serve_minutes  # minutes the pipeline may take
        remaining_frac = np.clip(
            (r_b_min - np.maximum(slack, 0.0)) / np.maximum(r_b_min, 1e-9), 0, 1
        )
        within = np.where(slack >= r_b_min, 1.0, poisson_cdf(s_b - 1, mu_b * remaining_frac))
        cond = np.where(f_out < 1 - 1e-15, (within - f_out) / np.maximum(1 - f_out, 1e-300), 1.0)
        pipeline = np.where(slack >= 0, reach_out * np.clip(cond, 0.0, 1.0), 0.0)
        fill[clock] = np.clip(on_shelf + pipeline, 0.0, 1.0)
    return PartService(fill, availability, demand)


# --- optimisation --------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceTargets:
    """Target in-clock fill rate per service class for one clock, or a budget (money)."""

    clock: str = "replacement"
    targets: Mapping[str, float] = field(default_factory=dict)
    budget: float | None = None

    def __post_init__(self) -> None:
        if self.clock not in CLOCKS:
            raise PlanningInputError(f"clock must be one of {CLOCKS}, got {self.clock!r}")
        for klass, t in self.targets.items():
            if not 0 <= t <= 1:
                raise PlanningInputError(f"target of class {klass} must be within [0, 1]")
        if self.budget is not None and not (math.isfinite(self.budget) and self.budget >= 0):
            raise PlanningInputError(f"budget must be >= 0, got {self.budget}")


@dataclass(frozen=True)
class CurvePoint:
    stock_value: float
    fill_rate: float  # demand-weighted, on the optimised clock


@dataclass
class Recommendation:
    """Recommended units per (part, depot) and what the optimiser saw on the way."""

    levels: dict[tuple[str, str], int]
    curve: list[CurvePoint]
    unmet_classes: list[str]
    stock_value: float


class _Greedy:
    def __init__(self, network: PlanNetwork, states: Sequence[PartState], goal: ServiceTargets):
        self.network, self.states, self.goal = network, states, goal
        self.stock = [np.zeros(len(s.depot_index), dtype=int) for s in states]
        self.services = [evaluate_part(s, st) for s, st in zip(states, self.stock, strict=True)]
        self.classes = sorted({d.service_class for d in network.demands})
        self.class_index = {c: i for i, c in enumerate(self.classes)}
        self.row_class = [
            np.array([self.class_index[d.service_class] for d in s.demand_rows], dtype=int)
            for s in states
        ]
        self.demand_by_class = np.zeros(len(self.classes))
        self.served_by_class = np.zeros(len(self.classes))
        for k, s in enumerate(states):
            np.add.at(self.demand_by_class, self.row_class[k], s.rates)
            np.add.at(self.served_by_class, self.row_class[k], self._served(k, self.services[k]))
        self.version = [0] * len(states)

    def _served(self, k: int, service: PartService) -> np.ndarray:
        return self.states[k].rates * service.fill[self.goal.clock]

    def gain_vector(self, k: int, local: int) -> np.ndarray:
        trial = self.stock[k].copy()
        trial[local] += 1
        after = self._served(k, evaluate_part(self.states[k], trial))
        before = self._served(k, self.services[k])
        out = np.zeros(len(self.classes))
        np.add.at(out, self.row_class[k], after - before)
        return out

    def effective(self, gains: np.ndarray) -> float:
        if self.goal.budget is not None and not self.goal.targets:
            return float(gains.sum())
        need = np.array(
            [
                max(
                    self.goal.targets.get(c, 0.0) * self.demand_by_class[i]
                    - self.served_by_class[i],
                    0,
                )
                for i, c in enumerate(self.classes)
            ]
        )
        return float(np.minimum(np.maximum(gains, 0), need).sum())

    def targets_met(self) -> bool:
        if not self.goal.targets:
            return False
        for i, c in enumerate(self.classes):
            want = self.goal.targets.get(c, 0.0) * self.demand_by_class[i]
            if self.served_by_class[i] < want - 1e-12:
                return False
        return True

    def apply(self, k: int, local: int) -> None:
        old = self._served(k, self.services[k])
        self.stock[k][local] += 1
        self.services[k] = evaluate_part(self.states[k], self.stock[k])
        new = self._served(k, self.services[k])
        np.add.at(self.served_by_class, self.row_class[k], new - old)
        self.version[k] += 1

    def overall(self) -> float:
        total = self.demand_by_class.sum()
        return float(self.served_by_class.sum() / total) if total > 0 else 1.0


def optimise(network: PlanNetwork, goal: ServiceTargets) -> Recommendation:
    """Least stock value meeting `goal.targets`, or best service within `goal.budget`."""
    if not goal.targets and goal.budget is None:
        raise PlanningInputError("give class targets, a budget, or both")
    states = [prepare_part(network, p) for p in network.parts]
    g = _Greedy(network, states, goal)
    heap: list[tuple[float, int, int, int, np.ndarray]] = []
    counter = 0

    def push(k: int) -> None:
        nonlocal counter
        cost = states[k].part.unit_cost
        for local in range(len(states[k].depot_index)):
            gains = g.gain_vector(k, local)
            eff = g.effective(gains)
            if eff > _MIN_GAIN:
                ratio = math.inf if cost == 0 else eff / cost
                counter += 1
                heapq.heappush(heap, (-ratio, counter, k, local, gains))

    for k in range(len(states)):
        if len(states[k].demand_rows):
            push(k)
    versions = list(g.version)
    value = 0.0
    curve = [CurvePoint(0.0, g.overall())]
    while heap and not g.targets_met():
        neg_ratio, _, k, local, gains = heapq.heappop(heap)
        if versions[k] != g.version[k]:
            continue  # stale: the part changed since; its fresh candidates are queued
        cost = states[k].part.unit_cost
        eff = g.effective(gains)
        ratio = math.inf if cost == 0 else eff / cost
        if eff <= _MIN_GAIN:
            continue
        if heap and ratio < -heap[0][0] - 1e-15 and ratio < -neg_ratio:
            counter += 1
            heapq.heappush(heap, (-ratio, counter, k, local, gains))  # re-rank (targets filled)
            continue
        if goal.budget is not None and value + cost > goal.budget + 1e-9:
            continue  # unaffordable: cheaper units may still fit
        g.apply(k, local)
        value += cost
        curve.append(CurvePoint(value, g.overall()))
        versions[k] = g.version[k]
        push(k)
    levels: dict[tuple[str, str], int] = {}
    for s, st in zip(states, g.stock, strict=True):
        for local, units in enumerate(st):
            if units:
                levels[(s.part.id, network.depots[s.depot_index[local]].id)] = int(units)
    unmet = [
        c
        for i, c in enumerate(g.classes)
        if g.served_by_class[i] < goal.targets.get(c, 0.0) * g.demand_by_class[i] - 1e-9
    ]
    return Recommendation(levels, _thin(curve), unmet, value)


def _thin(curve: list[CurvePoint], keep: int = 400) -> list[CurvePoint]:
    if len(curve) <= keep:
        return curve
    step = len(curve) / (keep - 1)
    picked = [curve[min(int(i * step), len(curve) - 1)] for i in range(keep - 1)]
    return [*picked, curve[-1]]


# --- reporting ----------------------------------------------------------------------------


@dataclass
class ServiceReport:
    """In-clock fill rates of a stock plan, aggregated the ways the plan is read."""

    by_class: dict[str, dict[str, float]]  # class → clock → fill rate
    by_customer: dict[str, dict[str, float]]
    overall: dict[str, float]
    depot_availability: dict[tuple[str, str], float]  # (part, depot) → P(unit on shelf)
    depot_demand: dict[tuple[str, str], float]  # failures per year routed to the depot
    by_part_site: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)


def service_report(network: PlanNetwork, levels: Mapping[tuple[str, str], int]) -> ServiceReport:
    """Fill rates per class, customer and (part, depot) for the stock `levels`."""
    depot_pos = {d.id: i for i, d in enumerate(network.depots)}
    stocked: dict[str, list[int]] = defaultdict(list)
    for (part_id, depot_id), units in levels.items():
        if units > 0:
            stocked[part_id].append(depot_pos[depot_id])
    served: dict[tuple[str, str, str], float] = defaultdict(float)  # (kind, key, clock)
    demand: dict[tuple[str, str], float] = defaultdict(float)
    availability: dict[tuple[str, str], float] = {}
    depot_demand: dict[tuple[str, str], float] = {}
    by_part_site: dict[tuple[str, str], dict[str, float]] = {}
    for part in network.parts:
        state = prepare_part(network, part, extra_depots=stocked.get(part.id, ()))
        stock = np.array(
            [levels.get((part.id, network.depots[i].id), 0) for i in state.depot_index]
        )
        result = evaluate_part(state, stock)
        for local, i in enumerate(state.depot_index):
            pair = (part.id, network.depots[i].id)
            if stock[local] > 0 or result.depot_demand[local] > 0:
                availability[pair] = float(result.availability[local])
                depot_demand[pair] = float(result.depot_demand[local])
        for j, row in enumerate(state.demand_rows):
            rate = float(state.rates[j])
            for kind, name in (
                ("class", row.service_class),
                ("customer", row.customer),
                ("all", ""),
            ):
                demand[(kind, name)] += rate
                for clock in CLOCKS:
                    served[(kind, name, clock)] += rate * float(result.fill[clock][j])
            by_part_site[(part.id, row.site)] = {c: float(result.fill[c][j]) for c in CLOCKS}

    def table(kind: str) -> dict[str, dict[str, float]]:
        return {
            key: {c: (served[(k, key, c)] / d if d > 0 else 1.0) for c in CLOCKS}
            for (k, key), d in sorted(demand.items())
            if k == kind
        }

    overall = table("all").get("", {c: 1.0 for c in CLOCKS})
    return ServiceReport(
        table("class"), table("customer"), overall, availability, depot_demand, by_part_site
    )
