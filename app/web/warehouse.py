"""Warehouse console (扫描台): scan a serial, part number or RMA number and act on it in
one click; supplier delivery import with a per-row error report; stock below reorder point.

Every action is one form post calling one service of ``inventory/`` (which checks the
rules and commits), then a redirect back to the scanned item (post/redirect/get), with the
scan box focused for the next code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.api.common import csv_attachment, xlsx_attachment
from app.api.reorder import ReorderAcceptRequest
from app.auth import actor_name, current_user
from app.db import get_session
from app.documents import access
from app.geo import travel_model
from app.idempotency import idempotent_form, new_form_key
from app.web.auth import not_found_page, roles_page
from app.web.forms import form_text
from app.web.i18n import error_text, part_text, t
from inventory import (
    counts,
    depot_access,
    part_returns,
    queries,
    receiving,
    repairs,
    replenishment,
    rmas,
    transfers,
)
from inventory.delivery_file import COLUMNS, read_delivery
from inventory.errors import DomainError
from inventory.serials import normalize_serial
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
from models.enums import (
    Condition,
    ItemStatus,
    LocationKind,
    MovementReason,
    Role,
    Tracking,
    TransferStatus,
)

bp = Blueprint("warehouse", __name__, url_prefix="/warehouse")
WAREHOUSE = ("warehouse",)
MAX_SHELF_SERIALS = 60


# --- the viewer's depot ---------------------------------------------------------------------


def _depots() -> list[Depot]:
    return list(get_session().scalars(select(Depot).where(Depot.active).order_by(Depot.code)))


def _my_depots() -> list[Depot]:
    """The depots the viewer may act at (warehouse staff: the ones they are assigned)."""
    user = current_user()
    return depot_access.depots_of(get_session(), user) if user is not None else []


def my_depot(depots: list[Depot] | None = None) -> Depot | None:
    """The depot this console works at: the one chosen in the session, else the first of
    the viewer's depots (None: the viewer is assigned no depot)."""
    depots = depots if depots is not None else _my_depots()
    chosen = session.get("depot")
    for depot in depots:
        if depot.code == chosen:
            return depot
    return depots[0] if depots else None


@bp.post("/depot")
@roles_page(*WAREHOUSE)
def choose_depot():
    code = request.form.get("depot", "")
    if any(d.code == code for d in _my_depots()):
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
    serial = normalize_serial(code)
    stmt = select(SerialItem).where(SerialItem.serial == serial)
    if part_number:
        stmt = stmt.join(Part).where(Part.part_number == part_number)
    items = list(db.scalars(stmt.limit(20)))
    if len(items) > 1:
        parts = db.scalars(
            select(Part).where(Part.id.in_({i.part_id for i in items})).order_by(Part.part_number)
        )
        return Scan(code, "choices", choices=[(p.part_number, part_text(p)) for p in parts])
    if items:
        return _item_scan(code, items[0], depot)
    part = db.scalar(select(Part).where(func.upper(Part.part_number) == code.upper()))
    if part is not None:
        return _part_scan(code, part, depot)
    rma = db.scalar(select(Rma).where(Rma.number == code.upper()))
    if rma is None:
        rma = db.scalar(select(Rma).where(Rma.faulty_serial == serial).order_by(Rma.id.desc()))
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
        and item is not None
        and depot is not None
        and item.location_id == depot.location_id
    ):
        actions.append("ship_rma")
    return actions


def _item_scan(code: str, item: SerialItem, depot: Depot | None, rma: Rma | None = None) -> Scan:
    db = get_session()
    history = queries.serial_history(db, item.serial, item.part.part_number)
    result = Scan(code, "item", history=history, item=item, part=item.part)
    result.location_name = db.get_one(Location, item.location_id).name
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
        if (
            result.transfer is not None
            and result.transfer.status == TransferStatus.SHIPPED
            and depot is not None
            and result.transfer.to_depot_id == depot.id  # received where it arrives
        ):
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
            if item.condition == Condition.FAULTY.value and depot is not None:
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
    depots = _my_depots()
    depot = my_depot(depots)
    code = (request.args.get("q") or "").strip()[:64]
    found = scan(code, request.args.get("part_number") or None, depot) if code else None
    return render_template(
        "warehouse/console.html",
        depots=_depots(),
        my_depots=depots,
        in_transit=transfers.open_transfers(get_session(), depot) if depot else [],
        parts_owed=part_returns_towards(get_session(), depot) if depot else [],
        depot=depot,
        scan=found,
        conditions=[Condition.GOOD.value, Condition.FAULTY.value],
        packing_slip_available=access.packing_slip_available,
        return_label_available=access.return_label_available,
    )


def part_returns_towards(db, depot: Depot) -> list:
    """Removed parts on their way back to this depot or to a vendor's site (the van page
    lists them in full: /vans/#returns)."""
    vendors = db.scalars(select(Location.id).where(Location.kind == LocationKind.VENDOR.value))
    return part_returns.returns(db, destination_ids=frozenset({depot.location_id, *vendors}))


# --- actions ------------------------------------------------------------------------------


def _back(code: str | None, part_number: str | None = None):
    args: dict[str, Any] = {"q": code} if code else {}
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
        flash(t("wh.failed", message=error_text(error)), "error")
    except KeyError:
        return not_found_page()
    else:
        flash(message, "success")
    return _back(back_to, part_number if serial else None)


@dataclass(frozen=True)
class _Act:
    """One warehouse action as the form sent it: the scanned unit or part at my depot."""

    db: Session
    depot: Depot
    serial: str | None
    part_number: str | None
    form: Any
    actor: str

    @property
    def reason(self) -> str:
        return form_text(self.form, "reason") or ""

    def text(self, name: str) -> str | None:
        """A free-text field, trimmed (None when blank; too long: InvalidInput)."""
        return form_text(self.form, name)


def _run(action: str, db, depot: Depot, serial: str | None, part_number: str | None, form) -> str:
    """Run one action by name (KeyError for an unknown one); the flash message it earns."""
    handler = _ACTIONS[action]
    return handler(_Act(db, depot, serial, part_number, form, actor_name()))


def _receive_return(a: _Act) -> str:
    given = rmas.MoveInput(
        depot=a.depot.code,
        carrier=a.text("carrier"),
        waybill=a.text("waybill"),
        analysis=a.text("analysis"),
    )
    rma = rmas.receive_returned_unit(a.db, a.form.get("rma", ""), actor=a.actor, given=given)
    return t("wh.done.receive_return", serial=rma.faulty_serial or rma.number, depot=a.depot.code)


def _finish_repair(a: _Act) -> str:
    rma = rmas.rma_by_ref(a.db, a.form.get("rma", ""))
    outcome = a.form.get("outcome") or "repaired"
    given = rmas.MoveInput(depot=a.depot.code, outcome=outcome)
    rmas.move_rma(a.db, rma.number, "finish_repair", actor=a.actor, given=given)
    return t("wh.done.restock", serial=a.serial or rma.number)


def _ship_rma(a: _Act) -> str:
    rma = rmas.rma_by_ref(a.db, a.form.get("rma", ""))
    given = rmas.MoveInput(carrier=a.text("carrier"), waybill=a.text("waybill"))
    rmas.move_rma(a.db, rma.number, "ship", actor=a.actor, given=given)
    return t("wh.done.ship_rma", ref=rma.number)


def _transfer(a: _Act) -> str:
    line = transfers.LineRequest(a.part_number or "", a.serial, _int("qty", 1) or 0)
    result = transfers.ship_transfer(
        a.db,
        from_depot=a.depot.code,
        to_depot=a.form.get("to_depot", ""),
        actor=a.actor,
        lines=[line],
        note=a.text("note"),
    )
    return t("wh.done.transfer", ref=result.number)


def _send_repair(a: _Act) -> str:
    batch = repairs.send_to_repair(
        a.db,
        depot_code=a.depot.code,
        vendor=a.text("vendor") or "",
        serials=[a.serial or ""],
        actor=a.actor,
    )
    return t("wh.done.send_repair", ref=batch.number)


def _back_from_repair(outcome: str) -> Callable[[_Act], str]:
    def handle(a: _Act) -> str:
        outcomes = {a.serial or "": outcome}
        repairs.receive_from_repair(a.db, a.form.get("batch", ""), outcomes=outcomes, actor=a.actor)
        return (
            t("wh.done.restock", serial=a.serial) if outcome == "repaired" else t("wh.done.scrap")
        )

    return handle


def _scrap(a: _Act) -> str:
    counts.scrap(
        a.db,
        actor=a.actor,
        reason=a.reason,
        serial=a.serial,
        part_number=a.part_number,
        depot_code=a.depot.code,
        qty=_int("qty", 1) or 0,
        condition=a.form.get("condition") or Condition.FAULTY.value,
    )
    return t("wh.done.scrap")


def _receive(a: _Act) -> str:
    qty = _int("qty", 1)
    receipt = receiving.receive_from_supplier(
        a.db,
        depot_code=a.depot.code,
        part_number=a.part_number or "",
        actor=a.actor,
        serial=a.text("new_serial"),
        qty=qty if qty is not None else 0,
        condition=a.form.get("condition") or Condition.GOOD.value,
        reference=a.text("reference"),
    )
    return t("wh.done.receive", part=receipt.part_number, qty=receipt.qty)


def _adjust(a: _Act) -> str:
    qty = counts.adjust_quantity(
        a.db,
        depot_code=a.depot.code,
        part_number=a.part_number or "",
        delta=_int("delta", 0) or 0,
        reason=a.reason,
        actor=a.actor,
    )
    return t("wh.done.adjust", qty=qty)


# The warehouse actions by the name the scan page posts: one small handler each.
_ACTIONS: dict[str, Callable[[_Act], str]] = {
    "receive_return": _receive_return,
    "finish_repair": _finish_repair,
    "ship_rma": _ship_rma,
    "transfer": _transfer,
    "send_repair": _send_repair,
    "restock": _back_from_repair("repaired"),
    "vendor_scrap": _back_from_repair("scrapped"),
    "scrap": _scrap,
    "receive": _receive,
    "adjust": _adjust,
}


# --- transfers: received where they arrive, differences resolved -------------------------


def _is_admin() -> bool:
    user = current_user()
    return user is not None and user.role == Role.ADMIN.value


def _transfer_or_404(number: str) -> Transfer | None:
    return get_session().scalar(select(Transfer).where(Transfer.number == number[:32]))


@bp.get("/transfers/<number>")
@roles_page(*WAREHOUSE)
def transfer_page(number: str):
    """One transfer: what was shipped, what arrived, and its open differences."""
    db = get_session()
    transfer = _transfer_or_404(number)
    if transfer is None:
        return not_found_page()
    depot = my_depot()
    lines = [
        (line, db.get(Part, line.part_id), db.get(SerialItem, line.serial_item_id))
        for line in transfer.lines
    ]
    return render_template(
        "warehouse/transfer.html",
        transfer=transfer,
        lines=lines,
        from_code=db.get_one(Depot, transfer.from_depot_id).code,
        to_code=transfers.destination(db, transfer).code,
        depot=depot,
        may_receive=transfer.status == TransferStatus.SHIPPED.value
        and depot is not None
        and depot.id == transfer.to_depot_id,
        discrepancies=transfers.discrepancies_of(db, transfer.number),
        is_admin=_is_admin(),
    )


@bp.post("/transfers/<number>/receive")
@roles_page(*WAREHOUSE)
def transfer_receive(number: str):
    """Book what arrived: the serials scanned (one per line) and each counted line's
    quantity; differences become discrepancy records."""
    db = get_session()
    transfer = _transfer_or_404(number)
    if transfer is None:
        return not_found_page()
    scanned = [
        s.strip()
        for s in (request.form.get("serials") or "").replace(",", "\n").splitlines()
        if s.strip()
    ][:10_000]
    shipped = {}
    for line in transfer.lines:
        if line.serial_item_id:
            item = db.get_one(SerialItem, line.serial_item_id)
            shipped[item.serial] = item.part.part_number
    received, unknown = [], []
    for serial in dict.fromkeys(scanned):
        part_number = shipped.get(serial) or db.scalar(
            select(Part.part_number).join(SerialItem).where(SerialItem.serial == serial).limit(1)
        )
        if part_number is None:
            unknown.append(serial)
        else:
            received.append(transfers.LineRequest(part_number, serial))
    for line in transfer.lines:
        if not line.serial_item_id:
            qty = _int(f"qty_{line.id}", 0)
            if qty is None or qty < 0:
                flash(t("trf.bad_qty"), "error")
                return redirect(url_for("warehouse.transfer_page", number=transfer.number))
            received.append(
                transfers.LineRequest(
                    db.get_one(Part, line.part_id).part_number, None, qty, line.condition
                )
            )
    try:
        result = transfers.receive_transfer(
            db, number=transfer.number, received=received, actor=actor_name()
        )
    except DomainError as error:
        flash(t("wh.failed", message=error_text(error)), "error")
    else:
        if result.discrepancies:
            flash(t("trf.received_with_differences", n=len(result.discrepancies)), "error")
        else:
            flash(t("wh.done.receive_transfer", ref=result.number), "success")
    if unknown:
        flash(t("trf.unknown_serials", serials=", ".join(unknown[:20])), "error")
    return redirect(url_for("warehouse.transfer_page", number=number[:32]))


@bp.post("/transfers/<number>/discrepancies/<int:discrepancy_id>")
@roles_page(*WAREHOUSE)
def transfer_resolve(number: str, discrepancy_id: int):
    db = get_session()
    outcome = request.form.get("outcome", "")
    if outcome not in ("found", "lost", "approve", "noted"):
        flash(t("trf.bad_outcome"), "error")
        return redirect(url_for("warehouse.transfer_page", number=number[:32]))
    try:
        transfers.resolve_discrepancy(
            db,
            number=number[:32],
            discrepancy_id=discrepancy_id,
            outcome=outcome,
            actor=actor_name(),
            approver_may_approve=_is_admin(),
            note=form_text(request.form, "note"),
        )
    except DomainError as error:
        flash(t("wh.failed", message=error_text(error)), "error")
    else:
        flash(t(f"trf.done.{outcome}"), "success")
    return redirect(url_for("warehouse.transfer_page", number=number[:32]))


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
                error = error_text(failure)
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
    """Below reorder point, each line with a proposed transfer or purchase to accept."""
    depots = _depots()
    code = _reorder_depot(depots)
    rows = replenishment.propose(get_session(), travel_model(), code or None)
    groups: dict[str, list[replenishment.Proposal]] = {}
    for row in rows:
        groups.setdefault(row.depot, []).append(row)
    user = current_user()
    mine = {d.code for d in _my_depots()} if user is not None else set()
    return render_template(
        "warehouse/reorder.html",
        depots=depots,
        chosen=code,
        groups=groups,
        names={d.code: d for d in depots},
        total=len(rows),
        mine=mine,
        plan=replenishment.plan_targets(get_session()),
    )


def _reorder_depot(depots: list[Depot]) -> str:
    code = request.args.get("depot") or ""
    return code if any(d.code == code for d in depots) else ""


@bp.post("/reorder/accept")
@roles_page("warehouse", "dispatcher")
def reorder_accept():
    """Accept one line as proposed (once: a second click answers the same action)."""
    db = get_session()
    form = request.form
    payload = {
        name: (form.get(name) or "").strip()
        for name in ("depot", "part_number", "kind", "qty", "source")
        if (form.get(name) or "").strip()
    }
    back = url_for("warehouse.reorder", depot=form.get("filter") or None)
    try:
        data = ReorderAcceptRequest().load(payload)
        done = replenishment.accept(
            db,
            depot_code=data["depot"],
            part_number=data["part_number"],
            kind=data["kind"],
            qty=data["qty"],
            source=data.get("source"),
            actor=actor_name(),
        )
    except ValidationError as error:
        flash(t("wh.failed", message=str(error.normalized_messages())), "error")
    except DomainError as error:
        flash(t("wh.failed", message=error_text(error)), "error")
    else:
        key = f"ro.accepted.{done.kind}" if done.created else "ro.already"
        flash(t(key, ref=done.reference, qty=done.qty, source=done.source or ""), "success")
    return redirect(back + f"#line-{payload.get('depot', '')}-{payload.get('part_number', '')}")


def _export_rows(code: str) -> tuple[list[str], list[list]]:
    rows = replenishment.propose(get_session(), travel_model(), code or None)
    header = [
        t("ro.depot"),
        t("common.part_number"),
        t("common.description"),
        t("ro.on_hand"),
        t("ro.reorder_point"),
        t("ro.target"),
        t("ro.suggested"),
        t("ro.proposal"),
        t("ro.source"),
        t("common.qty"),
        t("ro.travel_minutes"),
        t("ro.accepted_ref"),
    ]
    body = [
        [
            r.depot,
            r.part_number,
            part_text(r),
            r.on_hand,
            r.reorder_point,
            r.target_level,
            r.need,
            t(f"ro.kind.{r.kind}"),
            r.source or "",
            r.qty,
            r.travel_minutes if r.travel_minutes is not None else "",
            r.accepted_ref or "",
        ]
        for r in rows
    ]
    return header, body


@bp.get("/reorder/export.csv")
@roles_page("warehouse", "dispatcher")
def reorder_csv():
    header, body = _export_rows(_reorder_depot(_depots()))
    return csv_attachment(header, body, "reorder.csv")


@bp.get("/reorder/export.xlsx")
@roles_page("warehouse", "dispatcher")
def reorder_xlsx():
    header, body = _export_rows(_reorder_depot(_depots()))
    widths = (8, 18, 32, 8, 8, 8, 8, 10, 8, 8, 10, 20)
    return xlsx_attachment(header, body, "reorder.xlsx", sheet="reorder", widths=widths)
