"""Customer problems and complaints with their clocks, the departments they go to, and a
contract's complaint hours

Create Date: 2026-12-07 14:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0019_complaints"
down_revision = "0018_inspections"


def upgrade() -> None:
    with op.batch_alter_table("contracts") as batch_op:
        batch_op.add_column(sa.Column("complaint_hours", sa.JSON(), nullable=True))
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(160), nullable=False),
        sa.Column("name_en", sa.String(160)),
        sa.Column("head_name", sa.String(80), nullable=False),
        sa.Column("head_email", sa.String(120)),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("code", name=op.f("uq_departments_code")),
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer()),
        sa.Column("contract_id", sa.Integer()),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("urgency", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact_name", sa.String(80)),
        sa.Column("contact_phone", sa.String(32)),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("received_by", sa.String(64), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("department_id", sa.Integer()),
        sa.Column("planned_measures", sa.Text()),
        sa.Column("expected_resolution_date", sa.Date()),
        sa.Column("response_due", UTCDateTime(), nullable=False),
        sa.Column("resolution_due", UTCDateTime(), nullable=False),
        sa.Column("responded_at", UTCDateTime()),
        sa.Column("responded_by", sa.String(64)),
        sa.Column("resolved_at", UTCDateTime()),
        sa.Column("resolved_by", sa.String(64)),
        sa.Column("resolution", sa.Text()),
        sa.Column("closed_at", UTCDateTime()),
        sa.Column("customer_opinion", sa.Text()),
        sa.Column("satisfaction", sa.Integer()),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("number", name=op.f("uq_complaints_number")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_complaints_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_complaints_ticket_id_tickets")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_complaints_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_complaints_department_id_departments"),
        ),
        sa.CheckConstraint(
            "kind IN ('request', 'complaint')", name=op.f("ck_complaints_kind_known")
        ),
        sa.CheckConstraint(
            "urgency IN ('normal', 'urgent', 'very_urgent')",
            name=op.f("ck_complaints_urgency_known"),
        ),
        sa.CheckConstraint(
            "status IN ('received', 'in_progress', 'resolved', 'closed')",
            name=op.f("ck_complaints_status_known"),
        ),
        sa.CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5",
            name=op.f("ck_complaints_satisfaction_range"),
        ),
    )
    op.create_index(op.f("ix_complaints_customer_id"), "complaints", ["customer_id"])
    op.create_index(op.f("ix_complaints_ticket_id"), "complaints", ["ticket_id"])
    op.create_index("ix_complaints_status_received", "complaints", ["status", "received_at"])


def downgrade() -> None:
    op.drop_table("complaints")
    op.drop_table("departments")
    with op.batch_alter_table("contracts") as batch_op:
        batch_op.drop_column("complaint_hours")
