"""The stock ledger: serialized items, counted quantities and immutable movements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.catalogue import Part
from models.network import Location


class SerialItem(Base):
    __tablename__ = "serial_items"
    __table_args__ = (
        UniqueConstraint("part_id", "serial"),
        Index("ix_serial_items_avail", "part_id", "status", "condition", "location_id"),
        Index("ix_serial_items_serial", "serial"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    serial: Mapped[str] = mapped_column(String(64))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    condition: Mapped[str] = mapped_column(String(12))
    reserved_ref: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    part: Mapped[Part] = relationship()
    location: Mapped[Location] = relationship()


class StockQuantity(Base):
    """Counted stock of one part at one location in one condition.

    ``qty`` is free on the shelf, ``reserved`` is on the shelf but promised; on hand is
    their sum. Both can never go negative: the database refuses it.
    """

    __tablename__ = "stock_quantities"
    __table_args__ = (
        UniqueConstraint("part_id", "location_id", "condition"),
        CheckConstraint("qty >= 0", name="qty_nonneg"),
        CheckConstraint("reserved >= 0", name="reserved_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    condition: Mapped[str] = mapped_column(String(12))
    qty: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)


class Movement(Base):
    """One immutable ledger line: qty of a part moved from one location to another."""

    __tablename__ = "movements"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        Index("ix_movements_item_time", "serial_item_id", "id"),
        Index("ix_movements_part_time", "part_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    serial_item_id: Mapped[int | None] = mapped_column(ForeignKey("serial_items.id"))
    qty: Mapped[int] = mapped_column(default=1)
    from_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    to_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    from_condition: Mapped[str | None] = mapped_column(String(12))
    condition: Mapped[str] = mapped_column(String(12))  # condition on arrival
    reason: Mapped[str] = mapped_column(String(24))
    reference: Mapped[str | None] = mapped_column(String(64), index=True)
    note: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Delivery(Base):
    """One booked supplier delivery file. Its row is written in the transaction that books
    the file, so the unique keys decide, whatever the number of workers, that a delivery
    note (``reference``) is booked once and that a command-line retry (``idempotency_key``)
    books nothing twice. ``report`` is what the booking answered, for that retry."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(64), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    booked_at: Mapped[datetime] = mapped_column(default=utcnow)
    report: Mapped[dict] = mapped_column(JSON, default=dict)
