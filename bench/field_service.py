"""Field-service days: 20 engineers from home, 2 days of shifts, 150 jobs, ~300 km square.

    python -m bench.field_service --time-limits 2 10 --seeds 1 2 3

For every seed and limit, solves the same scenario with the service's solver ("ours":
PyVRP/VROOM first solution + OR-Tools), its OR-Tools model alone ("ortools"), the textbook
OR-Tools set-up with drop penalties ("ortools_plain": path-cheapest-arc + guided local
search) and VROOM alone, and prints jobs served, road km and wall time. Every plan is
re-timed by an independent forward pass (windows, shifts) before it is counted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from logistics.routing.model import RoutingProblem, Stop, Vehicle
from logistics.routing.schedule import timed_route
from logistics.routing.solver import solve
from logistics.routing.warmstart import vroom_routes

SQUARE_KM = 300.0
CIRCUITY = 1.3  # road km per straight-line km
SPEED_KMH = 70.0
ACCESS_MIN = 5  # parking and walking in, per leg
DAY = 1440
SHIFT = (8 * 60, 18 * 60)
#: Drop penalty in metres by severity: larger than any detour, so serving always pays.
PENALTY_M = {"P1": 5_000_000, "P2": 3_000_000, "P3": 2_000_000, "P4": 1_500_000}
SOLVERS = ("ours", "ortools", "ortools_plain", "vroom")


def scenario(seed: int, engineers: int = 20, jobs: int = 150, days: int = 2) -> RoutingProblem:
    """Homes first, then job sites; travel minutes rounded up, distance in metres."""
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, SQUARE_KM, size=(engineers + jobs, 2))
    km = CIRCUITY * np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
    minutes = np.ceil(km / SPEED_KMH * 60).astype(np.int64) + ACCESS_MIN
    np.fill_diagonal(minutes, 0)
    metres = np.rint(km * 1000).astype(np.int64)
    vehicles = [
        Vehicle(
            id=f"eng{e:02d}-day{d + 1}",
            start=e,
            end=e,
            shift=(SHIFT[0] + d * DAY, SHIFT[1] + d * DAY),
        )
        for d in range(days)
        for e in range(engineers)
    ]
    windows = [(SHIFT[0], SHIFT[1] - 60), (SHIFT[0], 12 * 60), (13 * 60, SHIFT[1] - 60)]
    stops = []
    for j in range(jobs):
        day = int(rng.integers(days))
        lo, hi = windows[int(rng.choice(3, p=[0.6, 0.2, 0.2]))]
        severity = str(rng.choice(list(PENALTY_M), p=[0.1, 0.2, 0.4, 0.3]))
        stops.append(
            Stop(
                id=f"job{j:03d}",
                location=engineers + j,
                service_minutes=int(rng.integers(60, 121)),
                window=(lo + day * DAY, hi + day * DAY),
                penalty=PENALTY_M[severity],
            )
        )
    return RoutingProblem(minutes, metres, stops, vehicles)


def evaluate(problem: RoutingProblem, routes: list[list[int]]) -> dict:
    """Served jobs and km of per-vehicle stop-index routes, re-timed independently."""
    served = 0
    metres = 0
    feasible = True
    for k, r in enumerate(routes):
        if not r:
            continue
        timed = timed_route(problem, k, r)
        if timed is None:
            feasible = False
            continue
        served += len(r)
        metres += timed.distance
    seen = [i for r in routes for i in r]
    feasible = feasible and len(seen) == len(set(seen))
    return {"served": served, "km": round(metres / 1000, 1), "feasible": feasible}


def run(problem: RoutingProblem, solver: str, limit: float) -> dict:
    began = time.monotonic()
    if solver == "vroom":
        routes = vroom_routes(problem, limit)
    else:
        plan = solve(problem, limit, strategy="auto" if solver == "ours" else solver)
        by_id = problem.stop_index
        seqs = plan.stop_sequences()
        routes = [[by_id[s] for s in seqs.get(v.id, [])] for v in problem.vehicles]
    return {**evaluate(problem, routes), "wall_s": round(time.monotonic() - began, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limits", type=float, nargs="+", default=[2.0, 10.0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--solvers", default=",".join(SOLVERS))
    parser.add_argument("--out", type=Path, default=Path("bench/out/field_service.json"))
    args = parser.parse_args(argv)
    results = []
    for seed in args.seeds:
        problem = scenario(seed)
        for limit in args.time_limits:
            for solver in args.solvers.split(","):
                r = {
                    "seed": seed,
                    "time_limit_s": limit,
                    "solver": solver,
                    **run(problem, solver, limit),
                }
                results.append(r)
                print(json.dumps(r), file=sys.stderr, flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    jobs = len(scenario(args.seeds[0]).stops)
    print(
        f"{'seed':>4} {'limit s':>7} {'solver':<14} {'served':>9} {'km':>9} {'wall s':>7} feasible"
    )
    for r in results:
        print(
            f"{r['seed']:>4} {r['time_limit_s']:>7g} {r['solver']:<14} {r['served']:>5}/{jobs:<3} "
            f"{r['km']:>9.1f} {r['wall_s']:>7.2f} {r['feasible']}"
        )
    print(f"raw results: {args.out}")
    return 0 if all(r["feasible"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
