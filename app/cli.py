"""flask commands: migrate, seed the demo, verify the ledger, import a delivery, tokens."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.commands.ledger_check import check_ledger
from app.db import database

inventory_cli = AppGroup("inventory", help="Stock ledger commands.")
db_cli = AppGroup("db", help="Database schema (Alembic migrations), backup and restore.")


def _session():
    return database().sessions()


@db_cli.command("upgrade")
@click.option("--revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from models.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds data.")
@click.option("--seed", default=20261122, show_default=True)
def seed_demo_command(if_empty: bool, seed: int) -> None:
    """Load the deterministic demo network and print a token per role."""
    from app.demo.seed import demo_password, is_seeded, seed_demo
    from app.demo.service_flow import seed_service_flow

    with _session() as session:
        if is_seeded(session):
            if if_empty:
                click.echo("demo data already present; not loading again")
                return
            raise click.ClickException("the database already holds data; use an empty database")
        summary = seed_demo(session, seed=seed)
        extra = seed_service_flow(session, seed=seed)
    click.echo(
        f"loaded {summary.depots} depots, {summary.parts} parts, {summary.serial_items} serialized items, "
        f"{summary.counted_units} counted units, {summary.engineers} engineers, {summary.customers} customers, "
        f"{summary.sites} sites{extra}"
    )
    click.echo("demo API tokens (Authorization: Bearer <token>) and web passwords:")
    for role, token in summary.tokens.items():
        click.echo(f"  {role:<11} token {token:<26} password {demo_password(role)}")


@inventory_cli.command("verify")
def verify_command() -> None:
    """Re-derive every on-hand figure from the ledger; exit 1 on any mismatch."""
    check_ledger("")


@inventory_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reference", help="Delivery note number; a delivery is booked once.")
@click.option("--actor", default="cli")
@click.option("--strict", is_flag=True, help="Reject the whole file when any row is bad.")
@click.option(
    "--idempotency-key",
    help="Any unique string: running the command again with it prints the first "
    "booking's report and books nothing (the same key with another file is refused).",
)
def import_command(
    path: Path, reference: str | None, actor: str, strict: bool, idempotency_key: str | None
) -> None:
    """Receive a supplier delivery from CSV or Excel (columns depot, part_number, serial, qty, condition)."""
    from tqdm import tqdm

    from inventory.delivery_file import read_delivery
    from inventory.errors import DomainError
    from inventory.receiving import import_receipts

    if idempotency_key is not None and not 0 < len(idempotency_key) <= 255:
        raise click.BadParameter("1 to 255 characters", param_hint="--idempotency-key")
    try:
        rows = read_delivery(path.read_bytes(), path.name)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    with (
        _session() as session,
        tqdm(total=len(rows), unit="row", desc="receiving", file=sys.stderr) as bar,
    ):
        try:
            report = import_receipts(
                session,
                rows,
                actor=actor,
                reference=reference,
                strict=strict,
                progress=bar.update,
                idempotency_key=idempotency_key,
            )
        except DomainError as error:
            raise click.ClickException(error.message) from None
    for e in report.errors:
        click.echo(f"row {e.row}: {e.field}: {e.message}", err=True)
    click.echo(
        json.dumps(
            {
                "rows": report.rows,
                "accepted": report.accepted,
                "units": report.units,
                "rejected": len(report.errors),
                "committed": report.committed,
                "replayed": report.replayed,
            }
        )
    )
    if report.errors:
        sys.exit(2)


@click.command("create-token")
@click.argument("username")
@click.option("--name", default="cli")
def create_token_command(username: str, name: str) -> None:
    """Issue an API token for USERNAME and print it once."""
    from app.auth import issue_token
    from inventory.transaction import transaction
    from models import User

    with _session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"no user {username!r}")
        with transaction(session):
            token = issue_token(session, user, name)
    click.echo(token)


@click.command("assign-depots")
@click.argument("username")
@click.argument("depots", nargs=-1)
@click.option("--all", "all_depots", is_flag=True, help="act at every depot (stock controller)")
def assign_depots_command(username: str, depots: tuple[str, ...], all_depots: bool) -> None:
    """Set the depots warehouse user USERNAME works at, e.g. ``assign-depots wang.wh BJ01
    TJ01`` (replaces the previous ones; none and no --all: acts nowhere)."""
    from inventory.accounts import assign_depots
    from inventory.errors import DomainError
    from inventory.transaction import transaction
    from models import User

    with _session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"no user {username!r}")
        try:
            with transaction(session):
                codes = assign_depots(
                    session, user, list(depots), all_depots=all_depots, actor="cli"
                )
        except DomainError as error:
            raise click.ClickException(error.message) from None
    click.echo(f"{username}: {'every depot' if all_depots else ', '.join(codes) or 'no depot'}")


def register_cli(app: Flask) -> None:
    from app.commands.backup_cli import backup_command, restore_command
    from app.commands.logistics_cli import logistics_cli
    from app.commands.planning_cli import planning_cli
    from app.commands.reports_cli import reports_cli
    from app.commands.sla_cli import sla_cli

    db_cli.add_command(backup_command)
    db_cli.add_command(restore_command)
    app.cli.add_command(db_cli)
    app.cli.add_command(inventory_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_token_command)
    app.cli.add_command(logistics_cli)
    app.cli.add_command(sla_cli)
    app.cli.add_command(planning_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(assign_depots_command)
