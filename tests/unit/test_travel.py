"""Road km, driving minutes and the on-site promise a dispatcher sees."""

from __future__ import annotations

import time

import numpy as np
import pytest
from geopy.distance import geodesic

from bench.roads_data import data_dir, error_figures, load_pairs
from logistics.geocoding import Place
from logistics.osrm import OsrmTableClient
from logistics.travel import (
    ONSITE_PROMISE_MINUTES,
    TravelConfig,
    TravelModel,
    eta_estimate,
    make_travel_model,
)

BEIJING = (39.9075, 116.3972)
SHANGHAI = (31.2222, 121.4581)
XINING = (36.6255, 101.7574)
LHASA = (29.65, 91.10)


def points_east_of(origin: tuple[float, float], kms: np.ndarray) -> np.ndarray:
    return np.array(
        [
            geodesic(kilometers=float(k)).destination(origin, 100).format_decimal().split(", ")
            for k in kms
        ],
        dtype=float,
    )


@pytest.fixture(scope="module")
def model() -> TravelModel:
    return TravelModel()


def test_road_is_never_shorter_than_the_straight_line(model: TravelModel) -> None:
    rng = np.random.default_rng(7)
    a = np.column_stack([rng.uniform(20, 45, 300), rng.uniform(90, 125, 300)])
    b = a + rng.normal(0, 2, a.shape)
    crow = np.array([geodesic(p, q).km for p, q in zip(a, b, strict=True)])
    assert (model.km_pairs(a, b) >= crow).all()


def test_farther_sites_never_get_an_earlier_arrival(model: TravelModel) -> None:
    kms = np.geomspace(0.05, 2500, 400)
    ends = points_east_of(BEIJING, kms)
    km, minutes = model.pairs(np.repeat([BEIJING], len(ends), axis=0), ends)
    assert (np.diff(km) > 0).all()
    assert (np.diff(minutes) > 0).all()


def test_city_trips_wind_more_than_long_trips(model: TravelModel) -> None:
    near = points_east_of(BEIJING, np.array([3.0]))[0]
    far = points_east_of(BEIJING, np.array([80.0]))[0]
    assert model.road_km(BEIJING, tuple(near)) / 3.0 > model.road_km(BEIJING, tuple(far)) / 80.0


def test_engineer_already_at_the_site_needs_no_travel(model: TravelModel) -> None:
    assert model.road_km(BEIJING, BEIJING) == 0.0
    assert model.travel_minutes(BEIJING, BEIJING) == 0.0
    next_door = tuple(points_east_of(BEIJING, np.array([0.2]))[0])
    assert model.travel_minutes(BEIJING, next_door) >= model.config.access_minutes


def test_roads_to_the_tibetan_plateau_wind_more_than_across_the_plain(model: TravelModel) -> None:
    plateau = model.road_km(XINING, LHASA) / geodesic(XINING, LHASA).km
    plain = model.road_km(BEIJING, SHANGHAI) / geodesic(BEIJING, SHANGHAI).km
    assert plateau > plain + 0.1


def test_regional_factor_leaves_places_far_from_china_alone(model: TravelModel) -> None:
    europe = np.array([[50.85, 4.35], [47.37, 8.54]])
    assert np.abs(model.regional_field(europe)).max() < 1e-6


def test_matrix_agrees_with_one_pair_at_a_time(model: TravelModel) -> None:
    rng = np.random.default_rng(3)
    origins = np.column_stack([rng.uniform(22, 42, 6), rng.uniform(100, 122, 6)])
    destinations = np.column_stack([rng.uniform(22, 42, 5), rng.uniform(100, 122, 5)])
    km, minutes = (
        model.km_matrix(origins, destinations),
        model.minutes_matrix(origins, destinations),
    )
    assert km.shape == minutes.shape == (6, 5)
    for i, o in enumerate(origins):
        for j, d in enumerate(destinations):
            assert km[i, j] == pytest.approx(model.road_km(tuple(o), tuple(d)), rel=1e-4)
            assert minutes[i, j] == pytest.approx(
                model.travel_minutes(tuple(o), tuple(d)), rel=1e-4
            )


def test_routing_matrix_of_500_places_takes_well_under_a_second(model: TravelModel) -> None:
    rng = np.random.default_rng(0)
    places = np.column_stack([rng.uniform(20, 45, 500), rng.uniform(100, 125, 500)])
    start = time.perf_counter()
    minutes = model.minutes_matrix(places, places)
    assert time.perf_counter() - start < 0.5
    assert minutes.shape == (500, 500) and np.isfinite(minutes).all()
    assert (np.diagonal(minutes) == 0).all()


def test_coordinates_out_of_range_are_refused_naming_the_problem(model: TravelModel) -> None:
    with pytest.raises(ValueError, match="latitude 91"):
        model.km_matrix(np.array([[91.0, 0.0]]), np.array([[0.0, 0.0]]))
    with pytest.raises(ValueError, match="longitude"):
        model.travel_minutes((0.0, 0.0), (0.0, 200.0))
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        model.km_matrix(np.zeros((3, 3)), np.zeros((2, 2)))


def test_baseline_bands_hold_one_speed_per_band() -> None:
    baseline = TravelModel(TravelConfig.baseline())
    ten_km = tuple(points_east_of(BEIJING, np.array([10.0]))[0])
    # 10 km x 1.25 circuity at the urban 25 km/h, plus 5 access minutes
    assert baseline.travel_minutes(BEIJING, ten_km) == pytest.approx(5 + 12.5 / 25 * 60, rel=1e-3)


def test_inconsistent_constants_are_refused() -> None:
    with pytest.raises(ValueError, match="increasing"):
        TravelConfig(circuity=((10.0, 1.3), (5.0, 1.2)))
    with pytest.raises(ValueError, match="shorter than the crow flies"):
        TravelConfig(circuity=((1.0, 0.9),))
    with pytest.raises(ValueError, match="positive"):
        TravelConfig(speeds_kmh=((1.0, 0.0),))


def test_provider_is_chosen_by_name_with_overrides() -> None:
    slower_start = make_travel_model("geodesic", access_minutes=15.0)
    default = make_travel_model()
    far = tuple(points_east_of(BEIJING, np.array([30.0]))[0])
    assert slower_start.travel_minutes(BEIJING, far) == pytest.approx(
        default.travel_minutes(BEIJING, far) + 10
    )
    assert isinstance(make_travel_model("osrm", url="http://127.0.0.1:5000"), OsrmTableClient)
    with pytest.raises(ValueError, match="unknown travel provider"):
        make_travel_model("teleport")


def test_eta_promises_arrival_one_hour_after_the_drive(model: TravelModel) -> None:
    depot = Place("Beijing depot", *BEIJING, "Asia/Shanghai")
    site = Place("Tianjin site", 39.1422, 117.1767, "Asia/Shanghai")
    eta = eta_estimate(depot, site, model)
    assert eta["from"] == {"name": "Beijing depot", "lat": BEIJING[0], "lon": BEIJING[1]}
    assert eta["to"]["name"] == "Tianjin site"
    assert 110 < eta["road_km"] < 150  # Beijing-Tianjin by road is about 120-140 km
    assert eta["onsite_promise_minutes"] == pytest.approx(
        eta["travel_minutes"] + ONSITE_PROMISE_MINUTES, abs=0.11
    )


def _figures(
    model: TravelModel, stem: str
) -> tuple[tuple[float, float], tuple[float, float] | None]:
    pairs = load_pairs(data_dir(), stem)
    km, minutes = model.pairs(pairs.origins, pairs.destinations)
    times = error_figures(minutes, pairs.drive_minutes) if pairs.has_minutes else None
    return error_figures(km, pairs.road_km), times


def test_chinese_intercity_road_km_are_within_target_of_baidu(model: TravelModel) -> None:
    (median, p90), _ = _figures(model, "china_intercity_baidu")
    assert median <= 4.0 and p90 <= 10.0
    (base_median, base_p90), _ = _figures(
        TravelModel(TravelConfig.baseline()), "china_intercity_baidu"
    )
    assert median < base_median and p90 < base_p90


def test_beijing_drive_times_are_within_target_of_amap(model: TravelModel) -> None:
    _, times = _figures(model, "beijing_intracity_amap")
    assert times is not None
    median, p90 = times
    assert median <= 15.0 and p90 <= 35.0
    _, base = _figures(TravelModel(TravelConfig.baseline()), "beijing_intracity_amap")
    assert base is not None and median < base[0] and p90 < base[1]
