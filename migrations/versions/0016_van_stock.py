"""Engineers' van stock (a location per engineer), stocking lists, transfers to a van,
parts consumed and removed on a job, return routing rules and the parts owed back

Create Date: 2026-12-07 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0016_van_stock"
down_revision = "0015_counts"


def upgrade() -> None:
    with op.batch_alter_table("parts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vendor", sa.String(160)))
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vendor", sa.String(160)))
        batch_op.add_column(sa.Column("city", sa.String(80)))
    with op.batch_alter_table("engineers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("van_location_id", sa.Integer()))
        batch_op.create_foreign_key(
            batch_op.f("fk_engineers_van_location_id_locations"),
            "locations",
            ["van_location_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_engineers_van_location_id"), ["van_location_id"]
        )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.alter_column("to_depot_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("to_location_id", sa.Integer()))
        batch_op.create_foreign_key(
            batch_op.f("fk_transfers_to_location_id_locations"),
            "locations",
            ["to_location_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_transfers_to_location_id"), ["to_location_id"])
        batch_op.create_check_constraint(
            "has_destination", "to_depot_id IS NOT NULL OR to_location_id IS NOT NULL"
        )
    with op.batch_alter_table("visit_parts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(16)))
        batch_op.add_column(
            sa.Column("consumed_qty", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("removed_qty", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("removed_condition", sa.String(12)))
        batch_op.add_column(sa.Column("unit_cost", sa.Numeric(12, 2)))
        batch_op.add_column(sa.Column("covered", sa.Boolean()))
    # the swaps recorded so far: the spare came with its advance replacement, the faulty
    # unit went back on it
    op.execute(
        "UPDATE visit_parts SET consumed_qty = qty, source = 'depot_pickup' "
        "WHERE installed_serial IS NOT NULL"
    )
    op.execute(
        "UPDATE visit_parts SET removed_qty = qty, removed_condition = 'faulty' "
        "WHERE removed_serial IS NOT NULL"
    )

    op.create_table(
        "van_stock_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_van_stock_levels")),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["engineers.id"],
            name=op.f("fk_van_stock_levels_engineer_id_engineers"),
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_van_stock_levels_part_id_parts")
        ),
        sa.UniqueConstraint(
            "engineer_id", "part_id", name=op.f("uq_van_stock_levels_engineer_id_part_id")
        ),
        sa.CheckConstraint("level >= 0", name=op.f("ck_van_stock_levels_level_nonneg")),
        sa.CheckConstraint(
            "source IN ('manual', 'proposed')", name=op.f("ck_van_stock_levels_source_known")
        ),
    )
    op.create_index(op.f("ix_van_stock_levels_engineer_id"), "van_stock_levels", ["engineer_id"])

    op.create_table(
        "return_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(160), nullable=False),
        sa.Column("part_id", sa.Integer()),
        sa.Column("category", sa.String(40)),
        sa.Column("condition", sa.String(12), nullable=False),
        sa.Column("vendor", sa.String(160)),
        sa.Column("region", sa.String(80)),
        sa.Column("destination_location_id", sa.Integer()),
        sa.Column("to_home_depot", sa.Boolean(), nullable=False),
        sa.Column("deadline_hours", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_rules")),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_return_rules_part_id_parts")
        ),
        sa.ForeignKeyConstraint(
            ["destination_location_id"],
            ["locations.id"],
            name=op.f("fk_return_rules_destination_location_id_locations"),
        ),
        sa.CheckConstraint("deadline_hours > 0", name=op.f("ck_return_rules_deadline_positive")),
        sa.CheckConstraint(
            "condition IN ('faulty', 'good')", name=op.f("ck_return_rules_condition_known")
        ),
        sa.CheckConstraint(
            "(destination_location_id IS NOT NULL) <> to_home_depot",
            name=op.f("ck_return_rules_one_destination"),
        ),
    )

    op.create_table(
        "part_returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(64)),
        sa.Column("serial_item_id", sa.Integer()),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(12), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("visit_part_id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer()),
        sa.Column("destination_location_id", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("shipped_at", UTCDateTime()),
        sa.Column("waybill", sa.String(64)),
        sa.Column("received_at", UTCDateTime()),
        sa.Column("received_by", sa.String(64)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_part_returns")),
        sa.UniqueConstraint("number", name=op.f("uq_part_returns_number")),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_part_returns_part_id_parts")
        ),
        sa.ForeignKeyConstraint(
            ["serial_item_id"],
            ["serial_items.id"],
            name=op.f("fk_part_returns_serial_item_id_serial_items"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_part_returns_ticket_id_tickets")
        ),
        sa.ForeignKeyConstraint(
            ["visit_part_id"],
            ["visit_parts.id"],
            name=op.f("fk_part_returns_visit_part_id_visit_parts"),
        ),
        sa.ForeignKeyConstraint(
            ["engineer_id"], ["engineers.id"], name=op.f("fk_part_returns_engineer_id_engineers")
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["return_rules.id"], name=op.f("fk_part_returns_rule_id_return_rules")
        ),
        sa.ForeignKeyConstraint(
            ["destination_location_id"],
            ["locations.id"],
            name=op.f("fk_part_returns_destination_location_id_locations"),
        ),
        sa.CheckConstraint("qty > 0", name=op.f("ck_part_returns_qty_positive")),
        sa.CheckConstraint(
            "status IN ('owed', 'shipped', 'received')", name=op.f("ck_part_returns_status_known")
        ),
    )
    op.create_index(op.f("ix_part_returns_ticket_id"), "part_returns", ["ticket_id"])
    op.create_index(op.f("ix_part_returns_engineer_id"), "part_returns", ["engineer_id"])
    op.create_index("ix_part_returns_status_due", "part_returns", ["status", "due_at"])


def downgrade() -> None:
    op.drop_table("part_returns")
    op.drop_table("return_rules")
    op.drop_table("van_stock_levels")
    with op.batch_alter_table("visit_parts", schema=None) as batch_op:
        for name in (
            "covered",
            "unit_cost",
            "removed_condition",
            "removed_qty",
            "consumed_qty",
            "source",
        ):
            batch_op.drop_column(name)
    op.execute(
        "DELETE FROM transfer_lines WHERE transfer_id IN "
        "(SELECT id FROM transfers WHERE to_depot_id IS NULL)"
    )
    op.execute(
        "DELETE FROM transfer_discrepancies WHERE transfer_id IN "
        "(SELECT id FROM transfers WHERE to_depot_id IS NULL)"
    )
    op.execute("DELETE FROM transfers WHERE to_depot_id IS NULL")
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_constraint("has_destination", type_="check")
        batch_op.drop_index(batch_op.f("ix_transfers_to_location_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_transfers_to_location_id_locations"), type_="foreignkey"
        )
        batch_op.drop_column("to_location_id")
        batch_op.alter_column("to_depot_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("engineers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_engineers_van_location_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_engineers_van_location_id_locations"), type_="foreignkey"
        )
        batch_op.drop_column("van_location_id")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_column("city")
        batch_op.drop_column("vendor")
    with op.batch_alter_table("parts", schema=None) as batch_op:
        batch_op.drop_column("vendor")
