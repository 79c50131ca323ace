"""Each downloadable document as one call: who may fetch it (access), whether it exists yet,
its data (builders), its rendering, and its file name. The API and the pages both call
these and differ only in how they answer the errors: NotFound (unknown, or not the caller's
to see), Conflict (not written yet) and InvalidInput (a month that has not begun).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Response
from sqlalchemy.orm import Session

import app.documents as pdf
from app.documents import access, builders
from inventory.errors import InvalidInput
from models import Customer, Rma, User
from models.enums import Role


@dataclass(frozen=True)
class PdfFile:
    body: bytes
    filename: str

    def response(self) -> Response:
        """The download: application/pdf, an attachment with a safe file name, not stored."""
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", self.filename)
        return Response(
            self.body,
            mimetype="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{safe}"',
                "Cache-Control": "no-store",
            },
        )


def repair_form(db: Session, number: str, user: User, *, lang: str) -> PdfFile:
    rma = access.rma_for(db, number, user)
    return PdfFile(
        pdf.render_repair_form(builders.repair_form_for(db, rma), lang=lang),
        f"repair-form-{rma.number}.pdf",
    )


def packing_slip(db: Session, number: str, user: User, *, lang: str, base_url: str) -> PdfFile:
    rma = access.rma_for(db, number, user)
    access.require_packing_slip(rma)
    data = builders.packing_slip_for(db, rma, base_url, lang=lang)
    return PdfFile(pdf.render_packing_slip(data, lang=lang), f"packing-slip-{rma.number}.pdf")


def return_label(db: Session, number: str, user: User, *, lang: str, base_url: str) -> PdfFile:
    rma = access.rma_for(db, number, user)
    access.require_return_label(rma)
    return return_label_of(db, rma, lang=lang, base_url=base_url)


def return_label_of(db: Session, rma: Rma, *, lang: str, base_url: str) -> PdfFile:
    """The return label of an RMA already checked by the caller (the tracking page's)."""
    data = builders.packing_slip_for(db, rma, base_url, lang=lang)
    return PdfFile(pdf.render_return_label(data, lang=lang), f"return-label-{rma.number}.pdf")


def fault_report(db: Session, number: str, user: User, *, lang: str) -> PdfFile:
    ticket = access.ticket_for(db, number, user)
    access.require_fault_report(ticket)
    data = builders.fault_report_for(
        db, ticket, for_customer=user.role == Role.CUSTOMER.value, lang=lang
    )
    return PdfFile(pdf.render_fault_report(data, lang=lang), f"fault-report-{ticket.number}.pdf")


def service_sheet(db: Session, number: str, user: User, *, lang: str) -> PdfFile:
    """The technical service sheet of the ticket's latest signed visit."""
    ticket = access.ticket_for(db, number, user)
    visit = access.service_sheet_of(db, ticket)
    data = builders.service_sheet_for(
        db, visit, for_customer=user.role == Role.CUSTOMER.value, lang=lang
    )
    return PdfFile(pdf.render_service_sheet(data, lang=lang), f"service-sheet-{visit.number}.pdf")


def inspection_report(db: Session, number: str, user: User, *, lang: str) -> PdfFile:
    """The inspection report (巡检报告): staff once signed, the customer once issued."""
    from app.documents.inspection_report import (
        inspection_report_for,
        render_inspection_report,
    )

    row = access.inspection_for(db, number, user)
    data = inspection_report_for(db, row, lang)
    return PdfFile(render_inspection_report(data, lang=lang), f"inspection-report-{row.number}.pdf")


def monthly_report(db: Session, customer: Customer, year: int, month: int, *, lang: str) -> PdfFile:
    """The report of a customer the caller may read (``access.customer_for``)."""
    if not 1970 <= year <= 2199:
        raise InvalidInput("year out of range", field="year", key="year_out_of_range")
    tz = builders.customer_timezone(db, customer)
    builders.check_report_month(year, month, tz)
    data = builders.monthly_report_for(db, customer, year, month, tz, lang=lang)
    return PdfFile(
        pdf.render_monthly_report(data, lang=lang),
        f"monthly-report-{customer.code}-{year}-{month:02d}.pdf",
    )


def plan_report(job_id: str, plan: dict, *, lang: str) -> PdfFile:
    """The management PDF of a finished planning run."""
    from app.documents.plan_report import render_plan_report

    data = builders.plan_report_for(job_id, plan)
    return PdfFile(render_plan_report(data, lang=lang), f"plan-{job_id[:8]}-{lang}.pdf")


# --- the shelf's papers (depot-bound: access.depot_for / access.transfer_for) ----------------


def bin_labels(
    db: Session, code: str, user: User, *, lang: str, part_numbers: list[str] | None = None
) -> PdfFile:
    """The depot's location label and its bins' labels (60×40 mm, one a page)."""
    depot = access.depot_for(db, code, user)
    labels = builders.bin_labels_for(db, depot, lang, part_numbers)
    return PdfFile(
        pdf.render_shelf_labels(labels, lang, title=depot.code), f"bin-labels-{depot.code}.pdf"
    )


def item_labels(db: Session, number: str, user: User, *, lang: str) -> PdfFile:
    """A label for each unit a transfer carries (60×40 mm, one a page)."""
    transfer = access.transfer_for(db, number, user)
    labels = builders.item_labels_for(db, transfer, lang)
    return PdfFile(
        pdf.render_shelf_labels(labels, lang, title=transfer.number),
        f"item-labels-{transfer.number}.pdf",
    )


def pick_list(db: Session, number: str, user: User, *, lang: str) -> PdfFile:
    transfer = access.transfer_for(db, number, user)
    data = builders.transfer_paper_for(db, transfer, lang)
    return PdfFile(pdf.render_pick_list(data, lang=lang), f"pick-list-{transfer.number}.pdf")


def delivery_note(db: Session, number: str, user: User, *, lang: str) -> PdfFile:
    transfer = access.transfer_for(db, number, user)
    data = builders.transfer_paper_for(db, transfer, lang)
    return PdfFile(
        pdf.render_delivery_note(data, lang=lang), f"delivery-note-{transfer.number}.pdf"
    )


# --- the customer's service files (quarterly file, annual summary) --------------------------


def generate_service_file(
    db: Session,
    customer: Customer,
    period_code: str,
    *,
    lang: str = "zh",
    actor: str,
    now=None,
):
    """Render and keep a customer's quarterly file (summary + every fault handling report of
    the quarter, as the customer reads them) or annual summary; the customer is e-mailed a
    link by the outbox. A period still running gives the file so far (the schedule makes
    ended periods only); one that has not begun is refused (InvalidInput)."""
    from app.documents.service_file import bundle, render_service_file
    from inventory.service_files import parse_period, store_file
    from models import utcnow

    now = now or utcnow()
    period = parse_period(period_code)
    tz = builders.customer_timezone(db, customer)
    if period.bounds(tz)[0] > now:
        raise InvalidInput(
            f"{period.code} has not begun yet",
            field="period",
            key="period_not_begun",
            params={"period": period.code},
        )
    data = builders.service_file_for(db, customer, period, tz, lang=lang, now=now)
    reports = []
    if period.kind == "quarterly":
        start, end = period.bounds(tz)
        for ticket in builders.service_report_tickets(db, customer, start, end):
            report = builders.fault_report_for(db, ticket, for_customer=True, lang=lang)
            reports.append(pdf.render_fault_report(report, lang=lang))
    body = bundle(render_service_file(data, lang=lang), reports)
    return store_file(db, customer, period, lang, body, reports=len(reports), actor=actor, now=now)


def generate_due_service_files(db: Session, *, now=None, actor: str = "schedule") -> list[str]:
    """The schedule: for every customer, the last quarter's file and the last year's
    summary (in Chinese) if not kept yet. Returns "CUSTOMER PERIOD" of each made."""
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from inventory.service_files import previous_periods, stored_file
    from models import utcnow

    now = now or utcnow()
    made = []
    for customer in list(db.scalars(select(Customer).order_by(Customer.code))):
        tz = builders.customer_timezone(db, customer)
        for period in previous_periods(now, tz):
            if stored_file(db, customer.id, period, "zh") is not None:
                continue
            try:
                generate_service_file(db, customer, period.code, lang="zh", actor=actor, now=now)
            except IntegrityError:  # another process kept it first (the transaction rolled back)
                continue
            made.append(f"{customer.code} {period.code}")
    return made


def service_file_download(
    db: Session, customer: Customer, period_code: str, *, lang: str
) -> PdfFile:
    """A kept service file of the customer (NotFound if none)."""
    from inventory.service_files import file_for_download

    kept = file_for_download(db, customer.id, period_code, lang)
    return PdfFile(kept.pdf, f"service-file-{customer.code}-{kept.period}-{kept.lang}.pdf")
