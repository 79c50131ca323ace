"""The Baidu Maps geocoder (geopy's BaiduV3) against a local stand-in of its v3 API.

The stand-in answers like api.map.baidu.com/geocoding/v3/: BD-09 coordinates, a
``level`` ("门址", "区县", "城市" ...), ``precise`` and ``confidence``; status 1 when it
knows nothing and 101 for a wrong key. Nothing here reaches the internet.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from logistics.geocoding import (
    BaiduGeocoder,
    GeocoderChain,
    bd09_to_gcj02,
    bd09_to_wgs84,
    make_geocoder,
    resolve_place,
    wgs84_to_gcj02,
)
from logistics.geodesy import sphere_km
from logistics.places import Precision
from tests.stand_in import StandIn, serving

KEY = "test-ak-0123456789"
# address -> (WGS-84 lat, lon, Baidu level, precise); served in BD-09 like the real API
KNOWN = {
    "北京市朝阳区酒仙桥路10号": (39.9706, 116.4930, "门址", 1),
    "上海市浦东新区张江路": (31.2053, 121.5868, "道路", 0),
    "成都市武侯区": (30.6420, 104.0430, "区县", 0),
}


def gcj02_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    """Baidu's published forward offset (GCJ-02 -> BD-09), as the real service applies it."""
    pi = math.pi * 3000.0 / 180.0
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * pi)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * pi)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def as_bd09(lat: float, lon: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lon))


class BaiduStandIn(StandIn):
    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        BaiduStandIn.seen.append({"path": url.path, **query})
        if url.path != "/geocoding/v3/":
            return self.send_json({"status": 2, "message": "bad path"})
        if query.get("ak") != KEY:
            return self.send_json({"status": 101, "message": "AK参数不存在"})
        known = KNOWN.get(query.get("address", ""))
        if known is None:
            return self.send_json({"status": 1, "msg": "Internal Service Error:无相关结果"})
        lat, lon, level, precise = known
        bd_lat, bd_lon = as_bd09(lat, lon)
        result = {
            "location": {"lng": bd_lon, "lat": bd_lat},
            "precise": precise,
            "confidence": 80,
            "comprehension": 100,
            "level": level,
        }
        self.send_json({"status": 0, "result": result})


@pytest.fixture(scope="module")
def stand_in() -> Iterator[str]:
    with serving(BaiduStandIn) as address:
        yield address


def baidu(domain: str, key: str = KEY) -> GeocoderChain:
    chain = make_geocoder("baidu", api_key=key, domain=domain, scheme="http", timeout=2)
    assert isinstance(chain, GeocoderChain)
    return chain


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    import numpy as np

    return float(sphere_km(a[0], a[1], np.array([b[0]]), np.array([b[1]]))[0]) * 1000


def test_street_address_comes_back_in_wgs84_at_street_level_with_the_key_sent(
    stand_in: str,
) -> None:
    place = resolve_place("上海市浦东新区张江路", baidu(stand_in))
    assert place.precision is Precision.STREET
    assert place.source == "baidu"
    assert place.uncertainty_km < 1
    assert metres(place.point, KNOWN["上海市浦东新区张江路"][:2]) < 1.0  # BD-09 undone
    assert BaiduStandIn.seen[-1]["ak"] == KEY
    assert place.timezone == "Asia/Shanghai"


def test_exact_door_number_hit_is_exact_and_a_district_answer_is_district_level(
    stand_in: str,
) -> None:
    door = resolve_place("北京市朝阳区酒仙桥路10号", baidu(stand_in))
    district = resolve_place("成都市武侯区", baidu(stand_in))
    assert door.precision is Precision.EXACT and door.uncertainty_km == 0
    assert district.precision is Precision.DISTRICT
    assert 1 <= district.uncertainty_km <= 5


def test_unknown_address_falls_back_to_the_offline_gazetteer_at_city_level(
    stand_in: str,
) -> None:
    place = resolve_place("广东省广州市天河区某某路1号", baidu(stand_in))
    assert place.source == "gazetteer"
    assert place.precision is Precision.CITY
    assert place.city == "Guangzhou"
    assert place.uncertainty_km >= 10


def test_wrong_key_or_unreachable_service_still_answers_from_the_gazetteer(stand_in: str) -> None:
    wrong_key = resolve_place("上海市浦东新区张江路", baidu(stand_in, key="wrong"))
    assert wrong_key.source == "gazetteer" and wrong_key.precision is Precision.CITY
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{s.getsockname()[1]}"
    down = resolve_place("上海市浦东新区张江路", baidu(closed))
    assert down.source == "gazetteer" and down.city == "Shanghai"


def test_baidu_coordinates_are_converted_to_wgs84_within_a_metre() -> None:
    for lat, lon, *_ in KNOWN.values():
        bd = as_bd09(lat, lon)
        assert metres(bd, (lat, lon)) > 300  # BD-09 is visibly off in China
        assert metres(bd09_to_wgs84(*bd), (lat, lon)) < 1.0
    # the worked example of the published transforms (lon 116.404, lat 39.915):
    # BD-09 -> GCJ-02 gives 116.397627, 39.908657; WGS-84 -> GCJ-02 gives 116.410244, 39.916404
    assert metres(bd09_to_gcj02(39.915, 116.404), (39.908657, 116.397627)) < 0.5
    assert metres(wgs84_to_gcj02(39.915, 116.404), (39.916404, 116.410244)) < 0.5


def test_baidu_needs_a_key_and_is_chosen_by_name() -> None:
    with pytest.raises(ValueError, match="api_key"):
        make_geocoder("baidu")
    chain = make_geocoder("baidu", api_key=KEY)
    assert isinstance(chain, GeocoderChain) and isinstance(chain.geocoders[0], BaiduGeocoder)
    assert chain.geocoders[0].api == "https://api.map.baidu.com/geocoding/v3/"


def test_app_configured_with_a_baidu_key_places_a_new_site_at_street_level(
    stand_in: str, tmp_path
) -> None:
    from app import create_app
    from app.geo import locate

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'geo.db'}",
            "TESTING": True,
            "SECRET_KEY": "test",
            "GEOCODER": "baidu",
            "BAIDU_MAP_AK": KEY,
            "BAIDU_MAP_DOMAIN": stand_in,
            "BAIDU_MAP_SCHEME": "http",
        }
    )
    with app.app_context():
        data = {"address": "上海市浦东新区张江路"}
        locate(data)
        entered = {"address": "x", "lat": 31.2, "lon": 121.5, "precision": "street"}
        locate(entered)
    assert data["precision"] == "street" and data["city"] == "Shanghai"
    assert metres((data["lat"], data["lon"]), KNOWN["上海市浦东新区张江路"][:2]) < 1.0
    assert entered["precision"] == "street" and (entered["lat"], entered["lon"]) == (31.2, 121.5)
