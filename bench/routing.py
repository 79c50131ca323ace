"""Solve one Solomon-format VRPTW instance with the service's routing solver.

    python -m bench.routing --instance ../shared/data/solomon/R101.vrp --time-limit 30

Prints one JSON object: instance, vehicles, distance (DIMACS: arcs truncated to one
decimal), feasible (independent checker), wall_s, routes (customer numbers, depot 0).
The objective is distance; at most the file's VEHICLES routes are used.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from logistics.routing.checker import check_routes
from logistics.routing.instances import (
    InstanceFormatError,
    SolomonInstance,
    read_instance,
    routing_problem,
)
from logistics.routing.warmstart import pyvrp_routes, vroom_routes

SOLVERS = ("ours", "ortools_plain", "vroom", "pyvrp")


def solve_instance(instance: SolomonInstance, time_limit_s: float, solver: str = "ours") -> dict:
    """Solve with one of SOLVERS and return the JSON-ready result (checked independently)."""
    from logistics.routing.solver import solve

    problem = routing_problem(instance)
    began = time.monotonic()
    if solver in ("ours", "ortools_plain"):
        plan = solve(
            problem, time_limit_s, strategy="auto" if solver == "ours" else "ortools_plain"
        )
        routes = [[int(v.stop_id) for v in r.visits] for r in plan.routes]
        complete = not plan.dropped
    else:
        found = (vroom_routes if solver == "vroom" else pyvrp_routes)(problem, time_limit_s)
        if found is None:
            raise RuntimeError(f"{solver} is not installed or found no solution")
        routes = [[int(problem.stops[i].id) for i in r] for r in found if r]
        complete = None
    wall = time.monotonic() - began
    check = check_routes(instance, routes)
    out = {
        "instance": instance.name,
        "solver": solver,
        "time_limit_s": time_limit_s,
        "vehicles": len(routes),
        "distance": round(check.distance, 1),
        "feasible": check.feasible,
        "wall_s": round(wall, 2),
        "routes": routes,
    }
    if not check.feasible:
        out["violations"] = check.violations[:10]
    if complete is False:
        out["unserved"] = instance.customers - sum(len(r) for r in routes)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True, help=".vrp (VRPLIB) or Solomon .txt file")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds")
    parser.add_argument("--solver", choices=SOLVERS, default="ours")
    args = parser.parse_args(argv)
    try:
        instance = read_instance(Path(args.instance))
    except InstanceFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(solve_instance(instance, args.time_limit, args.solver)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
