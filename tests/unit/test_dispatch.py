"""Dispatch ranking for one fault, on a grid where minutes are easy to check by hand.

GridTravel: 1 degree = 100 km in a straight line, driven at 60 km/h, so a leg's minutes
equal its km. The site is at (31.0, 121.0). Contract 7x24, P2 opened now (Tue 3 Mar 2026
10:00 Shanghai = 02:00 UTC): restore due +180 min, replacement unit +360 min, on site
+ (nearest eligible engineer's 40 min + 60) = +100 min; hands-on fix 30 min.
"""

from __future__ import annotations

import itertools
import math
import random
from datetime import UTC, datetime, timedelta

import numpy as np

from logistics.dispatch import (
    ClockDues,
    CourierRule,
    DepotStock,
    EngineerCandidate,
    FaultRequest,
    Mode,
    nearest_drive_minutes,
    rank_candidates,
    rank_dispatch_options,
)
from logistics.sla import Clock, SlaPolicy, compute_clocks


class GridTravel:
    """Test double: km = 100 × straight-line degrees, minutes = km (60 km/h)."""

    def km_matrix(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        diff = origins[:, None, :] - destinations[None, :, :]
        return 100.0 * np.hypot(diff[..., 0], diff[..., 1])

    minutes_matrix = km_matrix

    def road_km(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        return 100.0 * math.hypot(a[0] - b[0], a[1] - b[1])

    travel_minutes = road_km


NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
SITE = (31.0, 121.0)


def engineer(name: str, lat: float, lon: float, **kw) -> EngineerCandidate:
    kw.setdefault("skills", frozenset({"disk"}))
    return EngineerCandidate(id=name, name=name, lat=lat, lon=lon, **kw)


def depot(code: str, lat: float, lon: float, qty: int = 1) -> DepotStock:
    return DepotStock(
        depot_id=code, code=code, name=f"Depot {code}", lat=lat, lon=lon, good_qty=qty
    )


def fault(**kw) -> FaultRequest:
    kw.setdefault("part_category", "disk")
    return FaultRequest(SITE[0], SITE[1], kw.pop("severity", "P2"), NOW, **kw)


ENGINEERS = [
    engineer("Alice", 31.4, 121.0),  # 40 km north of the site
    engineer("Bo", 31.0, 121.6),  # 60 km east
    engineer("Chen", 31.0, 121.1, on_shift=False),  # 10 km but off shift
    engineer("Dong", 31.05, 121.0, skills=frozenset({"psu"})),  # 5 km, wrong skill
    engineer("Er", 31.0, 120.9, open_jobs=3, max_jobs=3),  # 10 km, fully booked
]
DEPOTS = [
    depot("X", 31.2, 121.0),  # 20 km north of the site, on Alice's way
    depot("Y", 31.0, 123.0),  # 200 km east: courier van 60 + 200 = 260 min
    depot("Z", 31.01, 121.0, qty=0),  # next door but out of stock
]


def test_options_rank_by_missed_clocks_then_arrival_then_travel():
    ranking = rank_dispatch_options(fault(), ENGINEERS, DEPOTS, GridTravel())
    got = [(o.engineer_name, o.mode, o.depot_code, o.missed) for o in ranking.options]
    # Alice picks up at X: 20 + 20 = 40 min, all met.
    # Alice, part by van from X: on site 40, part 60 + 20 = 80, travel 40 + 20 = 60.
    # Bo, part by van from X: on site 60, travel 60 + 20 = 80.
    # Bo picks up at X: hypot(0.2, 0.6) = 63.2 + 20 = 83.2 min (< 100), all met.
    # Alice, van from Y: part 260, restore max(40, 260) + 30 = 290 > 180: 1 missed.
    # Bo, van from Y: same part, on site 60: 1 missed.
    # Bo picks up at Y: 140 + 200 = 340: on-site and restore missed, replacement met: 2.
    # Alice picks up at Y: hypot(0.4, 2.0) = 204 + 200 = 404: all 3 missed.
    assert got == [
        ("Alice", Mode.PICKUP, "X", 0),
        ("Alice", Mode.COURIER, "X", 0),
        ("Bo", Mode.COURIER, "X", 0),
        ("Bo", Mode.PICKUP, "X", 0),
        ("Alice", Mode.COURIER, "Y", 1),
        ("Bo", Mode.COURIER, "Y", 1),
        ("Bo", Mode.PICKUP, "Y", 2),
        ("Alice", Mode.PICKUP, "Y", 3),
    ]
    assert (ranking.engineers_considered, ranking.depots_considered) == (2, 2)


def test_an_option_that_meets_every_clock_beats_an_earlier_arrival_that_misses_one():
    options = rank_dispatch_options(fault(), ENGINEERS, DEPOTS, GridTravel()).options
    bo_pickup = next(o for o in options if o.engineer_name == "Bo" and o.mode is Mode.PICKUP)
    alice_van_y = next(o for o in options if o.depot_code == "Y" and o.engineer_name == "Alice")
    assert bo_pickup.onsite_eta > alice_van_y.onsite_eta
    assert bo_pickup.rank < alice_van_y.rank


def test_pickup_option_carries_its_legs_eta_and_clock_margins():
    best = rank_dispatch_options(fault(), ENGINEERS, DEPOTS, GridTravel()).options[0]
    assert [
        (leg.origin, leg.destination, round(leg.km), round(leg.minutes)) for leg in best.legs
    ] == [
        ("Alice", "X", 20, 20),
        ("X", "site", 20, 20),
    ]
    assert best.onsite_eta == NOW + timedelta(minutes=40)
    assert best.part_eta == best.onsite_eta  # the engineer carries it
    margins = {c.clock: round(c.margin_minutes) for c in best.checks}
    # on site 100 - 40 = 60; replacement 360 - 40 = 320; restore 180 - (40 + 30) = 110
    assert margins == {Clock.ONSITE: 60, Clock.REPLACEMENT: 320, Clock.RESTORE: 110}
    assert (round(best.travel_km), round(best.travel_minutes)) == (40, 40)


def test_missed_clock_is_named_with_its_lateness_in_the_explanation():
    options = rank_dispatch_options(fault(), ENGINEERS, DEPOTS, GridTravel()).options
    alice_van_y = options[4]
    # restore: part at 260 + 30 fix = 290 against 180 -> late by 110 min
    assert "misses the restore clock by 110 min" in alice_van_y.explanation
    assert "intercity van" in alice_van_y.explanation
    assert "ranked first" in options[0].explanation
    assert "on site 20 min later" in options[2].explanation  # Bo at 60 vs Alice at 40
    assert "misses 1 clock where #4 misses none" in alice_van_y.explanation


def test_far_depot_ships_a_parcel_due_in_two_working_days():
    far = [depot("W", 31.0, 131.0)]  # 1,000 km: beyond the van's 360 min
    ranking = rank_dispatch_options(fault(), ENGINEERS[:1], far, GridTravel())
    courier = next(o for o in ranking.options if o.mode is Mode.COURIER)
    # shipped Tue 3 Mar: Wed 4 (1), Thu 5 (2) -> end of Thu 5 Mar local = 5 Mar 16:00 UTC
    assert courier.part_eta == datetime(2026, 3, 5, 16, 0, tzinfo=UTC)
    assert courier.legs[-1].by == "parcel"


def test_a_courier_van_rule_can_be_tightened():
    # With vans only up to 100 min, depot Y (200 min) ships a parcel instead.
    ranking = rank_dispatch_options(
        fault(), ENGINEERS[:1], DEPOTS[1:2], GridTravel(), courier=CourierRule(van_max_minutes=100)
    )
    courier = next(o for o in ranking.options if o.mode is Mode.COURIER)
    assert courier.legs[-1].by == "parcel"


def test_fault_without_a_part_ranks_engineers_alone_by_arrival():
    ranking = rank_dispatch_options(fault(part_category=None), ENGINEERS, DEPOTS, GridTravel())
    # Dong (5 km) is eligible now that no skill is needed; Chen off shift, Er booked.
    assert [(o.engineer_name, o.mode, round(o.travel_minutes)) for o in ranking.options] == [
        ("Dong", Mode.ENGINEER, 5),
        ("Alice", Mode.ENGINEER, 40),
        ("Bo", Mode.ENGINEER, 60),
    ]
    assert all(o.part_eta is None for o in ranking.options)


def test_stored_onsite_promise_is_used_instead_of_recomputing_it():
    promised = NOW + timedelta(minutes=50)
    options = rank_dispatch_options(
        fault(onsite_due=promised), ENGINEERS, DEPOTS, GridTravel()
    ).options
    bo_pickup_x = next(o for o in options if o.engineer_name == "Bo" and o.mode is Mode.PICKUP)
    # Bo arrives at 83.2 min, 33.2 min after the stored 50-min promise: shown as 34 min
    # late (a margin is rounded down to the whole minute, docs/sla.md)
    assert bo_pickup_x.missed == 1
    assert "misses the on-site promise by 34 min" in bo_pickup_x.explanation


def test_ticket_promise_and_ranking_round_the_nearest_drive_the_same_way():
    # Alice is 40.0123 km (minutes) away: the promise's travel is rounded up to the second
    staff = [engineer("Alice", 31.400123, 121.0), *ENGINEERS[1:]]
    travel = nearest_drive_minutes(staff, SITE, "disk", GridTravel())
    assert travel * 60 == 2401  # 40.0123 min = 2400.74 s, rounded up
    stored = compute_clocks(NOW, "P2", "phone", SlaPolicy(), travel_minutes=travel).onsite_due
    ranking = rank_dispatch_options(fault(), staff, DEPOTS, GridTravel())
    assert ranking.clocks.onsite_due == stored == NOW + timedelta(seconds=2401 + 3600)


def test_nobody_eligible_means_no_nearest_drive_and_no_promise():
    assert nearest_drive_minutes(ENGINEERS, SITE, "fan", GridTravel()) is None


def test_engineer_refusal_names_the_skill_or_the_load_and_shift_only_when_it_matters():
    assert ENGINEERS[3].refusal("disk") == "Dong is not skilled for disk"
    assert ENGINEERS[4].refusal("disk") == "Er already has 3 open jobs"
    chen = ENGINEERS[2]
    assert chen.refusal("disk") == "Chen is not on shift" and not chen.can_take("disk")
    assert chen.can_take("disk", need_shift=False)  # a dispatcher may call someone in


def test_options_carry_the_engineers_code():
    staff = [engineer("Alice", 31.4, 121.0, code="E-SH-01")]
    ranking = rank_dispatch_options(fault(), staff, DEPOTS, GridTravel())
    assert {o.engineer_code for o in ranking.options} == {"E-SH-01"}
    assert ranking.options[0].meets_sla is (ranking.options[0].missed == 0)


def test_no_skilled_engineer_or_no_stock_gives_no_options_and_says_why():
    nobody = rank_dispatch_options(fault(part_category="fan"), ENGINEERS, DEPOTS, GridTravel())
    assert nobody.options == [] and "skilled for fan" in nobody.reason
    empty = rank_dispatch_options(fault(), ENGINEERS, DEPOTS[2:], GridTravel())
    assert empty.options == [] and "no depot holds" in empty.reason


def test_office_hours_contract_judges_an_evening_fault_against_next_morning():
    policy = SlaPolicy(coverage="5x8")
    evening = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)  # Fri 20:00 Shanghai
    request = FaultRequest(*SITE, "P2", evening, part_category="disk", policy=policy)
    ranking = rank_dispatch_options(request, ENGINEERS, DEPOTS, GridTravel())
    # clocks start Mon 9 Mar 09:00 local = 01:00 UTC; restore +180 min = 04:00 UTC
    assert ranking.clocks.restore_due == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)
    assert ranking.options[0].missed == 0


def _brute_force(request, engineers, depots, travel, courier, limit):
    """Independent reference: every option written out with plain Python."""
    staff = [e for e in engineers if e.can_take(request.part_category)]
    stock = [d for d in depots if d.good_qty > 0]
    site = (request.site_lat, request.site_lon)
    t = travel.travel_minutes
    nearest = min(t((e.lat, e.lon), site) for e in staff)
    due_onsite, due_rep, due_res, fix = nearest + 60, 360.0, 180.0, 30.0  # P2, 7x24
    rows = []
    for e, d in itertools.product(staff, stock):
        e_site, e_dep, d_site = (
            t((e.lat, e.lon), site),
            t((e.lat, e.lon), (d.lat, d.lon)),
            t((d.lat, d.lon), site),
        )
        onsite = e_dep + d_site
        missed = (onsite > due_onsite) + (onsite > due_rep) + (onsite + fix > due_res)
        rows.append((missed, round(onsite * 60), round(onsite * 60)))
        part = courier.handling_minutes + d_site  # all depots within van range here
        missed = (e_site > due_onsite) + (part > due_rep) + (max(e_site, part) + fix > due_res)
        rows.append((missed, round(e_site * 60), round((e_site + d_site) * 60)))
    return sorted(rows)[:limit]


def test_ranking_equals_a_brute_force_enumeration_on_random_instances():
    travel, courier = GridTravel(), CourierRule()
    for seed in range(5):
        rng = random.Random(seed)
        engineers = [
            engineer(f"e{i}", 31 + rng.uniform(-1.5, 1.5), 121 + rng.uniform(-1.5, 1.5))
            for i in range(40)
        ]
        depots = [
            depot(f"d{i}", 31 + rng.uniform(-1.5, 1.5), 121 + rng.uniform(-1.5, 1.5))
            for i in range(15)
        ]
        options = rank_dispatch_options(
            fault(), engineers, depots, travel, courier=courier, limit=25
        ).options
        got = [
            (o.missed, round((o.onsite_eta - NOW).total_seconds()), round(o.travel_minutes * 60))
            for o in options
        ]
        assert got == _brute_force(fault(), engineers, depots, travel, courier, 25)


def test_ranking_core_is_exact_even_when_a_near_depot_ships_slower_than_a_far_one():
    # A depot's part may arrive later than a farther depot's (a parcel vs a van, a depot
    # that is closing): random, unrelated part times must still give the exact top list.
    for seed in range(20):
        rng = np.random.default_rng(seed)
        n_eng, n_depot, limit = 30, 40, 8
        eng_site = rng.uniform(0, 300, n_eng)
        depot_site = rng.uniform(0, 300, n_depot)
        eng_depot = rng.uniform(0, 300, (n_eng, n_depot))
        part = rng.uniform(0, 400, n_depot)
        dues = ClockDues(onsite=150.0, replacement=250.0, restore=200.0, fix=30.0)
        picks = rank_candidates(eng_site, depot_site, eng_depot, part, dues, limit)
        rows = []
        for e in range(n_eng):
            for d in range(n_depot):
                on = eng_depot[e, d] + depot_site[d]
                missed = (on > 150) + (on > 250) + (on + 30 > 200)
                rows.append((missed, round(on * 60), round(on * 60)))
                on = eng_site[e]
                missed = (on > 150) + (part[d] > 250) + (max(on, part[d]) + 30 > 200)
                rows.append((missed, round(on * 60), round((on + depot_site[d]) * 60)))
        got = [
            (p.key >> 56, round(p.onsite_minutes * 60), round(p.travel_minutes * 60)) for p in picks
        ]
        assert got == sorted(rows)[:limit]


class CountingGrid(GridTravel):
    """GridTravel that counts the engineer/depot pairs it was asked to time."""

    def __init__(self) -> None:
        self.pairs = 0

    def minutes_matrix(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        self.pairs += len(origins) * len(destinations)
        return self.km_matrix(origins, destinations)


def test_skipping_far_engineers_keeps_the_exact_ranking_and_asks_for_fewer_travel_times():
    for seed in range(3):
        rng = random.Random(seed)
        engineers = [
            engineer(f"e{i}", 31 + rng.uniform(-4, 4), 121 + rng.uniform(-4, 4)) for i in range(600)
        ]
        depots = [
            depot(f"d{i}", 31 + rng.uniform(-1.5, 1.5), 121 + rng.uniform(-1.5, 1.5))
            for i in range(40)
        ]
        travel = CountingGrid()
        options = rank_dispatch_options(fault(), engineers, depots, travel, limit=10).options
        got = [
            (o.missed, round((o.onsite_eta - NOW).total_seconds()), round(o.travel_minutes * 60))
            for o in options
        ]
        assert got == _brute_force(fault(), engineers, depots, GridTravel(), CourierRule(), 10)
        assert travel.pairs < (600 * 40) / 4  # the full engineer x depot matrix is 24,000


def test_engineer_waiting_at_the_depot_wins_even_behind_forty_nearer_engineers():
    # 40 engineers 100 km west of the site (straight line 95 km); depot F 120 km east with
    # Fang waiting at it (straight line 114 km), so Fang is 41st in straight-line order.
    west = [engineer(f"w{i}", 31.0 + i * 0.0001, 120.0) for i in range(40)]
    fang = engineer("Fang", 31.0, 122.2)
    ranking = rank_dispatch_options(
        fault(), [*west, fang], [depot("F", 31.0, 122.2)], GridTravel(), limit=5
    )
    best = ranking.options[0]
    # on-site promise: nearest 100 + 60 = 160 min. Fang picks up and drives 120 min:
    # on site 120 <= 160, part 120 <= 360, restore 120 + 30 = 150 <= 180: nothing missed.
    # A west engineer with the part by van: on site 100, part 60 + 120 = 180,
    # restore 180 + 30 = 210 > 180: one clock missed.
    assert (best.engineer_name, best.mode, best.missed) == ("Fang", Mode.PICKUP, 0)
    assert [o.missed for o in ranking.options[1:]] == [1, 1, 1, 1]


def test_with_the_real_travel_model_a_shanghai_engineer_beats_one_in_hangzhou():
    from logistics.travel import TravelModel

    model = TravelModel()
    site = (31.2304, 121.4737)  # People's Square, Shanghai
    engineers = [
        engineer("Hangzhou", 30.2741, 120.1551),
        engineer("Pudong", 31.2215, 121.5447),
    ]
    depots = [
        depot("SH", 31.1443, 121.8083),
        depot("SZ", 31.2989, 120.5853),
    ]  # Pudong airport, Suzhou
    request = FaultRequest(*site, "P2", NOW, part_category="disk")
    ranking = rank_dispatch_options(request, engineers, depots, model)
    best = ranking.options[0]
    assert best.engineer_name == "Pudong"
    # the promise is the nearest engineer's drive + 60 min, from the model itself
    # (its matrices and its single-pair answers agree to well under a second)
    pudong_drive = model.travel_minutes((31.2215, 121.5447), site)
    promised = NOW + timedelta(minutes=pudong_drive + 60)
    assert abs((ranking.clocks.onsite_due - promised).total_seconds()) < 1
    # every leg carries the model's own km and minutes
    for option in ranking.options:
        for leg in option.legs:
            assert leg.km > 0 and leg.minutes > 0
    first = best.legs[0]
    ends = {"Pudong": (31.2215, 121.5447), "SH": (31.1443, 121.8083), "SZ": (31.2989, 120.5853)}
    destination = ends.get(first.destination, site)
    # as shown: km to 0.1, minutes up to the whole minute (docs/sla.md "Rounding")
    assert first.km == round(model.road_km(ends["Pudong"], destination), 1)
    assert first.minutes == math.ceil(model.travel_minutes(ends["Pudong"], destination))
