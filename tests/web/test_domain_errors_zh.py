"""A refusal of the rules reaches a Chinese user in Chinese (issue 13): the flash of a form,
the error of the delivery import, and the problem+json ``detail`` of a page's own call to
the API, for the warehouse, the counts, the claims to vendors, the transfers, the customer's
problems and repair requests, the inspections and the engineer's visit."""

from __future__ import annotations

import re

from sqlalchemy import select

from inventory.dispatch_service import confirm_dispatch
from inventory.receiving import receive_from_supplier
from models import Contract, Depot, Engineer, SerialItem, User
from tests.web.conftest import csrf_of, open_ticket, post_form, upload_delivery

FLASH = re.compile(r'class="flash (success|error)"[^>]*>\s*([^<]*)')


def _flashes(html: str) -> list[str]:
    return [text.strip() for _kind, text in FLASH.findall(html)]


def _on_shelf(db, depot: str = "BJ01") -> tuple[str, str]:
    """A good unit on a shelf of ``depot``: (serial, part number)."""
    location = db.scalar(select(Depot).where(Depot.code == depot)).location_id
    item = db.scalar(
        select(SerialItem)
        .where(
            SerialItem.location_id == location,
            SerialItem.status == "in_stock",
            SerialItem.condition == "good",
        )
        .order_by(SerialItem.id)
    )
    found = item.serial, item.part.part_number
    db.rollback()
    return found


def _act(client, action: str, data: dict):
    page = client.get("/warehouse/").get_data(as_text=True)
    answer = client.post(f"/warehouse/act/{action}", data={**data, "csrf_token": csrf_of(page)})
    return client.get(answer.location).get_data(as_text=True)


def test_the_warehouse_console_refuses_in_chinese(as_role, db):
    staff = as_role("warehouse")  # wang.wh at BJ01
    serial, part_number = _on_shelf(db)
    page = _act(staff, "scrap", {"serial": serial, "reason": " "})
    assert "操作未完成：报废须填写原因" in _flashes(page)
    page = _act(staff, "transfer", {"serial": serial, "part_number": part_number,
                                    "to_depot": "BJ01"})  # fmt: skip
    assert "操作未完成：调出和调入须为两个不同的备件库" in _flashes(page)


def test_a_delivery_file_the_reader_cannot_take_is_refused_in_chinese(as_role):
    staff = as_role("warehouse")
    for name, body, words in [
        ("delivery.pdf", b"%PDF-1.4", "到货文件须为 .csv 或 .xlsx 格式"),
        ("delivery.csv", b"depot,serial\nBJ01,X-1\n", "缺少列：part_number"),
    ]:
        answer = upload_delivery(staff, body, name)
        assert answer.status_code == 422
        assert words in answer.get_data(as_text=True)


def test_a_count_names_what_is_missing_and_its_state_in_chinese(as_role):
    staff = as_role("warehouse")
    started = post_form(staff, "/warehouse/counts/", {"parts": "SRV-FAN-80"})
    url = started.location
    number = url.rsplit("/", 1)[-1]
    submitted = post_form(staff, f"{url}/submit", {}, page=url)
    assert "操作失败：SRV-FAN-80（良品）尚未清点；货架为空请填 0" in _flashes(
        staff.get(submitted.location).get_data(as_text=True)
    )
    refused = post_form(staff, f"{url}/cancel", {"reason": ""}, page=url)
    assert "操作失败：取消盘点单须填写原因" in _flashes(
        staff.get(refused.location).get_data(as_text=True)
    )
    post_form(staff, f"{url}/cancel", {"reason": "盘点范围有误"}, page=url)
    again = post_form(staff, f"{url}/cancel", {"reason": "盘点范围有误"}, page=url)
    assert f"操作失败：盘点单 {number} 当前状态为「已取消」，不能执行此操作" in _flashes(
        staff.get(again.location).get_data(as_text=True)
    )
    post_form(staff, "/prefs", {"lang": "en"}, page=url)  # the same refusal in English
    again = post_form(staff, f"{url}/cancel", {"reason": "wrong scope"}, page=url)
    assert any(
        f"count {number} is Cancelled; this step is not possible now" in text
        for text in _flashes(staff.get(again.location).get_data(as_text=True))
    )


def test_a_claim_to_a_vendor_refuses_in_chinese_naming_its_state(as_role, db):
    receive_from_supplier(db, depot_code="BJ01", part_number="SRV-2288-PSU", actor="wh",
                          serial="RTV-ZH-0001", condition="faulty")  # fmt: skip
    db.rollback()
    staff = as_role("warehouse")
    claim = {"serial": "RTV-ZH-0001", "vendor_rma": "HW-RMA-9", "failure": "无输出"}
    refused = post_form(staff, "/rtv/", {**claim, "vendor": " "}, follow_redirects=True)
    assert "操作未完成：请填写厂商" in _flashes(refused.get_data(as_text=True))
    made = post_form(staff, "/rtv/", {**claim, "vendor": "Huawei"}, follow_redirects=True)
    number = re.search(r"(RTV-[0-9-]+)", " ".join(_flashes(made.get_data(as_text=True)))).group(1)
    url = f"/rtv/{number}"
    post_form(staff, f"{url}/ship", {"waybill": "SF1"}, page=url)
    again = post_form(staff, f"{url}/ship", {"waybill": "SF1"}, page=url, follow_redirects=True)
    assert f"操作未完成：索赔单 {number} 当前状态为「已发出」，不能执行此操作" in _flashes(
        again.get_data(as_text=True)
    )


def test_the_customer_reads_why_a_request_is_refused_in_chinese(as_role):
    customer = as_role("customer")
    filed = post_form(customer, "/my/complaints", {"kind": "complaint", "urgency": "urgent",
                      "subject": "到场迟到", "description": "约定九点，十一点到场。"})  # fmt: skip
    number = filed.headers["Location"].rsplit("/", 1)[1]
    url = f"/my/complaints/{number}"
    empty = post_form(customer, f"{url}/opinion", {"opinion": ""}, page=url, follow_redirects=True)
    assert "未能保存（客户意见）：请填写意见或评分" in _flashes(empty.get_data(as_text=True))
    repair = post_form(
        customer, "/my/repair", {"serial": "NO-SUCH-UNIT", "fault_symptom": "不开机"}
    )
    assert repair.status_code == 422
    assert "没有序列号为 NO-SUCH-UNIT 的在装设备" in repair.get_data(as_text=True)


def test_an_inspection_year_out_of_range_is_refused_in_chinese(as_role, db):
    contract = db.scalar(select(Contract.code).order_by(Contract.code))
    db.rollback()
    admin = as_role("admin")
    url = f"/inspections/programme/{contract}"
    done = post_form(admin, f"{url}/generate", {"year": "1990"}, page=url, follow_redirects=True)
    assert "生成失败：年份超出范围" in _flashes(done.get_data(as_text=True))


def test_the_engineers_page_hears_its_own_refused_call_in_chinese(app, as_role, db):
    with app.app_context():
        number = open_ticket(db, severity="P3")
    zhang = db.scalar(
        select(Engineer).join(User, User.id == Engineer.user_id).where(User.username == "zhang.eng")
    )
    zhang.skills, zhang.max_open_jobs = ["server", "storage", "network", "power"], 50
    db.commit()
    confirm_dispatch(
        db, number, engineer_code=zhang.code, depot_code="BJ01", mode="courier", actor="li.disp"
    )
    db.rollback()
    engineer = as_role("engineer")
    page = engineer.get(f"/engineer/{number}").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    answer = engineer.post(
        f"/api/tickets/{number}/visit/work",
        json={"actions": "更换电源模块"},
        headers={"X-CSRFToken": token, "Idempotency-Key": "zh-work-1"},
    )
    assert answer.status_code == 409
    assert answer.get_json()["detail"] == f"工单 {number} 当前状态为「已派单」，请先记录到场"
    answer = engineer.post(
        f"/api/tickets/{number}/visit/parts",
        json={},
        headers={"X-CSRFToken": token, "Idempotency-Key": "zh-parts-1"},
    )
    assert answer.get_json()["detail"] == "请扫描装上或拆下的序列号"
