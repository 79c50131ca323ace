"""Customers, sites and depots administered on the pages: checked by the API's schemas,
placed by the geocoder as the API places them, recorded in each object's audit trail."""

from __future__ import annotations

from sqlalchemy import select

from models import Customer, Depot, Event, Site
from tests.web.conftest import post_form


def _events(db, subject_type: str, ref: str) -> list[str]:
    kinds = db.scalars(
        select(Event.kind)
        .where(Event.subject_type == subject_type, Event.subject_ref == ref)
        .order_by(Event.id)
    ).all()
    db.rollback()
    return list(kinds)


def test_a_customer_and_its_site_are_created_edited_and_audited(client, as_role, db):
    as_role("admin")
    bad = post_form(client, "/admin/customers", {"code": "C900", "name": "", "email": "no-at"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'data-field="name"' in html and 'data-field="email"' in html
    made = post_form(
        client, "/admin/customers", {"code": "C900", "name": "西部电网", "email": "ops@west.cn"}
    )
    assert made.status_code == 302 and made.location.endswith("/admin/customers/C900")

    page = "/admin/customers/C900"
    site = post_form(
        client,
        page + "/sites",
        {"code": "C900-S1", "name": "成都机房", "address": "四川省成都市武侯区人民南路四段27号"},
        page=page,
    )
    assert site.status_code == 302, site.get_data(as_text=True)[:2000]
    stored = db.scalar(select(Site).where(Site.code == "C900-S1"))
    assert stored.city == "Chengdu" and abs(stored.lat - 30.66) < 0.3  # geocoded like the API
    assert stored.precision != "exact"
    db.rollback()

    moved = post_form(
        client,
        "/admin/sites/C900-S1",
        {"name": "成都机房", "address": "陕西省西安市雁塔区科技路", "phone": "029-1234"},
    )
    assert moved.status_code == 302
    stored = db.scalar(select(Site).where(Site.code == "C900-S1"))
    assert (
        stored.city.startswith("Xi") and abs(stored.lat - 34.3) < 0.4 and stored.phone == "029-1234"
    )
    db.rollback()
    trail = client.get("/admin/sites/C900-S1").get_data(as_text=True)
    assert "audit-table" in trail and "address" in trail
    assert _events(db, "site", "C900-S1") == ["created", "updated"]

    cleared = post_form(client, page, {"name": "西部电网公司", "email": ""})
    assert cleared.status_code == 302
    customer = db.scalar(select(Customer).where(Customer.code == "C900"))
    assert customer.name == "西部电网公司" and customer.email is None
    db.rollback()
    assert _events(db, "customer", "C900") == ["created", "updated"]
    blank = post_form(client, page, {"name": " "})
    assert blank.status_code == 422 and 'data-field="name"' in blank.get_data(as_text=True)


def test_a_site_with_entered_coordinates_keeps_them(client, as_role, db):
    as_role("admin")
    response = post_form(
        client,
        "/admin/sites/C001-S1",
        {"name": "站点", "address": "新地址 未知之处", "lat": "31.2", "lon": "121.5"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    site = db.scalar(select(Site).where(Site.code == "C001-S1"))
    assert (site.lat, site.lon, site.precision) == (31.2, 121.5, "exact")
    db.rollback()


def test_a_depot_with_stock_is_not_deactivated_and_says_why(client, as_role, db):
    as_role("admin")
    code = db.scalar(select(Depot.code).where(Depot.active).order_by(Depot.code))
    db.rollback()
    refused = post_form(client, f"/admin/depots/{code}", {"action": "deactivate"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 or refused.status_code == 422
    # the refusal names the field and says why, in the page's language (zh-CN here)
    assert 'data-field="active"' in html and "仍有" in html and "件库存" in html
    assert db.scalar(select(Depot.active).where(Depot.code == code)) is True
    db.rollback()


def test_an_empty_depot_is_renamed_deactivated_and_reactivated(client, as_role, db):
    as_role("admin")
    made = post_form(
        client,
        "/admin/depots",
        {
            "code": "XA09",
            "name": "西安九号库",
            "address": "陕西省西安市雁塔区",
            "lat": "34.2",
            "lon": "108.9",
        },
    )
    assert made.status_code == 302
    renamed = post_form(
        client,
        "/admin/depots/XA09",
        {
            "action": "details",
            "name": "西安备件中心",
            "address": "陕西省西安市雁塔区",
            "lat": "34.2",
            "lon": "108.9",
        },
    )
    assert renamed.status_code == 302, renamed.get_data(as_text=True)[:2000]
    off = post_form(client, "/admin/depots/XA09", {"action": "deactivate"})
    assert off.status_code == 302
    depot = db.scalar(select(Depot).where(Depot.code == "XA09"))
    assert depot.name == "西安备件中心" and depot.active is False and depot.lat == 34.2
    db.rollback()
    assert "已停用" in client.get("/admin/depots/XA09").get_data(as_text=True)
    on = post_form(client, "/admin/depots/XA09", {"action": "reactivate"})
    assert on.status_code == 302
    assert _events(db, "depot", "XA09") == ["created", "updated", "deactivated", "reactivated"]
