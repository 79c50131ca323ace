"""Time-window fill rates and the stock plan that buys them at the least stock value.

What the customer feels is not "in stock at the depot" but "a good part at the site
within the contract's clock". For a failure of part p at site k and a clock of W minutes:

1. the site's `RANKED_DEPOTS` nearest depots are tried nearest first (by delivery
   minutes to the site: courier van when close, parcel otherwise); the first one with a
   unit on the shelf ships it. Depot d has a unit with probability a_d (independence
   between depots is assumed);
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
_FIXED_POINT_ROUNDS = 2
_MIN_GAIN = 1e-9  # failures per year: below this a unit buys nothing
REACHABLE_SHARE = 0.99  # a target needing more than this share of the reachable is out of reach
RANKED_DEPOTS = 6  # a failure is served by one of its site's 6 nearest depots (1 + 5 lateral)


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


def demands_by_part(network: PlanNetwork) -> dict[str, list[PlanDemand]]:
    """The network's demand rows grouped by part (rows without units left out)."""
    out: dict[str, list[PlanDemand]] = defaultdict(list)
    for d in network.demands:
        if d.units > 0:
            out[d.part].append(d)
    return out


def prepare_part(
    network: PlanNetwork,
    part: PlanPart,
    extra_depots: Sequence[int] = (),
    rows: Sequence[PlanDemand] | None = None,
    site_index: Mapping[str, int] | None = None,
) -> PartState:
    """The part's arrays: its demand rows and the depots that can serve them in a clock."""
    if rows is None:
        rows = [d for d in network.demands if d.part == part.id and d.units > 0]
    if site_index is None:
        site_index = {s: k for k, s in enumerate(network.sites)}
    cols = np.array([site_index[d.site] for d in rows], dtype=int)
    minutes_all = network.delivery_minutes[:, cols]
    relevant: set[int] = {int(i) for i in extra_depots}
    ranked = min(RANKED_DEPOTS, minutes_all.shape[0])
    if len(rows):  # each site's nearest depots
        nearest = np.argsort(minutes_all, axis=0, kind="stable")[:ranked, :]
        relevant.update(int(i) for i in np.unique(nearest))
    depot_index = np.array(sorted(relevant), dtype=int)
    minutes = minutes_all[depot_index, :]
    order = np.argsort(minutes, axis=0, kind="stable").T[:, :ranked]  # rows × ranked depots
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
        demand_rows=list(rows),
    )


def poisson_cdf(k: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """P[N ≤ k] elementwise for N ~ Poisson(mean); k = -1 gives 0."""
    kk, mm = np.asarray(k), np.asarray(mean, dtype=float)
    if kk.shape != mm.shape:
        kk, mm = np.broadcast_arrays(kk, mm)
    top = int(kk.max(initial=-1))
    total = np.zeros(kk.shape)
    if top < 0:
        return total
    if float(mm.max(initial=0.0)) > 500:  # exp(-mean) would underflow: go through logs
        log_m = np.log(np.where(mm > 0, mm, 1.0))
        log_p = -mm
        for x in range(top + 1):
            if x:
                log_p = log_p + log_m - math.log(x)
            total += np.where(kk >= x, np.exp(log_p) if x else np.exp(-mm), 0.0)
        return np.minimum(total, 1.0)
    p = np.exp(-mm)
    for x in range(top + 1):
        if x:
            p = p * mm / x
        total += np.where(kk >= x, p, 0.0)
    return np.minimum(total, 1.0)


def evaluate_part(state: PartState, stock: np.ndarray) -> PartService:
    """Fill rates of one part for `stock` (units per considered depot)."""
    fill, availability, demand = evaluate_batch(state, np.asarray(stock, dtype=int)[None, :])
    return PartService({c: f[0] for c, f in fill.items()}, availability[0], demand[0])


def evaluate_batch(
    state: PartState, stock: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """`evaluate_part` for B stock vectors at once (stock: B × depots).

    Returns (fill per clock: B × rows, availability: B × depots, depot demand: B × depots).
    """
    n_batch, n_depots = stock.shape
    n_rows = len(state.rates)
    if n_rows == 0:
        empty = np.zeros((n_batch, 0))
        return {c: empty for c in CLOCKS}, np.ones((n_batch, n_depots)), np.zeros(stock.shape)
    order = state.order  # rows × ranked
    batch = np.arange(n_batch)[:, None]
    flat = (batch[:, :, None] * n_depots + order[None, :, :]).ravel()  # B × rows × ranked
    stocked = stock[:, order] > 0  # B × rows × ranked
    first = np.where(stocked.any(axis=2), stocked.argmax(axis=2), 0)  # B × rows
    serving = order[np.arange(n_rows)[None, :], first]  # B × rows
    serving_flat = (batch * n_depots + serving).ravel()
    rates = state.rates
    size = n_batch * n_depots
    demand = np.bincount(serving_flat, np.broadcast_to(rates, serving.shape).ravel(), size)
    demand = demand.reshape(n_batch, n_depots)
    years = state.resupply_years[None, :]
    for _ in range(_FIXED_POINT_ROUNDS):
        a_ranked = poisson_cdf(stock - 1, demand * years)[:, order]
        out_before = np.cumprod(1 - a_ranked, axis=2)
        ship = a_ranked.copy()
        ship[:, :, 1:] *= out_before[:, :, :-1]
        all_out = out_before[:, :, -1]
        demand = np.bincount(flat, (ship * rates[None, :, None]).ravel(), size)
        demand += np.bincount(serving_flat, (all_out * rates[None, :]).ravel(), size)
        demand = demand.reshape(n_batch, n_depots)
    availability = poisson_cdf(stock - 1, demand * years)
    a_ranked = availability[:, order]
    out_before = np.cumprod(1 - a_ranked, axis=2)
    ship = a_ranked.copy()
    ship[:, :, 1:] *= out_before[:, :, :-1]
    ranked_minutes = np.take_along_axis(state.minutes.T, order, axis=1)  # rows × ranked
    row_idx = np.arange(n_rows)[None, :]
    serve_minutes = state.minutes[serving, row_idx]  # B × rows
    s_b = stock[batch, serving]
    mu_b = demand[batch, serving] * state.resupply_years[serving]
    r_b_min = state.resupply_years[serving] * 365.0 * MINUTES_PER_DAY
    f_out = poisson_cdf(s_b - 1, mu_b)
    fill: dict[str, np.ndarray] = {}
    for clock in CLOCKS:
        w = state.clocks[clock]  # rows
        in_time = (ranked_minutes <= w[:, None])[None, :, :]
        on_shelf = (ship * in_time).sum(axis=2)
        reach_out = np.prod(np.where(in_time, 1 - a_ranked, 1.0), axis=2)
        slack = w[None, :] - serve_minutes  # minutes the pipeline may take
        left = np.clip((r_b_min - np.maximum(slack, 0.0)) / np.maximum(r_b_min, 1e-9), 0, 1)
        within = np.where(slack >= r_b_min, 1.0, poisson_cdf(s_b - 1, mu_b * left))
        cond = np.where(f_out < 1 - 1e-15, (within - f_out) / np.maximum(1 - f_out, 1e-300), 1.0)
        pipeline = np.where(slack >= 0, reach_out * np.clip(cond, 0.0, 1.0), 0.0)
        fill[clock] = np.clip(on_shelf + pipeline, 0.0, 1.0)
    return fill, availability, demand


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
        self.reachable_by_class = np.zeros(len(self.classes))
        for k, s in enumerate(states):
            np.add.at(self.demand_by_class, self.row_class[k], s.rates)
            np.add.at(self.served_by_class, self.row_class[k], self._served(k, self.services[k]))
            if len(s.rates):  # a failure can be in time only if some depot is within the clock
                reach = s.minutes.min(axis=0) <= s.clocks[goal.clock]
                np.add.at(self.reachable_by_class, self.row_class[k], s.rates * reach)
        # a target no stock can reach (sites beyond every depot within the clock) is
        # applied to the reachable failures only; any other target is met as given
        want = np.array([goal.targets.get(c, 0.0) for c in self.classes])
        self.goal_by_class = np.where(
            want * self.demand_by_class <= REACHABLE_SHARE * self.reachable_by_class,
            want * self.demand_by_class,
            want * self.reachable_by_class,
        )
        self.min_gain = max(_MIN_GAIN, 1e-7 * float(self.demand_by_class.sum()))
        self.version = [0] * len(states)
        self.trials: dict[int, tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]] = {}

    def _served(self, k: int, service: PartService) -> np.ndarray:
        return self.states[k].rates * service.fill[self.goal.clock]

    def gain_matrix(self, k: int) -> np.ndarray:
        """In-clock failures per year gained by one more unit at each considered depot
        (candidates × classes)."""
        state = self.states[k]
        n = len(state.depot_index)
        trials = np.repeat(self.stock[k][None, :], n, axis=0) + np.eye(n, dtype=int)
        fill, availability, demand = evaluate_batch(state, trials)
        self.trials[k] = (fill, availability, demand)
        delta = (fill[self.goal.clock] - self.services[k].fill[self.goal.clock][None, :]) * (
            state.rates[None, :]
        )
        onehot = np.zeros((len(state.rates), len(self.classes)))
        onehot[np.arange(len(state.rates)), self.row_class[k]] = 1.0
        return delta @ onehot

    def need(self) -> np.ndarray | None:
        """Per class, in-clock failures per year still missing; None when budget-only."""
        if self.goal.budget is not None and not self.goal.targets:
            return None
        return np.maximum(self.goal_by_class - self.served_by_class, 0.0)

    def effective(self, gains: np.ndarray, need: np.ndarray | None = None) -> np.ndarray:
        """Useful gain of each candidate (rows of `gains`): capped by what each class needs."""
        if need is None:
            need = self.need()
        if need is None:
            return gains.sum(axis=-1)
        return np.minimum(np.maximum(gains, 0), need).sum(axis=-1)

    def targets_met(self) -> bool:
        if not self.goal.targets:
            return False
        return bool(np.all(self.served_by_class >= self.goal_by_class - 1e-12))

    def apply(self, k: int, local: int) -> None:
        old = self._served(k, self.services[k])
        self.stock[k][local] += 1
        fill, availability, demand = self.trials.pop(k)  # computed by gain_matrix already
        self.services[k] = PartService(
            {c: f[local] for c, f in fill.items()}, availability[local], demand[local]
        )
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
    by_part = demands_by_part(network)
    sites = {s: k for k, s in enumerate(network.sites)}
    states = [
        prepare_part(network, p, rows=by_part.get(p.id, []), site_index=sites)
        for p in network.parts
    ]
    g = _Greedy(network, states, goal)
    heap: list[tuple[float, int, int, int, int, np.ndarray]] = []
    counter = 0

    def push(k: int) -> None:
        nonlocal counter
        cost = states[k].part.unit_cost
        gains = g.gain_matrix(k)
        useful = g.effective(gains)
        for local in np.flatnonzero(useful > g.min_gain):
            ratio = math.inf if cost == 0 else float(useful[local]) / cost
            counter += 1
            heapq.heappush(heap, (-ratio, counter, k, int(local), g.version[k], gains[local]))

    for k in range(len(states)):
        if len(states[k].demand_rows):
            push(k)
    value = 0.0
    curve = [CurvePoint(0.0, g.overall())]
    met = g.targets_met()
    while heap and not met:
        neg_ratio, _, k, local, version, gains = heapq.heappop(heap)
        if version != g.version[k]:
            continue  # stale: the part changed since; its fresh candidates are queued
        cost = states[k].part.unit_cost
        eff = float(g.effective(gains))
        ratio = math.inf if cost == 0 else eff / cost
        if eff <= g.min_gain:
            continue
        if heap and ratio < -heap[0][0] - 1e-15 and ratio < -neg_ratio:
            counter += 1
            heapq.heappush(heap, (-ratio, counter, k, local, version, gains))  # re-rank
            continue
        if goal.budget is not None and value + cost > goal.budget + 1e-9:
            continue  # unaffordable: cheaper units may still fit
        g.apply(k, local)
        value += cost
        curve.append(CurvePoint(value, g.overall()))
        met = g.targets_met()
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
    by_part = demands_by_part(network)
    sites = {s: k for k, s in enumerate(network.sites)}
    for part in network.parts:
        state = prepare_part(
            network,
            part,
            extra_depots=stocked.get(part.id, ()),
            rows=by_part.get(part.id, []),
            site_index=sites,
        )
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
