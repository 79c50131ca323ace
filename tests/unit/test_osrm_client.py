"""The OSRM provider against a real local HTTP server that speaks the OSRM table format."""

from __future__ import annotations

import math
import socket
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from logistics.osrm import OsrmError, OsrmTableClient
from logistics.travel import make_travel_model
from tests.stand_in import StandIn, serving

MAX_TABLE_SIZE = 100  # as osrm-routed's default --max-table-size
UNREACHABLE_LAT = -45.0  # the fake router has no road to any point at this latitude


def fake_route(a: tuple[float, float], b: tuple[float, float]) -> tuple[float | None, float | None]:
    """(metres, seconds) the fake router answers for (lon, lat) points: a 1.3 x detour at 15 m/s."""
    if UNREACHABLE_LAT in (a[1], b[1]) and a != b:
        return None, None
    metres = 1.3 * 111_195 * math.hypot(a[0] - b[0], a[1] - b[1])
    return round(metres, 1), round(metres / 15.0, 1)


class FakeOsrm(StandIn):
    requests_seen: list[dict[str, object]] = []
    mode = "ok"

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        url = urlsplit(self.path)
        parts = url.path.split("/")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if FakeOsrm.mode == "garbage":
            return self.send_body(200, b"<html>proxy error</html>", "text/html")
        if parts[1:4] != ["table", "v1", "driving"]:
            return self.send_json(
                status=400,
                body={"code": "InvalidUrl", "message": f"URL string malformed: {url.path}"},
            )
        points = [tuple(float(x) for x in p.split(",")) for p in parts[4].split(";")]
        FakeOsrm.requests_seen.append({"points": points, **query})
        if len(points) > MAX_TABLE_SIZE:
            return self.send_json(
                status=400, body={"code": "TooBig", "message": "Too many table coordinates"}
            )
        sources = [int(i) for i in query["sources"].split(";")]
        destinations = [int(i) for i in query["destinations"].split(";")]
        routes = [[fake_route(points[s], points[d]) for d in destinations] for s in sources]
        body: dict[str, object] = {
            "code": "Ok",
            "durations": [[r[1] for r in row] for row in routes],
        }
        if FakeOsrm.mode != "no-distances" and "distance" in query.get("annotations", ""):
            body["distances"] = [[r[0] for r in row] for row in routes]
        self.send_json(status=200, body=body)


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with serving(FakeOsrm) as address:
        yield f"http://{address}"


@pytest.fixture(autouse=True)
def fresh_server_state() -> None:
    FakeOsrm.requests_seen.clear()
    FakeOsrm.mode = "ok"


def expected(origins: np.ndarray, destinations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    routes = [[fake_route((o[1], o[0]), (d[1], d[0])) for d in destinations] for o in origins]
    metres = np.array([[np.inf if r[0] is None else r[0] for r in row] for row in routes])
    seconds = np.array([[np.inf if r[1] is None else r[1] for r in row] for row in routes])
    return metres / 1000, seconds / 60


def test_router_distances_and_times_arrive_in_km_and_minutes(server_url: str) -> None:
    client = OsrmTableClient(server_url)
    origins = np.array([[31.23, 121.47], [31.30, 120.62]])
    destinations = np.array([[32.06, 118.78], [30.27, 120.16], [31.23, 121.47]])
    km, minutes = client.matrices(origins, destinations)
    want_km, want_minutes = expected(origins, destinations)
    np.testing.assert_allclose(km, want_km)
    np.testing.assert_allclose(minutes, want_minutes)
    assert client.road_km((31.23, 121.47), (32.06, 118.78)) == pytest.approx(want_km[0, 0])
    assert client.travel_minutes((31.23, 121.47), (32.06, 118.78)) == pytest.approx(
        want_minutes[0, 0]
    )


def test_coordinates_go_to_the_router_as_lon_lat(server_url: str) -> None:
    OsrmTableClient(server_url).road_km((31.23, 121.47), (32.06, 118.78))
    request = FakeOsrm.requests_seen[-1]
    assert request["points"] == [(121.47, 31.23), (118.78, 32.06)]
    assert request["sources"] == "0" and request["destinations"] == "1"
    assert request["annotations"] == "duration,distance"


def test_large_matrix_is_fetched_in_blocks_the_router_accepts(server_url: str) -> None:
    rng = np.random.default_rng(5)
    # OSRM takes 6 decimals (0.1 m); round so the fake router sees exactly these points
    origins = np.column_stack([rng.uniform(22, 40, 130), rng.uniform(100, 120, 130)]).round(5)
    destinations = np.column_stack([rng.uniform(22, 40, 70), rng.uniform(100, 120, 70)]).round(5)
    km = make_travel_model("osrm", url=server_url).km_matrix(origins, destinations)
    np.testing.assert_allclose(km, expected(origins, destinations)[0])
    assert len(FakeOsrm.requests_seen) > 1
    assert all(len(r["points"]) <= MAX_TABLE_SIZE for r in FakeOsrm.requests_seen)


def test_places_without_a_road_between_them_are_infinitely_far(server_url: str) -> None:
    km = OsrmTableClient(server_url).km_matrix(
        np.array([[31.2, 121.5]]), np.array([[UNREACHABLE_LAT, 170.0]])
    )
    assert np.isinf(km[0, 0])


def test_access_minutes_are_added_to_real_trips_only(server_url: str) -> None:
    client = OsrmTableClient(server_url, access_minutes=5.0)
    plain = OsrmTableClient(server_url)
    a, b = (31.23, 121.47), (31.30, 120.62)
    assert client.travel_minutes(a, b) == pytest.approx(plain.travel_minutes(a, b) + 5.0)
    assert client.travel_minutes(a, a) == 0.0


def test_router_error_is_reported_with_its_message(server_url: str) -> None:
    client = OsrmTableClient(server_url, profile="flying")
    with pytest.raises(OsrmError, match="HTTP 400.*URL string malformed"):
        client.road_km((31.23, 121.47), (32.06, 118.78))


def test_answer_that_is_not_osrm_json_is_an_error(server_url: str) -> None:
    FakeOsrm.mode = "garbage"
    with pytest.raises(OsrmError, match="failed"):
        OsrmTableClient(server_url).road_km((31.23, 121.47), (32.06, 118.78))


def test_router_without_distance_annotation_is_an_error(server_url: str) -> None:
    FakeOsrm.mode = "no-distances"
    with pytest.raises(OsrmError, match="distances"):
        OsrmTableClient(server_url).road_km((31.23, 121.47), (32.06, 118.78))


def test_unreachable_router_is_a_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the socket closes
    with pytest.raises(OsrmError, match=f"127.0.0.1:{port} unreachable"):
        OsrmTableClient(f"http://127.0.0.1:{port}", timeout=2).road_km((31.2, 121.5), (32.0, 118.8))


def test_osrm_provider_needs_a_url() -> None:
    with pytest.raises(ValueError, match="needs a url"):
        make_travel_model("osrm", url="")
