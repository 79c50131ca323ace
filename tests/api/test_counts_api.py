"""The count document through the API: what a client sends and sees at each step."""

from __future__ import annotations

import pytest

from tests.builders import bearer, make_depot, make_part, make_user


@pytest.fixture
def clerks(client, db):
    make_depot(db, "BJ01")
    make_part(db, "SRV-PSU")
    make_part(db, "NET-SFP", tracking="counted", category="network", kind="consumable")
    _u, wang = make_user(db, "warehouse", "wang.wh")
    _u, li = make_user(db, "warehouse", "li.wh")
    wang, li = bearer(wang), bearer(li)
    for serial in ("P1", "P2", "P3"):
        body = {"depot": "BJ01", "part_number": "SRV-PSU", "serial": serial}
        assert client.post("/api/stock/receipts", json=body, headers=wang).status_code == 201
    body = {"depot": "BJ01", "part_number": "NET-SFP", "qty": 10}
    assert client.post("/api/stock/receipts", json=body, headers=wang).status_code == 201
    return wang, li


def test_a_count_is_started_counted_reviewed_approved_and_posted(client, clerks):
    wang, li = clerks
    started = client.post("/api/counts", json={"depot": "BJ01"}, headers=wang)
    assert started.status_code == 201, started.json
    number = started.json["number"]
    assert started.json["status"] == "counting" and len(started.json["lines"]) == 4
    assert started.json["limit_units"] == 2 and started.json["limit_value"] == "1000.00"

    one = client.post(
        f"/api/counts/{number}/lines", json={"serials": ["p1", "GHOST-1"]}, headers=wang
    )
    assert one.status_code == 200, one.json
    assert one.json["matched"] == 1
    assert one.json["findings"] == [{"serial": "GHOST-1", "finding": "unknown", "where": None}]
    two = client.post(
        f"/api/counts/{number}/lines",
        json={"serials": ["P2", "P3"], "quantities": [{"part_number": "NET-SFP", "qty": 4}]},
        headers=li,
    )
    assert two.json == {"matched": 2, "quantities": 1, "findings": []}

    review = client.post(f"/api/counts/{number}/submit", headers=wang)
    assert review.status_code == 200 and review.json["status"] == "review"
    sfp = next(line for line in review.json["lines"] if line["part_number"] == "NET-SFP")
    assert (sfp["variance"], sfp["variance_value"], sfp["counted_by"], sfp["needs_check"]) == (
        -6,
        "-600.00",
        "li.wh",
        True,
    )
    refused = client.post(f"/api/counts/{number}/post", json={}, headers=wang)
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json" and "approval" in refused.json["errors"]
    own = client.post(f"/api/counts/{number}/approve", headers=li)  # li counted a line
    assert own.status_code == 409 and "approved_by" in own.json["errors"]
    _u, boss = make_user(client.application.extensions["sparelog.db"].sessions(), "admin", "zhang")
    approved = client.post(f"/api/counts/{number}/approve", headers=bearer(boss))
    assert approved.status_code == 200 and approved.json["approved_by"] == "zhang"

    posted = client.post(f"/api/counts/{number}/post", json={}, headers=wang)
    assert posted.status_code == 200, posted.json
    assert posted.json["units_out"] == 6 and posted.json["findings"] == ["GHOST-1"]
    again = client.post(f"/api/counts/{number}/post", json={}, headers=wang)
    assert again.status_code == 409 and "status" in again.json["errors"]
    shown = client.get(f"/api/counts/{number}", headers=wang).json
    assert shown["status"] == "posted" and shown["posted_by"] == "wang.wh"
    assert client.get("/api/counts/CNT-NOPE", headers=wang).status_code == 404
    listed = client.get("/api/counts?status=posted", headers=wang).json
    assert [c["number"] for c in listed["items"]] == [number]


def test_the_one_shot_count_endpoint_keeps_its_contract(client, clerks):
    wang, _li = clerks
    body = {"depot": "BJ01", "part_number": "NET-SFP", "counted_qty": 9}
    done = client.post("/api/stock/counts", json=body, headers=wang)
    assert done.status_code == 200 and done.json["delta"] == -1


def test_bad_count_input_names_the_field(client, clerks):
    wang, _li = clerks
    unknown = client.post(
        "/api/counts", json={"depot": "BJ01", "part_numbers": ["NOPE"]}, headers=wang
    )
    assert unknown.status_code == 422 and "part_numbers.0" in unknown.json["errors"]
    number = client.post("/api/counts", json={"depot": "BJ01"}, headers=wang).json["number"]
    negative = client.post(
        f"/api/counts/{number}/lines",
        json={"quantities": [{"part_number": "NET-SFP", "qty": -1}]},
        headers=wang,
    )
    assert negative.status_code == 422 and "quantities.0.qty" in negative.json["errors"]
    early = client.post(f"/api/counts/{number}/submit", headers=wang)
    assert early.status_code == 422 and "quantities" in early.json["errors"]
    no_parts = client.post(f"/api/counts/{number}/recount", json={"part_numbers": []}, headers=wang)
    assert no_parts.status_code == 422 and "part_numbers" in no_parts.json["errors"]
