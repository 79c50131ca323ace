"""Vendors' warranty terms and the check made when a unit is claimed under them.

A term is per vendor and part model (or for all the vendor's parts when no part is
named; the part's own term wins): ``months`` from the unit's purchase (its first receipt
from the supplier in the ledger) or from its installation (the installed base's
acceptance date for that serial, else the last time the ledger delivered it to a
customer site). A unit fails inside its warranty when the claim date falls on or before
the start date plus the months. No term for the vendor: out of warranty, and the line says
so; a term whose start date is not on record: ``unknown`` (claimed; the vendor decides).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.errors import InvalidInput
from inventory.events import record_on
from inventory.lookups import part_by_number
from inventory.transaction import transaction
from inventory.views import view_of
from models import Equipment, Location, Movement, Part, SerialItem, WarrantyTerm
from models.enums import LocationKind, MovementReason
from models.rtv import WarrantyBasis, WarrantyVerdict

MAX_MONTHS = 240


def vendor_key(vendor: str) -> str:
    return vendor.strip().casefold()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class TermView:
    vendor: str
    part_number: str | None
    months: int
    basis: str
    set_by: str
    set_at: datetime


def term_view(term: WarrantyTerm) -> TermView:
    return view_of(TermView, term, part_number=term.part.part_number if term.part else None)


def set_term(
    session: Session,
    *,
    vendor: str,
    months: int,
    basis: str,
    actor: str,
    part_number: str | None = None,
) -> TermView:
    """Set (or replace) a vendor's warranty on a part model, or on all its parts; commits."""
    if not vendor.strip():
        raise InvalidInput("name the vendor", field="vendor", key="name_vendor")
    if not 0 < months <= MAX_MONTHS:
        raise InvalidInput(
            f"months is 1 to {MAX_MONTHS}",
            field="months",
            key="months_range",
            params={"n": MAX_MONTHS},
        )
    if basis not in {b.value for b in WarrantyBasis}:
        raise InvalidInput("basis is purchase or installation", field="basis", key="basis_choice")
    with transaction(session):
        part = part_by_number(session, part_number) if part_number else None
        key = vendor_key(vendor)
        stmt = select(WarrantyTerm).where(WarrantyTerm.vendor_key == key)
        stmt = stmt.where(
            WarrantyTerm.part_id == part.id if part else WarrantyTerm.part_id.is_(None)
        )
        term = session.scalar(stmt)
        if term is None:
            term = WarrantyTerm(vendor_key=key, part_id=part.id if part else None)
            session.add(term)
        term.vendor, term.months, term.basis = vendor.strip(), months, basis
        term.set_by = actor
        session.flush()
        record_on(
            session,
            "warranty_term",
            term,
            "set",
            actor=actor,
            ref=f"{term.vendor}/{part_number or '*'}",
            data={"months": months, "basis": basis},
        )
        session.refresh(term)
        return term_view(term)


def list_terms(session: Session) -> list[TermView]:
    return [
        term_view(t)
        for t in session.scalars(
            select(WarrantyTerm).order_by(WarrantyTerm.vendor_key, WarrantyTerm.id)
        )
    ]


def term_for(session: Session, vendor: str, part: Part) -> WarrantyTerm | None:
    terms = list(
        session.scalars(select(WarrantyTerm).where(WarrantyTerm.vendor_key == vendor_key(vendor)))
    )
    own = [t for t in terms if t.part_id == part.id]
    general = [t for t in terms if t.part_id is None]
    found = own or general
    return found[0] if found else None


@dataclass(frozen=True)
class WarrantyCheck:
    verdict: str  # in | out | unknown
    reason: str  # what the claim line shows: why in or out
    start: date | None
    end: date | None


def _purchase_date(session: Session, item: SerialItem) -> date | None:
    at = session.scalar(
        select(Movement.occurred_at)
        .where(
            Movement.serial_item_id == item.id,
            Movement.reason == MovementReason.RECEIPT.value,
        )
        .order_by(Movement.id)
        .limit(1)
    )
    return at.date() if at else None


def _installation_date(session: Session, item: SerialItem) -> date | None:
    accepted = session.scalar(
        select(Equipment.acceptance_date)
        .where(Equipment.part_id == item.part_id, Equipment.serial == item.serial)
        .order_by(Equipment.id.desc())
        .limit(1)
    )
    if accepted is not None:
        return accepted
    at = session.scalar(
        select(Movement.occurred_at)
        .join(Location, Location.id == Movement.to_location_id)
        .where(
            Movement.serial_item_id == item.id,
            Location.kind == LocationKind.CUSTOMER_SITE.value,
        )
        .order_by(Movement.id.desc())
        .limit(1)
    )
    return at.date() if at else None


def check_warranty(
    session: Session, vendor: str, item: SerialItem, claimed_on: date
) -> WarrantyCheck:
    """Is ``item`` inside ``vendor``'s warranty on ``claimed_on``, and why (module doc)."""
    part = item.part
    term = term_for(session, vendor, part)
    if term is None:
        return WarrantyCheck(
            WarrantyVerdict.OUT.value,
            f"no warranty terms of {vendor} for {part.part_number}",
            None,
            None,
        )
    scope = part.part_number if term.part_id else f"all {term.vendor} parts"
    if term.basis == WarrantyBasis.PURCHASE.value:
        start, what = _purchase_date(session, item), "purchase"
    else:
        start, what = _installation_date(session, item), "installation"
    if start is None:
        return WarrantyCheck(
            WarrantyVerdict.UNKNOWN.value,
            f"{term.months} months from {what} ({scope}); no {what} date on record",
            None,
            None,
        )
    end = add_months(start, term.months)
    verdict = WarrantyVerdict.IN if claimed_on <= end else WarrantyVerdict.OUT
    words = "in warranty until" if verdict is WarrantyVerdict.IN else "warranty ended"
    return WarrantyCheck(
        verdict.value,
        f"{term.months} months from {what} on {start.isoformat()} ({scope}): "
        f"{words} {end.isoformat()}",
        start,
        end,
    )
