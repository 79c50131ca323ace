"""Loader for the real road-distance / drive-time pairs in ``<data>/roads`` (see its SOURCES.md)."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# File stem -> short label, in the order benchmarks print them.
DATASETS = {
    "china_intercity_baidu": "china-intercity",
    "beijing_intracity_amap": "beijing",
    "belgium_graphhopper": "belgium",
    "switzerland_google": "switzerland",
    "usa_landmarks_google": "usa-landmarks",
    "usa_cities_google_travelplanner": "usa-cities",
}


@dataclass(frozen=True)
class RoadPairs:
    """Router figures for pairs of points: (N, 2) lat/lon ends, road km, drive minutes (NaN if none)."""

    label: str
    origin_names: tuple[str, ...]
    destination_names: tuple[str, ...]
    origins: np.ndarray
    destinations: np.ndarray
    road_km: np.ndarray
    drive_minutes: np.ndarray

    @property
    def has_minutes(self) -> bool:
        return bool(np.isfinite(self.drive_minutes).any())


def data_dir(cli_value: str | None = None) -> Path:
    """The benchmark data folder: the CLI value, else $SPARELOG_DATA, else ../shared/data."""
    if cli_value:
        return Path(cli_value)
    if os.environ.get("SPARELOG_DATA"):
        return Path(os.environ["SPARELOG_DATA"])
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def load_pairs(data: Path, stem: str) -> RoadPairs:
    """One roads/ CSV (columns origin, origin_lat, ..., road_km, drive_hours) as arrays."""
    path = Path(data) / "roads" / f"{stem}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise ValueError(f"{path} has no rows")

    def column(name: str) -> np.ndarray:
        return np.array([float(r[name]) if r[name] else np.nan for r in rows])

    return RoadPairs(
        label=DATASETS.get(stem, stem),
        origin_names=tuple(r["origin"] for r in rows),
        destination_names=tuple(r["dest"] for r in rows),
        origins=np.column_stack([column("origin_lat"), column("origin_lon")]),
        destinations=np.column_stack([column("dest_lat"), column("dest_lon")]),
        road_km=column("road_km"),
        drive_minutes=column("drive_hours") * 60.0,
    )


def load_all(data: Path) -> dict[str, RoadPairs]:
    """Every data set present under ``<data>/roads``, keyed by label."""
    found = {}
    for stem in DATASETS:
        if (Path(data) / "roads" / f"{stem}.csv").exists():
            pairs = load_pairs(data, stem)
            found[pairs.label] = pairs
    if not found:
        raise FileNotFoundError(f"no road data sets under {Path(data) / 'roads'}")
    return found


def error_figures(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(median, 90th percentile) of |predicted - truth| / truth, in %, over finite truths."""
    ok = np.isfinite(truth) & (truth > 0)
    rel = np.abs(predicted[ok] - truth[ok]) / truth[ok]
    return float(np.median(rel) * 100), float(np.percentile(rel, 90) * 100)
