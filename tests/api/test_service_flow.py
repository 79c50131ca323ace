"""The service flow through the API: a fault becomes an advance replacement and comes back,
a unit goes back for repair, illegal moves answer 409, creates are idempotent, customers
see only their own."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from inventory.rmas import RMA_MOVES
from inventory.verify import verify_ledger
from models import Equipment, Location, Rma, SerialItem, Survey, Ticket
from tests.builders import bearer, make_user
from tests.service_builders import make_customer, make_world, repair_request


@pytest.fixture
def world(db):
    w = make_world(db)
    headers = {role: bearer(make_user(db, role)[1]) for role in ("dispatcher", "warehouse")}
    # the engineer user is the world's engineer: engineers move only their own jobs
    headers["engineer"] = bearer(make_user(db, "engineer", engineer=w.engineer)[1])
    headers["admin"] = bearer(make_user(db, "admin")[1])
    headers["customer"] = bearer(make_user(db, "customer", customer=w.customer)[1])
    return w, headers


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def where(db, serial: str) -> tuple[str, str, str]:
    """(location code, status, condition) of a serial, read fresh."""
    db.rollback()
    item = db.scalar(select(SerialItem).where(SerialItem.serial == serial))
    location = db.get(Location, item.location_id).code
    result = (location, item.status, item.condition)
    db.rollback()
    return result


def ledger_agrees(db) -> bool:
    db.rollback()
    problems = verify_ledger(db)
    db.rollback()
    return problems == []


def post(client, url, headers, body=None, **extra):
    return client.post(url, json=body or {}, headers={**headers, **extra})


def open_p2(client, w, h) -> str:
    """The dispatcher opens a P2 ticket on the customer's installed unit: its number."""
    body = {
        "site": w.site,
        "severity": "P2",
        "symptom": "x",
        "equipment_serial": w.equipment_serial,
    }
    return post(client, "/api/tickets", h["dispatcher"], body).json["number"]


def test_advance_replacement_journey_moves_the_right_units_through_the_ledger(client, db, world):
    w, h = world
    # the customer reports a P1 on their installed unit
    r = post(
        client,
        "/api/tickets",
        h["customer"],
        {
            "site": w.site,
            "severity": "P1",
            "symptom": "PSU dead, system down",
            "equipment_serial": w.equipment_serial,
        },
    )
    assert r.status_code == 201, r.json
    ticket = r.json
    opened = _at(ticket["opened_at"])
    assert ticket["channel"] == "web" and ticket["status"] == "new"
    assert _at(ticket["response_due"]) == opened + timedelta(
        minutes=5
    )  # P1 on 7x24: 5 min on any channel
    assert _at(ticket["restore_due"]) == opened + timedelta(hours=1)
    assert _at(ticket["onsite_due"]) == opened + timedelta(minutes=ticket["travel_minutes"] + 60)

    # the dispatcher ranks the options and confirms the best
    r = client.get(f"/api/tickets/{ticket['number']}/dispatch-options", headers=h["dispatcher"])
    assert r.status_code == 200, r.json
    best = r.json["options"][0]
    assert best["depot_code"] == w.depot and best["engineer_code"] == w.engineer
    assert {c["clock"] for c in best["checks"]} == {"onsite", "replacement", "restore"}
    assert best["explanation"]
    r = post(
        client,
        f"/api/tickets/{ticket['number']}/dispatch",
        h["dispatcher"],
        {"engineer": best["engineer_code"], "depot": best["depot_code"], "mode": best["mode"]},
        **{"Idempotency-Key": "dispatch-1"},
    )
    assert r.status_code == 200, r.json
    confirmation = r.json
    rma, spare = confirmation["rma_number"], confirmation["reserved_serial"]
    assert confirmation["ticket_status"] == "dispatched" and spare in w.spares
    assert where(db, spare) == (w.depot, "reserved", "good")
    assert ledger_agrees(db)

    steps = [
        (
            "warehouse",
            "ship",
            {"carrier": "SF", "waybill": "SF123"},
            "shipped",
            spare,
            ("IN-TRANSIT", "in_transit", "good"),
        ),
        ("engineer", "deliver", {}, "delivered", spare, ("CUSTOMER", "at_customer", "good")),
        (
            "customer",
            "return_faulty",
            {"waybill": "SF999"},
            "faulty_in_transit",
            w.equipment_serial,
            ("IN-TRANSIT", "in_transit", "faulty"),
        ),
        (
            "warehouse",
            "receive_faulty",
            {"depot": w.depot, "analysis": "burnt capacitor"},
            "faulty_received",
            w.equipment_serial,
            (w.depot, "in_stock", "faulty"),
        ),
    ]
    for role, action, body, status, serial, place in steps:
        r = post(client, f"/api/rmas/{rma}/{action}", h[role], body)
        assert r.status_code == 200, (action, r.json)
        assert r.json["status"] == status
        assert where(db, serial) == place, action
        assert ledger_agrees(db), action
        if action == "deliver":
            delivered = _at(r.json["delivered_at"])
            assert (
                _at(r.json["return_due_at"]) > delivered
            )  # end of the next working day, on the contract calendar
            db.rollback()
            assert (
                db.scalar(select(Equipment.serial).where(Equipment.id == 1)) == spare
            )  # installed base follows
            db.rollback()

    for action in ("arrive", "resolve"):
        r = post(
            client,
            f"/api/tickets/{ticket['number']}/{action}",
            h["engineer"],
            {"resolution": "PSU swapped"},
        )
        assert r.status_code == 200, r.json
    r = post(client, f"/api/rmas/{rma}/close", h["customer"])
    assert r.status_code == 200 and r.json["status"] == "closed"
    assert r.json["faulty_serial"] == w.equipment_serial and r.json["replacement_serial"] == spare

    r = post(
        client,
        f"/api/tickets/{ticket['number']}/close",
        h["customer"],
        {
            "confirmed": True,
            "ratings": {"response_time": 5, "quality": 4, "attitude": 5, "overall": 5},
        },
    )
    assert r.status_code == 200 and r.json["status"] == "closed"
    db.rollback()
    survey = db.scalar(select(Survey))
    assert (survey.response_time, survey.quality, survey.attitude, survey.overall) == (5, 4, 5, 5)
    db.rollback()

    track = client.get(f"/api/track/{confirmation['tracking_code']}").json
    assert [e["event"] for e in track["timeline"]] == [
        "opened",
        "approve",
        "allocate",
        "ship",
        "deliver",
        "return_faulty",
        "receive_faulty",
        "close",
    ]
    assert track["engineer_first_name"] == "伟" and not track["overdue"]


def test_return_for_repair_journey_sends_the_same_unit_back_repaired(client, db, world):
    w, h = world
    r = post(client, "/api/rmas", h["customer"], repair_request(w))
    assert r.status_code == 201, r.json
    rma = r.json["number"]
    assert (
        r.json["customer_unit"] and r.json["address"]
    )  # the form's header comes from the customer and site
    steps = [
        ("dispatcher", "approve", {}, None),
        ("dispatcher", "request_return", {}, None),
        ("customer", "return_faulty", {"waybill": "EMS1"}, ("IN-TRANSIT", "in_transit", "faulty")),
        ("warehouse", "receive_faulty", {"depot": w.depot}, (w.depot, "reserved", "faulty")),
        (
            "warehouse",
            "start_repair",
            {"vendor": "Delta Repair"},
            ("REPAIR", "at_vendor", "in_repair"),
        ),
        (
            "warehouse",
            "finish_repair",
            {"outcome": "repaired", "action_taken": "fan replaced"},
            (w.depot, "reserved", "good"),
        ),
        ("warehouse", "ship", {"waybill": "SF5"}, ("IN-TRANSIT", "in_transit", "good")),
        ("engineer", "deliver", {}, ("CUSTOMER", "at_customer", "good")),
        ("customer", "close", {}, None),
    ]
    for role, action, body, place in steps:
        r = post(client, f"/api/rmas/{rma}/{action}", h[role], body)
        assert r.status_code == 200, (action, r.json)
        if place:
            assert where(db, w.equipment_serial) == place, action
        assert ledger_agrees(db), action
    assert r.json["status"] == "closed" and r.json["replacement_serial"] == w.equipment_serial
    assert r.json["fault_action"] == "fan replaced"


def _statuses(kind: str) -> list[str]:
    return sorted(
        {s for (k, _a), m in RMA_MOVES.items() if k == kind for s in (*m.sources, m.target)}
    )


@pytest.mark.parametrize(("kind", "action"), sorted(RMA_MOVES))
def test_every_move_the_table_forbids_answers_409_and_changes_nothing(
    client, db, world, kind, action
):
    w, h = world
    r = post(
        client,
        "/api/rmas",
        h["dispatcher"],
        {
            "kind": kind,
            "site": w.site,
            "faulty_part_number": w.part,
            "faulty_serial": w.equipment_serial,
            "fault_symptom": "x",
        },
    )
    number = r.json["number"]
    forbidden = [s for s in _statuses(kind) if s not in RMA_MOVES[(kind, action)].sources]
    assert forbidden
    for status in forbidden:
        db.execute(Rma.__table__.update().where(Rma.number == number).values(status=status))
        db.commit()
        r = post(client, f"/api/rmas/{number}/{action}", h["admin"], {"depot": w.depot})
        assert r.status_code == 409, (status, r.json)
        assert r.headers["Content-Type"] == "application/problem+json"
        assert db.scalar(select(Rma.status).where(Rma.number == number)) == status
        db.rollback()
    assert ledger_agrees(db)


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("acknowledge", "dispatched"),
        ("arrive", "new"),
        ("resolve", "acknowledged"),
        ("close", "on_site"),
        ("arrive", "closed"),
        ("resolve", "cancelled"),
    ],
)
def test_an_illegal_ticket_move_answers_409(client, db, world, action, status):
    w, h = world
    number = post(
        client, "/api/tickets", h["dispatcher"], {"site": w.site, "severity": "P3", "symptom": "x"}
    ).json["number"]
    db.execute(Ticket.__table__.update().where(Ticket.number == number).values(status=status))
    db.commit()
    body = {"confirmed": True} if action == "close" else {}
    r = post(client, f"/api/tickets/{number}/{action}", h["admin"], body)
    assert r.status_code == 409, r.json


def test_a_retried_create_returns_the_first_response_and_creates_nothing_twice(client, db, world):
    w, h = world
    body = {"site": w.site, "severity": "P2", "symptom": "link down"}
    first = post(client, "/api/tickets", h["dispatcher"], body, **{"Idempotency-Key": "k-1"})
    again = post(client, "/api/tickets", h["dispatcher"], body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    other = post(
        client,
        "/api/tickets",
        h["dispatcher"],
        {**body, "severity": "P1"},
        **{"Idempotency-Key": "k-1"},
    )
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]
    listed = client.get("/api/tickets", headers=h["dispatcher"]).json
    assert listed["total"] == 1


def test_a_retried_dispatch_confirmation_reserves_one_spare_only(client, db, world):
    w, h = world
    number = open_p2(client, w, h)
    body = {"engineer": w.engineer, "depot": w.depot, "mode": "pickup"}

    def confirm():
        url = f"/api/tickets/{number}/dispatch"
        return post(client, url, h["dispatcher"], body, **{"Idempotency-Key": "d-1"})

    first, again = confirm(), confirm()  # the same confirmation, sent twice
    assert first.status_code == again.status_code == 200 and again.json == first.json
    db.rollback()
    assert (
        db.scalar(select(SerialItem.status).where(SerialItem.serial == w.spares[1])) == "in_stock"
    )
    assert len(db.scalars(select(Rma)).all()) == 1
    db.rollback()


def test_a_customer_sees_and_moves_only_its_own_tickets_and_rmas(client, db, world):
    w, h = world
    other_customer, other_site, _ = make_customer(
        db, "C002", lat=31.23, lon=121.47, city="Shanghai"
    )
    theirs = post(
        client,
        "/api/tickets",
        h["dispatcher"],
        {"site": other_site, "severity": "P3", "symptom": "x"},
    )
    mine = post(
        client, "/api/tickets", h["customer"], {"site": w.site, "severity": "P3", "symptom": "y"}
    )
    assert theirs.status_code == mine.status_code == 201
    assert (
        post(
            client,
            "/api/tickets",
            h["customer"],
            {"site": other_site, "severity": "P3", "symptom": "z"},
        ).status_code
        == 422
    )
    listed = client.get("/api/tickets", headers=h["customer"]).json
    assert [t["number"] for t in listed["items"]] == [mine.json["number"]]
    assert (
        client.get(f"/api/tickets/{theirs.json['number']}", headers=h["customer"]).status_code
        == 404
    )
    rma = post(
        client,
        "/api/rmas",
        h["dispatcher"],
        {
            "kind": "return_for_repair",
            "site": other_site,
            "faulty_part_number": w.part,
            "fault_symptom": "x",
        },
    ).json
    assert client.get(f"/api/rmas/{rma['number']}", headers=h["customer"]).status_code == 404
    assert post(client, f"/api/rmas/{rma['number']}/cancel", h["customer"]).status_code == 404
    assert client.get("/api/rmas", headers=h["customer"]).json["total"] == 0


def test_cancelling_a_dispatched_ticket_gives_the_spare_back(client, db, world):
    w, h = world
    number = open_p2(client, w, h)
    spare = post(
        client,
        f"/api/tickets/{number}/dispatch",
        h["dispatcher"],
        {"engineer": w.engineer, "depot": w.depot},
    ).json["reserved_serial"]
    assert where(db, spare) == (w.depot, "reserved", "good")
    r = post(
        client, f"/api/tickets/{number}/cancel", h["dispatcher"], {"reason": "customer fixed it"}
    )
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert where(db, spare) == (w.depot, "in_stock", "good")
    rmas = client.get("/api/rmas", headers=h["dispatcher"]).json["items"]
    assert [x["status"] for x in rmas] == ["cancelled"]


def test_dispatch_options_for_a_described_fault_say_whether_each_meets_the_sla(client, world):
    w, h = world
    r = post(
        client,
        "/api/dispatch/options",
        h["dispatcher"],
        {"lat": 39.95, "lon": 116.45, "severity": "P2", "part_number": w.part},
    )
    assert r.status_code == 200, r.json
    assert r.json["options"] and all(isinstance(o["meets_sla"], bool) for o in r.json["options"])
    assert r.json["clocks"]["restore_due"]
    bad = post(client, "/api/dispatch/options", h["dispatcher"], {"severity": "P2"})
    assert bad.status_code == 422


def test_an_admin_reconfigures_a_contract_and_the_next_tickets_clocks_follow(client, db, world):
    w, h = world
    r = client.patch(
        f"/api/contracts/{w.contract}",
        headers=h["admin"],
        json={
            "restore_minutes": {"P3": 240},
            "escalation": [{"level": 1, "after_minutes": 10, "who": "duty manager"}],
        },
    )
    assert r.status_code == 200, r.json
    assert (
        r.json["restore_minutes"]["P3"] == 240 and r.json["escalation"][0]["who"] == "duty manager"
    )
    t = post(
        client, "/api/tickets", h["dispatcher"], {"site": w.site, "severity": "P3", "symptom": "x"}
    ).json
    assert _at(t["restore_due"]) == _at(t["opened_at"]) + timedelta(hours=4)
    refused = client.patch(
        f"/api/contracts/{w.contract}", headers=h["dispatcher"], json={"coverage": "5x8"}
    )
    assert refused.status_code == 403
    bad = client.patch(
        f"/api/contracts/{w.contract}",
        headers=h["admin"],
        json={"coverage_start_min": 1000, "coverage_end_min": 600},
    )
    assert bad.status_code == 422


def test_equipment_registered_through_the_api_gets_three_years_of_warranty(client, db, world):
    w, h = world
    r = post(
        client,
        "/api/equipment",
        h["dispatcher"],
        {
            "site_code": w.site,
            "part_number": w.part,
            "serial": "EQ-NEW-1",
            "acceptance_date": "2024-02-29",
        },
    )
    assert r.status_code == 201, r.json
    assert r.json["warranty_end"] == "2027-02-28"
    mine = client.get("/api/equipment", headers=h["customer"]).json
    assert {e["serial"] for e in mine["items"]} == {w.equipment_serial, "EQ-NEW-1"}
    assert where(db, "EQ-NEW-1") == (
        "CUSTOMER",
        "at_customer",
        "good",
    )  # the installed unit is in the ledger
    assert ledger_agrees(db)


def test_a_repair_batch_round_trip_through_the_api(client, db, world):
    w, h = world
    from inventory.receiving import receive_from_supplier

    receive_from_supplier(
        db, depot_code=w.depot, part_number=w.part, actor="wh", serial="BAD-1", condition="faulty"
    )
    db.rollback()
    sent = post(
        client,
        "/api/repair-batches",
        h["warehouse"],
        {"depot": w.depot, "vendor": "Delta", "serials": ["BAD-1"]},
    )
    assert sent.status_code == 201, sent.json
    back = post(
        client,
        f"/api/repair-batches/{sent.json['number']}/receive",
        h["warehouse"],
        {"outcomes": {"BAD-1": "repaired"}},
    )
    assert back.status_code == 200 and back.json["status"] == "closed"
    assert where(db, "BAD-1") == (w.depot, "in_stock", "good")
    turnaround = client.get("/api/repair-batches/turnaround", headers=h["dispatcher"]).json
    assert turnaround[0]["vendor"] == "Delta" and turnaround[0]["repaired"] == 1
