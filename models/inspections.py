"""Preventive inspections (巡检): a contract's inspection programme, the visits generated
from it, what the engineer records on site (checklist results, findings, photos, the
customer's signature) and the report the customer is promised.

What a programme may hold, how visits are scheduled and moved, and what a finding opens
live in ``inventory/inspections.py`` and ``logistics/inspections.py``; these tables only
store it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import limits
from models.base import Base, StoredPhoto, utcnow
from models.people import Engineer, Site
from models.service import Contract, Ticket


class InspectionProgramme(Base):
    """One contract's inspection programme.

    ``frequency``: yearly | quarterly | monthly; ``mode``: on_site | phone. ``site_codes``
    lists the sites covered (empty: every site of the contract's customer); the units
    covered are the contract's installed units at those sites. ``checklists`` maps an
    equipment kind (a part category; ``*``: checked at every visit) to its items, each
    ``{"key", "group": software|hardware|environment, "item", "expected"}``.
    ``preferred_weekdays`` are ISO weekdays ("24": Tuesday and Thursday); the preferred
    hours are local minutes after midnight.
    """

    __tablename__ = "inspection_programmes"
    __table_args__ = (
        CheckConstraint("frequency IN ('yearly', 'quarterly', 'monthly')", name="frequency_known"),
        CheckConstraint("mode IN ('on_site', 'phone')", name="mode_known"),
        CheckConstraint("report_days >= 0 AND report_days <= 60", name="report_days_range"),
        CheckConstraint("visit_minutes > 0 AND visit_minutes <= 600", name="visit_minutes_range"),
        CheckConstraint("preferred_end_min > preferred_start_min", name="preferred_hours_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), unique=True)
    frequency: Mapped[str] = mapped_column(String(12))
    mode: Mapped[str] = mapped_column(String(8), default="on_site")
    site_codes: Mapped[list] = mapped_column(JSON, default=list)
    checklists: Mapped[dict] = mapped_column(JSON, default=dict)
    report_days: Mapped[int] = mapped_column(default=7)
    training: Mapped[bool] = mapped_column(default=False)
    preferred_weekdays: Mapped[str] = mapped_column(String(7), default="12345")
    preferred_start_min: Mapped[int] = mapped_column(default=9 * 60)
    preferred_end_min: Mapped[int] = mapped_column(default=17 * 60)
    visit_minutes: Mapped[int] = mapped_column(default=120)
    active: Mapped[bool] = mapped_column(default=True)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    contract: Mapped[Contract] = relationship()


class Inspection(Base):
    """One scheduled inspection visit of one site in one period of a programme.

    (programme, site, period) is unique: generating a year twice adds nothing. ``day`` is
    the local date it is planned for (it moves when fault work displaces it; the first
    planned date stays in ``first_day``). ``results`` is a list of
    ``{"key", "outcome": pass|fail|na, "reading"}``; the report is due ``report_due``
    (UTC) and issued at ``report_issued_at``.
    """

    __tablename__ = "inspections"
    __table_args__ = (
        UniqueConstraint("programme_id", "site_id", "period"),
        Index("ix_inspections_day_engineer", "day", "engineer_id"),
        CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'cancelled')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # INS-YYYY-NNNNNN
    programme_id: Mapped[int] = mapped_column(ForeignKey("inspection_programmes.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    period: Mapped[str] = mapped_column(String(8))  # 2027, 2027-Q1, 2027-03
    day: Mapped[date]
    first_day: Mapped[date]
    window_start_min: Mapped[int]
    window_end_min: Mapped[int]
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("engineers.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="planned")
    moves: Mapped[int] = mapped_column(default=0)
    arrived_at: Mapped[datetime | None]
    arrived_device_at: Mapped[datetime | None]
    results: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    recommendations: Mapped[str | None] = mapped_column(Text)
    training_given: Mapped[bool] = mapped_column(default=False)
    signer_name: Mapped[str | None] = mapped_column(String(limits.PERSON_NAME))
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    signed_at: Mapped[datetime | None]
    report_due: Mapped[datetime | None]
    report_issued_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[InspectionProgramme] = relationship()
    contract: Mapped[Contract] = relationship()
    site: Mapped[Site] = relationship()
    engineer: Mapped[Engineer | None] = relationship()
    findings: Mapped[list[InspectionFinding]] = relationship(
        back_populates="inspection", order_by="InspectionFinding.id"
    )
    photos: Mapped[list[InspectionPhoto]] = relationship(
        back_populates="inspection", order_by="InspectionPhoto.id"
    )


class InspectionFinding(Base):
    """Something found that could not be fixed on the spot; it opens a ticket."""

    __tablename__ = "inspection_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    item_key: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(2))
    equipment_serial: Mapped[str | None] = mapped_column(String(limits.SERIAL))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), unique=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="findings")
    ticket: Mapped[Ticket | None] = relationship()


class InspectionPhoto(StoredPhoto, Base):
    """A photo taken during an inspection; the bytes live in the configured photo store."""

    __tablename__ = "inspection_photos"

    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)

    inspection: Mapped[Inspection] = relationship(back_populates="photos")
