"""Part supersession: a part number replaced by another, one-way or two-way

Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0020_part_supersession"
down_revision = "0019_complaints"


def upgrade() -> None:
    op.create_table(
        "part_supersessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("old_part_id", sa.Integer(), nullable=False),
        sa.Column("new_part_id", sa.Integer(), nullable=False),
        sa.Column("two_way", sa.Boolean(), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_part_supersessions")),
        sa.ForeignKeyConstraint(
            ["old_part_id"], ["parts.id"], name=op.f("fk_part_supersessions_old_part_id_parts")
        ),
        sa.ForeignKeyConstraint(
            ["new_part_id"], ["parts.id"], name=op.f("fk_part_supersessions_new_part_id_parts")
        ),
        sa.UniqueConstraint("old_part_id", name=op.f("uq_part_supersessions_old_part_id")),
        sa.CheckConstraint(
            "old_part_id <> new_part_id", name=op.f("ck_part_supersessions_not_itself")
        ),
    )
    op.create_index(
        op.f("ix_part_supersessions_new_part_id"), "part_supersessions", ["new_part_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_part_supersessions_new_part_id"), table_name="part_supersessions")
    op.drop_table("part_supersessions")
