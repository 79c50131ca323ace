"""Solve one technician routing instance (skills, tools, spare parts) of Pillac et al.

    python -m bench.trsp --instance ../shared/data/trsp/pillac/crew25/C101.100_25-5-5-5.txt
        [--time-limit 30] [--no-resources] [--seed 0]

Prints exactly one JSON line: instance, objective (total working time, the authors'
definition), feasible (from the evaluator in logistics/routing/trsp.py, not from the
solver), technicians_used, wall_s, routes [{"technician": k, "stops": [...]}] with k the
technician's row id, stops the request row ids in visiting order and each depot visit
as 0, the technician's home left out. `--no-resources` solves and judges without the
tools and parts rules (the comparison of BENCHMARKS.md). A file that cannot be read
prints `error: ...` on stderr and exits 2; an infeasible plan lists its broken rules on
stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from logistics.routing.trsp import TrspFormatError, TrspInstance, evaluate, read_trsp
from logistics.routing.trsp_solver import solve_trsp


def solve_instance(
    instance: TrspInstance, time_limit_s: float, *, with_resources: bool = True, seed: int = 0
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The JSON-ready result and the evaluator's list of broken rules (empty if feasible)."""
    plan = solve_trsp(instance, time_limit_s, with_resources=with_resources, seed=seed)
    judged = evaluate(instance, plan.routes, with_resources=with_resources)
    out = {
        "instance": instance.name,
        "objective": round(judged.objective, 4),
        "feasible": judged.feasible,
        "technicians_used": judged.technicians_used,
        "wall_s": round(plan.wall_s, 2),
        "routes": [
            {"technician": r.technician, "stops": list(r.stops)} for r in plan.routes if r.stops
        ],
    }
    return out, judged.violations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True, help="a crew25/NAME.100_25-5-5-5.txt file")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds")
    parser.add_argument(
        "--no-resources", action="store_true", help="leave out the tools and parts rules"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.time_limit > 0:
        parser.error("--time-limit must be positive")
    try:
        instance = read_trsp(Path(args.instance))
    except TrspFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out, violations = solve_instance(
        instance, args.time_limit, with_resources=not args.no_resources, seed=args.seed
    )
    for v in violations:
        print(f"violation: {v}", file=sys.stderr)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
