"""Client of an OSRM-compatible ``table`` service: real road km and minutes from a router.

GET {url}/table/v1/{profile}/{lon,lat;lon,lat;...}?sources=..&destinations=..
    &annotations=duration,distance
answers {"code": "Ok", "durations": [[s, ...]], "distances": [[m, ...]]}. Large matrices are
split into blocks of at most ``max_locations`` coordinates per request (OSRM's default
``--max-table-size`` is 100). A pair the router cannot connect comes back as ``inf``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import requests

from logistics.geodesy import MatrixProvider, check_coordinates


class OsrmError(RuntimeError):
    """The OSRM service could not be reached or did not answer with a usable table."""


class OsrmTableClient(MatrixProvider):
    """Road km and driving minutes from an OSRM table service; points are (lat, lon) degrees.

    ``access_minutes`` is added to every trip between two different points, as in the
    geodesic model (the router's time is door-to-door on the road only).
    """

    def __init__(
        self,
        url: str,
        profile: str = "driving",
        timeout: float = 10.0,
        max_locations: int = 100,
        access_minutes: float = 0.0,
        session: requests.Session | None = None,
    ) -> None:
        if not url:
            raise ValueError("the OSRM provider needs a url, e.g. http://localhost:5000")
        if max_locations < 2:
            raise ValueError("max_locations must be at least 2")
        self.url = url.rstrip("/")
        self.profile = profile
        self.timeout = timeout
        self.max_locations = max_locations
        self.access_minutes = access_minutes
        self.session = session or requests.Session()

    def road_km(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        """Road km from a to b."""
        return float(self.matrices(np.array([a]), np.array([b]))[0][0, 0])

    def travel_minutes(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        """Driving minutes from a to b."""
        return float(self.matrices(np.array([a]), np.array([b]))[1][0, 0])

    def matrices(
        self, origins: np.ndarray, destinations: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(road km, minutes), both (N, M), in as few requests as ``max_locations`` allows."""
        o = check_coordinates(origins, "origins")
        d = check_coordinates(destinations, "destinations")
        km = np.empty((len(o), len(d)))
        minutes = np.empty((len(o), len(d)))
        step_o = max(1, min(len(o), self.max_locations // 2))
        step_d = max(1, min(len(d), self.max_locations - step_o))
        for i in range(0, len(o), step_o):
            for j in range(0, len(d), step_d):
                block_km, block_min = self._table(o[i : i + step_o], d[j : j + step_d])
                km[i : i + step_o, j : j + step_d] = block_km
                minutes[i : i + step_o, j : j + step_d] = block_min
        moving = km > 0
        return km, np.where(moving, minutes + self.access_minutes, minutes)

    def _table(
        self, origins: np.ndarray, destinations: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        points = np.vstack([origins, destinations])
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        n = len(origins)
        params = {
            "sources": ";".join(str(i) for i in range(n)),
            "destinations": ";".join(str(i) for i in range(n, len(points))),
            "annotations": "duration,distance",
        }
        endpoint = f"{self.url}/table/v1/{self.profile}/{coords}"
        try:
            response = self.session.get(endpoint, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise OsrmError(f"OSRM service at {self.url} unreachable: {exc}") from exc
        body = _json_or_none(response)
        if response.status_code != 200 or body is None or body.get("code") != "Ok":
            detail = (body or {}).get("message") or (body or {}).get("code") or response.text[:200]
            raise OsrmError(f"OSRM table request failed (HTTP {response.status_code}): {detail}")
        shape = (len(origins), len(destinations))
        durations = _matrix(body, "durations", shape)
        distances = _matrix(body, "distances", shape)
        return distances / 1000.0, durations / 60.0


def _json_or_none(response: requests.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _matrix(body: dict[str, Any], key: str, shape: tuple[int, int]) -> np.ndarray:
    rows = body.get(key)
    if rows is None:
        raise OsrmError(f"OSRM answer has no {key!r}; is annotations=duration,distance supported?")
    try:
        table = np.array([[np.inf if v is None else float(v) for v in row] for row in rows])
    except (TypeError, ValueError) as exc:
        raise OsrmError(f"OSRM answer has a malformed {key!r} table") from exc
    if table.shape != shape:
        raise OsrmError(f"OSRM {key!r} table is {table.shape}, expected {shape}")
    return table
