"""Migrations 0019 (customer problems, over a recorded complaint) and 0021 (service files) go
down and up again on
SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from inventory import complaints
from models.migrate import downgrade, upgrade
from tests.conftest import migrated_database, schema_of, session_at
from tests.service_builders import make_customer


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_complaints_migration_goes_down_and_up(kind, tmp_path):
    with migrated_database(kind, tmp_path, "cpl18_mig", "the complaints migration test") as url:
        with session_at(url) as session:
            make_customer(session)
            complaints.file_complaint(session, customer_code="C001", kind="complaint",
                                      urgency="urgent", subject="s", description="d",
                                      actor="li.disp")  # fmt: skip
        downgrade(url, "0018_inspections")
        tables = schema_of(url)
        assert "complaints" not in tables and "departments" not in tables
        assert "complaint_hours" not in schema_of(url, "contracts")
        upgrade(url)
        with session_at(url) as session:
            again = complaints.file_complaint(session, customer_code="C001", kind="request",
                                              urgency="normal", subject="s", description="d",
                                              actor="li.disp")  # fmt: skip
            assert again.number.startswith("CPL-")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_service_files_migration_goes_down_and_up(kind, tmp_path):
    with migrated_database(kind, tmp_path, "sf21_mig", "the service files migration test") as url:
        downgrade(url, "0020_part_supersession")
        assert "service_files" not in schema_of(url)
        upgrade(url)
        assert "service_files" in schema_of(url)
