"""The administration of settings kept as data: the working calendar's exceptions (and,
below, webhook endpoints), checked by the API's schemas and recorded in the audit trail."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from inventory import contracts
from inventory.calendar_days import add_exception
from models import CalendarException, Event, WebhookEndpoint
from tests.web.conftest import post_form


def test_a_company_holiday_added_on_the_calendar_page_is_listed_and_audited(client, as_role, db):
    as_role("admin")
    response = post_form(
        client, "/admin/calendar", {"day": "2027-01-04", "name": "公司年会", "working": "false"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert 'data-day="2027-01-04"' in page and "公司年会" in page and "休息日" in page
    event = db.scalar(select(Event).where(Event.subject_type == "calendar"))
    assert (event.kind, event.subject_ref, event.actor) == ("day_added", "CN", "admin")
    assert event.data["day"] == "2027-01-04"
    db.rollback()
    audit = client.get("/admin/audit?type=calendar&ref=CN").get_data(as_text=True)
    assert "新增例外日" in audit and "公司年会" in audit

    again = post_form(client, "/admin/calendar", {"day": "2027-01-04", "name": "again"})
    assert again.status_code == 422
    assert 'data-field="day"' in again.get_data(as_text=True)  # the field is named
    assert "again" in again.get_data(as_text=True)  # the form comes back as typed

    row_id = db.scalar(select(CalendarException.id))
    db.rollback()
    gone = post_form(client, f"/admin/calendar/{row_id}/remove", {}, page="/admin/calendar")
    assert gone.status_code == 302
    assert 'data-day="2027-01-04"' not in client.get("/admin/calendar").get_data(as_text=True)
    kinds = db.scalars(select(Event.kind).where(Event.subject_type == "calendar")).all()
    assert sorted(kinds) == ["day_added", "day_removed"]
    db.rollback()


def test_the_calendar_form_is_checked_by_the_apis_schema(client, as_role):
    as_role("admin")
    for data, field in (
        ({"day": "2027-02-30", "name": "x"}, "day"),
        ({"day": "2027-02-03", "name": ""}, "name"),
        ({"day": "2027-02-03", "name": "x" * 81}, "name"),
    ):
        response = post_form(client, "/admin/calendar", data)
        assert response.status_code == 422, data
        assert f'data-field="{field}"' in response.get_data(as_text=True), data


def test_other_roles_cannot_change_the_calendar(client, as_role):
    as_role("dispatcher")
    assert client.get("/admin/calendar").status_code == 403


def test_a_company_holiday_moves_the_deadline_of_a_five_by_eight_contract(db):
    contracts.create_contract(
        db,
        customer_code="C001",
        code="C001-5X8",
        coverage="5x8",
        coverage_start_min=9 * 60,
        coverage_end_min=17 * 60,
    )
    contract = contracts.contract_by_code(db, "C001-5X8")
    monday_10 = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    before = contracts.contract_calendar(contract).add_working_minutes(monday_10, 480)
    assert before == datetime(2027, 3, 2, 2, 0, tzinfo=UTC)  # Tuesday 10:00

    add_exception(db, day=date(2027, 3, 2), name="公司年会", actor="admin")
    after = contracts.contract_calendar(contract).add_working_minutes(monday_10, 480)
    assert after == datetime(2027, 3, 3, 2, 0, tzinfo=UTC)  # the holiday is skipped

    add_exception(db, day=date(2027, 3, 6), name="周六上班", working=True, actor="admin")
    calendar = contracts.contract_calendar(contract)
    assert calendar.is_working_day(date(2027, 3, 6)) and not calendar.is_working_day(
        date(2027, 3, 2)
    )


def test_a_webhook_endpoint_is_created_with_a_secret_shown_once_then_tested_and_deactivated(
    client, as_role, db
):
    as_role("admin")
    bad = post_form(client, "/admin/webhooks", {"name": "erp", "url": "ftp://erp.example/hook"})
    assert bad.status_code == 422 and 'data-field="url"' in bad.get_data(as_text=True)
    short = post_form(
        client, "/admin/webhooks", {"name": "erp", "url": "https://erp.example/h", "secret": "x"}
    )
    assert short.status_code == 422 and 'data-field="secret"' in short.get_data(as_text=True)

    created = post_form(client, "/admin/webhooks", {"name": "erp", "url": "https://erp.example/h"})
    html = created.get_data(as_text=True)
    assert created.status_code == 200 and 'id="new-secret"' in html
    secret = db.scalar(select(WebhookEndpoint.secret).where(WebhookEndpoint.name == "erp"))
    db.rollback()
    assert secret in html
    page = client.get("/admin/webhooks/erp").get_data(as_text=True)
    assert secret not in page and "…" + secret[-4:] in page  # shown once, then only its end

    ping = post_form(client, "/admin/webhooks/erp", {"action": "ping"})
    assert ping.status_code == 302
    page = client.get("/admin/webhooks/erp").get_data(as_text=True)
    assert 'data-status="pending"' in page and "测试消息" in page  # the log and the trail
    off = post_form(client, "/admin/webhooks/erp", {"action": "deactivate"})
    assert off.status_code == 302
    active = db.scalar(select(WebhookEndpoint.active).where(WebhookEndpoint.name == "erp"))
    kinds = db.scalars(
        select(Event.kind).where(Event.subject_type == "webhook").order_by(Event.id)
    ).all()
    db.rollback()
    assert active is False and kinds == ["created", "ping_queued", "deactivated"]
    assert "erp" in client.get("/admin/webhooks").get_data(as_text=True)
