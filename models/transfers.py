"""Depot-to-depot transfers and the per-year document counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow


class Counter(Base):
    """Next number of a human-friendly series such as ``TRF-2026``."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class Transfer(Base):
    """Stock sent from a depot to another depot, or to an engineer's van
    (``to_location_id``, no ``to_depot_id``): the van's engineer receives it."""

    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint(
            "to_depot_id IS NOT NULL OR to_location_id IS NOT NULL", name="has_destination"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    from_depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    to_depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"), index=True)
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # models.enums.TransferStatus
    shipped_by: Mapped[str] = mapped_column(String(64))
    shipped_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_by: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(500))

    lines: Mapped[list[TransferLine]] = relationship(
        back_populates="transfer", order_by="TransferLine.id"
    )


class TransferLine(Base):
    __tablename__ = "transfer_lines"
    __table_args__ = (
        CheckConstraint("qty_shipped > 0", name="shipped_positive"),
        CheckConstraint("qty_received >= 0", name="received_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    serial_item_id: Mapped[int | None] = mapped_column(ForeignKey("serial_items.id"))
    condition: Mapped[str] = mapped_column(String(12))
    qty_shipped: Mapped[int]
    qty_received: Mapped[int] = mapped_column(default=0)

    transfer: Mapped[Transfer] = relationship(back_populates="lines")


class TransferDiscrepancy(Base):
    """A difference between what a transfer shipped and what arrived, open until someone
    resolves it: found later (booked in at the destination), lost in transit (written off
    once a second person approves), or — for units that arrived unannounced — noted."""

    __tablename__ = "transfer_discrepancies"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint(
            "status IN ('open', 'write_off_requested', 'found', 'written_off', 'noted')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    serial_item_id: Mapped[int | None] = mapped_column(ForeignKey("serial_items.id"))
    serial: Mapped[str | None] = mapped_column(String(64))  # also for an unexpected serial
    condition: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(12))  # missing | short | over | unexpected
    qty: Mapped[int]
    status: Mapped[str] = mapped_column(String(24), default="open", index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by: Mapped[str | None] = mapped_column(String(64))
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(500))

    transfer: Mapped[Transfer] = relationship()
