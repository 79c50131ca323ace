"""Engineers' vans on the web: the depot's van page (pick list → transfers, stocking lists,
the removed parts owed to the depot or to vendors, return rules), the engineer's own van
(receive transfers by scanning, stock check, parts owed back) and the parts used on a job,
and every van's stock for dispatchers. The rules live in inventory/vans.py,
inventory/job_parts.py and inventory/part_returns.py."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.auth import actor_name, current_user, signed_in_user
from app.db import get_session
from app.documents.access import engineer_id
from app.web.auth import engineer_filter, roles_page
from app.web.forms import form_text
from app.web.i18n import error_text, t
from app.web.warehouse import my_depot
from inventory import job_parts, part_returns, vans
from inventory.errors import DomainError, InvalidInput
from inventory.transfers import LineRequest, receive_transfer
from models import Engineer, Location, Part, limits, utcnow
from models.enums import LocationKind, Role

bp = Blueprint("vans", __name__, url_prefix="/vans")
DEPOT_ROLES = ("warehouse", "dispatcher")


def _int(name: str, default: int | None = None) -> int:
    raw = (request.form.get(name) or "").strip()
    if not raw and default is not None:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
        raise InvalidInput(
            t("van.bad_number", field=name),
            field=name,
            key="whole_number_field",
            params={"field": name},
        )
    return int(raw)


def _done(message: str, to: str):
    flash(message, "success")
    return redirect(to)


def _failed(error: DomainError, to: str):
    flash(t("wh.failed", message=error_text(error)), "error")
    return redirect(to)


# --- the depot's page (warehouse; dispatchers read it) ------------------------------------------


@bp.get("/")
@roles_page(*DEPOT_ROLES)
def depot_page():
    db = get_session()
    user = signed_in_user()
    depot = my_depot() if user.role != Role.DISPATCHER.value else None
    now = utcnow()
    picks = vans.pick_list(db, depot.code) if depot else []
    destinations = None
    if depot is not None and user.role == Role.WAREHOUSE.value:
        vendor_ids = db.scalars(select(Location.id).where(Location.kind == LocationKind.VENDOR))
        destinations = frozenset({depot.location_id, *vendor_ids})
    every = vans.all_vans(db)
    engineers = list(db.scalars(select(Engineer).where(Engineer.active).order_by(Engineer.code)))
    if depot is not None:  # the warehouse sees the vans it stocks; dispatchers every van
        every = [v for v in every if v.base_depot == depot.code]
        engineers = [e for e in engineers if e.base_depot_id == depot.id]
    return render_template(
        "vans/depot.html",
        depot=depot,
        picks=picks,
        vans=every,
        returns=part_returns.returns(db, destination_ids=destinations, now=now),
        rules=part_returns.list_rules(db),
        engineers=engineers,
        parts=list(db.scalars(select(Part).where(Part.active).order_by(Part.part_number))),
        may_act=user.role in (Role.WAREHOUSE.value, Role.ADMIN.value),
        may_set_rules=user.role == Role.ADMIN.value,
        destinations=part_returns.return_destinations(db) if user.role == Role.ADMIN.value else [],
    )


# --- return routing rules (admin) --------------------------------------------------------------

HOME_DEPOT = "@home"  # the destination select's value for "the engineer's home depot"
RULE_FIELDS = {  # form field → (limit, label key)
    "name": (limits.ORG_NAME, "van.rule_name"),
    "part_number": (limits.PART_NUMBER, "common.part_number"),
    "category": (limits.CATEGORY, "van.rule_category"),
    "vendor": (limits.ORG_NAME, "van.rule_vendor"),
    "region": (limits.CITY, "van.rule_region"),
}


def _rule_text(name: str) -> str | None:
    limit, label = RULE_FIELDS[name]
    text = (request.form.get(name) or "").strip()
    if len(text) > limit:
        params = {"field": t(label), "n": limit, "got": len(text)}
        raise InvalidInput(t("form.too_long", **params), field=name, key="too_long",
                           params=params)  # fmt: skip
    return text or None


@bp.post("/rules")
@roles_page()
def create_rule():
    """A return routing rule from the form (inventory.part_returns.create_rule): blank
    criteria match anything; the destination a depot or vendor site, or the engineer's
    home depot."""
    back = url_for("vans.depot_page") + "#return-rules"
    destination = (request.form.get("destination") or "").strip()
    try:
        view = part_returns.create_rule(
            get_session(),
            name=_rule_text("name") or "",
            condition=request.form.get("condition", ""),
            deadline_hours=_int("deadline_hours"),
            part_number=_rule_text("part_number"),
            category=_rule_text("category"),
            vendor=_rule_text("vendor"),
            region=_rule_text("region"),
            destination=None if destination in ("", HOME_DEPOT) else destination,
            to_home_depot=destination == HOME_DEPOT,
            actor=actor_name(),
        )
    except DomainError as error:
        return _failed(error, back)
    return _done(t("van.rule_created", name=view.name), back)


@bp.post("/rules/<int:rule_id>/active")
@roles_page()
def rule_active(rule_id: int):
    back = url_for("vans.depot_page") + "#return-rules"
    try:
        part_returns.set_rule_active(
            get_session(), rule_id, active=request.form.get("active") == "yes", actor=actor_name()
        )
    except DomainError as error:
        return _failed(error, back)
    return _done(t("van.rule_toggled"), back)


@bp.post("/replenish")
@roles_page("warehouse")
def replenish():
    back = url_for("vans.depot_page")
    depot = my_depot()
    if depot is None:
        return redirect(back)
    try:
        sent = vans.replenish_van(
            get_session(),
            depot_code=depot.code,
            engineer_code=request.form.get("engineer", ""),
            actor=actor_name(),
        )
    except DomainError as error:
        return _failed(error, back)
    return _done(t("van.replenished", number=sent.number, n=sent.lines), back)


@bp.post("/levels")
@roles_page("warehouse")
def set_level():
    back = url_for("vans.depot_page")
    try:
        vans.set_level(
            get_session(),
            engineer_code=request.form.get("engineer", ""),
            part_number=form_text(request.form, "part_number") or "",
            level=_int("level"),
            actor=actor_name(),
        )
    except DomainError as error:
        return _failed(error, back)
    return _done(t("van.level_set"), back)


@bp.post("/levels/propose")
@roles_page("warehouse")
def accept_proposal():
    back = url_for("vans.depot_page")
    try:
        view = vans.accept_proposals(
            get_session(), request.form.get("engineer", ""), actor=actor_name()
        )
    except DomainError as error:
        return _failed(error, back)
    return _done(t("van.proposal_accepted", engineer=view.engineer_code), back)


@bp.post("/returns/<number>/receive")
@roles_page("warehouse")
def receive_return(number: str):
    back = url_for("vans.depot_page")
    try:
        got = part_returns.receive_return(get_session(), number, actor=actor_name())
    except DomainError as error:
        return _failed(error, back)
    return _done(t("van.return_received", number=got.number, to=got.destination), back)


# --- the engineer's own van ---------------------------------------------------------------------


def _me() -> Engineer | None:
    user = current_user()
    if user is None:
        return None
    found = engineer_id(get_session(), user)
    return get_session().get(Engineer, found) if found is not None else None


@bp.get("/mine")
@roles_page("engineer")
def mine():
    db = get_session()
    me = _me()
    if me is None:
        return render_template("error.html", code=404, message=t("van.no_engineer")), 404
    view = vans.van_view(db, me)
    incoming = vans.van_transfers(db, me)
    part_ids = {line.part_id for tr in incoming for line in tr.lines}
    part_numbers = dict(
        db.execute(select(Part.id, Part.part_number).where(Part.id.in_(part_ids))).tuples().all()
    )
    return render_template(
        "vans/mine.html",
        van=view,
        incoming=incoming,
        part_numbers=part_numbers,
        returns=part_returns.returns(db, engineer_id=me.id, now=utcnow()),
    )


@bp.post("/transfers/<number>/receive")
@roles_page("engineer")
def receive(number: str):
    back = url_for("vans.mine")
    me = _me()
    if me is None:
        return redirect(back)
    scanned = [s.strip() for s in (request.form.get("serials") or "").splitlines() if s.strip()]
    try:
        result = receive_transfer(
            get_session(),
            number=number,
            received=_scanned_lines(number, scanned) if scanned else None,
            actor=actor_name(),
            engineer_id=me.id,
        )
    except DomainError as error:
        return _failed(error, back)
    if result.discrepancies:
        flash(t("trf.received_with_differences", n=len(result.discrepancies)), "error")
        return redirect(back)
    return _done(t("van.transfer_received", number=number), back)


def _scanned_lines(number: str, serials: list[str]) -> list[LineRequest]:
    """The scanned serials as receipt lines: each serial's part from the ledger (an unknown
    serial is reported as unexpected under the transfer's first part); counted lines are
    taken as shipped (they carry no serial to scan)."""
    from models import SerialItem, Transfer, TransferLine

    db = get_session()
    first = db.scalar(
        select(Part.part_number)
        .join(TransferLine, TransferLine.part_id == Part.id)
        .join(Transfer, Transfer.id == TransferLine.transfer_id)
        .where(Transfer.number == number)
        .order_by(TransferLine.id)
        .limit(1)
    )
    out = []
    for serial in serials:
        pn = db.scalar(
            select(Part.part_number)
            .join(SerialItem, SerialItem.part_id == Part.id)
            .where(SerialItem.serial == serial.upper())
            .limit(1)
        )
        out.append(LineRequest(pn or first or "", serial.upper()))
    counted = db.execute(
        select(Part.part_number, TransferLine.qty_shipped, TransferLine.condition)
        .join(TransferLine, TransferLine.part_id == Part.id)
        .join(Transfer, Transfer.id == TransferLine.transfer_id)
        .where(Transfer.number == number, TransferLine.serial_item_id.is_(None))
    )
    out += [LineRequest(pn, None, qty, condition) for pn, qty, condition in counted]
    return out


@bp.post("/count")
@roles_page("engineer")
def count():
    back = url_for("vans.mine")
    me = _me()
    if me is None:
        return redirect(back)
    serials = [s.strip() for s in (request.form.get("serials") or "").splitlines() if s.strip()]
    try:
        part_number = form_text(request.form, "part_number") or ""
        result = vans.count_van(
            get_session(),
            engineer_code=me.code,
            part_number=part_number,
            actor=actor_name(),
            serials=serials if request.form.get("tracking") == "serialized" else None,
            counted_qty=None if request.form.get("tracking") == "serialized" else _int("qty", 0),
            confirm_missing=bool(request.form.get("confirm")),
        )
    except DomainError as error:
        return _failed(error, back)
    return _done(t("van.counted", part=result.part_number, delta=result.delta), back)


@bp.post("/returns/<number>/ship")
@roles_page("engineer")
def ship_return(number: str):
    back = url_for("vans.mine")
    me = _me()
    if me is None:
        return redirect(back)
    try:
        sent = part_returns.ship_return(
            get_session(),
            number,
            engineer_id=me.id,
            actor=actor_name(),
            waybill=form_text(request.form, "waybill"),
        )
    except DomainError as error:
        return _failed(error, back)
    return _done(t("van.return_shipped", number=sent.number, to=sent.destination_name), back)


# --- parts used on a job ------------------------------------------------------------------------


def _job_part_form() -> dict:
    """What the job page's two parts forms (used, taken off) both send, for the signed-in
    engineer: the part, its serial and how many (InvalidInput for a bad number)."""
    return {
        "engineer_id": engineer_filter(),
        "actor": actor_name(),
        "part_number": form_text(request.form, "part_number") or "",
        "serial": (request.form.get("serial") or "").strip() or None,
        "qty": _int("qty", 1),
    }


@bp.post("/jobs/<ref>/consumed")
@roles_page("engineer")
def consumed(ref: str):
    back = url_for("engineer.job", ref=ref) + "#job-parts"
    try:
        job_parts.record_consumed(
            get_session(), ref, source=request.form.get("source", ""), **_job_part_form()
        )
    except DomainError as error:
        return _failed(error, back)
    return _done(t("van.consumed_recorded"), back)


@bp.post("/jobs/<ref>/removed")
@roles_page("engineer")
def removed(ref: str):
    back = url_for("engineer.job", ref=ref) + "#job-parts"
    try:
        view = job_parts.record_removed(
            get_session(), ref, condition=request.form.get("condition", ""), **_job_part_form()
        )
    except DomainError as error:
        return _failed(error, back)
    owed = [
        r
        for r in part_returns.returns(get_session(), now=utcnow())
        if r.ticket_number == view.ticket_number
    ]
    if not owed:
        return _done(t("van.removed_recorded"), back)
    return _done(t("van.removed_routed", to=owed[-1].destination_name), back)


def job_parts_context(db, ticket) -> dict:
    """What the job page shows of the parts: the ticket's parts list with cost and cover,
    the van's good stock to take from, and the removed parts owed back from this job."""
    engineer = db.get(Engineer, ticket.engineer_id) if ticket.engineer_id else None
    van_lines = (
        [line for line in vans.van_view(db, engineer).lines if line.good] if engineer else []
    )
    owed = [
        r
        for r in part_returns.returns(db, engineer_id=ticket.engineer_id, open_only=False)
        if r.ticket_number == ticket.number
    ]
    return {
        "ticket_parts": job_parts.ticket_parts(db, ticket),
        "van_lines": van_lines,
        "job_returns": owed,
        "part_numbers": list(
            db.scalars(select(Part.part_number).where(Part.active).order_by(Part.part_number))
        ),
    }
