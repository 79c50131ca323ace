"""flask logistics eta …: road km, driving minutes and the "travel + 1 h" on-site promise."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import click
from flask.cli import AppGroup

if TYPE_CHECKING:
    from logistics.geocoding import Place

logistics_cli = AppGroup(
    "logistics", help="Travel estimates with the configured geocoder and travel model."
)

PAIR_COLUMNS = ("from_lat", "from_lon", "to_lat", "to_lon")


@logistics_cli.command("eta")
@click.option("--from", "origin", metavar="PLACE", help='City, address or "lat,lon" to start from.')
@click.option(
    "--to", "destination", metavar="PLACE", help='City, address or "lat,lon" to arrive at.'
)
@click.option(
    "--pairs",
    "pairs_path",
    metavar="FILE.csv",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="CSV with columns from_lat,from_lon,to_lat,to_lon: one JSON line per row, in order.",
)
def eta_command(origin: str | None, destination: str | None, pairs_path: str | None) -> None:
    """Print road_km, travel_minutes and onsite_promise_minutes (travel + 60) as JSON."""
    from app.geo import geocoder, travel_model
    from logistics.geocoding import resolve_place
    from logistics.travel import eta_estimate

    if pairs_path and (origin or destination):
        raise click.UsageError("give either --from/--to or --pairs, not both")
    if pairs_path:
        legs = list(_read_pairs(pairs_path))  # every row checked before anything is printed
        model = travel_model()
        for a, b in legs:
            _echo(
                eta_estimate(
                    _resolve(a, "from", resolve_place), _resolve(b, "to", resolve_place), model
                )
            )
        return
    if not origin or not destination:
        raise click.UsageError("give both --from PLACE and --to PLACE (or --pairs FILE.csv)")
    places = geocoder()
    start = _resolve(origin, "--from", lambda text: resolve_place(text, places))
    end = _resolve(destination, "--to", lambda text: resolve_place(text, places))
    _echo(eta_estimate(start, end, travel_model()))


def _resolve(text: str, label: str, resolve: Callable[[str], Place]) -> Place:
    try:
        return resolve(text)
    except ValueError as error:  # PlaceNotFound is a ValueError too
        raise click.ClickException(f"{label}: {error}") from None


def _echo(estimate: dict[str, Any]) -> None:
    click.echo(json.dumps(estimate, ensure_ascii=False))


def _read_pairs(path: str) -> Iterator[tuple[str, str]]:
    """("lat,lon", "lat,lon") per CSV row; ClickException naming the row and column if bad."""
    if path == "-":
        text = sys.stdin.read()
    else:
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                text = fh.read()
        except OSError as error:
            raise click.ClickException(f"cannot read {path}: {error.strerror or error}") from None
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [c for c in PAIR_COLUMNS if c not in header]
    if missing:
        raise click.ClickException(
            f"{path}: missing column(s) {', '.join(missing)} (need {','.join(PAIR_COLUMNS)})"
        )
    reader.fieldnames = header
    for line, row in enumerate(reader, start=2):
        values = {}
        for column in PAIR_COLUMNS:
            raw = (row.get(column) or "").strip()
            if not raw:
                raise click.ClickException(f"{path} line {line}: no value for {column}")
            try:
                values[column] = float(raw)
            except ValueError:
                raise click.ClickException(
                    f"{path} line {line}: {column} {raw!r} is not a number"
                ) from None
        for end in ("from", "to"):
            lat, lon = values[f"{end}_lat"], values[f"{end}_lon"]
            if not -90 <= lat <= 90:
                raise click.ClickException(
                    f"{path} line {line}: {end}_lat {lat:g} is outside -90..90"
                )
            if not -180 <= lon <= 180:
                raise click.ClickException(
                    f"{path} line {line}: {end}_lon {lon:g} is outside -180..180"
                )
        yield (
            f"{values['from_lat']},{values['from_lon']}",
            f"{values['to_lat']},{values['to_lon']}",
        )
