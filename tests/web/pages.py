"""URLs of pages that show one thing from the demo data (for the i18n sweep)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from inventory.sweep import sweep
from models import Location, Part, SerialItem, Ticket, utcnow
from tests.web.conftest import delivered_rma, open_ticket

# The warehouse, dispatcher and engineer pages: each role's own, an admin's every one.
ROLE_PAGES = [
    "/warehouse/",
    "/warehouse/import",
    "/warehouse/reorder",
    "/dispatch/",
    "/dispatch/routes",
    "/dispatch/alerts",
    "/engineer/",
]


def data_page_urls(db) -> list[str]:
    serial = db.scalar(
        select(SerialItem.serial)
        .join(Location, Location.id == SerialItem.location_id)
        .where(Location.code == "BJ01", SerialItem.status == "in_stock")
        .order_by(SerialItem.id)
    )
    at_vendor = db.scalar(
        select(SerialItem.serial).where(SerialItem.status == "at_vendor").order_by(SerialItem.id)
    )
    counted = db.scalar(
        select(Part.part_number).where(Part.tracking == "counted").order_by(Part.id)
    )
    jobs = list(
        db.scalars(
            select(Ticket.number).where(Ticket.status.in_(["dispatched", "on_site", "resolved"]))
        )
    )
    db.rollback()
    urls = [f"/engineer/{number}" for number in jobs] + [
        f"/warehouse/?q={serial}",
        "/warehouse/?q=SRV-2288-PSU",
        f"/warehouse/?q={counted}",
        "/warehouse/?q=UNKNOWN-CODE",
        "/warehouse/reorder?depot=BJ01",
    ]
    if at_vendor:
        urls.append(f"/warehouse/?q={at_vendor}")
    rma = delivered_rma(db, "I18N-FAULTY-1")
    late = delivered_rma(db, "I18N-LATE-1", now=utcnow() - timedelta(days=4))
    waiting = open_ticket(db, severity="P1")
    escalated = open_ticket(db, severity="P2", site="C002-S1", now=utcnow() - timedelta(hours=3))
    from inventory import complaints

    complaint = complaints.file_complaint(
        db, customer_code="C001", kind="complaint", urgency="very_urgent", subject="备件迟到",
        description="备件晚到一天", actor="li.disp", channel="phone",
        received_at=utcnow() - timedelta(hours=30),
    )  # fmt: skip
    complaints.respond(db, complaint.number, department_code="SVC", planned_measures="核查",
                       actor="li.disp")  # fmt: skip
    sweep(db, now=utcnow())
    db.rollback()
    urls += [
        f"/track/{rma.tracking_code}",
        f"/track/{late.tracking_code}",
        f"/warehouse/?q={rma.number}",
        f"/dispatch/tickets/{waiting}",
        f"/dispatch/tickets/{escalated}",
        "/dispatch/alerts",
        "/dispatch/routes?depot=BJ01",
        f"/complaints/{complaint.number}",
        f"/my/complaints/{complaint.number}",
        "/reports/indicators?from=2026-01-01&to=2026-12-31",
    ]
    return urls
