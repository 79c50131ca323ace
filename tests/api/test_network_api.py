"""Changing customers, sites and depots through the API: the same rules as the pages."""

from __future__ import annotations

import pytest

from tests.builders import bearer, make_depot, make_part, make_user


@pytest.fixture
def admin(db):
    _u, token = make_user(db, "admin")
    return bearer(token)


def test_a_customer_and_a_site_are_changed_and_a_new_address_is_geocoded(client, admin):
    assert (
        client.post("/api/customers", headers=admin, json={"code": "K1", "name": "甲"}).status_code
        == 201
    )
    site = {"code": "K1-S1", "customer_code": "K1", "name": "机房", "address": "四川省成都市武侯区"}
    assert client.post("/api/sites", headers=admin, json=site).status_code == 201
    changed = client.patch(
        "/api/customers/K1", headers=admin, json={"phone": "010-1", "email": "a@b.cn"}
    )
    assert changed.status_code == 200 and changed.json["phone"] == "010-1"
    cleared = client.patch("/api/customers/K1", headers=admin, json={"email": None})
    assert cleared.json["email"] is None and cleared.json["phone"] == "010-1"
    assert client.patch("/api/customers/K1", headers=admin, json={"name": ""}).status_code == 422
    assert client.patch("/api/customers/K1", headers=admin, json={"code": "K2"}).status_code == 422
    assert client.patch("/api/customers/NOPE", headers=admin, json={}).status_code == 404

    moved = client.patch("/api/sites/K1-S1", headers=admin, json={"address": "陕西省西安市雁塔区"})
    assert moved.status_code == 200, moved.json
    assert moved.json["city"].startswith("Xi") and abs(moved.json["lat"] - 34.2) < 0.4
    one = client.patch("/api/sites/K1-S1", headers=admin, json={"lat": 30.0})
    assert one.status_code == 422 and "lon" in str(one.json)


def test_a_depot_is_renamed_and_deactivated_only_without_stock(client, admin, db):
    make_depot(db, "SH77")
    renamed = client.patch("/api/depots/SH77", headers=admin, json={"name": "空库"})
    assert renamed.status_code == 200 and renamed.json["name"] == "空库"
    off = client.patch("/api/depots/SH77", headers=admin, json={"active": False})
    assert off.status_code == 200 and off.json["active"] is False
    assert "SH77" not in {d["code"] for d in client.get("/api/depots", headers=admin).json["items"]}
    assert client.patch("/api/depots/NOPE", headers=admin, json={}).status_code == 404


def test_a_depot_with_stock_on_its_shelves_is_not_deactivated(client, admin, db):
    from inventory.receiving import receive_from_supplier

    make_depot(db, "BJ77")
    make_part(db, "PN-FULL")
    for serial in ("S-1", "S-2"):
        receive_from_supplier(
            db, depot_code="BJ77", part_number="PN-FULL", serial=serial, actor="wh"
        )
    refused = client.patch("/api/depots/BJ77", headers=admin, json={"active": False})
    assert refused.status_code == 409
    assert "2 units" in refused.json["detail"] and refused.json["units"] == 2


@pytest.mark.parametrize("given, missing", [({"lat": 30.6}, "lon"), ({"lon": 104.1}, "lat")])
def test_a_site_or_a_depot_takes_both_coordinates_or_neither(client, admin, db, given, missing):
    make_depot(db, "SH77")
    client.post("/api/customers", headers=admin, json={"code": "K1", "name": "甲"})
    site = {"code": "K1-S1", "customer_code": "K1", "name": "机房", "address": "四川省成都市武侯区"}
    depot = {"code": "CD77", "name": "成都库", "address": "四川省成都市武侯区"}
    for method, path, body in (
        ("post", "/api/sites", site | given),
        ("post", "/api/depots", depot | given),
        ("patch", "/api/depots/SH77", given),
    ):
        refused = getattr(client, method)(path, headers=admin, json=body)
        assert refused.status_code == 422, path
        assert refused.json["errors"] == {missing: ["give both lat and lon, or neither"]}, path
    assert client.get("/api/sites", headers=admin).json["items"] == []
    assert "CD77" not in {d["code"] for d in client.get("/api/depots", headers=admin).json["items"]}
