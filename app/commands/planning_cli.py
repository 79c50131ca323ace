"""flask planning recommend: the service-parts plan for the whole network, as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

planning_cli = AppGroup("planning", help="Service-parts planning (docs/planning.md).")


def _pairs(values: tuple[str, ...], option: str) -> dict[str, float]:
    out = {}
    for text in values:
        key, sep, number = text.partition("=")
        try:
            if not sep or not key:
                raise ValueError
            out[key] = float(number)
        except ValueError:
            raise click.BadParameter(
                f"expected NAME=NUMBER, got {text!r}", param_hint=option
            ) from None
    return out


@planning_cli.command("recommend")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="CLASS=RATE",
    help="Target in-clock fill rate of a contract class, e.g. 7x24=0.95 (repeatable).",
)
@click.option(
    "--other-clock-target",
    "other_targets",
    multiple=True,
    metavar="CLASS=RATE",
    help="Target on the other clock too (the 2-working-day clock when --clock is "
    "replacement), met together with --target (repeatable).",
)
@click.option("--budget", type=float, default=None, help="Best service for this stock value.")
@click.option("--clock", type=click.Choice(["replacement", "spare"]), default="replacement")
@click.option(
    "--failure-rate",
    "rates",
    multiple=True,
    metavar="PART=RATE",
    help="What-if: failures per installed unit per year for a part number (repeatable).",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option(
    "--accept", is_flag=True, help="Make the plan the depots' reorder points and targets."
)
def recommend_command(targets, other_targets, budget, clock, rates, output, accept) -> None:
    """Compute the plan: per (part, depot) current and recommended stock, fill rates
    before and after per class and customer, and the moves (transfers, purchases, returns).

    Prints the plan as one JSON object (or writes it to --output and prints the summary).
    Bad data (a negative lead time, a contract without clocks...) names the record and
    exits with status 2.
    """
    from app.geo import travel_model
    from inventory.errors import DomainError
    from inventory.planning import DEFAULT_TARGETS, PlanSettings, accept_plan, recommend_plan
    from logistics.planning.metric import PlanningInputError
    from models import utcnow

    settings = PlanSettings(
        targets=_pairs(targets, "--target") or dict(DEFAULT_TARGETS),
        budget=budget,
        clock=clock,
        failure_rate_overrides=_pairs(rates, "--failure-rate"),
        other_clock_targets=_pairs(other_targets, "--other-clock-target"),
    )
    with current_app.extensions["sparelog.db"].sessions() as session:
        try:
            plan = recommend_plan(session, travel_model(), settings, now=utcnow())
            if accept:
                accepted = accept_plan(session, plan, actor="cli", reference="PLAN-CLI")
                plan["accepted"] = {
                    "policies_set": accepted.policies_set,
                    "policies_cleared": accepted.policies_cleared,
                }
        except (PlanningInputError, DomainError) as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(2)
    for warning in plan["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    if output:
        output.write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")
        click.echo(json.dumps(plan["summary"], ensure_ascii=False))
    else:
        click.echo(json.dumps(plan, ensure_ascii=False))
