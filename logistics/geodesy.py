"""Vectorised distances on the WGS-84 ellipsoid, in km, for whole arrays of points.

geopy's ``geodesic`` is exact but works one pair at a time; routing needs 250,000 pairs
in milliseconds. Andoyer-Lambert's first-order flattening correction stays within about
0.01 % of the exact geodesic for the distances a road can cover, which is far below
the error of any road model built on top of it.
"""

from __future__ import annotations

import numpy as np

WGS84_A_KM = 6378.137  # equatorial radius, km
WGS84_F = 1 / 298.257223563  # flattening
MEAN_EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius, km


def check_coordinates(points: np.ndarray, what: str = "points") -> np.ndarray:
    """Return ``points`` as a float (N, 2) array of (lat, lon) degrees, or raise ValueError."""
    arr = np.asarray(points, dtype=float)
    if arr.ndim == 1 and arr.shape == (2,):
        arr = arr.reshape(1, 2)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{what} must be an (N, 2) array of (lat, lon), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{what} contain a coordinate that is not a finite number")
    bad_lat = np.abs(arr[:, 0]) > 90
    if bad_lat.any():
        raise ValueError(f"{what}: latitude {arr[bad_lat, 0][0]:g} is outside -90..90")
    bad_lon = np.abs(arr[:, 1]) > 180
    if bad_lon.any():
        raise ValueError(f"{what}: longitude {arr[bad_lon, 1][0]:g} is outside -180..180")
    return arr


def ellipsoid_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Geodesic km between broadcastable arrays of (lat, lon) degrees (Andoyer-Lambert)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    f_ = (phi1 + phi2) / 2
    g_ = (phi1 - phi2) / 2
    lam = np.radians(np.asarray(lon1) - np.asarray(lon2)) / 2
    sin2g, cos2g = np.sin(g_) ** 2, np.cos(g_) ** 2
    sin2f, cos2f = np.sin(f_) ** 2, np.cos(f_) ** 2
    sin2l, cos2l = np.sin(lam) ** 2, np.cos(lam) ** 2
    s = sin2g * cos2l + cos2f * sin2l
    c = cos2g * cos2l + sin2f * sin2l
    with np.errstate(divide="ignore", invalid="ignore"):
        omega = np.arctan2(np.sqrt(s), np.sqrt(c))
        r = np.sqrt(s * c) / omega
        h1 = (3 * r - 1) / (2 * c)
        h2 = (3 * r + 1) / (2 * s)
        km = (2 * omega * WGS84_A_KM) * (1 + WGS84_F * (h1 * sin2f * cos2g - h2 * cos2f * sin2g))
    km = np.where(s < 1e-20, 0.0, km)  # the same point
    # (Nearly) antipodal points: the correction degenerates; half a meridian is within 0.3 %.
    return np.where(c < 1e-20, np.pi * WGS84_A_KM * (1 - WGS84_F / 2), km)


def pairwise_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Geodesic km between row i of ``a`` and row i of ``b`` ((N, 2) lat/lon degrees)."""
    return ellipsoid_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])


def matrix_km(origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    """(N, M) geodesic km from every origin to every destination ((N, 2), (M, 2) lat/lon)."""
    return ellipsoid_km(
        origins[:, 0, None], origins[:, 1, None], destinations[None, :, 0], destinations[None, :, 1]
    )


def sphere_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle km (haversine, mean radius) from one point to arrays of points."""
    p1, p2 = np.radians(lat), np.radians(lats)
    x = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2
    )
    return 2 * MEAN_EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(x, 0.0, 1.0)))


class MatrixProvider:
    """A travel provider that works out road km and driving minutes together:
    ``matrices(origins, destinations)`` gives both (N, M) arrays for (N, 2) and (M, 2)
    (lat, lon) degrees, and the single matrices are read off it."""

    def matrices(
        self, origins: np.ndarray, destinations: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def km_matrix(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        """(N, M) road km from every origin to every destination."""
        return self.matrices(origins, destinations)[0]

    def minutes_matrix(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
        """(N, M) driving minutes from every origin to every destination."""
        return self.matrices(origins, destinations)[1]
