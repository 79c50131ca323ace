"""How close the travel model's road km and drive minutes are to real routers.

    python -m bench.eta [--data PATH]

For every data set in <data>/roads: median and 90th-percentile relative error
|model - router| / router of road km and (where the set has durations) drive minutes, for
the calibrated model and for the baseline (circuity 1.25, three speed bands), in one run.
Prints a table, then one JSON line with the same figures.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from bench.roads_data import data_dir, error_figures, load_all
from logistics.travel import TravelConfig, TravelModel

MODELS = {"calibrated": TravelConfig(), "baseline": TravelConfig.baseline()}


def measure(data: str | None = None) -> dict[str, dict[str, dict[str, float | int | None]]]:
    """{data set: {model: {pairs, km_median, km_p90, min_median, min_p90}}}, errors in %."""
    results: dict[str, dict[str, dict[str, float | int | None]]] = {}
    for label, pairs in load_all(data_dir(data)).items():
        results[label] = {}
        for name, config in MODELS.items():
            km, minutes = TravelModel(config).pairs(pairs.origins, pairs.destinations)
            km_med, km_p90 = error_figures(km, pairs.road_km)
            row: dict[str, float | int | None] = {
                "pairs": len(km),
                "km_median": round(km_med, 2),
                "km_p90": round(km_p90, 2),
                "min_median": None,
                "min_p90": None,
            }
            if pairs.has_minutes:
                med, p90 = error_figures(minutes, pairs.drive_minutes)
                row.update(min_median=round(med, 2), min_p90=round(p90, 2))
            results[label][name] = row
    return results


def matrix_seconds(size: int = 500) -> float:
    """Best of 3 wall seconds for a size x size km + minutes matrix over China."""
    rng = np.random.default_rng(0)
    points = np.column_stack([rng.uniform(20, 45, size), rng.uniform(100, 125, size)])
    model = TravelModel()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        model.matrices(points, points)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", help="benchmark data folder (default $SPARELOG_DATA or ../shared/data)"
    )
    args = parser.parse_args(argv)
    results = measure(args.data)

    def cell(value: float | int | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    print(
        f"{'data set':<17}{'model':<12}{'pairs':>7}  {'km med %':>9}{'km p90 %':>9}  {'min med %':>10}{'min p90 %':>10}"
    )
    for label, by_model in results.items():
        for name, row in by_model.items():
            print(
                f"{label:<17}{name:<12}{row['pairs']:>7}  {cell(row['km_median']):>9}{cell(row['km_p90']):>9}"
                f"  {cell(row['min_median']):>10}{cell(row['min_p90']):>10}"
            )
    seconds = matrix_seconds()
    print(f"500x500 km+minutes matrix: {seconds * 1000:.0f} ms")
    print(
        json.dumps(
            {"bench": "eta", "results": results, "matrix_500_seconds": round(seconds, 4)},
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
