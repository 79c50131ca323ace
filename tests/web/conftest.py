"""Web page fixtures: one demo database seeded once per run (SQLite), copied per test,
and a signed-in test client per role.

The pages are a thin layer over services the db/api tests already run on SQLite and
PostgreSQL; here the database is only the stage, so SQLite is enough.
"""

from __future__ import annotations

import io
import re
import shutil

import pytest

from app.demo.seed import demo_password

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """A migrated SQLite file holding the demo (smaller stock than `flask seed-demo`)."""
    from app import create_app
    from app.demo.seed import seed_demo
    from app.demo.service_flow import seed_service_flow
    from models.migrate import upgrade

    path = tmp_path_factory.mktemp("webdemo") / "demo.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "seed"})
    with app.app_context(), app.extensions["sparelog.db"].sessions() as session:
        seed_demo(session, items_per_depot=20)
        seed_service_flow(session, seed=20261122)
    app.extensions["sparelog.db"].engine.dispose()
    return path


@pytest.fixture
def database_url(tmp_path, demo_template):
    path = tmp_path / "web.db"
    shutil.copy(demo_template, path)
    return f"sqlite:///{path}"


def csrf_of(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in(client, username: str, role: str | None = None, follow: bool = False):
    page = client.get("/login")
    token = csrf_of(page.get_data(as_text=True))
    return client.post(
        "/login",
        data={
            "username": username,
            "password": demo_password(role or username),
            "csrf_token": token,
        },
        follow_redirects=follow,
    )


DEMO_LOGINS = {
    "admin": "admin",
    "warehouse": "wang.wh",
    "dispatcher": "li.disp",
    "engineer": "zhang.eng",
    "customer": "customer.sgcc",
}


@pytest.fixture
def as_role(client):
    """``as_role("warehouse")`` signs the client in as that demo user and returns it."""

    def _sign_in(role: str):
        response = sign_in(client, DEMO_LOGINS[role], role)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _sign_in


def post_form(client, url: str, data: dict, *, page: str | None = None, **kw):
    """POST a form with the CSRF token taken from ``page`` (default: the form's own page)."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_of(html)}, **kw)


def pass_and_sign_inspection(db, row):
    """zhang.eng passes every check of the inspection ``row`` and 韩梅 signs for the site:
    the inspection's view as the checks left it (the signature does not end the visit)."""
    from inventory import inspections
    from tests.builders import signature_png

    number = row.number
    checklist = inspections.inspection_view(db, row).checklist
    view = inspections.record_checklist(
        db,
        number,
        engineer_id=None,
        actor="zhang.eng",
        results=[{"key": item.key, "outcome": "pass"} for item in checklist],
    )
    inspections.sign_inspection(
        db,
        number,
        engineer_id=None,
        actor="zhang.eng",
        signer_name="韩梅",
        signature_png=signature_png(),
    )
    return view


def upload_delivery(client, content: bytes, filename: str = "d.csv", **fields: str):
    """Send a delivery file (CSV or Excel bytes) from the warehouse's import page, with the
    page's CSRF token and any other form ``fields`` (reference, strict)."""
    page = client.get("/warehouse/import").get_data(as_text=True)
    return client.post(
        "/warehouse/import",
        data={"csrf_token": csrf_of(page), **fields, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def delivered_rma(
    db, faulty_serial: str, *, site: str = "C001-S1", part_number: str = "SRV-2288-PSU", now=None
):
    """An advance replacement delivered to ``site``: the replacement is with the customer,
    the faulty unit ``faulty_serial`` still has to come back (the return window runs)."""
    from sqlalchemy import select

    from inventory import rmas
    from models import SerialItem

    view = rmas.open_rma(
        db,
        rmas.RmaRequest(
            kind="advance_replacement",
            site_code=site,
            faulty_part_number=part_number,
            fault_symptom="电源模块故障",
            faulty_serial=faulty_serial,
            internal_note="INTERNAL-NOTE-XYZ",
        ),
        actor="test.staff",
        now=now,
    )
    good = db.scalar(
        select(SerialItem)
        .join(SerialItem.part)
        .where(
            SerialItem.status == "in_stock",
            SerialItem.condition == "good",
            SerialItem.part.has(part_number=part_number),
        )
        .order_by(SerialItem.id)
    )
    depot = good.location.code
    db.rollback()
    for action, given in [
        ("approve", None),
        ("allocate", rmas.MoveInput(depot=depot)),
        ("ship", rmas.MoveInput(carrier="顺丰速运", waybill="SF1234567890")),
        ("deliver", None),
    ]:
        view = rmas.move_rma(db, view.number, action, actor="test.staff", given=given, now=now)
    db.rollback()
    return view


def open_ticket(
    db,
    *,
    site: str = "C001-S1",
    severity: str = "P1",
    part_number: str | None = "SRV-2288-PSU",
    symptom: str = "服务器宕机",
    now=None,
) -> str:
    """A new fault ticket with its clocks, as the dispatcher opens it; returns its number."""
    from app.geo import travel_model
    from inventory.dispatch_service import open_ticket_with_promise

    view = open_ticket_with_promise(
        db,
        travel_model(),
        site_code=site,
        severity=severity,
        channel="phone",
        symptom=symptom,
        actor="li.disp",
        part_number=part_number,
        now=now,
    )
    db.rollback()
    return view.number
