"""Locations and depots (备件库)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import limits
from models.base import Base, place_checks, utcnow


class Location(Base):
    """Anywhere stock can be: a depot, or a virtual place (supplier, in transit, ...)."""

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(limits.DEPOT_NAME))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    # a vendor's site (kind ``vendor``): whose it is and the city it is in
    vendor: Mapped[str | None] = mapped_column(String(limits.ORG_NAME))
    city: Mapped[str | None] = mapped_column(String(limits.CITY))

    depot: Mapped[Depot | None] = relationship(back_populates="location", uselist=False)


class Depot(Base):
    __tablename__ = "depots"
    __table_args__ = place_checks()

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), unique=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(limits.DEPOT_NAME))
    name_en: Mapped[str | None] = mapped_column(String(limits.DEPOT_NAME))
    address: Mapped[str] = mapped_column(String(limits.ADDRESS))
    city: Mapped[str] = mapped_column(String(limits.CITY), index=True)
    lat: Mapped[float]
    lon: Mapped[float]
    # how well (lat, lon) is known: exact / street / district / city (logistics.places)
    precision: Mapped[str] = mapped_column(String(8), default="exact", server_default="city")
    uncertainty_km: Mapped[float] = mapped_column(default=0.0, server_default="15")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    active: Mapped[bool] = mapped_column(default=True)
    resupply_days: Mapped[float | None]  # transport days from the central warehouse (planning)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    location: Mapped[Location] = relationship(back_populates="depot")
