"""Engineer routing with OR-Tools (VRPTW): the only module that imports OR-Tools routing.

Model: one node per vehicle start/end location and one per stop; integer transit
matrices (no Python callbacks); time transit = service at the origin + travel; a time
dimension with slack up to the horizon and no span cost; every stop in a disjunction
(mandatory stops get a penalty larger than any plan's distance, so the search can move
through partial plans but never prefers one); skills restrict the vehicle variable;
pickup-and-delivery pairs share a vehicle and the pickup comes first.

The first solution comes, in order of preference, from the caller's warm start, from
the better of VROOM's and PyVRP's on the same integer data (see warmstart.py), or from OR-Tools' own
construction; OR-Tools guided local search improves it for the remaining time and must
accept it as feasible under all constraints (a warm start that breaks one is discarded).
A watchdog cancels the search if OR-Tools overruns its limit (guided local search has
been seen to overrun several-fold under load).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util.optional_boolean_pb2 import BOOL_FALSE

from logistics.routing import warmstart
from logistics.routing.model import DroppedStop, Route, RoutePlan, RoutingProblem, WarmStart
from logistics.routing.schedule import timed_route

Strategy = Literal["auto", "pyvrp", "vroom", "ortools", "ortools_plain"]

#: Share of the time limit given to the external first-solution solver.
WARM_SHARE = 0.9
#: Seconds the watchdog tolerates past the limit before it cancels the search.
WATCHDOG_GRACE_S = 0.5


@dataclass
class _Nodes:
    """OR-Tools node numbering: depots (vehicle start/end locations) first, then stops."""

    location: list[int]
    service: list[int]
    starts: list[int]
    ends: list[int]
    first_stop: int

    def stop_node(self, i: int) -> int:
        return self.first_stop + i


def _nodes(problem: RoutingProblem) -> _Nodes:
    depot_locs = sorted({v.start for v in problem.vehicles} | {v.end for v in problem.vehicles})
    node_of = {loc: k for k, loc in enumerate(depot_locs)}
    location = depot_locs + [s.location for s in problem.stops]
    service = [0] * len(depot_locs) + [s.service_minutes for s in problem.stops]
    return _Nodes(
        location,
        service,
        [node_of[v.start] for v in problem.vehicles],
        [node_of[v.end] for v in problem.vehicles],
        len(depot_locs),
    )


def mandatory_penalty(problem: RoutingProblem) -> int:
    """A drop penalty larger than the distance and fixed cost of any possible plan."""
    arcs = len(problem.stops) + 2 * len(problem.vehicles)
    fixed = sum(v.fixed_cost for v in problem.vehicles)
    return int(max(1, int(problem.distance.max())) * arcs + fixed + 1)


def solve(
    problem: RoutingProblem,
    time_limit_s: float,
    *,
    warm_start: WarmStart | None = None,
    strategy: Strategy = "auto",
) -> RoutePlan:
    """Plan routes within about `time_limit_s` seconds of wall-clock time.

    `warm_start` (a previous RoutePlan or vehicle id → stop ids) seeds the search when it
    is feasible. `strategy` picks the first solution: "auto" runs VROOM then PyVRP on the
    same data and starts from the better (OR-Tools' own construction if neither runs); "ortools_plain" is the textbook baseline (mandatory stops as hard
    constraints, path-cheapest-arc + guided local search), kept for benchmarks.
    """
    if not problem.stops:  # nothing to visit (every stop was reported before the solve)
        return RoutePlan([], [], 0, 0, 0, "solved", "ortools", 0.0)
    if strategy == "auto" and problem.has_choices:
        strategy = "ortools"  # VROOM and PyVRP do not model vehicle lists or alternatives
    began = time.monotonic()
    deadline = began + time_limit_s
    nodes = _nodes(problem)
    manager = pywrapcp.RoutingIndexManager(
        len(nodes.location), len(problem.vehicles), nodes.starts, nodes.ends
    )
    routing = pywrapcp.RoutingModel(manager)
    big = mandatory_penalty(problem)
    _build(problem, nodes, manager, routing, big, hard_mandatory=strategy == "ortools_plain")
    params = _search_parameters(strategy, max(0.05, time_limit_s))
    routing.CloseModelWithParameters(params)

    notes: list[str] = []
    initial = None
    first = "ortools"
    if warm_start is not None:
        initial = _read_routes(problem, nodes, manager, routing, _sequences(problem, warm_start))
        if initial is not None:
            first = "warm_start"
        else:
            notes.append("the warm start breaks a constraint and was discarded")
    if initial is None and strategy in ("auto", "pyvrp", "vroom"):
        share = WARM_SHARE * max(0.0, deadline - time.monotonic())
        for source, routes in warmstart.first_routes(problem, share, prefer=strategy):
            candidate = _read_routes(problem, nodes, manager, routing, routes)
            if candidate is None:
                notes.append(f"the {source} first solution breaks a constraint; discarded")
            elif initial is None or candidate.ObjectiveValue() < initial.ObjectiveValue():
                initial, first = candidate, source

    remaining = deadline - time.monotonic()
    params.time_limit.FromMilliseconds(max(10, int(remaining * 1000)))
    solution = _search(routing, params, initial, deadline)
    if initial is not None:
        start = initial.ObjectiveValue()
        end = solution.ObjectiveValue() if solution is not None else start
        notes.append(f"OR-Tools search: objective {start} -> {end} from the {first} start")
        if solution is None or start < end:  # keep the best plan seen
            solution = initial
    wall = time.monotonic() - began
    if solution is None:
        return RoutePlan(
            [],
            [
                DroppedStop(s.id, "no plan found within the time limit", "no_solution")
                for s in problem.stops
            ],
            0,
            0,
            0,
            "no_solution",
            first,
            wall,
            notes,
        )
    return _plan(problem, nodes, manager, routing, solution, big, first, wall, notes)


def _build(
    problem: RoutingProblem,
    nodes: _Nodes,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    big: int,
    *,
    hard_mandatory: bool,
) -> None:
    loc = np.asarray(nodes.location)
    dist = problem.distance[np.ix_(loc, loc)]
    time_m = problem.travel_minutes[np.ix_(loc, loc)] + np.asarray(nodes.service)[:, None]
    dist_cb = routing.RegisterTransitMatrix(dist.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(dist_cb)
    for k, v in enumerate(problem.vehicles):
        if v.fixed_cost:
            routing.SetFixedCostOfVehicle(v.fixed_cost, k)

    horizon = problem.horizon
    time_cb = routing.RegisterTransitMatrix(time_m.tolist())
    routing.AddDimension(time_cb, horizon, horizon, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    for k, v in enumerate(problem.vehicles):
        time_dim.CumulVar(routing.Start(k)).SetRange(v.shift[0], v.shift[1])
        time_dim.CumulVar(routing.End(k)).SetRange(v.shift[0], v.shift[1])
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(k)))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(k)))

    if any(s.demand for s in problem.stops):
        demand = [0] * nodes.first_stop + [s.demand for s in problem.stops]
        load_cb = routing.RegisterUnaryTransitVector(demand)
        unlimited = max(1, sum(abs(d) for d in demand))
        caps = [v.capacity if v.capacity is not None else unlimited for v in problem.vehicles]
        routing.AddDimensionWithVehicleCapacity(load_cb, 0, caps, True, "Load")

    resources = sorted({r for s in problem.stops for r, _n in s.consumes})
    for r in resources:  # what a vehicle carries limits the stops taking from it
        used = [0] * nodes.first_stop + [dict(s.consumes).get(r, 0) for s in problem.stops]
        caps = [dict(v.stock).get(r, 0) for v in problem.vehicles]
        routing.AddDimensionWithVehicleCapacity(
            routing.RegisterUnaryTransitVector(used), 0, caps, True, f"stock:{r}"
        )

    solver = routing.solver()
    every_vehicle = len(problem.vehicles)
    by_id = problem.stop_index
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(problem.stops):
        if s.job is not None:
            groups.setdefault(s.job, []).append(i)
    for members in groups.values():  # alternatives: at most one served, one penalty
        first = problem.stops[members[0]]
        routing.AddDisjunction(
            [manager.NodeToIndex(nodes.stop_node(i)) for i in members],
            big if first.is_mandatory else int(first.penalty or 0),
            1,
        )
    for i, s in enumerate(problem.stops):
        index = manager.NodeToIndex(nodes.stop_node(i))
        time_dim.CumulVar(index).SetRange(s.window[0], s.window[1])
        allowed = problem.qualified_vehicles(s)
        if len(allowed) < every_vehicle:
            # SetAllowedVehiclesForIndex does not accept a Python list in this OR-Tools
            # build; restricting the vehicle variable is equivalent (-1: not performed).
            routing.VehicleVar(index).SetValues([-1, *allowed])
        if s.job is not None:
            pass  # in its job's disjunction above
        elif not (hard_mandatory and s.is_mandatory) or not allowed:
            routing.AddDisjunction([index], big if s.is_mandatory else int(s.penalty or 0))
        if s.pickup_of is not None:
            pickup = manager.NodeToIndex(nodes.stop_node(by_id[s.pickup_of]))
            routing.AddPickupAndDelivery(pickup, index)
            solver.Add(routing.ActiveVar(pickup) == routing.ActiveVar(index))
            solver.Add(routing.VehicleVar(pickup) == routing.VehicleVar(index))
            solver.Add(time_dim.CumulVar(pickup) <= time_dim.CumulVar(index))


def _search_parameters(
    strategy: Strategy, time_limit_s: float
) -> pywrapcp.DefaultRoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    fs = routing_enums_pb2.FirstSolutionStrategy
    params.first_solution_strategy = (
        fs.PATH_CHEAPEST_ARC if strategy == "ortools_plain" else fs.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(10, int(time_limit_s * 1000)))
    params.use_full_propagation = BOOL_FALSE
    if strategy != "ortools_plain":
        # These insertion-based LNS operators can run for seconds without checking the
        # time limit: on 400 customers from a near-optimal start, a 2.85 s search took
        # 6.4 s with them and 2.85 s without (and improved a VROOM start more).
        ops = params.local_search_operators
        for name in _SLOW_OPERATORS:
            setattr(ops, name, BOOL_FALSE)
    return params


_SLOW_OPERATORS = (
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
)


def _search(routing: pywrapcp.RoutingModel, params, initial, deadline: float):
    """Run the search; past `deadline` + grace the next reported solution cancels it.

    The OR-Tools call holds the GIL, so a watchdog thread could not run; the check rides
    on the at-solution callback instead (guided local search reports often), and
    OR-Tools' own time limit covers stretches without a new solution.
    """
    stop_at = deadline + WATCHDOG_GRACE_S

    def watchdog() -> None:
        if time.monotonic() > stop_at:
            routing.CancelSearch()

    routing.AddAtSolutionCallback(watchdog)
    if initial is not None:
        return routing.SolveFromAssignmentWithParameters(initial, params)
    return routing.SolveWithParameters(params)


def _sequences(problem: RoutingProblem, warm: WarmStart) -> list[list[int]]:
    seqs = warm.stop_sequences() if isinstance(warm, RoutePlan) else warm
    by_id = problem.stop_index
    out: list[list[int]] = []
    for v in problem.vehicles:
        out.append([by_id[s] for s in seqs.get(v.id, []) if s in by_id])
    return out


def _read_routes(
    problem: RoutingProblem, nodes: _Nodes, manager, routing, routes: Sequence[Sequence[int]]
):
    """OR-Tools assignment of per-vehicle stop-index routes, or None if infeasible."""
    if len(routes) != len(problem.vehicles):
        return None
    as_indices = [[manager.NodeToIndex(nodes.stop_node(i)) for i in r] for r in routes]
    return routing.ReadAssignmentFromRoutes(as_indices, True)


def _plan(
    problem: RoutingProblem,
    nodes: _Nodes,
    manager,
    routing,
    solution,
    big: int,
    first: str,
    wall: float,
    notes: list[str],
) -> RoutePlan:
    routes: list[Route] = []
    served: set[int] = set()
    for k in range(len(problem.vehicles)):
        order: list[int] = []
        index = solution.Value(routing.NextVar(routing.Start(k)))
        while not routing.IsEnd(index):
            order.append(manager.IndexToNode(index) - nodes.first_stop)
            index = solution.Value(routing.NextVar(index))
        if not order:
            continue
        route = timed_route(problem, k, order)
        if route is None:  # cannot happen for an OR-Tools-feasible order; never hide it
            raise RuntimeError(f"route of vehicle {problem.vehicles[k].id!r} fails its schedule")
        routes.append(route)
        served.update(order)
    job_of = problem.job_ids()
    done_jobs = {job_of[problem.stops[i].id] for i in served}
    dropped = []
    reported: set[str] = set()
    for i, s in enumerate(problem.stops):
        if i in served or job_of[s.id] in done_jobs:
            continue  # served, or another way of doing its job was
        if s.job is not None:  # a job's alternatives are reported once, as the job
            if s.job in reported:
                continue
            reported.add(s.job)
            dropped.append(DroppedStop(s.job, *drop_reason(problem, i)))
            continue
        dropped.append(DroppedStop(s.id, *drop_reason(problem, i)))
    distance = sum(r.distance for r in routes)
    objective = distance + sum(
        problem.vehicles[k].fixed_cost
        for k in range(len(problem.vehicles))
        if any(r.vehicle_id == problem.vehicles[k].id for r in routes)
    )
    by_id = problem.stop_index
    by_job = {s.job: s for s in problem.stops if s.job is not None}

    def penalty(stop_id: str) -> int:
        s = problem.stops[by_id[stop_id]] if stop_id in by_id else by_job[stop_id]
        return big if s.is_mandatory else int(s.penalty or 0)

    objective += sum(penalty(d.stop_id) for d in dropped)
    return RoutePlan(
        routes,
        dropped,
        distance,
        sum(r.travel_minutes for r in routes),
        objective,
        "solved",
        first,
        wall,
        notes,
    )


def drop_reason(problem: RoutingProblem, i: int) -> tuple[str, str]:
    """Why stop i is not in the plan: words a dispatcher understands and their code."""
    s = problem.stops[i]
    if s.pickup_of is not None:
        pickup = problem.stops[problem.stop_index[s.pickup_of]]
        alone = _reason_alone(problem, pickup)
        if alone:
            return f"its parts pickup {pickup.id!r} cannot be made: {alone[0]}", "pickup"
    alone = _reason_alone(problem, s)
    if alone:
        return alone
    kind = "mandatory stop" if s.is_mandatory else f"drop penalty {s.penalty}"
    return f"no room left in the qualified engineers' shifts ({kind})", "no_room"


def _reason_alone(problem: RoutingProblem, s) -> tuple[str, str] | None:
    t = problem.travel_minutes
    qualified = [problem.vehicles[k] for k in problem.qualified_vehicles(s)]
    if all(v.capacity is not None and s.demand > v.capacity for v in qualified):
        return f"demand {s.demand} exceeds every qualified engineer's capacity", "capacity"
    for v in qualified:
        earliest = max(v.shift[0] + int(t[v.start, s.location]), s.window[0])
        if earliest <= s.window[1] and (
            earliest + s.service_minutes + int(t[s.location, v.end]) <= v.shift[1]
        ):
            return None
    return (
        f"time window {s.window[0]}-{s.window[1]} cannot be met by any qualified "
        "engineer within their shift",
        "time_window",
    )
