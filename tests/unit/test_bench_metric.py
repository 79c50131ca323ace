"""`python -m bench.metric`: one JSON line with the curve; bad instances exit 2 with a reason."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHERBROOKE = ROOT / "bench" / "instances" / "sherbrooke.json"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bench.metric", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_sherbrooke_curve_is_one_json_line_from_zero_stock_to_tiny_ebo() -> None:
    result = run("--instance", str(SHERBROOKE))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert out["instance"] == str(SHERBROOKE)
    first, last = out["points"][0], out["points"][-1]
    assert set(first) == {"cost", "ebo", "stock"}
    assert first["cost"] == 0 and first["stock"] == {
        "P1": {"depot": 0, "B1": 0, "B2": 0, "B3": 0, "B4": 0, "B5": 0}
    }
    assert first["ebo"] == pytest.approx(5 * 23.2 * (0.2 * 0.01 + 0.8 * 0.03531), rel=1e-12)
    assert last["ebo"] < 0.001 <= out["points"][-2]["ebo"]
    costs = [p["cost"] for p in out["points"]]
    assert costs == sorted(costs) and len(set(costs)) == len(costs)
    for p in out["points"]:
        assert p["cost"] == sum(p["stock"]["P1"].values())  # unit cost 1


def test_max_cost_cuts_the_curve_at_the_budget() -> None:
    result = run("--instance", str(SHERBROOKE), "--max-cost", "7.5")
    assert result.returncode == 0, result.stderr
    points = json.loads(result.stdout)["points"]
    assert [p["cost"] for p in points] == [0, 1, 2, 3, 6, 7]


def test_part_repaired_only_at_its_base_has_no_depot_stock(tmp_path: Path) -> None:
    instance = {
        "parts": [{"id": "LOCAL", "unit_cost": 5, "depot_repair_time": 0.5}],
        "bases": ["B1", "B2"],
        "demands": [
            {
                "part": "LOCAL",
                "base": "B1",
                "rate": 3,
                "base_repair_prob": 1,
                "base_repair_time": 0.2,
                "order_ship_time": 0.1,
            },
        ],
    }
    result = run("--instance", write(tmp_path, instance), "--max-cost", "20")
    assert result.returncode == 0, result.stderr
    points = json.loads(result.stdout)["points"]
    assert points[0]["ebo"] == pytest.approx(0.6, abs=1e-12)
    assert [p["stock"]["LOCAL"] for p in points[1:3]] == [
        {"depot": 0, "B1": 1, "B2": 0},
        {"depot": 0, "B1": 2, "B2": 0},
    ]


def good_instance() -> dict:
    return json.loads(SHERBROOKE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["demands"][2].pop("rate"), "demands[2]: missing field 'rate'"),
        (lambda d: d["parts"][0].update(unit_cost=-3), "unit_cost must be a finite number >= 0"),
        (lambda d: d["demands"][0].update(base_repair_prob=-0.1), "base_repair_prob"),
        (lambda d: d["demands"][0].update(base_repair_prob=1.2), "within [0, 1]"),
        (lambda d: d["demands"][1].update(part="X9"), "demands[1]: unknown part 'X9'"),
        (lambda d: d["demands"][3].update(base="B9"), "demands[3]: unknown base 'B9'"),
        (lambda d: d["demands"][0].update(rate=-2.5), "demands[0].rate must be a finite"),
        (lambda d: d["bases"].append("B1"), "base id 'B1' appears twice"),
        (lambda d: d.pop("bases"), "missing field 'bases'"),
    ],
)
def test_bad_instance_is_a_message_on_stderr_and_exit_status_2(tmp_path, change, words) -> None:
    data = good_instance()
    change(data)
    result = run("--instance", write(tmp_path, data))
    assert result.returncode == 2
    assert result.stdout == ""
    assert words in result.stderr


def test_unreadable_file_and_negative_budget_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    for args in (
        ["--instance", str(broken)],
        ["--instance", str(tmp_path / "missing.json")],
        ["--instance", str(SHERBROOKE), "--max-cost", "-1"],
    ):
        result = run(*args)
        assert result.returncode == 2 and result.stdout == "" and result.stderr.strip(), args
