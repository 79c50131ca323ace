"""RMAs: the return waybill (faulty part back) apart from the outbound one (good part out)

Until now the customer's return waybill overwrote the outbound one, so the packing slip
printed the wrong number after the faulty part went back. Both are restored from the RMA's
events: the "ship" event holds the outbound carrier and waybill, the "return_faulty" event
the return waybill (before this revision without its carrier: the RMA's stored carrier is
the return one then, since the return overwrote it).

Create Date: 2026-12-07 03:40:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0009_docs"
down_revision = "0008_places"


def _data(value) -> dict:
    if isinstance(value, str):
        value = json.loads(value or "{}")
    return value if isinstance(value, dict) else {}


def upgrade() -> None:
    with op.batch_alter_table("rmas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("return_carrier", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("return_waybill", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    rmas = sa.table(
        "rmas",
        sa.column("id", sa.Integer),
        sa.column("carrier", sa.String),
        sa.column("waybill", sa.String),
        sa.column("return_carrier", sa.String),
        sa.column("return_waybill", sa.String),
    )
    events = sa.table(
        "events",
        sa.column("id", sa.Integer),
        sa.column("subject_type", sa.String),
        sa.column("subject_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("data", sa.JSON),
    )
    returned = bind.execute(
        sa.select(events.c.subject_id, events.c.kind, events.c.data)
        .where(events.c.subject_type == "rma", events.c.kind.in_(("ship", "return_faulty")))
        .order_by(events.c.id)
    ).all()
    legs: dict[int, dict[str, dict]] = {}
    for rma_id, kind, data in returned:
        legs.setdefault(rma_id, {})[kind] = _data(data)  # the latest of each kind wins
    for rma_id, by_kind in legs.items():
        back = by_kind.get("return_faulty")
        if back is None:
            continue  # never went back: the stored waybill is the outbound one
        out = by_kind.get("ship", {})
        stored_carrier, stored_waybill = bind.execute(
            sa.select(rmas.c.carrier, rmas.c.waybill).where(rmas.c.id == rma_id)
        ).one()
        bind.execute(
            rmas.update()
            .where(rmas.c.id == rma_id)
            .values(
                carrier=out.get("carrier"),
                waybill=out.get("waybill"),
                return_carrier=back.get("carrier") or stored_carrier,
                return_waybill=back.get("waybill") or stored_waybill,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("rmas", schema=None) as batch_op:
        batch_op.drop_column("return_waybill")
        batch_op.drop_column("return_carrier")
