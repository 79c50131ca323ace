"""TRSP solver: greedy insertion (PyVRP with the depot as a reload stop when that leaves
requests out), then local search and annealed ruin and recreate on the exact rules (see
`trsp.py` for the rules; `solve_trsp` for the order of the steps).

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
it, and from scratch it ends 5-20 % above them), so it only serves when greedy insertion
leaves requests out (tight windows), until its first plan that serves every request. The
plan is improved by Python moves (`improved`, then `ruined_and_recreated`: SISR-style ruin
and recreate with simulated annealing) that price routes with the time-window segments of
`trsp_segments.py`, which put the one depot visit a route needs where it costs least. The
plan is judged by `trsp.evaluate`, not by PyVRP.
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

from logistics.routing.trsp import DEPOT, TrspInstance, TrspRoute, evaluate, route_duration
from logistics.routing.trsp_segments import RouteState, SearchContext

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


#: Shares of the time limit: PyVRP from its own start (at most, when needed: it stops at
#: its first plan serving every request); `improved` (at most); `ruined_and_recreated`
#: has the rest.
COLD_SHARE = 0.8
LS_SHARE = 0.1
#: How many nearest requests `improved` tries to swap a request with.
NEIGHBOURS = 10
#: `ruined_and_recreated`: mean number of requests removed, longest string removed from
#: one route, chance of skipping a route when inserting a request, and the annealing
#: temperature at the start and at the end, as shares of the working time per request.
MEAN_REMOVED = 15
MAX_STRING = 10
BLINK = 0.01
T_START = 2.0
T_END = 0.03
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

    Greedy insertion (`best_insertion`) and, when it leaves requests out, PyVRP from its
    own random start until it serves them all (at most `COLD_SHARE` of the limit); the
    better plan, cut to its feasible part (`feasible_part`), is improved by moves around
    single requests (`improved`), then by annealed ruin and recreate
    (`ruined_and_recreated`) until the limit."""
    began = time.monotonic()
    end = began + time_limit_s
    ctx = SearchContext(instance, with_resources=with_resources)
    plans = [_best_insertion(ctx)]
    if sum(len(_requests(r)) for r in plans[0]) < len(instance.request_ids):
        # some requests fit nowhere (tight windows): PyVRP until it serves them all
        data = _problem_data(instance, with_resources)
        stop = _UntilFeasible(COLD_SHARE * time_limit_s)
        plans.append(_routes_of(instance, _run(data, stop, seed)))
    start = _polished(ctx, plans, time.monotonic() + LS_SHARE * time_limit_s)
    routes = _ruined_and_recreated(ctx, start, end, seed=seed)
    routes.sort(key=lambda r: r.technician)
    return TrspPlan(tuple(routes), time.monotonic() - began)


def _polished(ctx: SearchContext, plans: list[list[TrspRoute]], deadline: float) -> list[TrspRoute]:
    """The best of `plans` cut to their feasible part (most requests served, then
    shortest), improved by `improved` until `deadline`."""

    def rank(routes: list[TrspRoute]) -> tuple[int, float]:
        served = sum(len(_requests(r)) for r in routes)
        return -served, evaluate(ctx.instance, routes, with_resources=ctx.with_resources).objective

    best = min((_feasible_part(ctx, p) for p in plans), key=rank)
    return _improved(ctx, best, deadline)


def feasible_part(
    instance: TrspInstance, routes: list[TrspRoute], with_resources: bool = True
) -> list[TrspRoute]:
    """Each route re-timed by `cheapest_route` (one depot visit where it costs least: a
    second one never helps), or, when it breaks a rule even so, cut to the requests it can
    keep in order; the others are left unserved."""
    return _feasible_part(SearchContext(instance, with_resources=with_resources), routes)


def _feasible_part(ctx: SearchContext, routes: list[TrspRoute]) -> list[TrspRoute]:
    kept = []
    for route in routes:
        k = route.technician
        found = _timed(ctx, k, _requests(route))
        if found is None:
            found = (0.0, TrspRoute(k, ()))
            for r in _requests(route):
                found = _timed(ctx, k, (*_requests(found[1]), r)) or found
        if found[1].stops:
            kept.append(found[1])
    return kept


class _UntilFeasible:
    """PyVRP stopping criterion: its first plan serving every request, or `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.stop = MaxRuntime(max(0.01, seconds))

    def __call__(self, best_cost: int) -> bool:
        return best_cost < INFEASIBLE_COST or self.stop(best_cost)


#: PyVRP's cost of its best plan is at least this while that plan is infeasible.
INFEASIBLE_COST = 2**62


def _run(data: pyvrp.ProblemData, stop: Any, seed: int) -> pyvrp.Solution:
    with warnings.catch_warnings():  # PyVRP warns when a penalty hits its bound
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(
            data,
            stop,
            seed=seed,
            collect_stats=False,
            display=False,
            params=SEARCH,
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
    where they fit, then the move around one request that saves most working time: the
    request to any place of any technician's route (relocate), in exchange for one of its
    `NEIGHBOURS` nearest requests on another route (swap), or the two routes' tails
    exchanged so that such a neighbour follows it (2-opt*). Every changed route is re-timed
    with its depot visit where it costs least, so the visit moves, appears or goes with the
    move. Until no move saves time or `deadline` (time.monotonic()) passes."""
    return _improved(SearchContext(instance, with_resources=with_resources), routes, deadline)


def _improved(ctx: SearchContext, routes: list[TrspRoute], deadline: float) -> list[TrspRoute]:
    instance = ctx.instance
    plan: dict[int, tuple[float, TrspRoute]] = {
        k: (0.0, TrspRoute(k, ())) for k in instance.technician_ids
    }
    for r in routes:
        d = route_duration(instance, r.technician, r.stops)
        assert d is not None, "improved() starts from a feasible plan"
        plan[r.technician] = (d, r)
    where = {s: r.technician for r in routes for s in r.stops if s != DEPOT}
    unserved = [r for r in instance.request_ids if r not in where]
    t = ctx.travel
    near = {
        r: sorted((o for o in instance.request_ids if o != r), key=lambda o: t[r][o])[:NEIGHBOURS]
        for r in instance.request_ids
    }

    def without(k: int, request: int) -> tuple[float, TrspRoute] | None:
        return _timed(ctx, k, tuple(s for s in plan[k][1].stops if s not in (DEPOT, request)))

    changed = True
    while changed and time.monotonic() < deadline:
        changed = False
        for request in list(unserved):
            options = [
                (found[0] - cost, found)
                for cost, route in plan.values()
                if (found := _best_in_route(ctx, request, route))
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
                base = a_less[1] if k == a else k_route
                found = _best_in_route(ctx, request, base)
                if found is None:
                    continue
                if k == a:
                    if found[0] - a_cost < best[0]:
                        best = (found[0] - a_cost, {a: found})
                elif found[0] - k_cost + a_less[0] - a_cost < best[0]:
                    best = (found[0] - k_cost + a_less[0] - a_cost, {a: a_less, k: found})
            for other in near[request]:
                b = where.get(other, a)
                if b == a:  # on the same route, or unserved
                    continue
                b_less = without(b, other)
                if b_less is None:
                    continue
                into_b = _best_in_route(ctx, request, b_less[1])
                into_a = _best_in_route(ctx, other, a_less[1])
                if into_a and into_b:
                    delta = into_a[0] + into_b[0] - a_cost - plan[b][0]
                    if delta < best[0]:
                        best = (delta, {a: into_a, b: into_b})
                # tails exchanged so that `other` follows `request` (2-opt*)
                a_seq = _requests(plan[a][1])
                b_seq = _requests(plan[b][1])
                i = a_seq.index(request) + 1
                j = b_seq.index(other)
                new_a = _timed(ctx, a, a_seq[:i] + b_seq[j:])
                new_b = _timed(ctx, b, b_seq[:j] + a_seq[i:])
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
    ctx: SearchContext, technician: int, requests: tuple[int, ...]
) -> tuple[float, TrspRoute] | None:
    """The technician's route through `requests` in this order with its depot visit where
    it costs least (working time, route), or None when it cannot keep the rules."""
    state = ctx.state(technician, requests)
    return None if state.cost is None else (state.cost, TrspRoute(technician, state.stops))


def _best_in_route(
    ctx: SearchContext, request: int, route: TrspRoute
) -> tuple[float, TrspRoute] | None:
    """The cheapest way to add `request` to `route` (working time after, route)."""
    found = ctx.state(route.technician, _requests(route)).insertion(request)
    return None if found is None else (found[0], TrspRoute(route.technician, found[1]))


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


def best_insertion(instance: TrspInstance, *, with_resources: bool = True) -> list[TrspRoute]:
    """Routes built by cheapest insertion (working time added, depot visit where it costs
    least) in three request orders: latest start, earliest start, farthest from the depot
    first; the plan leaving fewest requests out, then the cheapest, is kept (requests no
    technician can take are left out, for PyVRP to place)."""
    return _best_insertion(SearchContext(instance, with_resources=with_resources))


def _best_insertion(ctx: SearchContext) -> list[TrspRoute]:
    instance = ctx.instance
    sites = instance.sites
    t = ctx.travel
    orders = (
        sorted(instance.request_ids, key=lambda r: sites[r].window[1]),
        sorted(instance.request_ids, key=lambda r: sites[r].window[0]),
        sorted(instance.request_ids, key=lambda r: -t[0][r]),
    )
    best: tuple[tuple[int, float], list[TrspRoute]] | None = None
    for order in orders:
        routes = {k: ctx.state(k, ()) for k in instance.technician_ids}
        left_out = _insert_all(ctx, order, routes)
        rank = (len(left_out), sum(_cost(s) for s in routes.values()))
        if best is None or rank < best[0]:
            best = (rank, [TrspRoute(k, s.stops) for k, s in routes.items() if s.stops])
    assert best is not None
    return best[1]


def _cost(state: RouteState) -> float:
    assert state.cost is not None, "the search keeps only routes that keep the rules"
    return state.cost


def _insert_all(
    ctx: SearchContext,
    order: list[int],
    routes: dict[int, RouteState],
    rng: random.Random | None = None,
) -> list[int]:
    """Insert the requests in `order`, each where it adds least working time, into
    `routes` (changed in place); the requests that fit nowhere. With `rng`, each route is
    skipped for a request with probability `BLINK` (Christiaens & Vanden Berghe's blinks)."""
    left_out = []
    for r in order:
        best: tuple[float, int, tuple[int, ...]] | None = None
        for k in ctx.servers[r]:
            if rng is not None and rng.random() < BLINK:
                continue
            cost = _cost(routes[k])
            found = routes[k].insertion(r, math.inf if best is None else cost + best[0])
            if found:
                best = (found[0] - cost, k, found[1])
        if best is None:
            left_out.append(r)
        else:
            k = best[1]
            routes[k] = ctx.state(k, tuple(s for s in best[2] if s != DEPOT))
    return left_out


def ruined_and_recreated(
    instance: TrspInstance,
    routes: list[TrspRoute],
    deadline: float,
    *,
    seed: int = 0,
    with_resources: bool = True,
) -> list[TrspRoute]:
    """Ruin and recreate with simulated annealing (after Christiaens & Vanden Berghe's
    SISRs) on a plan whose routes keep every rule, until `deadline` (time.monotonic()):
    remove strings of consecutive requests from the routes nearest a random request (an
    unserved one while there is one), insert the unserved ones, then them, again (each
    group in a random, farthest-first, tightest-window or earliest-window order) each
    where it adds least, skipping a route now and then;
    accept the result when it serves more, or works less than the current plan plus a
    random allowance that shrinks from `T_START` to `T_END` of the working time per
    request; return the best plan seen (most served, then least working time)."""
    ctx = SearchContext(instance, with_resources=with_resources)
    return _ruined_and_recreated(ctx, routes, deadline, seed=seed)


def _ruined_and_recreated(
    ctx: SearchContext, routes: list[TrspRoute], deadline: float, *, seed: int = 0
) -> list[TrspRoute]:
    instance = ctx.instance
    rng = random.Random(seed)
    t = ctx.travel
    sites = instance.sites
    requests = list(instance.request_ids)
    near = {r: sorted(requests, key=lambda o: t[r][o]) for r in requests}
    current: dict[int, RouteState] = {k: ctx.state(k, ()) for k in instance.technician_ids}
    for route in routes:
        current[route.technician] = ctx.state(route.technician, _requests(route))
    served = {s for state in current.values() for s in state.requests}
    unserved = [r for r in requests if r not in served]
    penalty = 10 * max(sites[k].window[1] - sites[k].window[0] for k in instance.technician_ids)

    def value(plan: dict[int, RouteState], left: list[int]) -> float:
        return sum(_cost(s) for s in plan.values()) + penalty * len(left)

    current_value = value(current, unserved)
    best, best_value = dict(current), current_value
    orders = (
        lambda r: rng.random(),
        lambda r: -t[DEPOT][r],
        lambda r: sites[r].window[1] - sites[r].window[0],
        lambda r: sites[r].window[0],
    )
    began = time.monotonic()
    span = max(deadline - began, 1e-9)
    per_request = current_value / max(1, len(requests) - len(unserved))
    while (now := time.monotonic()) < deadline:
        temperature = per_request * T_START * (T_END / T_START) ** ((now - began) / span)
        plan = dict(current)
        removed = _strings_removed(ctx, plan, unserved, near, rng)
        key = rng.choice(orders)
        order = sorted(unserved, key=key) + sorted(removed, key=key)  # the unserved first
        left = _insert_all(ctx, order, plan, rng)
        new_value = value(plan, left)
        if new_value < current_value - temperature * math.log(1.0 - rng.random()):
            current, unserved, current_value = plan, left, new_value
            if new_value < best_value:
                best, best_value = dict(plan), new_value
    return [TrspRoute(k, s.stops) for k, s in best.items() if s.stops]


def _strings_removed(
    ctx: SearchContext,
    plan: dict[int, RouteState],
    unserved: list[int],
    near: dict[int, list[int]],
    rng: random.Random,
) -> list[int]:
    """SISRs' ruin: from the routes of a random request's nearest requests (an unserved
    one's while there is one), up to `k_s` routes, remove a string of consecutive requests (at most `MAX_STRING`, about
    `MEAN_REMOVED` in all) around that neighbour; `plan` is changed in place."""
    on = {s: k for k, state in plan.items() for s in state.requests}
    lengths = [len(s.requests) for s in plan.values() if s.requests]
    if not lengths:
        return []
    longest = min(MAX_STRING, sum(lengths) / len(lengths))
    strings = int(rng.uniform(1, 4 * MEAN_REMOVED / (1 + longest)))
    removed: list[int] = []
    ruined: set[int] = set()
    seed_request = rng.choice(unserved or list(on))  # make room for the unserved first
    for r in near[seed_request]:
        if len(ruined) >= strings:
            break
        k = on.get(r)
        if k is None or k in ruined:
            continue
        ruined.add(k)
        seq = plan[k].requests
        size = int(rng.uniform(1, min(len(seq), longest) + 1))
        at = seq.index(r)
        first = rng.randint(max(0, at - size + 1), min(at, len(seq) - size))
        removed.extend(seq[first : first + size])
        plan[k] = ctx.state(k, seq[:first] + seq[first + size :])
    return removed
