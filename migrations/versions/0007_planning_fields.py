"""planning: failure rates, repair turnaround and lead times of parts; depot resupply days

Create Date: 2026-12-07 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_planning"
down_revision = "0006_imports"


def upgrade() -> None:
    with op.batch_alter_table("parts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failure_rate", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("repair_turnaround_days", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("lead_time_days", sa.Float(), nullable=True))
    with op.batch_alter_table("depots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resupply_days", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("depots", schema=None) as batch_op:
        batch_op.drop_column("resupply_days")
    with op.batch_alter_table("parts", schema=None) as batch_op:
        batch_op.drop_column("lead_time_days")
        batch_op.drop_column("repair_turnaround_days")
        batch_op.drop_column("failure_rate")
