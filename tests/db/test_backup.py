"""`flask db backup` / `flask db restore` on SQLite and PostgreSQL: a round trip brings back
every row and a ledger that verifies; a file that is not a backup is refused untouched."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import threading
import uuid

import pytest
from sqlalchemy import func, select, text

from inventory.counts import adjust_quantity, scrap
from inventory.receiving import receive_from_supplier
from inventory.verify import verify_ledger
from models import Part, SerialItem, StockPolicy, StockQuantity
from models.backup import libpq_target, pg_dump_command, pg_restore_command, table_counts
from tests.conftest import PG_ADMIN_URL, pg_dsn

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def demo(app, db):
    """The demo network with a small stock and the service flow (tickets, RMAs, events)."""
    from app.demo.seed import seed_demo
    from app.demo.service_flow import seed_service_flow

    with app.app_context():
        seed_demo(db, items_per_depot=4)
        seed_service_flow(db, seed=20261122)
    db.commit()
    return db


def _printed_counts(output: str) -> dict[str, int]:
    """The "table  rows" lines a backup or restore prints."""
    return {m[1]: int(m[2]) for m in re.finditer(r"^  (\w+) +(\d+)$", output, re.MULTILINE)}


def _shelf_item(db) -> SerialItem:
    return db.scalar(
        select(SerialItem).where(SerialItem.status == "in_stock").order_by(SerialItem.id)
    )


def _counted(db) -> tuple[str, str, int]:
    """(depot code, part number, free qty) of one counted stock line at a depot."""
    from models import Depot

    row = db.execute(
        select(Depot.code, Part.part_number, StockQuantity.qty)
        .join(StockQuantity, StockQuantity.location_id == Depot.location_id)
        .join(Part, Part.id == StockQuantity.part_id)
        .where(Part.tracking == "counted", StockQuantity.qty >= 2)
        .order_by(StockQuantity.id)
    ).first()
    return row[0], row[1], row[2]


def _state(db) -> dict:
    item = _shelf_item(db)
    depot, part_number, qty = _counted(db)
    return {
        "item": (item.serial, item.location_id, item.status, item.condition),
        "counted": (depot, part_number, qty),
    }


def _serial_state(db, serial: str):
    item = db.scalar(select(SerialItem).where(SerialItem.serial == serial))
    return None if item is None else (item.serial, item.location_id, item.status, item.condition)


def _change_everything(db, state) -> None:
    """What happens after the backup: receipts, a scrap, an adjustment, and a careless DELETE."""
    serial, *_ = state["item"]
    depot, part_number, _qty = state["counted"]
    receive_from_supplier(
        db, depot_code=depot, part_number="SRV-2288-PSU", serial="AFTER-BACKUP-1", actor="wang.wh"
    )
    adjust_quantity(
        db,
        depot_code=depot,
        part_number=part_number,
        delta=-2,
        reason="box crushed",
        actor="wang.wh",
    )
    scrap(db, actor="wang.wh", reason="dropped", serial=serial)
    db.execute(text("DELETE FROM stock_policies"))
    db.commit()
    assert db.scalar(select(func.count()).select_from(StockPolicy)) == 0
    db.rollback()


def _backed_up_then_received(runner, db, database_url, path) -> dict[str, int]:
    """A backup written to ``path``, then a unit KEEP-ME received that the backup lacks: the
    table counts after the receipt (the session is closed, so a restore may replace all)."""
    assert runner.invoke(args=["db", "backup", str(path)]).exit_code == 0
    receive_from_supplier(
        db, depot_code="BJ01", part_number="SRV-2288-PSU", serial="KEEP-ME", actor="wang.wh"
    )
    counts = table_counts(database_url)
    db.close()
    return counts


def test_restore_brings_back_every_row_and_a_ledger_that_verifies(
    app, runner, demo, database_url, tmp_path
):
    db = demo
    before_counts = table_counts(database_url)
    before = _state(db)
    db.rollback()
    path = tmp_path / "sparelog.backup"

    made = runner.invoke(args=["db", "backup", str(path)])
    assert made.exit_code == 0, made.output
    assert path.stat().st_size > 0
    assert f"= {path.stat().st_size} bytes" in made.output
    assert _printed_counts(made.output) == before_counts

    _change_everything(db, before)
    assert table_counts(database_url) != before_counts
    db.close()

    restored = runner.invoke(args=["db", "restore", str(path), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "ledger verified" in restored.output
    assert _printed_counts(restored.output) == before_counts

    assert table_counts(database_url) == before_counts
    with app.extensions["sparelog.db"].sessions() as fresh:
        assert verify_ledger(fresh) == []
        assert _state(fresh) == before
        assert _serial_state(fresh, "AFTER-BACKUP-1") is None
        assert (
            fresh.scalar(select(func.count()).select_from(StockPolicy))
            == before_counts["stock_policies"]
            > 0
        )
    # the restored database takes new work where the backup left off
    with app.extensions["sparelog.db"].sessions() as fresh:
        receipt = receive_from_supplier(
            fresh,
            depot_code=before["counted"][0],
            part_number="SRV-2288-PSU",
            serial="AFTER-RESTORE-1",
            actor="wang.wh",
        )
        assert receipt.movement_id > 0
        assert verify_ledger(fresh) == []


def test_restore_asks_first_and_changes_nothing_when_the_operator_says_no(
    runner, demo, database_url, tmp_path
):
    path = tmp_path / "sparelog.backup"
    counts = _backed_up_then_received(runner, demo, database_url, path)

    declined = runner.invoke(args=["db", "restore", str(path)], input="n\n")
    assert declined.exit_code == 1
    assert "Replace ALL data" in declined.output and "Aborted" in declined.output
    assert table_counts(database_url) == counts


def test_backup_does_not_overwrite_an_existing_file_unless_forced(runner, demo, tmp_path):
    path = tmp_path / "old.backup"
    path.write_bytes(b"yesterday's backup")
    refused = runner.invoke(args=["db", "backup", str(path)])
    assert refused.exit_code != 0 and "already exists" in refused.output
    assert path.read_bytes() == b"yesterday's backup"
    forced = runner.invoke(args=["db", "backup", str(path), "--force"])
    assert forced.exit_code == 0, forced.output
    assert path.read_bytes() != b"yesterday's backup"


def _foreign_sqlite(path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('not ours')")
    conn.commit()
    conn.close()


def _foreign_pg_dump(path) -> None:
    """A real pg_dump archive of some other database."""
    import psycopg

    name = f"foreign_{uuid.uuid4().hex[:8]}"
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(pg_dsn(PG_ADMIN_URL), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            with psycopg.connect(pg_dsn(url), autocommit=True) as conn:
                conn.execute("CREATE TABLE notes (id serial PRIMARY KEY, body text)")
            command = pg_dump_command(url, path)
            subprocess.run(command.argv, env={**command.env, "PATH": "/usr/bin:/bin"}, check=True)
        finally:
            admin.execute(f'DROP DATABASE "{name}"')


def _damaged_files(kind: str, tmp_path, good_backup, sqlite_template) -> dict:
    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(b"this is a shopping list, not a database\n" * 50)
    truncated = tmp_path / "truncated.backup"
    data = good_backup.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    cut_short = tmp_path / "cut-short.backup"  # only the last few hundred bytes missing
    cut_short.write_bytes(data[:-300])
    foreign = tmp_path / "foreign.backup"
    other_kind = tmp_path / "other-kind.backup"
    if kind == "sqlite":
        _foreign_sqlite(foreign)
        other_kind.write_bytes(b"PGDMP" + b"\0" * 200)
    else:
        _foreign_pg_dump(foreign)
        shutil.copy(sqlite_template, other_kind)
    return {
        "garbage": (garbage, "not a backup"),
        "truncated": (
            truncated,
            "damaged" if kind == "sqlite" else "not a readable PostgreSQL dump",
        ),
        # PostgreSQL: the table of contents reads fine, the data ends early half-way through
        # the restore, which rolls back
        "cut short": (cut_short, "damaged" if kind == "sqlite" else "database is unchanged"),
        "foreign": (foreign, "not a backup of this application's database"),
        "other kind": (other_kind, "backup but this database is"),
    }


def test_a_damaged_or_foreign_file_is_refused_and_the_database_is_untouched(
    app, runner, demo, database_url, tmp_path, sqlite_template
):
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    good = tmp_path / "good.backup"
    counts = _backed_up_then_received(runner, demo, database_url, good)

    for label, (path, message) in _damaged_files(kind, tmp_path, good, sqlite_template).items():
        result = runner.invoke(args=["db", "restore", str(path), "--yes"])
        assert result.exit_code != 0, label
        assert message in result.output, (label, result.output)
        assert "Traceback" not in result.output, label
        assert table_counts(database_url) == counts, label
    with app.extensions["sparelog.db"].sessions() as fresh:
        assert _serial_state(fresh, "KEEP-ME") is not None
        assert verify_ledger(fresh) == []


def test_a_backup_taken_while_receipts_are_booked_restores_to_a_consistent_ledger(
    app, runner, demo, database_url, tmp_path
):
    sessions = app.extensions["sparelog.db"].sessions
    booked: list[str] = []
    stop = threading.Event()
    failure: list[BaseException] = []

    def book() -> None:
        try:
            with sessions() as session:
                n = 0
                while not stop.is_set() and n < 2000:
                    n += 1
                    serial = f"LIVE-{n:05d}"
                    receive_from_supplier(
                        session,
                        depot_code="SH01",
                        part_number="SRV-2288-PSU",
                        serial=serial,
                        actor="wang.wh",
                    )
                    booked.append(serial)
        except BaseException as error:  # surfaced in the test below
            failure.append(error)

    def wait_for(n: int) -> None:
        for _ in range(3000):
            if len(booked) >= n or failure:
                return
            stop.wait(0.01)

    writer = threading.Thread(target=book, daemon=True)
    writer.start()
    try:
        wait_for(5)
        at_start = len(booked)
        path = tmp_path / "live.backup"
        made = runner.invoke(args=["db", "backup", str(path)])
        at_end = len(booked)
        wait_for(at_end + 5)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not failure, failure
    assert made.exit_code == 0, made.output
    assert len(booked) > at_end >= at_start >= 5
    demo.close()

    restored = runner.invoke(args=["db", "restore", str(path), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "ledger verified" in restored.output
    with sessions() as fresh:
        assert verify_ledger(fresh) == []
        live = set(fresh.scalars(select(SerialItem.serial).where(SerialItem.serial.like("LIVE-%"))))
    # the backup holds a prefix of the receipts: all booked before it started, and not the
    # ones booked after it ended
    assert live == set(booked[: len(live)])
    assert at_start <= len(live) < len(booked)
    # and the counts it printed are those of the file it wrote
    assert _printed_counts(made.output) == table_counts(database_url)


def test_pg_tools_get_the_password_in_the_environment_never_on_the_command_line(tmp_path):
    url = "postgresql+psycopg://ops:s3cr%40t@db.example:6543/spares?sslmode=require"
    uri, env = libpq_target(url)
    assert env == {"PGPASSWORD": "s3cr@t"}
    assert "s3cr" not in uri and uri.startswith("postgresql://ops@db.example:6543/spares")
    assert "sslmode=require" in uri
    for command in (pg_dump_command(url, tmp_path / "x"), pg_restore_command(url, tmp_path / "x")):
        assert not any("s3cr" in arg for arg in command.argv)
        assert command.env["PGPASSWORD"] == "s3cr@t"
    assert "--single-transaction" in pg_restore_command(url, tmp_path / "x").argv
