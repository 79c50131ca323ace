"""Inventory benchmark on PostgreSQL at national scale.

    python -m bench.inventory [--items 1000000] [--queries 500] [--receipts 2000] [--reuse]

Prints p50/p95 of "availability of part P across all depots sorted by distance from a
city" and of "serial lookup with history", and receipts per second through the service
layer, each next to a baseline measured in the same run (a primary-key lookup and a
bare single-row INSERT + COMMIT), because the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import time

from sqlalchemy import select, text

from bench.national import build, sqlalchemy_url
from inventory.queries import availability, serial_history
from inventory.receiving import receive_from_supplier
from logistics.geocoding import resolve_place
from models import Depot, Part
from models.db import make_engine, make_session_factory


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


CPU: dict[str, list[float]] = {}


def timed(fn, n: int) -> list[float]:
    """Wall milliseconds per call; process CPU milliseconds go to CPU[fn name] (CPU time is
    less disturbed by other work on a shared machine)."""
    out, cpu = [], CPU.setdefault(fn.__name__, [])
    for i in range(n):
        t, c = time.perf_counter(), time.process_time()
        fn(i)
        out.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="sparelog_bench")
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--receipts", type=int, default=2000)
    ap.add_argument("--reuse", action="store_true", help="use the database built by a previous run")
    args = ap.parse_args()

    url = sqlalchemy_url(args.db) if args.reuse else build(args.db, items=args.items)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    rng = random.Random(11)
    cities = ["北京", "上海", "广州", "成都", "乌鲁木齐", "哈尔滨", "昆明", "武汉"]
    with sessions() as s:
        n_items = s.scalar(text("SELECT count(*) FROM serial_items"))
        n_generated = s.scalar(text("SELECT count(*) FROM serial_items WHERE serial LIKE 'SN%'"))
        parts = list(s.scalars(select(Part.part_number)))
        depots = list(s.scalars(select(Depot.code)))
        max_id = s.scalar(text("SELECT max(id) FROM serial_items"))

        # warm-up
        for i in range(20):
            availability(s, parts[i], near=(39.9, 116.4))
            serial_history(s, f"SN{i + 1:08d}")
        s.rollback()

        def avail(i: int) -> None:
            place = resolve_place(cities[i % len(cities)])
            availability(s, rng.choice(parts), near=(place.lat, place.lon))
            s.rollback()

        def lookup(i: int) -> None:
            serial_history(s, f"SN{rng.randint(1, n_generated):08d}")
            s.rollback()

        def pk_baseline(i: int) -> None:
            s.execute(
                text("SELECT id, serial FROM serial_items WHERE id = :i"),
                {"i": rng.randint(1, max_id)},
            ).all()
            s.rollback()

        a = timed(avail, args.queries)
        h = timed(lookup, args.queries)
        b = timed(pk_baseline, args.queries)

    with sessions() as s:
        t = time.perf_counter()
        for i in range(args.receipts):
            receive_from_supplier(
                s,
                depot_code=depots[i % len(depots)],
                part_number=parts[i % len(parts)],
                serial=f"RCV{time.time_ns()}{i}",
                actor="bench",
            )
        receipt_rate = args.receipts / (time.perf_counter() - t)
        s.execute(text("CREATE TEMP TABLE bench_baseline (id serial primary key, v text)"))
        s.commit()
        t = time.perf_counter()
        for i in range(args.receipts):
            s.execute(text("INSERT INTO bench_baseline (v) VALUES (:v)"), {"v": str(i)})
            s.commit()
        insert_rate = args.receipts / (time.perf_counter() - t)
    engine.dispose()

    result = {
        "items": n_items,
        "depots": len(depots),
        "parts": len(parts),
        "availability_ms": {"p50": round(pct(a, 0.5), 2), "p95": round(pct(a, 0.95), 2)},
        "serial_lookup_ms": {"p50": round(pct(h, 0.5), 2), "p95": round(pct(h, 0.95), 2)},
        "availability_cpu_ms": {
            "p50": round(pct(CPU["avail"], 0.5), 2),
            "p95": round(pct(CPU["avail"], 0.95), 2),
        },
        "serial_lookup_cpu_ms": {
            "p50": round(pct(CPU["lookup"], 0.5), 2),
            "p95": round(pct(CPU["lookup"], 0.95), 2),
        },
        "pk_lookup_baseline_ms": {"p50": round(pct(b, 0.5), 3), "p95": round(pct(b, 0.95), 3)},
        "receipts_per_s": round(receipt_rate, 1),
        "bare_insert_commit_per_s": round(insert_rate, 1),
        "receipt_cost_vs_bare_insert": round(insert_rate / receipt_rate, 2),
        "machine": f"{platform.node()} {platform.processor() or platform.machine()}, python {platform.python_version()}",
    }
    print(
        f"availability across depots sorted by distance: p50 {result['availability_ms']['p50']} ms, "
        f"p95 {result['availability_ms']['p95']} ms (target p95 < 20 ms; "
        f"client CPU p95 {result['availability_cpu_ms']['p95']} ms)"
    )
    print(
        f"serial lookup with history:                    p50 {result['serial_lookup_ms']['p50']} ms, "
        f"p95 {result['serial_lookup_ms']['p95']} ms (target p95 < 10 ms; "
        f"client CPU p95 {result['serial_lookup_cpu_ms']['p95']} ms)"
    )
    print(
        f"baseline primary-key lookup:                   p50 {result['pk_lookup_baseline_ms']['p50']} ms, "
        f"p95 {result['pk_lookup_baseline_ms']['p95']} ms"
    )
    print(
        f"receipts through the service layer: {result['receipts_per_s']}/s "
        f"(bare INSERT+COMMIT {result['bare_insert_commit_per_s']}/s, ratio {result['receipt_cost_vs_bare_insert']}x)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
