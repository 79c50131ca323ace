"""``flask db backup PATH`` and ``flask db restore PATH`` (the work is in models/backup.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from app.commands.ledger_check import check_ledger
from models.backup import BackupError, backup, check_backup, head_revision, restore


def _database_label(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    size, unit = n / 1024, "KiB"
    for bigger in ("MiB", "GiB"):
        if size < 1024:
            break
        size, unit = size / 1024, bigger
    return f"{size:.1f} {unit} = {n} bytes"


@contextmanager
def _backup_errors() -> Iterator[None]:
    """A ``BackupError`` ends the command with its message (no traceback)."""
    try:
        yield
    except BackupError as error:
        raise click.ClickException(str(error)) from None


def _echo_counts(heading: str, counts: dict[str, int]) -> None:
    """``heading`` with the total rows, then one line per table."""
    click.echo(f"{heading} ({sum(counts.values())} in all):")
    width = max((len(t) for t in counts), default=0)
    for table, rows in counts.items():
        click.echo(f"  {table:<{width}}  {rows:>9}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Write a consistent backup of the database to PATH while the app keeps running
    (SQLite: a database file; PostgreSQL: a pg_dump custom-format archive)."""
    if path.exists() and not force:
        raise click.ClickException(f"{path} already exists; use --force to replace it")
    url = current_app.config["DATABASE_URL"]
    with _backup_errors():
        result = backup(url, path)
    click.echo(
        f"backup of {_database_label(url)} written to {result.path} "
        f"({_size(result.size_bytes)}, {result.kind}, schema revision {result.revision or '?'})"
    )
    _echo_counts("rows per table in the backup", result.counts)


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace every row of the database with the backup at PATH, then verify the ledger."""
    from app.db import database

    url = current_app.config["DATABASE_URL"]
    with _backup_errors():
        revision = check_backup(url, path)
    if not yes:
        click.confirm(
            f"Replace ALL data in {_database_label(url)} with the backup {path} "
            f"(schema revision {revision or '?'})?",
            abort=True,
        )
    database().engine.dispose()  # no pooled connection of ours holds the old data open
    with _backup_errors():
        result = restore(url, path)
    click.echo(
        f"restored {path} into {_database_label(url)} (schema revision {result.revision or '?'})"
    )
    _echo_counts("rows per table now", result.counts)
    check_ledger("restored, but the ledger does not verify: ")
    if result.revision and result.revision != head_revision():
        click.echo(
            f"the backup is at schema revision {result.revision}, this release at "
            f"{head_revision()}: run `flask db upgrade` next"
        )
