"""The working calendar's exceptions through the API (admin changes, staff read)."""

from __future__ import annotations

import pytest

from tests.builders import bearer, make_user


@pytest.fixture
def admin(db):
    _u, token = make_user(db, "admin")
    return bearer(token)


def test_a_company_holiday_is_added_listed_refused_twice_and_removed(client, admin, db):
    body = {"day": "2027-05-06", "name": "公司年会"}
    created = client.post("/api/calendar/exceptions", headers=admin, json=body)
    assert created.status_code == 201, created.json
    assert created.json["country"] == "CN" and created.json["working"] is False
    again = client.post("/api/calendar/exceptions", headers=admin, json=body)
    assert again.status_code == 409 and "day" in str(again.json)
    listed = client.get("/api/calendar/exceptions?year=2027", headers=admin).json
    assert [d["day"] for d in listed["items"]] == ["2027-05-06"] and listed["total"] == 1
    assert client.get("/api/calendar/exceptions?year=2026", headers=admin).json["total"] == 0
    gone = client.delete(f"/api/calendar/exceptions/{created.json['id']}", headers=admin)
    assert gone.status_code == 204
    assert (
        client.delete(f"/api/calendar/exceptions/{created.json['id']}", headers=admin).status_code
        == 404
    )
    trail = client.get("/api/audit?subject_type=calendar&subject_ref=CN", headers=admin)
    assert [e["kind"] for e in trail.json["items"]] == ["day_removed", "day_added"], trail.json


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"day": "2027-02-30", "name": "x"}, "day"),
        ({"day": "2027-02-03"}, "name"),
        ({"day": "2027-02-03", "name": "x", "country": "XX"}, "country"),
        ({"day": "2027-02-03", "name": "x", "working": "yes"}, "working"),
    ],
)
def test_a_bad_day_is_refused_naming_the_field(client, admin, body, field):
    response = client.post("/api/calendar/exceptions", headers=admin, json=body)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in str(response.json)


def test_a_webhook_endpoint_through_the_api_secret_once_then_its_log(client, admin):
    created = client.post(
        "/api/webhooks", headers=admin, json={"name": "erp", "url": "https://erp.example/hook"}
    )
    assert created.status_code == 201, created.json
    assert len(created.json["new_secret"]) >= 32 and "secret" not in created.json
    assert created.json["secret_hint"] == "…" + created.json["new_secret"][-4:]
    again = client.post(
        "/api/webhooks", headers=admin, json={"name": "erp", "url": "https://erp.example/2"}
    )
    assert again.status_code == 409
    shown = client.get("/api/webhooks/erp", headers=admin).json
    assert "new_secret" not in shown and shown["active"] is True
    ping = client.post("/api/webhooks/erp/ping", headers=admin)
    assert ping.status_code == 202 and ping.json["status"] == "pending"
    log = client.get("/api/webhooks/erp/deliveries", headers=admin).json
    assert log["total"] == 1 and log["items"][0]["dedupe_key"].startswith("ping:")
    changed = client.patch(
        "/api/webhooks/erp", headers=admin, json={"active": False, "rotate_secret": True}
    )
    assert changed.status_code == 200 and changed.json["active"] is False
    assert changed.json["new_secret"] != created.json["new_secret"]
    assert client.get("/api/webhooks/nope", headers=admin).status_code == 404
    bad = client.patch("/api/webhooks/erp", headers=admin, json={"url": "javascript:alert(1)"})
    assert bad.status_code == 422 and "url" in str(bad.json)
