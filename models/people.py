"""Users and API tokens; engineers; customers and their sites."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import limits
from models.base import Base, place_checks, utcnow

if TYPE_CHECKING:
    from models.network import Depot


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(limits.USERNAME), unique=True)
    display_name: Mapped[str] = mapped_column(String(limits.DISPLAY_NAME))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    locale: Mapped[str] = mapped_column(String(8), default="zh")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Web sessions carry the epoch they were signed in under; raising it (deactivation,
    # a new password) ends every session signed in before.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # Warehouse staff act only at the depots they are assigned (UserDepot) unless this is
    # set (a central stock controller); admins and dispatchers are never bound.
    all_depots: Mapped[bool] = mapped_column(default=False, server_default=false())

    depots: Mapped[list[Depot]] = relationship(
        secondary="user_depots", order_by="Depot.code", viewonly=True
    )

    @property
    def depot_codes(self) -> list[str]:
        return [depot.code for depot in self.depots]


class UserDepot(Base):
    """A depot a warehouse user works at (assigned by an admin)."""

    __tablename__ = "user_depots"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), primary_key=True)


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="default")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class Engineer(Base):
    __tablename__ = "engineers"
    __table_args__ = (
        *place_checks("home_"),
        CheckConstraint("shift_end_min > shift_start_min", name="shift_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(limits.PERSON_NAME))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    phone: Mapped[str | None] = mapped_column(String(limits.PHONE))
    home_city: Mapped[str] = mapped_column(String(limits.CITY))
    home_lat: Mapped[float]
    home_lon: Mapped[float]
    # how well the base (home_lat, home_lon) is known (logistics.places)
    home_precision: Mapped[str] = mapped_column(String(8), default="exact", server_default="city")
    home_uncertainty_km: Mapped[float] = mapped_column(default=0.0, server_default="15")
    base_depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))
    # the engineer's van stock: a ledger location of kind ``van`` (inventory.vans)
    van_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), unique=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)  # part categories
    # tools the engineer carries (route plans send those lacking a job's tool via a depot)
    tools: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    shift_start_min: Mapped[int] = mapped_column(default=9 * 60)  # local minutes after midnight
    shift_end_min: Mapped[int] = mapped_column(default=18 * 60)
    work_days: Mapped[str] = mapped_column(String(16), default="1234567")  # ISO weekdays
    max_open_jobs: Mapped[int] = mapped_column(default=3)
    active: Mapped[bool] = mapped_column(default=True)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(limits.ORG_NAME))
    name_en: Mapped[str | None] = mapped_column(String(limits.ORG_NAME))
    contact_name: Mapped[str | None] = mapped_column(String(limits.PERSON_NAME))
    phone: Mapped[str | None] = mapped_column(String(limits.PHONE))
    fax: Mapped[str | None] = mapped_column(String(limits.PHONE))
    email: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Site(Base):
    __tablename__ = "sites"
    __table_args__ = place_checks()

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(limits.ORG_NAME))
    address: Mapped[str] = mapped_column(String(limits.ADDRESS))
    city: Mapped[str] = mapped_column(String(limits.CITY))
    postcode: Mapped[str | None] = mapped_column(String(limits.POSTCODE))
    lat: Mapped[float]
    lon: Mapped[float]
    precision: Mapped[str] = mapped_column(String(8), default="exact", server_default="city")
    uncertainty_km: Mapped[float] = mapped_column(default=0.0, server_default="15")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    contact_name: Mapped[str | None] = mapped_column(String(limits.PERSON_NAME))
    phone: Mapped[str | None] = mapped_column(String(limits.PHONE))

    customer: Mapped[Customer] = relationship()
