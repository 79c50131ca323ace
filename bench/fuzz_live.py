"""schemathesis with every check (``--checks all``) against a live server: gunicorn on a
fresh PostgreSQL database with the demo data set, production settings, once per role.

    python -m bench.fuzz_live                         # admin and customer, 25 examples each
    python -m bench.fuzz_live --roles admin,customer,dispatcher --examples 50 --seed 7

Each run is the schemathesis CLI (``schemathesis run URL/api/openapi.json --checks all``)
with the role's demo token and the hooks of ``bench/fuzz_hooks.py`` (about half the
identifiers swapped for existing ones; the accounts restored after every call, as the
fuzzer legitimately revokes its own token or deactivates users). Prints one line of totals
per role (operations, test cases, failures, statuses) and exits non-zero on a failure; the
CLI's own output and JUnit report go to ``--out``. The database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg

from bench.fuzz_known import seed_fuzz_demo
from bench.live_server import REPO, LiveServer

ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")


# The checks' settings (schemathesis.toml): see CONFIG_TEXT.
CONFIG = Path(__file__).with_name("fuzz_live.toml")


def warm_up(server: LiveServer, requests_per_worker: int = 3) -> None:
    """The first place lookup in a worker builds the offline gazetteer (7–20 s on this
    machine, once per process); do it before the timed run, as a readiness probe would."""
    import urllib.request

    for _ in range(server.workers * requests_per_worker):
        request = urllib.request.Request(
            server.base_url + "/api/availability?part_number=X&near=Beijing",
            headers={"Authorization": "Bearer demo-admin-token"},
        )
        try:
            urllib.request.urlopen(request, timeout=120).read()
        except OSError:  # 404/422 are fine: the lookup ran
            pass


def build_database(dbname: str) -> str:
    """A new database ``dbname`` with the demo data set (the demo tokens: demo-<role>-token)."""
    from app import create_app
    from models.migrate import upgrade

    with psycopg.connect(ADMIN_URL.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{dbname}"')
    url = ADMIN_URL.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0]
    url += f"/{dbname}"
    upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "fuzz",
            "JOBS_BACKEND": "none",
            "SPARELOG_ENV": "testing",
        }
    )
    seed_fuzz_demo(app)
    app.extensions["sparelog.db"].engine.dispose()
    return url


def drop_database(dbname: str) -> None:
    with psycopg.connect(ADMIN_URL.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (dbname,)
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}"')


def ndjson_totals(path: Path) -> dict:
    """Operations, test cases, failures and statuses from the CLI's NDJSON event stream."""
    statuses: Counter[str] = Counter()
    operations: set[str] = set()
    failures: set[tuple[str, str, str]] = set()
    cases = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        ((kind, body),) = event.items()
        if kind != "ScenarioFinished":
            continue
        recorder = body.get("recorder") or {}
        label = recorder.get("label") or ""
        operations.add(label)
        for case_checks in (recorder.get("checks") or {}).values():
            for check in case_checks:
                if check.get("status", "").lower() == "failure":
                    failure = (check.get("failure_info") or {}).get("failure") or {}
                    operation = failure.get("operation") or label
                    failures.add((operation, failure.get("code", ""), failure.get("title", "")))
        for interaction in (recorder.get("interactions") or {}).values():
            response = interaction.get("response") or {}
            if "status_code" in response:
                cases += 1
                statuses[f"{response['status_code'] // 100}xx"] += 1
    return {
        "operations": len(operations),
        "cases": cases,
        "failures": len(failures),
        "statuses": dict(sorted(statuses.items())),
        "failed": sorted(f"{operation}: {code} {title}" for operation, code, title in failures),
    }


def run_role(server: LiveServer, role: str, args, out: Path, env: dict) -> dict:
    report = out / f"{role}.ndjson"
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "run",
        server.base_url + "/api/openapi.json",
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer demo-{role}-token",
        "--max-examples",
        str(args.examples),
        "--seed",
        str(args.seed),
        "--workers",
        "1",
        "--phases",
        args.phases,
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "ndjson,junit",
        "--report-ndjson-path",
        str(report),
        "--report-junit-path",
        str(out / f"{role}.xml"),
        "--request-timeout",
        "30",
    ]
    started = time.monotonic()
    with open(out / f"{role}.log", "w", encoding="utf-8") as log:
        done = subprocess.run(command, cwd=out, env=env, stdout=log, stderr=subprocess.STDOUT)
    totals = {"role": role, "exit": done.returncode, "seconds": round(time.monotonic() - started)}
    totals |= ndjson_totals(report)
    return totals


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--roles", default="admin,customer")
    ap.add_argument("--examples", type=int, default=25, help="test cases per operation")
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    ap.add_argument("--out", default="fuzz-live", help="directory for the CLI logs and reports")
    ap.add_argument("--database-url", help="use this demo database instead of building one")
    args = ap.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    dbname = f"sparelog_fuzz_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        url = args.database_url or build_database(dbname)
        return _run(url, args, out)
    finally:
        if not args.database_url:
            drop_database(dbname)


def _run(url: str, args, out: Path) -> int:
    env = dict(os.environ)
    env.update(
        {
            "SCHEMATHESIS_HOOKS": "bench.fuzz_hooks",
            "FUZZ_DATABASE_URL": url,
            "PYTHONPATH": str(REPO),
        }
    )
    server_env = {
        "SPARELOG_ENV": "production",
        "RATELIMIT_STORAGE_URI": "memory://",
        "TRACKING_RATE_LIMIT": "1000000 per minute",
        "JOBS_BACKEND": "inprocess",
    }
    results = []
    server = LiveServer(url, workers=1, threads=4, env=server_env)
    server.env["PUBLIC_BASE_URL"] = server.base_url
    with server:
        warm_up(server)
        for role in args.roles.split(","):
            totals = run_role(server, role.strip(), args, out, env)
            results.append(totals)
            print(json.dumps({k: v for k, v in totals.items() if k != "failed"}), flush=True)
            for failure in totals["failed"]:
                print(f"  FAILED {failure}", flush=True)
    return 1 if any(r["failures"] or r["exit"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
