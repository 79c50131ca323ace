"""The indicators as data: JSON, CSV and Excel from GET /api/indicators (dispatchers and
admins only), the same figures in each, on the small history of tests/db/test_indicators.py;
and the page with its SVG charts and downloads."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.builders import bearer, make_user
from tests.db.test_indicators import history  # noqa: F401  (the fixture)

PERIOD = {"from": "2026-10-01", "to": "2026-10-31"}


def _headers(db):
    h = {role: bearer(make_user(db, role, f"{role}.k")[1]) for role in ("dispatcher", "warehouse")}
    db.commit()
    return h


def test_the_same_figures_as_json_csv_and_excel(client, db, history):  # noqa: F811
    h = _headers(db)
    got = client.get("/api/indicators", query_string=PERIOD, headers=h["dispatcher"])
    assert got.status_code == 200, got.json
    body = got.json
    assert body["tickets"] == 5
    assert body["first_time_fix"] == {"met": 1, "total": 3, "rate": 1 / 3}
    assert [r["mean_minutes"] for r in body["restore"]] == [50.0, 160.0, None, None]
    assert (body["repeat_30"], body["repeat_90"]) == (1, 2)
    assert {(r["clock"], r["region"]): r["rate"] for r in body["compliance"]}[
        ("response", None)
    ] == 0.5
    text = client.get("/api/indicators", query_string={**PERIOD, "format": "csv"},
                      headers=h["dispatcher"])  # fmt: skip
    assert text.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(text.get_data(as_text=True))))
    assert ["summary", "first_time_fix_rate", "0.3333", "1", "3"] in rows
    assert ["restore", "P2", "2", "2", "160.0"] in rows
    assert ["compliance", "onsite", "Shanghai", "1", "0", "1.0"] in rows
    assert ["satisfaction", "E1", "王伟", "2", "3.5"] in rows
    book = client.get("/api/indicators", query_string={**PERIOD, "format": "xlsx"},
                      headers=h["dispatcher"])  # fmt: skip
    assert book.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheets = load_workbook(io.BytesIO(book.data))
    assert sheets.sheetnames == ["summary", "restore", "compliance", "repeats", "satisfaction"]
    repeats = [list(r) for r in sheets["repeats"].iter_rows(values_only=True)]
    assert repeats == [["serial", "tickets", "within_30_days", "within_90_days"],
                       ["EQ-1", 2, 1, 1], ["EQ-3", 1, 0, 1]]  # fmt: skip


def test_bad_periods_and_roles(client, db, history):  # noqa: F811
    h = _headers(db)
    assert client.get("/api/indicators", headers=h["warehouse"]).status_code == 403
    backwards = client.get("/api/indicators", query_string={"from": "2026-10-31", "to": "2026-10-01"},
                           headers=h["dispatcher"])  # fmt: skip
    assert backwards.status_code == 422 and "from" in backwards.json["errors"]
    unknown = client.get("/api/indicators", query_string={"customer": "NOPE"},
                         headers=h["dispatcher"])  # fmt: skip
    assert unknown.status_code in (404, 422) and "customer" in unknown.json["errors"]
    odd = client.get("/api/indicators", query_string={"format": "pdf"}, headers=h["dispatcher"])
    assert odd.status_code == 422 and "format" in odd.json["errors"]


def test_the_page_draws_the_charts_and_offers_the_downloads(app, client, db, history):  # noqa: F811
    from app.auth import set_password

    user, _token = make_user(db, "dispatcher", "kpi.page")
    set_password(user, "kpi-page-pass-1234")
    db.commit()
    page = client.get("/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "kpi.page", "password": "kpi-page-pass-1234",
                                "csrf_token": token})  # fmt: skip
    html = client.get("/reports/indicators", query_string=PERIOD).get_data(as_text=True)
    assert '<svg class="bars" id="chart-mttr"' in html and 'id="chart-compliance"' in html
    assert "33.3%" in html  # the first-time fix rate
    assert 'data-region="Shanghai"' in html
    assert client.get("/reports/indicators.csv", query_string=PERIOD).mimetype == "text/csv"
    assert client.get("/reports/indicators.xlsx", query_string=PERIOD).data[:2] == b"PK"
