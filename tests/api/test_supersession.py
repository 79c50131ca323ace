"""Part supersession through the API: the admin says which part number replaces a part
(one-way or two-way), staff read it, availability counts the stock that can serve the
part, and what cannot be a chain answers problem+json naming the field."""

from __future__ import annotations

import pytest

from inventory.receiving import receive_from_supplier
from tests.builders import bearer, make_part, make_user
from tests.service_builders import make_world

PROBLEM = "application/problem+json"


@pytest.fixture
def world(db):
    w = make_world(db, spares=0)
    make_part(db, "SRV-PSU-V2")
    receive_from_supplier(
        db, depot_code=w.depot, part_number="SRV-PSU-V2", actor="wh", serial="V2-1"
    )
    headers = {role: bearer(make_user(db, role)[1]) for role in ("admin", "warehouse")}
    return w, headers


def test_the_admin_sets_a_successor_and_availability_counts_its_stock(client, world):
    w, h = world
    url = f"/api/parts/{w.part}/supersession"
    assert client.get(url, headers=h["warehouse"]).json == {
        "part_number": w.part,
        "replaced_by": None,
        "two_way": False,
        "replaces": [],
        "serves": [],
    }
    r = client.put(url, json={"replaced_by": "SRV-PSU-V2"}, headers=h["admin"])
    assert r.status_code == 200, r.json
    assert r.json["replaced_by"] == "SRV-PSU-V2" and r.json["serves"] == ["SRV-PSU-V2"]
    back = client.get("/api/parts/SRV-PSU-V2/supersession", headers=h["warehouse"]).json
    assert back["replaces"] == [w.part] and back["serves"] == []  # one-way
    rows = client.get(f"/api/availability?part_number={w.part}", headers=h["warehouse"]).json[
        "items"
    ]
    assert [(a["depot"], a["available"], a["parts"]) for a in rows] == [
        (w.depot, 1, {"SRV-PSU-V2": 1})
    ]
    r = client.put(url, json={"replaced_by": "SRV-PSU-V2", "two_way": True}, headers=h["admin"])
    back = client.get("/api/parts/SRV-PSU-V2/supersession", headers=h["warehouse"]).json
    assert back["serves"] == [w.part]  # two-way: interchangeable
    trail = client.get(
        f"/api/audit?subject_type=part&subject_ref={w.part}", headers=h["admin"]
    ).json
    assert [e["kind"] for e in trail["items"]].count("supersession_set") == 2
    assert client.put(url, json={"replaced_by": None}, headers=h["admin"]).json["serves"] == []


def test_supersession_answers_problem_json_naming_the_field(client, world):
    w, h = world
    url = f"/api/parts/{w.part}/supersession"
    r = client.put(url, json={"replaced_by": "NOPE"}, headers=h["admin"])
    assert r.status_code == 422 and r.mimetype == PROBLEM and "replaced_by" in r.json["errors"]
    r = client.put(url, json={"replaced_by": w.part}, headers=h["admin"])
    assert r.status_code == 422 and "replaced_by" in r.json["errors"]
    r = client.put(url, json={"two_way": True}, headers=h["admin"])
    assert r.status_code == 422 and "replaced_by" in r.json["errors"]
    r = client.put(url, json={"replaced_by": "SRV-PSU-V2", "two_way": "yes"}, headers=h["admin"])
    assert r.status_code == 422 and "two_way" in r.json["errors"]
    client.put(url, json={"replaced_by": "SRV-PSU-V2"}, headers=h["admin"])
    r = client.put(
        "/api/parts/SRV-PSU-V2/supersession", json={"replaced_by": w.part}, headers=h["admin"]
    )
    assert r.status_code == 409 and "replaced_by" in r.json["errors"]
    assert client.put(url, json={"replaced_by": None}, headers=h["warehouse"]).status_code == 403
    assert client.get("/api/parts/NOPE/supersession", headers=h["admin"]).status_code == 404
