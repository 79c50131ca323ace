"""Engineers' tools, and the tools a part's job needs, through the API: the admin sets the
set, staff read it, a bad list answers problem+json naming the field, and each change is
audited."""

from __future__ import annotations

from sqlalchemy import select

from models import Event
from tests.builders import bearer, make_user
from tests.service_builders import make_engineer


def test_the_admin_sets_an_engineers_tools_and_bad_ones_name_the_field(client, db):
    make_engineer(db, "ENG-7")
    admin = bearer(make_user(db, "admin")[1])
    disp = bearer(make_user(db, "dispatcher")[1])
    url = "/api/engineers/ENG-7/tools"
    assert client.get(url, headers=disp).json == {"engineer": "ENG-7", "tools": []}
    r = client.put(url, json={"tools": ["torque-wrench", "fibre-splicer"]}, headers=admin)
    assert r.status_code == 200 and r.json["tools"] == ["fibre-splicer", "torque-wrench"]
    assert client.get(url, headers=disp).json["tools"] == ["fibre-splicer", "torque-wrench"]
    for body, field in (
        ({"tools": [""]}, "tools.0"),
        ({}, "tools"),
        ({"tools": ["x" * 41]}, "tools.0"),
    ):
        r = client.put(url, json=body, headers=admin)
        assert r.status_code == 422 and field in r.json["errors"], r.json
    assert client.put(url, json={"tools": []}, headers=disp).status_code == 403
    assert (
        client.put("/api/engineers/NOPE/tools", json={"tools": []}, headers=admin).status_code
        == 404
    )
    db.rollback()
    kinds = db.scalars(select(Event.kind).where(Event.subject_ref == "ENG-7")).all()
    assert kinds == ["tools_set"]


def test_the_admin_sets_the_tools_a_parts_job_needs(client, db):
    from tests.builders import make_part

    make_part(db, "SRV-MB")
    admin = bearer(make_user(db, "admin")[1])
    disp = bearer(make_user(db, "dispatcher")[1])
    url = "/api/parts/SRV-MB/tools"
    assert client.get(url, headers=disp).json == {"part_number": "SRV-MB", "tools": []}
    r = client.put(url, json={"tools": ["扭力螺丝刀", "防静电腕带", "扭力螺丝刀"]}, headers=admin)
    assert r.status_code == 200 and r.json["tools"] == ["扭力螺丝刀", "防静电腕带"]
    assert client.get(url, headers=disp).json["tools"] == ["扭力螺丝刀", "防静电腕带"]
    r = client.put(url, json={"tools": ["x" * 41]}, headers=admin)
    assert r.status_code == 422 and "tools.0" in r.json["errors"], r.json
    assert client.put(url, json={"tools": []}, headers=disp).status_code == 403
    missing = client.put("/api/parts/NOPE/tools", json={"tools": []}, headers=admin)
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"
    db.rollback()
    kinds = db.scalars(select(Event.kind).where(Event.subject_ref == "SRV-MB")).all()
    assert kinds == ["tools_set"]
