"""The customer's own pages: their sites and installed equipment (warranty, contract), open
and past tickets with their clocks, the documents; reporting a fault, asking for a unit to
be repaired, and confirming or rejecting a proposed closure."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth import actor_name, signed_in_user
from app.db import get_session
from app.documents import access
from app.geo import travel_model
from app.web import documents
from app.web.auth import roles_page
from app.web.dispatcher import ticket_clocks
from app.web.i18n import current_zone, error_text, t
from inventory import inspections, rmas, tickets
from inventory.dispatch_service import open_ticket_with_promise
from inventory.errors import DomainError
from inventory.visits import signed_visits
from logistics.sla import Severity
from models import Customer, Equipment, Rma, Site, Ticket
from models.enums import Role

bp = Blueprint("customer", __name__, url_prefix="/my")
SEVERITIES = [s.value for s in Severity]
RATINGS = ("response_time", "quality", "attitude", "overall")


def _customer() -> Customer | None:
    """The signed-in customer's unit (None for an admin looking at the page)."""
    user = signed_in_user()
    if user.role != Role.CUSTOMER.value or user.customer_id is None:
        return None
    return get_session().get(Customer, user.customer_id)


def _equipment(customer: Customer | None) -> list[Equipment]:
    if customer is None:
        return []
    return list(
        get_session().scalars(
            select(Equipment)
            .options(
                joinedload(Equipment.site),
                joinedload(Equipment.part),
                joinedload(Equipment.contract),
            )
            .where(Equipment.customer_id == customer.id, Equipment.active)
            .order_by(Equipment.site_id, Equipment.serial)
        )
    )


def _sites(customer: Customer | None) -> list[Site]:
    if customer is None:
        return []
    return list(
        get_session().scalars(
            select(Site).where(Site.customer_id == customer.id).order_by(Site.code)
        )
    )


@bp.get("/")
@roles_page("customer")
def overview():
    db = get_session()
    customer = _customer()
    shown: list[Ticket] = []
    if customer is not None:
        shown = list(
            db.scalars(
                select(Ticket)
                .options(joinedload(Ticket.site))
                .where(Ticket.customer_id == customer.id)
                .order_by(Ticket.id.desc())
                .limit(200)
            )
        )
    open_statuses = {s.value for s in tickets.OPEN_STATUSES}
    return render_template(
        "customer/overview.html",
        customer=customer,
        sites=_sites(customer),
        equipment=_equipment(customer),
        open_tickets=[tk for tk in shown if tk.status in open_statuses],
        past_tickets=[tk for tk in shown if tk.status not in open_statuses][:50],
        rmas_of={
            r.ticket_id: r
            for r in db.scalars(
                select(Rma).where(Rma.ticket_id.in_([tk.id for tk in shown])).order_by(Rma.id)
            )
        },
        has_sheet=lambda tk: bool(signed_visits(db, tk)),
        clocks_of=ticket_clocks,
        fault_report_available=access.fault_report_available,
        report_months=documents.report_months(db, customer) if customer else [],
        ratings=RATINGS,
        today=datetime.now(ZoneInfo(current_zone())).date(),
        inspections=_inspections(customer),
    )


def _inspections(customer: Customer | None) -> list:
    """The customer's inspections of the last 90 days and the next 90, by day."""
    if customer is None:
        return []
    today = datetime.now(ZoneInfo(current_zone())).date()
    return inspections.inspections_between(
        get_session(),
        today - timedelta(days=90),
        today + timedelta(days=90),
        customer_id=customer.id,
    )


@bp.route("/report", methods=["GET", "POST"])
@roles_page("customer")
def report_fault():
    """Report a fault: site, the unit (from the list, or its serial typed), the symptom and
    how bad it is in plain words (P1–P4)."""
    customer = _customer()
    form = request.form
    if request.method == "POST" and customer is not None:
        db = get_session()
        serial = (form.get("serial_typed") or "").strip() or (form.get("serial") or "").strip()
        site = (form.get("site") or "").strip()
        try:
            if serial and not site:
                site = _site_of(db, customer, serial)
            view = open_ticket_with_promise(
                db,
                travel_model(),
                site_code=site,
                severity=form.get("severity", ""),
                channel="web",
                symptom=(form.get("symptom") or "").strip(),
                actor=actor_name(),
                equipment_serial=serial or None,
                contact_name=(form.get("contact_name") or "").strip() or None,
                contact_phone=(form.get("contact_phone") or "").strip() or None,
                customer_id=customer.id,
            )
        except DomainError as error:
            _failed(error)
        else:
            flash(t("cust.report.done", ticket=view.number), "success")
            return redirect(url_for("customer.overview"))
    return render_template(
        "customer/report.html",
        customer=customer,
        sites=_sites(customer),
        equipment=_equipment(customer),
        severities=SEVERITIES,
        form=form,
    ), (422 if request.method == "POST" else 200)


def _site_of(db, customer: Customer, serial: str) -> str:
    from inventory.errors import NotFound

    site = db.scalar(
        select(Site.code)
        .join(Equipment, Equipment.site_id == Site.id)
        .where(Equipment.serial == serial, Equipment.customer_id == customer.id)
    )
    if site is None:
        raise NotFound(
            f"no installed equipment with serial {serial!r}",
            field="equipment_serial",
            key="no_equipment",
            params={"serial": serial},
        )
    return site


def _failed(error: DomainError) -> None:
    """Say on the page what the service refused and which field it was about."""
    flash(t("cust.report.failed", field=_field(error), message=error_text(error)), "error")


def _field(error: DomainError) -> str:
    """The form field an error is about, in the viewer's words."""
    key = f"cust.field.{error.field}"
    from app.web.i18n import MESSAGES

    return t(key) if key in MESSAGES else t("cust.field.form")


@bp.route("/repair", methods=["GET", "POST"])
@roles_page("customer")
def request_repair():
    """Ask for a unit to be repaired (return for repair): which unit and what is wrong."""
    customer = _customer()
    form = request.form
    if request.method == "POST" and customer is not None:
        db = get_session()
        try:
            view = rmas.request_repair_return(
                db,
                customer_id=customer.id,
                serial=(form.get("serial") or "").strip(),
                fault_symptom=form.get("fault_symptom") or "",
                actor=actor_name(),
                contact_name=(form.get("contact_name") or "").strip() or None,
                phone=(form.get("phone") or "").strip() or None,
            )
        except DomainError as error:
            _failed(error)
        else:
            flash(t("cust.repair.done", rma=view.number), "success")
            return redirect(url_for("tracking.my_rmas"))
    return render_template(
        "customer/repair.html",
        customer=customer,
        equipment=_equipment(customer),
        chosen=request.args.get("serial") or form.get("serial") or "",
        form=form,
    ), (422 if request.method == "POST" else 200)


@bp.post("/tickets/<ref>/close")
@roles_page("customer")
def answer_closure(ref: str):
    """The customer's answer to a proposed closure: confirmed (with the survey) or not
    fixed (the ticket goes back to the engineer)."""
    customer = _customer()
    db = get_session()
    confirmed = request.form.get("confirmed") == "yes"
    ratings: dict[str, int | None] = {}
    for question in RATINGS:
        value = request.form.get(question, "")
        if value.isdigit():
            ratings[question] = int(value)
    try:
        tickets.close_ticket(
            db,
            ref,
            actor=actor_name(),
            confirmed=confirmed,
            ratings=ratings,
            comment=(request.form.get("comment") or "").strip() or None,
            customer_id=customer.id if customer else -1,
        )
    except DomainError as error:
        _failed(error)
    else:
        done = t("cust.closed", ticket=ref) if confirmed else t("cust.reopened", ticket=ref)
        flash(done, "success")
    return redirect(url_for("customer.overview"))
