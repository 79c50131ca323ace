"""Administration of the settings kept as data: the working calendar's exceptions (a
company holiday, a day worked) and the webhook endpoints with their delivery log.

As on the other administration pages (app/web/admin.py), a form is read into the JSON
body the API takes, checked by the API's own schema and handed to the same service of
``inventory/``, which records the change for the audit trail.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.api.calendar import DayExceptionSchema
from app.api.webhooks import EndpointSchema, EndpointUpdate
from app.auth import actor_name
from app.db import get_session
from app.web.admin import FieldError, event_word, save_form
from app.web.auth import not_found_page, roles_page
from app.web.i18n import day_text, t
from inventory import audit, calendar_days, webhooks
from inventory.errors import DomainError
from logistics.calendars import known_country
from models import CalendarException, WebhookEndpoint, utcnow

bp = Blueprint("admin_settings", __name__, url_prefix="/admin")
bp.context_processor(lambda: {"event_word": event_word})


# --- the working calendar ----------------------------------------------------------------------


def _country_arg() -> str:
    country = (request.values.get("country") or "CN").strip().upper()
    return country if len(country) == 2 and known_country(country) else "CN"


def _calendar_page(country: str, values: dict, errors: list[FieldError]):
    db = get_session()
    this_year = utcnow().year
    rows = [
        calendar_days.exception_view(r)
        for r in db.scalars(
            select(CalendarException)
            .where(
                CalendarException.country == country,
                CalendarException.day >= date(this_year - 1, 1, 1),
            )
            .order_by(CalendarException.day)
            .limit(1000)
        )
    ]
    trail = audit.audit_trail(db, audit.resolve_subject(db, "calendar", country))
    return render_template(
        "admin/calendar.html",
        country=country,
        rows=rows,
        values=values,
        errors=errors,
        trail=trail,
    ), (422 if errors else 200)


@bp.route("/calendar", methods=["GET", "POST"])
@roles_page()
def calendar():
    """The company's days off and days worked in a country, and a form adding one
    (``DayExceptionSchema``, ``inventory.calendar_days.add_exception``)."""
    country = _country_arg()
    if request.method == "GET":
        return _calendar_page(country, {"working": "false"}, [])
    payload = {
        "country": country,
        "day": request.form.get("day", "").strip(),
        "name": request.form.get("name", "").strip(),
        "working": request.form.get("working") == "true",
    }
    row, errors = save_form(
        DayExceptionSchema(),
        payload,
        lambda data: calendar_days.add_exception(get_session(), actor=actor_name(), **data),
    )
    if not errors:
        key = "a14.cal.workday_added" if row.working else "a14.cal.holiday_added"
        flash(t(key, day=day_text(row.day), name=row.name), "success")
        return redirect(url_for("admin_settings.calendar", country=country))
    return _calendar_page(country, dict(request.form), errors)


@bp.post("/calendar/<int:exception_id>/remove")
@roles_page()
def calendar_remove(exception_id: int):
    db = get_session()
    try:
        row = calendar_days.remove_exception(db, exception_id, actor=actor_name())
    except DomainError:
        return not_found_page()
    flash(t("a14.cal.removed", day=day_text(row.day), name=row.name), "success")
    return redirect(url_for("admin_settings.calendar", country=row.country))


# --- webhook endpoints and their delivery log ------------------------------------------------


def _endpoint_page(row, errors: list[FieldError], *, new_secret: str | None = None):
    db = get_session()
    log, total = webhooks.delivery_log(db, row.id, page=1, page_size=DELIVERIES_SHOWN)
    trail = audit.audit_trail(db, audit.resolve_subject(db, "webhook", row.name))
    return render_template(
        "admin/webhook.html",
        endpoint=webhooks.endpoint_view(row),
        log=log,
        total=total,
        shown=DELIVERIES_SHOWN,
        errors=errors,
        new_secret=new_secret,
        values=dict(request.form) if errors else {"url": row.url},
        trail=trail,
    ), (422 if errors else 200)


DELIVERIES_SHOWN = 50


@bp.route("/webhooks", methods=["GET", "POST"])
@roles_page()
def webhook_list():
    """The endpoints and a form adding one (``EndpointSchema``); the new secret is shown on
    the answer to the creation only."""
    db = get_session()
    errors: list[FieldError] = []
    values: dict[str, str] = {}
    if request.method == "POST":
        values = dict(request.form)
        payload = {k: request.form.get(k, "").strip() for k in ("name", "url", "secret")}
        payload = {k: v for k, v in payload.items() if v}
        created, errors = save_form(
            EndpointSchema(),
            payload,
            lambda data: webhooks.create_endpoint(db, actor=actor_name(), **data),
        )
        if not errors:
            view, secret = created
            flash(t("a14.wh.created", name=view.name), "success")
            return _endpoint_page(webhooks.endpoint_by_name(db, view.name), [], new_secret=secret)
    rows = [
        webhooks.endpoint_view(r)
        for r in db.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.name))
    ]
    return render_template("admin/webhooks.html", rows=rows, values=values, errors=errors), (
        422 if errors else 200
    )


def _endpoint_or_404(name: str):
    return get_session().scalar(select(WebhookEndpoint).where(WebhookEndpoint.name == name))


@bp.get("/webhooks/<name>")
@roles_page()
def webhook_page(name: str):
    row = _endpoint_or_404(name)
    if row is None:
        return not_found_page()
    return _endpoint_page(row, [])


WEBHOOK_ACTIONS = {
    "details": lambda form: {"url": form.get("url", "").strip()},
    "deactivate": lambda form: {"active": False},
    "reactivate": lambda form: {"active": True},
    "rotate": lambda form: {"rotate_secret": True},
}


@bp.post("/webhooks/<name>")
@roles_page()
def webhook_change(name: str):
    """One of the endpoint page's forms: its URL, deactivating / reactivating, a new
    secret (``EndpointUpdate``), or a test message."""
    db = get_session()
    row = _endpoint_or_404(name)
    if row is None:
        return not_found_page()
    action = request.form.get("action", "")
    if action == "ping":
        webhooks.send_test(db, name, actor=actor_name())
        flash(t("a14.wh.ping_queued"), "success")
        return redirect(url_for("admin_settings.webhook_page", name=name))
    if action not in WEBHOOK_ACTIONS:
        return render_template("error.html", code=400, message=t("adm.bad_action")), 400
    saved, errors = save_form(
        EndpointUpdate(),
        WEBHOOK_ACTIONS[action](request.form),
        lambda data: webhooks.update_endpoint(db, name, actor=actor_name(), **data),
    )
    if not errors:
        _view, secret = saved
        flash(t(f"a14.wh.{action}_done", name=name), "success")
        if secret is not None:
            return _endpoint_page(row, [], new_secret=secret)
        return redirect(url_for("admin_settings.webhook_page", name=name))
    return _endpoint_page(row, errors)
