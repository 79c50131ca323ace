"""Timing of the pure dispatch ranking at national scale (no database).

    python -m bench.dispatch_rank [--engineers 2000] [--depots 200] [--faults 200] [--seed 7]

Synthetic and seeded: depots, engineers and fault sites uniform in China's bounding box
(18–53.5° N, 73.5–135° E). Worst case for the ranking: every engineer is on shift, skilled
and free, and every depot holds the part, so all engineers × depots × 2 modes are ranked.
Prints p50/p95 milliseconds (wall clock and process CPU time, which is less disturbed by
other work on a shared machine) of `rank_dispatch_options` with the real TravelModel, and
of the ranking core alone fed the full precomputed matrices.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from logistics.dispatch import (
    ClockDues,
    CourierRule,
    DepotStock,
    EngineerCandidate,
    FaultRequest,
    rank_candidates,
    rank_dispatch_options,
)
from logistics.travel import TravelModel

LAT, LON = (18.0, 53.5), (73.5, 135.0)


def _points(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.column_stack([rng.uniform(*LAT, n), rng.uniform(*LON, n)])


def _percentiles(wall: list[float], cpu: list[float]) -> str:
    w50, w95 = np.percentile(np.array(wall) * 1000.0, [50, 95])
    c50, c95 = np.percentile(np.array(cpu) * 1000.0, [50, 95])
    return f"wall p50 {w50:6.2f} ms  p95 {w95:6.2f} ms | cpu p50 {c50:6.2f} ms  p95 {c95:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engineers", type=int, default=2000)
    parser.add_argument("--depots", type=int, default=200)
    parser.add_argument("--faults", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    engineers = [
        EngineerCandidate(i, f"eng-{i}", lat, lon, frozenset({"disk"}), True, 0, 3)
        for i, (lat, lon) in enumerate(_points(rng, args.engineers))
    ]
    depots = [
        DepotStock(j, f"D{j:03d}", f"depot {j}", lat, lon, int(rng.integers(1, 20)))
        for j, (lat, lon) in enumerate(_points(rng, args.depots))
    ]
    sites = _points(rng, args.faults)
    now = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    travel = TravelModel()

    end_to_end, core_only, end_to_end_cpu, core_only_cpu = [], [], [], []
    for k, (lat, lon) in enumerate(sites):
        request = FaultRequest(
            lat,
            lon,
            ["P1", "P2", "P3", "P4"][k % 4],
            now + timedelta(minutes=7 * k),
            part_category="disk",
        )
        began, began_cpu = time.perf_counter(), time.process_time()
        ranking = rank_dispatch_options(request, engineers, depots, travel)
        end_to_end.append(time.perf_counter() - began)
        end_to_end_cpu.append(time.process_time() - began_cpu)
        assert ranking.options, "every synthetic fault has an option"

        eng_xy = np.array([[e.lat, e.lon] for e in engineers])
        depot_xy = np.array([[d.lat, d.lon] for d in depots])
        site = np.array([[lat, lon]])
        eng_site = travel.minutes_matrix(eng_xy, site)[:, 0]
        depot_site = travel.minutes_matrix(depot_xy, site)[:, 0]
        eng_depot = travel.minutes_matrix(eng_xy, depot_xy)
        part = CourierRule().arrival_minutes(depot_site, 2880.0)
        dues = ClockDues(onsite=float(eng_site.min()) + 60, replacement=360, restore=180, fix=30)
        began, began_cpu = time.perf_counter(), time.process_time()
        rank_candidates(eng_site, depot_site, eng_depot, part, dues, 10)
        core_only.append(time.perf_counter() - began)
        core_only_cpu.append(time.process_time() - began_cpu)

    print(
        f"dispatch ranking: {args.engineers} engineers x {args.depots} depots "
        f"(all eligible, all stocked), {args.faults} faults, seed {args.seed}"
    )
    print(
        f"  rank_dispatch_options (travel model included): {_percentiles(end_to_end, end_to_end_cpu)}"
    )
    print(
        f"  ranking core on full matrices (precomputed):   {_percentiles(core_only, core_only_cpu)}"
    )
    print(f"  load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
