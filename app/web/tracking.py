"""Customer tracking page: no sign-in, by unguessable tracking code (inventory/tracking.py
decides what the holder of a code may see); the return label PDF; a customer's RMA list."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from app.auth import current_user
from app.db import get_session
from app.documents import access, files
from app.ratelimit import per_address
from app.web import documents
from app.web.auth import not_found_page, roles_page
from app.web.i18n import MESSAGES, t
from inventory.errors import NotFound
from inventory.tracking import code_candidates, grouped, rma_by_tracking_code, track
from models import Customer, Rma
from models.enums import Role

bp = Blueprint("tracking", __name__)
REPLACEMENT_STEPS = ("waiting", "reserved", "shipped", "delivered")


@bp.get("/track")
def track_form():
    return render_template("track/form.html", code="", not_found=False)


@bp.get("/track/lookup")
def track_lookup():
    code = (request.args.get("code") or "").strip()
    if not code:
        return redirect(url_for("tracking.track_form"))
    codes = code_candidates(code)  # read as a person types it: any case, any grouping
    return redirect(url_for("tracking.track_page", code=grouped(codes[0]) if codes else code[:64]))


def event_label(kind: str, fallback: str) -> str:
    """The timeline's words for an event kind; the tracking module's English label for a
    kind this catalogue does not know yet."""
    key = f"trk.event.{kind}"
    return t(key) if key in MESSAGES else fallback


@bp.get("/track/<code>")
@per_address("TRACKING_RATE_LIMIT")
def track_page(code: str):
    db = get_session()
    try:
        view = track(db, code)
    except NotFound:
        return render_template("track/form.html", code=code, not_found=True), 404
    rma = rma_by_tracking_code(db, code)
    return render_template(
        "track/page.html",
        view=view,
        code=code,
        display_code=grouped(rma.tracking_code) if rma else code,
        steps=REPLACEMENT_STEPS,
        step_index=REPLACEMENT_STEPS.index(view.replacement.step)
        if view.replacement.step in REPLACEMENT_STEPS
        else 0,
        label_url=url_for("tracking.return_label", code=code)
        if access.return_label_due(rma)
        else None,
        event_label=event_label,
    )


@bp.get("/track/<code>/return-label.pdf")
@per_address("TRACKING_RATE_LIMIT")
def return_label(code: str):
    db = get_session()
    rma = rma_by_tracking_code(db, code)
    if rma is None:  # the page's 404 for unknown and malformed codes alike
        return render_template("track/form.html", code=code, not_found=True), 404
    if not access.return_label_due(rma):
        return not_found_page()
    return files.return_label_of(
        db, rma, lang=documents.document_lang(), base_url=current_app.config["PUBLIC_BASE_URL"]
    ).response()


@bp.get("/my/rmas")
@roles_page("customer")
def my_rmas():
    """The customer's own RMAs with their tracking links (admin: the newest of all)."""
    user = current_user()
    db = get_session()
    stmt = select(Rma).order_by(Rma.id.desc()).limit(200)
    if user.role == Role.CUSTOMER.value:
        stmt = stmt.where(Rma.customer_id == (user.customer_id or -1))
    customer = (
        db.get(Customer, user.customer_id)
        if user.role == Role.CUSTOMER.value and user.customer_id
        else None
    )
    return render_template(
        "track/my_rmas.html",
        rmas=list(db.scalars(stmt)),
        customer=customer,
        report_months=documents.report_months(db, customer) if customer else [],
        return_label_due=access.return_label_due,
        fault_report_available=access.fault_report_available,
    )
