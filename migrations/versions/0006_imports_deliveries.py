"""deliveries: a supplier delivery file is booked once, decided by unique keys

Create Date: 2026-12-07 03:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0006_imports"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("booked_at", UTCDateTime(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.UniqueConstraint("reference", name="uq_deliveries_reference"),
        sa.UniqueConstraint("idempotency_key", name="uq_deliveries_idempotency_key"),
    )
    # Deliveries booked before this revision claim their reference (once, even where the
    # race this table closes booked one twice).
    op.execute(
        "INSERT INTO deliveries (reference, request_hash, actor, booked_at, report) "
        "SELECT subject_ref, '', MIN(actor), MIN(at), '{}' FROM events "
        "WHERE subject_type = 'delivery' AND kind = 'imported' AND subject_ref IS NOT NULL "
        "GROUP BY subject_ref"
    )


def downgrade() -> None:
    op.drop_table("deliveries")
