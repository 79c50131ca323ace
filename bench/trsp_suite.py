"""All 56 technician routing instances of Pillac et al.: gap to the authors' results.

    python -m bench.trsp_suite --time-limits 5 30 [--modes resources,relaxed]
        [--instances GLOB] [--jobs 1] [--resume FILE]

Solves every instance at every limit in every mode ("resources": skills, tools and
parts; "relaxed": the same without the tools and parts rules, for comparison), appends
each result to a JSON-lines file under bench/out/ as it goes (`--resume FILE` continues
an interrupted run; `--jobs 2` runs two solves at once) and prints per mode and limit the
per-class table (C1, C2, R1, R2, RC1, RC2): mean gap to the authors' objective over the
feasible solutions, feasible count, mean wall time, and every new best (negative gap).
The feasible flag and the objective come from the evaluator. Data: $SPARELOG_DATA or
../shared/data.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.results_log import ResultsLog
from bench.trsp import solve_instance
from logistics.routing.trsp import read_published, read_trsp

CLASSES = ("C1", "C2", "R1", "R2", "RC1", "RC2")
MODES = ("resources", "relaxed")
ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """$SPARELOG_DATA, else the nearest shared/data beside a folder above the checkout."""
    env = os.environ.get("SPARELOG_DATA")
    near = (p / "shared" / "data" for p in ROOT.parents if (p / "shared" / "data").is_dir())
    return Path(env or next(near, ROOT.parent / "shared" / "data")) / "trsp/pillac"


def instance_class(name: str) -> str:
    """'RC201.100_25-5-5-5' → 'RC2'."""
    stem = name.split(".")[0]
    letters = stem.rstrip("0123456789")
    return letters + stem[len(letters)]


def _solve(path: str, limit: float, mode: str, published: float) -> dict[str, Any]:
    out, violations = solve_instance(read_trsp(path), limit, with_resources=mode == "resources")
    out.update(
        mode=mode,
        time_limit_s=limit,
        published=published,
        gap_pct=round(100 * (out["objective"] / published - 1), 3),
        violations=list(violations[:5]),
    )
    return out


def summarise(results: list[dict[str, Any]]) -> str:
    groups: dict[tuple[str, float], list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        groups[(r["mode"], r["time_limit_s"])].append(r)
    lines = []
    for (mode, limit), rows in sorted(groups.items()):
        lines.append(f"\n{mode} @ {limit:g} s")
        lines.append(f"{'class':<6} {'feasible':>8} {'mean gap %':>10} {'mean wall s':>11}")
        for cls in [*CLASSES, "all"]:
            sub = [r for r in rows if cls == "all" or instance_class(r["instance"]) == cls]
            if not sub:
                continue
            ok = [r for r in sub if r["feasible"]]
            gap = f"{sum(r['gap_pct'] for r in ok) / len(ok):.2f}" if ok else "-"
            wall = sum(r["wall_s"] for r in sub) / len(sub)
            lines.append(f"{cls:<6} {len(ok):>5}/{len(sub):<2} {gap:>10} {wall:>11.2f}")
        worst = max(r["wall_s"] for r in rows)
        lines.append(f"longest wall: {worst:.2f} s")
        infeasible = sorted(r["instance"] for r in rows if not r["feasible"])
        if infeasible:
            lines.append(f"infeasible: {', '.join(infeasible)}")
        if mode == "resources":
            best = sorted((r["gap_pct"], r["instance"]) for r in rows if r["feasible"])
            new = [f"{name} {gap:.2f}%" for gap, name in best if gap < 0]
            lines.append(f"new bests (negative gap): {', '.join(new) if new else 'none'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limits", type=float, nargs="+", default=[5.0, 30.0])
    parser.add_argument("--modes", default="resources,relaxed")
    parser.add_argument("--instances", help="glob of instance files (default: all 56)")
    parser.add_argument("--jobs", type=int, default=1, help="solves at once")
    parser.add_argument("--resume", type=Path, help="JSON-lines file of an interrupted run")
    args = parser.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    if set(modes) - set(MODES):
        parser.error(f"unknown modes {sorted(set(modes) - set(MODES))}; choose from {MODES}")
    data = data_dir()
    published = read_published(data / "pillac-minwt.sol")
    files = sorted(glob.glob(args.instances or str(data / "crew25/*.txt")))
    log = ResultsLog("trsp_suite", args.resume)
    done = {(r["instance"], r["mode"], r["time_limit_s"]) for r in log.results}
    todo = []
    for limit in args.time_limits:
        for mode in modes:
            for path in files:
                name = read_trsp(path).name
                if (name, mode, limit) not in done:
                    todo.append((path, limit, mode, published[name].objective))
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for r in pool.map(_solve, *zip(*todo, strict=True)) if todo else []:
            log.add(r)
            print(
                f"{r['instance']:<20} {r['mode']:<9} {r['time_limit_s']:>4g}s "
                f"feasible={r['feasible']!s:<5} gap={r['gap_pct']:7.2f}% wall={r['wall_s']:.1f}",
                file=sys.stderr,
                flush=True,
            )
    print(f"raw results: {log.path}")
    print(summarise(log.results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
