"""METRIC (Sherbrooke): a central depot resupplying bases, repairable items, base stock.

Each part `i` fails at base `j` at `rate` per time unit. A failed unit is repaired at
the base with probability `base_repair_prob` (taking `base_repair_time`); otherwise it
goes to the depot, which repairs it in `depot_repair_time` while the base is resupplied
from depot stock after `order_ship_time` (plus a wait when the depot is out of stock).
Every location keeps a base stock S and reorders one for one (S-1, S).

With Poisson demand, Palm's theorem makes each pipeline Poisson:

- depot demand      m0 = sum over bases of rate * (1 - base_repair_prob);
- depot pipeline    mu0 = m0 * depot_repair_time;
- depot delay       EBO0(s0) / m0 (Little's law; 0 when the depot sees no demand);
- base pipeline     mu_j = rate * (r * base_repair_time
                                   + (1 - r) * (order_ship_time + EBO0(s0) / m0)).

The system measure is the total expected backorders at the bases (units short at the
bases on average). All times share the unit of the rates (years with demands per year).

For one part, `part_curve` enumerates the depot stock and, for each, the best spread of
base stock (greedy on equal-cost units is exact for a separable convex sum), and keeps
the best split for every total. `marginal_curve` then allocates across parts along each
part's lower convex hull of (cost, EBO), steepest EBO reduction per unit of money first.
Every point it returns is on the lower convex hull of all allocations; undominated
allocations strictly above the hull are found only by full enumeration.

VARI-METRIC (Sherbrooke 1986; Graves 1985) keeps the depot-delay variance: a base
pipeline then has variance rate*(r*T + (1-r)*O) + f^2 Var[B0] + f(1-f) EBO0 with
f = rate*(1-r)/m0, and base backorders follow a negative binomial of that mean and
variance (`vari=True`).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from logistics.planning.poisson import (
    backorder_variance,
    expected_backorders,
    negative_binomial_backorders,
)

CURVE_TOLERANCE = 1e-12  # a part's curve runs until its expected backorders fall below this
MAX_UNITS_PER_PART = 100_000  # bounded memory: refuse curves longer than this


class PlanningInputError(ValueError):
    """An instance that cannot be planned; the message names the record and field."""


@dataclass(frozen=True)
class MetricPart:
    """A repairable part model: its unit cost (money) and depot repair time."""

    id: str
    unit_cost: float
    depot_repair_time: float

    def __post_init__(self) -> None:
        _require_non_negative(f"part {self.id!r}", "unit_cost", self.unit_cost)
        _require_non_negative(f"part {self.id!r}", "depot_repair_time", self.depot_repair_time)


@dataclass(frozen=True)
class MetricDemand:
    """Failures of one part at one base, and where they are repaired."""

    part: str
    base: str
    rate: float
    base_repair_prob: float
    base_repair_time: float
    order_ship_time: float

    def __post_init__(self) -> None:
        where = f"demand for part {self.part!r} at base {self.base!r}"
        for name in ("rate", "base_repair_time", "order_ship_time"):
            _require_non_negative(where, name, getattr(self, name))
        _require_non_negative(where, "base_repair_prob", self.base_repair_prob)
        if self.base_repair_prob > 1:
            raise PlanningInputError(
                f"{where}: base_repair_prob must be within [0, 1], got {self.base_repair_prob}"
            )

    @property
    def depot_rate(self) -> float:
        """Failures per time unit sent to the depot for repair."""
        return self.rate * (1.0 - self.base_repair_prob)


@dataclass(frozen=True)
class MetricInstance:
    """Parts, bases and demands; ids unique, every demand naming a known part and base."""

    parts: tuple[MetricPart, ...]
    bases: tuple[str, ...]
    demands: tuple[MetricDemand, ...]

    def __post_init__(self) -> None:
        part_ids = [p.id for p in self.parts]
        for ids, kind in ((part_ids, "part"), (list(self.bases), "base")):
            seen: set[str] = set()
            for i in ids:
                if i in seen:
                    raise PlanningInputError(f"{kind} id {i!r} appears twice")
                seen.add(i)
        known_parts, known_bases = set(part_ids), set(self.bases)
        pairs: set[tuple[str, str]] = set()
        for k, d in enumerate(self.demands):
            if d.part not in known_parts:
                raise PlanningInputError(f"demands[{k}]: unknown part {d.part!r}")
            if d.base not in known_bases:
                raise PlanningInputError(f"demands[{k}]: unknown base {d.base!r}")
            if (d.part, d.base) in pairs:
                raise PlanningInputError(
                    f"demands[{k}]: the demand for part {d.part!r} at base {d.base!r} appears twice"
                )
            pairs.add((d.part, d.base))

    def demands_of(self, part_id: str) -> list[MetricDemand]:
        """The part's demands in the order of `bases`."""
        order = {b: k for k, b in enumerate(self.bases)}
        return sorted((d for d in self.demands if d.part == part_id), key=lambda d: order[d.base])


@dataclass(frozen=True)
class PartAllocation:
    """One part's stock: depot units and units per base, with the resulting base EBO."""

    depot: int
    bases: Mapping[str, int]
    ebo: float

    @property
    def units(self) -> int:
        return self.depot + sum(self.bases.values())


@dataclass(frozen=True)
class CurvePoint:
    """A point of the marginal-analysis curve: total cost, total base EBO, the stock."""

    cost: float
    ebo: float
    stock: Mapping[str, PartAllocation] = field(repr=False)


# --- pipelines ---------------------------------------------------------------------------


def depot_demand(demands: Sequence[MetricDemand]) -> float:
    """m0: failures per time unit that reach the depot."""
    return math.fsum(d.depot_rate for d in demands)


def depot_pipeline(part: MetricPart, demands: Sequence[MetricDemand]) -> float:
    """mu0 = m0 * depot repair time (units in depot repair on average)."""
    return depot_demand(demands) * part.depot_repair_time


def depot_delay(depot_stock: int, part: MetricPart, demands: Sequence[MetricDemand]) -> float:
    """Average wait (time units) for a depot resupply: EBO0(s0) / m0, 0 with no depot demand."""
    m0 = depot_demand(demands)
    if m0 == 0:
        return 0.0
    return expected_backorders(depot_stock, m0 * part.depot_repair_time) / m0


def base_pipeline(demand: MetricDemand, delay: float) -> float:
    """mu_j: the mean number of the base's units in resupply given the depot delay."""
    r = demand.base_repair_prob
    return demand.rate * (
        r * demand.base_repair_time + (1.0 - r) * (demand.order_ship_time + delay)
    )


def base_pipeline_variance(
    demand: MetricDemand, depot_stock: int, part: MetricPart, demands: Sequence[MetricDemand]
) -> float:
    """VARI-METRIC's variance of a base pipeline (Graves / Sherbrooke)."""
    r = demand.base_repair_prob
    own = demand.rate * (r * demand.base_repair_time + (1.0 - r) * demand.order_ship_time)
    m0 = depot_demand(demands)
    if m0 == 0:
        return own
    mu0 = m0 * part.depot_repair_time
    f = demand.depot_rate / m0
    ebo0 = expected_backorders(depot_stock, mu0)
    return own + f * f * backorder_variance(depot_stock, mu0) + f * (1.0 - f) * ebo0


def _base_backorder_function(
    part: MetricPart, demands: Sequence[MetricDemand], depot_stock: int, vari: bool
) -> list[tuple[float, float]]:
    """Per demand (in order): (pipeline mean, pipeline variance) for this depot stock."""
    delay = depot_delay(depot_stock, part, demands)
    out = []
    for d in demands:
        mean = base_pipeline(d, delay)
        var = base_pipeline_variance(d, depot_stock, part, demands) if vari else mean
        out.append((mean, var))
    return out


def _base_ebo(s: int, mean: float, variance: float, vari: bool) -> float:
    if vari:
        return negative_binomial_backorders(s, mean, variance)
    return expected_backorders(s, mean)


def evaluate_part(
    part: MetricPart,
    demands: Sequence[MetricDemand],
    depot_stock: int,
    base_stock: Mapping[str, int],
    vari: bool = False,
) -> float:
    """Total expected base backorders of one part for a given stock."""
    pipes = _base_backorder_function(part, demands, depot_stock, vari)
    return math.fsum(
        _base_ebo(base_stock.get(d.base, 0), mean, var, vari)
        for d, (mean, var) in zip(demands, pipes, strict=True)
    )


def evaluate(instance: MetricInstance, stock: Mapping[str, tuple[int, Mapping[str, int]]]) -> float:
    """Total expected base backorders over all parts for {part: (depot, {base: s})}."""
    total = []
    for part in instance.parts:
        depot, bases = stock.get(part.id, (0, {}))
        total.append(evaluate_part(part, instance.demands_of(part.id), depot, bases))
    return math.fsum(total)


# --- one part: the best split of every total stock -----------------------------------------


class _BaseGreedy:
    """Base stock added one unit at a time where it removes the most backorders.

    Units cost the same at every base and each base's EBO is convex in its stock, so
    after k steps the spread is optimal among all spreads of k units (ties: base order).
    """

    def __init__(self, bases: Sequence[str], pipes: Sequence[tuple[float, float]], vari: bool):
        self.bases = list(bases)
        self.pipes = list(pipes)
        self.vari = vari
        self.stock = [0] * len(bases)
        self.ebo = [_base_ebo(0, m, v, vari) for m, v in pipes]
        self._next = [_base_ebo(1, m, v, vari) for m, v in pipes]
        self.heap = [(-(self.ebo[k] - self._next[k]), k) for k in range(len(bases))]
        heapq.heapify(self.heap)

    def total(self) -> float:
        return math.fsum(self.ebo)

    def add_one(self) -> None:
        _, k = heapq.heappop(self.heap)
        self.stock[k] += 1
        self.ebo[k] = self._next[k]
        mean, var = self.pipes[k]
        self._next[k] = _base_ebo(self.stock[k] + 1, mean, var, self.vari)
        heapq.heappush(self.heap, (-(self.ebo[k] - self._next[k]), k))


def part_curve(
    part: MetricPart,
    demands: Sequence[MetricDemand],
    vari: bool = False,
    tolerance: float = CURVE_TOLERANCE,
) -> list[PartAllocation]:
    """The least-EBO allocation of n units of one part, for n = 0, 1, ... .

    Depot stock runs from 0 until the depot's own backorders fall below `tolerance`
    (more depot stock cannot shorten any base pipeline); for each depot level the base
    stock grows greedily. The curve stops at the first total whose EBO is below
    `tolerance`. A part without depot demand keeps its depot at 0.
    """
    bases = [d.base for d in demands]
    mu0 = depot_pipeline(part, demands)
    max_depot = 0
    while expected_backorders(max_depot, mu0) >= tolerance:
        max_depot += 1
    greedies: list[_BaseGreedy] = []
    curve: list[PartAllocation] = []
    for n in range(MAX_UNITS_PER_PART + 1):
        best: PartAllocation | None = None
        for s0 in range(min(n, max_depot) + 1):
            if s0 == len(greedies):  # this depot level starts now, with no base stock
                pipes = _base_backorder_function(part, demands, s0, vari)
                greedies.append(_BaseGreedy(bases, pipes, vari))
            else:
                greedies[s0].add_one()
            g = greedies[s0]
            ebo = g.total()
            if best is None or ebo < best.ebo:
                best = PartAllocation(s0, dict(zip(bases, g.stock, strict=True)), ebo)
        assert best is not None
        curve.append(best)
        if best.ebo < tolerance:
            return curve
    raise PlanningInputError(
        f"part {part.id!r} would need more than {MAX_UNITS_PER_PART} units to cover its demand"
    )


def lower_convex_hull(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the points on the lower convex hull of a curve sorted by cost.

    Keeps the first point and every later point on or below the chord of its hull
    neighbours (points on a hull edge stay: a finer step is still an optimal step);
    a point that does not lower the value is never worth its cost and is dropped.
    """
    hull: list[int] = []
    for i, (x, y) in enumerate(points):
        if hull and (y >= points[hull[-1]][1] or x <= points[hull[-1]][0]):
            continue
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = points[hull[-2]], points[hull[-1]]
            left, right = (x2 - x1) * (y - y1), (y2 - y1) * (x - x1)
            if left - right < -1e-12 * (abs(left) + abs(right)):  # middle point above chord
                hull.pop()
            else:
                break
        hull.append(i)
    return hull


# --- all parts: marginal analysis -----------------------------------------------------------


def marginal_curve(
    instance: MetricInstance,
    max_cost: float | None = None,
    ebo_target: float = 0.001,
    vari: bool = False,
) -> list[CurvePoint]:
    """The marginal-analysis curve from zero stock, one point per step.

    Each step moves one part to the next vertex (or edge point) of its own convex hull
    of (cost, EBO), the part whose step removes the most backorders per unit of money
    (ties: the part listed first). Stops before a step whose cost would exceed
    `max_cost`, after the first point whose total EBO is below `ebo_target`, or when
    no step lowers EBO any more.
    """
    curves: list[list[PartAllocation]] = []
    hulls: list[list[int]] = []
    for part in instance.parts:
        curve = part_curve(part, instance.demands_of(part.id), vari=vari)
        curves.append(curve)
        if part.unit_cost == 0:  # free stock: straight to the end of the curve
            hulls.append([0, len(curve) - 1] if len(curve) > 1 else [0])
        else:
            hulls.append(lower_convex_hull([(a.units * part.unit_cost, a.ebo) for a in curve]))

    position = [0] * len(curves)  # index into each part's hull

    def step_key(k: int) -> tuple[float, int] | None:
        hull, curve = hulls[k], curves[k]
        if position[k] + 1 >= len(hull):
            return None
        a, b = curve[hull[position[k]]], curve[hull[position[k] + 1]]
        added_cost = (b.units - a.units) * instance.parts[k].unit_cost
        gain = a.ebo - b.ebo
        ratio = math.inf if added_cost == 0 else gain / added_cost
        return (-ratio, k)

    heap = [key for k in range(len(curves)) if (key := step_key(k)) is not None]
    heapq.heapify(heap)

    def point() -> CurvePoint:
        allocations = {p.id: curves[k][hulls[k][position[k]]] for k, p in enumerate(instance.parts)}
        cost = math.fsum(
            a.units * p.unit_cost for p, a in zip(instance.parts, allocations.values(), strict=True)
        )
        ebo = math.fsum(a.ebo for a in allocations.values())
        return CurvePoint(cost, ebo, allocations)

    points = [point()]
    while heap and points[-1].ebo >= ebo_target:
        _, k = heapq.heappop(heap)
        position[k] += 1
        candidate = point()
        if max_cost is not None and candidate.cost > max_cost * (1 + 1e-12) + 1e-12:
            break
        points.append(candidate)
        if (key := step_key(k)) is not None:
            heapq.heappush(heap, key)
    return points


def _require_non_negative(where: str, name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlanningInputError(f"{where}: {name} must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise PlanningInputError(f"{where}: {name} must be a finite number >= 0, got {value}")


# --- instance files -----------------------------------------------------------------------

_PART_FIELDS = ("id", "unit_cost", "depot_repair_time")
_DEMAND_FIELDS = (
    "part",
    "base",
    "rate",
    "base_repair_prob",
    "base_repair_time",
    "order_ship_time",
)


def instance_from_dict(data: object) -> MetricInstance:
    """Build an instance from the JSON shape of `python -m bench.metric`.

    `{"parts": [{"id", "unit_cost", "depot_repair_time"}], "bases": ["B1", ...],
    "demands": [{"part", "base", "rate", "base_repair_prob", "base_repair_time",
    "order_ship_time"}]}`. Raises PlanningInputError naming the record and field.
    """
    if not isinstance(data, dict):
        raise PlanningInputError("the instance must be a JSON object")
    for key in ("parts", "bases", "demands"):
        if key not in data:
            raise PlanningInputError(f"missing field {key!r}")
        if not isinstance(data[key], list):
            raise PlanningInputError(f"field {key!r} must be a list")
    parts = []
    for k, raw in enumerate(data["parts"]):
        record = _record(raw, f"parts[{k}]", _PART_FIELDS)
        parts.append(
            MetricPart(
                _identifier(record["id"], f"parts[{k}].id"),
                _number(record["unit_cost"], f"parts[{k}] (part {record['id']!r}).unit_cost"),
                _number(
                    record["depot_repair_time"],
                    f"parts[{k}] (part {record['id']!r}).depot_repair_time",
                ),
            )
        )
    bases = tuple(_identifier(b, f"bases[{k}]") for k, b in enumerate(data["bases"]))
    demands = []
    for k, raw in enumerate(data["demands"]):
        record = _record(raw, f"demands[{k}]", _DEMAND_FIELDS)
        values = {
            name: _number(record[name], f"demands[{k}].{name}") for name in _DEMAND_FIELDS[2:]
        }
        demands.append(
            MetricDemand(
                part=_identifier(record["part"], f"demands[{k}].part"),
                base=_identifier(record["base"], f"demands[{k}].base"),
                **values,
            )
        )
    return MetricInstance(tuple(parts), bases, tuple(demands))


def _record(raw: object, where: str, fields: Sequence[str]) -> dict[str, object]:
    if not isinstance(raw, dict):
        raise PlanningInputError(f"{where} must be an object")
    for name in fields:
        if name not in raw or raw[name] is None:
            raise PlanningInputError(f"{where}: missing field {name!r}")
    return raw


def _identifier(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise PlanningInputError(f"{where} must be a non-empty string, got {value!r}")
    return value


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlanningInputError(f"{where} must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise PlanningInputError(f"{where} must be a finite number >= 0, got {value}")
    return float(value)
