"""The maps' base layer is configuration: a tile source when one is set (its images allowed
by the pages' Content-Security-Policy), else the bundled outline of China's provinces."""

from __future__ import annotations

import json
from pathlib import Path

from app import create_app
from app.web import maps

OUTLINE = Path(__file__).resolve().parents[2] / "app" / "static" / "geo" / "china-provinces.geojson"


def _app(tmp_path, **config):
    return create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'maps.db'}",
            "TESTING": True,
            "SECRET_KEY": "test",
            **config,
        }
    )


def test_a_configured_tile_source_is_the_base_layer_and_the_pages_may_load_its_tiles(tmp_path):
    app = _app(
        tmp_path,
        MAP_TILE_URL="https://{s}.tiles.example.cn/{z}/{x}/{y}.png",
        MAP_TILE_ATTRIBUTION="© Example tiles",
    )
    with app.test_request_context():
        assert maps.base_layer() == {
            "tiles": "https://{s}.tiles.example.cn/{z}/{x}/{y}.png",
            "attribution": "© Example tiles",
        }
    csp = app.test_client().get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.cn;" in csp


def test_without_a_tile_source_the_map_is_the_bundled_outline_and_loads_nothing_else(tmp_path):
    app = _app(tmp_path, MAP_TILE_URL="")
    with app.test_request_context():
        assert maps.base_layer() == {"outline": "geo/china-provinces.geojson"}
    csp = app.test_client().get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in csp
    leaflet = app.test_client().get("/static/vendor/leaflet/leaflet.js")
    assert leaflet.status_code == 200 and b"Leaflet" in leaflet.data[:2000]


def test_bundled_outline_has_every_province_and_the_south_china_sea_islands():
    outline = json.loads(OUTLINE.read_text())
    provinces = [f for f in outline["features"] if "adcode" in f["properties"]]
    assert len(provinces) == 34  # 23 provinces, 5 autonomous regions, 4 municipalities, 2 SARs
    hainan = next(f for f in provinces if f["properties"]["adcode"] == "460000")
    lats = [pt[1] for poly in hainan["geometry"]["coordinates"] for ring in poly for pt in ring]
    assert min(lats) < 4.5  # Zengmu Ansha
    assert any(f["properties"].get("kind") == "maritime" for f in outline["features"])
