"""Migrations 0019 (customer problems, over a recorded complaint) and 0021 (service files) go
down and up again on
SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from inventory import complaints
from models.db import make_engine, make_session_factory
from models.migrate import downgrade, upgrade
from tests.conftest import migrated_database
from tests.service_builders import make_customer


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_complaints_migration_goes_down_and_up(kind, tmp_path):
    with migrated_database(kind, tmp_path, "cpl18_mig", "the complaints migration test") as url:
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            make_customer(session)
            complaints.file_complaint(session, customer_code="C001", kind="complaint",
                                      urgency="urgent", subject="s", description="d",
                                      actor="li.disp")  # fmt: skip
        engine.dispose()
        downgrade(url, "0018_inspections")
        engine = make_engine(url)
        tables = inspect(engine).get_table_names()
        columns = [c["name"] for c in inspect(engine).get_columns("contracts")]
        engine.dispose()
        assert "complaints" not in tables and "departments" not in tables
        assert "complaint_hours" not in columns
        upgrade(url)
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            again = complaints.file_complaint(session, customer_code="C001", kind="request",
                                              urgency="normal", subject="s", description="d",
                                              actor="li.disp")  # fmt: skip
            assert again.number.startswith("CPL-")
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_service_files_migration_goes_down_and_up(kind, tmp_path):
    with migrated_database(kind, tmp_path, "sf21_mig", "the service files migration test") as url:
        downgrade(url, "0020_part_supersession")
        engine = make_engine(url)
        assert "service_files" not in inspect(engine).get_table_names()
        engine.dispose()
        upgrade(url)
        engine = make_engine(url)
        assert "service_files" in inspect(engine).get_table_names()
        engine.dispose()
