"""Migration 0016 (van stock) goes down and up again over real van data — a transfer to a
van, a removed part owed back — on SQLite and PostgreSQL, and the ledger still verifies."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text

from inventory.verify import verify_ledger
from models import Engineer
from models.db import make_engine
from models.migrate import downgrade, upgrade
from tests.conftest import migrated_database, session_at
from tests.service_builders import make_van_world, stock_van


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_van_migration_goes_down_and_up_over_van_data(kind, tmp_path):
    with migrated_database(kind, tmp_path, "van16_mig", "the van migration test") as url:
        with session_at(url) as session:
            world = make_van_world(session)
            stock_van(session, world)
            assert verify_ledger(session) == []

        downgrade(url, "0015_counts")
        engine = make_engine(url)
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert not {"van_stock_levels", "return_rules", "part_returns"} & tables
            columns = {c["name"] for c in inspect(conn).get_columns("transfers")}
            assert "to_location_id" not in columns
            assert conn.execute(text("SELECT count(*) FROM transfers")).scalar() == 0
        engine.dispose()

        upgrade(url)
        with session_at(url) as session:
            assert session.scalar(select(Engineer.van_location_id).limit(1)) is None
            assert verify_ledger(session) == []
