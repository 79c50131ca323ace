"""Predicted versus simulated time-window fill rates of a plan, per contract class.

    python -m bench.planning_sim [--seeds 200] [--years 1] [--rate-factor 1 20]

Loads the demo network (the same seeded data as `flask seed-demo`) into a temporary
SQLite database, computes the recommended plan (default class targets), then simulates
each seed's year of failures (after a 3-month warm-up) with
`logistics.planning.simulation.simulate` and prints, per class and clock, the analytic
prediction next to the simulated mean with its 95 % confidence interval (normal
approximation over seeds). The demo's installed base is small (72 units, a handful of
failures a year), so many seeds are needed; `--rate-factor 20` replays the same plan
with every failure rate multiplied by 20 (the plan recomputed for those rates), where
depots run out often enough for the lateral-supply and pipeline approximations to show.
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import UTC, datetime

import numpy as np

from bench.demo_db import demo_session
from logistics.planning.service_levels import CLOCKS, PlanNetwork, PlanPart, service_report
from logistics.planning.simulation import simulate

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def demo_network() -> tuple[object, object]:
    """(PlanningData, settings) of the seeded demo network."""
    from app.geo import travel_model
    from inventory.planning import PlanSettings
    from inventory.planning_data import load_planning_data

    with demo_session("planning-sim-", NOW) as session:
        data = load_planning_data(session, travel_model(), now=NOW)
    return data, PlanSettings()


def scaled(network: PlanNetwork, factor: float) -> PlanNetwork:
    parts = tuple(
        PlanPart(p.id, p.unit_cost, p.failure_rate * factor, p.resupply_days) for p in network.parts
    )
    return PlanNetwork(
        parts, network.depots, network.sites, network.demands, network.delivery_minutes
    )


def compare(network: PlanNetwork, settings, seeds: int, years: float, label: str) -> None:
    from logistics.planning.service_levels import ServiceTargets, optimise

    plan = optimise(network, ServiceTargets(clock=settings.clock, targets=settings.targets))
    predicted = service_report(network, plan.levels)
    began = time.perf_counter()
    runs = [simulate(network, plan.levels, years=years, seed=s) for s in range(seeds)]
    seconds = time.perf_counter() - began
    print(
        f"{label}: {sum(u for u in plan.levels.values())} units planned, "
        f"{seeds} seeds x {years:g} year simulated in {seconds:.1f} s"
    )
    print(
        f"  {'class':6} {'clock':11} {'failures':>8} {'predicted':>9} {'simulated':>9} {'95% CI':>15} {'diff (pp)':>9}"
    )
    for klass in sorted(predicted.by_class):
        failures = sum(r.failures.get(klass, 0) for r in runs)
        for clock in CLOCKS:
            # pooled rate over all seeds; CI from the spread of per-seed rates
            hits = sum(r.in_time.get((klass, clock), 0) for r in runs)
            pooled = hits / failures if failures else math.nan
            per_seed = [r.fill_rate(klass, clock) for r in runs if r.failures.get(klass, 0)]
            half = (
                1.96 * float(np.std(per_seed, ddof=1)) / math.sqrt(len(per_seed))
                if len(per_seed) > 1
                else math.nan
            )
            want = predicted.by_class[klass][clock]
            print(
                f"  {klass:6} {clock:11} {failures:8d} {want:9.4f} {pooled:9.4f} "
                f"[{pooled - half:6.4f}, {pooled + half:6.4f}] {100 * (want - pooled):+9.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--years", type=float, default=1.0)
    parser.add_argument("--rate-factor", type=float, nargs="+", default=[1.0, 20.0])
    args = parser.parse_args()
    data, settings = demo_network()
    for factor in args.rate_factor:
        network = data.network if factor == 1 else scaled(data.network, factor)
        compare(
            network, settings, args.seeds, args.years, f"demo network, failure rates x{factor:g}"
        )


if __name__ == "__main__":
    main()
