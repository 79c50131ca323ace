"""How long the command line takes to start (issue 14).

    python -m bench.startup [--runs 5] [--root DIR ...]

Runs, as fresh processes with warm byte-code caches (kept under a temporary
PYTHONPYCACHEPREFIX so the tree is not written to): ``flask --help`` and
``flask logistics eta --from 北京 --to 上海`` on the demo configuration, for each code tree
given with ``--root`` (default: this one), and, as the floor in the same run, ``flask --help``
of a bare Flask app (``bench.bare_app``). Prints the median wall-clock and CPU (user + system)
seconds per command and tree. To compare with an earlier commit, export it first, e.g.
``git archive <commit> | tar -x -C /tmp/before`` and pass ``--root /tmp/before --root .``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
COMMANDS = {
    "flask --help": ["--help"],
    "flask logistics eta": ["logistics", "eta", "--from", "北京", "--to", "上海"],
}


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """One process, in its code tree (``python -m`` puts the working directory first on the
    path): (wall seconds, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=env["PYTHONPATH"], capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _environment(root: Path, app: str, cache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PYTHONPATH=str(root),
        PYTHONPYCACHEPREFIX=cache,
        FLASK_APP=app,
        SPARELOG_ENV="development",
        PUBLIC_BASE_URL="http://localhost:5000",
        GEOCODER="gazetteer",
    )
    env.setdefault("SPARELOG_DATA", str(HERE.parent / "shared" / "data"))
    return env


def _measure(label: str, args: list[str], env: dict[str, str], runs: int) -> None:
    flask = [sys.executable, "-m", "flask", *args]
    _run(flask, env)  # warm the byte-code cache and the file system
    walls, cpus = zip(*(_run(flask, env) for _ in range(runs)), strict=True)
    print(
        f"{label:<44} wall {statistics.median(walls):5.2f} s  "
        f"CPU {statistics.median(cpus):5.2f} s  (min: wall {min(walls):.2f} s, "
        f"CPU {min(cpus):.2f} s; {runs} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", action="append", type=Path, help="code tree(s) to time")
    args = parser.parse_args()
    roots = args.root or [HERE]
    print(f"load average before: {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="startup-pyc-") as cache:
        bare = _environment(HERE, "bench.bare_app", cache)
        _measure("baseline: flask --help of a bare Flask app", ["--help"], bare, args.runs)
        for root in roots:
            env = _environment(root.resolve(), "wsgi", cache)
            for label, command in COMMANDS.items():
                _measure(f"{root}: {label}", command, env, args.runs)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
