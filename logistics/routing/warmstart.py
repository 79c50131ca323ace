"""First solutions from other well-kept solvers, run on the same integer matrices.

PyVRP (hybrid genetic search) and VROOM are optional: when not installed the functions
return None and the OR-Tools solver builds its own first solution. Both return one list
of stop indices per vehicle of the problem (possibly empty); OR-Tools re-checks every
constraint before using them, so an approximation here can only cost time, never
feasibility.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from datetime import timedelta
from typing import Any, cast

import numpy as np

from logistics.routing.model import RoutingProblem

Routes = list[list[int]]
#: Distance and time given to an arc into a stop the vehicle is not qualified for.
_FORBIDDEN = 10**9


#: Share of the first-solution time given to VROOM before PyVRP when every stop is
#: mandatory (PyVRP is the stronger distance minimiser there).
VROOM_SHARE = 0.25


def vroom_seconds(problem: RoutingProblem, first_solution_s: float) -> float:
    """VROOM's part of the first-solution time. When stops may be dropped, VROOM's
    serve-as-many-as-possible search is the best start: most of a short budget, then
    1.5 s plus a fifth of a longer one, whose rest PyVRP uses to cut distance."""
    if all(s.is_mandatory for s in problem.stops):
        return VROOM_SHARE * first_solution_s
    return min(0.7 * first_solution_s, 1.5 + 0.2 * first_solution_s)


def first_routes(
    problem: RoutingProblem, time_limit_s: float, prefer: str = "auto"
) -> list[tuple[str, Routes]]:
    """Candidate (source, routes) first solutions found within `time_limit_s`.

    "auto": VROOM for `vroom_seconds`, then PyVRP started from VROOM's routes for the
    rest (PyVRP's may be missing); "pyvrp" / "vroom": that solver alone.
    """
    began = time.monotonic()
    found: list[tuple[str, Routes]] = []
    if prefer in ("auto", "vroom"):
        share = vroom_seconds(problem, time_limit_s) if prefer == "auto" else time_limit_s
        found.append(("vroom", vroom_routes(problem, share)))
    if prefer in ("auto", "pyvrp"):
        left = time_limit_s - (time.monotonic() - began)
        routes = pyvrp_routes(
            problem, left, initial=found[0][1] if found else None, keep_initial_served=True
        )
        if routes is not None:
            found.append(("pyvrp", routes))
    return found


def _vehicle_groups(problem: RoutingProblem) -> dict[Hashable, list[int]]:
    groups: dict[Hashable, list[int]] = {}
    for k, v in enumerate(problem.vehicles):
        key = (v.start, v.end, v.shift, v.capacity, v.skills, v.fixed_cost)
        groups.setdefault(key, []).append(k)
    return groups


def pyvrp_routes(
    problem: RoutingProblem,
    time_limit_s: float,
    *,
    initial: Routes | None = None,
    keep_initial_served: bool = False,
    seed: int = 0,
) -> Routes | None:
    """Routes from PyVRP within `time_limit_s`, optionally started from `initial` routes
    (with `keep_initial_served`, the stops those routes serve become required, so PyVRP
    never serves fewer);
    None when the problem has pickup pairs or negative demands
    (not modelled here), or no feasible solution was found."""
    import pyvrp  # imported when used: the solver import stays light
    from pyvrp.stop import MaxRuntime

    if any(s.pickup_of is not None or s.demand < 0 for s in problem.stops):
        return None
    n = problem.distance.shape[0]
    locations = [pyvrp.Location(float(i), 0.0) for i in range(n)]
    depot_locs = sorted({v.start for v in problem.vehicles} | {v.end for v in problem.vehicles})
    depot_of = {loc: k for k, loc in enumerate(depot_locs)}
    depots = [pyvrp.Depot(location=loc) for loc in depot_locs]
    big = int(problem.distance.max()) * (len(problem.stops) + 2 * len(problem.vehicles)) + 1
    kept = {i for r in initial for i in r} if initial and keep_initial_served else set()
    clients = [
        pyvrp.Client(
            location=s.location,
            delivery=[s.demand],
            service_duration=s.service_minutes,
            tw_early=s.window[0],
            tw_late=s.window[1],
            required=s.is_mandatory or i in kept,
            prize=0 if s.is_mandatory else min(int(s.penalty or 0), big),
        )
        for i, s in enumerate(problem.stops)
    ]
    skill_sets = sorted({v.skills for v in problem.vehicles}, key=sorted)
    needs_skills = any(s.required_skill for s in problem.stops)
    profile_of = {skills: (k if needs_skills else 0) for k, skills in enumerate(skill_sets)}
    dist_mats, dur_mats = [], []
    for skills in skill_sets if needs_skills else [frozenset()]:
        dist = problem.distance.copy()
        dur = problem.travel_minutes.copy()
        for s in problem.stops:
            if s.required_skill and s.required_skill not in skills:
                dist[:, s.location] = _FORBIDDEN
                dur[:, s.location] = _FORBIDDEN
        np.fill_diagonal(dist, 0)
        np.fill_diagonal(dur, 0)
        dist_mats.append(dist)
        dur_mats.append(dur)
    groups = _vehicle_groups(problem)
    unlimited = max(1, sum(s.demand for s in problem.stops))
    types = []
    members: list[list[int]] = []
    for ks in groups.values():
        v = problem.vehicles[ks[0]]
        types.append(
            pyvrp.VehicleType(
                len(ks),
                capacity=[v.capacity if v.capacity is not None else unlimited],
                start_depot=depot_of[v.start],
                end_depot=depot_of[v.end],
                fixed_cost=v.fixed_cost,
                tw_early=v.shift[0],
                tw_late=v.shift[1],
                profile=profile_of[v.skills],
            )
        )
        members.append(list(ks))
    # pyvrp's stubs spell a 2-D matrix's shape type as `int`; ours are 2-D int64 arrays, as it wants
    data = pyvrp.ProblemData(
        locations, clients, depots, types, cast(Any, dist_mats), cast(Any, dur_mats)
    )
    start = None
    if initial is not None:
        type_of = {k: (t, ks) for t, ks in enumerate(members) for k in ks}
        start = pyvrp.Solution(
            data,
            [
                pyvrp.Route(
                    data, [pyvrp.Activity(pyvrp.ActivityType.CLIENT, i) for i in r], type_of[k][0]
                )
                for k, r in enumerate(initial)
                if r
            ],
        )
    result = pyvrp.solve(
        data,
        MaxRuntime(max(0.01, time_limit_s)),
        seed=seed,
        collect_stats=False,
        display=False,
        initial_solution=start,
    )
    if not result.is_feasible():
        return None
    routes: Routes = [[] for _ in problem.vehicles]
    next_free = [0] * len(types)
    for route in result.best.routes():
        t = route.vehicle_type()
        k = members[t][next_free[t]]
        next_free[t] += 1
        routes[k] = [a.idx for a in route.schedule() if a.is_client()]
    return routes


def vroom_routes(
    problem: RoutingProblem, time_limit_s: float, exploration_level: int = 5
) -> Routes:
    """Routes from VROOM (pyvroom).

    VROOM has no drop penalties: it serves as many stops as it can, higher priority
    first (priority from the penalty; mandatory stops get the highest).
    """
    import vroom  # imported when used, as pyvrp

    skill_ids = {
        name: k for k, name in enumerate(sorted({x for v in problem.vehicles for x in v.skills}))
    }
    inp = vroom.Input()
    inp.set_durations_matrix(profile="car", matrix_input=problem.travel_minutes.astype(np.uint32))
    inp.set_costs_matrix(profile="car", matrix_input=problem.distance.astype(np.uint32))
    with_load = any(s.demand for s in problem.stops)
    unlimited = max(1, sum(abs(s.demand) for s in problem.stops))
    for k, v in enumerate(problem.vehicles):
        extra = (
            {"capacity": [v.capacity if v.capacity is not None else unlimited]} if with_load else {}
        )
        inp.add_vehicle(
            vroom.Vehicle(
                k,
                start=v.start,
                end=v.end,
                profile="car",
                skills={skill_ids[x] for x in v.skills},
                time_window=vroom.TimeWindow(v.shift[0], v.shift[1]),
                **extra,
            )
        )
    top = max([s.penalty or 0 for s in problem.stops] + [1])
    by_id = problem.stop_index
    deliveries = {by_id[s.pickup_of]: i for i, s in enumerate(problem.stops) if s.pickup_of}
    paired = set(deliveries) | set(deliveries.values())
    for i, s in enumerate(problem.stops):
        if i in paired:
            continue
        prio = 100 if s.is_mandatory else int(99 * (s.penalty or 0) / top)
        load = {"delivery": [s.demand]} if with_load else {}
        inp.add_job(
            vroom.Job(
                i,
                location=s.location,
                default_service=s.service_minutes,
                priority=prio,
                skills={skill_ids[s.required_skill]} if s.required_skill else set(),
                time_windows=[vroom.TimeWindow(s.window[0], s.window[1])],
                **load,
            )
        )
    for p, d in deliveries.items():
        ps, ds = problem.stops[p], problem.stops[d]
        amount = {"amount": [max(ps.demand, 0)]} if with_load else {}
        inp.add_shipment(
            vroom.ShipmentStep(
                p,
                location=ps.location,
                default_service=ps.service_minutes,
                time_windows=[vroom.TimeWindow(*ps.window)],
            ),
            vroom.ShipmentStep(
                d,
                location=ds.location,
                default_service=ds.service_minutes,
                time_windows=[vroom.TimeWindow(*ds.window)],
            ),
            skills={skill_ids[ds.required_skill]} if ds.required_skill else set(),
            priority=100 if ds.is_mandatory else int(99 * (ds.penalty or 0) / top),
            **amount,
        )
    solution = inp.solve(
        exploration_level=exploration_level,
        nb_threads=1,
        timeout=timedelta(seconds=max(0.01, time_limit_s)),
    )
    routes: Routes = [[] for _ in problem.vehicles]
    frame = solution.routes
    if "id" not in frame.columns:  # nothing could be routed: VROOM leaves the job column out
        return routes
    for vid, kind, job in zip(frame["vehicle_id"], frame["type"], frame["id"], strict=True):
        if kind in ("job", "pickup", "delivery"):
            routes[int(vid)].append(int(job))
    return routes
