"""TRSP solver: PyVRP with the depot as a reload stop (see `trsp.py` for the rules).

The model, on integer times (file units x `SCALE`, travel rounded up so that a plan
PyVRP accepts is on time in real numbers):

- PyVRP depots: the central depot (index 0), then each technician's home; clients: the
  requests. One vehicle type per technician: start and end at home, its shift, cost 1 per
  unit of route duration and none for distance (PyVRP's duration includes waiting and
  is minimised over the departure time, which is the instance objective).
- Skills: a routing profile per skill set whose arcs into a request that needs a missing
  skill are `FORBIDDEN` long (never on time).
- Tools and parts as ten load dimensions (five part types, five tools: a request loads one
  unit of each tool it needs) with a capacity `BIG` larger than any total demand. The
  central depot is every technician's reload depot, and a technician's van stock is
  written as PyVRP's initial load: `BIG - stock` of each part type, and `BIG` of each tool
  not carried. That load is dropped at the first depot visit, so before it the requests
  fit only within the van stock and own tools, and after it everything fits.

The plan is read back as `TrspRoute`s and judged by `trsp.evaluate`, not by PyVRP.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pyvrp
from pyvrp.search import PerturbationParams
from pyvrp.stop import MaxRuntime

from logistics.routing.trsp import (
    DEPOT,
    TrspInstance,
    TrspRoute,
    cheapest_route,
    evaluate,
    route_duration,
)

#: Integer time units per file unit.
SCALE = 1000
#: Travel time of an arc into a request the technician lacks a skill for.
FORBIDDEN = 10**10
#: Load units per part or tool, so that PyVRP's load penalty weighs against its time unit.
LOAD_UNIT = 100
#: Load capacity of every dimension: above any total demand, so a replenished van never fills.
BIG = 100_000 * LOAD_UNIT


@dataclass(frozen=True)
class TrspPlan:
    routes: tuple[TrspRoute, ...]
    wall_s: float


#: PyVRP search settings for this model (see docs/routing.md, "Technician routing"): a short
#: late-acceptance history and small perturbations suit the few hundred iterations per
#: second that ten load dimensions and reloads leave.
SEARCH = pyvrp.SolveParams(
    ils=pyvrp.IteratedLocalSearchParams(history_length=10),
    penalty=pyvrp.PenaltyParams(solutions_between_updates=50),
    perturbation=PerturbationParams(1, 10),
)


def _problem_data(instance: TrspInstance, with_resources: bool) -> pyvrp.ProblemData:
    sites = instance.sites
    techs = list(instance.technician_ids)
    reqs = list(instance.request_ids)
    coords = np.array([(s.x, s.y) for s in sites])  # PyVRP location i is file row i
    diff = coords[:, None, :] - coords[None, :, :]
    travel = np.ceil(np.hypot(diff[..., 0], diff[..., 1]) * SCALE - 1e-6).astype(np.int64)
    np.fill_diagonal(travel, 0)

    matrices = [travel]  # profile 0: no restriction (PyVRP's neighbourhoods use it)
    profile_of: dict[frozenset[int], int] = {}
    for skills in sorted({sites[k].skills for k in techs}, key=sorted):
        m = travel.copy()
        for r in reqs:
            if not sites[r].skills <= skills:
                m[:, r] = FORBIDDEN
                m[r, r] = 0
        profile_of[skills] = len(matrices)
        matrices.append(m)

    # load dimensions: the part types and tools some request needs
    n_parts = len(sites[0].parts)
    parts = [p for p in range(n_parts) if any(sites[r].parts[p] for r in reqs)]
    tools = sorted({t for r in reqs for t in sites[r].tools})
    if not with_resources:
        parts, tools = [], []

    def window(i: int) -> tuple[int, int]:
        lo, hi = sites[i].window
        return round(lo * SCALE), round(hi * SCALE)

    locations = [pyvrp.Location(float(s.x), float(s.y)) for s in sites]
    depots = [pyvrp.Depot(0, *window(0))] + [pyvrp.Depot(k, *window(k)) for k in techs]
    clients = []
    for r in reqs:
        s = sites[r]
        early, late = window(r)
        clients.append(
            pyvrp.Client(
                location=r,
                delivery=[LOAD_UNIT * s.parts[p] for p in parts]
                + [LOAD_UNIT * int(t in s.tools) for t in tools],
                service_duration=round(s.service * SCALE),
                tw_early=early,
                tw_late=late,
            )
        )
    types = []
    for k in techs:
        tech = sites[k]
        early, late = window(k)
        resources: dict[str, Any] = {}
        if parts or tools:
            resources = {
                "capacity": [BIG] * (len(parts) + len(tools)),
                "initial_load": [BIG - LOAD_UNIT * tech.parts[p] for p in parts]
                + [0 if t in tech.tools else BIG for t in tools],
                "reload_depots": [0],
            }
        types.append(
            pyvrp.VehicleType(
                1,
                start_depot=k,
                end_depot=k,
                tw_early=early,
                tw_late=late,
                unit_distance_cost=0,
                unit_duration_cost=1,
                profile=profile_of[tech.skills],
                name=str(k),
                **resources,
            )
        )
    # pyvrp's stubs spell a 2-D matrix's shape type as `int`; these are 2-D int64 arrays
    return pyvrp.ProblemData(
        locations, clients, depots, types, cast(Any, matrices), cast(Any, matrices)
    )


def solve_trsp(
    instance: TrspInstance,
    time_limit_s: float,
    *,
    with_resources: bool = True,
    seed: int = 0,
) -> TrspPlan:
    """Routes for the technicians within `time_limit_s` seconds (wall clock, model build
    included). `with_resources=False` drops the tools and parts rules (skills and windows
    stay): the comparison the benchmark reports.

    Greedy insertion first (a few request orders, the best kept), then PyVRP twice: from
    its own random start for half the time left, then from the better of that and the
    insertion plan. Each route's depot visit is finally put where it costs least."""
    began = time.monotonic()
    data = _problem_data(instance, with_resources)
    greedy = best_insertion(instance, with_resources=with_resources)
    plans: list[list[TrspRoute]] = [greedy]
    start: pyvrp.Solution | None = None
    for phase in (0, 1):
        left = time_limit_s - (time.monotonic() - began)
        result = pyvrp.solve(
            data,
            MaxRuntime(max(0.01, left / (2 - phase))),
            seed=seed + phase,
            collect_stats=False,
            display=False,
            params=SEARCH,
            initial_solution=start,
        )
        found = _routes_of(instance, result.best)
        plans.append(found)
        start = _solution(
            instance, data, min(plans, key=lambda p: _rank(instance, p, with_resources))
        )
    best = min(plans, key=lambda p: _rank(instance, p, with_resources))
    routes = sorted(
        (_cheaper_depot_visit(instance, r, with_resources) for r in best),
        key=lambda r: r.technician,
    )
    return TrspPlan(tuple(routes), time.monotonic() - began)


def _rank(
    instance: TrspInstance, routes: list[TrspRoute], with_resources: bool = True
) -> tuple[int, float]:
    judged = evaluate(instance, routes, with_resources=with_resources)
    return len(judged.violations), judged.objective


def _routes_of(instance: TrspInstance, solution: pyvrp.Solution) -> list[TrspRoute]:
    first_request = instance.technicians + 1
    return [
        TrspRoute(
            route.start_depot(),
            tuple(
                first_request + a.idx if a.is_client() else DEPOT for a in route.schedule()[1:-1]
            ),
        )
        for route in solution.routes()
    ]


def _solution(
    instance: TrspInstance, data: pyvrp.ProblemData, routes: list[TrspRoute]
) -> pyvrp.Solution:
    first_request = instance.technicians + 1
    return pyvrp.Solution(
        data,
        [
            pyvrp.Route(
                data,
                [
                    pyvrp.Activity(pyvrp.ActivityType.DEPOT, 0)
                    if s == DEPOT
                    else pyvrp.Activity(pyvrp.ActivityType.CLIENT, s - first_request)
                    for s in r.stops
                ],
                r.technician - 1,
            )
            for r in routes
            if r.stops
        ],
    )


def best_insertion(instance: TrspInstance, *, with_resources: bool = True) -> list[TrspRoute]:
    """Routes built by cheapest insertion (working time added, depot visit placed by
    `cheapest_route`) in three request orders: latest start, earliest start, farthest from
    the depot first; the plan leaving fewest requests out, then the cheapest, is kept
    (requests no technician can take are left out, for PyVRP to place)."""
    sites = instance.sites
    t = instance.travel_table
    orders = (
        sorted(instance.request_ids, key=lambda r: sites[r].window[1]),
        sorted(instance.request_ids, key=lambda r: sites[r].window[0]),
        sorted(instance.request_ids, key=lambda r: -t[0][r]),
    )
    best: tuple[tuple[int, float], list[TrspRoute]] | None = None
    for order in orders:
        routes, left_out = _insert_all(instance, order, with_resources)
        rank = (left_out, sum(cost for cost, _ in routes.values()))
        if best is None or rank < best[0]:
            best = (rank, [r for _, r in routes.values()])
    assert best is not None
    return best[1]


def _insert_all(
    instance: TrspInstance, order: list[int], with_resources: bool
) -> tuple[dict[int, tuple[float, TrspRoute]], int]:
    routes = {k: (0.0, TrspRoute(k, ())) for k in instance.technician_ids}
    left_out = 0
    for r in order:
        best: tuple[float, int, tuple[float, TrspRoute]] | None = None
        for k, (cost, route) in routes.items():
            if not instance.can_serve(k, r):
                continue
            plain = tuple(s for s in route.stops if s != DEPOT)
            for at in range(len(plain) + 1):
                found = cheapest_route(
                    instance, k, plain[:at] + (r,) + plain[at:], with_resources=with_resources
                )
                if found and (best is None or found[0] - cost < best[0]):
                    best = (found[0] - cost, k, found)
        if best is None:
            left_out += 1
        else:
            routes[best[1]] = best[2]
    return routes, left_out


def _cheaper_depot_visit(
    instance: TrspInstance, route: TrspRoute, with_resources: bool = True
) -> TrspRoute:
    if DEPOT not in route.stops:
        return route
    better = cheapest_route(instance, route.technician, route.stops, with_resources=with_resources)
    if better is None:
        return route
    now = route_duration(instance, route.technician, route.stops)
    return better[1] if now is None or better[0] < now else route
