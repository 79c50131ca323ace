"""Outage allocation through the API: the scarce spare goes where a miss costs most."""

from __future__ import annotations

from inventory.receiving import receive_from_supplier
from tests.builders import bearer, make_depot, make_user
from tests.service_builders import make_world


def test_the_only_near_spare_goes_to_the_p1_even_when_a_p4_asked_first(client, db):
    world = make_world(db, spares=1)  # one unit in Beijing, next to the site
    make_depot(db, "CD01")
    receive_from_supplier(
        db, depot_code="CD01", part_number=world.part, actor="wh", serial="PSU-FAR"
    )
    _u, token = make_user(db, "dispatcher")
    headers = bearer(token)

    def ask(severity: str, symptom: str):
        body = {"site": world.site, "part_number": world.part}
        return client.post(
            "/api/tickets", headers=headers, json=body | {"severity": severity, "symptom": symptom}
        )

    first, second = ask("P4", "fan noise"), ask("P1", "system down")  # the P4 asks first
    assert first.status_code == second.status_code == 201, (first.json, second.json)
    p4, p1 = first.json["number"], second.json["number"]

    r = client.post("/api/allocations", headers=headers, json={})
    assert r.status_code == 200, r.json
    proposal = {a["ticket"]: a["depot"] for a in r.json["proposal"]["assignments"]}
    greedy = {a["ticket"]: a["depot"] for a in r.json["greedy_baseline"]["assignments"]}
    assert proposal[p1] == "BJ01" and proposal[p4] == "CD01"
    assert greedy[p4] == "BJ01"  # first come, nearest depot
    assert r.json["proposal"]["weighted_misses"] < r.json["greedy_baseline"]["weighted_misses"]


def test_allocation_names_tickets_that_are_not_waiting_for_a_part(client, db):
    make_world(db, spares=1)
    _u, token = make_user(db, "dispatcher")
    r = client.post(
        "/api/allocations", headers=bearer(token), json={"tickets": ["TKT-2026-999999"]}
    )
    assert r.status_code == 422 and "tickets" in r.json["errors"]
