"""Customer problems and complaints on the pages: the customer files one and follows it on
their own pages (/my/complaints) and gives their opinion once it is resolved; dispatchers
keep the record (/complaints): department, planned measures, supervision log, resolution.
The rules are inventory/complaints.py's."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from app.auth import actor_name, signed_in_user
from app.db import get_session
from app.web.auth import roles_page
from app.web.i18n import MESSAGES, error_text, t
from inventory import complaints as svc
from inventory.errors import DomainError, NotFound
from inventory.sla_outcomes import complaint_outcomes
from models import Customer
from models.complaints import COMPLAINT_KINDS, COMPLAINT_STATUSES
from models.enums import Role

bp = Blueprint("complaints", __name__)


def _customer_id() -> int | None:
    """The signed-in customer's unit; None for staff (an admin sees every complaint)."""
    user = signed_in_user()
    if user.role == Role.CUSTOMER.value:
        return user.customer_id if user.customer_id is not None else -1
    return None


def _failed(error: DomainError) -> None:
    key = f"cpl.field.{error.field}"
    field = t(key) if key in MESSAGES else t("cust.field.form")
    flash(t("cpl.failed", field=field, message=error_text(error)), "error")


def _complaint_or_404(number: str, customer_id: int | None):
    try:
        return svc.complaint_by_number(get_session(), number, customer_id=customer_id)
    except NotFound:
        abort(404)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        from inventory.errors import InvalidInput

        raise InvalidInput(
            "not a date (YYYY-MM-DD)", field="expected_resolution_date", key="not_a_date"
        ) from None


def _rating(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() else None


def _complaint_words(form) -> dict:
    """What the customer's form and the dispatcher's both ask (complaints/_fields.html, and
    the kind and urgency), as ``svc.file_complaint`` takes it."""
    return {
        "kind": form.get("kind", ""),
        "urgency": form.get("urgency", ""),
        "subject": form.get("subject", ""),
        "description": form.get("description", ""),
        "contact_name": form.get("contact_name"),
        "contact_phone": form.get("contact_phone"),
        "ticket_ref": (form.get("ticket") or "").strip() or None,
    }


def _list_context() -> dict:
    """What both complaint lists and forms show: the statuses whose clocks run, the clocks,
    and the kinds and urgencies to choose from."""
    return {
        "open_statuses": svc.OPEN,
        "clocks_of": complaint_outcomes,
        "kinds": COMPLAINT_KINDS,
        "urgencies": svc.URGENCIES,
    }


# --- the customer's pages ----------------------------------------------------------------------


@bp.route("/my/complaints", methods=["GET", "POST"])
@roles_page("customer")
def mine():
    """The customer's problems and complaints with their clocks, and a form to file one."""
    db = get_session()
    scope = _customer_id()
    form = request.form
    status = 200
    if request.method == "POST":
        try:
            if scope is None:
                raise NotFound(
                    "an administrator files complaints on the staff page",
                    field="form",
                    key="complaints_staff_page",
                )
            view = svc.file_complaint(
                db,
                customer_id=scope,
                **_complaint_words(form),
                actor=actor_name(),
                channel="web",
            )
        except DomainError as error:
            _failed(error)
            status = 422
        else:
            flash(t("cpl.filed", number=view.number), "success")
            return redirect(url_for("complaints.my_complaint", number=view.number))
    rows = svc.list_complaints(db, customer_id=scope, limit=200) if scope is not None else []
    customer = db.get(Customer, scope) if scope else None
    return render_template(
        "customer/complaints.html",
        **_list_context(),
        customer=customer,
        complaints=rows,
        form=form,
    ), status


@bp.get("/my/complaints/<number>")
@roles_page("customer")
def my_complaint(number: str):
    db = get_session()
    scope = _customer_id()
    c = _complaint_or_404(number, scope)
    return render_template(
        "customer/complaint.html",
        c=c,
        clocks=complaint_outcomes(c),
        log=svc.complaint_log(db, c, for_customer=scope is not None),
    )


@bp.post("/my/complaints/<number>/opinion")
@roles_page("customer")
def give_opinion(number: str):
    scope = _customer_id()
    c = _complaint_or_404(number, scope)
    try:
        svc.record_opinion(
            get_session(),
            c.number,
            opinion=request.form.get("opinion"),
            satisfaction=_rating(request.form.get("satisfaction")),
            actor=actor_name(),
            customer_id=scope,
        )
    except DomainError as error:
        _failed(error)
    else:
        flash(t("cpl.opinion_done"), "success")
    return redirect(url_for("complaints.my_complaint", number=c.number))


# --- the staff's pages ------------------------------------------------------------------------


@bp.route("/complaints/", methods=["GET", "POST"])
@roles_page("dispatcher")
def board():
    """Every customer problem, open ones first by their nearest deadline; a form to record
    one received by phone, fax, e-mail or in person."""
    db = get_session()
    form = request.form
    status_code = 200
    if request.method == "POST":
        try:
            view = svc.file_complaint(
                db,
                customer_code=(form.get("customer") or "").strip(),
                **_complaint_words(form),
                channel=form.get("channel", "phone"),
                actor=actor_name(),
            )
        except DomainError as error:
            _failed(error)
            status_code = 422
        else:
            flash(t("cpl.filed", number=view.number), "success")
            return redirect(url_for("complaints.staff_complaint", number=view.number))
    wanted = request.args.get("status")
    rows = svc.list_complaints(db, status=wanted if wanted in COMPLAINT_STATUSES else None)
    open_rows = sorted((c for c in rows if c.status in svc.OPEN), key=lambda c: c.response_due)
    rows = open_rows + [c for c in rows if c.status not in svc.OPEN]
    return render_template(
        "complaints/board.html",
        **_list_context(),
        complaints=rows,
        customers=list(db.query(Customer).order_by(Customer.code)),
        channels=svc.CHANNELS,
        statuses=COMPLAINT_STATUSES,
        wanted=wanted,
        form=form,
    ), status_code


@bp.get("/complaints/<number>")
@roles_page("dispatcher")
def staff_complaint(number: str):
    db = get_session()
    c = _complaint_or_404(number, None)
    return render_template(
        "complaints/record.html",
        open_statuses=svc.OPEN,
        c=c,
        clocks=complaint_outcomes(c),
        log=svc.complaint_log(db, c, for_customer=False),
        departments=svc.list_departments(db, active_only=True),
    )


@bp.post("/complaints/<number>/<any(respond, supervise, resolve):action>")
@roles_page("dispatcher")
def act(number: str, action: str):
    db = get_session()
    c = _complaint_or_404(number, None)
    form = request.form
    try:
        if action == "respond":
            svc.respond(
                db,
                c.number,
                department_code=form.get("department", ""),
                planned_measures=form.get("planned_measures", ""),
                expected_resolution_date=_day(form.get("expected_resolution_date")),
                actor=actor_name(),
            )
        elif action == "supervise":
            svc.supervise(db, c.number, text=form.get("text", ""), actor=actor_name())
        else:
            svc.resolve(db, c.number, resolution=form.get("resolution", ""), actor=actor_name())
    except DomainError as error:
        _failed(error)
    else:
        flash(t(f"cpl.done.{action}"), "success")
    return redirect(url_for("complaints.staff_complaint", number=c.number))


# --- the departments (the admin's) -------------------------------------------------------------


@bp.route("/complaints/departments", methods=["GET", "POST"])
@roles_page()
def departments():
    """The departments customer problems are sent to, and their heads; add one."""
    db = get_session()
    form = request.form
    status_code = 200
    if request.method == "POST":
        try:
            svc.create_department(
                db,
                code=form.get("code", ""),
                name=form.get("name", ""),
                name_en=form.get("name_en"),
                head_name=form.get("head_name", ""),
                head_email=form.get("head_email"),
                actor=actor_name(),
            )
        except DomainError as error:
            _failed(error)
            status_code = 422
        else:
            flash(t("cpl.dept_added", code=form.get("code", "").strip()), "success")
            return redirect(url_for("complaints.departments"))
    return render_template(
        "complaints/departments.html", departments=svc.list_departments(db), form=form
    ), status_code
