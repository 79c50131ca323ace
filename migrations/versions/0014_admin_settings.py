"""The working calendar's exceptions and administered webhook endpoints

A company holiday (or a Saturday worked) is a row of ``calendar_exceptions``; the clocks
of contracts in that country count it. Webhooks go to each active ``webhook_endpoints``
row, signed with its own secret; the outbox remembers which endpoint a message is for,
which is the endpoint's delivery log.

Create Date: 2026-12-07 06:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0014_admin_settings"
down_revision = "0013_warehouse"


def upgrade() -> None:
    op.create_table(
        "calendar_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_exceptions")),
        sa.UniqueConstraint("country", "day", name=op.f("uq_calendar_exceptions_country_day")),
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(160), nullable=False),
        sa.Column("url", sa.String(300), nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
        sa.UniqueConstraint("name", name=op.f("uq_webhook_endpoints_name")),
        sa.CheckConstraint("length(secret) >= 16", name=op.f("ck_webhook_endpoints_secret_length")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("endpoint_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_messages_endpoint_id"), ["endpoint_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_messages_endpoint_id_webhook_endpoints"),
            "webhook_endpoints",
            ["endpoint_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_messages_endpoint_id_webhook_endpoints"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_outbox_messages_endpoint_id"))
        batch_op.drop_column("endpoint_id")
    op.drop_table("webhook_endpoints")
    op.drop_table("calendar_exceptions")
