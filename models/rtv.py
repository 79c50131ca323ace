"""Return to vendor (RTV) with warranty claims, and the vendors' warranty terms.

An ``Rtv`` is one shipment of faulty units to a vendor under the vendor's RMA number; each
``RtvLine`` is one serial with its warranty check (made when the claim is made), the
amount claimed for it and what came back. The rules live in ``inventory/rtv.py`` and
``inventory/warranty.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import limits
from models.base import Base, utcnow
from models.catalogue import Part
from models.network import Depot, Location


class WarrantyBasis(StrEnum):
    """Where a vendor's warranty period starts."""

    PURCHASE = "purchase"  # the unit's receipt from the supplier
    INSTALLATION = "installation"  # the unit's installation at the customer


class WarrantyVerdict(StrEnum):
    IN = "in"
    OUT = "out"
    UNKNOWN = "unknown"  # the start date is not on record: claimed, the vendor decides


class RtvStatus(StrEnum):
    """An RTV's life: created (units held for it), shipped, everything back, then the
    vendor's credit recorded (credited) or settled without any (closed)."""

    OPEN = "open"
    SHIPPED = "shipped"
    RECEIVED = "received"
    CREDITED = "credited"
    CLOSED = "closed"


class RtvOutcome(StrEnum):
    """What the vendor did with one unit."""

    PENDING = "pending"
    REPAIRED = "repaired"  # back good, restocked
    REPLACED = "replaced"  # another serial came back (enters stock); the vendor kept ours
    NO_FAULT_FOUND = "no_fault_found"  # back as it went, tested good
    REJECTED_OUT_OF_WARRANTY = "rejected_out_of_warranty"  # back faulty, not covered
    REJECTED_DAMAGED = "rejected_damaged"  # back faulty, damage voids the warranty


class WarrantyTerm(Base):
    """A vendor's warranty on a part model (``part_id``) or on all its parts (no part):
    ``months`` from the unit's purchase or its installation."""

    __tablename__ = "warranty_terms"
    __table_args__ = (
        UniqueConstraint("vendor_key", "part_id"),
        CheckConstraint("months > 0 AND months <= 240", name="months_range"),
        CheckConstraint("basis IN ('purchase', 'installation')", name="basis_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor: Mapped[str] = mapped_column(String(limits.VENDOR))
    vendor_key: Mapped[str] = mapped_column(String(limits.VENDOR), index=True)  # casefolded
    part_id: Mapped[int | None] = mapped_column(ForeignKey("parts.id"))
    months: Mapped[int]
    basis: Mapped[str] = mapped_column(String(12))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    part: Mapped[Part | None] = relationship()


class Rtv(Base):
    """One shipment of units back to a vendor under its RMA number, and the money."""

    __tablename__ = "rtvs"
    __table_args__ = (
        UniqueConstraint("vendor_key", "vendor_rma"),
        CheckConstraint(
            "status IN ('open', 'shipped', 'received', 'credited', 'closed')",
            name="status_known",
        ),
        CheckConstraint("credit_amount IS NULL OR credit_amount >= 0", name="credit_nonneg"),
        Index("ix_rtvs_vendor_status", "vendor_key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(limits.REF), unique=True)  # RTV-YYYY-NNNNNN
    vendor: Mapped[str] = mapped_column(String(limits.VENDOR))
    vendor_key: Mapped[str] = mapped_column(String(limits.VENDOR))
    vendor_rma: Mapped[str] = mapped_column(String(limits.REFERENCE))
    failure: Mapped[str] = mapped_column(String(limits.REASON))
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))  # units come back here
    vendor_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    status: Mapped[str] = mapped_column(String(12), default=RtvStatus.OPEN.value)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    shipped_at: Mapped[datetime | None]
    waybill: Mapped[str | None] = mapped_column(String(limits.WAYBILL))
    received_at: Mapped[datetime | None]
    credit_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    credit_note: Mapped[str | None] = mapped_column(String(limits.REFERENCE))
    settled_at: Mapped[datetime | None]
    settled_by: Mapped[str | None] = mapped_column(String(64))

    depot: Mapped[Depot] = relationship()
    vendor_location: Mapped[Location] = relationship()
    lines: Mapped[list[RtvLine]] = relationship(order_by="RtvLine.id")


class RtvLine(Base):
    """One unit on an RTV: its warranty check, the amount claimed, what came back."""

    __tablename__ = "rtv_lines"
    __table_args__ = (
        UniqueConstraint("rtv_id", "serial_item_id"),
        CheckConstraint("claim_amount >= 0", name="claim_nonneg"),
        CheckConstraint("warranty IN ('in', 'out', 'unknown')", name="warranty_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rtv_id: Mapped[int] = mapped_column(ForeignKey("rtvs.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    serial_item_id: Mapped[int] = mapped_column(ForeignKey("serial_items.id"), index=True)
    serial: Mapped[str] = mapped_column(String(limits.SERIAL))
    from_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    warranty: Mapped[str] = mapped_column(String(8))
    warranty_reason: Mapped[str] = mapped_column(String(limits.REASON))
    warranty_start: Mapped[date | None]
    warranty_end: Mapped[date | None]
    unit_value: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    claim_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    outcome: Mapped[str] = mapped_column(String(28), default=RtvOutcome.PENDING.value)
    replacement_serial: Mapped[str | None] = mapped_column(String(limits.SERIAL))
    replacement_item_id: Mapped[int | None] = mapped_column(ForeignKey("serial_items.id"))
    returned_at: Mapped[datetime | None]

    part: Mapped[Part] = relationship()
