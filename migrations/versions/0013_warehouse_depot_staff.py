"""Warehouse staff bound to depots; transfer discrepancies kept until resolved

Existing warehouse accounts keep acting at every depot (``all_depots``) until an admin
assigns them their depots; accounts created from now on act nowhere until assigned.

Create Date: 2026-12-07 04:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0013_warehouse"
down_revision = "0012_engineer"


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("all_depots", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute("UPDATE users SET all_depots = true WHERE role = 'warehouse'")
    op.create_table(
        "user_depots",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("depot_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_depots_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["depot_id"], ["depots.id"], name=op.f("fk_user_depots_depot_id_depots")
        ),
        sa.PrimaryKeyConstraint("user_id", "depot_id", name=op.f("pk_user_depots")),
    )
    op.create_table(
        "transfer_discrepancies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("serial_item_id", sa.Integer()),
        sa.Column("serial", sa.String(64)),
        sa.Column("condition", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("requested_by", sa.String(64)),
        sa.Column("resolved_by", sa.String(64)),
        sa.Column("resolved_at", UTCDateTime()),
        sa.Column("note", sa.String(500)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_discrepancies")),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.id"],
            name=op.f("fk_transfer_discrepancies_transfer_id_transfers"),
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_transfer_discrepancies_part_id_parts")
        ),
        sa.ForeignKeyConstraint(
            ["serial_item_id"],
            ["serial_items.id"],
            name=op.f("fk_transfer_discrepancies_serial_item_id_serial_items"),
        ),
        sa.CheckConstraint("qty > 0", name=op.f("ck_transfer_discrepancies_qty_positive")),
        sa.CheckConstraint(
            "status IN ('open', 'write_off_requested', 'found', 'written_off', 'noted')",
            name=op.f("ck_transfer_discrepancies_status_known"),
        ),
    )
    op.create_index(
        op.f("ix_transfer_discrepancies_transfer_id"), "transfer_discrepancies", ["transfer_id"]
    )
    op.create_index(op.f("ix_transfer_discrepancies_status"), "transfer_discrepancies", ["status"])


def downgrade() -> None:
    op.drop_table("transfer_discrepancies")
    op.drop_table("user_depots")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("all_depots")
