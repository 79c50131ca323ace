"""Outage allocation against greedy first-come nearest-depot, on a hand-checkable grid.

GridTravel: 1 degree = 100 km straight line at 60 km/h, so minutes equal km. A part
leaves its depot by courier van: it arrives 60 min handling + the drive after now
(Tue 3 Mar 2026 10:00 Shanghai = 02:00 UTC); beyond a 360-min drive it goes by parcel.
Severity weights: P1 8, P2 4, P3 2, P4 1.
"""

from __future__ import annotations

import itertools
import math
import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from logistics.allocation import (
    AllocationSettings,
    Demand,
    DepotSupply,
    allocate,
    assign_engineers,
    greedy_allocate,
)
from logistics.dispatch import EngineerCandidate

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
SETTINGS = AllocationSettings(now_utc=NOW)


class GridTravel:
    """Test double: km = 100 × straight-line degrees, minutes = km (60 km/h)."""

    def km_matrix(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        diff = origins[:, None, :] - destinations[None, :, :]
        return 100.0 * np.hypot(diff[..., 0], diff[..., 1])

    minutes_matrix = km_matrix

    def road_km(self, a, b) -> float:
        return 100.0 * math.hypot(a[0] - b[0], a[1] - b[1])

    travel_minutes = road_km


def demand(id, lon, severity="P3", due_in=360, opened_in=0, part="disk", lat=31.0):
    return Demand(
        id=id,
        lat=lat,
        lon=lon,
        part=part,
        severity=severity,
        deadline_utc=NOW + timedelta(minutes=due_in),
        opened_at_utc=NOW - timedelta(minutes=60) + timedelta(minutes=opened_in),
    )


def depot(id, lon, qty=1, part="disk", lat=31.0):
    return DepotSupply(depot_id=id, code=id, lat=lat, lon=lon, stock={part: qty})


def assigned(result) -> dict:
    return {a.demand_id: a.depot_id for a in result.assignments}


def test_optimiser_saves_an_urgent_fault_that_greedy_leaves_late():
    depots = [depot("A", 121.0), depot("B", 124.0)]
    demands = [
        # first in, P4 at 121.5: A 50 km -> 60 + 50 = 110 min; B 250 km -> 310 min (due 360)
        demand("minor", 121.5, "P4", due_in=360, opened_in=0),
        # second, P1 at 120.5: A 50 km -> 110 min (due 180); B 350 km -> 410 min: late
        demand("down", 120.5, "P1", due_in=180, opened_in=5),
    ]
    greedy = greedy_allocate(demands, depots, GridTravel(), SETTINGS)
    best = allocate(demands, depots, GridTravel(), SETTINGS)
    assert assigned(greedy) == {"minor": "A", "down": "B"}
    assert (greedy.weighted_misses, round(greedy.travel_km)) == (8, 400)  # 50 + 350 km
    assert assigned(best) == {"minor": "B", "down": "A"}
    assert (best.weighted_misses, round(best.travel_km)) == (0, 300)  # 250 + 50 km


def test_the_last_unit_goes_to_the_most_severe_fault_not_the_first_caller():
    depots = [depot("A", 121.0)]
    demands = [demand("first-p3", 121.1, "P3"), demand("later-p1", 121.2, "P1", opened_in=5)]
    greedy = greedy_allocate(demands, depots, GridTravel(), SETTINGS)
    best = allocate(demands, depots, GridTravel(), SETTINGS)
    assert assigned(greedy) == {"first-p3": "A"} and greedy.weighted_misses == 8
    assert assigned(best) == {"later-p1": "A"} and best.weighted_misses == 2
    [left_out] = best.unassigned
    assert left_out.demand_id == "first-p3"
    assert "disk" in left_out.reason
    assert "first come" in greedy.unassigned[0].reason


def test_with_every_fault_on_time_the_optimiser_drives_fewer_km():
    depots = [depot("A", 121.0), depot("B", 121.5)]
    demands = [
        demand("d1", 121.4, opened_in=0),  # A 40 km, B 10 km: greedy takes B
        demand("d2", 121.9, opened_in=5),  # A 90 km, B 40 km: greedy is left with A
    ]
    greedy = greedy_allocate(demands, depots, GridTravel(), SETTINGS)
    best = allocate(demands, depots, GridTravel(), SETTINGS)
    assert round(greedy.travel_km) == 100  # 10 + 90
    assert round(best.travel_km) == 80  # 40 + 40
    assert greedy.weighted_misses == best.weighted_misses == 0


def test_a_late_part_is_still_sent_rather_than_left_on_the_shelf():
    # Only stock is 1,000 km away: parcel, due end of Thu 5 Mar local = 5 Mar 16:00 UTC
    depots = [depot("FAR", 131.0)]
    best = allocate([demand("d1", 121.0, "P2", due_in=180)], depots, GridTravel(), SETTINGS)
    [a] = best.assignments
    assert a.depot_id == "FAR" and a.part_eta == datetime(2026, 3, 5, 16, 0, tzinfo=UTC)
    assert not a.on_time and best.weighted_misses == 4
    assert a.late_minutes == 3720 - 180  # 62 h from now minus the 3 h allowed


def test_a_part_nobody_stocks_is_reported_as_such():
    depots = [depot("A", 121.0, part="disk")]
    best = allocate([demand("d1", 121.0, part="fan")], depots, GridTravel(), SETTINGS)
    assert best.assignments == []
    assert best.unassigned[0].reason == "no depot holds a good fan"


def test_stock_of_one_part_is_not_given_to_a_demand_for_another():
    depots = [
        DepotSupply("A", "A", 31.0, 121.0, {"disk": 1, "fan": 1}),
    ]
    demands = [demand("d1", 121.1, part="disk"), demand("d2", 121.2, part="fan")]
    best = allocate(demands, depots, GridTravel(), SETTINGS)
    assert assigned(best) == {"d1": "A", "d2": "A"}


def _brute_force_key(demands, depots, settings):
    """Independent reference: try every way to give each demand a depot or nothing."""
    travel = GridTravel()
    weights = {"P1": 8, "P2": 4, "P3": 2, "P4": 1}
    best = None
    for choice in itertools.product([None, *range(len(depots))], repeat=len(demands)):
        used: dict[tuple[int, str], int] = {}
        feasible, wm, unserved, km = True, 0, 0, 0.0
        for dem, d in zip(demands, choice, strict=True):
            if d is None:
                wm, unserved = wm + weights[dem.severity], unserved + 1
                continue
            used[(d, dem.part)] = used.get((d, dem.part), 0) + 1
            if used[(d, dem.part)] > depots[d].stock.get(dem.part, 0):
                feasible = False
                break
            dist = travel.road_km((depots[d].lat, depots[d].lon), (dem.lat, dem.lon))
            arrive = 60 + dist if dist <= 360 else 3720  # van, or parcel (Thu 16:00 UTC)
            if NOW + timedelta(minutes=arrive) > dem.deadline_utc:
                wm += weights[dem.severity]
            km += dist
        if feasible:
            key = (wm, unserved, round(km, 3))
            best = key if best is None or key < best else best
    return best


@pytest.mark.parametrize("seed", range(8))
def test_optimiser_matches_exhaustive_search_and_never_loses_to_greedy(seed):
    rng = random.Random(seed)
    sev = ["P1", "P2", "P3", "P4"]
    demands = [
        demand(
            f"d{i}",
            121 + rng.uniform(-2, 2),
            rng.choice(sev),
            due_in=rng.choice([120, 180, 360]),
            opened_in=i,
            part=rng.choice(["disk", "fan"]),
            lat=31 + rng.uniform(-2, 2),
        )
        for i in range(6)
    ]
    depots = [
        DepotSupply(
            f"D{j}",
            f"D{j}",
            31 + rng.uniform(-3, 3),
            121 + rng.uniform(-3, 3),
            {"disk": rng.randint(0, 2), "fan": rng.randint(0, 1)},
        )
        for j in range(3)
    ]
    best = allocate(demands, depots, GridTravel(), SETTINGS)
    greedy = greedy_allocate(demands, depots, GridTravel(), SETTINGS)
    got = (best.weighted_misses, len(best.unassigned), round(best.travel_km, 3))
    assert got == _brute_force_key(demands, depots, SETTINGS)
    assert best.sort_key() <= greedy.sort_key()


def test_allocation_refuses_naive_times():
    with pytest.raises(ValueError):
        allocate(
            [demand("d1", 121.0)],
            [depot("A", 121.0)],
            GridTravel(),
            AllocationSettings(now_utc=datetime(2026, 3, 3, 10, 0)),
        )


def engineer(id, lon, skills=("disk",), free=1, lat=31.0, on_shift=True):
    return EngineerCandidate(id, id, lat, lon, frozenset(skills), on_shift, 0, free)


def test_a_scarce_engineer_goes_to_the_most_severe_fault_that_can_still_be_reached():
    demands = [
        demand("p3", 121.1, "P3", due_in=60),  # Wu: 10 min away
        demand("p1", 121.5, "P1", due_in=60),  # Wu: 50 min away, still in time
    ]
    result = assign_engineers(demands, [engineer("Wu", 121.0)], GridTravel(), SETTINGS)
    [a] = result.assignments
    assert (a.demand_id, a.engineer_id, round(a.km)) == ("p1", "Wu", 50)
    assert a.onsite_eta == NOW + timedelta(minutes=50)
    assert result.weighted_misses == 2  # the P3 without an engineer
    assert "weigh more" in result.unassigned[0].reason


def test_engineers_with_free_slots_take_several_faults_and_skills_are_respected():
    demands = [
        demand("a", 121.1, due_in=60),
        demand("b", 121.2, due_in=60),
        Demand("c", 31.0, 121.3, "psu", "P2", NOW + timedelta(minutes=60), NOW, category="power"),
    ]
    engineers = [engineer("Wu", 121.0, free=2), engineer("Off", 121.3, on_shift=False)]
    result = assign_engineers(demands, engineers, GridTravel(), SETTINGS)
    assert {a.demand_id: a.engineer_id for a in result.assignments} == {"a": "Wu", "b": "Wu"}
    assert round(result.travel_km) == 30  # 10 + 20 km
    [c] = result.unassigned
    assert c.demand_id == "c" and "skilled for power" in c.reason


def test_a_late_engineer_is_sent_rather_than_none_and_the_lateness_is_reported():
    result = assign_engineers(
        [demand("far", 122.0, "P2", due_in=60)], [engineer("Wu", 121.0)], GridTravel(), SETTINGS
    )
    [a] = result.assignments
    assert a.late_minutes == 40  # 100 km = 100 min against 60
    assert result.weighted_misses == 4
