"""serials: every stored serial in its normalised form (inventory/serials.py)

Rows whose normalised serial would collide with another unit of the same part are left as
they are (they are distinct units in the ledger, with their own movements) and listed in
the migration's output for someone to look at; every other serial is normalised, so the
unique keys on (part, serial) decide for what users see as one unit.

Create Date: 2026-12-07 04:30:00
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

from inventory.serials import normalize_optional_serial, normalize_serial

revision = "0011_imports"
down_revision = "0010_knowledge"

log = logging.getLogger("alembic.runtime.migration")


def _normalise_unique(conn, table: str) -> None:
    """(part_id, serial) is unique in ``table``: normalise where that stays true."""
    rows = conn.execute(sa.text(f"SELECT id, part_id, serial FROM {table}")).all()
    taken = {(part_id, serial) for _id, part_id, serial in rows}
    for row_id, part_id, serial in rows:
        canonical = normalize_serial(serial) or serial
        if canonical == serial:
            continue
        if (part_id, canonical) in taken:
            log.warning("%s id %s: serial %r kept, %r exists", table, row_id, serial, canonical)
            continue
        conn.execute(
            sa.text(f"UPDATE {table} SET serial = :serial WHERE id = :id"),
            {"serial": canonical, "id": row_id},
        )
        taken.discard((part_id, serial))
        taken.add((part_id, canonical))


def _normalise_column(conn, table: str, column: str) -> None:
    rows = conn.execute(
        sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")
    ).all()
    for row_id, serial in rows:
        canonical = normalize_optional_serial(serial) or serial
        if canonical != serial:
            conn.execute(
                sa.text(f"UPDATE {table} SET {column} = :serial WHERE id = :id"),
                {"serial": canonical, "id": row_id},
            )


def upgrade() -> None:
    conn = op.get_bind()
    _normalise_unique(conn, "serial_items")
    _normalise_unique(conn, "equipment")
    _normalise_column(conn, "tickets", "equipment_serial")
    _normalise_column(conn, "rmas", "faulty_serial")
    _normalise_column(conn, "rmas", "replacement_serial")


def downgrade() -> None:
    pass  # the original spellings are not kept; normalised serials stay valid
