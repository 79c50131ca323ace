"""Solomon instances: parsing, the independent checker, and a real instance solved."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bench.routing import main as bench_routing_main
from logistics.routing.checker import check_routes, dimacs_distance
from logistics.routing.instances import InstanceFormatError, read_instance
from tests.conftest import DATA_DIR

C101 = DATA_DIR / "solomon/C101.vrp"


def best_known_routes(path: Path) -> list[list[int]]:
    text = path.with_suffix(".sol").read_text()
    return [
        [int(c) for c in line.split(":")[1].split()]
        for line in text.splitlines()
        if line.startswith("Route")
    ]


def test_the_vrplib_file_gives_depot_zero_and_one_hundred_customers():
    inst = read_instance(C101)
    assert inst.customers == 100 and inst.vehicles == 25 and inst.capacity == 200
    assert tuple(inst.coords[0]) == (40.0, 50.0) and inst.service[0] == 0
    assert inst.due[0] == 1236 and inst.service[1] == 90


def test_the_plain_solomon_text_layout_reads_the_same_instance(tmp_path):
    inst = read_instance(C101)
    rows = "\n".join(
        f"{c:5d} {inst.coords[c][0]:8.0f} {inst.coords[c][1]:8.0f} {inst.demand[c]:6d} "
        f"{inst.ready[c]:8.0f} {inst.due[c]:8.0f} {inst.service[c]:6.0f}"
        for c in range(inst.customers + 1)
    )
    txt = tmp_path / "C101.txt"
    txt.write_text(
        f"C101\n\nVEHICLE\nNUMBER     CAPACITY\n  25         200\n\nCUSTOMER\n"
        f"CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n"
        f"{rows}\n"
    )
    again = read_instance(txt)
    assert again.vehicles == 25 and again.capacity == 200
    assert (again.coords == inst.coords).all() and (again.due == inst.due).all()


def test_a_file_missing_its_time_window_section_is_rejected_by_name(tmp_path):
    text = C101.read_text()
    cut = text[: text.index("TIME_WINDOW_SECTION")] + text[text.index("DEPOT_SECTION") :]
    bad = tmp_path / "bad.vrp"
    bad.write_text(cut)
    with pytest.raises(InstanceFormatError, match="TIME_WINDOW_SECTION"):
        read_instance(bad)


def test_the_bench_cli_reports_a_missing_section_without_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("R999\n\nVEHICLE\nNUMBER CAPACITY\n 5 100\n")
    assert bench_routing_main(["--instance", str(bad), "--time-limit", "1"]) != 0
    err = capsys.readouterr().err
    assert "CUSTOMER" in err and "Traceback" not in err


def test_the_best_known_solution_passes_the_checker_with_its_published_cost():
    result = check_routes(read_instance(C101), best_known_routes(C101))
    assert result.feasible, result.violations
    assert result.distance == pytest.approx(827.3)


def test_the_checker_catches_a_late_arrival_a_missing_customer_and_an_overload():
    inst = read_instance(C101)
    routes = best_known_routes(C101)
    late = [list(reversed(routes[0])), *routes[1:]]
    assert any("after its due" in v for v in check_routes(inst, late).violations)
    missing = [routes[0][1:], *routes[1:]]
    assert any("never visited" in v for v in check_routes(inst, missing).violations)
    merged = [routes[0] + routes[1], *routes[2:]]
    assert not check_routes(inst, merged).feasible
    assert dimacs_distance(inst, [[1]]) == pytest.approx(2 * 18.6)


def test_a_solomon_instance_is_solved_feasibly_close_to_the_best_known_in_seconds(capsys):
    assert (
        bench_routing_main(["--instance", str(DATA_DIR / "solomon/R101.vrp"), "--time-limit", "3"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    with open(DATA_DIR / "solomon/bks.csv", newline="") as f:
        best = next(
            float(r["distmin_distance_dimacs"])
            for r in csv.DictReader(f)
            if r["instance"] == "R101"
        )
    assert out["feasible"] and out["vehicles"] <= 25
    assert sorted(c for r in out["routes"] for c in r) == list(range(1, 101))
    assert out["distance"] <= best * 1.05
    assert out["wall_s"] < 4.5
