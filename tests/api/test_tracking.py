"""Customer tracking by code: what the holder of a code sees, and what nobody learns from it."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pytest

from app.formatting import format_deadline
from tests.builders import bearer, make_user
from tests.service_builders import make_customer, make_world


@pytest.fixture
def tracked(client, db):
    """An advance replacement for customer C001, shipped, with internal notes on it, and an
    RMA of another customer (C002) beside it."""
    w = make_world(db)
    dispatcher = bearer(make_user(db, "dispatcher", "zhao.disp")[1])
    warehouse = bearer(make_user(db, "warehouse", "qian.wh")[1])
    _c2, other_site, _k2 = make_customer(db, "C002", city="Shanghai", lat=31.23, lon=121.47)
    db.rollback()
    ticket = client.post(
        "/api/tickets",
        headers=dispatcher,
        json={
            "site": w.site,
            "severity": "P2",
            "symptom": "disk array degraded",
            "equipment_serial": w.equipment_serial,
            "contact_name": "Han Mei",
            "contact_phone": "13800000000",
        },
    ).json
    confirmed = client.post(
        f"/api/tickets/{ticket['number']}/dispatch",
        headers=dispatcher,
        json={"engineer": w.engineer, "depot": w.depot},
    ).json
    client.post(
        f"/api/rmas/{confirmed['rma_number']}/ship",
        headers=warehouse,
        json={
            "carrier": "SF Express",
            "waybill": "SF100200",
            "note": "INTERNAL: customer owes money",
        },
    )
    other = client.post(
        "/api/rmas",
        headers=dispatcher,
        json={
            "kind": "return_for_repair",
            "site": other_site,
            "faulty_part_number": w.part,
            "faulty_serial": "OTHER-SN-9",
            "fault_symptom": "OTHER CUSTOMER SYMPTOM",
            "internal_note": "INTERNAL: other note",
        },
    ).json
    return confirmed["tracking_code"], other["tracking_code"]


def test_the_tracking_page_shows_progress_promise_and_the_engineers_given_name(client, tracked):
    code, _ = tracked
    r = client.get(f"/api/track/{code}")
    assert r.status_code == 200, r.json
    body = r.json
    assert body["status"] == "shipped" and body["replacement"]["step"] == "shipped"
    assert body["replacement"]["waybill"] == "SF100200" and body["replacement"]["delivery_due"]
    assert body["promised_onsite_at"]
    assert [e["event"] for e in body["timeline"]] == ["opened", "approve", "allocate", "ship"]
    assert body["engineer_first_name"] == "伟" and body["engineer_title"] == "王工"
    assert body["return_due_at"] is None and body["overdue"] is False


def test_the_tracking_page_says_the_promise_is_the_engineers_arrival_on_site(client, tracked):
    code, _ = tracked
    promised = client.get(f"/api/track/{code}").json["promised_onsite_at"]

    page = client.get(f"/track/{code}").get_data(as_text=True)

    assert '<dt>承诺到场时间</dt><dd id="promised"><time datetime=' in page
    assert format_deadline(datetime.fromisoformat(promised), "Asia/Shanghai", "zh") in page
    assert "服务工程师最晚到达您现场的时间" in page
    assert '<dd id="engineer">王工</dd>' in page


def test_tracking_shows_no_staff_names_notes_or_other_customers(client, tracked):
    code, other_code = tracked
    text = json.dumps(client.get(f"/api/track/{code}").json, ensure_ascii=False)
    for secret in (
        "王伟",
        "zhao.disp",
        "qian.wh",
        "INTERNAL",
        "OTHER",
        "C002",
        "Han Mei",
        "13800000000",
        other_code,
        "Shanghai",
    ):
        assert secret not in text, secret
    other_text = json.dumps(client.get(f"/api/track/{other_code}").json, ensure_ascii=False)
    assert "INTERNAL" not in other_text and code not in other_text and "EQ-0001" not in other_text


@pytest.mark.parametrize("code", ["x", "a" * 22, "../../etc/passwd", "%00" * 8, "A" * 200])
def test_unknown_and_malformed_codes_answer_the_same_404(client, tracked, code):
    r = client.get(f"/api/track/{code}")
    reference = client.get("/api/track/" + "b" * 22)
    assert r.status_code == reference.status_code == 404
    assert r.json == reference.json


def test_tracking_is_rate_limited_per_address(app, client, tracked):
    app.config["TRACKING_RATE_LIMIT"] = "3 per minute"
    code, _ = tracked
    statuses = [client.get(f"/api/track/{code}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_a_change_shows_on_tracking_once_the_kept_answer_expires(app, client, db, tracked):
    code, _ = tracked
    app.config["TRACKING_CACHE_SECONDS"] = 0.3
    warehouse = bearer(make_user(db, "warehouse", "sun.wh")[1])
    db.rollback()
    assert client.get(f"/api/track/{code}").json["status"] == "shipped"
    rma = client.get(f"/api/track/{code}").json["number"]
    assert client.post(f"/api/rmas/{rma}/deliver", headers=warehouse, json={}).status_code == 200
    time.sleep(0.35)
    body = client.get(f"/api/track/{code}").json
    assert body["status"] == "delivered" and body["timeline"][-1]["event"] == "deliver"
