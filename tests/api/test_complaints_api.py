"""The complaints API as a customer and a dispatcher use it: departments, a complaint filed
by the customer (channel web, now, their own), answered, supervised, resolved and closed
with the customer's opinion; the customer never reads the supervision log nor another
customer's complaint; bad input answered problem+json naming the field."""

from __future__ import annotations

from tests.builders import bearer, make_user
from tests.service_builders import make_customer

PROBLEM = "application/problem+json"


def _setup(db):
    make_customer(db, "C001")
    make_customer(db, "C002")
    h = {role: bearer(make_user(db, role, f"{role}.x")[1]) for role in ("admin", "dispatcher")}
    for code in ("C001", "C002"):
        h[code] = bearer(make_user(db, "customer", f"cust.{code}", customer=code)[1])
    return h


def test_a_complaint_through_the_api(client, db):
    h = _setup(db)
    dept = client.post("/api/departments", headers=h["admin"], json={
        "code": "SVC", "name": "客户服务部", "head_name": "周敏", "head_email": "z@example.com"})  # fmt: skip
    assert dept.status_code == 201, dept.json
    assert client.post("/api/departments", headers=h["dispatcher"], json={
        "code": "X", "name": "x", "head_name": "x"}).status_code == 403  # fmt: skip
    assert [d["code"] for d in client.get("/api/departments", headers=h["dispatcher"]).json] == [
        "SVC"
    ]
    filed = client.post("/api/complaints", headers=h["C001"], json={
        "kind": "complaint", "urgency": "very_urgent", "subject": "备件迟到",
        "description": "承诺次日到货，三天未到。", "channel": "phone", "customer": "C002",
        "received_at": "2020-01-01T00:00:00Z"})  # fmt: skip
    assert filed.status_code == 201, filed.json
    c = filed.json
    # a customer files for themselves, on the web, now: what staff alone may say is ignored
    assert (c["customer"], c["channel"], c["status"]) == ("C001", "web", "received")
    assert [k["clock"] for k in c["clocks"]] == ["complaint_response", "complaint_resolution"]
    number = c["number"]
    assert client.get(f"/api/complaints/{number}", headers=h["C002"]).status_code == 404
    assert [x["number"] for x in client.get("/api/complaints", headers=h["C002"]).json] == []

    bad = client.post(f"/api/complaints/{number}/respond", headers=h["dispatcher"],
                      json={"department": "NOPE", "planned_measures": "x"})  # fmt: skip
    assert bad.status_code == 422 and bad.mimetype == PROBLEM
    assert "department" in bad.json["errors"]
    ok = client.post(f"/api/complaints/{number}/respond", headers=h["dispatcher"], json={
        "department": "SVC", "planned_measures": "加急调拨", "expected_resolution_date": "2026-12-31"})  # fmt: skip
    assert ok.status_code == 200 and ok.json["department_head"] == "周敏"
    assert ok.json["clocks"][0]["verdict"] == "met"
    client.post(f"/api/complaints/{number}/supervision", headers=h["dispatcher"],
                json={"text": "已催物流"})  # fmt: skip
    early = client.post(f"/api/complaints/{number}/opinion", headers=h["C001"],
                        json={"opinion": "好", "satisfaction": 5})  # fmt: skip
    assert early.status_code == 409 and early.mimetype == PROBLEM
    client.post(f"/api/complaints/{number}/resolve", headers=h["dispatcher"],
                json={"resolution": "已送达"})  # fmt: skip
    wrong = client.post(f"/api/complaints/{number}/opinion", headers=h["C001"],
                        json={"satisfaction": 7})  # fmt: skip
    assert wrong.status_code == 422 and "satisfaction" in wrong.json["errors"]
    closed = client.post(f"/api/complaints/{number}/opinion", headers=h["C001"],
                         json={"opinion": "满意", "satisfaction": 4})  # fmt: skip
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    theirs = client.get(f"/api/complaints/{number}/log", headers=h["C001"]).json
    staff = client.get(f"/api/complaints/{number}/log", headers=h["dispatcher"]).json
    assert [e["kind"] for e in theirs] == ["received", "responded", "resolved", "closed"]
    assert "supervision" in [e["kind"] for e in staff]


def test_staff_record_a_phone_complaint_for_a_customer(client, db):
    h = _setup(db)
    made = client.post("/api/complaints", headers=h["dispatcher"], json={
        "kind": "request", "urgency": "normal", "subject": "培训", "description": "希望安排培训",
        "channel": "phone", "customer": "C002", "received_at": "2026-11-02T02:00:00Z"})  # fmt: skip
    assert made.status_code == 201, made.json
    assert made.json["customer"] == "C002" and made.json["channel"] == "phone"
    assert made.json["response_due"].startswith("2026-11-03T02:00:00")
    missing = client.post("/api/complaints", headers=h["dispatcher"], json={
        "kind": "request", "urgency": "normal", "subject": "x", "description": "y"})  # fmt: skip
    assert missing.status_code == 422 and "customer" in missing.json["errors"]


def test_an_admin_sets_a_contracts_complaint_hours_and_new_complaints_follow_them(client, db):
    h = _setup(db)
    changed = client.patch("/api/contracts/K-C001", headers=h["admin"],
                           json={"complaint_hours": {"response": {"urgent": 2},
                                                     "resolution": {"urgent": 8}}})  # fmt: skip
    assert changed.status_code == 200, changed.json
    assert changed.json["complaint_hours"] == {
        "response": {"urgent": 2},
        "resolution": {"urgent": 8},
    }
    zero = client.patch("/api/contracts/K-C001", headers=h["admin"],
                        json={"complaint_hours": {"response": {"normal": 0}}})  # fmt: skip
    assert zero.status_code == 422
    assert list(zero.json["errors"]) == ["complaint_hours.response.value.normal.value"]
    made = client.post("/api/complaints", headers=h["dispatcher"], json={
        "kind": "complaint", "urgency": "urgent", "subject": "x", "description": "y",
        "channel": "phone", "customer": "C001", "received_at": "2026-11-02T02:00:00Z"})  # fmt: skip
    assert made.json["response_due"].startswith("2026-11-02T04:00:00")
    assert made.json["resolution_due"].startswith("2026-11-02T10:00:00")


def test_a_complaints_trail_is_in_the_audit(client, db):
    h = _setup(db)
    client.post("/api/departments", headers=h["admin"],
                json={"code": "SVC", "name": "客户服务部", "head_name": "周敏"})  # fmt: skip
    made = client.post("/api/complaints", headers=h["C001"], json={
        "kind": "request", "urgency": "normal", "subject": "培训", "description": "安排培训"})  # fmt: skip
    number = made.json["number"]
    client.post(f"/api/complaints/{number}/supervision", headers=h["dispatcher"],
                json={"text": "已联系"})  # fmt: skip
    trail = client.get("/api/audit", query_string={"subject_type": "complaint",
                                                   "subject_ref": number}, headers=h["admin"])  # fmt: skip
    assert trail.status_code == 200, trail.json
    kinds = [e["kind"] for e in trail.json["items"]]
    assert sorted(kinds) == ["received", "supervision"]
    dept = client.get("/api/audit", query_string={"subject_type": "department", "subject_ref": "SVC"},
                      headers=h["admin"])  # fmt: skip
    assert [e["kind"] for e in dept.json["items"]] == ["created"]
