"""Engineer routing: what a dispatcher sees in a day plan."""

from __future__ import annotations

import numpy as np
import pytest

from logistics.routing.model import RoutingProblem, Stop, Vehicle
from logistics.routing.solver import solve

# Places on a straight road, 10 km (= 10 minutes) apart: 0 depot, 1..5 sites, 6 far away.
POSITIONS = [0, 10, 20, 30, 40, 50, 400]


def line_matrix() -> np.ndarray:
    p = np.array(POSITIONS)
    return np.abs(p[:, None] - p[None, :])


def problem(stops: list[Stop], vehicles: list[Vehicle] | None = None) -> RoutingProblem:
    m = line_matrix()
    return RoutingProblem(m, m * 1000, stops, vehicles or [engineer("e1")])


def engineer(id: str, home: int = 0, skills: tuple[str, ...] = (), shift=(0, 480), **kw) -> Vehicle:
    return Vehicle(id=id, start=home, end=home, shift=shift, skills=frozenset(skills), **kw)


def site(id: str, location: int, window=(0, 480), service: int = 30, **kw) -> Stop:
    return Stop(id=id, location=location, service_minutes=service, window=window, **kw)


def route_of(plan, stop_id: str) -> str | None:
    for r in plan.routes:
        if any(v.stop_id == stop_id for v in r.visits):
            return r.vehicle_id
    return None


def test_a_stop_needing_a_skill_goes_to_the_qualified_engineer_even_if_farther():
    plan = solve(
        problem(
            [site("fiber-splice", 1, required_skill="fiber")],
            [engineer("near", home=1), engineer("far", home=5, skills=("fiber",))],
        ),
        1.0,
    )
    assert route_of(plan, "fiber-splice") == "far"
    assert not plan.dropped


def test_the_parts_pickup_at_the_depot_comes_before_the_site_on_the_same_route():
    # The engineer starts next to the site and ends at the depot: without the pickup
    # rule the cheapest day would visit the site first and the depot last.
    stops = [
        site("swap-at-site", 5, pickup_of="collect-spare"),
        site("collect-spare", 0, service=10),
    ]
    vehicles = [Vehicle(id="li", start=5, end=0, shift=(0, 480)), engineer("far", home=6)]
    plan = solve(problem(stops, vehicles), 1.0)
    owner = route_of(plan, "swap-at-site")
    assert owner is not None and owner == route_of(plan, "collect-spare")
    order = plan.stop_sequences()[owner]
    assert order.index("collect-spare") < order.index("swap-at-site")


def test_a_stop_whose_window_cannot_be_reached_is_dropped_with_its_reason():
    plan = solve(problem([site("too-early", 6, window=(0, 30), penalty=10**6), site("ok", 2)]), 1.0)
    assert [d.stop_id for d in plan.dropped] == ["too-early"]
    assert "time window" in plan.dropped[0].reason
    assert route_of(plan, "ok") == "e1"


def test_every_stop_is_either_in_one_route_or_reported_dropped():
    stops = [site(f"s{i}", 1 + i % 5, service=90, penalty=100 + i) for i in range(8)]
    plan = solve(problem(stops), 1.0)
    routed = [v.stop_id for r in plan.routes for v in r.visits]
    dropped = [d.stop_id for d in plan.dropped]
    assert sorted(routed + dropped) == sorted(s.id for s in stops)
    assert len(set(routed)) == len(routed)
    assert dropped and all(d.reason for d in plan.dropped)


def test_when_only_one_of_two_jobs_fits_the_higher_severity_one_is_served():
    stops = [
        site("p4-question", 3, window=(100, 100), service=60, penalty=1_000),
        site("p1-outage", 3, window=(100, 100), service=60, penalty=1_000_000),
    ]
    plan = solve(problem(stops), 1.0)
    assert [d.stop_id for d in plan.dropped] == ["p4-question"]


def test_service_starts_inside_each_window_and_the_engineer_is_home_by_shift_end():
    stops = [
        site("a", 1, window=(200, 220)),
        site("b", 3, window=(60, 90)),
        site("c", 5, window=(300, 330)),
    ]
    vehicle = engineer("e1", shift=(30, 420))
    plan = solve(problem(stops, [vehicle]), 1.0)
    assert not plan.dropped
    (route,) = plan.routes
    windows = {s.id: s.window for s in stops}
    for v in route.visits:
        assert windows[v.stop_id][0] <= v.start <= windows[v.stop_id][1]
        assert v.arrival <= v.start and v.end == v.start + 30
    assert route.depart >= 30 and route.back <= 420
    assert [v.stop_id for v in route.visits] == ["b", "a", "c"]


def test_the_load_never_exceeds_the_engineer_capacity():
    stops = [site(f"s{i}", 1 + i, service=5, demand=2) for i in range(4)]
    vehicles = [engineer("small", capacity=4), engineer("other", capacity=4)]
    plan = solve(problem(stops, vehicles), 1.0)
    assert not plan.dropped
    assert all(len(r.visits) <= 2 for r in plan.routes)


def test_a_feasible_warm_start_is_used_and_a_broken_one_is_discarded_with_a_note():
    stops = [site("a", 1), site("b", 2)]
    used = solve(problem(stops), 0.5, warm_start={"e1": ["b", "a"]})
    assert used.first_solution == "warm_start" and not used.dropped
    broken = solve(problem(stops), 0.5, warm_start={"e1": ["a", "a", "b", "zz"]})
    assert broken.first_solution != "warm_start" and broken.notes
    assert not broken.dropped


def test_a_solve_returns_close_to_its_time_limit():
    rng = np.random.default_rng(1)
    pts = rng.uniform(0, 100, size=(61, 2))
    m = np.rint(np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))).astype(int)
    stops = [site(f"s{i}", i, window=(0, 2000), service=10, penalty=10_000) for i in range(1, 61)]
    vehicles = [engineer(f"e{k}", shift=(0, 2000)) for k in range(4)]
    plan = solve(RoutingProblem(m, m, stops, vehicles), 2.0)
    assert plan.status == "solved"
    assert plan.wall_s < 3.0


def test_a_window_ending_before_it_starts_is_refused_naming_the_stop():
    with pytest.raises(ValueError, match="'late-fix'.*ends"):
        problem([site("late-fix", 1, window=(300, 200))])


def test_an_engineer_with_an_empty_shift_is_refused_by_name():
    with pytest.raises(ValueError, match="'zhang'.*empty shift"):
        problem([site("a", 1)], [engineer("zhang", shift=(480, 480))])


def test_a_stop_no_engineer_is_qualified_for_is_refused_by_name():
    with pytest.raises(ValueError, match="'hv-panel'.*'high-voltage'"):
        problem([site("hv-panel", 1, required_skill="high-voltage")])


def test_a_problem_without_stops_is_an_empty_plan_not_an_error():
    problem = RoutingProblem(np.zeros((1, 1)), np.zeros((1, 1)), [], [Vehicle("a", 0, 0, (0, 100))])
    plan = solve(problem, 0.5)
    assert plan.status == "solved" and plan.routes == [] and plan.dropped == []
