"""The customer's service files: the quarterly file (every fault handling report of the
quarter behind a summary) and the annual service summary, generated and kept as PDFs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.people import Customer


class ServiceFile(Base):
    __tablename__ = "service_files"
    __table_args__ = (
        UniqueConstraint("customer_id", "kind", "period", "lang"),
        CheckConstraint("kind IN ('quarterly', 'annual')", name="kind_known"),
        CheckConstraint("lang IN ('zh', 'en')", name="lang_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # quarterly | annual
    period: Mapped[str] = mapped_column(String(8))  # 2026Q4 | 2026
    lang: Mapped[str] = mapped_column(String(2))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    reports: Mapped[int] = mapped_column(default=0)  # fault handling reports bundled
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    generated_by: Mapped[str] = mapped_column(String(64))

    customer: Mapped[Customer] = relationship()
