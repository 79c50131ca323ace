"""Preventive inspections (巡检): programmes per contract, visits, findings and photos

Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0018_inspections"
down_revision = "0017_rtv_warranty"


def upgrade() -> None:
    op.create_table(
        "inspection_programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(12), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("site_codes", sa.JSON(), nullable=False),
        sa.Column("checklists", sa.JSON(), nullable=False),
        sa.Column("report_days", sa.Integer(), nullable=False),
        sa.Column("training", sa.Boolean(), nullable=False),
        sa.Column("preferred_weekdays", sa.String(7), nullable=False),
        sa.Column("preferred_start_min", sa.Integer(), nullable=False),
        sa.Column("preferred_end_min", sa.Integer(), nullable=False),
        sa.Column("visit_minutes", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_programmes")),
        sa.UniqueConstraint("contract_id", name=op.f("uq_inspection_programmes_contract_id")),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_inspection_programmes_contract_id_contracts"),
        ),
        sa.CheckConstraint(
            "frequency IN ('yearly', 'quarterly', 'monthly')",
            name=op.f("ck_inspection_programmes_frequency_known"),
        ),
        sa.CheckConstraint(
            "mode IN ('on_site', 'phone')", name=op.f("ck_inspection_programmes_mode_known")
        ),
        sa.CheckConstraint(
            "report_days >= 0 AND report_days <= 60",
            name=op.f("ck_inspection_programmes_report_days_range"),
        ),
        sa.CheckConstraint(
            "visit_minutes > 0 AND visit_minutes <= 600",
            name=op.f("ck_inspection_programmes_visit_minutes_range"),
        ),
        sa.CheckConstraint(
            "preferred_end_min > preferred_start_min",
            name=op.f("ck_inspection_programmes_preferred_hours_order"),
        ),
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("window_start_min", sa.Integer(), nullable=False),
        sa.Column("window_end_min", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.Integer()),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("moves", sa.Integer(), nullable=False),
        sa.Column("arrived_at", UTCDateTime()),
        sa.Column("arrived_device_at", UTCDateTime()),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text()),
        sa.Column("recommendations", sa.Text()),
        sa.Column("training_given", sa.Boolean(), nullable=False),
        sa.Column("signer_name", sa.String(80)),
        sa.Column("signature_png", sa.LargeBinary()),
        sa.Column("signed_at", UTCDateTime()),
        sa.Column("report_due", UTCDateTime()),
        sa.Column("report_issued_at", UTCDateTime()),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
        sa.UniqueConstraint("number", name=op.f("uq_inspections_number")),
        sa.UniqueConstraint(
            "programme_id",
            "site_id",
            "period",
            name=op.f("uq_inspections_programme_id_site_id_period"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["inspection_programmes.id"],
            name=op.f("fk_inspections_programme_id_inspection_programmes"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_inspections_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_inspections_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_inspections_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["engineer_id"], ["engineers.id"], name=op.f("fk_inspections_engineer_id_engineers")
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'cancelled')",
            name=op.f("ck_inspections_status_known"),
        ),
    )
    op.create_index(op.f("ix_inspections_programme_id"), "inspections", ["programme_id"])
    op.create_index(op.f("ix_inspections_customer_id"), "inspections", ["customer_id"])
    op.create_index(op.f("ix_inspections_engineer_id"), "inspections", ["engineer_id"])
    op.create_index("ix_inspections_day_engineer", "inspections", ["day", "engineer_id"])
    op.create_table(
        "inspection_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(64)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(2), nullable=False),
        sa.Column("equipment_serial", sa.String(64)),
        sa.Column("ticket_id", sa.Integer()),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_findings")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_inspection_findings_ticket_id")),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_inspection_findings_inspection_id_inspections"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_inspection_findings_ticket_id_tickets")
        ),
    )
    op.create_index(
        op.f("ix_inspection_findings_inspection_id"), "inspection_findings", ["inspection_id"]
    )
    op.create_table(
        "inspection_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_photos")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_inspection_photos_storage_key")),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_inspection_photos_inspection_id_inspections"),
        ),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_inspection_photos_size_positive")),
    )
    op.create_index(
        op.f("ix_inspection_photos_inspection_id"), "inspection_photos", ["inspection_id"]
    )


def downgrade() -> None:
    op.drop_table("inspection_photos")
    op.drop_table("inspection_findings")
    op.drop_table("inspections")
    op.drop_table("inspection_programmes")
