"""Depots and the part catalogue through the API (admin)."""

from __future__ import annotations

import pytest

from tests.builders import bearer, make_user


@pytest.fixture
def admin(db):
    _u, token = make_user(db, "admin")
    return bearer(token)


def test_a_depot_gets_its_city_coordinates_and_zone_from_a_chinese_address(client, admin):
    r = client.post(
        "/api/depots",
        headers=admin,
        json={
            "code": "CD02",
            "name": "成都二号库",
            "address": "四川省成都市武侯区人民南路四段27号",
        },
    )
    assert r.status_code == 201, r.json
    assert r.json["city"] == "Chengdu"
    assert abs(r.json["lat"] - 30.66) < 0.2 and abs(r.json["lon"] - 104.07) < 0.2
    assert r.json["timezone"] == "Asia/Shanghai"


def test_explicit_coordinates_override_the_geocoder(client, admin):
    r = client.post(
        "/api/depots",
        headers=admin,
        json={
            "code": "URC9",
            "name": "Urumqi airport store",
            "address": "Diwopu airport, Urumqi",
            "city": "Urumqi",
            "lat": 43.9071,
            "lon": 87.4742,
        },
    )
    assert r.status_code == 201, r.json
    assert (r.json["lat"], r.json["lon"]) == (43.9071, 87.4742)
    assert r.json["timezone"] == "Asia/Urumqi"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"code": "XX01", "name": "Nowhere", "address": "somewhere over the rainbow"}, "address"),
        ({"code": "XX01", "name": "Half", "address": "北京市", "lat": 39.9}, "lon"),
        ({"code": "xx 01", "name": "Bad code", "address": "北京市"}, "code"),
        ({"code": "XX01", "name": "N" * 121, "address": "北京市"}, "name"),
        ({"code": "XX01", "name": "Far", "address": "北京市", "lat": 95.0, "lon": 10.0}, "lat"),
    ],
)
def test_bad_depots_are_422_naming_the_field(client, admin, body, field):
    r = client.post("/api/depots", headers=admin, json=body)
    assert r.status_code == 422, r.json
    assert r.mimetype == "application/problem+json" and field in r.json["errors"]


def test_a_duplicate_depot_code_is_a_conflict(client, admin):
    body = {"code": "BJ09", "name": "北京九号库", "address": "北京市海淀区"}
    assert client.post("/api/depots", headers=admin, json=body).status_code == 201
    assert client.post("/api/depots", headers=admin, json=body).status_code == 409


def test_parts_are_created_listed_by_category_and_given_a_reorder_policy(client, admin):
    client.post(
        "/api/depots",
        headers=admin,
        json={"code": "SH05", "name": "上海五号库", "address": "上海市浦东新区"},
    )
    for pn, cat in (("SW-48", "network"), ("HDD-8T", "storage")):
        r = client.post(
            "/api/parts",
            headers=admin,
            json={
                "part_number": pn,
                "description": pn,
                "category": cat,
                "tracking": "serialized",
                "kind": "repairable",
                "unit_cost": "1200.50",
            },
        )
        assert r.status_code == 201, r.json
    listed = client.get("/api/parts?category=storage", headers=admin).json
    assert [p["part_number"] for p in listed["items"]] == ["HDD-8T"]
    policy = client.put(
        "/api/parts/HDD-8T/policies/SH05",
        headers=admin,
        json={"reorder_point": 4, "target_level": 10},
    )
    assert policy.status_code == 200
    bad = client.put(
        "/api/parts/HDD-8T/policies/SH05",
        headers=admin,
        json={"reorder_point": 5, "target_level": 2},
    )
    assert bad.status_code == 422 and "target_level" in bad.json["errors"]
    below = client.get("/api/stock/below-reorder?depot=SH05", headers=admin).json
    assert [(b["part_number"], b["suggested_qty"]) for b in below["items"]] == [("HDD-8T", 10)]
    assert (
        client.put(
            "/api/parts/HDD-8T/policies/NOPE",
            headers=admin,
            json={"reorder_point": 1, "target_level": 2},
        ).status_code
        == 404
    )
