"""``flask db backup PATH`` and ``flask db restore PATH`` (the work is in models/backup.py)."""

from __future__ import annotations

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


def _echo_counts(counts: dict[str, int]) -> None:
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
    try:
        result = backup(url, path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"backup of {_database_label(url)} written to {result.path} "
        f"({_size(result.size_bytes)}, {result.kind}, schema revision {result.revision or '?'})"
    )
    click.echo(f"rows per table in the backup ({sum(result.counts.values())} in all):")
    _echo_counts(result.counts)


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace every row of the database with the backup at PATH, then verify the ledger."""
    from app.db import database

    url = current_app.config["DATABASE_URL"]
    try:
        revision = check_backup(url, path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    if not yes:
        click.confirm(
            f"Replace ALL data in {_database_label(url)} with the backup {path} "
            f"(schema revision {revision or '?'})?",
            abort=True,
        )
    database().engine.dispose()  # no pooled connection of ours holds the old data open
    try:
        result = restore(url, path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"restored {path} into {_database_label(url)} (schema revision {result.revision or '?'})"
    )
    click.echo(f"rows per table now ({sum(result.counts.values())} in all):")
    _echo_counts(result.counts)
    check_ledger("restored, but the ledger does not verify: ")
    if result.revision and result.revision != head_revision():
        click.echo(
            f"the backup is at schema revision {result.revision}, this release at "
            f"{head_revision()}: run `flask db upgrade` next"
        )
