"""Delivery spreadsheets are read in bounded memory, whatever they declare.

Each file is read in a child process (``read_delivery``, as the import does) whose peak
resident memory is measured (``VmHWM``) against the budget docs/robustness.md states; the child's
address space is capped at 2 GB so that a reader that trusts the file fails fast instead of
taking the machine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from inventory.delivery_file import MAX_COLUMNS, MAX_ROWS, read_delivery
from inventory.errors import InvalidInput
from tests.spreadsheets import delivery_rows, xlsx

REPO = Path(__file__).resolve().parents[2]
MEMORY_BUDGET_MB = 200

_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from inventory.delivery_file import read_delivery
from inventory.errors import DomainError
data = open(sys.argv[1], "rb").read()
try:
    out = {"rows": len(read_delivery(data, "delivery.xlsx"))}
except DomainError as error:
    out = {"refused": type(error).__name__, "message": error.message}
except MemoryError:
    out = {"refused": "MemoryError"}
# VmHWM: this process's own peak (ru_maxrss would carry the parent's over the fork)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
out["peak_rss_mb"] = int(hwm.split()[1]) / 1024
print(json.dumps(out))
"""


def read_in_child(tmp_path: Path, data: bytes) -> dict:
    path = tmp_path / "delivery.xlsx"
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_a_sheet_declaring_the_whole_grid_is_read_within_the_memory_budget(tmp_path):
    # the attack: 50 KB that declares A1:XFD1048576, with a cell in column XFD of every row
    data = xlsx(delivery_rows(3_000), dimension="A1:XFD1048576", stray_column=16_384)
    assert len(data) < 150_000
    got = read_in_child(tmp_path, data)
    assert got.get("rows") == 3_000, got
    assert got["peak_rss_mb"] < MEMORY_BUDGET_MB, got


def test_a_zip_bomb_workbook_is_refused_naming_the_size_limit(tmp_path):
    data = xlsx(delivery_rows(3), shared_strings_mb=150)  # 150 MB in a few hundred KB
    assert len(data) < 2_000_000
    got = read_in_child(tmp_path, data)
    assert got.get("refused") == "TooLarge", got
    assert "100 MB" in got["message"]
    assert got["peak_rss_mb"] < MEMORY_BUDGET_MB, got


def test_a_row_numbered_1048576_is_refused_naming_the_row_limit(tmp_path):
    got = read_in_child(tmp_path, xlsx(delivery_rows(2), last_row_number=1_048_576))
    assert got.get("refused") == "InvalidInput", got
    assert f"at most {MAX_ROWS} rows" in got["message"]
    assert got["peak_rss_mb"] < MEMORY_BUDGET_MB, got


def test_a_cell_past_the_column_limit_is_refused_naming_it():
    rows = delivery_rows(2)
    rows[2] = rows[2] + [None] * (MAX_COLUMNS - len(rows[2])) + ["surprise"]
    with pytest.raises(InvalidInput, match=f"row 3: at most {MAX_COLUMNS} columns"):
        read_delivery(xlsx(rows), "delivery.xlsx")


def test_blank_rows_and_a_wide_declared_range_do_not_change_what_is_read():
    rows = delivery_rows(2) + [[None]] * 5 + [["SH01", "SRV-PSU", "LATE-1", 1, "faulty"]]
    got = read_delivery(xlsx(rows, dimension="A1:XFD1048576"), "delivery.xlsx")
    assert [r["serial"] for r in got] == ["SRV-PSU-0000001", "SRV-PSU-0000002", "LATE-1"]
    assert got[2] == {
        "depot": "SH01",
        "part_number": "SRV-PSU",
        "serial": "LATE-1",
        "qty": "1",
        "condition": "faulty",
    }
