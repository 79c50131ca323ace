"""Declarative base, naming convention and column types shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend.

    Naive datetimes are rejected on the way in (the most common bug in this domain is a
    time zone); SQLite hands back naive values, which are UTC by construction.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


# The precisions a place's coordinates may have (logistics.places.Precision), as a CHECK.
PRECISION_CHECK = "precision IN ('exact', 'street', 'district', 'city')"


def place_checks(prefix: str = "") -> tuple[CheckConstraint, ...]:
    """The CHECKs of a place (a site, a depot, an engineer's base): coordinates in range, a
    known precision, a radius of 0–100 km, on the columns ``<prefix>lat`` ... ."""
    return (
        CheckConstraint(f"{prefix}lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint(f"{prefix}lon BETWEEN -180 AND 180", name="lon_range"),
        CheckConstraint(
            PRECISION_CHECK.replace("precision", f"{prefix}precision"),
            name=f"{prefix}precision_known",
        ),
        CheckConstraint(
            f"{prefix}uncertainty_km BETWEEN 0 AND 100", name=f"{prefix}uncertainty_range"
        ),
    )


class StoredPhoto:
    """The columns of a photo whose bytes live in the configured photo store (app/photos.py):
    its key there, type, size (positive) and SHA-256, who uploaded it and when. A visit's
    and an inspection's photos add the row they belong to."""

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[CheckConstraint, ...]:
        return (CheckConstraint("size_bytes > 0", name="size_positive"),)
