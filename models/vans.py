"""Engineers' van stock and the way removed parts go back.

A van is a ``Location`` of kind ``van`` (``Engineer.van_location_id``): its stock lives in
the same ledger tables as a depot's. These tables only add what a van needs besides:
its stocking list, the return routing rules, and the removed parts owed back. The rules
live in ``inventory/vans.py`` and ``inventory/part_returns.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import limits
from models.base import Base, utcnow
from models.catalogue import Part
from models.network import Location
from models.people import Engineer


class VanStockLevel(Base):
    """How many good units of a part an engineer's van should carry (the stocking list).
    ``source``: ``manual`` (set by hand) or ``proposed`` (accepted from the demand rule)."""

    __tablename__ = "van_stock_levels"
    __table_args__ = (
        UniqueConstraint("engineer_id", "part_id"),
        CheckConstraint("level >= 0", name="level_nonneg"),
        CheckConstraint("source IN ('manual', 'proposed')", name="source_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    level: Mapped[int]
    source: Mapped[str] = mapped_column(String(12), default="manual")
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    part: Mapped[Part] = relationship()


class ReturnRule(Base):
    """Where a removed part goes and by when. A rule matches a removed part when each of
    its criteria that is set matches (part number, part category, condition, vendor, the
    engineer's region = home city); the most specific active rule wins (most criteria
    set, then the lowest id). The destination is a location (a depot's, a vendor's hub)
    or, with ``to_home_depot``, the engineer's home depot."""

    __tablename__ = "return_rules"
    __table_args__ = (
        CheckConstraint("deadline_hours > 0", name="deadline_positive"),
        CheckConstraint("condition IN ('faulty', 'good')", name="condition_known"),
        CheckConstraint(
            "(destination_location_id IS NOT NULL) <> to_home_depot", name="one_destination"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(limits.ORG_NAME))
    part_id: Mapped[int | None] = mapped_column(ForeignKey("parts.id"))
    category: Mapped[str | None] = mapped_column(String(limits.CATEGORY))
    condition: Mapped[str] = mapped_column(String(12))
    vendor: Mapped[str | None] = mapped_column(String(limits.ORG_NAME))
    region: Mapped[str | None] = mapped_column(String(limits.CITY))
    destination_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    to_home_depot: Mapped[bool] = mapped_column(default=False)
    deadline_hours: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    part: Mapped[Part | None] = relationship()
    destination: Mapped[Location | None] = relationship()


class PartReturn(Base):
    """One removed part owed back: what (part, serial or quantity, condition), from which
    job (ticket, visit line), by which rule, to where and by when, and how far it got.
    Return-to-vendor claims build on these records."""

    __tablename__ = "part_returns"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("status IN ('owed', 'shipped', 'received')", name="status_known"),
        Index("ix_part_returns_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # RET-YYYY-NNNNNN
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    serial: Mapped[str | None] = mapped_column(String(64))
    serial_item_id: Mapped[int | None] = mapped_column(ForeignKey("serial_items.id"))
    qty: Mapped[int] = mapped_column(default=1)
    condition: Mapped[str] = mapped_column(String(12))  # faulty | good
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    visit_part_id: Mapped[int] = mapped_column(ForeignKey("visit_parts.id"))
    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id"), index=True)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("return_rules.id"))
    destination_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="owed")
    shipped_at: Mapped[datetime | None]
    waybill: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime | None]
    received_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    part: Mapped[Part] = relationship()
    engineer: Mapped[Engineer] = relationship()
    rule: Mapped[ReturnRule | None] = relationship()
    destination: Mapped[Location] = relationship()
