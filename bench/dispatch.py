"""Dispatch ranking end to end through the service layer on the national PostgreSQL data set.

    python -m bench.dispatch [--faults 200] [--db sparelog_bench] [--build]

Uses the database built by bench.inventory (2,000 engineers, 200 depots, 1,000,000 items;
``--build`` makes it first). Each call reads the engineers on shift with their load and the
depots holding the part from PostgreSQL, then ranks with the calibrated travel model —
exactly what ``POST /api/dispatch/options`` does minus HTTP. Prints p50/p95 wall and CPU
milliseconds, next to the pure ranking on the same candidates (no database) and a
primary-key lookup as the machine's baseline in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import select, text

from bench.national import build, sqlalchemy_url
from inventory.dispatch_service import depot_stock, engineer_candidates, rank_for_fault
from logistics.dispatch import FaultRequest, rank_dispatch_options
from logistics.travel import TravelModel
from models import Part
from models.db import make_engine, make_session_factory


def _pcts(values: list[float]) -> dict:
    p50, p95 = np.percentile(np.array(values) * 1000.0, [50, 95])
    return {"p50": round(float(p50), 2), "p95": round(float(p95), 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="sparelog_bench")
    ap.add_argument("--faults", type=int, default=200)
    ap.add_argument("--build", action="store_true")
    args = ap.parse_args()
    url = build(args.db) if args.build else sqlalchemy_url(args.db)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    travel = TravelModel()
    rng = random.Random(5)
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 11:00 in Shanghai
    with sessions() as s:
        parts = list(s.scalars(select(Part.part_number)))
        for i in range(10):  # warm-up
            rank_for_fault(
                s,
                site_lat=30.0,
                site_lon=110.0,
                severity="P2",
                travel=travel,
                part_number=parts[i],
                now=now,
            )
            s.rollback()
        faults = [
            (
                rng.uniform(22, 45),
                rng.uniform(100, 122),
                rng.choice(["P1", "P2", "P3"]),
                rng.choice(parts),
            )
            for _ in range(args.faults)
        ]
        wall, cpu, pure_wall, pure_cpu, base, options = [], [], [], [], [], []
        for lat, lon, sev, pn in faults:
            t, c = time.perf_counter(), time.process_time()
            ranking = rank_for_fault(
                s, site_lat=lat, site_lon=lon, severity=sev, travel=travel, part_number=pn, now=now
            )
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            options.append(len(ranking.options))
            s.rollback()
            # the same ranking without the database reads
            part = s.scalar(select(Part).where(Part.part_number == pn))
            engineers, depots = (
                engineer_candidates(s, now, eligible_for=part.category),
                depot_stock(s, part),
            )
            req = FaultRequest(
                site_lat=lat, site_lon=lon, severity=sev, now_utc=now, part_category=part.category
            )
            t, c = time.perf_counter(), time.process_time()
            rank_dispatch_options(req, engineers, depots, travel)
            pure_wall.append(time.perf_counter() - t)
            pure_cpu.append(time.process_time() - c)
            t = time.perf_counter()
            s.execute(
                text("SELECT id FROM engineers WHERE id = :i"), {"i": rng.randint(1, 2000)}
            ).all()
            base.append(time.perf_counter() - t)
            s.rollback()
    engine.dispose()
    result = {
        "faults": args.faults,
        "mean_options": round(sum(options) / len(options), 1),
        "service_wall_ms": _pcts(wall),
        "service_cpu_ms": _pcts(cpu),
        "pure_wall_ms": _pcts(pure_wall),
        "pure_cpu_ms": _pcts(pure_cpu),
        "pk_lookup_ms": _pcts(base),
    }
    print(
        f"dispatch through the service layer (PostgreSQL, 2,000 engineers, 200 depots, 1M items): "
        f"wall p50 {result['service_wall_ms']['p50']} ms p95 {result['service_wall_ms']['p95']} ms "
        f"(cpu p95 {result['service_cpu_ms']['p95']} ms; target p95 < 100 ms)"
    )
    print(
        f"pure ranking on the same candidates: wall p50 {result['pure_wall_ms']['p50']} ms "
        f"p95 {result['pure_wall_ms']['p95']} ms (cpu p95 {result['pure_cpu_ms']['p95']} ms; target < 20 ms)"
    )
    print(
        f"baseline primary-key lookup: p50 {result['pk_lookup_ms']['p50']} ms p95 {result['pk_lookup_ms']['p95']} ms"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
