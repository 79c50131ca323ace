"""The van API as the warehouse, the dispatcher and the engineer use it: a stocking list
set, the pick list shipped as a transfer that only the van's engineer receives, the van
visible to dispatchers, a van dispatch, the parts used and removed on the job (retried
without doing anything twice), the return owed to the vendor's hub, sent and received;
bad input answered 422 naming the field."""

from __future__ import annotations

from sqlalchemy import func, select

from inventory import tickets
from inventory.verify import verify_ledger
from models import Depot, Engineer, Movement, Part, PartReturn, SerialItem
from tests.builders import bearer, make_user
from tests.service_builders import make_engineer, make_world


def _setup(app, db):
    world = make_world(db, spares=3)
    engineer = db.scalar(select(Engineer).where(Engineer.code == world.engineer))
    engineer.base_depot_id = db.scalar(select(Depot.id).where(Depot.code == world.depot))
    db.scalar(select(Part).where(Part.part_number == world.part)).vendor = "Huawei"
    user, token = make_user(db, "engineer", "zhang.eng")
    engineer.user_id = user.id
    db.commit()
    other = make_engineer(db, "ENG-2", name="李娜")
    other_user, other_token = make_user(db, "engineer", "li.eng")
    db.scalar(select(Engineer).where(Engineer.code == other)).user_id = other_user.id
    db.commit()
    roles = {
        role: bearer(make_user(db, role, f"{role}.x")[1])
        for role in ("admin", "warehouse", "dispatcher")
    }
    roles["engineer"], roles["other"] = bearer(token), bearer(other_token)
    db.rollback()
    return world, roles


def test_the_van_flow_through_the_api(app, client, db):
    world, h = _setup(app, db)
    eng = world.engineer
    put = client.put(
        f"/api/vans/{eng}/levels/{world.part}", json={"level": 2}, headers=h["warehouse"]
    )
    assert put.status_code == 200 and put.json["lines"][0]["short"] == 2
    bad = client.put(
        f"/api/vans/{eng}/levels/{world.part}", json={"level": -1}, headers=h["warehouse"]
    )
    assert bad.status_code == 422 and "level" in bad.json["errors"]
    picks = client.get(f"/api/depots/{world.depot}/van-pick-list", headers=h["warehouse"]).json
    assert [(p["engineer_code"], p["pick"]) for p in picks] == [(eng, 2)]
    sent = client.post(
        f"/api/vans/{eng}/replenish",
        json={"depot": world.depot},
        headers={**h["warehouse"], "Idempotency-Key": "r1"},
    )
    assert sent.status_code == 201
    number = sent.json["number"]
    # another engineer, and the warehouse, cannot book the van's receipt
    denied = client.post(f"/api/vans/transfers/{number}/receive", json={}, headers=h["other"])
    assert denied.status_code == 403
    got = client.post(
        f"/api/vans/transfers/{number}/receive",
        json={"lines": [{"part_number": world.part, "serial": s} for s in world.spares[:2]]},
        headers=h["engineer"],
    )
    assert got.status_code == 200 and got.json["status"] == "received"
    vans = client.get("/api/vans", headers=h["dispatcher"]).json
    mine = next(v for v in vans if v["engineer_code"] == eng)
    assert mine["lines"][0]["good"] == 2 and mine["lines"][0]["serials"] == list(world.spares[:2])
    assert client.get(f"/api/vans/{eng}", headers=h["other"]).status_code == 404

    number = tickets.open_ticket(
        db, site_code=world.site, severity="P2", channel="phone", symptom="电源告警",
        actor="li.disp", equipment_serial=world.equipment_serial,
    ).number  # fmt: skip
    db.rollback()
    options = client.get(f"/api/tickets/{number}/dispatch-options", headers=h["dispatcher"])
    assert options.json["options"][0]["mode"] == "van"
    done = client.post(
        f"/api/tickets/{number}/dispatch", json={"engineer": eng, "mode": "van"},
        headers=h["dispatcher"],
    )  # fmt: skip
    assert done.status_code == 200 and done.json["depot"] is None
    assert (
        client.post(
            f"/api/tickets/{number}/visit/arrival", json={}, headers=h["engineer"]
        ).status_code
        == 201
    )
    url = f"/api/tickets/{number}/visit/parts"
    body = {"part_number": world.part, "source": "van", "serial": world.spares[0]}
    first = client.post(url + "/consumed", json=body,
                        headers={**h["engineer"], "Idempotency-Key": "c1"})  # fmt: skip
    moved = db.scalar(select(func.count()).select_from(Movement))
    db.rollback()
    again = client.post(url + "/consumed", json=body,
                        headers={**h["engineer"], "Idempotency-Key": "c1"})  # fmt: skip
    assert first.status_code == again.status_code == 200 and again.json == first.json
    assert db.scalar(select(func.count()).select_from(Movement)) == moved
    db.rollback()
    wrong = client.post(url + "/removed", json={"part_number": world.part, "condition": "broken"},
                        headers=h["engineer"])  # fmt: skip
    assert wrong.status_code == 422 and "condition" in wrong.json["errors"]
    removed = client.post(
        url + "/removed",
        json={"part_number": world.part, "condition": "faulty",
              "serial": world.equipment_serial},
        headers=h["engineer"],
    )  # fmt: skip
    assert removed.status_code == 200
    parts = client.get(f"/api/tickets/{number}/parts", headers=h["dispatcher"]).json
    assert parts["total_cost"] == "100.00" and parts["charged"] == "0.00"
    assert [line["source"] for line in parts["lines"]] == ["van", None]

    # no rule yet: the faulty unit goes to the engineer's home depot
    owed = client.get("/api/part-returns", headers=h["engineer"]).json
    assert [(r["destination"], r["status"]) for r in owed] == [(world.depot, "owed")]
    assert client.get("/api/part-returns", headers=h["other"]).json == []
    ret = owed[0]["number"]
    assert (
        client.post(f"/api/part-returns/{ret}/ship", json={}, headers=h["other"]).status_code == 404
    )
    shipped = client.post(f"/api/part-returns/{ret}/ship", json={"waybill": "SF9"},
                          headers=h["engineer"])  # fmt: skip
    assert shipped.status_code == 200 and shipped.json["status"] == "shipped"
    received = client.post(f"/api/part-returns/{ret}/receive", headers=h["warehouse"])
    assert received.status_code == 200 and received.json["status"] == "received"
    db.rollback()
    assert db.scalar(select(PartReturn.status)) == "received"
    assert verify_ledger(db) == []


def test_return_rules_and_vendor_sites_are_configured_by_the_admin(client, app, db):
    _world, h = _setup(app, db)
    hub = {"code": "VND-HW-SH", "name": "华为上海备件中心", "vendor": "Huawei", "city": "上海"}
    assert client.post("/api/vendor-locations", json=hub, headers=h["warehouse"]).status_code == 403
    assert client.post("/api/vendor-locations", json=hub, headers=h["admin"]).status_code == 201
    again = client.post("/api/vendor-locations", json=hub, headers=h["admin"])
    assert again.status_code == 409
    rule = {"name": "faulty PSUs to the hub", "condition": "faulty", "deadline_hours": 72,
            "vendor": "Huawei", "destination": "VND-HW-SH"}  # fmt: skip
    made = client.post("/api/return-rules", json=rule, headers=h["admin"])
    assert made.status_code == 201 and made.json["destination_name"] == "华为上海备件中心"
    both = client.post(
        "/api/return-rules", json={**rule, "to_home_depot": True}, headers=h["admin"]
    )
    assert both.status_code == 422 and "destination" in both.json["errors"]
    nowhere = client.post(
        "/api/return-rules", json={**rule, "destination": "NOPE"}, headers=h["admin"]
    )
    assert nowhere.status_code == 422 and "destination" in nowhere.json["errors"]
    listed = client.get("/api/return-rules", headers=h["engineer"]).json
    assert [r["name"] for r in listed] == ["faulty PSUs to the hub"]


def test_a_stocking_list_proposed_from_demand_is_accepted_and_the_van_is_counted(app, client, db):
    world, h = _setup(app, db)
    eng = world.engineer
    query = "?fill_target=0.999&interval_days=365"
    proposed = client.get(f"/api/vans/{eng}/proposal{query}", headers=h["dispatcher"])
    assert proposed.status_code == 200, proposed.json
    [line] = proposed.json  # the one unit installed near the engineer's base
    assert line["part_number"] == world.part and line["installed_units"] == 1
    assert line["level"] >= 1 and line["current"] == 0
    denied = client.post(f"/api/vans/{eng}/proposal/accept{query}", headers=h["dispatcher"])
    assert denied.status_code == 403
    accepted = client.post(f"/api/vans/{eng}/proposal/accept{query}", headers=h["warehouse"])
    assert accepted.status_code == 200
    [van_line] = accepted.json["lines"]
    assert (van_line["part_number"], van_line["level"]) == (world.part, line["level"])

    # stocked from the depot and scanned in, then checked: one unit is not in the van
    number = client.post(f"/api/vans/{eng}/replenish", json={"depot": world.depot},
                         headers={**h["warehouse"], "Idempotency-Key": "p1"}).json["number"]  # fmt: skip
    got = client.post(f"/api/vans/transfers/{number}/receive", json={}, headers=h["engineer"])
    assert got.status_code == 200, got.json
    van = db.scalar(select(Engineer.van_location_id).where(Engineer.code == eng))
    van_serials = sorted(db.scalars(select(SerialItem.serial).where(SerialItem.location_id == van)))
    db.rollback()
    assert len(van_serials) == line["level"] >= 1
    body = {"part_number": world.part, "serials": van_serials[1:], "confirm_missing": True}
    counted = client.post(f"/api/vans/{eng}/counts", json=body,
                          headers={**h["engineer"], "Idempotency-Key": "c1"})  # fmt: skip
    assert counted.status_code == 200, counted.json
    assert counted.json["missing"] == van_serials[:1] and counted.json["depot"].startswith("VAN-")
    theirs = client.post(f"/api/vans/{eng}/counts", json=body, headers=h["other"])
    assert theirs.status_code == 404  # another engineer does not see, nor count, this van
    assert verify_ledger(db) == []
