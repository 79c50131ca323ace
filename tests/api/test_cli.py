"""The flask commands warehouse staff and operators run."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select, text

from app.demo.seed import seed_demo
from models import SerialItem
from tests.builders import make_depot, make_part


def test_verify_passes_after_a_demo_load_and_fails_when_books_are_tampered(app, runner, db):

    with app.app_context():
        seed_demo(db, items_per_depot=12)
    db.rollback()  # end the read transaction the summary opened
    ok = runner.invoke(args=["inventory", "verify"])
    assert ok.exit_code == 0, ok.output
    db.execute(text("UPDATE serial_items SET condition = 'good' WHERE condition = 'faulty'"))
    db.commit()
    db.rollback()
    bad = runner.invoke(args=["inventory", "verify"])
    assert bad.exit_code == 1
    assert "MISMATCH serial" in bad.output


def test_import_command_books_good_rows_and_lists_bad_ones_by_row(runner, db, tmp_path):
    make_depot(db, "BJ01")
    make_part(db, "SRV-PSU")
    path = tmp_path / "delivery.csv"
    path.write_text("depot,part_number,serial\nBJ01,SRV-PSU,X1\nBJ01,NOPE,X2\nBJ01,SRV-PSU,X3\n")
    result = runner.invoke(args=["inventory", "import", str(path), "--reference", "DN-7"])
    assert result.exit_code == 2
    assert "row 3: part_number: unknown part 'NOPE'" in result.output
    assert '"accepted": 2' in result.output
    again = runner.invoke(args=["inventory", "import", str(path), "--reference", "DN-7"])
    assert again.exit_code != 0 and "already received" in again.output


def test_excel_delivery_is_read_like_csv(client, db):
    from tests.builders import bearer, make_user

    make_depot(db, "BJ01")
    make_part(db, "NET-SFP", tracking="counted", category="network", kind="consumable")
    make_part(db, "SRV-PSU")
    _u, token = make_user(db, "warehouse")
    book = Workbook()
    sheet = book.active
    sheet.append(["depot", "part_number", "serial", "qty", "condition"])
    sheet.append(["BJ01", "NET-SFP", None, 12, "good"])
    sheet.append(["BJ01", "SRV-PSU", "XL-1", 1, "faulty"])
    buf = io.BytesIO()
    book.save(buf)
    r = client.post(
        "/api/stock/receipts/import",
        headers=bearer(token),
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(buf.getvalue()), "delivery.xlsx")},
    )
    assert r.status_code == 200, r.json
    assert (r.json["accepted"], r.json["units"]) == (2, 13)
    item = client.get("/api/items/XL-1", headers=bearer(token)).json
    assert item["condition"] == "faulty"


def test_a_file_that_is_not_a_spreadsheet_is_refused_naming_the_file(client, db):
    from tests.builders import bearer, make_user

    _u, token = make_user(db, "warehouse")
    r = client.post(
        "/api/stock/receipts/import",
        headers=bearer(token),
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"PK\x03\x04garbage"), "delivery.xlsx")},
    )
    assert r.status_code == 422 and "file" in r.json["errors"]


def test_rerunning_the_import_command_with_its_idempotency_key_books_once(runner, db, tmp_path):
    make_depot(db, "BJ01")
    make_part(db, "SRV-PSU")
    path = tmp_path / "delivery.csv"
    path.write_text("depot,part_number,serial\nBJ01,SRV-PSU,R1\nBJ01,SRV-PSU,R2\n")
    command = ["inventory", "import", str(path), "--idempotency-key", "nightly-2026-12-07"]
    first = runner.invoke(args=command)
    again = runner.invoke(args=command)
    assert first.exit_code == again.exit_code == 0, again.output
    assert '"units": 2' in again.output and '"replayed": true' in again.output
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(SerialItem)) == 2
    db.rollback()
    path.write_text("depot,part_number,serial\nBJ01,SRV-PSU,R3\n")
    other = runner.invoke(args=command)
    assert other.exit_code != 0 and "different delivery" in other.output
