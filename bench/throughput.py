"""Throughput over HTTP: gunicorn on PostgreSQL against a bare Flask endpoint, same run.

Serves the app (``gunicorn wsgi:app``) and the bare constant app (bench/bare_app.py) with
the same gunicorn settings (bench/live_server.py: 4 gthread workers, 8 threads each), then
drives one endpoint at a time with a closed-loop load generator on loopback: several
processes, each holding keep-alive connections in threads, sending the next request as
soon as the answer is read. Measured per endpoint: requests per second, p50 and p99
latency, server CPU per request (master + workers, from /proc) and the ratio of its
throughput to the bare endpoint's (the mean of the bare runs just before and just after it:
the bare endpoint is measured between every two endpoints).

    python -m bench.throughput                      # builds a demo database, ~3 min
    python -m bench.throughput --database-url URL   # a database prepared by an earlier run

Endpoints: public tracking lookups (``GET /api/track/<code>``) twice: a few codes polled
over and over (answered from each worker's cache, ``TRACKING_CACHE_SECONDS``), and a few
hundred RMAs with timelines on a server with the cache off (every lookup reads the
database); availability (``GET /api/availability?part_number=…&near=<city>``)
and stock receipts (``POST /api/stock/receipts`` of new serials, each with its own
Idempotency-Key). Prints the table and nothing else is written (the database it builds is
dropped at the end unless ``--keep``).
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing as mp
import os
import platform
import random
import shutil
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg

from bench.live_server import LiveServer

ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
DEFAULT_DB = "sparelog_throughput"
TOKEN = "demo-warehouse-token"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# As deployed (rate-limit counters in Redis, shared by the workers), with the limit raised
# out of the way and no background sweep/outbox thread adding work of its own.
SERVER_ENV = {
    "JOBS_BACKEND": "none",
    "RATELIMIT_STORAGE_URI": REDIS_URL,
    "TRACKING_RATE_LIMIT": "100000000 per minute",
}
TICKS = os.sysconf("SC_CLK_TCK")
POLLED_CODES = 8  # tracking with the answer cache: a few codes asked again and again


# -- the data set -------------------------------------------------------------------------


def build_database(dbname: str, *, items_per_depot: int, rmas: int, log=print) -> str:
    """(Re)create ``dbname`` with the demo network (``items_per_depot`` serials per depot,
    twice that at the four big ones), its service flow, and ``rmas`` advance-replacement
    RMAs with timelines (approved, allocated, shipped, some delivered) for tracking."""
    from app import create_app
    from app.demo.seed import seed_demo
    from app.demo.service_flow import seed_service_flow
    from models.migrate import upgrade

    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (dbname,)
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        admin.execute(f'CREATE DATABASE "{dbname}"')
    url = (
        ADMIN_URL.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{dbname}"
    )
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "JOBS_BACKEND": "none"})
    t0 = time.perf_counter()
    with app.app_context(), app.extensions["sparelog.db"].sessions() as session:
        summary = seed_demo(session, items_per_depot=items_per_depot)
        seed_service_flow(session, seed=20261122)
        made = _tracked_rmas(session, rmas)
    app.extensions["sparelog.db"].engine.dispose()
    with psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute("VACUUM ANALYZE")
    log(
        f"built {dbname}: {summary.depots} depots, {summary.parts} parts, {summary.serial_items} serialized items, "
        f"{made} extra RMAs in {time.perf_counter() - t0:.0f} s"
    )
    return url


def _tracked_rmas(session, count: int) -> int:
    """Advance replacements for installed units, moved along like real ones."""
    from sqlalchemy import select

    from inventory import rmas
    from inventory.dispatch_service import depot_stock
    from models import Equipment, Part, Site

    rng = random.Random(11)
    units = session.execute(
        select(Equipment.serial, Site.code, Part.part_number, Part.id)
        .join(Site, Site.id == Equipment.site_id)
        .join(Part, Part.id == Equipment.part_id)
        .order_by(Equipment.serial)
    ).all()
    made = 0
    for i in range(count):
        serial, site, part_number, part_id = units[i % len(units)]
        stock = [d for d in depot_stock(session, session.get(Part, part_id)) if d.good_qty > 0]
        if not stock:
            continue
        number = rmas.open_rma(
            session,
            rmas.RmaRequest(
                kind="advance_replacement",
                site_code=site,
                faulty_part_number=part_number,
                faulty_serial=serial,
                fault_symptom=f"bench fault {i}",
            ),
            actor="bench",
        ).number
        rmas.move_rma(session, number, "approve", actor="bench")
        rmas.move_rma(
            session,
            number,
            "allocate",
            actor="bench",
            given=rmas.MoveInput(depot=rng.choice(stock).code),
        )
        if i % 3:
            rmas.move_rma(
                session,
                number,
                "ship",
                actor="bench",
                given=rmas.MoveInput(carrier="SF Express", waybill=f"SF{i:010d}"),
            )
        if i % 3 == 2:
            rmas.move_rma(session, number, "deliver", actor="bench")
        made += 1
    return made


@dataclass(frozen=True)
class Inputs:
    tracking_codes: list[str]
    availability: list[tuple[str, str]]  # (part number, city)
    receipt_part: str
    receipt_depots: list[str]


def read_inputs(url: str) -> Inputs:
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        codes = [r[0] for r in conn.execute("SELECT tracking_code FROM rmas ORDER BY id")]
        parts = [
            r[0]
            for r in conn.execute(
                "SELECT p.part_number FROM parts p WHERE p.tracking = 'serialized' AND EXISTS "
                "(SELECT 1 FROM serial_items i WHERE i.part_id = p.id AND i.status = 'in_stock') ORDER BY 1"
            )
        ]
        cities = [r[0] for r in conn.execute("SELECT DISTINCT city FROM sites ORDER BY 1")]
        depots = [r[0] for r in conn.execute("SELECT code FROM depots ORDER BY code")]
    rng = random.Random(5)
    pairs = [(rng.choice(parts), rng.choice(cities)) for _ in range(200)]
    return Inputs(codes, pairs, parts[0], depots)


# -- the load generator -------------------------------------------------------------------


def _request(
    method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Requests:
    """The i-th request a load thread sends to one endpoint."""

    def __init__(self, name: str, inputs: Inputs | None, run: str):
        self.name, self.inputs, self.run = name, inputs, run
        self.expect = (
            404 if name == "floor" else None
        )  # the answer that counts as served (else 2xx)

    def __call__(self, thread: str, i: int) -> bytes:
        inputs = self.inputs
        if self.name == "bare":
            return _request("GET", "/api/bare")
        if self.name == "floor":  # the app's own cheapest answer: refused before any database work
            return _request("GET", "/api/track/x")
        assert inputs is not None
        if self.name == "tracking":
            return _request(
                "GET", "/api/track/" + inputs.tracking_codes[i % len(inputs.tracking_codes)]
            )
        if self.name == "availability":
            part, city = inputs.availability[i % len(inputs.availability)]
            return _request(
                "GET",
                f"/api/availability?part_number={quote(part)}&near={quote(city)}",
                {"Authorization": f"Bearer {TOKEN}"},
            )
        if self.name == "receipts":
            depot = inputs.receipt_depots[i % len(inputs.receipt_depots)]
            body = (
                f'{{"depot":"{depot}","part_number":"{inputs.receipt_part}",'
                f'"serial":"TP{self.run}{thread}{i:07d}"}}'
            ).encode()
            return _request(
                "POST",
                "/api/stock/receipts",
                {"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": str(uuid.uuid4())},
                body,
            )
        raise ValueError(self.name)


def _exchange(sock: socket.socket, request: bytes, buffer: bytearray) -> int:
    """Send one request and read its whole response; returns the status code."""
    sock.sendall(request)
    while True:
        end = buffer.find(b"\r\n\r\n")
        if end >= 0:
            break
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server")
        buffer += chunk
    head = bytes(buffer[:end]).decode("latin-1")
    status = int(head[9:12])
    length = 0
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    total = end + 4 + length
    while len(buffer) < total:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server")
        buffer += chunk
    del buffer[:total]
    return status


def _load_process(
    port: int,
    build: Requests,
    index: int,
    threads: int,
    start: float,
    warmup: float,
    duration: float,
    out,
) -> None:
    import threading

    window = (start + warmup, start + warmup + duration)
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    statuses: list[dict[int, int]] = [{} for _ in range(threads)]

    def run(t: int) -> None:
        sock, buffer, i = None, bytearray(), 0
        name = f"{index:02d}{t:02d}"
        while True:
            begin = time.time()
            if begin >= window[1]:
                break
            try:
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    buffer.clear()
                status = _exchange(sock, build(name, i), buffer)
            except OSError:
                if sock is not None:
                    sock.close()
                sock = None
                status = 0
            i += 1
            end = time.time()
            if window[0] <= begin and end <= window[1]:
                if status == build.expect if build.expect else 200 <= status < 300:
                    latencies[t].append(end - begin)
                else:
                    errors[t] += 1
                statuses[t][status] = statuses[t].get(status, 0) + 1
        if sock is not None:
            sock.close()

    while time.time() < start:
        time.sleep(0.001)
    cpu0 = time.process_time()
    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    merged: dict[int, int] = {}
    for s in statuses:
        for k, v in s.items():
            merged[k] = merged.get(k, 0) + v
    out.put(
        ([x for lat in latencies for x in lat], sum(errors), merged, time.process_time() - cpu0)
    )


def prewarm(
    server: LiveServer, build: Requests, *, fast: float = 0.1, streak: int = 16, limit: float = 90.0
) -> int:
    """Requests one at a time, each on a new connection (so every worker gets some), until
    ``streak`` in a row answer within ``fast`` seconds: a worker's first request of a kind
    loads what it needs (the gazetteer behind ``near`` takes ~1.5 s), which is start-up,
    not throughput. Returns how many it took."""
    deadline, quick, sent = time.monotonic() + limit, 0, 0
    while quick < streak and time.monotonic() < deadline:
        with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
            begin = time.monotonic()
            _exchange(sock, build("WARM", sent), bytearray())
            quick = quick + 1 if time.monotonic() - begin < fast else 0
        sent += 1
    return sent


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


@dataclass
class Result:
    name: str  # the row's label
    rps: float
    p50_ms: float
    p99_ms: float
    ok: int
    errors: int
    statuses: dict[int, int]
    server_cpu_ms: float  # per successful request
    client_cpu_ms: float
    expect: int | None = None  # the status that counts as served, when not 2xx


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def measure(
    label: str,
    server: LiveServer,
    build: Requests,
    *,
    processes: int,
    threads: int,
    warmup: float,
    duration: float,
    engine: str = "python",
) -> Result:
    """Closed-loop load on ``server`` for ``warmup`` + ``duration`` seconds; figures over
    the ``duration`` window only."""
    prewarm(server, build)
    if engine == "wrk":
        return _measure_wrk(
            label,
            server,
            build,
            connections=processes * threads,
            threads=processes,
            warmup=warmup,
            duration=duration,
        )
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    start = time.time() + 0.5
    procs = [
        ctx.Process(
            target=_load_process,
            args=(server.port, build, p, threads, start, warmup, duration, out),
        )
        for p in range(processes)
    ]
    for p in procs:
        p.start()
    time.sleep(max(0.0, start + warmup - time.time()))
    pids = [server.master_pid, *server.worker_pids()]
    cpu0 = _cpu_seconds(pids)
    time.sleep(max(0.0, start + warmup + duration - time.time()))
    cpu1 = _cpu_seconds(pids)
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    latencies = [x for r in results for x in r[0]]
    statuses: dict[int, int] = {}
    for r in results:
        for k, v in r[2].items():
            statuses[k] = statuses.get(k, 0) + v
    ok = len(latencies)
    return Result(
        label,
        ok / duration,
        _pct(latencies, 0.50),
        _pct(latencies, 0.99),
        ok,
        sum(r[1] for r in results),
        statuses,
        (cpu1 - cpu0) * 1000 / max(ok, 1),
        sum(r[3] for r in results) * 1000 / max(ok, 1),
        build.expect,
    )


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrk_script(build: Requests, tag: str) -> str:
    """The same requests as ``build`` makes, as a wrk Lua script (receipts: new serials)."""
    inputs = build.inputs
    done = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""
    if build.name == "receipts":
        assert inputs is not None
        depots = ", ".join(_lua_string(d) for d in inputs.receipt_depots)
        return (
            f"""
next_tid = 0
function setup(thread) thread:set("tid", next_tid); next_tid = next_tid + 1 end
tid, counter, depots = 0, 0, {{{depots}}}
request = function()
  counter = counter + 1
  local body = string.format('{{"depot":"%s","part_number":{_lua_string(inputs.receipt_part)},"serial":"TP{tag}W%d-%07d"}}',
    depots[counter % #depots + 1], tid, counter)
  return wrk.format("POST", "/api/stock/receipts", {{["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer {TOKEN}", ["Idempotency-Key"] = string.format("{tag}-%d-%d", tid, counter)}}, body)
end
"""
            + done
        )
    if build.name in ("bare", "floor"):
        paths = ["/api/bare" if build.name == "bare" else "/api/track/x"]
    elif build.name == "tracking":
        assert inputs is not None
        paths = ["/api/track/" + c for c in inputs.tracking_codes]
    else:
        assert inputs is not None
        paths = [
            f"/api/availability?part_number={quote(p)}&near={quote(c)}"
            for p, c in inputs.availability
        ]
    auth = (
        f'wrk.headers["Authorization"] = "Bearer {TOKEN}"' if build.name == "availability" else ""
    )
    return (
        f"""
{auth}
paths, i = {{{", ".join(_lua_string(p) for p in paths)}}}, 0
request = function()
  i = i + 1
  return wrk.format(nil, paths[i % #paths + 1])
end
"""
        + done
    )


def _measure_wrk(
    label: str,
    server: LiveServer,
    build: Requests,
    *,
    connections: int,
    threads: int,
    warmup: float,
    duration: float,
) -> Result:
    """The same measure with Debian's wrk as the load generator (C, far less client CPU)."""
    import resource
    import subprocess
    import tempfile

    def run(seconds: float, tag: str) -> list[str]:
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(_wrk_script(build, tag))
            script.flush()
            out = subprocess.run(
                [
                    "wrk",
                    f"-t{threads}",
                    f"-c{connections}",
                    f"-d{max(1, round(seconds))}s",
                    "-s",
                    script.name,
                    server.base_url + "/",
                ],
                capture_output=True,
                text=True,
                timeout=seconds + 120,
                check=True,
            ).stdout
        return next(line for line in out.splitlines() if line.startswith("RESULT")).split()[1:]

    if warmup > 0:
        run(warmup, f"{build.run}W")
    pids = [server.master_pid, *server.worker_pids()]
    cpu0, client0 = _cpu_seconds(pids), resource.getrusage(resource.RUSAGE_CHILDREN)
    requests, micros, bad_status, socket_errors, p50, p99 = (
        int(x) for x in run(duration, f"{build.run}M")
    )
    cpu1, client1 = _cpu_seconds(pids), resource.getrusage(resource.RUSAGE_CHILDREN)
    if build.expect:  # wrk counts every status outside 2xx/3xx as an error
        ok, bad_status = requests - socket_errors, 0
    else:
        ok = requests - bad_status - socket_errors
    seconds = micros / 1e6
    client = (client1.ru_utime + client1.ru_stime) - (client0.ru_utime + client0.ru_stime)
    served = build.expect or 200
    statuses = (
        {served: ok}
        if not bad_status and not socket_errors
        else {served: ok, 400: bad_status, 0: socket_errors}
    )
    return Result(
        label,
        ok / seconds,
        p50 / 1000,
        p99 / 1000,
        ok,
        bad_status + socket_errors,
        statuses,
        (cpu1 - cpu0) * 1000 / max(ok, 1),
        client * 1000 / max(ok, 1),
        build.expect,
    )


# -- the run ------------------------------------------------------------------------------


def _unexpected(result: Result) -> dict[int, int]:
    """Statuses other than the endpoint's served answer (2xx; 404 for the floor)."""
    return {k: v for k, v in result.statuses.items() if not (200 <= k < 300 or k == result.expect)}


def machine_note() -> str:
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs ({platform.machine()}), load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
        f"Python {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description="Requests/s and p99 over HTTP against a bare Flask endpoint"
    )
    ap.add_argument("--database-url", help="use this prepared database instead of building one")
    ap.add_argument("--db", default=DEFAULT_DB, help="name of the database to build")
    ap.add_argument("--items-per-depot", type=int, default=1000)
    ap.add_argument("--rmas", type=int, default=300)
    ap.add_argument("--keep", action="store_true", help="keep the built database")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds measured per endpoint")
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--processes", type=int, default=2, help="load generator processes")
    ap.add_argument("--threads", type=int, default=8, help="connections per load generator process")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--server-threads", type=int, default=8)
    ap.add_argument("--only", nargs="*", default=["floor", "tracking", "availability", "receipts"])
    ap.add_argument(
        "--engine",
        choices=["python", "wrk"],
        default="python",
        help="load generator: this script's (default) or Debian's wrk (apt-get install wrk)",
    )
    args = ap.parse_args(argv)

    print(f"machine: {machine_note()}")
    built = args.database_url is None
    url = args.database_url or build_database(
        args.db, items_per_depot=args.items_per_depot, rmas=args.rmas
    )
    inputs = read_inputs(url)
    run = uuid.uuid4().hex[:6].upper()
    env = {**SERVER_ENV, "RATELIMIT_KEY_PREFIX": f"bench-{run}"}
    options = {"workers": args.workers, "threads": args.server_threads}
    load = {
        "processes": args.processes,
        "threads": args.threads,
        "warmup": args.warmup,
        "duration": args.duration,
        "engine": args.engine,
    }
    if args.engine == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk, or use --engine python")
    print(
        f"gunicorn: {args.workers} gthread workers x {args.server_threads} threads; load ({args.engine}): "
        f"{args.processes} processes/threads x {args.threads} keep-alive connections, {args.warmup:g} s warm-up + {args.duration:g} s "
        f"measured per endpoint; {len(inputs.tracking_codes)} tracking codes"
    )
    phases: list[tuple[str, LiveServer | str, Requests]] = []
    for name in args.only:
        if name == "tracking":
            polled = dataclasses.replace(
                inputs, tracking_codes=inputs.tracking_codes[:POLLED_CODES]
            )
            phases.append(
                (
                    f"tracking, {POLLED_CODES} codes polled (answers cached)",
                    "real",
                    Requests(name, polled, run),
                )
            )
            phases.append(
                (
                    f"tracking, {len(inputs.tracking_codes)} codes, cache off (each from the database)",
                    "uncached",
                    Requests(name, inputs, run),
                )
            )
        elif name == "floor":
            phases.append(
                (
                    "app floor: malformed tracking code, 404 before any database work",
                    "real",
                    Requests(name, inputs, run),
                )
            )
        else:
            phases.append((name, "real", Requests(name, inputs, run)))
    # the bare endpoint before and after every endpoint: each ratio is to the bare runs on
    # either side of it, so a neighbour's burst on this shared machine shows, and is shared
    bares: list[Result] = []
    results: list[Result] = []
    try:
        with (
            LiveServer(app="bench.bare_app:app", env=env, **options) as bare,
            LiveServer(url, env=env, **options) as real,
            LiveServer(url, env={**env, "TRACKING_CACHE_SECONDS": "0"}, **options) as uncached,
        ):
            servers = {"real": real, "uncached": uncached}
            bares.append(measure("bare", bare, Requests("bare", None, run), **load))
            for label, which, build in phases:
                results.append(measure(label, servers[str(which)], build, **load))
                bares.append(measure("bare", bare, Requests("bare", None, run), **load))
    finally:
        if built and not args.keep:
            with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (args.db,),
                )
                admin.execute(f'DROP DATABASE IF EXISTS "{args.db}"')
    print(f"after the run: {machine_note()}")
    print()
    print(
        "| endpoint | req/s | p50 ms | p99 ms | bare req/s before / after | ratio to bare "
        "| server CPU ms/req (bare) | client CPU ms/req | non-2xx |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for i, r in enumerate(results):
        before, after = bares[i], bares[i + 1]
        odd = _unexpected(r)
        print(
            f"| {r.name} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {before.rps:,.0f} / {after.rps:,.0f} "
            f"| {2 * r.rps / (before.rps + after.rps):.0%} "
            f"| {r.server_cpu_ms:.2f} ({(before.server_cpu_ms + after.server_cpu_ms) / 2:.2f}) "
            f"| {r.client_cpu_ms:.2f} | {odd or 0} |"
        )
    everything = bares + results
    bad = {k: v for r in everything for k, v in _unexpected(r).items()}
    print(
        f"\nbare endpoint: {min(b.rps for b in bares):,.0f}–{max(b.rps for b in bares):,.0f} req/s over "
        f"{len(bares)} runs, p99 {max(b.p99_ms for b in bares):.1f} ms at most; non-2xx in the whole run: {bad or 0}"
    )


if __name__ == "__main__":
    main()
