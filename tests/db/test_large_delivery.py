"""A legitimate delivery of 200,000 rows still imports, as one booking, in bounded memory.

The import runs as an operator runs it (``flask inventory import``) in a child process on a
migrated SQLite database; the child reports its peak resident memory (``VmHWM``)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inventory.delivery_file import MAX_ROWS
from inventory.verify import verify_ledger
from models import SerialItem
from models.db import make_engine, make_session_factory
from tests.builders import make_depot, make_part
from tests.spreadsheets import xlsx

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
MEMORY_BUDGET_MB = 400  # the whole import of the largest file taken, rows held as text

_CHILD = """
import json, sys
from app import create_app
app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "large-delivery"})
done = app.test_cli_runner().invoke(
    args=["inventory", "import", sys.argv[2], "--reference", "DN-LARGE", "--strict"]
)
# VmHWM: this process's own peak (ru_maxrss would carry the parent's over the fork)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
peak = int(hwm.split()[1]) / 1024
print(json.dumps({"exit": done.exit_code, "output": done.output[-1000:], "peak_rss_mb": peak}))
"""


@pytest.mark.timeout(1200)
def test_a_200000_row_delivery_workbook_imports_whole_within_the_memory_budget(
    tmp_path, sqlite_template
):
    db_path = tmp_path / "large.db"
    shutil.copy(sqlite_template, db_path)
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        make_depot(s, "BJ01")
        make_part(s, "SRV-PSU")
        s.commit()
    book = tmp_path / "delivery.xlsx"
    book.write_bytes(
        xlsx(
            [["depot", "part_number", "serial"]]
            + [["BJ01", "SRV-PSU", f"LRG-{i:07d}"] for i in range(MAX_ROWS)]
        )
    )

    done = subprocess.run(
        [sys.executable, "-c", _CHILD, url, str(book)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1100,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["exit"] == 0, got["output"]
    assert f'"units": {MAX_ROWS}' in got["output"]
    assert got["peak_rss_mb"] < MEMORY_BUDGET_MB, got
    print(f"\n200,000-row delivery: peak RSS {got['peak_rss_mb']:.0f} MB")
    with make_session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(SerialItem)) == MAX_ROWS
        assert verify_ledger(s) == []
    engine.dispose()
