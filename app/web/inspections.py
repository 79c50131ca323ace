"""Preventive inspections (巡检) on the pages: a contract's programme (admin) and the
year's visits generated from it, the calendar per engineer and per customer, and the
engineer's phone page for one inspection — checklist, photos, findings that open tickets,
the customer's signature, the report. The phone page sends each step to the inspection
API (app/api/inspections.py) through the same queue kept on the phone as the visit pages
(static/js/visit.js), so an inspection recorded offline is sent, once, when the
connection returns; it lives under /engineer/ so the engineer pages' service worker keeps
it."""

from __future__ import annotations

import calendar as month_calendar
import re
from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.auth import actor_name, signed_in_user
from app.db import get_session
from app.documents.access import engineer_id
from app.web.auth import engineer_filter, not_found_page, roles_page
from app.web.i18n import error_text, t
from inventory import inspections as svc
from inventory.contracts import contract_by_code
from inventory.errors import DomainError, InvalidInput, NotFound
from inventory.sla_outcomes import inspection_outcome
from models import Customer, Engineer, Site, utcnow
from models.enums import Role

bp = Blueprint("inspections_web", __name__)
HH_MM = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


# --- the programme (admin) ---------------------------------------------------------------


def _minutes(text: str, field: str) -> int:
    match = HH_MM.match((text or "").strip())
    if not match:
        raise InvalidInput(t("ins.hh_mm"), field=field, key="hh_mm")
    return int(match[1]) * 60 + int(match[2])


def checklist_text(checklists: dict) -> str:
    """The checklists as the form's lines: ``kind | group | item | expected``."""
    return "\n".join(
        f"{kind} | {i['group']} | {i['item']} | {i['expected']}"
        for kind, items in checklists.items()
        for i in items
    )


def parse_checklist(text: str) -> dict[str, list[dict]]:
    """The form's lines back into checklists (the domain checks them, naming the item)."""
    out: dict[str, list[dict]] = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("|")] + ["", "", ""]
        kind, group, item, expected = cells[:4]
        out.setdefault(kind or svc.ANY_KIND, []).append(
            {"group": group, "item": item, "expected": expected}
        )
    return out


def programme_values(form) -> dict:
    """The programme form as ``inventory.inspections.set_programme`` takes it."""
    start = _minutes(form.get("preferred_start", ""), "preferred_start_min")
    end = _minutes(form.get("preferred_end", ""), "preferred_end_min")
    return {
        "frequency": form.get("frequency") or None,
        "mode": form.get("mode") or None,
        "site_codes": form.getlist("site"),
        "checklists": parse_checklist(form.get("checklist", "")),
        "report_days": _number(form.get("report_days"), "report_days"),
        "training": form.get("training") == "true",
        "preferred_weekdays": "".join(form.getlist("weekday")),
        "preferred_start_min": start,
        "preferred_end_min": end,
        "visit_minutes": _number(form.get("visit_minutes"), "visit_minutes"),
        "active": form.get("active") != "false",
    }


def _number(text: str | None, field: str) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        raise InvalidInput(t("ins.whole_number"), field=field, key="whole_number") from None


@bp.route("/inspections/programme/<code>", methods=["GET", "POST"])
@roles_page("admin")
def programme(code: str):
    """Create or edit the contract's inspection programme; generate a year's visits."""
    db = get_session()
    try:
        contract = contract_by_code(db, code)
    except NotFound:
        return not_found_page()
    if request.method == "POST":
        try:
            values = programme_values(request.form)
            svc.set_programme(db, code, actor=actor_name(), **values)
        except DomainError as error:
            flash(t("ins.save_failed", field=error.field or "", message=error_text(error)), "error")
        else:
            flash(t("ins.saved", code=code), "success")
            return redirect(url_for("inspections_web.programme", code=code))
    current = svc.programme_of(db, contract)
    view = svc.programme_view(current) if current else None
    sites = list(
        db.scalars(select(Site).where(Site.customer_id == contract.customer_id).order_by(Site.code))
    )
    return render_template(
        "inspections/programme.html",
        contract=contract,
        programme=view,
        sites=sites,
        checklist=checklist_text(view.checklists if view else svc.DEFAULT_CHECKLIST),
        frequencies=svc.FREQUENCIES,
        modes=svc.MODES,
        year=utcnow().year + 1,
    )


@bp.post("/inspections/programme/<code>/generate")
@roles_page("admin", "dispatcher")
def generate(code: str):
    db = get_session()
    try:
        year = int(request.form.get("year", ""))
        done = svc.generate_visits(db, code, year, actor=actor_name())
    except ValueError:
        flash(t("ins.generate_failed", message=t("ins.whole_number")), "error")
    except DomainError as error:
        flash(t("ins.generate_failed", message=error_text(error)), "error")
    else:
        flash(
            t("ins.generated", n=len(done.created), existing=done.existing, year=done.year),
            "success",
        )
    return redirect(url_for("inspections_web.programme", code=code))


# --- the calendar --------------------------------------------------------------------------


def _month(text: str | None) -> date:
    try:
        year, month = (int(x) for x in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        today = utcnow().date()
        return date(today.year, today.month, 1)


def month_weeks(first: date) -> list[list[date | None]]:
    """The month as weeks Monday to Sunday (None outside the month)."""
    weeks = month_calendar.Calendar().monthdatescalendar(first.year, first.month)
    return [[d if d.month == first.month else None for d in week] for week in weeks]


@bp.get("/inspections/calendar")
@roles_page("dispatcher", "engineer", "customer")
def calendar():
    """A month of inspection visits for one engineer or one customer (an engineer sees
    their own, a customer theirs)."""
    db = get_session()
    user = signed_in_user()
    first = _month(request.args.get("month"))
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    engineer = customer = None
    if user.role == Role.ENGINEER.value:
        mine = engineer_id(db, user)
        engineer = db.get(Engineer, mine) if mine else None
    elif user.role == Role.CUSTOMER.value:
        customer = db.get(Customer, user.customer_id) if user.customer_id else None
    else:
        code = request.args.get("engineer") or ""
        if code:
            engineer = db.scalar(select(Engineer).where(Engineer.code == code))
        code = request.args.get("customer") or ""
        if code and engineer is None:
            customer = db.scalar(select(Customer).where(Customer.code == code))
    rows = []
    if engineer is not None or customer is not None:
        rows = svc.inspections_between(
            db,
            first,
            last,
            engineer_id=engineer.id if engineer else None,
            customer_id=customer.id if customer else None,
        )
    by_day: dict[date, list] = {}
    for row in rows:
        by_day.setdefault(row.day, []).append(row)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    staff = user.role not in (Role.ENGINEER.value, Role.CUSTOMER.value)
    return render_template(
        "inspections/calendar.html",
        first=first,
        weeks=month_weeks(first),
        by_day=by_day,
        engineer=engineer,
        customer=customer,
        engineers=list(db.scalars(select(Engineer).order_by(Engineer.code))) if staff else [],
        customers=list(db.scalars(select(Customer).order_by(Customer.code))) if staff else [],
        previous=previous.strftime("%Y-%m"),
        following=following.strftime("%Y-%m"),
        staff=staff,
    )


# --- the engineer's phone page -------------------------------------------------------------


def upcoming_for_engineer(days: int = 14) -> list:
    """The signed-in engineer's inspections from today for ``days`` (admin: everyone's)."""
    today = utcnow().date()
    mine = engineer_filter()
    return svc.inspections_between(
        get_session(), today - timedelta(days=1), today + timedelta(days=days), engineer_id=mine
    )


@bp.get("/engineer/inspections/<number>")
@roles_page("engineer")
def phone_page(number: str):
    db = get_session()
    try:
        row = svc.inspection_for_engineer(db, number, engineer_filter())
    except NotFound:
        return not_found_page()
    view = svc.inspection_view(db, row)
    results = {r["key"]: r for r in view.results}
    return render_template(
        "inspections/phone.html",
        ins=view,
        row=row,
        results=results,
        groups=svc.GROUPS,
        outcomes=svc.OUTCOMES,
        clock=inspection_outcome(row),
    )
