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
from collections import OrderedDict, defaultdict
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


# "spare" is the SLA table's spare_delivery clock (logistics/sla.py): the planning API,
# its CLI and the stored plans name it so.
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


_LOG_FACTORIAL = np.zeros(1)  # log x! for x = 0, 1, ...; grown on demand


def _log_factorial(top: int) -> np.ndarray:
    global _LOG_FACTORIAL
    if len(_LOG_FACTORIAL) <= top:
        size = max(top + 1, 2 * len(_LOG_FACTORIAL))
        _LOG_FACTORIAL = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, size)))))
    return _LOG_FACTORIAL[: top + 1]


def poisson_cdf(k: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """P[N ≤ k] elementwise for N ~ Poisson(mean); k = -1 gives 0.

    Each term exp(x log m − m − log x!) is computed in logs (no underflow of exp(−m) for
    large means) and the terms x ≤ k are summed, all x at once (a few numpy calls
    whatever k is: the optimiser calls this tens of thousands of times on small arrays).
    """
    kk, mm = np.asarray(k), np.asarray(mean, dtype=float)
    if kk.shape != mm.shape:
        kk, mm = np.broadcast_arrays(kk, mm)
    shape = kk.shape
    flat_k = kk.ravel()
    out = np.zeros(flat_k.shape)
    sel = np.flatnonzero(flat_k >= 0)  # k = -1 (no stock) is 0: most depots of a candidate
    if sel.size == 0:
        return out.reshape(shape)
    k_sel, m_sel = flat_k[sel], mm.ravel()[sel]
    top = int(k_sel.max())
    x = np.arange(top + 1)
    positive = m_sel > 0
    log_m = np.log(np.where(positive, m_sel, 1.0))[:, None]
    log_p = x * log_m - m_sel[:, None] - _log_factorial(top)
    terms = np.where(x <= k_sel[:, None], np.exp(log_p), 0.0)
    out[sel] = np.minimum(np.where(positive, terms.sum(axis=1), 1.0), 1.0)
    return out.reshape(shape)


def evaluate_part(state: PartState, stock: np.ndarray) -> PartService:
    """Fill rates of one part for `stock` (units per considered depot)."""
    fill, availability, demand = evaluate_batch(state, np.asarray(stock, dtype=int)[None, :])
    return PartService({c: f[0] for c, f in fill.items()}, availability[0], demand[0])


def evaluate_batch(
    state: PartState, stock: np.ndarray, clocks: Sequence[str] = CLOCKS
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """`evaluate_part` for B stock vectors at once (stock: B × depots).

    Returns (fill per clock: B × rows, availability: B × depots, depot demand: B × depots).
    """
    n_batch, n_depots = stock.shape
    if len(state.rates) == 0:
        empty = np.zeros((n_batch, 0))
        return {c: empty for c in clocks}, np.ones((n_batch, n_depots)), np.zeros(stock.shape)
    fill, availability, demand = evaluate_group(group_parts([state]), stock[None, :, :], clocks)
    return {c: f[0] for c, f in fill.items()}, availability[0], demand[0]


_FAR = 1e12  # minutes of a padding row or depot: never within a clock


@dataclass
class PartGroup:
    """Several parts' arrays padded to common sizes, to evaluate them in one numpy pass
    (numpy's per-call cost, not arithmetic, dominates one small part). Padding rows have no
    failures and padding depots are in no row's ranking, so neither changes a result."""

    states: list[PartState]
    rates: np.ndarray  # parts × rows
    order: np.ndarray  # parts × rows × ranked (local depot index)
    ranked_minutes: np.ndarray  # parts × rows × ranked
    clocks: dict[str, np.ndarray]  # clock → parts × rows
    resupply_years: np.ndarray  # parts × depots
    n_depots: np.ndarray  # real depots per part
    n_rows: np.ndarray  # real rows per part
    layouts: dict[int, tuple[np.ndarray, ...]] = field(default_factory=dict)  # by batch size

    def layout(self, n_batch: int) -> tuple[np.ndarray, ...]:
        """Flat indices and broadcast weights for `n_batch` stock vectors per part, built
        once per batch size (the optimiser evaluates the same part thousands of times)."""
        if n_batch not in self.layouts:
            n_parts, n_rows, n_ranked = self.order.shape
            n_depots = self.resupply_years.shape[1]
            shape4 = (n_parts, n_batch, n_rows, n_ranked)
            cell = (np.arange(n_parts)[:, None] * n_batch + np.arange(n_batch)[None, :]) * n_depots
            flat = (cell[:, :, None, None] + self.order[:, None, :, :]).ravel()
            row_base = (
                np.arange(n_parts)[:, None] * n_rows + np.arange(n_rows)[None, :]
            ) * n_ranked
            rates = self.rates[:, None, :]
            years = np.ascontiguousarray(
                np.broadcast_to(self.resupply_years[:, None, :], (n_parts, n_batch, n_depots))
            ).ravel()
            self.layouts[n_batch] = (
                cell[:, :, None],
                flat,
                row_base[:, None, :],
                np.ascontiguousarray(np.broadcast_to(rates, (n_parts, n_batch, n_rows))).ravel(),
                np.ascontiguousarray(np.broadcast_to(rates[..., None], shape4)).ravel(),
                years,
            )
        return self.layouts[n_batch]


def group_parts(states: Sequence[PartState]) -> PartGroup:
    """Pad the parts' arrays (each with at least one demand row) to common sizes."""
    n_parts = len(states)
    n_rows = np.array([len(st.rates) for st in states], dtype=int)
    n_depots = np.array([len(st.depot_index) for st in states], dtype=int)
    ranked = max(st.order.shape[1] for st in states)
    rows, depots = int(n_rows.max()), int(n_depots.max())
    rates = np.zeros((n_parts, rows))
    order = np.zeros((n_parts, rows, ranked), dtype=int)
    minutes = np.full((n_parts, rows, ranked), _FAR)
    clocks = {c: np.zeros((n_parts, rows)) for c in CLOCKS}
    years = np.ones((n_parts, depots))
    for p, st in enumerate(states):
        r, k = st.order.shape
        rates[p, :r] = st.rates
        order[p, :r, :k] = st.order
        minutes[p, :r, :k] = np.take_along_axis(st.minutes.T, st.order, axis=1)
        for c in CLOCKS:
            clocks[c][p, :r] = st.clocks[c]
        years[p, : len(st.resupply_years)] = st.resupply_years
    return PartGroup(list(states), rates, order, minutes, clocks, years, n_depots, n_rows)


def evaluate_group(
    group: PartGroup, stock: np.ndarray, clocks: Sequence[str] = CLOCKS
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Fill rates of every part of `group` for B stock vectors each (stock: parts × B ×
    depots). Returns (fill per clock: parts × B × rows, availability and depot demand:
    parts × B × depots)."""
    n_parts, n_batch, n_depots = stock.shape
    order = group.order  # P × R × K
    _, n_rows, n_ranked = order.shape
    shape4 = (n_parts, n_batch, n_rows, n_ranked)
    # flat indices (numpy's fancy indexing on several axes costs more than the arithmetic)
    cell, flat, row_base, rate_rows, rate_cells, years = group.layout(n_batch)
    stock_flat = stock.ravel()
    stocked = (stock_flat[flat] > 0).reshape(shape4)
    first = np.where(stocked.any(axis=3), stocked.argmax(axis=3), 0)  # P × B × R
    at_first = (row_base + first).ravel()  # into P × R × K
    serving = order.ravel()[at_first].reshape(first.shape)  # P × B × R
    serving_flat = (cell + serving).ravel()
    size = n_parts * n_batch * n_depots
    demand = np.bincount(serving_flat, rate_rows, size)
    less = stock_flat - 1
    for _ in range(_FIXED_POINT_ROUNDS):
        a_ranked = poisson_cdf(less, demand * years)[flat].reshape(shape4)
        out_before = np.cumprod(1 - a_ranked, axis=3)
        ship = a_ranked.copy()
        ship[..., 1:] *= out_before[..., :-1]
        all_out = out_before[..., -1]
        demand = np.bincount(flat, ship.ravel() * rate_cells, size)
        demand += np.bincount(serving_flat, all_out.ravel() * rate_rows, size)
    availability_flat = poisson_cdf(less, demand * years)
    availability = availability_flat.reshape(stock.shape)
    a_ranked = availability_flat[flat].reshape(shape4)
    out_before = np.cumprod(1 - a_ranked, axis=3)
    ship = a_ranked.copy()
    ship[..., 1:] *= out_before[..., :-1]
    ranked_minutes = group.ranked_minutes[:, None, :, :]  # P × 1 × R × K
    serve_minutes = group.ranked_minutes.ravel()[at_first].reshape(first.shape)  # P × B × R
    s_b = stock_flat[serving_flat].reshape(first.shape)
    serve_years = years[serving_flat].reshape(first.shape)
    mu_b = demand[serving_flat].reshape(first.shape) * serve_years
    r_b_min = serve_years * (365.0 * MINUTES_PER_DAY)
    f_out = poisson_cdf(s_b - 1, mu_b)
    demand = demand.reshape(stock.shape)
    fill: dict[str, np.ndarray] = {}
    for clock in clocks:
        w = group.clocks[clock][:, None, :]  # P × 1 × R
        in_time = ranked_minutes <= w[..., None]
        on_shelf = (ship * in_time).sum(axis=3)
        reach_out = np.prod(np.where(in_time, 1 - a_ranked, 1.0), axis=3)
        slack = w - serve_minutes  # minutes the pipeline may take
        left = np.clip((r_b_min - np.maximum(slack, 0.0)) / np.maximum(r_b_min, 1e-9), 0, 1)
        within = np.where(slack >= r_b_min, 1.0, poisson_cdf(s_b - 1, mu_b * left))
        cond = np.where(f_out < 1 - 1e-15, (within - f_out) / np.maximum(1 - f_out, 1e-300), 1.0)
        pipeline = np.where(slack >= 0, reach_out * np.clip(cond, 0.0, 1.0), 0.0)
        fill[clock] = np.clip(on_shelf + pipeline, 0.0, 1.0)
    return fill, availability, demand


# --- optimisation --------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceTargets:
    """Target in-clock fill rate per service class for one clock, or a budget (money);
    optionally targets on the other clock too (`other_clock_targets`), met together."""

    clock: str = "replacement"
    targets: Mapping[str, float] = field(default_factory=dict)
    budget: float | None = None
    other_clock_targets: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.clock not in CLOCKS:
            raise PlanningInputError(f"clock must be one of {CLOCKS}, got {self.clock!r}")
        for klass, t in (*self.targets.items(), *self.other_clock_targets.items()):
            if not 0 <= t <= 1:
                raise PlanningInputError(f"target of class {klass} must be within [0, 1]")

    @property
    def clocks(self) -> tuple[str, ...]:
        """The clocks the optimiser counts, the curve's clock first."""
        if not self.other_clock_targets:
            return (self.clock,)
        return (self.clock, *(c for c in CLOCKS if c != self.clock))

    def targets_on(self, clock: str) -> Mapping[str, float]:
        return self.targets if clock == self.clock else self.other_clock_targets
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


LAZY_CANDIDATES = 8  # candidates re-evaluated together when a part's best bound is stale
LAZY_PARTS = 16  # parts whose best bounds are stale at the top of the heap, evaluated together
CACHED_GROUPS = 256  # single-part groups kept between evaluations
GROUP_CELLS = 400_000  # trial cells (trials × rows × ranked depots) per batched evaluation


class _Greedy:
    """The state of the greedy: per part its stock and in-clock failures per clock and
    demand row, per (clock, class) column what is served, needed and reachable. Columns
    are clock-major: column ci × n_classes + i is class i on clock ci; the goal's clock is
    ci = 0, the one the curve follows."""

    def __init__(self, network: PlanNetwork, states: Sequence[PartState], goal: ServiceTargets):
        self.network, self.states, self.goal = network, states, goal
        self.stock = [np.zeros(len(s.depot_index), dtype=int) for s in states]
        self.classes = sorted({d.service_class for d in network.demands})
        self.class_index = {c: i for i, c in enumerate(self.classes)}
        self.row_class = [
            np.array([self.class_index[d.service_class] for d in s.demand_rows], dtype=int)
            for s in states
        ]
        self.onehot = []
        for k, s in enumerate(states):
            onehot = np.zeros((len(s.rates), len(self.classes)))
            onehot[np.arange(len(s.rates)), self.row_class[k]] = 1.0
            self.onehot.append(onehot)
        self.clocks = goal.clocks
        n_cols = len(self.clocks) * len(self.classes)
        # served failures per year: clocks × rows
        self.served_rows: list[np.ndarray] = [
            np.zeros((len(self.clocks), len(s.rates))) for s in states
        ]
        self.demand_by_class = np.zeros(n_cols)
        self.served_by_class = np.zeros(n_cols)
        self.reachable_by_class = np.zeros(n_cols)
        active = [k for k, s in enumerate(states) if len(s.rates)]
        for k, fill in zip(active, self._evaluate_current(active), strict=True):
            self.served_rows[k] = states[k].rates[None, :] * fill
        for k, s in enumerate(states):
            for ci, clock in enumerate(self.clocks):
                np.add.at(self._col(self.demand_by_class, ci), self.row_class[k], s.rates)
                np.add.at(
                    self._col(self.served_by_class, ci), self.row_class[k], self.served_rows[k][ci]
                )
                if len(s.rates):  # in time only if some depot is within the clock
                    reach = s.minutes.min(axis=0) <= s.clocks[clock]
                    np.add.at(
                        self._col(self.reachable_by_class, ci), self.row_class[k], s.rates * reach
                    )
        # a target no stock can reach (sites beyond every depot within the clock) is
        # applied to the reachable failures only; any other target is met as given
        want = np.array(
            [goal.targets_on(clock).get(c, 0.0) for clock in self.clocks for c in self.classes]
        )
        self.goal_by_class = np.where(
            want * self.demand_by_class <= REACHABLE_SHARE * self.reachable_by_class,
            want * self.demand_by_class,
            want * self.reachable_by_class,
        )
        self.min_gain = max(_MIN_GAIN, 1e-7 * float(self._col(self.demand_by_class, 0).sum()))
        self.version = [0] * len(states)
        self.trials: dict[int, np.ndarray] = {}  # part → served per row for each candidate
        # one part's padded arrays and index layouts, kept for the parts evaluated last
        # (the popular parts come back thousands of times; memory stays bounded)
        self.groups: OrderedDict[int, PartGroup] = OrderedDict()

    def _col(self, values: np.ndarray, ci: int) -> np.ndarray:
        """The columns of clock ci (a view: np.add.at on it writes through)."""
        n = len(self.classes)
        return values[ci * n : (ci + 1) * n]

    def _gains(self, k: int, served: np.ndarray) -> np.ndarray:
        """Gain per (clock, class) column of candidates whose served failures per year are
        `served` (candidates × clocks × rows), against part k's current stock."""
        return np.concatenate(
            [
                (served[:, ci, :] - self.served_rows[k][ci][None, :]) @ self.onehot[k]
                for ci in range(len(self.clocks))
            ],
            axis=1,
        )

    def _group(self, chunk: list[int]) -> PartGroup:
        if len(chunk) > 1:
            return group_parts([self.states[k] for k in chunk])
        k = chunk[0]
        if k in self.groups:
            self.groups.move_to_end(k)
        else:
            self.groups[k] = group_parts([self.states[k]])
            if len(self.groups) > CACHED_GROUPS:
                self.groups.popitem(last=False)
        return self.groups[k]

    def _chunks(self, ks: Sequence[int], trials: bool) -> list[list[int]]:
        """`ks` in groups of similar size, each group small enough for one evaluation."""

        def cells(k: int) -> int:
            st = self.states[k]
            return len(st.rates) * st.order.shape[1] * (len(st.depot_index) if trials else 1)

        ordered = sorted(
            ks, key=lambda k: (len(self.states[k].depot_index), len(self.states[k].rates))
        )
        out: list[list[int]] = []
        current: list[int] = []
        widest = 0
        for k in ordered:
            # padded cost: every part in the group pays for the largest one
            widest = max(widest, cells(k))
            if current and widest * (len(current) + 1) > GROUP_CELLS:
                out.append(current)
                current, widest = [], cells(k)
            current.append(k)
        if current:
            out.append(current)
        return out

    def _evaluate_current(self, ks: Sequence[int]) -> list[np.ndarray]:
        """Fill per counted clock and demand row (clocks × rows) of each part in `ks` at
        its current stock."""
        found: dict[int, np.ndarray] = {}
        for chunk in self._chunks(ks, trials=False):
            group = group_parts([self.states[k] for k in chunk])
            width = group.resupply_years.shape[1]
            stock = np.zeros((len(chunk), 1, width), dtype=int)
            for p, k in enumerate(chunk):
                stock[p, 0, : len(self.stock[k])] = self.stock[k]
            fill = evaluate_group(group, stock, self.clocks)[0]
            for p, k in enumerate(chunk):
                r = len(self.states[k].rates)
                found[k] = np.stack([fill[c][p, 0, :r] for c in self.clocks])
        return [found[k] for k in ks]

    def gain_matrices(self, ks: Sequence[int]) -> dict[int, np.ndarray]:
        """Per part in `ks`: in-clock failures per year gained by one more unit at each of
        its considered depots (candidates × classes), all parts evaluated in few batches."""
        out: dict[int, np.ndarray] = {}
        for chunk in self._chunks(ks, trials=True):
            group = self._group(chunk)
            width = group.resupply_years.shape[1]
            stock = np.zeros((len(chunk), width, width), dtype=int)
            for p, k in enumerate(chunk):
                n = len(self.stock[k])
                stock[p, :, :n] = self.stock[k][None, :]
                stock[p, np.arange(n), np.arange(n)] += 1
            fill = evaluate_group(group, stock, self.clocks)[0]
            for p, k in enumerate(chunk):
                st = self.states[k]
                n, r = len(st.depot_index), len(st.rates)
                # candidates × clocks × rows
                served = np.stack([fill[c][p, :n, :r] for c in self.clocks], axis=1)
                served *= st.rates[None, None, :]
                self.trials[k] = served
                out[k] = self._gains(k, served)
        return out

    def candidate_gains(
        self, picks: Mapping[int, np.ndarray]
    ) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """For some candidate depots of some parts (part → candidates): the served
        failures per clock and row with one more unit there (candidates × clocks × rows)
        and the gain per column (candidates × columns); all the parts in one numpy pass."""
        ks = list(picks)
        group = self._group(ks)
        width = group.resupply_years.shape[1]
        most = max(len(c) for c in picks.values())
        stock = np.zeros((len(ks), most, width), dtype=int)
        for p, k in enumerate(ks):
            stock[p, :, : len(self.stock[k])] = self.stock[k][None, :]
            stock[p, np.arange(len(picks[k])), picks[k]] += 1
        fill = evaluate_group(group, stock, self.clocks)[0]
        out = {}
        for p, k in enumerate(ks):
            st = self.states[k]
            m, r = len(picks[k]), len(st.rates)
            served = np.stack([fill[c][p, :m, :r] for c in self.clocks], axis=1)
            served *= st.rates[None, None, :]
            out[k] = (served, self._gains(k, served))
        return out

    def need(self) -> np.ndarray | None:
        """Per column, in-clock failures per year still missing; None when budget-only."""
        if self.goal.budget is not None and not (
            self.goal.targets or self.goal.other_clock_targets
        ):
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
        if not (self.goal.targets or self.goal.other_clock_targets):
            return False
        return bool(np.all(self.served_by_class >= self.goal_by_class - 1e-12))

    def apply(self, k: int, local: int, new: np.ndarray) -> None:
        """One more unit of part k at its candidate `local`; `new`: served per clock and
        row then."""
        old = self.served_rows[k]
        self.stock[k][local] += 1
        self.served_rows[k] = new
        for ci in range(len(self.clocks)):
            np.add.at(self._col(self.served_by_class, ci), self.row_class[k], new[ci] - old[ci])
        self.version[k] += 1

    def overall(self) -> float:
        """The fill rate on the goal's clock over all failures (the curve's ordinate)."""
        total = self._col(self.demand_by_class, 0).sum()
        served = self._col(self.served_by_class, 0).sum()
        return float(served / total) if total > 0 else 1.0

    def unmet(self) -> list[str]:
        """Classes short of a target on some counted clock."""
        short = []
        for ci, clock in enumerate(self.clocks):
            targets = self.goal.targets_on(clock)
            served, demand = (
                self._col(self.served_by_class, ci),
                self._col(self.demand_by_class, ci),
            )
            short += [
                c
                for i, c in enumerate(self.classes)
                if served[i] < targets.get(c, 0.0) * demand[i] - 1e-9 and c not in short
            ]
        return short


def optimise(network: PlanNetwork, goal: ServiceTargets) -> Recommendation:
    """Least stock value meeting `goal.targets`, or best service within `goal.budget`.

    Greedy with one heap entry per part: its best candidate's ratio (useful in-clock
    failures per year per unit of money) when last computed. Useful gains only shrink as
    classes approach their targets, so a popped entry is re-ranked when its ratio, with
    today's needs, fell below the next entry's; otherwise its best unit is added and the
    part is re-evaluated (all its candidate depots in one numpy pass).
    """
    if not goal.targets and not goal.other_clock_targets and goal.budget is None:
        raise PlanningInputError("give class targets, a budget, or both")
    by_part = demands_by_part(network)
    sites = {s: k for k, s in enumerate(network.sites)}
    states = [
        prepare_part(network, p, rows=by_part.get(p.id, []), site_index=sites)
        for p in network.parts
    ]
    g = _Greedy(network, states, goal)
    heap: list[tuple[float, int, int, int]] = []  # (-ratio bound, counter, part, version)
    matrices: dict[int, np.ndarray] = {}  # part → gain per candidate × class (maybe stale)
    fresh: dict[int, np.ndarray] = {}  # part → which candidates' gains are current
    trial_rows: dict[int, dict[int, np.ndarray]] = {}  # part → candidate → served per row
    counter = 0

    def ratio_of(k: int, useful: float) -> float:
        cost = states[k].part.unit_cost
        return math.inf if cost == 0 else useful / cost

    def push(k: int, ratio: float) -> None:
        nonlocal counter
        counter += 1
        heapq.heappush(heap, (-ratio, counter, k, g.version[k]))

    def stale_picks(k: int, useful: np.ndarray) -> np.ndarray:
        bounds = np.where(fresh[k], -np.inf, useful)
        pick = np.argsort(-bounds, kind="stable")[:LAZY_CANDIDATES]
        return pick[bounds[pick] > g.min_gain]

    active = [k for k in range(len(states)) if len(states[k].demand_rows)]
    need = g.need()
    for k, gains in g.gain_matrices(active).items():
        matrices[k] = gains
        fresh[k] = np.ones(len(gains), dtype=bool)
        trial_rows[k] = dict(enumerate(g.trials.pop(k)))
        best = float(g.effective(gains, need).max(initial=0.0))
        if best > g.min_gain:
            push(k, ratio_of(k, best))
    value = 0.0
    curve = [CurvePoint(0.0, g.overall())]
    met = g.targets_met()
    while heap and not met:
        neg_ratio, _, k, version = heapq.heappop(heap)
        if version != g.version[k]:
            continue  # stale: the part changed since
        useful = g.effective(matrices[k])
        local = int(np.argmax(useful))
        eff = float(useful[local])
        if eff <= g.min_gain:
            continue  # even the bounds buy nothing: the part is done
        if not fresh[k][local]:
            # the best is a bound from before the part's last unit: evaluate its few best
            # candidates, with those of the next parts in the same state (one numpy pass)
            picks = {k: stale_picks(k, useful)}
            while heap and len(picks) < LAZY_PARTS:
                top = heap[0]
                j = top[2]
                if top[3] != g.version[j] or j in picks:
                    heapq.heappop(heap)
                    continue
                useful_j = g.effective(matrices[j])
                best_j = int(np.argmax(useful_j))
                if fresh[j][best_j] or useful_j[best_j] <= g.min_gain:
                    break
                heapq.heappop(heap)
                picks[j] = stale_picks(j, useful_j)
            for j, (served, gains) in g.candidate_gains(picks).items():
                pick = picks[j]
                matrices[j][pick] = gains
                fresh[j][pick] = True
                trial_rows[j].update(zip(pick.tolist(), served, strict=True))
                best = float(g.effective(matrices[j]).max(initial=0.0))
                if best > g.min_gain:
                    push(j, ratio_of(j, best))
            continue
        ratio = ratio_of(k, eff)
        if heap and ratio < -heap[0][0] - 1e-15 and ratio < -neg_ratio:
            push(k, ratio)  # re-rank
            continue
        cost = states[k].part.unit_cost
        if goal.budget is not None and value + cost > goal.budget + 1e-9:
            continue  # unaffordable: cheaper parts may still fit
        g.apply(k, local, trial_rows[k][local])
        value += cost
        curve.append(CurvePoint(value, g.overall()))
        met = g.targets_met()
        fresh[k][:] = False  # every gain is now a bound (one more unit buys less)
        trial_rows[k] = {}
        push(k, ratio)
    levels: dict[tuple[str, str], int] = {}
    for s, st in zip(states, g.stock, strict=True):
        for local, units in enumerate(st):
            if units:
                levels[(s.part.id, network.depots[s.depot_index[local]].id)] = int(units)
    return Recommendation(levels, _thin(curve), g.unmet(), value)


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
    by_part: dict[str, dict[str, float]]  # part → clock → fill rate over its failures
    by_site: dict[str, dict[str, float]]  # site → clock → fill rate over its failures
    depot_availability: dict[tuple[str, str], float]  # (part, depot) → P(unit on shelf)
    depot_demand: dict[tuple[str, str], float]  # failures per year routed to the depot
    by_part_site: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)


def _evaluate_levels(
    network: PlanNetwork, states: Sequence[PartState], levels: Mapping[tuple[str, str], int]
) -> list[PartService]:
    """Each part's service at the stock `levels`, the parts evaluated in padded groups."""
    out: list[PartService] = []
    order = sorted(range(len(states)), key=lambda k: len(states[k].depot_index))
    found: dict[int, PartService] = {}
    start = 0
    while start < len(order):
        chunk: list[int] = []
        widest = 0
        for k in order[start:]:
            st = states[k]
            widest = max(widest, len(st.rates) * st.order.shape[1] * len(st.depot_index))
            if chunk and widest * (len(chunk) + 1) > GROUP_CELLS:
                break
            chunk.append(k)
        start += len(chunk)
        group = group_parts([states[k] for k in chunk])
        stock = np.zeros((len(chunk), 1, group.resupply_years.shape[1]), dtype=int)
        for p, k in enumerate(chunk):
            st = states[k]
            ids = [network.depots[i].id for i in st.depot_index]
            stock[p, 0, : len(ids)] = [levels.get((st.part.id, d), 0) for d in ids]
        fill, availability, demand = evaluate_group(group, stock)
        for p, k in enumerate(chunk):
            n, r = len(states[k].depot_index), len(states[k].rates)
            found[k] = PartService(
                {c: f[p, 0, :r] for c, f in fill.items()},
                availability[p, 0, :n],
                demand[p, 0, :n],
            )
    out = [found[k] for k in range(len(states))]
    return out


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
    states = [
        prepare_part(
            network,
            part,
            extra_depots=stocked.get(part.id, ()),
            rows=by_part.get(part.id, []),
            site_index=sites,
        )
        for part in network.parts
        if by_part.get(part.id)
    ]
    for part in network.parts:  # stock of a part nobody has installed: always on the shelf
        if not by_part.get(part.id):
            for i in stocked.get(part.id, ()):
                availability[(part.id, network.depots[i].id)] = 1.0
                depot_demand[(part.id, network.depots[i].id)] = 0.0
    for state, result in zip(states, _evaluate_levels(network, states, levels), strict=True):
        part = state.part
        stock = np.array(
            [levels.get((part.id, network.depots[i].id), 0) for i in state.depot_index]
        )
        for local, i in enumerate(state.depot_index):
            pair = (part.id, network.depots[i].id)
            if stock[local] > 0 or result.depot_demand[local] > 0:
                availability[pair] = float(result.availability[local])
                depot_demand[pair] = float(result.depot_demand[local])
        fills = {c: result.fill[c].tolist() for c in CLOCKS}
        for j, row in enumerate(state.demand_rows):
            rate = float(state.rates[j])
            row_fill = {c: fills[c][j] for c in CLOCKS}
            for key in (
                ("class", row.service_class),
                ("customer", row.customer),
                ("part", part.id),
                ("site", row.site),
                ("all", ""),
            ):
                demand[key] += rate
                for clock in CLOCKS:
                    served[(*key, clock)] += rate * row_fill[clock]
            by_part_site[(part.id, row.site)] = row_fill

    def table(kind: str) -> dict[str, dict[str, float]]:
        return {
            key: {c: (served[(k, key, c)] / d if d > 0 else 1.0) for c in CLOCKS}
            for (k, key), d in sorted(demand.items())
            if k == kind
        }

    overall = table("all").get("", {c: 1.0 for c in CLOCKS})
    return ServiceReport(
        by_class=table("class"),
        by_customer=table("customer"),
        overall=overall,
        by_part=table("part"),
        by_site=table("site"),
        depot_availability=availability,
        depot_demand=depot_demand,
        by_part_site=by_part_site,
    )
