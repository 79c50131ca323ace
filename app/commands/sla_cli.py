"""flask sla …: run the SLA sweep and deliver the notification outbox by hand, or as a
foreground worker for the embedded set-up (docs/jobs.md)."""

from __future__ import annotations

import json
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

sla_cli = AppGroup(
    "sla", help="SLA sweep (escalation, overdue returns, breached clocks) and notifications."
)


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        now = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            "expected an ISO timestamp, e.g. 2026-02-13T09:30:00+08:00"
        ) from None
    if now.tzinfo is None:
        raise click.BadParameter("give the time zone (…Z or +08:00); times are never guessed")
    return now


@sla_cli.command("sweep")
@click.option(
    "--now",
    "now_text",
    metavar="ISO",
    help="Sweep as of this instant (default: now); a later one only with --dry-run.",
)
@click.option(
    "--dry-run", is_flag=True, help="Print what would fire; write nothing (no flag, no message)."
)
def sweep_command(now_text: str | None, dry_run: bool) -> None:
    """Fire due escalation steps, flag overdue returns and breached clocks (each once)."""
    from app.jobs import run_sweep
    from app.jobs.bodies import FutureSweep

    try:
        report = run_sweep(current_app, _parse_now(now_text), dry_run=dry_run)
    except FutureSweep as error:
        raise click.BadParameter(str(error), param_hint="--now") from None
    click.echo(json.dumps(report.as_dict(), ensure_ascii=False))


@sla_cli.command("deliver")
@click.option(
    "--revive-dead", is_flag=True, help="Queue messages that ran out of attempts again first."
)
def deliver_command(revive_dead: bool) -> None:
    """Send the e-mails and webhooks that are due in the outbox."""
    from app.db import database
    from app.jobs import run_delivery
    from inventory.outbox import outbox_counts
    from inventory.outbox import revive_dead as revive

    if revive_dead:
        with database().sessions() as session:
            click.echo(f"revived {revive(session)} dead message(s)")
    report = run_delivery(current_app)
    with database().sessions() as session:
        counts = outbox_counts(session)
    click.echo(json.dumps({**vars(report), "outbox": counts}))


@sla_cli.command("worker")
def worker_command() -> None:
    """Run the sweep and the delivery in the foreground until interrupted (embedded set-up)."""
    from app.jobs.inprocess import Runner

    runner = Runner(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(
        f"sweep every {runner.sweep_every:g} s, outbox every {runner.deliver_every:g} s; Ctrl-C stops"
    )
    try:
        runner.run_forever()
    except KeyboardInterrupt:
        runner.stop()
