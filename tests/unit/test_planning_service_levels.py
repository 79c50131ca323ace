"""Time-window fill rates and the least-value plan, on networks small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pytest

from logistics.planning.metric import PlanningInputError
from logistics.planning.poisson import fill_rate, poisson_pmf
from logistics.planning.service_levels import (
    PlanDemand,
    PlanDepot,
    PlanNetwork,
    PlanPart,
    ServiceTargets,
    evaluate_part,
    optimise,
    prepare_part,
    service_report,
)

SIX_HOURS, TWO_DAYS = 360.0, 2880.0


def network(minutes, *, units=(20,), rate=0.5, resupply_days=30.0, classes=("7x24",)):
    """One part; depots D1.. and sites S1.. with the given depot × site delivery minutes."""
    minutes = np.array(minutes, dtype=float)
    depots = tuple(PlanDepot(f"D{i + 1}") for i in range(minutes.shape[0]))
    sites = tuple(f"S{k + 1}" for k in range(minutes.shape[1]))
    demands = tuple(
        PlanDemand(s, "P", units[k], classes[k % len(classes)], f"C{k + 1}", SIX_HOURS, TWO_DAYS)
        for k, s in enumerate(sites)
    )
    return PlanNetwork(
        (PlanPart("P", 100.0, rate, resupply_days),), depots, sites, demands, minutes
    )


def fill(net, stock, clock="replacement"):
    state = prepare_part(net, net.parts[0], extra_depots=range(len(net.depots)))
    return evaluate_part(state, np.array(stock)).fill[clock]


def test_one_depot_in_reach_fills_from_shelf_or_from_a_pipeline_arrival_in_time() -> None:
    net = network([[120.0]])
    mu = 20 * 0.5 * 30 / 365  # failures per year × resupply years
    for s in range(0, 5):
        # shelf: P(N < s); pipeline: the order of the s-th demand before arrives within 4 h
        t = (SIX_HOURS - 120) / (30 * 24 * 60)
        pipe = sum(poisson_pmf(x, mu * (1 - t)) for x in range(s)) - fill_rate(s, mu)
        assert fill(net, [s])[0] == pytest.approx(fill_rate(s, mu) + pipe, rel=1e-12)


def test_a_site_beyond_every_depots_reach_misses_the_six_hour_clock_but_not_two_days() -> None:
    net = network([[600.0]])
    assert fill(net, [3])[0] == 0.0
    assert fill(net, [3], "spare")[0] > 0.9


def test_lateral_supply_within_the_clock_raises_the_fill_rate_and_beyond_it_does_not() -> None:
    near = network([[60.0], [200.0]])
    far = network([[60.0], [500.0]])
    alone = fill(near, [1, 0])[0]
    assert fill(near, [1, 1])[0] > alone + 0.05
    # a depot beyond the clock ships too late; it only relieves the near depot's load
    assert fill(far, [1, 1])[0] < fill(near, [1, 1])[0] - 0.1


def test_least_value_for_a_target_is_the_smallest_stock_that_meets_it_at_one_depot() -> None:
    net = network([[120.0]], units=(40,))
    for target in (0.5, 0.9, 0.99):
        rec = optimise(net, ServiceTargets(targets={"7x24": target}))
        s = rec.levels.get(("P", "D1"), 0)
        assert fill(net, [s])[0] >= target
        assert s == 0 or fill(net, [s - 1])[0] < target
        assert rec.stock_value == s * 100.0 and rec.unmet_classes == []


def test_every_class_meets_its_target_and_the_curve_rises_with_stock_value() -> None:
    net = network(
        [[60.0, 300.0, 700.0], [400.0, 90.0, 200.0]],
        units=(30, 10, 25),
        classes=("7x24", "5x8", "7x8"),
    )
    targets = {"7x24": 0.95, "5x8": 0.8, "7x8": 0.9}
    rec = optimise(net, ServiceTargets(targets=targets))
    report = service_report(net, rec.levels)
    for klass, target in targets.items():
        assert report.by_class[klass]["replacement"] >= target - 1e-9
    values = [p.stock_value for p in rec.curve]
    rates = [p.fill_rate for p in rec.curve]
    assert values == sorted(values) and rates == sorted(rates)


def test_a_budget_is_never_exceeded_and_buys_more_service_when_larger() -> None:
    net = network([[60.0, 300.0], [400.0, 90.0]], units=(30, 10))
    small = optimise(net, ServiceTargets(budget=250))
    large = optimise(net, ServiceTargets(budget=600))
    assert small.stock_value <= 250 and large.stock_value <= 600
    assert large.curve[-1].fill_rate > small.curve[-1].fill_rate


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: PlanDepot("GZ01", resupply_days=-1), "depot GZ01"),
        (lambda: PlanPart("SRV-PSU", -5.0, 0.1, 10), "part SRV-PSU: unit_cost"),
        (lambda: PlanPart("SRV-PSU", 5.0, 0.1, -10), "part SRV-PSU: resupply_days"),
        (lambda: PlanDemand("C1-S1", "P", 3, "7x24", "C1", 0.0, TWO_DAYS), "site C1-S1"),
    ],
)
def test_bad_records_are_refused_by_name(build, words) -> None:
    with pytest.raises(PlanningInputError, match=words):
        build()


def test_a_reachable_target_is_met_as_given_and_an_unreachable_one_is_reported() -> None:
    # 90 % of the failures are at a site 2 h from the depot, 10 % beyond every depot's reach
    net = network([[120.0, 900.0]], units=(90, 10))
    reachable = optimise(net, ServiceTargets(targets={"7x24": 0.85}))
    assert service_report(net, reachable.levels).by_class["7x24"]["replacement"] >= 0.85
    assert reachable.unmet_classes == []
    beyond = optimise(net, ServiceTargets(targets={"7x24": 0.95}))
    assert beyond.unmet_classes == ["7x24"]
    # the target is then applied to the reachable failures: 95 % of the near site's
    near = service_report(net, beyond.levels).by_part_site[("P", "S1")]["replacement"]
    assert near >= 0.95


def test_fill_rates_per_site_and_part_weigh_each_failure_once() -> None:
    # two sites of two customers and classes: S1 next to the depot, S2 beyond its 6 h reach
    net = network([[60.0, 600.0]], units=(10, 30), classes=("7x24", "5x8"))
    report = service_report(net, {("P", "D1"): 4})
    near, far = (report.by_part_site[("P", s)] for s in ("S1", "S2"))
    assert report.by_site["S1"] == pytest.approx(near, rel=1e-12)
    assert report.by_site["S2"] == pytest.approx(far, rel=1e-12)
    assert far["replacement"] == 0.0 < near["replacement"]
    # the part's rate is its failures' rate: S2 fails three times as often as S1
    for clock in ("replacement", "spare"):
        expected = (10 * near[clock] + 30 * far[clock]) / 40
        assert report.by_part["P"][clock] == pytest.approx(expected, rel=1e-12)
        assert report.overall[clock] == pytest.approx(expected, rel=1e-12)
    assert report.by_customer["C1"] == pytest.approx(near, rel=1e-12)
    assert report.by_class["5x8"] == pytest.approx(far, rel=1e-12)


def test_targets_on_both_clocks_are_met_together() -> None:
    # S1 (7x24) is an hour from D1; S2 (5x8) is beyond every depot's 6 h reach but within
    # two days of both: a 6 h plan alone leaves S2's 2-day service to D1's leftovers
    net = network([[60.0, 1500.0], [900.0, 400.0]], units=(20, 30), classes=("7x24", "5x8"))
    six_hours = {"7x24": 0.9, "5x8": 0.0}
    alone = optimise(net, ServiceTargets(targets=six_hours))
    before = service_report(net, alone.levels)
    assert before.by_class["5x8"]["spare"] < 0.95
    both = optimise(net, ServiceTargets(targets=six_hours, other_clock_targets={"5x8": 0.95}))
    after = service_report(net, both.levels)
    assert after.by_class["7x24"]["replacement"] >= 0.9
    assert after.by_class["5x8"]["spare"] >= 0.95
    assert both.unmet_classes == [] and both.levels != alone.levels
    assert both.stock_value >= alone.stock_value
    # the curve still follows the goal's clock
    assert both.curve[-1].fill_rate == pytest.approx(after.overall["replacement"], rel=1e-9)
    # the same plan asked the other way round: 2-day targets first, 6 h ones beside them
    swapped = optimise(
        net,
        ServiceTargets(clock="spare", targets={"5x8": 0.95}, other_clock_targets=six_hours),
    )
    report = service_report(net, swapped.levels)
    assert report.by_class["7x24"]["replacement"] >= 0.9
    assert report.by_class["5x8"]["spare"] >= 0.95
    assert swapped.curve[-1].fill_rate == pytest.approx(report.overall["spare"], rel=1e-9)


def test_a_class_short_on_the_other_clock_is_reported_unmet() -> None:
    # S2 is beyond every depot even within two days: its 2-day target cannot be met
    net = network([[60.0, 5000.0]], units=(20, 30), classes=("7x24", "5x8"))
    goal = ServiceTargets(targets={"7x24": 0.9}, other_clock_targets={"5x8": 0.5})
    rec = optimise(net, goal)
    assert rec.unmet_classes == ["5x8"]
    assert service_report(net, rec.levels).by_class["7x24"]["replacement"] >= 0.9
