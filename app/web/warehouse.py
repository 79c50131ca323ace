"""Warehouse console (扫描台): scan a serial, part number or RMA number and act on it in
one click; supplier delivery import with a per-row error report; stock below reorder point.

Every action is one form post calling one service of ``inventory/`` (which checks the
rules and commits), then a redirect back to the scanned item (post/redirect/get), with the
scan box focused for the next code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from sqlalchemy import func, select

from app.auth import actor_name
from app.db import get_session
from app.documents import access
from app.idempotency import idempotent_form, new_form_key
from app.web.auth import roles_page
from app.web.forms import form_text
from app.web.i18n import t
from inventory import counts, queries, receiving, repairs, rmas, transfers
from inventory.delivery_file import COLUMNS, read_delivery
from inventory.errors import DomainError
from inventory.transaction import transaction
from models import (
    Depot,
    Location,
    Part,
    RepairBatch,
    RepairLine,
    Rma,
    SerialItem,
    Transfer,
    limits,
)
from models.enums import Condition, ItemStatus, MovementReason, Tracking, TransferStatus

bp = Blueprint("warehouse", __name__, url_prefix="/warehouse")
WAREHOUSE = ("warehouse",)
MAX_SHELF_SERIALS = 60


# --- the viewer's depot ---------------------------------------------------------------------


def _depots() -> list[Depot]:
    return list(get_session().scalars(select(Depot).where(Depot.active).order_by(Depot.code)))


def my_depot(depots: list[Depot] | None = None) -> Depot | None:
    """The depot this console works at: the one chosen in the session, else the first."""
    depots = depots if depots is not None else _depots()
    chosen = session.get("depot")
    for depot in depots:
        if depot.code == chosen:
            return depot
    return depots[0] if depots else None


@bp.post("/depot")
@roles_page(*WAREHOUSE)
def choose_depot():
    code = request.form.get("depot", "")
    if any(d.code == code for d in _depots()):
        session["depot"] = code
    return redirect(url_for("warehouse.console"))


# --- what a scan finds ----------------------------------------------------------------------


@dataclass
class Scan:
    """What the scanned code is, and what the viewer may do with it from here."""

    code: str
    kind: str  # item | part | rma_unit | choices | none
    history: queries.SerialHistory | None = None
    item: SerialItem | None = None
    part: Part | None = None
    rma: Rma | None = None
    actions: list[str] = field(default_factory=list)
    transfer: Transfer | None = None
    batch: RepairBatch | None = None
    location_name: str | None = None
    elsewhere: str | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    availability: list[queries.DepotAvailability] = field(default_factory=list)
    shelf: list[SerialItem] = field(default_factory=list)
    shelf_total: int = 0
    vendor_hint: str | None = None


def scan(code: str, part_number: str | None, depot: Depot | None) -> Scan:
    """Look a code up as a serial, then as a part number, then as an RMA number or an RMA's
    faulty serial (the return label carries the RMA number as a barcode)."""
    db = get_session()
    stmt = select(SerialItem).where(SerialItem.serial == code)
    if part_number:
        stmt = stmt.join(Part).where(Part.part_number == part_number)
    items = list(db.scalars(stmt.limit(20)))
    if len(items) > 1:
        parts = db.scalars(
            select(Part).where(Part.id.in_({i.part_id for i in items})).order_by(Part.part_number)
        )
        return Scan(code, "choices", choices=[(p.part_number, p.description) for p in parts])
    if items:
        return _item_scan(code, items[0], depot)
    part = db.scalar(select(Part).where(func.upper(Part.part_number) == code.upper()))
    if part is not None:
        return _part_scan(code, part, depot)
    rma = db.scalar(select(Rma).where(Rma.number == code.upper()))
    if rma is None:
        rma = db.scalar(select(Rma).where(Rma.faulty_serial == code).order_by(Rma.id.desc()))
    if rma is not None:
        item = db.get(SerialItem, _unit_of_rma(rma)) if _unit_of_rma(rma) else None
        if item is not None:
            return _item_scan(item.serial, item, depot, rma=rma)
        result = Scan(code, "rma_unit", rma=rma, part=rma.faulty_part)
        result.actions = _rma_actions(rma, None, depot)
        return result
    return Scan(code, "none")


def _unit_of_rma(rma: Rma) -> int | None:
    """The unit a scan of the RMA's number is about: the faulty unit while it is coming back,
    else the replacement while the warehouse still has it to ship, else the faulty unit."""
    allowed = rmas.allowed_actions(rma.kind, rma.status)
    if {"return_faulty", "receive_faulty", "finish_repair"} & set(allowed):
        return rma.faulty_item_id
    if "ship" in allowed and rma.replacement_item_id:
        return rma.replacement_item_id
    return rma.faulty_item_id


def _open_rma_of(item: SerialItem) -> Rma | None:
    """The newest RMA still open that this unit is the faulty or the replacement unit of."""
    db = get_session()
    open_ = Rma.status.notin_([s.value for s in rmas.TERMINAL])
    by_item = db.scalar(
        select(Rma)
        .where(open_, (Rma.faulty_item_id == item.id) | (Rma.replacement_item_id == item.id))
        .order_by(Rma.id.desc())
    )
    if by_item is not None:
        return by_item
    return db.scalar(
        select(Rma)
        .where(open_, Rma.faulty_part_id == item.part_id, Rma.faulty_serial == item.serial)
        .order_by(Rma.id.desc())
    )


def _rma_actions(rma: Rma, item: SerialItem | None, depot: Depot | None) -> list[str]:
    """The warehouse steps of the RMA's own transition table that concern this unit."""
    allowed = rmas.allowed_actions(rma.kind, rma.status)
    is_faulty = (
        item is None
        or rma.faulty_item_id == item.id
        or (rma.faulty_serial == item.serial and rma.faulty_part_id == item.part_id)
    )
    is_replacement = item is not None and rma.replacement_item_id == item.id
    actions = []
    if is_faulty and ("receive_faulty" in allowed or "return_faulty" in allowed):
        actions.append("receive_return")
    if is_faulty and "finish_repair" in allowed:
        actions.append("finish_repair")
    if (
        is_replacement
        and "ship" in allowed
        and depot is not None
        and item.location_id == depot.location_id
    ):
        actions.append("ship_rma")
    return actions


def _item_scan(code: str, item: SerialItem, depot: Depot | None, rma: Rma | None = None) -> Scan:
    db = get_session()
    history = queries.serial_history(db, item.serial, item.part.part_number)
    result = Scan(code, "item", history=history, item=item, part=item.part)
    result.location_name = db.get(Location, item.location_id).name
    result.rma = rma or _open_rma_of(item)
    if result.rma is not None:
        result.actions += _rma_actions(result.rma, item, depot)
    last = history.movements[-1] if history.movements else None
    here = depot is not None and item.location_id == depot.location_id
    if (
        item.status == ItemStatus.IN_TRANSIT.value
        and last
        and last.reason == MovementReason.TRANSFER_OUT.value
    ):
        result.transfer = db.scalar(select(Transfer).where(Transfer.number == last.reference))
        if result.transfer is not None and result.transfer.status == TransferStatus.SHIPPED:
            result.actions.append("receive_transfer")
    if item.status == ItemStatus.AT_VENDOR.value and "finish_repair" not in result.actions:
        result.batch = db.scalar(
            select(RepairBatch)
            .join(RepairLine, RepairLine.batch_id == RepairBatch.id)
            .where(RepairLine.serial_item_id == item.id, RepairLine.outcome == "pending")
            .order_by(RepairBatch.id.desc())
        )
        if result.batch is not None:
            result.actions += ["restock", "vendor_scrap"]
    if item.status == ItemStatus.IN_STOCK.value:
        if here:
            if item.condition == Condition.FAULTY.value:
                result.actions.append("send_repair")
                result.vendor_hint = _recent_vendor(depot)
            result.actions += ["transfer", "scrap"]
        else:
            result.elsewhere = result.location_name
    return result


def _recent_vendor(depot: Depot) -> str | None:
    return get_session().scalar(
        select(RepairBatch.vendor)
        .where(RepairBatch.depot_id == depot.id)
        .order_by(RepairBatch.id.desc())
        .limit(1)
    )


def _part_scan(code: str, part: Part, depot: Depot | None) -> Scan:
    db = get_session()
    result = Scan(code, "part", part=part)
    result.availability = queries.availability(db, part.part_number, include_empty=True)
    if depot is not None and part.tracking == Tracking.SERIALIZED.value:
        shelf = select(SerialItem).where(
            SerialItem.part_id == part.id,
            SerialItem.location_id == depot.location_id,
            SerialItem.status.in_([ItemStatus.IN_STOCK.value, ItemStatus.RESERVED.value]),
        )
        result.shelf_total = db.scalar(select(func.count()).select_from(shelf.subquery())) or 0
        result.shelf = list(db.scalars(shelf.order_by(SerialItem.serial).limit(MAX_SHELF_SERIALS)))
    result.actions = ["receive", "count"] + (
        ["adjust"] if part.tracking == Tracking.COUNTED.value else []
    )
    return result


@bp.get("/")
@roles_page(*WAREHOUSE)
def console():
    depots = _depots()
    depot = my_depot(depots)
    code = (request.args.get("q") or "").strip()[:64]
    found = scan(code, request.args.get("part_number") or None, depot) if code else None
    return render_template(
        "warehouse/console.html",
        depots=depots,
        depot=depot,
        scan=found,
        conditions=[Condition.GOOD.value, Condition.FAULTY.value],
        packing_slip_available=access.packing_slip_available,
        return_label_available=access.return_label_available,
    )


# --- actions ------------------------------------------------------------------------------


def _back(code: str | None, part_number: str | None = None):
    args = {"q": code} if code else {}
    if code and part_number:
        args["part_number"] = part_number
    return redirect(url_for("warehouse.console", **args))


def _int(name: str, default: int | None = None) -> int | None:
    text = (request.form.get(name) or "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        return None


@bp.post("/act/<action>")
@roles_page(*WAREHOUSE)
def act(action: str):
    """Run one warehouse action on the scanned unit or part and go back to it."""
    form = request.form
    db = get_session()
    depot = my_depot()
    serial = (form.get("serial") or "").strip() or None
    part_number = (form.get("part_number") or "").strip() or None
    back_to = serial or part_number
    if depot is None:
        return _back(back_to)
    try:
        message = _run(action, db, depot, serial, part_number, form)
    except DomainError as error:
        db.rollback()
        flash(t("wh.failed", message=error.message), "error")
    except KeyError:
        return render_template("error.html", code=404, message=t("error.not_found")), 404
    else:
        flash(message, "success")
    return _back(back_to, part_number if serial else None)


def _run(action: str, db, depot: Depot, serial: str | None, part_number: str | None, form) -> str:
    actor = actor_name()
    reason = form_text(form, "reason") or ""
    if action == "receive_return":
        rma = rmas.rma_by_ref(db, form.get("rma", ""))
        given = rmas.MoveInput(
            depot=depot.code,
            carrier=form_text(form, "carrier"),
            waybill=form_text(form, "waybill"),
            analysis=form_text(form, "analysis"),
        )
        _receive_return(db, rma, given, actor)
        return t("wh.done.receive_return", serial=rma.faulty_serial or rma.number, depot=depot.code)
    if action == "finish_repair":
        rma = rmas.rma_by_ref(db, form.get("rma", ""))
        rmas.move_rma(
            db,
            rma.number,
            "finish_repair",
            actor=actor,
            given=rmas.MoveInput(depot=depot.code, outcome=form.get("outcome") or "repaired"),
        )
        return t("wh.done.restock", serial=serial or rma.number)
    if action == "ship_rma":
        rma = rmas.rma_by_ref(db, form.get("rma", ""))
        rmas.move_rma(
            db,
            rma.number,
            "ship",
            actor=actor,
            given=rmas.MoveInput(
                carrier=form_text(form, "carrier"), waybill=form_text(form, "waybill")
            ),
        )
        return t("wh.done.ship_rma", ref=rma.number)
    if action == "receive_transfer":
        result = transfers.receive_transfer(
            db, number=form.get("transfer", ""), received=None, actor=actor
        )
        return t("wh.done.receive_transfer", ref=result.number, status=result.status)
    if action == "transfer":
        result = transfers.ship_transfer(
            db,
            from_depot=depot.code,
            to_depot=form.get("to_depot", ""),
            actor=actor,
            lines=[transfers.LineRequest(part_number or "", serial, _int("qty", 1) or 0)],
            note=form_text(form, "note"),
        )
        return t("wh.done.transfer", ref=result.number)
    if action == "send_repair":
        batch = repairs.send_to_repair(
            db,
            depot_code=depot.code,
            vendor=form_text(form, "vendor") or "",
            serials=[serial or ""],
            actor=actor,
        )
        return t("wh.done.send_repair", ref=batch.number)
    if action in ("restock", "vendor_scrap"):
        outcome = "repaired" if action == "restock" else "scrapped"
        repairs.receive_from_repair(
            db, form.get("batch", ""), outcomes={serial or "": outcome}, actor=actor
        )
        return t("wh.done.restock", serial=serial) if outcome == "repaired" else t("wh.done.scrap")
    if action == "scrap":
        counts.scrap(
            db,
            actor=actor,
            reason=reason,
            serial=serial,
            part_number=part_number,
            depot_code=depot.code,
            qty=_int("qty", 1) or 0,
            condition=form.get("condition") or Condition.FAULTY.value,
        )
        return t("wh.done.scrap")
    if action == "receive":
        qty = _int("qty", 1)
        receipt = receiving.receive_from_supplier(
            db,
            depot_code=depot.code,
            part_number=part_number or "",
            actor=actor,
            serial=form_text(form, "new_serial"),
            qty=qty if qty is not None else 0,
            condition=form.get("condition") or Condition.GOOD.value,
            reference=form_text(form, "reference"),
        )
        return t("wh.done.receive", part=receipt.part_number, qty=receipt.qty)
    if action == "count":
        lines = [
            s.strip()
            for s in (form.get("serials") or "").replace(",", "\n").splitlines()
            if s.strip()
        ]
        result = counts.cycle_count(
            db,
            depot_code=depot.code,
            part_number=part_number or "",
            actor=actor,
            counted_qty=_int("counted_qty"),
            serials=lines if "serials" in form else None,
            reason=reason or "cycle count",
        )
        return t(
            "wh.done.count", expected=result.expected, counted=result.counted, delta=result.delta
        )
    if action == "adjust":
        qty = counts.adjust_quantity(
            db,
            depot_code=depot.code,
            part_number=part_number or "",
            delta=_int("delta", 0) or 0,
            reason=reason,
            actor=actor,
        )
        return t("wh.done.adjust", qty=qty)
    raise KeyError(action)


def _receive_return(db, rma: Rma, given: rmas.MoveInput, actor: str) -> None:
    """The faulty unit is on the bench: book it in. When the customer never announced the
    shipment (the RMA still says delivered / awaiting return), the parcel's arrival proves
    both moves, which are booked together in one transaction."""
    with transaction(db):
        if "return_faulty" in rmas.allowed_actions(rma.kind, rma.status):
            rmas.move_rma_in_session(db, rma, "return_faulty", actor=actor, given=given)
        rmas.move_rma_in_session(db, rma, "receive_faulty", actor=actor, given=given)


# --- supplier delivery import -------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@roles_page(*WAREHOUSE)
@idempotent_form
def delivery_import():
    report = error = None
    reference = ""
    if request.method == "POST":
        upload = request.files.get("file")
        reference = (request.form.get("reference") or "").strip()[: limits.REFERENCE]
        if upload is None or not upload.filename:
            error = t("imp.file_missing")
        else:
            db = get_session()
            try:
                rows = read_delivery(upload.read(), upload.filename)
                report = receiving.import_receipts(
                    db,
                    rows,
                    actor=actor_name(),
                    reference=form_text(request.form, "reference"),
                    strict=bool(request.form.get("strict")),
                )
            except DomainError as failure:
                db.rollback()
                error = failure.message
    status = 200 if error is None and (report is None or report.committed) else 422
    return render_template(
        "warehouse/import.html",
        report=report,
        error=error,
        reference=reference,
        columns=COLUMNS,
        form_key=new_form_key(),
    ), status


@bp.get("/import/template.csv")
@roles_page(*WAREHOUSE)
def import_template():
    body = (
        ",".join(COLUMNS)
        + "\r\nBJ01,SRV-PSU-800W,PSU2026X0001,1,good\r\nBJ01,NET-SFP-10G,,12,good\r\n"
    )
    return (
        body,
        200,
        {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": "attachment; filename=delivery-template.csv",
        },
    )


# --- below reorder point -------------------------------------------------------------------


@bp.get("/reorder")
@roles_page("warehouse", "dispatcher")
def reorder():
    depots = _depots()
    code = request.args.get("depot") or ""
    if code and not any(d.code == code for d in depots):
        code = ""
    rows = queries.below_reorder_point(get_session(), code or None)
    groups: dict[str, list[queries.BelowReorder]] = {}
    for row in rows:
        groups.setdefault(row.depot, []).append(row)
    names = {d.code: d for d in depots}
    return render_template(
        "warehouse/reorder.html",
        depots=depots,
        chosen=code,
        groups=groups,
        names=names,
        total=len(rows),
    )
