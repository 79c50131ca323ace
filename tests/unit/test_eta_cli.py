"""`flask logistics eta`: one estimate from places, or one JSON line per CSV row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from app.commands.logistics_cli import logistics_cli


@pytest.fixture(scope="module")
def runner() -> FlaskCliRunner:
    app = Flask(__name__)
    app.config.update(
        GEOCODER="gazetteer",
        NOMINATIM_USER_AGENT="sparelog-test",
        TRAVEL_PROVIDER="geodesic",
        OSRM_URL="",
    )
    app.cli.add_command(logistics_cli)
    return app.test_cli_runner()


def write_csv(tmp_path: Path, text: str) -> str:
    path = tmp_path / "legs.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_eta_between_two_addresses_prints_one_json_object(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["logistics", "eta", "--from", "北京市海淀区", "--to", "天津市和平区"]
    )
    assert result.exit_code == 0, result.output
    eta = json.loads(result.output)
    assert eta["from"]["name"] == "Beijing" and eta["to"]["name"] == "Tianjin"
    assert 100 < eta["road_km"] < 160
    assert eta["onsite_promise_minutes"] == pytest.approx(eta["travel_minutes"] + 60, abs=0.11)


def test_eta_accepts_coordinates(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["logistics", "eta", "--from", "31.23,121.47", "--to", "Suzhou"])
    assert result.exit_code == 0, result.output
    eta = json.loads(result.output)
    assert eta["from"]["lat"] == 31.23 and eta["to"]["name"] == "Suzhou"


def test_pairs_file_gives_one_line_per_row_in_order(runner: FlaskCliRunner, tmp_path: Path) -> None:
    csv = "from_lat,from_lon,to_lat,to_lon\n39.9,116.4,39.95,116.45\n31.23,121.47,30.27,120.16\n39.9,116.4,39.9,116.4\n"
    result = runner.invoke(args=["logistics", "eta", "--pairs", write_csv(tmp_path, csv)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(e["from"]["lat"], e["to"]["lon"]) for e in lines] == [
        (39.9, 116.45),
        (31.23, 120.16),
        (39.9, 116.4),
    ]
    assert lines[0]["road_km"] < lines[1]["road_km"]
    assert lines[2]["travel_minutes"] == 0 and lines[2]["onsite_promise_minutes"] == 60


def test_pairs_file_saved_by_excel_with_a_bom_is_read(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    csv = "\ufefffrom_lat,from_lon,to_lat,to_lon\r\n39.9,116.4,39.95,116.45\r\n"
    result = runner.invoke(args=["logistics", "eta", "--pairs", write_csv(tmp_path, csv)])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 1


@pytest.mark.parametrize(
    ("csv", "message"),
    [
        ("from_lat,from_lon,to_lat\n39.9,116.4,39.95\n", "missing column(s) to_lon"),
        (
            "from_lat,from_lon,to_lat,to_lon\n39.9,116.4,39.95,116.45\n39.9,116.4,39.95\n",
            "line 3: no value for to_lon",
        ),
        (
            "from_lat,from_lon,to_lat,to_lon\n39.9,116.4,abc,116.45\n",
            "to_lat 'abc' is not a number",
        ),
        (
            "from_lat,from_lon,to_lat,to_lon\n99.9,116.4,39.95,116.45\n",
            "from_lat 99.9 is outside -90..90",
        ),
    ],
)
def test_bad_pairs_file_names_the_problem_and_prints_no_estimates(
    runner: FlaskCliRunner, tmp_path: Path, csv: str, message: str
) -> None:
    result = runner.invoke(args=["logistics", "eta", "--pairs", write_csv(tmp_path, csv)])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output and "{" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "火星基地三号舱", "--to", "Beijing"],
            "--from: no known place matches '火星基地三号舱'",
        ),
        (["--from", "Beijing", "--to", "91,10"], "--to: latitude 91 is outside -90..90"),
        (["--from", "Beijing"], "give both --from PLACE and --to PLACE"),
    ],
)
def test_bad_places_name_the_problem_without_a_traceback(
    runner: FlaskCliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(args=["logistics", "eta", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_pairs_file_is_reported(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["logistics", "eta", "--pairs", str(tmp_path / "nope.csv")])
    assert result.exit_code != 0
    assert "nope.csv" in result.output and "Traceback" not in result.output
