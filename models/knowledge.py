"""The fault knowledge base (知识库 / 应急策略库): articles written by staff or proposed from
closed tickets. Status codes and moves live in ``inventory/knowledge.py``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class KnowledgeArticle(Base):
    """One case: symptom, cause, fix, the parts that fixed it (part numbers), the equipment
    models it concerns (part numbers) and the emergency strategy (应急策略).

    ``source_ticket_id`` is unique: a closed ticket proposes at most one article, decided by
    the database when two editors propose at once."""

    __tablename__ = "knowledge_articles"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'published', 'retired')", name="status_kind"),
        Index("ix_knowledge_articles_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # KB-YYYY-NNNNNN
    status: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    symptom: Mapped[str] = mapped_column(Text)
    cause: Mapped[str | None] = mapped_column(Text)
    fix: Mapped[str] = mapped_column(Text)
    emergency_strategy: Mapped[str | None] = mapped_column(Text)
    parts: Mapped[list] = mapped_column(JSON, default=list)
    models: Mapped[list] = mapped_column(JSON, default=list)
    source_ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id"), unique=True, nullable=True
    )
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None]
