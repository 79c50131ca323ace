"""TRSP solver: PyVRP with the depot as a reload stop, then local search on the exact
rules (see `trsp.py` for the rules; `solve_trsp` for the order of the steps).

The PyVRP model, on integer times (file units x `SCALE`, travel rounded up so that a plan
PyVRP accepts is on time in real numbers):

- PyVRP depots: the central depot (index 0), then each technician's home; clients: the
  requests. One vehicle type per technician: start and end at home, its shift, cost 1 per
  unit of route duration and none for distance (PyVRP's duration includes waiting and
  is minimised over the departure time, which is the instance objective).
- Skills: a routing profile per skill set whose arcs into a request that needs a missing
  skill are `FORBIDDEN` long (never on time).
- Tools and parts as load dimensions (each part type and each tool some request needs: a
  request loads one unit of each tool it needs) with a capacity `BIG` above any demand. The
  central depot is every technician's reload depot, and a technician's van stock is
  written as PyVRP's initial load: `BIG - stock` of each part type, and `BIG` of each tool
  not carried. That load is dropped at the first depot visit, so before it the requests
  fit only within the van stock and own tools, and after it everything fits.

PyVRP's search handles the depot visits poorly (the authors' plans are local optima for
it, and from scratch it ends 5-20 % above them), so its plans are cut to what keeps the
rules and improved by Python moves (`improved`, `ruined_and_recreated`) that re-time
every changed route with `trsp.cheapest_route`, which puts the one depot visit a route
needs where it costs least. The plan is judged by `trsp.evaluate`, not by PyVRP.
"""

from __future__ import annotations

import math
import random
import time
import warnings
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning
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


#: Shares of the time limit: PyVRP from its own start; `improved` on the start of the
#: second PyVRP run (at most); `improved` then `ruined_and_recreated` on the final plan.
COLD_SHARE = 0.45
LS_SHARE = 0.1
LNS_SHARE = 0.15
#: How many nearest requests `improved` tries to swap a request with.
NEIGHBOURS = 10
#: Largest number of requests `ruined_and_recreated` removes at once.
RUIN = 12
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

    Greedy insertion (`best_insertion`) and PyVRP from its own random start; the better
    plan, cut to its feasible part (`feasible_part`), is improved by moves around single
    requests (`improved`) and starts a second PyVRP run; the best plan so far is improved
    again, then by ruin and recreate (`ruined_and_recreated`) until the limit."""
    began = time.monotonic()
    end = began + time_limit_s
    data = _problem_data(instance, with_resources)
    plans = [best_insertion(instance, with_resources=with_resources)]
    plans.append(_routes_of(instance, _run(data, COLD_SHARE * time_limit_s, seed)))
    start = _polished(instance, plans, with_resources, time.monotonic() + LS_SHARE * time_limit_s)
    plans.append(start)
    left = end - LNS_SHARE * time_limit_s - time.monotonic()
    plans.append(_routes_of(instance, _run(data, left, seed + 1, _solution(instance, data, start))))
    routes = _polished(instance, plans, with_resources, end)
    routes = ruined_and_recreated(instance, routes, end, seed=seed, with_resources=with_resources)
    routes.sort(key=lambda r: r.technician)
    return TrspPlan(tuple(routes), time.monotonic() - began)


def _polished(
    instance: TrspInstance, plans: list[list[TrspRoute]], with_resources: bool, deadline: float
) -> list[TrspRoute]:
    """The best of `plans` cut to their feasible part (most requests served, then
    shortest), improved by `improved` until `deadline`."""

    def rank(routes: list[TrspRoute]) -> tuple[int, float]:
        served = sum(len(_requests(r)) for r in routes)
        return -served, evaluate(instance, routes, with_resources=with_resources).objective

    best = min((feasible_part(instance, p, with_resources) for p in plans), key=rank)
    return improved(instance, best, deadline, with_resources=with_resources)


def feasible_part(
    instance: TrspInstance, routes: list[TrspRoute], with_resources: bool = True
) -> list[TrspRoute]:
    """Each route re-timed by `cheapest_route` (one depot visit where it costs least: a
    second one never helps), or, when it breaks a rule even so, cut to the requests it can
    keep in order; the others are left unserved."""
    kept = []
    for route in routes:
        k = route.technician
        found = _timed(instance, k, _requests(route), with_resources)
        if found is None:
            found = (0.0, TrspRoute(k, ()))
            for r in _requests(route):
                found = _timed(instance, k, (*_requests(found[1]), r), with_resources) or found
        if found[1].stops:
            kept.append(found[1])
    return kept


def _run(
    data: pyvrp.ProblemData, seconds: float, seed: int, start: pyvrp.Solution | None = None
) -> pyvrp.Solution:
    with warnings.catch_warnings():  # PyVRP warns when a penalty hits its bound
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(
            data,
            MaxRuntime(max(0.01, seconds)),
            seed=seed,
            collect_stats=False,
            display=False,
            params=SEARCH,
            initial_solution=start,
        )
    return result.best


def improved(
    instance: TrspInstance,
    routes: list[TrspRoute],
    deadline: float,
    *,
    with_resources: bool = True,
) -> list[TrspRoute]:
    """A plan whose routes keep every rule, improved: requests left unserved are inserted
    where they fit, then the move around one request that saves most working time: the request to any place of any technician's route (relocate), in exchange for
    one of its `NEIGHBOURS` nearest requests on another route (swap), or the two routes'
    tails exchanged so that such a neighbour follows it (2-opt*). Every changed route is re-timed
    by `cheapest_route`, so its depot visit moves, appears or goes with the move. Until no
    move saves time or `deadline` (time.monotonic()) passes."""
    plan: dict[int, tuple[float, TrspRoute]] = {
        k: (0.0, TrspRoute(k, ())) for k in instance.technician_ids
    }
    for r in routes:
        d = route_duration(instance, r.technician, r.stops)
        assert d is not None, "improved() starts from a feasible plan"
        plan[r.technician] = (d, r)
    where = {s: r.technician for r in routes for s in r.stops if s != DEPOT}
    unserved = [r for r in instance.request_ids if r not in where]
    t = instance.travel_table
    near = {
        r: sorted((o for o in instance.request_ids if o != r), key=lambda o: t[r][o])[:NEIGHBOURS]
        for r in instance.request_ids
    }

    def without(k: int, request: int) -> tuple[float, TrspRoute] | None:
        rest = tuple(s for s in plan[k][1].stops if s not in (DEPOT, request))
        if not rest:
            return 0.0, TrspRoute(k, ())
        return cheapest_route(instance, k, rest, with_resources=with_resources)

    changed = True
    while changed and time.monotonic() < deadline:
        changed = False
        for request in list(unserved):
            options = [
                (found[0] - cost, found)
                for cost, route in plan.values()
                if (found := _best_in_route(instance, request, route, with_resources))
            ]
            if options:
                _, found = min(options, key=lambda o: o[0])
                plan[found[1].technician] = found
                where[request] = found[1].technician
                unserved.remove(request)
                changed = True
        for request in instance.request_ids:
            if time.monotonic() >= deadline:
                break
            if request not in where:
                continue
            a = where[request]
            a_cost = plan[a][0]
            a_less = without(a, request)
            if a_less is None:
                continue
            best: tuple[float, dict[int, tuple[float, TrspRoute]]] = (-1e-7, {})
            for k, (k_cost, k_route) in plan.items():
                if time.monotonic() >= deadline:  # long routes make one request's moves slow
                    break
                base = a_less[1] if k == a else k_route
                found = _best_in_route(instance, request, base, with_resources)
                if found is None:
                    continue
                if k == a:
                    if found[0] - a_cost < best[0]:
                        best = (found[0] - a_cost, {a: found})
                elif found[0] - k_cost + a_less[0] - a_cost < best[0]:
                    best = (found[0] - k_cost + a_less[0] - a_cost, {a: a_less, k: found})
            for other in near[request]:
                if time.monotonic() >= deadline:
                    break
                b = where.get(other, a)
                if b == a:  # on the same route, or unserved
                    continue
                b_less = without(b, other)
                if b_less is None:
                    continue
                into_b = _best_in_route(instance, request, b_less[1], with_resources)
                into_a = _best_in_route(instance, other, a_less[1], with_resources)
                if into_a and into_b:
                    delta = into_a[0] + into_b[0] - a_cost - plan[b][0]
                    if delta < best[0]:
                        best = (delta, {a: into_a, b: into_b})
                # tails exchanged so that `other` follows `request` (2-opt*)
                a_seq = _requests(plan[a][1])
                b_seq = _requests(plan[b][1])
                i = a_seq.index(request) + 1
                j = b_seq.index(other)
                new_a = _timed(instance, a, a_seq[:i] + b_seq[j:], with_resources)
                new_b = _timed(instance, b, b_seq[:j] + a_seq[i:], with_resources)
                if new_a and new_b:
                    delta = new_a[0] + new_b[0] - a_cost - plan[b][0]
                    if delta < best[0]:
                        best = (delta, {a: new_a, b: new_b})
            for k, found in best[1].items():
                plan[k] = found if found[1].stops else (0.0, TrspRoute(k, ()))
                for s in found[1].stops:
                    if s != DEPOT:
                        where[s] = k
                changed = True
    return [route for _, route in plan.values() if route.stops]


def _requests(route: TrspRoute) -> tuple[int, ...]:
    return tuple(s for s in route.stops if s != DEPOT)


def _timed(
    instance: TrspInstance, technician: int, requests: tuple[int, ...], with_resources: bool
) -> tuple[float, TrspRoute] | None:
    if not requests:
        return 0.0, TrspRoute(technician, ())
    return cheapest_route(instance, technician, requests, with_resources=with_resources)


def _best_in_route(
    instance: TrspInstance, request: int, route: TrspRoute, with_resources: bool
) -> tuple[float, TrspRoute] | None:
    """The cheapest way to add `request` to `route` (working time after, route)."""
    if not instance.can_serve(route.technician, request):
        return None
    plain = tuple(s for s in route.stops if s != DEPOT)
    best: tuple[float, TrspRoute] | None = None
    for at in range(len(plain) + 1):
        found = cheapest_route(
            instance,
            route.technician,
            plain[:at] + (request,) + plain[at:],
            with_resources=with_resources,
        )
        if found and (best is None or found[0] < best[0]):
            best = found
    return best


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
    instance: TrspInstance,
    order: list[int],
    with_resources: bool,
    routes: dict[int, tuple[float, TrspRoute]] | None = None,
    deadline: float = math.inf,
) -> tuple[dict[int, tuple[float, TrspRoute]], int]:
    """Insert the requests in `order`, each where it adds least working time, into
    `routes` (technician → working time, route; default all empty); how many fit nowhere
    or were not tried before `deadline` (time.monotonic())."""
    if routes is None:
        routes = {k: (0.0, TrspRoute(k, ())) for k in instance.technician_ids}
    left_out = 0
    for n, r in enumerate(order):
        if time.monotonic() >= deadline:
            return routes, left_out + len(order) - n
        best: tuple[float, tuple[float, TrspRoute]] | None = None
        for cost, route in routes.values():
            found = _best_in_route(instance, r, route, with_resources)
            if found and (best is None or found[0] - cost < best[0]):
                best = (found[0] - cost, found)
        if best is None:
            left_out += 1
        else:
            routes[best[1][1].technician] = best[1]
    return routes, left_out


def ruined_and_recreated(
    instance: TrspInstance,
    routes: list[TrspRoute],
    deadline: float,
    *,
    seed: int = 0,
    with_resources: bool = True,
) -> list[TrspRoute]:
    """Large neighbourhood search on a plan whose routes keep every rule: remove a
    request and its nearest neighbours (up to `RUIN`; around an unserved request while
    there is one), insert the unserved then the removed ones (random order) where each
    adds least, keep the result when it serves more, or as many and works less; until
    `deadline` (time.monotonic())."""
    rng = random.Random(seed)
    t = instance.travel_table
    requests = list(instance.request_ids)
    near = {r: sorted(requests, key=lambda o: t[r][o]) for r in requests}

    def cost(plan: dict[int, tuple[float, TrspRoute]]) -> tuple[int, float]:
        served = sum(len(_requests(r)) for _, r in plan.values())
        return -served, sum(c for c, _ in plan.values())

    best: dict[int, tuple[float, TrspRoute]] = {
        k: (0.0, TrspRoute(k, ())) for k in instance.technician_ids
    }
    for r in routes:
        found = _timed(instance, r.technician, _requests(r), with_resources)
        assert found is not None, "ruined_and_recreated() starts from routes that keep the rules"
        best[r.technician] = found
    best_cost = cost(best)
    while time.monotonic() < deadline:
        served = {s for _, route in best.values() for s in _requests(route)}
        unserved = [r for r in requests if r not in served]
        seed_request = rng.choice(unserved or requests)  # make room for the unserved first
        removed = set(near[seed_request][: rng.randint(RUIN // 2, RUIN)])
        plan = {}
        for k, (_, route) in best.items():
            kept = tuple(s for s in _requests(route) if s not in removed)
            if len(kept) == len(_requests(route)):
                plan[k] = best[k]
                continue
            found = _timed(instance, k, kept, with_resources)
            plan[k] = found if found is not None else best[k]
        served = {s for _, route in plan.values() for s in _requests(route)}
        order = [r for r in requests if r not in served and r not in unserved]
        rng.shuffle(order)
        plan, _ = _insert_all(instance, unserved + order, with_resources, plan, deadline)
        now = cost(plan)
        if now < best_cost:
            best, best_cost = plan, now
    return [route for _, route in best.values() if route.stops]
