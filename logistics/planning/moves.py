"""From current stock to the recommended levels: transfers, purchases, returns.

Per part, surplus depots (free units above the recommended level) send to deficit
depots along the cheapest lanes, solved exactly as a min-cost flow (OR-Tools): as many
units as can move between depots do, at the least total lane cost (minutes of travel
by default). Deficits left over are purchases; surplus left over goes back to the
central warehouse. Only free units are ever counted as surplus: the caller passes the
free good stock on the shelf, never reserved or in-transit units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from logistics.planning.metric import PlanningInputError


@dataclass(frozen=True)
class Transfer:
    part: str
    from_depot: str
    to_depot: str
    qty: int
    lane_cost: float  # per unit, in the unit of the cost matrix (minutes by default)


@dataclass(frozen=True)
class StockLine:
    part: str
    depot: str
    qty: int


@dataclass
class Moves:
    transfers: list[Transfer]
    purchases: list[StockLine]
    returns: list[StockLine]


def plan_moves(
    current: Mapping[tuple[str, str], int],
    target: Mapping[tuple[str, str], int],
    depots: Sequence[str],
    lane_cost: np.ndarray,
) -> Moves:
    """Moves that turn `current` (free units) into `target`, per (part, depot).

    `lane_cost[i, j]` is the cost of moving one unit from depots[i] to depots[j]
    (non-negative; rounded to whole units for the solver).
    """
    if lane_cost.shape != (len(depots), len(depots)):
        raise PlanningInputError("lane_cost must be depots × depots")
    if np.any(~np.isfinite(lane_cost)) or np.any(lane_cost < 0):
        raise PlanningInputError("lane costs must be finite and >= 0")
    index = {d: i for i, d in enumerate(depots)}
    surplus: dict[str, dict[str, int]] = defaultdict(dict)
    deficit: dict[str, dict[str, int]] = defaultdict(dict)
    for key in set(current) | set(target):
        part, depot = key
        if depot not in index:
            raise PlanningInputError(f"unknown depot {depot} for part {part}")
        gap = target.get(key, 0) - current.get(key, 0)
        if gap > 0:
            deficit[part][depot] = gap
        elif gap < 0:
            surplus[part][depot] = -gap
    moves = Moves([], [], [])
    for part in sorted(set(surplus) | set(deficit)):
        give, need = surplus.get(part, {}), deficit.get(part, {})
        moved_out: dict[str, int] = defaultdict(int)
        moved_in: dict[str, int] = defaultdict(int)
        if give and need:
            for t in _transfers(part, give, need, index, lane_cost):
                moves.transfers.append(t)
                moved_out[t.from_depot] += t.qty
                moved_in[t.to_depot] += t.qty
        for depot, qty in sorted(need.items()):
            if qty - moved_in[depot] > 0:
                moves.purchases.append(StockLine(part, depot, qty - moved_in[depot]))
        for depot, qty in sorted(give.items()):
            if qty - moved_out[depot] > 0:
                moves.returns.append(StockLine(part, depot, qty - moved_out[depot]))
    return moves


def _transfers(
    part: str,
    give: Mapping[str, int],
    need: Mapping[str, int],
    index: Mapping[str, int],
    lane_cost: np.ndarray,
) -> list[Transfer]:
    sources, sinks = sorted(give), sorted(need)
    flow = min(sum(give.values()), sum(need.values()))
    from ortools.graph.python import min_cost_flow  # loaded when first solved

    smcf = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1 + len(sources) + len(sinks)
    for k, d in enumerate(sources):
        smcf.add_arc_with_capacity_and_unit_cost(source, 1 + k, give[d], 0)
    for k, d in enumerate(sinks):
        smcf.add_arc_with_capacity_and_unit_cost(1 + len(sources) + k, sink, need[d], 0)
    lanes = {}
    for a, s in enumerate(sources):
        for b, t in enumerate(sinks):
            cost = int(round(float(lane_cost[index[s], index[t]])))
            arc = smcf.add_arc_with_capacity_and_unit_cost(1 + a, 1 + len(sources) + b, flow, cost)
            lanes[arc] = (s, t)
    smcf.set_node_supply(source, flow)
    smcf.set_node_supply(sink, -flow)
    if smcf.solve() != smcf.OPTIMAL:
        raise PlanningInputError(f"part {part}: the transfer flow has no solution")
    out = []
    for arc, (s, t) in lanes.items():
        qty = smcf.flow(arc)
        if qty > 0:
            out.append(Transfer(part, s, t, int(qty), float(lane_cost[index[s], index[t]])))
    return sorted(out, key=lambda t: (t.from_depot, t.to_depot))
