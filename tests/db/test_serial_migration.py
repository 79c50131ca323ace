"""Upgrading normalises the serials already stored, so the unique keys hold for what users
see as one unit (migration 0011_imports)."""

from __future__ import annotations

from sqlalchemy import text

from models.db import make_engine
from models.migrate import upgrade


def test_upgrading_normalises_stored_serials_and_keeps_colliding_units_apart(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0010_knowledge")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO parts (id, part_number, description, category, tracking, kind, "
                "unit_cost, active) "
                "VALUES (1, 'SRV-PSU', 'psu', 'server', 'serialized', 'repairable', 0, 1)"
            )
        )
        location = conn.execute(text("SELECT id FROM locations LIMIT 1")).scalar_one()
        for item_id, serial in [(1, "psu-1 "), (2, "PSU-2"), (3, "psu-2"), (4, "ＰＳＵ-3")]:
            conn.execute(
                text(
                    "INSERT INTO serial_items (id, part_id, serial, location_id, status, "
                    "condition, updated_at) VALUES (:id, 1, :serial, :loc, 'in_stock', 'good', "
                    "'2026-12-01 00:00:00')"
                ),
                {"id": item_id, "serial": serial, "loc": location},
            )

    upgrade(url)

    with engine.connect() as conn:
        serials = dict(conn.execute(text("SELECT id, serial FROM serial_items")).all())
    # 3 would become PSU-2, which unit 2 is: it is left as it was, for a person to decide
    assert serials == {1: "PSU-1", 2: "PSU-2", 3: "psu-2", 4: "PSU-3"}
    engine.dispose()
