"""The customer's service files (quarterly file, annual summary) kept as PDFs

Create Date: 2026-12-07 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0021_service_files"
down_revision = "0020_part_supersession"


def upgrade() -> None:
    op.create_table(
        "service_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("generated_at", UTCDateTime(), nullable=False),
        sa.Column("generated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_files")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_service_files_customer_id_customers")
        ),
        sa.UniqueConstraint(
            "customer_id",
            "kind",
            "period",
            "lang",
            name=op.f("uq_service_files_customer_id_kind_period_lang"),
        ),  # fmt: skip
        sa.CheckConstraint(
            "kind IN ('quarterly', 'annual')", name=op.f("ck_service_files_kind_known")
        ),
        sa.CheckConstraint("lang IN ('zh', 'en')", name=op.f("ck_service_files_lang_known")),
    )
    op.create_index(op.f("ix_service_files_customer_id"), "service_files", ["customer_id"])


def downgrade() -> None:
    op.drop_table("service_files")
