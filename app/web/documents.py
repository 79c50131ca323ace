"""The PDFs the pages offer: each document's link target, in the viewer's language.

The data comes from app/documents/builders.py and who may fetch what from
app/documents/access.py — the same rules the API (app/api/documents_api.py) follows.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from sqlalchemy.orm import Session

from app.auth import current_user
from app.db import get_session
from app.documents import (
    access,
    builders,
    render_fault_report,
    render_monthly_report,
    render_packing_slip,
    render_repair_form,
    render_return_label,
)
from app.web.auth import roles_page
from app.web.i18n import current_lang, t
from inventory.errors import Conflict, InvalidInput, NotFound
from models import Customer, Rma, utcnow
from models.enums import Role

bp = Blueprint("documents", __name__, url_prefix="/documents")


def document_lang() -> str:
    """The language of a downloaded PDF: ``?lang=`` if given, else the page's."""
    return "en" if (request.args.get("lang") or current_lang()) == "en" else "zh"


def _pdf(body: bytes, filename: str):
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return body, 200, {"Content-Type": "application/pdf", "Cache-Control": "no-store",
                       "Content-Disposition": f'attachment; filename="{safe}"'}


def _error(code: int, message: str):
    return render_template("error.html", code=code, message=message), code


def return_label_pdf(db: Session, rma: Rma, *, lang: str) -> bytes:
    data = builders.packing_slip_for(db, rma, current_app.config["PUBLIC_BASE_URL"], lang=lang)
    return render_return_label(data, lang=lang)


def report_months(db: Session, customer: Customer, now: datetime | None = None) -> list[tuple[int, int]]:
    """(year, month) of this month and the previous one, in the customer's zone."""
    today = (now or utcnow()).astimezone(ZoneInfo(builders.customer_timezone(db, customer))).date()
    previous = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return [(today.year, today.month), previous]


@bp.get("/rma/<number>/repair-form.pdf")
@roles_page("warehouse", "dispatcher", "engineer", "customer")
def repair_form(number: str):
    """The RMA's repair request form; a customer gets their own RMAs' forms only."""
    db = get_session()
    try:
        rma = access.rma_for(db, number, current_user())
    except NotFound:
        return _error(404, t("error.not_found"))
    return _pdf(render_repair_form(builders.repair_form_for(db, rma), lang=document_lang()), f"repair-form-{rma.number}.pdf")


@bp.get("/rma/<number>/packing-slip.pdf")
@roles_page("warehouse", "dispatcher", "engineer", "customer")
def packing_slip(number: str):
    db = get_session()
    try:
        rma = access.rma_for(db, number, current_user())
        access.require_packing_slip(rma)
    except NotFound:
        return _error(404, t("error.not_found"))
    except Conflict:
        return _error(409, t("doc.not_yet"))
    lang = document_lang()
    data = builders.packing_slip_for(db, rma, current_app.config["PUBLIC_BASE_URL"], lang=lang)
    return _pdf(render_packing_slip(data, lang=lang), f"packing-slip-{rma.number}.pdf")


@bp.get("/rma/<number>/return-label.pdf")
@roles_page("warehouse", "dispatcher", "engineer", "customer")
def return_label(number: str):
    db = get_session()
    try:
        rma = access.rma_for(db, number, current_user())
        access.require_return_label(rma)
    except NotFound:
        return _error(404, t("error.not_found"))
    except Conflict:
        return _error(409, t("doc.not_yet"))
    return _pdf(return_label_pdf(db, rma, lang=document_lang()), f"return-label-{rma.number}.pdf")


@bp.get("/ticket/<number>/fault-report.pdf")
@roles_page("warehouse", "dispatcher", "engineer", "customer")
def fault_report(number: str):
    db = get_session()
    user = current_user()
    try:
        ticket = access.ticket_for(db, number, user)
        access.require_fault_report(ticket)
    except NotFound:
        return _error(404, t("error.not_found"))
    except Conflict:
        return _error(409, t("doc.not_yet"))
    lang = document_lang()
    data = builders.fault_report_for(db, ticket, for_customer=user.role == Role.CUSTOMER.value, lang=lang)
    return _pdf(render_fault_report(data, lang=lang), f"fault-report-{ticket.number}.pdf")


@bp.get("/customer/<code>/monthly-report.pdf")
@roles_page("warehouse", "dispatcher", "customer")
def monthly_report(code: str):
    db = get_session()
    try:
        customer = access.customer_for(db, code, current_user())
        year, month = int(request.args.get("year", "")), int(request.args.get("month", ""))
        tz = builders.customer_timezone(db, customer)
        if not 1970 <= year <= 2199:
            raise InvalidInput("year out of range", field="year")
        builders.check_report_month(year, month, tz)
    except NotFound:
        return _error(404, t("error.not_found"))
    except (ValueError, InvalidInput):
        return _error(422, t("doc.bad_month"))
    lang = document_lang()
    data = builders.monthly_report_for(db, customer, year, month, tz, lang=lang)
    return _pdf(render_monthly_report(data, lang=lang), f"monthly-report-{customer.code}-{year}-{month:02d}.pdf")
