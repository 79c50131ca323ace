"""Customer problems and complaints (客户问题记录表 / 客户问题回馈记录) and the departments
they are sent to.

A ``Complaint`` is one request or complaint: who received it and when, its urgency, the
department it went to, the planned measures and expected resolution date, the resolution
and the customer's opinion. Its two clocks (``logistics.sla``: ``complaint_response``,
``complaint_resolution``) are stored as deadlines when it is received; the supervision log
(督办记录) is the ``events`` table (kind ``supervision``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import limits
from models.base import Base, utcnow
from models.people import Customer

if TYPE_CHECKING:
    from models.service import Ticket

COMPLAINT_KINDS = ("request", "complaint")
URGENCIES = ("normal", "urgent", "very_urgent")
COMPLAINT_STATUSES = ("received", "in_progress", "resolved", "closed")


class Department(Base):
    """A department customer problems are sent to, and its head (who is told when a
    problem's clock runs out)."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(limits.CODE), unique=True)
    name: Mapped[str] = mapped_column(String(limits.ORG_NAME))
    name_en: Mapped[str | None] = mapped_column(String(limits.ORG_NAME))
    head_name: Mapped[str] = mapped_column(String(limits.PERSON_NAME))
    head_email: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint("kind IN ('request', 'complaint')", name="kind_known"),
        CheckConstraint("urgency IN ('normal', 'urgent', 'very_urgent')", name="urgency_known"),
        CheckConstraint(
            "status IN ('received', 'in_progress', 'resolved', 'closed')", name="status_known"
        ),
        CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction_range"
        ),
        Index("ix_complaints_status_received", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(limits.REF), unique=True)  # CPL-YYYY-NNNNNN
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    kind: Mapped[str] = mapped_column(String(12))  # request | complaint
    urgency: Mapped[str] = mapped_column(String(12))  # normal | urgent | very_urgent
    status: Mapped[str] = mapped_column(String(12), default="received")
    subject: Mapped[str] = mapped_column(String(limits.REASON))
    description: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(limits.PERSON_NAME))
    contact_phone: Mapped[str | None] = mapped_column(String(limits.PHONE))
    channel: Mapped[str] = mapped_column(String(8))  # phone | fax | email | web | visit
    received_by: Mapped[str] = mapped_column(String(limits.USERNAME))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    planned_measures: Mapped[str | None] = mapped_column(Text)
    expected_resolution_date: Mapped[date | None]
    response_due: Mapped[datetime]
    resolution_due: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    responded_by: Mapped[str | None] = mapped_column(String(limits.USERNAME))
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(limits.USERNAME))
    resolution: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    customer_opinion: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[int | None]  # the customer's 1-5 rating of the handling
    escalation_level: Mapped[int] = mapped_column(default=0)

    customer: Mapped[Customer] = relationship()
    department: Mapped[Department | None] = relationship()
    ticket: Mapped[Ticket | None] = relationship()
