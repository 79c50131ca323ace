"""Places known only roughly: honest legs, labels by what a leg is, and verdicts that say
when they depend on where a coarse place really is (logistics.places + the ranking)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from logistics.dispatch import DepotStock, EngineerCandidate, FaultRequest, rank_dispatch_options
from logistics.places import (
    CoarseLegRule,
    LegKind,
    Precision,
    city_radius_km,
    spread_km,
    uncertainty_km,
)
from logistics.sla import Clock
from logistics.travel import TravelModel

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # Tue 10:00 in Shanghai
BEIJING = (39.9075, 116.3972)  # the gazetteer's Beijing: where a city-level place sits
BEIJING_R = uncertainty_km(Precision.CITY, 18_960_744)
TRAVEL = TravelModel()


def engineer(lat: float, lon: float, **kw) -> EngineerCandidate:
    return EngineerCandidate(
        id="E1", name="Wang", lat=lat, lon=lon, skills=frozenset({"disk"}), **kw
    )


def fault(lat: float, lon: float, **kw) -> FaultRequest:
    return FaultRequest(lat, lon, kw.pop("severity", "P2"), NOW, part_category="disk", **kw)


def test_city_radius_grows_with_population_within_bounds() -> None:
    assert city_radius_km(19_000_000) == pytest.approx(27.5, abs=0.1)
    assert city_radius_km(300_000) == pytest.approx(3.5, abs=0.1)
    assert city_radius_km(10) == 3.0 and city_radius_km(10**9) == 30.0
    assert uncertainty_km("exact") == 0 < uncertainty_km("street") < uncertainty_km("district")


def test_two_city_level_places_on_the_same_centre_are_a_city_apart_not_zero() -> None:
    spread = spread_km(np.array([0.0]), np.array([BEIJING_R]), np.array([BEIJING_R]))
    assert spread.low[0] > 0
    assert spread.low[0] < spread.expected[0] < spread.high[0]
    assert spread.expected[0] == pytest.approx(BEIJING_R)
    exact = spread_km(np.array([12.0]), np.array([0.0]), np.array([0.0]))
    assert exact.low[0] == exact.expected[0] == exact.high[0] == 12.0


def test_leg_to_a_site_known_only_to_city_level_is_a_nonzero_estimate() -> None:
    site = fault(*BEIJING, site_precision="city", site_uncertainty_km=BEIJING_R)
    same_centre = engineer(*BEIJING, precision="city", uncertainty_km=BEIJING_R)
    depot = DepotStock("D", "BJ01", "Beijing depot", 39.9706, 116.4930, 2, "street", 0.3)
    options = rank_dispatch_options(site, [same_centre], [depot], TRAVEL).options
    assert options
    for option in options:
        for leg in option.legs:
            assert leg.km > 5 and leg.minutes > 10  # never "0 km · 0 min"
            assert leg.estimate and leg.precision is Precision.CITY
            assert leg.minutes_low < leg.minutes < leg.minutes_high


def test_same_place_at_exact_precision_is_the_only_zero_minute_leg() -> None:
    site = fault(39.9706, 116.4930)
    here = engineer(39.9706, 116.4930)
    option = rank_dispatch_options(site, [here], [], TRAVEL).options
    assert option == []  # a part is needed and no depot holds one
    no_part = FaultRequest(39.9706, 116.4930, "P2", NOW)
    leg = rank_dispatch_options(no_part, [here], [], TRAVEL).options[0].legs[0]
    assert leg.minutes == 0 and not leg.estimate and leg.kind is LegKind.ENGINEER_DRIVE


def test_courier_legs_are_labelled_by_distance_same_city_intercity_or_parcel() -> None:
    site = fault(39.9068, 116.3634, site_city_radius_km=27.5)  # Xichang'an Jie, Beijing
    far_engineer = engineer(39.0965, 117.2063)  # in Tianjin: the part must travel alone
    depots = [
        DepotStock("B", "BJ01", "Beijing", 39.9706, 116.4930, 1),  # 13 km away
        DepotStock("T", "TJ01", "Tianjin", 39.0965, 117.2063, 1),  # 115 km
        DepotStock("U", "URC01", "Urumqi", 43.7985, 87.6196, 1),  # 2,400 km
    ]
    options = rank_dispatch_options(site, [far_engineer], depots, TRAVEL, limit=10).options
    kinds = {o.depot_code: o.legs[-1].kind for o in options if o.mode == "courier"}
    assert kinds == {
        "BJ01": LegKind.SAME_CITY_COURIER,
        "TJ01": LegKind.INTERCITY_VAN,
        "URC01": LegKind.PARCEL,
    }
    for option in options:
        assert option.legs[0].kind is LegKind.ENGINEER_DRIVE


def test_clock_that_holds_only_if_the_coarse_site_is_near_is_flagged_uncertain() -> None:
    coarse_site = dict(site_precision="city", site_uncertainty_km=BEIJING_R)
    here = engineer(39.9706, 116.4930)
    no_part = FaultRequest(*BEIJING, "P2", NOW, **coarse_site)
    leg = rank_dispatch_options(no_part, [here], [], TRAVEL).options[0].legs[0]
    # an on-site promise due between the optimistic and the pessimistic arrival
    due = NOW + timedelta(minutes=(leg.minutes_low + leg.minutes_high) / 2)
    tight = FaultRequest(*BEIJING, "P2", NOW, onsite_due=due, **coarse_site)
    check = next(
        c for c in rank_dispatch_options(tight, [here], [], TRAVEL).options[0].checks
        if c.clock is Clock.ONSITE
    )  # fmt: skip
    assert check.uncertain
    roomy = FaultRequest(
        *BEIJING, "P2", NOW, onsite_due=NOW + timedelta(minutes=leg.minutes_high + 5), **coarse_site
    )
    check = rank_dispatch_options(roomy, [here], [], TRAVEL).options[0].checks[0]
    assert check.met and not check.uncertain


def test_coarse_rule_adds_access_minutes_only_when_both_points_coincide() -> None:
    rule = CoarseLegRule()
    km, minutes = rule.extra(np.array([0.0, 10.0]), np.array([5.0, 5.0]), np.array([5.0, 5.0]))
    assert minutes.expected[0] > rule.access_minutes
    assert minutes.expected[1] < minutes.expected[0]
    _, none = rule.extra(np.array([10.0]), np.array([0.0]), np.array([0.0]))
    assert none.low[0] == none.expected[0] == none.high[0] == 0.0
