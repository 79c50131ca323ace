"""Reorder proposals through the API: listed with their source, accepted once."""

from __future__ import annotations

from sqlalchemy import select

from inventory import receiving
from models import Depot, Part, StockPolicy
from tests.builders import bearer, make_depot, make_part, make_user


def test_a_proposal_is_listed_and_accepted_once(client, db):
    make_depot(db, "BJ01")
    make_depot(db, "SH01")
    make_part(db, "NET-SFP", tracking="counted", category="network", kind="consumable")
    receiving.receive_from_supplier(db, depot_code="SH01", part_number="NET-SFP", qty=8, actor="t")
    part_id = db.scalar(select(Part.id))
    for code, reorder, target in (("BJ01", 2, 5), ("SH01", 1, 4)):
        depot_id = db.scalar(select(Depot.id).where(Depot.code == code))
        db.add(
            StockPolicy(
                depot_id=depot_id, part_id=part_id, reorder_point=reorder, target_level=target
            )
        )
    db.commit()
    _u, token = make_user(db, "dispatcher")
    listed = client.get("/api/stock/reorder-proposals", headers=bearer(token))
    assert listed.status_code == 200 and listed.json["total"] == 1
    line = listed.json["items"][0]
    assert (line["depot"], line["kind"], line["source"], line["qty"]) == (
        "BJ01",
        "transfer",
        "SH01",
        4,
    )
    body = {
        "depot": "BJ01",
        "part_number": "NET-SFP",
        "kind": "transfer",
        "qty": 4,
        "source": "SH01",
    }
    first = client.post("/api/stock/reorder-proposals/accept", json=body, headers=bearer(token))
    again = client.post("/api/stock/reorder-proposals/accept", json=body, headers=bearer(token))
    assert first.status_code == 200 and first.json["created"] is True
    assert again.json == {**first.json, "created": False}
    bad = client.post(
        "/api/stock/reorder-proposals/accept", json={**body, "kind": "gift"}, headers=bearer(token)
    )
    assert bad.status_code == 422 and "kind" in bad.json["errors"]
