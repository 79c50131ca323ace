"""Places through the API: a site placed by its address is known only to city level and its
legs say so; a site entered with coordinates is exact; the ranking's clocks are the ticket's."""

from __future__ import annotations

from sqlalchemy import select

from models import Engineer, Site
from tests.builders import bearer, make_user
from tests.service_builders import make_world


def _dispatcher(db) -> dict[str, str]:
    return bearer(make_user(db, "dispatcher")[1])


def test_site_placed_from_its_address_alone_is_city_level_and_its_legs_are_estimates(client, db):
    w = make_world(db)
    h = _dispatcher(db)
    r = client.post(
        "/api/sites",
        json={
            "code": "C001-S9",
            "customer_code": w.customer,
            "name": "Branch office",
            "address": "北京市某某区某某路",
        },
        headers=h,
    )
    assert r.status_code == 201, r.json
    assert r.json["precision"] == "city" and r.json["city"] == "Beijing"
    assert r.json["uncertainty_km"] > 10
    r = client.post(
        "/api/dispatch/options",
        json={"site": "C001-S9", "severity": "P2", "part_number": w.part},
        headers=h,
    )
    assert r.status_code == 200, r.json
    legs = [leg for option in r.json["options"] for leg in option["legs"]]
    to_site = [leg for leg in legs if leg["destination"] == "Branch office"]
    assert to_site and all(leg["estimate"] and leg["precision"] == "city" for leg in to_site)
    assert all(leg["km"] > 1 and leg["minutes"] > 5 for leg in to_site)
    assert all(leg["minutes_low"] < leg["minutes"] < leg["minutes_high"] for leg in to_site)
    assert {leg["kind"] for leg in legs} <= {
        "engineer_drive",
        "same_city_courier",
        "intercity_van",
        "parcel",
    }


def test_site_entered_with_coordinates_is_exact_unless_told_otherwise(client, db):
    w = make_world(db)
    h = _dispatcher(db)
    body = {"customer_code": w.customer, "name": "Room", "address": "8 Jianguo Rd"}
    exact = client.post(
        "/api/sites", json={**body, "code": "S-A", "lat": 39.9, "lon": 116.4}, headers=h
    )
    street = client.post(
        "/api/sites",
        json={**body, "code": "S-B", "lat": 39.9, "lon": 116.4, "precision": "street"},
        headers=h,
    )
    assert exact.status_code == street.status_code == 201
    assert exact.json["precision"] == "exact" and exact.json["uncertainty_km"] == 0
    assert street.json["precision"] == "street" and 0 < street.json["uncertainty_km"] < 1
    half = client.post("/api/sites", json={**body, "code": "S-C", "lat": 39.9}, headers=h)
    assert half.status_code == 422 and "lon" in str(half.json)
    bad = client.post("/api/sites", json={**body, "code": "S-D", "precision": "galaxy"}, headers=h)
    assert bad.status_code == 422 and "precision" in bad.json["errors"]


def test_dispatch_options_report_the_tickets_stored_onsite_promise_after_engineers_move(client, db):
    w = make_world(db)
    h = _dispatcher(db)
    r = client.post(
        "/api/tickets",
        json={
            "site": w.site,
            "severity": "P2",
            "symptom": "PSU alarm",
            "equipment_serial": w.equipment_serial,
            "channel": "phone",
        },
        headers=h,
    )
    assert r.status_code == 201, r.json
    ticket = r.json
    # the nearest engineer drives off to another city: a fresh nearest drive would differ
    engineer = db.scalar(select(Engineer).where(Engineer.code == w.engineer))
    engineer.home_lat, engineer.home_lon = 39.0965, 117.2063
    db.commit()
    r = client.get(f"/api/tickets/{ticket['number']}/dispatch-options", headers=h)
    assert r.status_code == 200, r.json
    clocks = r.json["clocks"]
    for name in ("onsite_due", "restore_due", "response_due"):
        assert clocks[name] == ticket[name], name
    onsite = [c for o in r.json["options"] for c in o["checks"] if c["clock"] == "onsite"]
    assert onsite and {c["due"] for c in onsite} == {ticket["onsite_due"]}


def test_demo_site_coordinates_stay_what_was_stored(db):
    # a site row written without a precision is taken as exact (coordinates given in code)
    w = make_world(db)
    site = db.scalar(select(Site).where(Site.code == w.site))
    assert (site.precision, site.uncertainty_km) == ("exact", 0.0)


def test_an_engineer_on_site_is_ranked_from_that_site_not_from_the_base(client, db):
    from inventory import tickets
    from inventory.dispatch_service import confirm_dispatch
    from tests.service_builders import make_customer

    w = make_world(db)
    h = _dispatcher(db)
    _c, tianjin, _k = make_customer(db, code="C002", city="Tianjin", lat=39.1530, lon=117.1960)
    number = tickets.open_ticket(
        db, site_code=tianjin, severity="P3", channel="phone", symptom="fan", actor="li.disp"
    ).number
    confirm_dispatch(db, number, engineer_code=w.engineer, actor="li.disp", mode="engineer")
    tickets.move_ticket(db, number, "arrive", actor="li.disp")
    near_tianjin = {"lat": 39.16, "lon": 117.20, "severity": "P3"}
    r = client.post("/api/dispatch/options", json=near_tianjin, headers=h)
    assert r.status_code == 200, r.json
    leg = r.json["options"][0]["legs"][0]
    assert r.json["options"][0]["engineer_code"] == w.engineer
    assert leg["km"] < 5  # from the Tianjin site, not 110 km from the Beijing base
