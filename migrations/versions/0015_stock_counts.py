"""Stock counts as documents; the reorder list's accepted actions and purchase requests

Create Date: 2026-12-07 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0015_counts"
down_revision = "0014_admin_settings"


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "stock_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("depot_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_by", sa.String(64), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.String(500)),
        sa.Column("limit_units", sa.Integer(), nullable=False),
        sa.Column("limit_value", sa.Numeric(12, 2), nullable=False),
        sa.Column("submitted_by", sa.String(64)),
        sa.Column("submitted_at", UTCDateTime()),
        sa.Column("approved_by", sa.String(64)),
        sa.Column("approved_at", UTCDateTime()),
        sa.Column("posted_by", sa.String(64)),
        sa.Column("posted_at", UTCDateTime()),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_counts")),
        sa.UniqueConstraint("number", name=op.f("uq_stock_counts_number")),
        _fk("stock_counts", "depot_id", "depots"),
        sa.CheckConstraint(
            "status IN ('counting', 'review', 'posted', 'cancelled')",
            name=op.f("ck_stock_counts_status_known"),
        ),
    )
    op.create_index(op.f("ix_stock_counts_depot_id"), "stock_counts", ["depot_id"])
    op.create_index(op.f("ix_stock_counts_status"), "stock_counts", ["status"])
    op.create_table(
        "stock_count_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("serial_item_id", sa.Integer()),
        sa.Column("serial", sa.String(64)),
        sa.Column("condition", sa.String(12), nullable=False),
        sa.Column("reserved", sa.Boolean(), nullable=False),
        sa.Column("unit_cost", sa.Numeric(12, 2), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("book_at_count", sa.Integer()),
        sa.Column("counted", sa.Integer()),
        sa.Column("counted_by", sa.String(64)),
        sa.Column("counted_at", UTCDateTime()),
        sa.Column("previous_counted", sa.Integer()),
        sa.Column("previous_counted_by", sa.String(64)),
        sa.Column("recount", sa.Boolean(), nullable=False),
        sa.Column("finding", sa.String(16)),
        sa.Column("finding_where", sa.String(120)),
        sa.Column("outcome", sa.String(24)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_count_lines")),
        _fk("stock_count_lines", "count_id", "stock_counts"),
        _fk("stock_count_lines", "part_id", "parts"),
        _fk("stock_count_lines", "serial_item_id", "serial_items"),
        sa.CheckConstraint("expected >= 0", name=op.f("ck_stock_count_lines_expected_nonneg")),
        sa.CheckConstraint(
            "counted IS NULL OR counted >= 0", name=op.f("ck_stock_count_lines_counted_nonneg")
        ),
    )
    op.create_index(op.f("ix_stock_count_lines_count_id"), "stock_count_lines", ["count_id"])
    op.create_table(
        "purchase_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("depot_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.String(500)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_requests")),
        sa.UniqueConstraint("number", name=op.f("uq_purchase_requests_number")),
        _fk("purchase_requests", "depot_id", "depots"),
        _fk("purchase_requests", "part_id", "parts"),
        sa.CheckConstraint("qty > 0", name=op.f("ck_purchase_requests_qty_positive")),
        sa.CheckConstraint(
            "status IN ('open', 'ordered', 'cancelled')",
            name=op.f("ck_purchase_requests_status_known"),
        ),
    )
    op.create_index(op.f("ix_purchase_requests_depot_id"), "purchase_requests", ["depot_id"])
    op.create_table(
        "reorder_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("open_key", sa.String(80)),
        sa.Column("depot_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer()),
        sa.Column("purchase_request_id", sa.Integer()),
        sa.Column("accepted_by", sa.String(64), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reorder_actions")),
        sa.UniqueConstraint("open_key", name=op.f("uq_reorder_actions_open_key")),
        _fk("reorder_actions", "depot_id", "depots"),
        _fk("reorder_actions", "part_id", "parts"),
        _fk("reorder_actions", "transfer_id", "transfers"),
        _fk("reorder_actions", "purchase_request_id", "purchase_requests"),
    )
    op.create_index(op.f("ix_reorder_actions_depot_id"), "reorder_actions", ["depot_id"])


def downgrade() -> None:
    op.drop_table("reorder_actions")
    op.drop_table("purchase_requests")
    op.drop_table("stock_count_lines")
    op.drop_table("stock_counts")
