"""The reorder page leads to action: each line proposes a transfer or a purchase, one
click accepts it (once), and the list exports to CSV and Excel."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from models import PurchaseRequest, Transfer
from tests.web.conftest import csrf_of

LINE = re.compile(
    r'<tr id="line-([A-Z0-9]+)-([^"]+)" data-line="[^"]+" data-kind="(transfer|purchase|accepted)"'
)


def _accept_form(html: str, kind: str) -> dict | None:
    for match in re.finditer(
        r'<form method="post" action="/warehouse/reorder/accept".*?</form>', html, re.S
    ):
        form = match.group(0)
        if f'data-accept="{kind}"' in form:
            return dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form))
    return None


def test_a_line_is_accepted_as_a_transfer_once_and_the_list_exports(as_role, db):
    boss = as_role("dispatcher")
    html = boss.get("/warehouse/reorder").get_data(as_text=True)
    kinds = {kind for _d, _p, kind in LINE.findall(html)}
    assert "transfer" in kinds, "the demo has a depot that can spare something"
    form = _accept_form(html, "transfer")
    transfers_before = db.scalar(select(func.count()).select_from(Transfer))
    db.rollback()
    first = boss.post("/warehouse/reorder/accept", data=form)
    page = boss.get(first.location).get_data(as_text=True)
    assert "已从" in page and "在途中" in page
    number = re.search(r"调拨 (TRF-\d{4}-\d+)", page).group(1)
    row = re.search(
        rf'<tr id="line-{form["depot"]}-{re.escape(form["part_number"])}".*?</tr>', page, re.S
    ).group(0)
    assert 'data-kind="accepted"' in row and number in row
    again = boss.post("/warehouse/reorder/accept", data=form)  # a second click
    assert "未重复创建" in boss.get(again.location).get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Transfer)) == transfers_before + 1
    transfer = db.scalar(select(Transfer).where(Transfer.number == number))
    assert transfer.status == "shipped" and sum(line.qty_shipped for line in transfer.lines) == int(
        form["qty"]
    )
    db.rollback()

    exported = boss.get("/warehouse/reorder/export.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["库房", "备件号"] and len(rows) > 1
    assert any(number in r for r in rows)
    book = load_workbook(io.BytesIO(boss.get("/warehouse/reorder/export.xlsx").data))
    sheet = book.active
    assert sheet.max_row == len(rows) and sheet["A1"].value == "库房"


def test_a_purchase_suggestion_is_raised_as_a_purchase_request(as_role, db):
    boss = as_role("dispatcher")
    html = boss.get("/warehouse/reorder").get_data(as_text=True)
    form = _accept_form(html, "purchase")
    assert form is not None
    done = boss.post("/warehouse/reorder/accept", data=form)
    assert "已生成采购申请 PR-" in boss.get(done.location).get_data(as_text=True)
    db.expire_all()
    request = db.scalar(select(PurchaseRequest))
    assert request.qty == int(form["qty"]) and request.requested_by == "li.disp"
    db.rollback()


def test_a_clerk_accepts_only_for_their_own_depots(as_role):
    clerk = as_role("warehouse")  # wang.wh: BJ01, TJ01
    html = clerk.get("/warehouse/reorder").get_data(as_text=True)
    for depot, _part, kind in LINE.findall(html):
        if kind != "accepted" and depot not in ("BJ01", "TJ01"):
            row = re.search(rf'<tr id="line-{depot}-.*?</tr>', html, re.S).group(0)
            assert "非您负责的库房" in row and "data-accept" not in row
            break
    refused = clerk.post(
        "/warehouse/reorder/accept",
        data={
            "depot": "SH01",
            "part_number": "SRV-2288-PSU",
            "kind": "purchase",
            "qty": "1",
            "csrf_token": csrf_of(html),
        },
    )
    assert "SH01" in clerk.get(refused.location).get_data(as_text=True)
