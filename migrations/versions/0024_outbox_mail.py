"""Outbox e-mails as a message key and its params, worded at send time in the recipient's
language (``outbox_messages.mail``; NULL: an e-mail stored with its words, sent as is)

Create Date: 2026-12-07 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_outbox_mail"
down_revision = "0023_part_tools"


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("mail", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("mail")
