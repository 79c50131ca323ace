"""The ledger check that `flask inventory verify` and `flask db restore` both end with."""

from __future__ import annotations

import sys

import click

from app.db import database


def check_ledger(failure_prefix: str) -> None:
    """Verify the ledger and say so; on mismatches list them (first 100) and exit 1."""
    from inventory.verify import verify_ledger

    with database().sessions() as session:
        problems = verify_ledger(session)
    if problems:
        for p in problems[:100]:
            click.echo(f"MISMATCH {p.what} {p.key}: books {p.books} vs ledger {p.ledger}", err=True)
        click.echo(f"{failure_prefix}{len(problems)} mismatch(es)", err=True)
        sys.exit(1)
    click.echo("ledger verified: every on-hand figure matches the movements")
