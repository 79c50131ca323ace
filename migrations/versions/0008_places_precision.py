"""places: how well each site, depot and engineer's base is known (precision, radius km)

Rows that exist before this revision were placed by the offline gazetteer on a city
centre: they are marked ``city`` with a 15 km radius until someone places them better.
New rows state their precision (the application's default for coordinates given
explicitly is ``exact``).

Create Date: 2026-12-07 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_places"
down_revision = "0007_planning"

_PRECISIONS = "'exact', 'street', 'district', 'city'"
_TABLES = (("sites", ""), ("depots", ""), ("engineers", "home_"))


def upgrade() -> None:
    for table, prefix in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    f"{prefix}precision", sa.String(length=8), server_default="city", nullable=False
                )
            )
            batch_op.add_column(
                sa.Column(
                    f"{prefix}uncertainty_km", sa.Float(), server_default="15", nullable=False
                )
            )
            batch_op.create_check_constraint(
                op.f(f"ck_{table}_{prefix}precision_known"),
                f"{prefix}precision IN ({_PRECISIONS})",
            )
            batch_op.create_check_constraint(
                op.f(f"ck_{table}_{prefix}uncertainty_range"),
                f"{prefix}uncertainty_km BETWEEN 0 AND 100",
            )


def downgrade() -> None:
    for table, prefix in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{prefix}uncertainty_range"), type_="check")
            batch_op.drop_constraint(op.f(f"ck_{table}_{prefix}precision_known"), type_="check")
            batch_op.drop_column(f"{prefix}uncertainty_km")
            batch_op.drop_column(f"{prefix}precision")
