"""Technician routing with skills, tools and parts: the evaluator, the solver, the bench CLI."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import bench.trsp
from bench.trsp import main as bench_trsp_main
from bench.trsp_suite import summarise
from logistics.routing.trsp import (
    DEPOT,
    TrspFormatError,
    TrspRoute,
    cheapest_route,
    evaluate,
    read_published,
    read_trsp,
    route_duration,
)
from logistics.routing.trsp_solver import TrspPlan, improved, solve_trsp
from tests.conftest import DATA_DIR

PILLAC = DATA_DIR / "trsp/pillac"

HEADER = """TINY

INFO
CREW COUNT  SKILLS  TOOLS   SPARE PARTS
{crew}      2       2       2

DEPOT TECHNICIANS AND REQUESTS
ID   X     Y     TWS    TWE    Serv   SKILLS   TOOLS    SPARE PARTS
"""


def tiny(tmp_path: Path, rows: list[str], crew: int) -> Path:
    """An instance file in the authors' layout; row 0 is the depot at (50, 0)."""
    path = tmp_path / "TINY.txt"
    body = "\n".join(["0    50    0     0      1000   0      []  []  []", *rows])
    path.write_text(HEADER.format(crew=crew) + body + "\n")
    return path


@pytest.fixture
def one_tech(tmp_path: Path) -> Path:
    # technician 1 at home (0, 0): skill 0, tool 1, one part of type 0
    # request 2 at (10, 0) needs tool 0 (not carried); requests 3 and 4 each use a part 0
    return tiny(
        tmp_path,
        [
            "1    0     0     0      1000   0      [0]  [1]  [1,0]",
            "2    10    0     0      1000   5      [0]  [0]  [0,0]",
            "3    20    0     0      1000   5      [0]  []   [1,0]",
            "4    30    0     0      1000   5      [0]  []   [1,0]",
        ],
        crew=1,
    )


def test_the_evaluator_reproduces_the_authors_objective_for_all_56_instances():
    published = read_published(PILLAC / "pillac-minwt.sol")
    # the folder also holds an empty hidden ".100_25-5-5-5.txt"; the instances are named
    files = sorted(p for p in (PILLAC / "crew25").glob("*.txt") if not p.name.startswith("."))
    assert len(files) == 56
    for path in files:
        instance = read_trsp(path)
        stated = published[instance.name]
        judged = evaluate(instance, stated.routes)
        assert judged.feasible, (instance.name, judged.violations)
        assert judged.objective == pytest.approx(stated.objective, abs=1e-3), instance.name
        assert judged.technicians_used == stated.technicians_used, instance.name
        for route, checked in zip(stated.routes, judged.routes, strict=True):
            fast = route_duration(instance, route.technician, route.stops) if route.stops else 0
            assert fast == pytest.approx(checked.duration, abs=1e-9), instance.name


def test_the_cheapest_route_puts_the_depot_visit_before_the_first_job_the_van_cannot_do(
    one_tech,
):
    instance = read_trsp(one_tech)
    found = cheapest_route(instance, 1, (3, 2, 4))
    assert found is not None
    duration, route = found
    assert route.stops in ((DEPOT, 3, 2, 4), (3, DEPOT, 2, 4))
    assert evaluate(instance, [route]).objective == pytest.approx(duration)


def test_a_job_needing_a_tool_the_technician_lacks_is_served_only_after_a_depot_visit(one_tech):
    instance = read_trsp(one_tech)
    direct = evaluate(instance, [TrspRoute(1, (2, 3, 4, DEPOT))])
    assert not direct.feasible
    assert any("lacks tools [0] for 2" in v for v in direct.violations)
    assert evaluate(instance, [TrspRoute(1, (DEPOT, 2, 3, 4))]).feasible


def test_the_van_stock_covers_jobs_until_it_runs_out(one_tech):
    instance = read_trsp(one_tech)
    # the depot first unlocks the tool; a part-0 job before it uses the single van part
    assert evaluate(instance, [TrspRoute(1, (3, DEPOT, 2, 4))]).feasible
    ran_out = evaluate(instance, [TrspRoute(1, (3, 4, DEPOT, 2))])
    assert any("van stock of part 0 runs out at 4" in v for v in ran_out.violations)


def test_a_job_needing_a_skill_the_technician_lacks_is_refused_even_after_the_depot(tmp_path):
    path = tiny(
        tmp_path,
        [
            "1    0     0     0      1000   0      [0]  []  [0,0]",
            "2    10    0     0      1000   5      [1]  []  [0,0]",
        ],
        crew=1,
    )
    judged = evaluate(read_trsp(path), [TrspRoute(1, (DEPOT, 2))])
    assert any("lacks skills [1] for 2" in v for v in judged.violations)


def test_working_time_starts_at_the_latest_departure_that_keeps_every_arrival(tmp_path):
    # 10 away, window [100, 200], service 10: leaving at 90 gives 10 + 10 + 10 = 30
    path = tiny(
        tmp_path,
        [
            "1    0     0     0      1000   0      [0]  []  [0,0]",
            "2    10    0     100    200    10     [0]  []  [0,0]",
        ],
        crew=1,
    )
    judged = evaluate(read_trsp(path), [TrspRoute(1, (2,))])
    assert judged.feasible
    assert judged.objective == pytest.approx(30.0)
    assert judged.routes[0].departure == pytest.approx(90.0)


def test_a_late_arrival_and_an_unserved_job_make_the_plan_infeasible(one_tech):
    instance = read_trsp(one_tech)
    judged = evaluate(instance, [TrspRoute(1, (DEPOT, 2, 3))])
    assert any("1 requests not served: [4]" in v for v in judged.violations)


def test_the_solver_routes_the_only_qualified_technician_through_the_depot_for_the_tool(one_tech):
    instance = read_trsp(one_tech)
    plan = solve_trsp(instance, 1.0)
    judged = evaluate(instance, plan.routes)
    assert judged.feasible, judged.violations
    (route,) = plan.routes
    assert route.stops.index(DEPOT) < route.stops.index(2)
    # a part-0 job may come before the depot (one part in the van), never both
    before = route.stops[: route.stops.index(DEPOT)]
    assert not {3, 4} <= set(before)


def test_the_bench_cli_prints_one_json_line_with_the_contract_fields(one_tech, capsys):
    assert bench_trsp_main(["--instance", str(one_tech), "--time-limit", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert list(out) == [
        "instance",
        "objective",
        "feasible",
        "technicians_used",
        "wall_s",
        "routes",
    ]
    assert out["feasible"] is True
    assert out["technicians_used"] == 1
    (route,) = out["routes"]
    assert route["technician"] == 1
    assert sorted(route["stops"]) == [0, 2, 3, 4]


def test_the_bench_cli_takes_feasibility_from_the_evaluator_not_the_solver(
    one_tech, capsys, monkeypatch
):
    def claims_success(*args, **kwargs):
        return TrspPlan((TrspRoute(1, (2, 3, 4)),), wall_s=0.0)

    monkeypatch.setattr(bench.trsp, "solve_trsp", claims_success)
    assert bench_trsp_main(["--instance", str(one_tech), "--time-limit", "1"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["feasible"] is False
    assert "lacks tools [0] for 2" in captured.err


def test_an_unreadable_instance_is_reported_by_name_without_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("not an instance\n")
    assert bench_trsp_main(["--instance", str(bad)]) == 2
    assert "bad.txt" in capsys.readouterr().err
    with pytest.raises(TrspFormatError):
        read_trsp(bad)


def test_local_search_gives_a_job_to_the_nearer_qualified_technician(tmp_path):
    # technicians at (0, 0) and (100, 0), both fully kitted; the job at (90, 0) starts on
    # the far technician's route
    path = tiny(
        tmp_path,
        [
            "1    0     0     0      1000   0      [0]  [0,1]  [5,5]",
            "2    100   0     0      1000   0      [0]  [0,1]  [5,5]",
            "3    90    0     0      1000   5      [0]  [0]    [1,0]",
        ],
        crew=2,
    )
    instance = read_trsp(path)
    start = [TrspRoute(1, (3,))]
    better = improved(instance, start, time.monotonic() + 5)
    assert better == [TrspRoute(2, (3,))]
    assert evaluate(instance, better).objective == pytest.approx(25.0)


def test_the_suite_summary_gives_gaps_over_feasible_runs_and_names_new_bests():
    def row(name: str, gap: float, feasible: bool = True) -> dict:
        return {
            "instance": f"{name}.100_25-5-5-5",
            "mode": "resources",
            "time_limit_s": 30.0,
            "gap_pct": gap,
            "feasible": feasible,
            "wall_s": 30.0,
        }

    text = summarise([row("R101", 4.0), row("R102", -1.0), row("RC101", 9.0, feasible=False)])
    lines = text.splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in lines if line[:2] in ("R1", "RC", "al")}
    assert rows["R1"] == ["2/2", "1.50", "30.00"]
    assert rows["RC1"] == ["0/1", "-", "30.00"]
    assert rows["all"] == ["2/3", "1.50", "30.00"]
    assert "infeasible: RC101.100_25-5-5-5" in lines
    assert "new bests (negative gap): R102.100_25-5-5-5 -1.00%" in lines
