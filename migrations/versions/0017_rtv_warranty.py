"""Return to vendor (RTV) claims with their lines, and vendors' warranty terms

Create Date: 2026-12-07 07:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0017_rtv_warranty"
down_revision = "0016_van_stock"


def upgrade() -> None:
    op.create_table(
        "warranty_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor", sa.String(120), nullable=False),
        sa.Column("vendor_key", sa.String(120), nullable=False),
        sa.Column("part_id", sa.Integer()),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(12), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_terms")),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_warranty_terms_part_id_parts")
        ),
        sa.UniqueConstraint(
            "vendor_key", "part_id", name=op.f("uq_warranty_terms_vendor_key_part_id")
        ),
        sa.CheckConstraint(
            "months > 0 AND months <= 240", name=op.f("ck_warranty_terms_months_range")
        ),
        sa.CheckConstraint(
            "basis IN ('purchase', 'installation')", name=op.f("ck_warranty_terms_basis_known")
        ),
    )
    op.create_index(op.f("ix_warranty_terms_vendor_key"), "warranty_terms", ["vendor_key"])
    op.create_table(
        "rtvs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("vendor", sa.String(120), nullable=False),
        sa.Column("vendor_key", sa.String(120), nullable=False),
        sa.Column("vendor_rma", sa.String(64), nullable=False),
        sa.Column("failure", sa.String(500), nullable=False),
        sa.Column("depot_id", sa.Integer(), nullable=False),
        sa.Column("vendor_location_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("shipped_at", UTCDateTime()),
        sa.Column("waybill", sa.String(64)),
        sa.Column("received_at", UTCDateTime()),
        sa.Column("credit_amount", sa.Numeric(12, 2)),
        sa.Column("credit_note", sa.String(64)),
        sa.Column("settled_at", UTCDateTime()),
        sa.Column("settled_by", sa.String(64)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rtvs")),
        sa.UniqueConstraint("number", name=op.f("uq_rtvs_number")),
        sa.UniqueConstraint("vendor_key", "vendor_rma", name=op.f("uq_rtvs_vendor_key_vendor_rma")),
        sa.ForeignKeyConstraint(["depot_id"], ["depots.id"], name=op.f("fk_rtvs_depot_id_depots")),
        sa.ForeignKeyConstraint(
            ["vendor_location_id"],
            ["locations.id"],
            name=op.f("fk_rtvs_vendor_location_id_locations"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'shipped', 'received', 'credited', 'closed')",
            name=op.f("ck_rtvs_status_known"),
        ),
        sa.CheckConstraint(
            "credit_amount IS NULL OR credit_amount >= 0", name=op.f("ck_rtvs_credit_nonneg")
        ),
    )
    op.create_index("ix_rtvs_vendor_status", "rtvs", ["vendor_key", "status"])
    op.create_table(
        "rtv_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rtv_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("serial_item_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(64), nullable=False),
        sa.Column("from_location_id", sa.Integer(), nullable=False),
        sa.Column("warranty", sa.String(8), nullable=False),
        sa.Column("warranty_reason", sa.String(500), nullable=False),
        sa.Column("warranty_start", sa.Date()),
        sa.Column("warranty_end", sa.Date()),
        sa.Column("unit_value", sa.Numeric(12, 2), nullable=False),
        sa.Column("claim_amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("outcome", sa.String(28), nullable=False),
        sa.Column("replacement_serial", sa.String(64)),
        sa.Column("replacement_item_id", sa.Integer()),
        sa.Column("returned_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rtv_lines")),
        sa.UniqueConstraint(
            "rtv_id", "serial_item_id", name=op.f("uq_rtv_lines_rtv_id_serial_item_id")
        ),
        sa.ForeignKeyConstraint(["rtv_id"], ["rtvs.id"], name=op.f("fk_rtv_lines_rtv_id_rtvs")),
        sa.ForeignKeyConstraint(["part_id"], ["parts.id"], name=op.f("fk_rtv_lines_part_id_parts")),
        sa.ForeignKeyConstraint(
            ["serial_item_id"],
            ["serial_items.id"],
            name=op.f("fk_rtv_lines_serial_item_id_serial_items"),
        ),
        sa.ForeignKeyConstraint(
            ["from_location_id"],
            ["locations.id"],
            name=op.f("fk_rtv_lines_from_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["replacement_item_id"],
            ["serial_items.id"],
            name=op.f("fk_rtv_lines_replacement_item_id_serial_items"),
        ),
        sa.CheckConstraint("claim_amount >= 0", name=op.f("ck_rtv_lines_claim_nonneg")),
        sa.CheckConstraint(
            "warranty IN ('in', 'out', 'unknown')", name=op.f("ck_rtv_lines_warranty_known")
        ),
    )
    op.create_index(op.f("ix_rtv_lines_rtv_id"), "rtv_lines", ["rtv_id"])
    op.create_index(op.f("ix_rtv_lines_serial_item_id"), "rtv_lines", ["serial_item_id"])


def downgrade() -> None:
    op.drop_table("rtv_lines")
    op.drop_table("rtvs")
    op.drop_table("warranty_terms")
