"""Reorder proposals through the API: listed with their source, accepted once."""

from __future__ import annotations

from sqlalchemy import select

from inventory import receiving
from models import Depot, Part, StockPolicy
from tests.builders import bearer, make_depot, make_part, make_user


def _one_line(db) -> None:
    """NET-SFP: none at BJ01 (reorder point 2, target 5), eight at SH01 (1, 4)."""
    make_depot(db, "BJ01")
    make_depot(db, "SH01")
    make_part(db, "NET-SFP", tracking="counted", category="network", kind="consumable")
    receiving.receive_from_supplier(db, depot_code="SH01", part_number="NET-SFP", qty=8, actor="t")
    part_id = db.scalar(select(Part.id))
    for code, reorder, target in (("BJ01", 2, 5), ("SH01", 1, 4)):
        depot_id = db.scalar(select(Depot.id).where(Depot.code == code))
        db.add(
            StockPolicy(
                depot_id=depot_id, part_id=part_id, reorder_point=reorder, target_level=target
            )
        )
    db.commit()


def test_a_proposal_is_listed_and_accepted_once(client, db):
    _one_line(db)
    _u, token = make_user(db, "dispatcher")
    listed = client.get("/api/stock/reorder-proposals", headers=bearer(token))
    assert listed.status_code == 200 and listed.json["total"] == 1
    line = listed.json["items"][0]
    assert (line["depot"], line["kind"], line["source"], line["qty"]) == (
        "BJ01",
        "transfer",
        "SH01",
        4,
    )
    body = {
        "depot": "BJ01",
        "part_number": "NET-SFP",
        "kind": "transfer",
        "qty": 4,
        "source": "SH01",
    }
    first = client.post("/api/stock/reorder-proposals/accept", json=body, headers=bearer(token))
    again = client.post("/api/stock/reorder-proposals/accept", json=body, headers=bearer(token))
    assert first.status_code == 200 and first.json["created"] is True
    assert again.json == {**first.json, "created": False}
    bad = client.post(
        "/api/stock/reorder-proposals/accept", json={**body, "kind": "gift"}, headers=bearer(token)
    )
    assert bad.status_code == 422 and "kind" in bad.json["errors"]


def test_the_whole_list_is_exported_as_csv_and_as_a_spreadsheet(client, db):
    from io import BytesIO

    from openpyxl import load_workbook

    _one_line(db)
    _u, token = make_user(db, "warehouse", depots=("BJ01", "SH01"))
    url = "/api/stock/reorder-proposals?page_size=1&format="
    as_csv = client.get(url + "csv", headers=bearer(token))
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    assert "reorder.csv" in as_csv.headers["Content-Disposition"]
    lines = as_csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("depot,part_number,description,on_hand,reorder_point")
    assert lines[1].startswith("BJ01,NET-SFP,") and ",transfer,SH01,4," in lines[1]
    as_xlsx = client.get(url + "xlsx", headers=bearer(token))
    assert as_xlsx.status_code == 200
    assert as_xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(as_xlsx.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("depot", "part_number") and len(rows) == 2
    assert (rows[1][0], rows[1][7], rows[1][8], rows[1][9]) == ("BJ01", "transfer", "SH01", 4)
    bad = client.get(url + "pdf", headers=bearer(token))
    assert bad.status_code == 422 and "format" in bad.json["errors"]
    spec = client.get("/api/openapi.json").json
    answers = spec["paths"]["/api/stock/reorder-proposals"]["get"]["responses"]["200"]
    assert set(answers["content"]) == {
        "application/json",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
