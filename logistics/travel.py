"""Road km and driving minutes from coordinates alone, and the "travel + 1 h" on-site promise.

road km = geodesic km x circuity(distance) x regional factor(both ends)
minutes = access minutes + 60 x road km / speed(distance)          (0 for the same point)

Circuity and speed are piecewise-linear in log(geodesic km) between knots (or step bands,
``smooth=False``); the regional factor exp(w(d) x (u(a) + u(b))) lets long trips from hilly
regions (Tibet, the loess plateau, Fujian) be longer than trips across the North China Plain,
with u a smooth field of Gaussian bumps around calibration anchors that fades to 0 away from
them. Every constant lives in ``TravelConfig``; the calibrated defaults come from
``logistics/travel_calibration.py`` (written by ``python -m bench.calibrate_travel --write``),
and docs/travel-model.md explains each one and the figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from logistics import travel_calibration as calibrated
from logistics.geodesy import MatrixProvider, check_coordinates, matrix_km, pairwise_km
from logistics.sla import SlaPolicy

if TYPE_CHECKING:
    from logistics.geocoding import Place

# "车程+1小时": an engineer is on site within travel time + 1 h — the SLA policy's default,
# named here for the ETA estimate (the one constant lives in logistics.sla.SlaPolicy).
ONSITE_PROMISE_MINUTES = SlaPolicy.onsite_promise_minutes

Knots = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class TravelConfig:
    """Constants of the travel model. Distances are geodesic km unless said otherwise.

    circuity: (km, road km per geodesic km) knots; calibrated on AMap Beijing and Baidu
        China road km (docs/travel-model.md).
    speeds_kmh: (km, average road km/h) knots; below 200 km calibrated on AMap Beijing drive
        times, the 500 km knot is an assumed expressway average (no long-haul times in the data).
    smooth: True interpolates linearly in log(km) between knots (flat outside them);
        False holds each knot's value up to the next knot (plain distance bands).
    access_minutes: fixed minutes per trip between two different points (getting to and from
        the vehicle, parking); a trip to the same point takes 0.
    regional_anchors: (lat, lon, u) bumps of the regional log-circuity field, u in log units.
    regional_radius_km: Gaussian radius of each bump.
    regional_ramp_km: the regional factor grows linearly from 0 to full weight over this range
        of trip length; city trips ignore it.
    same_place_km: points closer than this are the same place (0 km, 0 minutes).
    """

    circuity: Knots = calibrated.CIRCUITY
    speeds_kmh: Knots = calibrated.SPEEDS_KMH
    smooth: bool = True
    access_minutes: float = calibrated.ACCESS_MINUTES
    regional_anchors: tuple[tuple[float, float, float], ...] = calibrated.REGIONAL_ANCHORS
    regional_radius_km: float = calibrated.REGIONAL_RADIUS_KM
    regional_ramp_km: tuple[float, float] = calibrated.REGIONAL_RAMP_KM
    same_place_km: float = 0.001

    def __post_init__(self) -> None:
        for label, knots in (("circuity", self.circuity), ("speeds_kmh", self.speeds_kmh)):
            if not knots:
                raise ValueError(f"{label} needs at least one (km, value) knot")
            kms = [k for k, _ in knots]
            if any(b <= a for a, b in pairwise(kms)):
                raise ValueError(f"{label} knots must be in increasing km order")
            if self.smooth and kms[0] <= 0:
                raise ValueError(f"{label} knots must be above 0 km when smooth")
        if any(v < 1.0 for _, v in self.circuity):
            raise ValueError(
                "a circuity factor below 1 would make roads shorter than the crow flies"
            )
        if any(v <= 0 for _, v in self.speeds_kmh):
            raise ValueError("speeds must be positive km/h")
        if self.access_minutes < 0:
            raise ValueError("access_minutes must not be negative")
        lo, hi = self.regional_ramp_km
        if not 0 <= lo < hi:
            raise ValueError("regional_ramp_km must be (start, end) with 0 <= start < end")

    @classmethod
    def baseline(cls) -> TravelConfig:
        """The plain model the calibration is measured against: circuity 1.25 everywhere and
        three speed bands, 25 km/h under 20 km (urban), 50 km/h to 100 km (regional),
        80 km/h beyond (highway), 5 access minutes, no regional factor."""
        return cls(
            circuity=((0.0, 1.25),),
            speeds_kmh=((0.0, 25.0), (20.0, 50.0), (100.0, 80.0)),
            smooth=False,
            access_minutes=5.0,
            regional_anchors=(),
        )


class TravelEstimator(Protocol):
    """What routing and dispatch need from a travel provider (``TravelModel`` or an OSRM
    table client): coordinates are (lat, lon) degrees, km of road, minutes of driving."""

    def road_km(self, a: tuple[float, float], b: tuple[float, float]) -> float: ...
    def travel_minutes(self, a: tuple[float, float], b: tuple[float, float]) -> float: ...
    def km_matrix(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray: ...
    def minutes_matrix(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray: ...


class TravelModel(MatrixProvider):
    """Coordinate-only road km and driving minutes; points are (lat, lon) degrees."""

    def __init__(self, config: TravelConfig | None = None) -> None:
        self.config = config or TravelConfig()

    def road_km(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        """Road km from a to b."""
        km, _ = self._one(a, b)
        return km

    def travel_minutes(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        """Driving minutes from a to b, access time included."""
        _, minutes = self._one(a, b)
        return minutes

    def matrices(
        self, origins: np.ndarray, destinations: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(road km, minutes), both (N, M), computed together in one vectorised pass."""
        o = check_coordinates(origins, "origins")
        d = check_coordinates(destinations, "destinations")
        u_o, u_d = self.regional_field(o), self.regional_field(d)
        return self._estimate(matrix_km(o, d), u_o[:, None] + u_d[None, :])

    def km_pairs(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """(N,) road km from row i of ``a`` to row i of ``b``."""
        return self.pairs(a, b)[0]

    def minutes_pairs(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """(N,) driving minutes from row i of ``a`` to row i of ``b``."""
        return self.pairs(a, b)[1]

    def pairs(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(road km, minutes) for row-aligned (N, 2) arrays of origins and destinations."""
        a = check_coordinates(a, "origins")
        b = check_coordinates(b, "destinations")
        if len(a) != len(b):
            raise ValueError(f"{len(a)} origins but {len(b)} destinations")
        return self._estimate(pairwise_km(a, b), self.regional_field(a) + self.regional_field(b))

    def regional_field(self, points: np.ndarray) -> np.ndarray:
        """(N,) regional log-circuity u at each (lat, lon) point; 0 far from every anchor."""
        anchors = self.config.regional_anchors
        if not anchors:
            return np.zeros(len(points))
        table = np.asarray(anchors, dtype=float)
        km = matrix_km(points, table[:, :2])
        return np.exp(-((km / self.config.regional_radius_km) ** 2)) @ table[:, 2]

    def _one(self, a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
        pa = check_coordinates(np.asarray(a, dtype=float), "a")
        pb = check_coordinates(np.asarray(b, dtype=float), "b")
        from geopy.distance import geodesic  # geopy loads its geocoders: not at start-up

        crow = geodesic(tuple(pa[0]), tuple(pb[0])).km
        u = self.regional_field(pa) + self.regional_field(pb)
        km, minutes = self._estimate(np.array([crow]), u)
        return float(km[0]), float(minutes[0])

    def _estimate(self, crow_km: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cfg = self.config
        lo, hi = cfg.regional_ramp_km
        weight = np.clip((crow_km - lo) / (hi - lo), 0.0, 1.0)
        road = crow_km * self._curve(cfg.circuity, crow_km) * np.exp(weight * u)
        speed = self._curve(cfg.speeds_kmh, crow_km)
        moving = crow_km >= cfg.same_place_km
        road = np.where(moving, road, 0.0)
        minutes = np.where(moving, cfg.access_minutes + 60.0 * road / speed, 0.0)
        return road, minutes

    def _curve(self, knots: Knots, crow_km: np.ndarray) -> np.ndarray:
        kms = np.array([k for k, _ in knots])
        values = np.array([v for _, v in knots])
        if not self.config.smooth:
            return values[np.clip(np.searchsorted(kms, crow_km, side="right") - 1, 0, None)]
        return np.interp(np.log(np.maximum(crow_km, 1e-9)), np.log(kms), values)


def make_travel_model(provider: str = "geodesic", **options: Any) -> TravelEstimator:
    """A travel provider by name.

    "geodesic" (default): ``TravelModel``; ``config=TravelConfig(...)`` or any TravelConfig
    field as an override (``access_minutes=10``). "baseline": the uncalibrated plain model.
    "osrm": an OSRM table client, ``url="http://host:5000"`` (see ``logistics.osrm``).
    """
    if provider in ("geodesic", "baseline"):
        base = options.pop("config", None) or (
            TravelConfig.baseline() if provider == "baseline" else TravelConfig()
        )
        return TravelModel(replace(base, **options) if options else base)
    if provider == "osrm":
        from logistics.osrm import OsrmTableClient

        return OsrmTableClient(**options)
    raise ValueError(
        f"unknown travel provider {provider!r}; choose 'geodesic', 'baseline' or 'osrm'"
    )


def eta_estimate(a: Place, b: Place, model: TravelEstimator) -> dict[str, Any]:
    """Road km, driving minutes and the on-site promise (travel + 60 min) from a to b.

    Returns {"from": {name, lat, lon}, "to": {...}, "road_km", "travel_minutes",
    "onsite_promise_minutes"}; km and minutes rounded to 0.1.
    """
    km = model.road_km(a.point, b.point)
    minutes = model.travel_minutes(a.point, b.point)
    if not (math.isfinite(km) and math.isfinite(minutes)):
        raise ValueError(f"no road between {a.name} and {b.name}")
    return {
        "from": {"name": a.name, "lat": a.lat, "lon": a.lon},
        "to": {"name": b.name, "lat": b.lat, "lon": b.lon},
        "road_km": round(km, 1),
        "travel_minutes": round(minutes, 1),
        "onsite_promise_minutes": round(minutes + ONSITE_PROMISE_MINUTES, 1),
    }
