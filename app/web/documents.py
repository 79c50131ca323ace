"""Which PDFs a page offers, and the bytes of each, from app/documents' renderers.

The renderers take plain dataclasses (app/documents/data.py); this module fills them from
the RMA. When a renderer is not installed the page does not offer its link.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from sqlalchemy.orm import Session

from app.auth import current_user
from app.db import get_session
from app.web.auth import roles_page
from app.web.i18n import current_lang, t
from inventory import rmas
from inventory.errors import NotFound
from models import Depot, Rma
from models.enums import Role

bp = Blueprint("documents", __name__, url_prefix="/documents")

# The RMA states in which the customer holds (or is about to send) the faulty unit.
LABEL_STATES = {"shipped", "delivered", "awaiting_return", "faulty_in_transit"}


def _renderer():
    """The return-label renderer of app/documents: a dedicated label if there is one, else
    the packing slip (which carries the return label); None while neither is installed."""
    import importlib

    try:
        packing_slip = importlib.import_module("app.documents.packing_slip")
    except ModuleNotFoundError as error:
        if error.name != "app.documents.packing_slip":
            raise
        return None
    return getattr(packing_slip, "render_return_label", None) or getattr(packing_slip, "render_packing_slip", None)


def return_label_due(rma: Rma | None) -> bool:
    """The customer needs a return label: the faulty unit is theirs to send back."""
    return rma is not None and rma.status in LABEL_STATES and rma.faulty_received_at is None


def return_label_offered(rma: Rma | None) -> bool:
    return return_label_due(rma) and _renderer() is not None


def _address(name: str, street: str, postcode: str | None = None, contact: str | None = None,
             phone: str | None = None):
    from app.documents.data import Address

    return Address(name=name, street=street, postcode=postcode, contact=contact, phone=phone)


def _depot_address(depot: Depot):
    return _address(depot.name, depot.address)


def packing_slip_data(db: Session, rma: Rma):
    """The packing slip / return label of an advance replacement, from the RMA."""
    from app.documents.data import PackingSlipData

    source = db.get(Depot, rma.source_depot_id) if rma.source_depot_id else None
    back = db.get(Depot, rma.return_depot_id) if rma.return_depot_id else source
    ship_from = _depot_address(source) if source else _address(rma.customer_unit, rma.address)
    part = rma.replacement_part or rma.faulty_part
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return PackingSlipData(
        rma_number=rma.number, part_number=part.part_number,
        part_description=part.description_zh or part.description,
        replacement_serial=rma.replacement_serial or "—", faulty_serial=rma.faulty_serial,
        ship_from=ship_from,
        ship_to=_address(rma.customer_unit, rma.address, rma.postcode, rma.recipient or rma.contact_name, rma.phone),
        tracking_url=base + url_for("tracking.track_page", code=rma.tracking_code),
        return_deadline=rma.return_due_at, return_to=_depot_address(back) if back else None,
        quantity=rma.replacement_qty or rma.faulty_qty, ticket_number=rma.ticket.number if rma.ticket else None,
        shipped_at=rma.shipped_at, carrier=rma.carrier, waybill_number=rma.waybill, timezone=rma.site.timezone,
    )


def return_label_pdf(db: Session, rma: Rma, *, lang: str) -> bytes | None:
    render = _renderer()
    if render is None:
        return None
    return render(packing_slip_data(db, rma), lang="en" if lang == "en" else "zh")


def repair_form_data(rma: Rma):
    """The repair request form (设备维修申请表) of an RMA: every field of DESIGN.md §2."""
    from app.documents.data import FaultyItem, RepairFormData, ReplacementItem

    faulty = FaultyItem(model=rma.faulty_part.part_number, serial=rma.faulty_serial or "—",
                        quantity=rma.faulty_qty, received_at=rma.faulty_received_at,
                        returned_to_bonded_warehouse_at=rma.faulty_to_bonded_at, fault_symptom=rma.fault_symptom,
                        analysis_and_action=" / ".join(x for x in (rma.fault_analysis, rma.fault_action) if x) or None)
    replacements = ()
    if rma.replacement_serial or rma.replacement_qty:
        part = rma.replacement_part or rma.faulty_part
        replacements = (ReplacementItem(model=part.part_number, serial=rma.replacement_serial or "—",
                                        quantity=rma.replacement_qty or 1, arrived_at=rma.replacement_arrived_at,
                                        returned_to_user_at=rma.replacement_to_user_at),)
    return RepairFormData(
        service_number=rma.number, customer_unit=rma.customer_unit, contact=rma.contact_name, phone=rma.phone,
        fax=rma.fax, recipient=rma.recipient, address=rma.address, postcode=rma.postcode, faulty_items=(faulty,),
        replacement_items=replacements, issued_at=rma.requested_at, timezone=rma.site.timezone)


def _pdf(body: bytes, filename: str):
    return body, 200, {"Content-Type": "application/pdf", "Cache-Control": "no-store",
                       "Content-Disposition": f'attachment; filename="{filename}"'}


@bp.get("/rma/<number>/repair-form.pdf")
@roles_page("warehouse", "dispatcher", "engineer", "customer")
def repair_form(number: str):
    """The RMA's repair request form; a customer gets their own RMAs' forms only."""
    from app.documents.repair_form import render_repair_form

    user = current_user()
    db = get_session()
    try:
        rma = rmas.rma_by_ref(db, number, customer_id=user.customer_id if user.role == Role.CUSTOMER.value else None)
    except NotFound:
        return render_template("error.html", code=404, message=t("error.not_found")), 404
    return _pdf(render_repair_form(repair_form_data(rma), lang=current_lang()), f"repair-form-{rma.number}.pdf")
