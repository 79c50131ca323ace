"""Engineers' tools: the set of tools each engineer carries

Create Date: 2026-12-07 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_engineer_tools"
down_revision = "0021_service_files"


def upgrade() -> None:
    with op.batch_alter_table("engineers") as batch:
        batch.add_column(sa.Column("tools", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("engineers") as batch:
        batch.drop_column("tools")
