"""engineer visits: arrival, work, parts, photos and signature; a ticket's dispatch mode

Create Date: 2026-12-07 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0012_engineer"
down_revision = "0011_imports"


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=True),
        sa.Column("arrived_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("arrived_device_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("diagnosis", sa.Text(), nullable=True),
        sa.Column("actions", sa.Text(), nullable=True),
        sa.Column("open_issues", sa.Text(), nullable=True),
        sa.Column("signer_name", sa.String(length=80), nullable=True),
        sa.Column("signature_png", sa.LargeBinary(), nullable=True),
        sa.Column("signed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("observation_until", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["engineer_id"], ["engineers.id"], name=op.f("fk_visits_engineer_id_engineers")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_visits_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
        sa.UniqueConstraint("number", name=op.f("uq_visits_number")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visits_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "visit_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("installed_serial", sa.String(length=64), nullable=True),
        sa.Column("removed_serial", sa.String(length=64), nullable=True),
        sa.Column("rma_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_visit_parts_qty_positive")),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_visit_parts_part_id_parts")
        ),
        sa.ForeignKeyConstraint(["rma_id"], ["rmas.id"], name=op.f("fk_visit_parts_rma_id_rmas")),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_visit_parts_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_parts")),
        sa.UniqueConstraint(
            "visit_id", "installed_serial", name=op.f("uq_visit_parts_visit_id_installed_serial")
        ),
    )
    with op.batch_alter_table("visit_parts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_parts_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "visit_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("caption", sa.String(length=200), nullable=True),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_visit_photos_size_positive")),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_visit_photos_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_photos")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_visit_photos_storage_key")),
    )
    with op.batch_alter_table("visit_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_photos_visit_id"), ["visit_id"], unique=False)

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dispatch_mode", sa.String(length=12), nullable=True))
    _backfill_dispatch_modes()


def _backfill_dispatch_modes() -> None:
    """Tickets dispatched before the column existed: the mode their dispatch event recorded."""
    bind = op.get_bind()
    events = sa.table(
        "events",
        sa.column("id", sa.Integer),
        sa.column("subject_type", sa.String),
        sa.column("subject_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("data", sa.JSON),
    )
    tickets = sa.table(
        "tickets", sa.column("id", sa.Integer), sa.column("dispatch_mode", sa.String)
    )
    rows = bind.execute(
        sa.select(events.c.subject_id, events.c.data)
        .where(events.c.subject_type == "ticket", events.c.kind == "dispatch")
        .order_by(events.c.id)
    )
    modes = {ticket_id: (data or {}).get("mode") for ticket_id, data in rows}
    for ticket_id, mode in modes.items():
        if mode in ("pickup", "courier", "engineer"):
            bind.execute(
                tickets.update().where(tickets.c.id == ticket_id).values(dispatch_mode=mode)
            )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("dispatch_mode")

    with op.batch_alter_table("visit_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_photos_visit_id"))

    op.drop_table("visit_photos")
    with op.batch_alter_table("visit_parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_parts_visit_id"))

    op.drop_table("visit_parts")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visits_ticket_id"))

    op.drop_table("visits")
