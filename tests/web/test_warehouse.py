"""The warehouse console as staff use it: scan, see, act in one click."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from inventory import receiving
from models import Location, Movement, Rma, SerialItem
from tests.web.conftest import csrf_of, delivered_rma, post_form, sign_in, upload_delivery


@dataclass(frozen=True)
class Unit:
    serial: str
    part_number: str
    status: str
    condition: str
    depot: str


def _unit(item: SerialItem | None) -> Unit | None:
    if item is None:
        return None
    return Unit(item.serial, item.part.part_number, item.status, item.condition, item.location.code)


def _item(db, serial: str) -> Unit | None:
    """The unit as the books say now (read in a short transaction: SQLite writers queue)."""
    db.expire_all()
    unit = _unit(db.scalar(select(SerialItem).where(SerialItem.serial == serial)))
    db.rollback()
    return unit


def _first(db, *, condition: str, depot: str = "BJ01") -> Unit:
    item = db.scalar(
        select(SerialItem)
        .join(Location, Location.id == SerialItem.location_id)
        .where(
            Location.code == depot,
            SerialItem.condition == condition,
            SerialItem.status == "in_stock",
        )
        .order_by(SerialItem.id)
    )
    unit = _unit(item)
    db.rollback()
    return unit


def _faulty(db, serial: str = "FAULTY-0001") -> Unit:
    """A faulty unit on the BJ01 shelf."""
    receiving.receive_from_supplier(
        db,
        depot_code="BJ01",
        part_number="SRV-2288-PSU",
        actor="test",
        serial=serial,
        condition="faulty",
    )
    return _item(db, serial)


def _act(client, action: str, serial_or_part: str, data: dict):
    page = client.get(f"/warehouse/?q={serial_or_part}").get_data(as_text=True)
    return client.post(f"/warehouse/act/{action}", data={**data, "csrf_token": csrf_of(page)})


@pytest.fixture
def staff(as_role):
    return as_role("warehouse")


def test_the_scan_box_has_focus_and_a_label(staff):
    page = staff.get("/warehouse/").get_data(as_text=True)
    assert '<label for="scan">' in page and 'id="scan" name="q" value="" autofocus' in page


def test_scanning_a_serial_shows_state_location_condition_and_history(staff, db):
    item = _first(db, condition="good")
    page = staff.get(f"/warehouse/?q={item.serial}").get_data(as_text=True)
    assert 'data-status="in_stock"' in page and 'data-condition="good"' in page
    assert 'data-location="BJ01"' in page and "DEMO-OPENING-STOCK" in page
    assert 'data-action="transfer"' in page and 'data-action="scrap"' in page
    assert 'data-action="send_repair"' not in page  # good stock does not go to repair


def test_a_faulty_unit_goes_to_repair_in_one_click_and_comes_back_good(staff, db):
    item = _faulty(db)
    page = staff.get(f"/warehouse/?q={item.serial}").get_data(as_text=True)
    assert page.index('data-action="send_repair"') < page.index(
        'data-action="transfer"'
    )  # primary first
    response = _act(
        staff, "send_repair", item.serial, {"serial": item.serial, "vendor": "华为苏州维修中心"}
    )
    assert response.status_code == 302 and item.serial in response.location
    assert _item(db, item.serial).status == "at_vendor"
    page = staff.get(response.location).get_data(as_text=True)
    assert "已送修" in page and 'data-action="restock"' in page
    response = _act(
        staff, "restock", item.serial, {"serial": item.serial, "batch": _batch_of(page)}
    )
    restocked = _item(db, item.serial)
    assert (restocked.status, restocked.condition) == ("in_stock", "good")


def _batch_of(page: str) -> str:
    return re.search(r'name="batch" value="([^"]+)"', page).group(1)


def test_scrapping_needs_a_reason(staff, db):
    item = _faulty(db)
    response = _act(staff, "scrap", item.serial, {"serial": item.serial, "reason": ""})
    assert response.status_code == 302
    assert "操作未完成" in staff.get(response.location).get_data(as_text=True)
    assert _item(db, item.serial).status == "in_stock"
    _act(staff, "scrap", item.serial, {"serial": item.serial, "reason": "burnt"})
    assert _item(db, item.serial).status == "scrapped"


def test_a_transfer_is_shipped_here_and_received_by_the_staff_of_the_other_depot(app, staff, db):
    item = _first(db, condition="good")
    _act(
        staff,
        "transfer",
        item.serial,
        {"serial": item.serial, "part_number": item.part_number, "to_depot": "SH01"},
    )
    assert _item(db, item.serial).status == "in_transit"
    # the sender (BJ01, TJ01) cannot switch to SH01 to receive it, and sees it outgoing
    post_form(staff, "/warehouse/depot", {"depot": "SH01"}, page="/warehouse/")
    page = staff.get(f"/warehouse/?q={item.serial}").get_data(as_text=True)
    assert 'data-action="receive_transfer"' not in page
    number = re.search(r'data-transfer="([^"]+)"', page).group(1)
    assert "调往 SH01" in page
    # a clerk of SH01 sees it coming in, with its age, and books what arrived
    receiver = app.test_client()
    assert sign_in(receiver, "zhao.wh", "warehouse").status_code == 302
    post_form(receiver, "/warehouse/depot", {"depot": "SH01"}, page="/warehouse/")
    page = receiver.get(f"/warehouse/?q={item.serial}").get_data(as_text=True)
    assert f'data-transfer="{number}"' in page and "自 BJ01 调入" in page and "0 小时" in page
    assert 'data-action="receive_transfer"' in page
    post_form(
        receiver,
        f"/warehouse/transfers/{number}/receive",
        {"serials": item.serial},
        page=f"/warehouse/transfers/{number}",
    )
    moved = _item(db, item.serial)
    assert moved.status == "in_stock" and moved.depot == "SH01"
    page = receiver.get(f"/warehouse/transfers/{number}").get_data(as_text=True)
    assert 'data-status="received"' in page


def test_an_action_without_the_csrf_token_is_refused(staff, db):
    item = _faulty(db)
    response = staff.post("/warehouse/act/scrap", data={"serial": item.serial, "reason": "x"})
    assert response.status_code == 400
    assert _item(db, item.serial).status == "in_stock"


def test_other_roles_cannot_act(as_role, client, db):
    item = _faulty(db)
    as_role("dispatcher")
    page = client.get("/warehouse/reorder").get_data(as_text=True)
    response = client.post(
        "/warehouse/act/scrap",
        data={"serial": item.serial, "reason": "x", "csrf_token": csrf_of(page)},
    )
    assert response.status_code == 403
    assert _item(db, item.serial).status == "in_stock"


def test_an_unknown_code_says_so(staff):
    page = staff.get("/warehouse/?q=NOPE-123").get_data(as_text=True)
    assert "没有找到序列号或备件号“NOPE-123”" in page


def test_scanning_a_part_number_shows_stock_by_depot_and_receives_a_serial(staff, db):
    page = staff.get("/warehouse/?q=srv-2288-psu").get_data(as_text=True)  # case-insensitive
    assert 'id="availability"' in page and "BJ01" in page and 'data-action="receive"' in page
    _act(
        staff,
        "receive",
        "SRV-2288-PSU",
        {"part_number": "SRV-2288-PSU", "new_serial": "WEB-NEW-0001", "condition": "good"},
    )
    item = _item(db, "WEB-NEW-0001")
    assert item.status == "in_stock" and item.depot == "BJ01"


def test_a_scanned_part_is_counted_through_a_count_document(staff, db):
    page = staff.get("/warehouse/?q=SRV-FAN-80").get_data(as_text=True)
    assert 'data-action="count"' in page and "/warehouse/counts/" in page
    started = staff.post(
        "/warehouse/counts/", data={"parts": "SRV-FAN-80", "csrf_token": csrf_of(page)}
    )
    assert started.status_code == 302 and "/warehouse/counts/CNT-" in started.location
    count = staff.get(started.location).get_data(as_text=True)
    assert 'data-status="counting"' in count and "SRV-FAN-80" in count
    assert staff.post("/warehouse/act/count", data={"csrf_token": csrf_of(page)}).status_code == 404


def test_a_returned_faulty_unit_is_received_with_one_scan_and_one_click(staff, db):
    rma = delivered_rma(db, "CUST-PSU-0042")
    page = staff.get("/warehouse/?q=CUST-PSU-0042").get_data(as_text=True)
    assert rma.number in page and 'data-action="receive_return"' in page
    response = _act(staff, "receive_return", "CUST-PSU-0042", {"rma": rma.number})
    assert "已作为故障件接收" in staff.get(response.location).get_data(as_text=True)
    item = _item(db, "CUST-PSU-0042")
    assert (item.status, item.condition, item.depot) == ("in_stock", "faulty", "BJ01")
    db.expire_all()
    assert db.scalar(select(Rma.status).where(Rma.id == rma.id)) == "faulty_received"
    db.rollback()


def test_the_return_labels_rma_barcode_finds_the_unit(staff, db):
    rma = delivered_rma(db, "CUST-PSU-0043")
    page = staff.get(f"/warehouse/?q={rma.number}").get_data(as_text=True)
    assert "CUST-PSU-0043" in page and 'data-action="receive_return"' in page


def test_delivery_import_books_good_rows_and_reports_bad_ones(staff, db):
    csv = (
        b"depot,part_number,serial,qty,condition\n"
        b"BJ01,SRV-2288-PSU,IMP-0001,1,good\n"
        b"BJ01,NO-SUCH-PART,IMP-0002,1,good\n"
        b"XX99,SRV-2288-PSU,IMP-0003,1,good\n"
        b"BJ01,SRV-FAN-80,,7,good\n"
    )
    response = upload_delivery(staff, csv, "delivery.csv", reference="DN-1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="import-accepted">2<' in html and 'id="import-rejected">2<' in html
    assert "找不到备件 NO-SUCH-PART" in html and "找不到备件库 XX99" in html  # the page is Chinese
    assert _item(db, "IMP-0001").depot == "BJ01"
    again = upload_delivery(staff, csv, "delivery.csv", reference="DN-1")
    assert again.status_code == 422 and "到货单 DN-1 已入库" in again.get_data(as_text=True)


def test_double_clicking_import_books_the_delivery_once(staff, db):
    csv = b"depot,part_number,serial,qty\nBJ01,SRV-2288-PSU,DBL-0001,1\nBJ01,SRV-FAN-80,,4\n"
    page = staff.get("/warehouse/import").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)

    def click():
        return staff.post(
            "/warehouse/import",
            data={
                "csrf_token": csrf_of(page),
                "idempotency_key": key,
                "file": (io.BytesIO(csv), "delivery.csv"),
            },
            content_type="multipart/form-data",
        )

    def receipts() -> int:
        db.expire_all()
        n = db.scalar(
            select(func.count()).select_from(Movement).where(Movement.reason == "receipt")
        )
        db.rollback()
        return n

    before = receipts()
    first, second = click(), click()  # the same form sent twice, no delivery reference
    assert first.status_code == second.status_code == 200
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert 'id="import-accepted">2<' in second.get_data(as_text=True)
    assert receipts() == before + 2
    assert key not in first.get_data(as_text=True)  # the next import gets a new key


def test_delivery_import_reads_excel(staff, db):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["depot", "part_number", "serial", "qty", "condition"])
    sheet.append(["TJ01", "SRV-2288-PSU", "XLSX-0001", 1, "faulty"])
    data = io.BytesIO()
    book.save(data)
    response = upload_delivery(staff, data.getvalue(), "d.xlsx")
    assert response.status_code == 200
    assert _item(db, "XLSX-0001").condition == "faulty"


def test_strict_import_books_nothing_when_a_row_is_bad(staff, db):
    csv = b"depot,part_number,serial\nBJ01,SRV-2288-PSU,STRICT-1\nBJ01,SRV-2288-PSU,\n"
    response = upload_delivery(staff, csv, strict="1")
    assert response.status_code == 422 and "没有入库任何行" in response.get_data(as_text=True)
    assert _item(db, "STRICT-1") is None


def test_below_reorder_lists_parts_per_depot_and_filters(staff):
    page = staff.get("/warehouse/reorder").get_data(as_text=True)
    assert 'id="depot-BJ01"' in page or "没有低于补货点的备件" in page
    page = staff.get("/warehouse/reorder?depot=SH01").get_data(as_text=True)
    assert 'id="depot-BJ01"' not in page


def test_scanning_an_allocated_rma_shows_the_reserved_spare_to_ship(staff, db):
    from inventory import rmas

    view = rmas.open_rma(
        db,
        rmas.RmaRequest(
            kind="advance_replacement",
            site_code="C001-S1",
            faulty_part_number="SRV-2288-PSU",
            fault_symptom="dead",
            faulty_serial="SHIP-FAULTY-1",
        ),
        actor="t",
    )
    rmas.move_rma(db, view.number, "approve", actor="t")
    view = rmas.move_rma(db, view.number, "allocate", actor="t", given=rmas.MoveInput(depot="BJ01"))
    db.rollback()
    page = staff.get(f"/warehouse/?q={view.number}").get_data(as_text=True)
    assert view.replacement_serial in page and 'data-action="ship_rma"' in page
    _act(
        staff,
        "ship_rma",
        view.replacement_serial,
        {"serial": view.replacement_serial, "rma": view.number, "carrier": "SF", "waybill": "SF9"},
    )
    assert _item(db, view.replacement_serial).status == "in_transit"
