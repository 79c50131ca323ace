"""Settings an administrator keeps as data: the working calendar's exceptions (a company
holiday, a make-up working day) and the webhook endpoints the outbox posts to."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models import limits
from models.base import Base, utcnow


class CalendarException(Base):
    """One day a country's working calendar treats differently from its public holidays:
    ``working`` False is a day off (a company holiday), True a working day (a Saturday
    worked). One row per country and day: the database refuses a second."""

    __tablename__ = "calendar_exceptions"
    __table_args__ = (UniqueConstraint("country", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2), default="CN")
    day: Mapped[date]
    working: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(String(limits.DAY_NAME))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEndpoint(Base):
    """A URL every notifying event is posted to, signed with its own secret."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (CheckConstraint("length(secret) >= 16", name="secret_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(limits.ORG_NAME), unique=True)
    url: Mapped[str] = mapped_column(String(limits.URL))
    secret: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
