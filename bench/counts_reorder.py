"""Counts and the reorder list on the demo network (issue 14).

    python -m bench.counts_reorder [--repeat 5]

On a fresh SQLite copy of the demo (`bench.demo_db`): the reorder list with a proposal per
line (`inventory.replenishment.propose`, travel times from the geodesic model) against the
plain list it starts from (`queries.below_reorder_point`), in the same run; then a count of
the whole of depot BJ01 — started (the expected list frozen), every serial scanned and every
quantity entered in one call, submitted, posted — with one serial left out so a write-off
is posted, and each step timed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from sqlalchemy import select

from bench.demo_db import demo_session
from inventory import queries, replenishment, stock_counts
from inventory.stock_counts import QuantityCount
from logistics.travel import make_travel_model
from models import Part


def _timed(fn, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    travel = make_travel_model("geodesic")
    with demo_session("bench-counts-", datetime(2026, 12, 7, 2, 0, tzinfo=UTC)) as session:
        base_p50, base_max, rows = _timed(lambda: queries.below_reorder_point(session), args.repeat)
        p50, worst, proposals = _timed(lambda: replenishment.propose(session, travel), args.repeat)
        kinds: dict[str, int] = {}
        for p in proposals:  # type: ignore[union-attr]
            kinds[p.kind] = kinds.get(p.kind, 0) + 1
        print(f"reorder lines: {len(rows)}; proposals by kind: {kinds}")  # type: ignore[arg-type]
        print(f"below_reorder_point (baseline): p50 {base_p50:.1f} ms, max {base_max:.1f} ms")
        print(f"propose (list + sources + travel): p50 {p50:.1f} ms, max {worst:.1f} ms")

        steps: list[tuple[str, float]] = []
        start = time.perf_counter()
        count = stock_counts.start_count(session, depot_code="BJ01", actor="bench")
        steps.append(("start (freeze)", time.perf_counter() - start))
        view = stock_counts.view_count(session, count.number)
        serials = [line.serial for line in view.lines if line.serial][1:]  # one left out
        quantities = [
            QuantityCount(line.part_number, line.expected, line.condition)
            for line in view.lines
            if line.serial is None
        ]
        session.rollback()
        start = time.perf_counter()
        stock_counts.record_counts(
            session, count.number, actor="bench", serials=serials, quantities=quantities
        )
        steps.append(("record all", time.perf_counter() - start))
        start = time.perf_counter()
        stock_counts.submit_count(session, count.number, actor="bench")
        steps.append(("submit + review", time.perf_counter() - start))
        session.rollback()
        start = time.perf_counter()
        stock_counts.approve_count(session, count.number, actor="bench.boss")
        steps.append(("approve", time.perf_counter() - start))
        session.rollback()
        start = time.perf_counter()
        posted = stock_counts.post_count(session, count.number, actor="bench")
        steps.append(("post", time.perf_counter() - start))
        parts = session.scalar(select(Part).limit(1))
        assert parts is not None
        print(
            f"whole-depot count of BJ01: {len(view.lines)} lines "
            f"({len(serials) + 1} serials, {len(quantities)} quantities); "
            f"posted {posted.units_out} out, {posted.units_in} in"
        )
        for name, seconds in steps:
            print(f"  {name}: {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
