"""The RTV API as the warehouse and an admin use it: warranty terms set, a claim opened on
faulty units (each line in or out of warranty and why), shipped, received by outcome,
credited, then the ageing and the per-vendor report (JSON and CSV); bad input answered
problem+json naming the field, a conflict 409."""

from __future__ import annotations

from inventory.receiving import receive_from_supplier
from inventory.verify import verify_ledger
from models import Part
from tests.builders import bearer, make_depot, make_part, make_user

PROBLEM = "application/problem+json"


def _setup(db):
    make_depot(db, "BJ01")
    part = make_part(db, "SRV-PSU")
    part.vendor = "Huawei"
    db.commit()
    for serial in ("F1", "F2"):
        receive_from_supplier(db, depot_code="BJ01", part_number="SRV-PSU", serial=serial,
                              actor="wh", condition="faulty")  # fmt: skip
    roles = {role: bearer(make_user(db, role, f"{role}.x")[1]) for role in ("admin", "warehouse")}
    db.rollback()
    return roles


def test_a_claim_through_the_api(client, db):
    h = _setup(db)
    term = client.post("/api/warranty-terms", headers=h["admin"],
                       json={"vendor": "Huawei", "part_number": "SRV-PSU", "months": 12,
                             "basis": "purchase"})  # fmt: skip
    assert term.status_code == 200, term.json
    denied = client.post("/api/warranty-terms", headers=h["warehouse"],
                         json={"vendor": "Huawei", "months": 12, "basis": "purchase"})  # fmt: skip
    assert denied.status_code == 403
    claim = {
        "headers": {**h["warehouse"], "Idempotency-Key": "rtv-1"},
        "json": {"vendor": "Huawei", "vendor_rma": "HW-1", "failure": "no output",
                 "depot": "BJ01", "serials": ["F1", "F2"]},
    }  # fmt: skip
    made = client.post("/api/rtvs", **claim)
    assert made.status_code == 201, made.json
    rtv = made.json
    assert [ln["warranty"] for ln in rtv["lines"]] == ["in", "in"]
    assert rtv["claim_amount"] == "200.00" and rtv["status"] == "open"
    again = client.post("/api/rtvs", **claim)  # the same request, sent again
    assert again.json["number"] == rtv["number"]  # a retry answers the same claim
    number = rtv["number"]
    shipped = client.post(f"/api/rtvs/{number}/ship", json={"waybill": "SF1"},
                          headers=h["warehouse"])  # fmt: skip
    assert shipped.status_code == 200 and shipped.json["status"] == "shipped"
    back = client.post(
        f"/api/rtvs/{number}/receive",
        headers=h["warehouse"],
        json={"outcomes": {"F1": {"outcome": "repaired"},
                           "F2": {"outcome": "replaced", "replacement_serial": "N-2"}}},
    )  # fmt: skip
    assert back.status_code == 200 and back.json["status"] == "received", back.json
    twice = client.post(f"/api/rtvs/{number}/receive", headers=h["warehouse"],
                        json={"outcomes": {"F1": {"outcome": "repaired"}}})  # fmt: skip
    assert twice.status_code == 409 and twice.content_type == PROBLEM
    credited = client.post(f"/api/rtvs/{number}/credit", headers=h["warehouse"],
                           json={"credit_amount": "180.00", "credit_note": "CN-1"})  # fmt: skip
    assert credited.status_code == 200
    assert credited.json["status"] == "credited"
    assert credited.json["cost_not_recovered"] == "20.00"
    report = client.get("/api/rtvs/vendor-report", headers=h["warehouse"]).json
    assert report[0]["recovery_rate"] == 0.9 and report[0]["repair_yield"] == 1.0
    csv = client.get("/api/rtvs/vendor-report?format=csv", headers=h["warehouse"])
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.data.decode().splitlines()[1].startswith("Huawei,1,2,2,")
    assert client.get("/api/rtvs/ageing", headers=h["warehouse"]).json == []
    assert client.get(f"/api/rtvs/{number}", headers=h["warehouse"]).json["credit_note"] == "CN-1"
    assert verify_ledger(db) == []


def test_bad_input_is_a_problem_naming_the_field(client, db):
    h = _setup(db)
    cases = [
        (
            "/api/rtvs",
            {"vendor": "Huawei", "vendor_rma": "X", "failure": "f", "depot": "BJ01", "serials": []},
            "serials",
        ),  # fmt: skip
        (
            "/api/rtvs",
            {"vendor": "Huawei", "vendor_rma": "X", "failure": "f", "serials": ["F1"]},
            "depot",
        ),  # fmt: skip
        (
            "/api/rtvs",
            {"vendor": " ", "vendor_rma": "X", "failure": "f", "depot": "BJ01", "serials": ["F1"]},
            "vendor",
        ),  # fmt: skip
        (
            "/api/rtvs",
            {
                "vendor": "Huawei",
                "vendor_rma": "X",
                "failure": "f",
                "depot": "BJ01",
                "serials": ["NOPE"],
            },
            "serials.0",
        ),  # fmt: skip
        ("/api/warranty-terms", {"vendor": "Huawei", "months": 0, "basis": "purchase"}, "months"),
        ("/api/warranty-terms", {"vendor": "Huawei", "months": 12, "basis": "sale"}, "basis"),
    ]
    for path, body, field in cases:
        got = client.post(path, json=body, headers=h["admin"])
        assert got.status_code in (404, 422), (path, body, got.json)
        assert got.content_type == PROBLEM
        assert field in str(got.json), (field, got.json)
    made = client.post("/api/rtvs", headers=h["warehouse"],
                       json={"vendor": "Huawei", "vendor_rma": "X", "failure": "f",
                             "depot": "BJ01", "serials": ["F1"]}).json  # fmt: skip
    n = made["number"]
    for body, field in [
        ({"outcomes": {"F1": {"outcome": "fixed"}}}, "outcome"),
        ({"outcomes": {}}, "outcomes"),
    ]:
        got = client.post(f"/api/rtvs/{n}/receive", json=body, headers=h["warehouse"])
        assert got.status_code == 422 and field in str(got.json), got.json
    early = client.post(f"/api/rtvs/{n}/receive", headers=h["warehouse"],
                        json={"outcomes": {"F1": {"outcome": "repaired"}}})  # fmt: skip
    assert early.status_code == 409 and early.content_type == PROBLEM
    money = client.post(f"/api/rtvs/{n}/credit", json={"credit_amount": "1.005"},
                        headers=h["warehouse"])  # fmt: skip
    assert money.status_code == 422 and "credit_amount" in str(money.json)
    dup = client.post("/api/rtvs", headers=h["warehouse"],
                      json={"vendor": "huawei", "vendor_rma": "X", "failure": "f",
                            "depot": "BJ01", "serials": ["F2"]})  # fmt: skip
    assert dup.status_code == 409 and "vendor_rma" in str(dup.json)
    assert client.get("/api/rtvs/RTV-2099-000001", headers=h["warehouse"]).status_code == 404
    assert db.get(Part, 1) is not None
