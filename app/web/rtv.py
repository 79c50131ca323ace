"""Return to vendor on the web (warehouse console): the claims and their ageing, a new claim
from the faulty units on the depot's shelf or at a vendor's site, shipping it, what the
vendor did with each unit, and the credit. The rules live in inventory/rtv.py; these pages
read forms into the same calls the API makes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.auth import actor_name, signed_in_user
from app.db import get_session
from app.web.auth import not_found_page, roles_page
from app.web.i18n import error_text, t
from app.web.warehouse import my_depot
from inventory import rtv as svc
from inventory import warranty
from inventory.errors import DomainError, InvalidInput
from models.enums import Role
from models.rtv import WarrantyBasis

bp = Blueprint("rtv", __name__, url_prefix="/rtv")
READERS = ("warehouse", "dispatcher")
TEXT_LIMIT = 500


def _text(name: str, limit: int = 64) -> str:
    text = (request.form.get(name) or "").strip()
    if len(text) > limit:
        raise InvalidInput(
            t("form.too_long", field=name, n=limit, got=len(text)),
            field=name,
            key="too_long",
            params={"field": name, "n": limit, "got": len(text)},
        )
    return text


def _failed(error: DomainError, to: str):
    flash(t("wh.failed", message=error_text(error)), "error")
    return redirect(to)


def _may_act() -> bool:
    return signed_in_user().role in (Role.WAREHOUSE.value, Role.ADMIN.value)


@bp.get("/")
@roles_page(*READERS)
def index():
    """The claims (newest first), their ageing per vendor, the per-vendor report
    (turnaround, no-fault-found rate, repair yield, money recovered against claimed), the
    vendors' warranty terms (set by an admin) and a new claim's form."""
    db = get_session()
    depot = my_depot() if _may_act() else None
    return render_template(
        "rtv/index.html",
        claims=svc.list_rtvs(db, status=request.args.get("status") or None),
        ageing=svc.ageing(db),
        report=svc.vendor_report(db),
        terms=warranty.list_terms(db),
        bases=[b.value for b in WarrantyBasis],
        may_set_terms=signed_in_user().role == Role.ADMIN.value,
        depot=depot,
        candidates=svc.candidates(db, depot_location_id=depot.location_id) if depot else [],
        may_act=_may_act(),
    )


@bp.post("/")
@roles_page("warehouse")
def create():
    depot = my_depot()
    back = url_for("rtv.index")
    try:
        if depot is None:
            raise InvalidInput(t("rtv.no_depot"), field="depot", key="rtv_no_depot")
        view = svc.create_rtv(
            get_session(),
            vendor=_text("vendor", 120),
            vendor_rma=_text("vendor_rma"),
            failure=_text("failure", TEXT_LIMIT),
            depot_code=depot.code,
            serials=request.form.getlist("serial"),
            actor=actor_name(),
        )
    except DomainError as error:
        return _failed(error, back)
    flash(t("rtv.created", number=view.number), "success")
    return redirect(url_for("rtv.claim", number=view.number))


@bp.post("/terms")
@roles_page()
def set_term():
    """A vendor's warranty on a part model, or on all its parts when the part number is
    blank (inventory.warranty.set_term; replaces the same vendor's term on the same part)."""
    back = url_for("rtv.index") + "#warranty-terms"
    try:
        months = _text("months", 4)
        if not months.isdigit():
            raise InvalidInput(
                "months is a whole number", field="months", key="months_range",
                params={"n": warranty.MAX_MONTHS},
            )  # fmt: skip
        view = warranty.set_term(
            get_session(),
            vendor=_text("vendor", 120),
            part_number=_text("part_number") or None,
            months=int(months),
            basis=_text("basis", 20),
            actor=actor_name(),
        )
    except DomainError as error:
        return _failed(error, back)
    flash(t("rtv.term_saved", vendor=view.vendor), "success")
    return redirect(back)


@bp.get("/<number>")
@roles_page(*READERS)
def claim(number: str):
    try:
        view = svc.rtv_view(svc.rtv_by_number(get_session(), number))
    except DomainError:
        return not_found_page()
    return render_template("rtv/claim.html", claim=view, outcomes=svc.OUTCOMES, may_act=_may_act())


@bp.post("/<number>/ship")
@roles_page("warehouse")
def ship(number: str):
    back = url_for("rtv.claim", number=number)
    try:
        svc.ship_rtv(get_session(), number, actor=actor_name(), waybill=_text("waybill") or None)
    except DomainError as error:
        return _failed(error, back)
    flash(t("rtv.shipped_flash", number=number), "success")
    return redirect(back)


@bp.post("/<number>/receive")
@roles_page("warehouse")
def receive(number: str):
    """The outcome of each unit with one chosen (a replaced one names the new serial)."""
    back = url_for("rtv.claim", number=number)
    outcomes = {}
    for key, value in request.form.items():
        if not key.startswith("outcome.") or not value:
            continue
        serial = key.removeprefix("outcome.")
        replacement = _text(f"replacement.{serial}") or None
        outcomes[serial] = svc.Outcome(value, replacement)
    try:
        for serial, o in outcomes.items():
            if o.outcome not in svc.OUTCOMES:
                raise InvalidInput(
                    t("rtv.bad_outcome"), field=f"outcome.{serial}", key="rtv_bad_outcome"
                )
        svc.receive_rtv(get_session(), number, outcomes=outcomes, actor=actor_name())
    except DomainError as error:
        return _failed(error, back)
    flash(t("rtv.received_flash", n=len(outcomes)), "success")
    return redirect(back)


@bp.post("/<number>/credit")
@roles_page("warehouse")
def credit(number: str):
    back = url_for("rtv.claim", number=number)
    try:
        raw = _text("credit_amount", 16)
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            raise InvalidInput(
                t("rtv.bad_amount"), field="credit_amount", key="rtv_bad_amount"
            ) from None
        if not amount.is_finite() or amount >= Decimal("1e10"):
            raise InvalidInput(t("rtv.bad_amount"), field="credit_amount", key="rtv_bad_amount")
        svc.settle_rtv(
            get_session(),
            number,
            credit_amount=amount.quantize(Decimal("0.01")),
            credit_note=_text("credit_note") or None,
            actor=actor_name(),
        )
    except DomainError as error:
        return _failed(error, back)
    flash(t("rtv.credited_flash", number=number), "success")
    return redirect(back)
