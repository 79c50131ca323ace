"""An engineer's visit to a fault ticket's site (上门服务) and what it records: arrival,
diagnosis, actions, the parts installed and removed, photos, the customer's signature.

The signature completes the technical service sheet (技术服务单). What a visit may do and
what follows (ticket moves, stock movements, the installed base) lives in
``inventory/visits.py``; these tables only store it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, StoredPhoto, utcnow
from models.catalogue import Part
from models.people import Engineer
from models.service import Rma, Ticket


class Visit(Base):
    """One arrival at the site; a reopened ticket gets a new visit at the next arrival."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # TSS-YYYY-NNNNNN
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("engineers.id"))
    arrived_at: Mapped[datetime]  # when the server received the arrival (UTC)
    arrived_device_at: Mapped[datetime | None]  # what the phone's clock said (UTC)
    diagnosis: Mapped[str | None] = mapped_column(Text)
    actions: Mapped[str | None] = mapped_column(Text)
    open_issues: Mapped[str | None] = mapped_column(Text)
    signer_name: Mapped[str | None] = mapped_column(String(80))
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    signed_at: Mapped[datetime | None]
    observation_until: Mapped[datetime | None]  # P1/P2: the 72 h watch after the restore
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    engineer: Mapped[Engineer | None] = relationship()
    parts: Mapped[list[VisitPart]] = relationship(back_populates="visit", order_by="VisitPart.id")
    photos: Mapped[list[VisitPhoto]] = relationship(
        back_populates="visit", order_by="VisitPhoto.id"
    )


class VisitPart(Base):
    """A part on the visit's parts list: consumed (``installed_serial`` or a quantity,
    with where it came from: ``source``) and/or removed (``removed_serial``, in
    ``removed_condition``: faulty, or unused and still good). ``unit_cost`` is the part's
    cost when recorded and ``covered`` whether the ticket's contract pays for it."""

    __tablename__ = "visit_parts"
    __table_args__ = (
        UniqueConstraint("visit_id", "installed_serial"),
        CheckConstraint("qty > 0", name="qty_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    qty: Mapped[int] = mapped_column(default=1)
    installed_serial: Mapped[str | None] = mapped_column(String(64))
    removed_serial: Mapped[str | None] = mapped_column(String(64))
    rma_id: Mapped[int | None] = mapped_column(ForeignKey("rmas.id"))
    source: Mapped[str | None] = mapped_column(String(16))  # models.enums.PartSource
    consumed_qty: Mapped[int] = mapped_column(default=0, server_default="0")
    removed_qty: Mapped[int] = mapped_column(default=0, server_default="0")
    removed_condition: Mapped[str | None] = mapped_column(String(12))
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    covered: Mapped[bool | None]
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    visit: Mapped[Visit] = relationship(back_populates="parts")
    part: Mapped[Part] = relationship()
    rma: Mapped[Rma | None] = relationship()


class VisitPhoto(StoredPhoto, Base):
    """A photo taken on the visit; the bytes live in the configured photo store."""

    __tablename__ = "visit_photos"

    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    caption: Mapped[str | None] = mapped_column(String(200))

    visit: Mapped[Visit] = relationship(back_populates="photos")
