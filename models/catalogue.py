"""Part catalogue and per-depot stock policy."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models import limits
from models.base import Base, utcnow


class Part(Base):
    __tablename__ = "parts"
    __table_args__ = (CheckConstraint("unit_cost >= 0", name="unit_cost_nonneg"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_number: Mapped[str] = mapped_column(String(limits.PART_NUMBER), unique=True)
    description: Mapped[str] = mapped_column(String(limits.PART_DESCRIPTION))
    description_zh: Mapped[str | None] = mapped_column(String(limits.PART_DESCRIPTION))
    category: Mapped[str] = mapped_column(String(limits.CATEGORY), index=True)
    tracking: Mapped[str] = mapped_column(String(12))  # serialized | counted
    kind: Mapped[str] = mapped_column(String(12))  # repairable | consumable
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    active: Mapped[bool] = mapped_column(default=True)
    vendor: Mapped[str | None] = mapped_column(String(limits.ORG_NAME))  # who makes it
    # service-parts planning (docs/planning.md); None: estimated or the stated default
    failure_rate: Mapped[float | None]  # entered failures per installed unit per year
    repair_turnaround_days: Mapped[float | None]  # repair vendor's turnaround
    lead_time_days: Mapped[float | None]  # purchase lead time from the supplier
    # tools a job replacing this part needs (day routes send an engineer lacking one
    # through a depot first; inventory.vans.set_part_tools)
    tools: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")


class StockPolicy(Base):
    """Reorder point and target level of one part at one depot."""

    __tablename__ = "stock_policies"
    __table_args__ = (
        UniqueConstraint("depot_id", "part_id"),
        CheckConstraint("reorder_point >= 0", name="reorder_nonneg"),
        CheckConstraint("target_level >= reorder_point", name="target_ge_reorder"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), index=True)
    reorder_point: Mapped[int] = mapped_column(default=0)
    target_level: Mapped[int] = mapped_column(default=0)


class PartSupersession(Base):
    """``old_part`` is replaced by ``new_part``: the new part number serves demand for the
    old one; ``two_way`` when the old one also serves demand for the new (interchangeable).
    A part has at most one successor. The rule reading these rows is
    ``inventory.supersession`` (one home)."""

    __tablename__ = "part_supersessions"
    __table_args__ = (CheckConstraint("old_part_id <> new_part_id", name="not_itself"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    old_part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), unique=True)
    new_part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), index=True)
    two_way: Mapped[bool] = mapped_column(default=False)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
