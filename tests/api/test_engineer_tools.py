"""Engineers' tools, and the tools a part's job needs, through the API: the admin sets the
set, staff read it, a bad list answers problem+json naming the field, and each change is
audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Event
from tests.builders import bearer, make_part, make_user
from tests.service_builders import make_engineer


@pytest.mark.parametrize(
    ("make", "collection", "code", "key", "given", "kept"),
    [
        pytest.param(
            make_engineer,
            "engineers",
            "ENG-7",
            "engineer",
            ["torque-wrench", "fibre-splicer"],
            ["fibre-splicer", "torque-wrench"],  # sorted
            id="an engineer's kit",
        ),
        pytest.param(
            make_part,
            "parts",
            "SRV-MB",
            "part_number",
            ["扭力螺丝刀", "防静电腕带", "扭力螺丝刀"],
            ["扭力螺丝刀", "防静电腕带"],  # each once
            id="a part's job tools",
        ),
    ],
)
def test_the_admin_sets_the_tools_staff_read_them_and_bad_ones_name_the_field(
    client, db, make, collection, code, key, given, kept
):
    make(db, code)
    admin = bearer(make_user(db, "admin")[1])
    disp = bearer(make_user(db, "dispatcher")[1])
    url = f"/api/{collection}/{code}/tools"
    assert client.get(url, headers=disp).json == {key: code, "tools": []}
    r = client.put(url, json={"tools": given}, headers=admin)
    assert r.status_code == 200 and r.json["tools"] == kept
    assert client.get(url, headers=disp).json["tools"] == kept
    for body, field in (
        ({"tools": [""]}, "tools.0"),
        ({}, "tools"),
        ({"tools": ["x" * 41]}, "tools.0"),
    ):
        r = client.put(url, json=body, headers=admin)
        assert r.status_code == 422 and field in r.json["errors"], r.json
    assert client.put(url, json={"tools": []}, headers=disp).status_code == 403
    missing = client.put(f"/api/{collection}/NOPE/tools", json={"tools": []}, headers=admin)
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"
    db.rollback()
    kinds = db.scalars(select(Event.kind).where(Event.subject_ref == code)).all()
    assert kinds == ["tools_set"]
