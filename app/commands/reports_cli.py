"""flask reports …: the customers' service files by hand (docs/reports.md)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

reports_cli = AppGroup(
    "reports", help="The customers' quarterly service files and annual summaries."
)


@reports_cli.command("generate")
@click.option("--quarter", "quarter", metavar="YYYYQn", help="A quarter, e.g. 2026Q4.")
@click.option("--year", "year", metavar="YYYY", help="A year: the annual service summary.")
@click.option("--customer", "customer_code", metavar="CODE", help="One customer (default: all).")
@click.option("--lang", "langs", multiple=True, type=click.Choice(["zh", "en"]), default=["zh"],
              show_default=True, help="Language(s) of the file.")  # fmt: skip
def generate_command(quarter, year, customer_code, langs) -> None:
    """Generate (again) a quarter's files or a year's summaries, keep them and e-mail each
    customer a link (the outbox delivers it)."""
    from sqlalchemy import select

    from app.db import database
    from app.documents.files import generate_service_file
    from inventory.errors import DomainError
    from inventory.installed_base import customer_by_code
    from models import Customer

    if bool(quarter) == bool(year):
        raise click.UsageError("give --quarter YYYYQn or --year YYYY")
    with database().sessions() as session:
        try:
            customers = (
                [customer_by_code(session, customer_code, field="customer")]
                if customer_code
                else list(session.scalars(select(Customer).order_by(Customer.code)))
            )
            for customer in customers:
                for lang in langs:
                    kept = generate_service_file(
                        session, customer, quarter or year, lang=lang, actor="cli"
                    )
                    click.echo(
                        f"{customer.code} {kept.period} {lang}: {kept.reports} fault report(s), "
                        f"{len(kept.pdf)} bytes"
                    )
        except DomainError as error:
            raise click.ClickException(error.message) from None
