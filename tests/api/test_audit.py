"""The audit trail: every change shows up under its object with who did it and when, and
only an admin may read it."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from inventory import reservation
from tests.builders import bearer, make_user

DEPOT = {
    "address": "1 Main Rd, Beijing",
    "city": "Beijing",
    "lat": 39.9,
    "lon": 116.4,
    "timezone": "Asia/Shanghai",
}

PSU = {
    "part_number": "SRV-PSU",
    "description": "PSU",
    "category": "server",
    "tracking": "serialized",
    "kind": "repairable",
}


@pytest.fixture
def people(db):
    """Bearer headers of one user per role (usernames: admin1, wang.wh, li.disp, ...)."""
    out = {}
    for role, name in (
        ("admin", "admin1"),
        ("warehouse", "wang.wh"),
        ("dispatcher", "li.disp"),
        ("engineer", "zhang.eng"),
        ("customer", "cust1"),
    ):
        _user, token = make_user(db, role, name)
        out[role] = bearer(token)
    return out


def _ok(response, status=(200, 201, 202)):
    assert response.status_code in ((status,) if isinstance(status, int) else status), response.json
    return response.json


def _trail(client, admin, subject_type, ref, **extra):
    return _ok(
        client.get(
            "/api/audit",
            query_string={"subject_type": subject_type, "subject_ref": ref, **extra},
            headers=admin,
        )
    )


def _psu_and_depots(client, admin, *codes: str) -> None:
    """The serialized part SRV-PSU and the depots ``codes``, created by the admin."""
    _ok(client.post("/api/parts", headers=admin, json=PSU))
    for code in codes:
        _ok(client.post("/api/depots", headers=admin, json={"code": code, "name": code, **DEPOT}))


def _send_each(client, steps: list[tuple[str, str, dict[str, str], dict]]) -> None:
    """Send each (method, url, headers, JSON body) in turn; every one must succeed."""
    for method, url, headers, body in steps:
        _ok(client.open(url, method=method, headers=headers, json=body))


def _transfer_to_sh01(client, wh, serial: str) -> str:
    """The warehouse ships the SRV-PSU ``serial`` from BJ01 to SH01, and SH01 receives it:
    the transfer's number."""
    lines = [{"part_number": "SRV-PSU", "serial": serial}]
    body = {"from_depot": "BJ01", "to_depot": "SH01", "lines": lines}
    number = _ok(client.post("/api/transfers", headers=wh, json=body))["number"]
    _ok(client.post(f"/api/transfers/{number}/receive", headers=wh, json={}))
    return number


def _at(entry) -> datetime:
    at = datetime.fromisoformat(entry["at"])
    assert at.utcoffset() is not None and at.utcoffset().total_seconds() == 0, entry["at"]
    return at


def _arrange_everything(client, db, people) -> None:
    """One of each kind of change, made by the role that makes it in real life."""
    admin, wh, disp = people["admin"], people["warehouse"], people["dispatcher"]
    sfp = {
        "part_number": "NET-SFP",
        "description": "SFP",
        "category": "network",
        "tracking": "counted",
        "kind": "consumable",
    }
    site = {
        "code": "C1-S1",
        "customer_code": "C1",
        "name": "Machine room",
        "address": "8 Jianguo Rd, Beijing",
        "city": "Beijing",
        "lat": 39.91,
        "lon": 116.45,
    }
    equipment = {
        "site_code": "C1-S1",
        "part_number": "SRV-PSU",
        "serial": "EQ-1",
        "acceptance_date": "2025-03-01",
        "contract_code": "K-C1",
    }
    _send_each(client, [  # (method, url, who, body), in this order
        ("POST", "/api/parts", admin, {**PSU, "unit_cost": "1200.00"}),
        ("POST", "/api/parts", admin, sfp),
        ("POST", "/api/depots", admin, {"code": "BJ01", "name": "BJ01 depot", **DEPOT}),
        ("POST", "/api/depots", admin, {"code": "SH01", "name": "SH01 depot", **DEPOT}),
        ("PUT", "/api/parts/NET-SFP/policies/BJ01", wh, {"reorder_point": 5, "target_level": 20}),
        ("PUT", "/api/parts/NET-SFP/policies/BJ01", wh, {"reorder_point": 8, "target_level": 30}),
        ("POST", "/api/customers", disp, {"code": "C1", "name": "State Grid"}),
        ("POST", "/api/sites", disp, site),
        ("POST", "/api/contracts", admin,
         {"code": "K-C1", "customer_code": "C1", "coverage": "7x24"}),
        ("PATCH", "/api/contracts/K-C1", admin, {"coverage": "5x8", "return_window_days": 2}),
        ("POST", "/api/equipment", disp, equipment),
        ("POST", "/api/stock/receipts", wh,
         {"depot": "BJ01", "part_number": "SRV-PSU", "serial": "A1"}),
        ("POST", "/api/stock/receipts", wh, {"depot": "BJ01", "part_number": "NET-SFP", "qty": 20}),
    ])  # fmt: skip
    delivery = "depot,part_number,serial,qty\nBJ01,SRV-PSU,A2,\nBJ01,SRV-PSU,A3,\nBJ01,NET-SFP,,10\nBJ01,NOPE,X,\n"
    report = _ok(
        client.post(
            "/api/stock/receipts/import",
            query_string={"reference": "DN-1"},
            headers=wh,
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(delivery.encode()), "dn-1.csv")},
        )
    )
    assert report["accepted"] == 3
    _send_each(client, [
        ("POST", "/api/stock/adjustments", wh,
         {"depot": "BJ01", "part_number": "NET-SFP", "delta": -2, "reason": "crushed box"}),
        ("POST", "/api/stock/counts", wh,
         {"depot": "BJ01", "part_number": "NET-SFP", "counted_qty": 25}),
        ("POST", "/api/stock/scrap", wh, {"serial": "A3", "reason": "dropped"}),
    ])  # fmt: skip
    reservation.reserve(
        db,
        depot_code="BJ01",
        part_number="SRV-PSU",
        reference="RMA-X",
        serial="A2",
        actor="li.disp",
    )
    db.rollback()
    _transfer_to_sh01(client, wh, "A1")


def test_every_kind_of_change_is_listed_under_its_object_with_actor_and_time(client, db, people):
    started = datetime.now(UTC)
    _arrange_everything(client, db, people)
    ended = datetime.now(UTC)
    admin = people["admin"]
    transfer = _ok(client.get("/api/transfers", headers=people["warehouse"]))["items"][0]["number"]

    expected = {  # (subject_type, ref) -> kinds, oldest first, with their actors
        ("part", "SRV-PSU"): [("created", "admin1")],
        ("part", "NET-SFP"): [
            ("created", "admin1"),
            ("policy_set", "wang.wh"),
            ("policy_set", "wang.wh"),
            ("received", "wang.wh"),
            ("adjusted", "wang.wh"),
            ("counted", "wang.wh"),
        ],
        ("depot", "BJ01"): [("created", "admin1")],
        ("depot", "SH01"): [("created", "admin1")],
        ("customer", "C1"): [("created", "li.disp")],
        ("site", "C1-S1"): [("created", "li.disp")],
        ("contract", "K-C1"): [("created", "admin1"), ("updated", "admin1")],
        ("equipment", "EQ-1"): [("registered", "li.disp")],
        ("serial_item", "A2"): [("reserved", "li.disp")],
        ("serial_item", "A3"): [("scrapped", "wang.wh")],
        ("delivery", "DN-1"): [("imported", "wang.wh")],
        ("transfer", transfer): [("shipped", "wang.wh"), ("received", "wang.wh")],
    }
    for (subject_type, ref), kinds in expected.items():
        page = _trail(client, admin, subject_type, ref)
        events = [e for e in page["items"] if e["source"] == "event"]
        assert [(e["kind"], e["actor"]) for e in reversed(events)] == kinds, (
            subject_type,
            ref,
            page["items"],
        )
        assert all(started <= _at(e) <= ended for e in events), (subject_type, ref)
        assert (page["subject_type"], page["subject_ref"]) == (subject_type, ref)

    policy = _trail(client, admin, "part", "NET-SFP")["items"]
    latest_policy = next(e for e in policy if e["kind"] == "policy_set")
    assert latest_policy["data"]["before"] == {"reorder_point": 5, "target_level": 20}
    assert (latest_policy["data"]["reorder_point"], latest_policy["data"]["depot"]) == (8, "BJ01")
    count = next(e for e in policy if e["kind"] == "counted")
    assert (count["data"]["expected"], count["data"]["counted"], count["data"]["delta"]) == (
        28,
        25,
        -3,
    )
    contract = _trail(client, admin, "contract", "K-C1")["items"][0]
    assert contract["data"]["changes"] == {
        "coverage": {"from": "7x24", "to": "5x8"},
        "return_window_days": {"from": 1, "to": 2},
    }
    # a 4-row delivery file is one event with its counts, not one per row
    (delivery,) = _trail(client, admin, "delivery", "DN-1")["items"]
    assert (
        delivery["data"]["accepted"],
        delivery["data"]["units"],
        delivery["data"]["rejected_rows"],
    ) == (3, 12, 1)
    received = _trail(client, admin, "transfer", transfer)["items"][0]
    assert (received["from_state"], received["to_state"]) == ("shipped", "received")


def test_a_route_plan_request_is_an_event_of_its_job(client, db, people):
    from tests.builders import day_shift_engineer, make_depot, wait_for_job

    depot = make_depot(db, "BJ01")
    db.add(day_shift_engineer(depot, "E1", skills=["server"]))
    db.commit()
    body = {
        "date": "2026-11-23",
        "engineers": ["E1"],
        "time_limit_s": 0.5,
        "stops": [
            {"id": "visit", "lat": 39.99, "lon": 116.31, "service_minutes": 30, "skill": "server"}
        ],
    }
    job = _ok(client.post("/api/route-plans", json=body, headers=people["dispatcher"]), 202)
    assert wait_for_job(client, job["href"], people["dispatcher"])["status"] == "succeeded"
    trail = _trail(client, people["admin"], "job", job["id"])["items"]
    assert [(e["kind"], e["actor"], e["to_state"]) for e in reversed(trail)] == [
        ("queued", "li.disp", "queued"),
        ("started", "system", "running"),
        ("succeeded", "system", "succeeded"),
    ]


def test_a_serials_trail_interleaves_its_events_and_movements_newest_first(client, db, people):
    admin, wh = people["admin"], people["warehouse"]
    _psu_and_depots(client, admin, "BJ01", "SH01")
    _ok(
        client.post(
            "/api/stock/receipts",
            headers=wh,
            json={"depot": "BJ01", "part_number": "SRV-PSU", "serial": "S1", "reference": "PO-9"},
        )
    )
    number = _transfer_to_sh01(client, wh, "S1")
    held = reservation.reserve(
        db, depot_code="SH01", part_number="SRV-PSU", reference="RMA-7", actor="li.disp"
    )
    reservation.release_in_session(db, held, actor="li.disp")
    db.commit()
    _ok(client.post("/api/stock/scrap", headers=wh, json={"serial": "S1", "reason": "burnt"}))

    page = _trail(client, admin, "serial_item", "S1", page_size=50)
    oldest_first = list(reversed(page["items"]))
    assert [(e["source"], e["kind"], e["actor"]) for e in oldest_first] == [
        ("movement", "receipt", "wang.wh"),
        ("event", "received", "wang.wh"),
        ("movement", "transfer_out", "wang.wh"),
        ("movement", "transfer_in", "wang.wh"),
        ("event", "reserved", "li.disp"),
        ("event", "released", "li.disp"),
        ("movement", "scrap", "wang.wh"),
        ("event", "scrapped", "wang.wh"),
    ]
    times = [_at(e) for e in oldest_first]
    assert times == sorted(times)
    moves = [(e["from_state"], e["to_state"]) for e in oldest_first if e["source"] == "movement"]
    assert moves == [
        ("SUPPLIER", "BJ01"),
        ("BJ01", "IN-TRANSIT"),
        ("IN-TRANSIT", "SH01"),
        ("SH01", "SCRAP"),
    ]
    assert (
        oldest_first[0]["data"]["reference"] == "PO-9"
        and oldest_first[2]["data"]["reference"] == number
    )
    assert (oldest_first[4]["from_state"], oldest_first[4]["to_state"]) == ("in_stock", "reserved")

    first = _trail(client, admin, "serial_item", "S1", page_size=3)
    last = _trail(client, admin, "serial_item", "S1", page_size=3, page=3)
    assert first["total"] == last["total"] == 8
    assert first["items"] == page["items"][:3] and last["items"] == page["items"][6:]


def test_only_an_admin_reads_the_audit_trail(client, db, people):
    query = {"subject_type": "depot", "subject_ref": "BJ01"}
    _ok(
        client.post(
            "/api/depots", headers=people["admin"], json={"code": "BJ01", "name": "BJ01", **DEPOT}
        )
    )
    assert client.get("/api/audit", query_string=query).status_code == 401
    for role in ("warehouse", "dispatcher", "engineer", "customer"):
        r = client.get("/api/audit", query_string=query, headers=people[role])
        assert r.status_code == 403 and r.mimetype == "application/problem+json", role
    assert client.get("/api/audit", query_string=query, headers=people["admin"]).status_code == 200


def test_an_unknown_subject_type_is_422_and_an_unknown_object_404(client, people):
    admin = people["admin"]
    r = client.get(
        "/api/audit", query_string={"subject_type": "spaceship", "subject_ref": "X"}, headers=admin
    )
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert "subject_type" in r.json["errors"]
    r = client.get("/api/audit", query_string={"subject_type": "part"}, headers=admin)
    assert r.status_code == 422 and "subject_ref" in r.json["errors"]
    for subject_type in (
        "part",
        "serial_item",
        "depot",
        "transfer",
        "delivery",
        "job",
        "ticket",
        "user",
    ):
        r = client.get(
            "/api/audit",
            query_string={"subject_type": subject_type, "subject_ref": "NOPE-404"},
            headers=admin,
        )
        assert r.status_code == 404 and r.mimetype == "application/problem+json", subject_type
        assert "NOPE-404" in r.json["detail"], subject_type


def test_a_delivery_without_a_reference_is_found_by_its_first_movement(client, db, people):
    admin, wh = people["admin"], people["warehouse"]
    _psu_and_depots(client, admin, "BJ01")
    _ok(
        client.post(
            "/api/stock/receipts/import",
            headers=wh,
            content_type="multipart/form-data",
            data={
                "file": (
                    io.BytesIO(b"depot,part_number,serial\nBJ01,SRV-PSU,N1\nBJ01,SRV-PSU,N2\n"),
                    "d.csv",
                )
            },
        )
    )
    receipt = next(
        e for e in _trail(client, admin, "serial_item", "N1")["items"] if e["source"] == "movement"
    )
    (imported,) = _trail(client, admin, "delivery", str(receipt["data"]["movement_id"]))["items"]
    assert (imported["kind"], imported["actor"], imported["data"]["units"]) == (
        "imported",
        "wang.wh",
        2,
    )
