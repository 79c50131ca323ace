"""Calibrate the travel model's constants on the Chinese road data and check them out of sample.

    python -m bench.calibrate_travel [--data PATH] [--write]

Fits, on <data>/roads (Baidu China intercity road km, AMap Beijing road km and drive times):

1. log(road km / geodesic km) = circuity curve (piecewise-linear in log km, knots
   CIRCUITY_KNOTS_KM) + w(d) x (u(a) + u(b)), u = sum of Gaussian bumps (radius RADIUS_KM)
   centred on the 32 provincial capitals of the Baidu set, L1 loss with an L1 penalty RIDGE on
   the bump heights; each data set weighs the same in total;
2. log(speed) on Beijing drive times (speed = modelled road km / (minutes - access)), piecewise
   linear in log km at SPEED_KNOTS_KM, L1 loss; beyond them the assumed expressway knot.

Prints the constants, the in-sample errors, split-half errors (fit on a random half of the
pairs, measure on the other half, 5 seeds) and leave-one-city-out errors for the Baidu set
(drop every pair of one capital and its bump, predict that capital's pairs from the others).
``--write`` rewrites logistics/travel_calibration.py, the model's defaults.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.roads_data import RoadPairs, data_dir, error_figures, load_pairs
from logistics.geodesy import matrix_km, pairwise_km
from logistics.travel import TravelConfig, TravelModel

CIRCUITY_KNOTS_KM = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 300.0, 1000.0, 3000.0)
SPEED_KNOTS_KM = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0)
# Assumed long-haul average (no Chinese long-haul durations in the data): car limit on
# expressways 120 km/h, cruising 100-110, less tolls, rest stops and city ends.
EXPRESSWAY_KNOT = (500.0, 90.0)
ACCESS_MINUTES = 5.0  # assumed: walk to the car, leave the depot, park at the site
RADIUS_KM = 400.0
RAMP_KM = (100.0, 300.0)
RIDGE = 0.3
SPLIT_SEEDS = 5
CENTRING_WEIGHT = 1000.0  # weight of the centring row relative to one pair
TARGET = Path(__file__).resolve().parent.parent / "logistics" / "travel_calibration.py"


@dataclass(frozen=True)
class Sample:
    """The rows of one data set used for a fit."""

    pairs: RoadPairs
    rows: np.ndarray  # boolean mask

    def take(self, values: np.ndarray) -> np.ndarray:
        return values[self.rows]


def hat_basis(km: np.ndarray, knots: tuple[float, ...]) -> np.ndarray:
    """(N, K) piecewise-linear basis in log km, flat outside the knots (as TravelModel)."""
    x = np.log(np.clip(km, knots[0], knots[-1]))
    logk = np.log(knots)
    basis = np.zeros((len(km), len(knots)))
    for k in range(len(knots)):
        unit = np.zeros(len(knots))
        unit[k] = 1.0
        basis[:, k] = np.interp(x, logk, unit)
    return basis


def l1_fit(x: np.ndarray, y: np.ndarray, weights: np.ndarray, iterations: int = 40) -> np.ndarray:
    """Minimise sum(weights * |y - x @ beta|) by iteratively reweighted least squares."""

    def weighted_lstsq(w: np.ndarray) -> np.ndarray:
        xtw = x.T * w
        return np.linalg.solve(xtw @ x + 1e-9 * np.eye(x.shape[1]), xtw @ y)

    beta = weighted_lstsq(weights)
    for _ in range(iterations):
        beta = weighted_lstsq(weights / np.maximum(np.abs(y - x @ beta), 1e-4))
    return beta


def regional_features(pairs: RoadPairs, anchors: np.ndarray) -> np.ndarray:
    """(N, K): ramp weight x (bump k at origin + bump k at destination)."""
    crow = pairwise_km(pairs.origins, pairs.destinations)
    ramp = np.clip((crow - RAMP_KM[0]) / (RAMP_KM[1] - RAMP_KM[0]), 0.0, 1.0)
    bumps = np.exp(-((matrix_km(pairs.origins, anchors) / RADIUS_KM) ** 2))
    bumps += np.exp(-((matrix_km(pairs.destinations, anchors) / RADIUS_KM) ** 2))
    return ramp[:, None] * bumps


def fit(samples: list[Sample], anchors: np.ndarray, speed_sample: Sample) -> TravelConfig:
    """Circuity curve and regional bumps from road km, then speeds from drive minutes."""
    blocks, targets, weights = [], [], []
    largest = max(int(s.rows.sum()) for s in samples)
    for s in samples:
        crow = s.take(pairwise_km(s.pairs.origins, s.pairs.destinations))
        blocks.append(
            np.hstack(
                [hat_basis(crow, CIRCUITY_KNOTS_KM), s.take(regional_features(s.pairs, anchors))]
            )
        )
        targets.append(np.log(s.take(s.pairs.road_km) / crow))
        weights.append(np.full(len(crow), largest / s.rows.sum()))
    n_curve = len(CIRCUITY_KNOTS_KM)
    penalty = np.hstack([np.zeros((len(anchors), n_curve)), RIDGE * np.eye(len(anchors))])
    # Centring: over the long trips the regional factor averages to 1, so the circuity curve
    # alone is the typical long-trip circuity (what a place far from every anchor gets).
    long_trips = np.vstack([b[b[:, n_curve:].sum(axis=1) > 0] for b in blocks])
    centring = np.concatenate([np.zeros(n_curve), long_trips[:, n_curve:].mean(axis=0)])
    x = np.vstack([*blocks, penalty, centring])
    y = np.concatenate([*targets, np.zeros(len(anchors) + 1)])
    w = np.concatenate(
        [*weights, np.full(len(anchors), float(largest) / 500.0), [CENTRING_WEIGHT * largest]]
    )
    beta = l1_fit(x, y, w)
    circuity = tuple(
        (k, round(max(float(np.exp(b)), 1.0), 3))
        for k, b in zip(CIRCUITY_KNOTS_KM, beta[:n_curve], strict=True)
    )
    bumps = tuple(
        (round(float(lat), 4), round(float(lon), 4), round(float(u), 4))
        for (lat, lon), u in zip(anchors, beta[n_curve:], strict=True)
        if abs(u) >= 5e-4
    )
    km_only = TravelConfig(
        circuity=circuity,
        speeds_kmh=((1.0, 1.0),),
        access_minutes=0.0,
        regional_anchors=bumps,
        regional_radius_km=RADIUS_KM,
        regional_ramp_km=RAMP_KM,
    )
    s = speed_sample
    km = s.take(TravelModel(km_only).km_pairs(s.pairs.origins, s.pairs.destinations))
    minutes = s.take(s.pairs.drive_minutes) - ACCESS_MINUTES
    crow = s.take(pairwise_km(s.pairs.origins, s.pairs.destinations))
    ok = np.isfinite(minutes) & (minutes > 1.0)
    speed_beta = l1_fit(
        hat_basis(crow[ok], SPEED_KNOTS_KM), np.log(60.0 * km[ok] / minutes[ok]), np.ones(ok.sum())
    )
    speeds = tuple(
        (k, round(float(np.exp(b)), 1)) for k, b in zip(SPEED_KNOTS_KM, speed_beta, strict=True)
    )
    return TravelConfig(
        circuity=circuity,
        speeds_kmh=(*speeds, EXPRESSWAY_KNOT),
        access_minutes=ACCESS_MINUTES,
        regional_anchors=bumps,
        regional_radius_km=RADIUS_KM,
        regional_ramp_km=RAMP_KM,
    )


def capitals(pairs: RoadPairs) -> tuple[list[str], np.ndarray]:
    """Distinct endpoints of a data set: names and (K, 2) lat/lon."""
    points: dict[str, tuple[float, float]] = {}
    for names, coords in (
        (pairs.origin_names, pairs.origins),
        (pairs.destination_names, pairs.destinations),
    ):
        for name, (lat, lon) in zip(names, coords, strict=True):
            points.setdefault(name, (float(lat), float(lon)))
    names = sorted(points)
    return names, np.array([points[n] for n in names])


def figures(
    config: TravelConfig, pairs: RoadPairs, rows: np.ndarray | None = None
) -> dict[str, float]:
    """Median / p90 relative error (%) of km and, where the data has them, minutes."""
    rows = np.ones(len(pairs.road_km), bool) if rows is None else rows
    km, minutes = TravelModel(config).pairs(pairs.origins[rows], pairs.destinations[rows])
    out = dict(zip(("km_median", "km_p90"), error_figures(km, pairs.road_km[rows]), strict=True))
    if pairs.has_minutes:
        out.update(
            zip(
                ("min_median", "min_p90"),
                error_figures(minutes, pairs.drive_minutes[rows]),
                strict=True,
            )
        )
    return {k: round(v, 2) for k, v in out.items()}


def split_half(
    china: RoadPairs, beijing: RoadPairs, anchors: np.ndarray
) -> dict[str, dict[str, float]]:
    """Fit on a random half of each set, predict the other half; mean figures over seeds."""
    results: dict[str, list[dict[str, float]]] = {"china-intercity": [], "beijing": []}
    for seed in range(SPLIT_SEEDS):
        rng = np.random.default_rng(seed)
        half_cn = rng.random(len(china.road_km)) < 0.5
        half_bj = rng.random(len(beijing.road_km)) < 0.5
        km_cn, km_bj, min_bj = (
            np.empty(len(china.road_km)),
            np.empty(len(beijing.road_km)),
            np.empty(len(beijing.road_km)),
        )
        for train_cn, train_bj in ((half_cn, half_bj), (~half_cn, ~half_bj)):
            config = fit(
                [Sample(china, train_cn), Sample(beijing, train_bj)],
                anchors,
                Sample(beijing, train_bj),
            )
            model = TravelModel(config)
            km_cn[~train_cn] = model.km_pairs(
                china.origins[~train_cn], china.destinations[~train_cn]
            )
            km, minutes = model.pairs(beijing.origins[~train_bj], beijing.destinations[~train_bj])
            km_bj[~train_bj], min_bj[~train_bj] = km, minutes
        results["china-intercity"].append(
            dict(zip(("km_median", "km_p90"), error_figures(km_cn, china.road_km), strict=True))
        )
        bj = dict(zip(("km_median", "km_p90"), error_figures(km_bj, beijing.road_km), strict=True))
        bj.update(
            zip(
                ("min_median", "min_p90"), error_figures(min_bj, beijing.drive_minutes), strict=True
            )
        )
        results["beijing"].append(bj)
    return {
        label: {k: round(float(np.mean([r[k] for r in runs])), 2) for k in runs[0]}
        for label, runs in results.items()
    }


def leave_one_city_out(china: RoadPairs, beijing: RoadPairs) -> dict[str, float]:
    """Each capital's pairs predicted by a model fitted without them and without its bump."""
    names, anchors = capitals(china)
    predicted = np.empty(len(china.road_km))
    everything = np.ones(len(beijing.road_km), bool)
    for i, name in enumerate(names):
        touches = np.array(
            [
                a == name or b == name
                for a, b in zip(china.origin_names, china.destination_names, strict=True)
            ]
        )
        config = fit(
            [Sample(china, ~touches), Sample(beijing, everything)],
            np.delete(anchors, i, axis=0),
            Sample(beijing, everything),
        )
        predicted[touches] = TravelModel(config).km_pairs(
            china.origins[touches], china.destinations[touches]
        )
    med, p90 = error_figures(predicted, china.road_km)
    return {"km_median": round(med, 2), "km_p90": round(p90, 2)}


def module_text(config: TravelConfig, names: list[str], anchors: np.ndarray) -> str:
    """Source of logistics/travel_calibration.py for ``config``."""
    by_point = {
        (round(float(a), 4), round(float(b), 4)): n
        for n, (a, b) in zip(names, anchors, strict=True)
    }
    rows = "\n".join(
        f"    ({lat}, {lon}, {u}),  # {by_point.get((lat, lon), '')}"
        for lat, lon, u in config.regional_anchors
    )
    circuity = "\n".join(f"    ({k}, {v})," for k, v in config.circuity)
    speeds = "\n".join(f"    ({k}, {v})," for k, v in config.speeds_kmh)
    return f'''"""Calibrated defaults of the travel model (see docs/travel-model.md).

Generated by `python -m bench.calibrate_travel --write` from ../shared/data/roads
(Baidu China intercity road km, AMap Beijing road km and drive times); do not edit by hand.
"""

from __future__ import annotations

# (geodesic km, road km per geodesic km); piecewise-linear in log km, flat outside.
CIRCUITY = (
{circuity}
)
# (geodesic km, average road km/h); up to 200 km fitted on AMap Beijing drive times,
# the 500 km knot is the assumed expressway average.
SPEEDS_KMH = (
{speeds}
)
ACCESS_MINUTES = {config.access_minutes}  # assumed, per trip between two different points
REGIONAL_RADIUS_KM = {config.regional_radius_km}  # Gaussian radius of each regional bump
REGIONAL_RAMP_KM = {config.regional_ramp_km}  # trip length over which the regional factor fades in
# (lat, lon, u): bump of the regional log-circuity field at a provincial capital (Baidu set).
REGIONAL_ANCHORS: tuple[tuple[float, float, float], ...] = (
{rows}
)
'''


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", help="benchmark data folder (default $SPARELOG_DATA or ../shared/data)"
    )
    parser.add_argument(
        "--write", action="store_true", help="rewrite logistics/travel_calibration.py"
    )
    args = parser.parse_args(argv)
    data = data_dir(args.data)
    china = load_pairs(data, "china_intercity_baidu")
    beijing = load_pairs(data, "beijing_intracity_amap")
    names, anchors = capitals(china)
    every_cn, every_bj = np.ones(len(china.road_km), bool), np.ones(len(beijing.road_km), bool)
    config = fit(
        [Sample(china, every_cn), Sample(beijing, every_bj)], anchors, Sample(beijing, every_bj)
    )
    print("circuity", config.circuity)
    print("speeds_kmh", config.speeds_kmh)
    print("regional bumps", len(config.regional_anchors), "of", len(anchors))
    print(
        "in-sample   china-intercity", figures(config, china), " beijing", figures(config, beijing)
    )
    halves = split_half(china, beijing, anchors)
    print("split-half  china-intercity", halves["china-intercity"], " beijing", halves["beijing"])
    print("leave-one-city-out china-intercity", leave_one_city_out(china, beijing))
    if args.write:
        TARGET.write_text(module_text(config, names, anchors), encoding="utf-8")
        print("wrote", TARGET)


if __name__ == "__main__":
    main()
