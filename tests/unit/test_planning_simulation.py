"""The simulation plays out the rules the analytic model approximates, failure by failure."""

from __future__ import annotations

import math

import numpy as np

from logistics.planning.service_levels import (
    PlanDemand,
    PlanDepot,
    PlanNetwork,
    PlanPart,
    service_report,
)
from logistics.planning.simulation import simulate


def one_depot(stock: int, minutes: float = 120.0) -> tuple[PlanNetwork, dict]:
    net = PlanNetwork(
        (PlanPart("P", 100.0, 2.0, 30.0),),
        (PlanDepot("D1"),),
        ("S1",),
        (PlanDemand("S1", "P", 10, "7x24", "C1", 360.0, 2880.0),),
        np.array([[minutes]]),
    )
    return net, {("P", "D1"): stock}


def test_one_depots_simulated_fill_rate_agrees_with_the_formula_within_its_noise() -> None:
    net, levels = one_depot(3)
    predicted = service_report(net, levels).by_class["7x24"]["replacement"]
    runs = [simulate(net, levels, years=2.0, seed=s) for s in range(30)]
    failures = sum(r.failures["7x24"] for r in runs)
    hits = sum(r.in_time.get(("7x24", "replacement"), 0) for r in runs)
    simulated = hits / failures
    noise = math.sqrt(predicted * (1 - predicted) / failures)
    assert failures > 800
    assert abs(simulated - predicted) < 4 * noise + 0.01


def test_no_stock_means_no_part_in_six_hours_but_some_within_two_days_never() -> None:
    net, levels = one_depot(0)
    result = simulate(net, levels, seed=1)
    assert result.failures["7x24"] > 0
    assert result.in_time.get(("7x24", "replacement"), 0) == 0
    assert result.in_time.get(("7x24", "spare"), 0) == 0  # 30-day resupply > 2 days


def test_a_site_out_of_reach_is_never_in_time_for_the_six_hour_clock() -> None:
    net, levels = one_depot(5, minutes=500.0)
    result = simulate(net, levels, seed=2)
    assert result.in_time.get(("7x24", "replacement"), 0) == 0
    assert result.in_time[("7x24", "spare")] > 0.9 * result.failures["7x24"]
