"""Solomon (and Gehring & Homberger) VRPTW suite: gap to the best-known distances.

    python -m bench.routing_suite --time-limits 5 30 --solvers ours,ortools_plain,vroom,pyvrp

Solves every instance with every solver at every limit, one solve at a time, appends
each result to a JSON-lines file under bench/out/ as it goes (`--resume FILE` continues
an interrupted run) and prints, per solver and limit, the per-class table (C1, C2, R1,
R2, RC1, RC2): mean gap to `distmin_distance_dimacs` of bks.csv over the feasible
solutions, feasible count, mean wall time. Data: $SPARELOG_DATA or ../shared/data.
"""

from __future__ import annotations

import argparse
import csv
import glob
import os
import sys
from collections import defaultdict
from pathlib import Path

from bench.results_log import ResultsLog
from bench.routing import SOLVERS, solve_instance
from logistics.routing.instances import read_instance

CLASSES = ("C1", "C2", "R1", "R2", "RC1", "RC2")
ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    return Path(os.environ.get("SPARELOG_DATA", ROOT.parent / "shared" / "data"))


def best_known(folder: Path) -> dict[str, tuple[str, float]]:
    """Instance name → (class, DIMACS distance-minimising best-known distance)."""
    out = {}
    with open(folder / "bks.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row.get("distmin_distance_dimacs"):
                out[row["instance"]] = (row["cls"], float(row["distmin_distance_dimacs"]))
    return out


def instance_files(pattern: str | None, homberger: bool) -> list[Path]:
    data = data_dir()
    files = (
        sorted(glob.glob(pattern)) if pattern else sorted(glob.glob(str(data / "solomon/*.vrp")))
    )
    if homberger:
        files += sorted(glob.glob(str(data / "homberger/*.vrp")))
    return [Path(f) for f in files]


def summarise(results: list[dict], bks: dict[str, tuple[str, float]]) -> str:
    """Per (solver, limit, size) a table of the classes with mean gap, feasible, wall."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in results:
        size = "100" if r["customers"] <= 100 else str(r["customers"])
        groups[(r["solver"], r["time_limit_s"], size)].append(r)
    lines = []
    for (solver, limit, size), rows in sorted(
        groups.items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][0])
    ):
        lines.append(f"\n{solver} @ {limit:g} s, {size} customers")
        lines.append(
            f"{'class':<6} {'n':>3} {'feasible':>8} {'mean gap %':>10} {'mean wall s':>11}"
        )
        by_class: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            by_class[bks[r["instance"]][0]].append(r)
        for cls in [*CLASSES, "all"]:
            sub = rows if cls == "all" else by_class.get(cls, [])
            if not sub:
                continue
            ok = [r for r in sub if r["feasible"]]
            gaps = [100 * (r["distance"] / bks[r["instance"]][1] - 1) for r in ok]
            gap = f"{sum(gaps) / len(gaps):.2f}" if gaps else "-"
            wall = sum(r["wall_s"] for r in sub) / len(sub)
            lines.append(
                f"{cls:<6} {len(sub):>3} {len(ok):>5}/{len(sub):<2} {gap:>10} {wall:>11.2f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limits", type=float, nargs="+", default=[5.0, 30.0])
    parser.add_argument("--instances", help="glob of .vrp files (default: all Solomon)")
    parser.add_argument("--solvers", default="ours,ortools_plain,vroom,pyvrp")
    parser.add_argument("--no-homberger", action="store_true", help="skip the 200/400 instances")
    parser.add_argument("--resume", type=Path, help="JSON-lines file of an interrupted run")
    args = parser.parse_args(argv)
    solvers = [s for s in args.solvers.split(",") if s]
    unknown = set(solvers) - set(SOLVERS)
    if unknown:
        parser.error(f"unknown solvers {sorted(unknown)}; choose from {SOLVERS}")
    data = data_dir()
    bks = {**best_known(data / "solomon"), **best_known(data / "homberger")}
    log = ResultsLog("routing_suite", args.resume)
    done = {(r["instance"], r["solver"], r["time_limit_s"]) for r in log.results}
    files = instance_files(args.instances, not args.no_homberger)
    for limit in args.time_limits:
        for path in files:
            instance = read_instance(path)
            if instance.name not in bks:
                print(f"skip {instance.name}: no best-known distance", file=sys.stderr)
                continue
            for solver in solvers:
                if (instance.name, solver, limit) in done:
                    continue
                r = solve_instance(instance, limit, solver)
                r["customers"] = instance.customers
                r["gap_pct"] = round(100 * (r["distance"] / bks[instance.name][1] - 1), 3)
                log.add(r)
                print(
                    f"{instance.name:<8} {solver:<13} {limit:>4g}s feasible={r['feasible']!s:<5} "
                    f"gap={r['gap_pct']:7.2f}% wall={r['wall_s']:.1f}",
                    file=sys.stderr,
                    flush=True,
                )
    print(f"raw results: {log.path}")
    print(summarise(log.results, bks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
