"""Which PDFs a page offers, and the bytes of each, from app/documents' renderers.

The renderers take plain dataclasses (app/documents/data.py); this module fills them from
the RMA. When the renderer is not installed the page does not offer the link.
"""

from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy.orm import Session

from models import Depot, Rma

# The RMA states in which the customer holds (or is about to send) the faulty unit.
LABEL_STATES = {"shipped", "delivered", "awaiting_return", "faulty_in_transit"}


def _renderer():
    try:
        from app.documents.packing_slip import render_packing_slip
    except ModuleNotFoundError:
        return None
    return render_packing_slip


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
