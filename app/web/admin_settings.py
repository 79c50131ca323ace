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
from app.auth import actor_name
from app.db import get_session
from app.web.admin import FieldError, domain_error, event_word, load_form
from app.web.auth import roles_page
from app.web.i18n import t
from inventory import audit, calendar_days
from inventory.errors import DomainError
from logistics.calendars import known_country
from models import CalendarException, utcnow

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
    data, errors = load_form(DayExceptionSchema(), payload)
    if not errors:
        try:
            row = calendar_days.add_exception(get_session(), actor=actor_name(), **data)
        except DomainError as error:
            get_session().rollback()
            errors = domain_error(error)
        else:
            key = "a14.cal.workday_added" if row.working else "a14.cal.holiday_added"
            flash(t(key, day=row.day.isoformat(), name=row.name), "success")
            return redirect(url_for("admin_settings.calendar", country=country))
    return _calendar_page(country, dict(request.form), errors)


@bp.post("/calendar/<int:exception_id>/remove")
@roles_page()
def calendar_remove(exception_id: int):
    db = get_session()
    try:
        row = calendar_days.remove_exception(db, exception_id, actor=actor_name())
    except DomainError:
        db.rollback()
        return render_template("error.html", code=404, message=t("error.not_found")), 404
    flash(t("a14.cal.removed", day=row.day.isoformat(), name=row.name), "success")
    return redirect(url_for("admin_settings.calendar", country=row.country))
