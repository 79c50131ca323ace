"""Parts' tools: the set of tools a job replacing the part needs

Create Date: 2026-12-07 17:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_part_tools"
down_revision = "0022_engineer_tools"


def upgrade() -> None:
    with op.batch_alter_table("parts") as batch:
        batch.add_column(sa.Column("tools", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("parts") as batch:
        batch.drop_column("tools")
