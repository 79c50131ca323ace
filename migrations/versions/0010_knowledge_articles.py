"""The fault knowledge base: knowledge_articles

Create Date: 2026-12-07 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0010_knowledge"
down_revision = "0009_docs"


def upgrade() -> None:
    op.create_table(
        "knowledge_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("symptom", sa.Text(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=True),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("emergency_strategy", sa.Text(), nullable=True),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("source_ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('proposed', 'published', 'retired')",
            name=op.f("ck_knowledge_articles_status_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["source_ticket_id"],
            ["tickets.id"],
            name=op.f("fk_knowledge_articles_source_ticket_id_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_articles")),
        sa.UniqueConstraint("number", name=op.f("uq_knowledge_articles_number")),
        sa.UniqueConstraint(
            "source_ticket_id", name=op.f("uq_knowledge_articles_source_ticket_id")
        ),
    )
    op.create_index("ix_knowledge_articles_status", "knowledge_articles", ["status"])


def downgrade() -> None:
    op.drop_index("ix_knowledge_articles_status", table_name="knowledge_articles")
    op.drop_table("knowledge_articles")
