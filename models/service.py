"""The service flow: contracts (SLA policy as data), installed base, fault tickets, RMAs,
repair batches, the one event table, idempotency records and satisfaction surveys.

State codes, transition tables and clock arithmetic live in ``inventory/`` and
``logistics/sla.py``; these tables only store what they decide.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import limits
from models.base import Base, utcnow
from models.catalogue import Part
from models.people import Customer, Engineer, Site


class Contract(Base):
    """A service contract and its SLA policy, all of it data (DESIGN.md §2 defaults).

    ``kind``: ``warranty`` (free, 3 years from acceptance), ``per_incident`` or ``yearly``
    (paid, after warranty). Minutes are minutes of each clock's basis (docs/sla.md).
    ``response_minutes`` maps channel → minutes, ``restore_minutes`` severity → minutes,
    ``escalation`` is a list of ``{"level", "after_minutes", "who", "contact"}`` (contact
    optional); ``bases`` optionally overrides a clock's basis (``{"faulty_return": "elapsed"}``).
    """

    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("coverage IN ('5x8', '7x8', '7x24')", name="coverage_kind"),
        CheckConstraint("coverage_end_min > coverage_start_min", name="coverage_order"),
        CheckConstraint("return_window_days >= 0", name="return_window_nonneg"),
        CheckConstraint("late_return_charge >= 0", name="charge_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16), default="warranty")
    coverage: Mapped[str] = mapped_column(String(8), default="7x24")
    coverage_start_min: Mapped[int] = mapped_column(default=9 * 60)  # local minutes
    coverage_end_min: Mapped[int] = mapped_column(default=17 * 60)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    country: Mapped[str] = mapped_column(String(2), default="CN")
    response_minutes: Mapped[dict] = mapped_column(JSON, default=dict)
    system_down_response_minutes: Mapped[float] = mapped_column(default=5.0)
    restore_minutes: Mapped[dict] = mapped_column(JSON, default=dict)
    onsite_promise_minutes: Mapped[float] = mapped_column(default=60.0)
    replacement_unit_minutes: Mapped[float] = mapped_column(default=360.0)
    spare_request_answer_minutes: Mapped[float] = mapped_column(default=60.0)
    spare_delivery_days: Mapped[int] = mapped_column(default=2)
    last_mile_minutes: Mapped[float] = mapped_column(default=300.0)
    return_window_days: Mapped[int] = mapped_column(default=1)
    escalation: Mapped[list] = mapped_column(JSON, default=list)
    bases: Mapped[dict] = mapped_column(JSON, default=dict)
    # a customer problem's clocks in hours: {"response": {"urgent": 4, ...}, "resolution": {...}}
    # (missing urgencies: logistics.sla's defaults)
    complaint_hours: Mapped[dict | None] = mapped_column(JSON)
    late_return_charge: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship()


class Equipment(Base):
    """One installed unit at a customer site (the installed base)."""

    __tablename__ = "equipment"
    __table_args__ = (UniqueConstraint("part_id", "serial"), Index("ix_equipment_serial", "serial"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))  # the model
    serial: Mapped[str] = mapped_column(String(limits.SERIAL))
    serial_item_id: Mapped[int | None] = mapped_column(ForeignKey("serial_items.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    acceptance_date: Mapped[date]
    warranty_end: Mapped[date]  # 3 years after acceptance unless agreed otherwise
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    part: Mapped[Part] = relationship()
    site: Mapped[Site] = relationship()
    contract: Mapped[Contract | None] = relationship()


class Ticket(Base):
    """A fault report (故障申报) and the SLA clocks computed when it was opened (UTC)."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_opened", "status", "opened_at"),
        Index("ix_tickets_engineer_status", "engineer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    equipment_id: Mapped[int | None] = mapped_column(ForeignKey("equipment.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    part_id: Mapped[int | None] = mapped_column(ForeignKey("parts.id"))  # part model needed
    equipment_serial: Mapped[str | None] = mapped_column(String(limits.SERIAL))
    severity: Mapped[str] = mapped_column(String(2))
    channel: Mapped[str] = mapped_column(String(8))
    symptom: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(limits.PERSON_NAME))
    contact_phone: Mapped[str | None] = mapped_column(String(limits.PHONE))
    reported_by: Mapped[str] = mapped_column(String(64))
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("engineers.id"))
    source_depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))
    dispatch_mode: Mapped[str | None] = mapped_column(String(12))  # pickup | courier | engineer
    travel_minutes: Mapped[float | None]  # nearest suitable engineer → site, at opening
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    clock_start: Mapped[datetime]
    response_due: Mapped[datetime]
    onsite_due: Mapped[datetime | None]
    restore_due: Mapped[datetime]
    replacement_due: Mapped[datetime]
    spare_request_due: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    dispatched_at: Mapped[datetime | None]
    onsite_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    last_progress_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalation_level: Mapped[int] = mapped_column(default=0)
    resolution: Mapped[str | None] = mapped_column(Text)
    internal_note: Mapped[str | None] = mapped_column(Text)

    customer: Mapped[Customer] = relationship()
    site: Mapped[Site] = relationship()
    equipment: Mapped[Equipment | None] = relationship()
    contract: Mapped[Contract | None] = relationship()
    part: Mapped[Part | None] = relationship()
    engineer: Mapped[Engineer | None] = relationship()


class Rma(Base):
    """A return / advance replacement, carrying every field of the repair request form
    (设备维修申请表). The faulty and the replacement serial stay linked for life."""

    __tablename__ = "rmas"
    __table_args__ = (
        Index("ix_rmas_status_return_due", "status", "return_due_at"),
        CheckConstraint("faulty_qty > 0", name="faulty_qty_positive"),
        CheckConstraint("replacement_qty >= 0", name="replacement_qty_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # RMA-YYYY-NNNNNN
    kind: Mapped[str] = mapped_column(String(24))  # advance_replacement | return_for_repair
    status: Mapped[str] = mapped_column(String(20))
    tracking_code: Mapped[str] = mapped_column(String(32), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    equipment_id: Mapped[int | None] = mapped_column(ForeignKey("equipment.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("engineers.id"))
    # the form's header
    service_number: Mapped[str | None] = mapped_column(String(32))
    customer_unit: Mapped[str] = mapped_column(String(limits.ORG_NAME))
    contact_name: Mapped[str | None] = mapped_column(String(limits.PERSON_NAME))
    phone: Mapped[str | None] = mapped_column(String(limits.PHONE))
    fax: Mapped[str | None] = mapped_column(String(limits.PHONE))
    recipient: Mapped[str | None] = mapped_column(String(limits.PERSON_NAME))
    address: Mapped[str] = mapped_column(String(limits.ADDRESS))
    postcode: Mapped[str | None] = mapped_column(String(limits.POSTCODE))
    # the faulty product
    faulty_part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    faulty_serial: Mapped[str | None] = mapped_column(String(limits.SERIAL), index=True)
    faulty_item_id: Mapped[int | None] = mapped_column(ForeignKey("serial_items.id"))
    faulty_qty: Mapped[int] = mapped_column(default=1)
    faulty_received_at: Mapped[datetime | None]
    faulty_to_bonded_at: Mapped[datetime | None]  # returned to the bonded warehouse
    fault_symptom: Mapped[str] = mapped_column(Text)
    fault_analysis: Mapped[str | None] = mapped_column(Text)
    fault_action: Mapped[str | None] = mapped_column(Text)
    # the replacement part
    replacement_part_id: Mapped[int | None] = mapped_column(ForeignKey("parts.id"))
    replacement_serial: Mapped[str | None] = mapped_column(String(limits.SERIAL), index=True)
    replacement_item_id: Mapped[int | None] = mapped_column(ForeignKey("serial_items.id"))
    replacement_qty: Mapped[int] = mapped_column(default=0)
    replacement_arrived_at: Mapped[datetime | None]  # reached the local depot / engineer
    replacement_to_user_at: Mapped[datetime | None]  # handed to the user
    # where stock comes from and goes back to
    source_depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))
    return_depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))
    # the good part's way out (ship) and the faulty part's way back (return_faulty)
    carrier: Mapped[str | None] = mapped_column(String(limits.CARRIER))
    waybill: Mapped[str | None] = mapped_column(String(limits.WAYBILL))
    return_carrier: Mapped[str | None] = mapped_column(String(limits.CARRIER))
    return_waybill: Mapped[str | None] = mapped_column(String(limits.WAYBILL))
    # clocks and money (UTC)
    in_warranty: Mapped[bool] = mapped_column(default=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    approve_due: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivery_due: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    return_due_at: Mapped[datetime | None]
    faulty_shipped_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    overdue: Mapped[bool] = mapped_column(default=False)
    overdue_at: Mapped[datetime | None]
    late_charge: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    charge_currency: Mapped[str | None] = mapped_column(String(3))
    internal_note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))

    customer: Mapped[Customer] = relationship()
    site: Mapped[Site] = relationship()
    ticket: Mapped[Ticket | None] = relationship()
    contract: Mapped[Contract | None] = relationship()
    faulty_part: Mapped[Part] = relationship(foreign_keys=[faulty_part_id])
    replacement_part: Mapped[Part | None] = relationship(foreign_keys=[replacement_part_id])


class RepairBatch(Base):
    """Faulty stock sent to one repair vendor together (a vendor RMA)."""

    __tablename__ = "repair_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # VRMA-YYYY-NNNNNN
    vendor: Mapped[str] = mapped_column(String(limits.VENDOR), index=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    status: Mapped[str] = mapped_column(String(16))  # sent | closed
    sent_by: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(500))

    lines: Mapped[list[RepairLine]] = relationship(back_populates="batch", order_by="RepairLine.id")


class RepairLine(Base):
    """One unit in a repair batch and what came of it (pending | repaired | scrapped)."""

    __tablename__ = "repair_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("repair_batches.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    serial_item_id: Mapped[int | None] = mapped_column(ForeignKey("serial_items.id"), index=True)
    qty: Mapped[int] = mapped_column(default=1)
    outcome: Mapped[str] = mapped_column(String(12), default="pending")
    returned_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(500))

    batch: Mapped[RepairBatch] = relationship(back_populates="lines")


class Event(Base):
    """Every state change of the service flow: the audit trail, the customer timeline and
    the reports all read this one table. Append-only."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_subject", "subject_type", "subject_id", "id"),
        Index("ix_events_kind_at", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16))  # ticket | rma | repair_batch | ...
    subject_id: Mapped[int]
    subject_ref: Mapped[str | None] = mapped_column(String(64))  # its human number, or a username
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    customer_visible: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class IdempotencyRecord(Base):
    """The first response to a POST carrying an ``Idempotency-Key`` (per user)."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(255))
    method_path: Mapped[str] = mapped_column(String(300))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]  # None while the first request is still running
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Survey(Base):
    """The customer's confirmation of closure and satisfaction ratings (0–5)."""

    __tablename__ = "surveys"
    __table_args__ = tuple(
        CheckConstraint(f"{q} BETWEEN 0 AND 5", name=f"{q}_range")
        for q in ("response_time", "quality", "attitude", "overall")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    confirmed: Mapped[bool] = mapped_column(default=True)
    response_time: Mapped[int | None]  # None: the customer declined that question
    quality: Mapped[int | None]
    attitude: Mapped[int | None]
    overall: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
