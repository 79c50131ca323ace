"""The PDF documents through the API, read back as a person would: a ticket walked to
closed with its advance replacement shipped, installed and returned; each document names
the right numbers and serials in Chinese or English, and nobody gets another customer's."""

from __future__ import annotations

from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.documents.builders import (
    customer_timezone,
    fault_report_for,
    month_bounds,
    monthly_report_for,
)
from models import Customer, Ticket, limits, utcnow
from tests.builders import bearer, make_user
from tests.service_builders import make_customer, make_world, repair_request


def this_month() -> tuple[int, int]:
    """(year, month) now in Asia/Shanghai, the zone of the test customers' sites."""
    today = utcnow().astimezone(ZoneInfo("Asia/Shanghai"))
    return today.year, today.month


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def post(client, url, headers, body=None):
    r = client.post(url, json=body or {}, headers=headers)
    assert r.status_code in (200, 201), (url, r.json)
    return r.json


@pytest.fixture
def world(db):
    """A customer (C001) with a user, staff users, an engineer signed up as a user, and a
    second customer (C002) with a user of its own."""
    w = make_world(db)
    headers = {
        role: bearer(make_user(db, role)[1]) for role in ("dispatcher", "warehouse", "admin")
    }
    engineer_user, token = make_user(db, "engineer", engineer=w.engineer)
    engineer_user.display_name = "Wei Wang"
    headers["engineer"] = bearer(token)
    headers["other_engineer"] = bearer(make_user(db, "engineer", "engineer2")[1])
    for code, role in (("C001", "customer"), ("C002", "other_customer")):
        if code != w.customer:
            make_customer(db, code=code)
        headers[role] = bearer(make_user(db, "customer", role, customer=code)[1])
    db.commit()
    return w, headers


def open_ticket(client, w, h, symptom: str = "PSU dead") -> str:
    return post(
        client,
        "/api/tickets",
        h["customer"],
        {
            "site": w.site,
            "severity": "P1",
            "symptom": symptom,
            "equipment_serial": w.equipment_serial,
        },
    )["number"]


def dispatch(client, w, h, ticket: str) -> dict:
    options = client.get(f"/api/tickets/{ticket}/dispatch-options", headers=h["dispatcher"]).json[
        "options"
    ]
    best = options[0]
    return post(
        client,
        f"/api/tickets/{ticket}/dispatch",
        h["dispatcher"],
        {"engineer": best["engineer_code"], "depot": best["depot_code"], "mode": best["mode"]},
    )


@pytest.fixture
def closed(client, db, world):
    """The whole advance replacement: reported, dispatched, shipped, installed, faulty unit
    returned and received, ticket resolved and confirmed with a survey."""
    w, h = world
    ticket = open_ticket(client, w, h)
    confirmation = dispatch(client, w, h, ticket)
    rma, spare = confirmation["rma_number"], confirmation["reserved_serial"]
    post(
        client,
        f"/api/rmas/{rma}/ship",
        h["warehouse"],
        {"carrier": "SF", "waybill": "SF123", "note": "INTERNAL-NOTE-XYZ"},
    )
    post(client, f"/api/rmas/{rma}/deliver", h["engineer"])
    post(client, f"/api/tickets/{ticket}/arrive", h["engineer"], {"note": "INTERNAL-NOTE-ARRIVE"})
    post(client, f"/api/tickets/{ticket}/resolve", h["engineer"], {"resolution": "PSU swapped"})
    post(client, f"/api/rmas/{rma}/return_faulty", h["customer"], {"waybill": "SF999"})
    post(
        client,
        f"/api/rmas/{rma}/receive_faulty",
        h["warehouse"],
        {"depot": w.depot, "analysis": "burnt capacitor"},
    )
    post(client, f"/api/rmas/{rma}/close", h["customer"])
    post(
        client,
        f"/api/tickets/{ticket}/close",
        h["customer"],
        {
            "confirmed": True,
            "ratings": {"response_time": 5, "quality": 4, "attitude": 5, "overall": 5},
        },
    )
    return w, h, ticket, rma, spare


def pdf_text(client, url, headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (
        url,
        response.status_code,
        response.get_data(as_text=True)[:300],
    )
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return text_of(response.data)


REPAIR_FORM = {
    "zh": ["设备维修申请表", "服务编号", "客户单位", "故障现象", "分析及处理", "替换备件"],
    "en": [
        "Equipment Repair Request Form",
        "Service number",
        "Customer unit",
        "Fault symptom",
        "Analysis and action",
        "Replacement parts",
    ],
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_repair_form_names_the_rma_both_serials_and_its_fields(client, closed, lang):
    w, h, _ticket, rma, spare = closed
    text = pdf_text(client, f"/api/rmas/{rma}/repair-form.pdf?lang={lang}", h["customer"])
    assert (
        rma in text and w.equipment_serial in text and spare in text and "burnt capacitor" in text
    )
    for label in REPAIR_FORM[lang]:
        assert label in text
    assert ("设备维修申请表" in text) == (lang == "zh")


def test_documents_are_chinese_unless_english_is_asked_for(client, closed):
    _w, h, _ticket, rma, _spare = closed
    response = client.get(f"/api/rmas/{rma}/repair-form.pdf", headers=h["dispatcher"])
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="repair-form-{rma}.pdf"'
    )
    assert "设备维修申请表" in text_of(response.data)
    assert (
        client.get(f"/api/rmas/{rma}/repair-form.pdf?lang=fr", headers=h["dispatcher"]).status_code
        == 422
    )


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("zh", ["装箱单（备件先行）", "发出备件序列号", "应返回故障件序列号", "退货标签"]),
        ("en", ["Packing Slip", "Replacement serial", "Faulty serial", "Return Label"]),
    ],
)
def test_the_packing_slip_names_the_rma_the_spare_and_the_unit_to_send_back(
    client, db, world, lang, labels
):
    w, h = world
    ticket = open_ticket(client, w, h)
    confirmation = dispatch(client, w, h, ticket)
    rma, spare = confirmation["rma_number"], confirmation["reserved_serial"]
    # the warehouse prints it before shipping, with the label for the way back
    text = pdf_text(client, f"/api/rmas/{rma}/packing-slip.pdf?lang={lang}", h["warehouse"])
    assert rma in text and spare in text and w.equipment_serial in text and ticket in text
    for label in labels:
        assert label in text
    label_text = pdf_text(client, f"/api/rmas/{rma}/return-label.pdf?lang={lang}", h["warehouse"])
    assert rma in label_text and w.equipment_serial in label_text


def test_a_return_for_repair_has_no_packing_slip(client, world):
    w, h = world
    rma = post(client, "/api/rmas", h["customer"], repair_request(w))["number"]
    response = client.get(f"/api/rmas/{rma}/packing-slip.pdf", headers=h["warehouse"])
    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    assert client.get(f"/api/rmas/{rma}/return-label.pdf", headers=h["customer"]).status_code == 409


FAULT_REPORT = {
    "zh": [
        "故障处理报告",
        "处理过程",
        "服务时限",
        "首次响应",
        "恢复服务",
        "使用备件",
        "装上序列号",
        "拆下序列号",
    ],
    "en": [
        "Fault Handling Report",
        "Timeline",
        "Service clocks",
        "First response",
        "Service restored",
        "Parts used",
        "Installed serial",
        "Removed serial",
    ],
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_fault_report_tells_the_closed_tickets_story(client, closed, lang):
    w, h, ticket, rma, spare = closed
    text = pdf_text(client, f"/api/tickets/{ticket}/fault-report.pdf?lang={lang}", h["dispatcher"])
    assert ticket in text and rma in text and w.equipment_serial in text and spare in text
    for label in FAULT_REPORT[lang]:
        assert label in text
    assert ("达成" if lang == "zh" else "Met") in text
    assert "PSU swapped" in text and "burnt capacitor" in text and "SF123" in text
    assert "Wei Wang" in text  # staff read the full names
    assert "INTERNAL-NOTE" not in text


def test_the_customers_fault_report_names_the_engineer_as_customers_do_without_internals(
    client, closed
):
    _w, h, ticket, _rma, spare = closed
    staff = pdf_text(client, f"/api/tickets/{ticket}/fault-report.pdf?lang=en", h["dispatcher"])
    mine = pdf_text(client, f"/api/tickets/{ticket}/fault-report.pdf?lang=en", h["customer"])
    mine_zh = pdf_text(client, f"/api/tickets/{ticket}/fault-report.pdf", h["customer"])
    assert ticket in mine and spare in mine
    assert "Engineer Wang" in " ".join(mine.split()) and "Wei Wang" not in mine
    assert "Wang工" in mine_zh and "Wei" not in mine_zh
    assert "Engineer assigned" in staff and "Engineer assigned" not in mine  # a staff-only event
    assert "INTERNAL-NOTE" not in mine


def test_the_fault_report_data_has_each_clock_and_the_swapped_parts(client, db, closed):
    w, _h, ticket, rma, spare = closed
    db.rollback()
    data = fault_report_for(
        db, db.scalar(select(Ticket).where(Ticket.number == ticket)), for_customer=True
    )
    db.rollback()
    clocks = {c.clock: c.met for c in data.clocks}
    assert clocks == {
        "response": True,
        "onsite": True,
        "restore": True,
        "replacement": True,
        "spare_request": True,
        "faulty_return": True,
    }
    assert [(p.installed_serial, p.removed_serial) for p in data.parts_used] == [
        (spare, w.equipment_serial)
    ]
    assert (
        data.rma_number == rma
        and data.actions == ("PSU swapped",)
        and data.root_cause == "burnt capacitor"
    )
    assert [e.event for e in data.events][0] == "created" and "closed" in [
        e.event for e in data.events
    ]
    assert all(e.note is None or "INTERNAL" not in e.note for e in data.events)


def test_an_open_ticket_has_no_fault_report_yet(client, world):
    w, h = world
    ticket = open_ticket(client, w, h)
    response = client.get(f"/api/tickets/{ticket}/fault-report.pdf", headers=h["dispatcher"])
    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    assert response.json["current_status"] == "new"


MONTHLY = {
    "zh": ["月度服务报告", "按故障等级的工单数", "各时限达成率", "平均恢复时间", "客户满意度"],
    "en": [
        "Monthly Service Report",
        "Tickets by severity",
        "SLA attainment per clock",
        "Mean time to restore",
        "Customer satisfaction",
    ],
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_monthly_report_covers_the_customers_month(client, db, closed, lang):
    w, h, *_ = closed
    year, month = this_month()
    url = f"/api/customers/{w.customer}/monthly-report.pdf?year={year}&month={month}&lang={lang}"
    text = pdf_text(client, url, h["customer"])
    for label in MONTHLY[lang]:
        assert label in text
    assert "C001 Power Grid" in text
    assert (f"{year}年{month}月" in text) == (lang == "zh")


def test_the_monthly_figures_count_the_months_tickets_clocks_and_answers(client, db, closed):
    w, *_ = closed
    db.rollback()
    customer = db.scalar(select(Customer).where(Customer.code == w.customer))
    tz = customer_timezone(db, customer)
    now = utcnow()
    local = now.astimezone(ZoneInfo(tz))
    data = monthly_report_for(db, customer, local.year, local.month, tz, now=now)
    db.rollback()
    start, end = month_bounds(local.year, local.month, tz)
    assert start <= now < end and tz == "Asia/Shanghai"
    assert (
        data.tickets_by_severity == {"P1": 1, "P2": 0, "P3": 0, "P4": 0}
        and data.tickets_closed == 1
    )
    assert {c.clock: (c.met, c.total) for c in data.sla_attainment}["restore"] == (1, 1)
    assert data.mean_time_to_restore_minutes is not None and set(
        data.restore_minutes_by_severity
    ) == {"P1"}
    assert data.overdue_returns == ()
    assert (
        data.satisfaction.responses,
        data.satisfaction.quality_of_work,
        data.satisfaction.overall,
    ) == (1, 4.0, 5.0)


@pytest.mark.parametrize(
    "query",
    [
        "year=2026&month=13",
        "year=2026&month=0",
        "year=abc&month=1",
        "month=3",
        "year=2026",
        "year=1969&month=1",
        "year=2199&month=12",
    ],
)
def test_a_bad_or_future_month_is_refused(client, world, query):
    w, h = world
    response = client.get(
        f"/api/customers/{w.customer}/monthly-report.pdf?{query}", headers=h["dispatcher"]
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_a_customer_gets_404_for_another_customers_papers_same_as_unknown(client, closed):
    w, h, ticket, rma, _spare = closed
    other = h["other_customer"]
    year, month = this_month()
    for url in (
        f"/api/rmas/{rma}/repair-form.pdf",
        f"/api/rmas/{rma}/packing-slip.pdf",
        f"/api/rmas/{rma}/return-label.pdf",
        f"/api/tickets/{ticket}/fault-report.pdf",
        f"/api/customers/{w.customer}/monthly-report.pdf?year={year}&month={month}",
    ):
        response = client.get(url, headers=other)
        assert response.status_code == 404, url
        assert response.mimetype == "application/problem+json"
    unknown = client.get("/api/rmas/RMA-2099-999999/repair-form.pdf", headers=other)
    assert unknown.status_code == 404
    assert (
        client.get(
            f"/api/customers/C002/monthly-report.pdf?year={year}&month={month}", headers=other
        ).status_code
        == 200
    )


def test_an_engineer_gets_the_papers_of_their_own_jobs_only(client, closed):
    _w, h, ticket, rma, _spare = closed
    for url in (f"/api/tickets/{ticket}/fault-report.pdf", f"/api/rmas/{rma}/repair-form.pdf"):
        assert client.get(url, headers=h["engineer"]).status_code == 200, url
        assert client.get(url, headers=h["other_engineer"]).status_code == 404, url
    assert (
        client.get(
            "/api/customers/C001/monthly-report.pdf?year=2025&month=1", headers=h["engineer"]
        ).status_code
        == 403
    )


def test_documents_need_a_token(client, closed):
    _w, _h, ticket, _rma, _spare = closed
    assert client.get(f"/api/tickets/{ticket}/fault-report.pdf").status_code == 401


def test_the_openapi_document_describes_the_pdf_responses(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path in (
        "/api/rmas/{number}/repair-form.pdf",
        "/api/rmas/{number}/packing-slip.pdf",
        "/api/rmas/{number}/return-label.pdf",
        "/api/tickets/{number}/fault-report.pdf",
        "/api/customers/{code}/monthly-report.pdf",
    ):
        ok = paths[path]["get"]["responses"]["200"]
        assert "application/pdf" in ok["content"], path


def test_a_symptom_and_a_resolution_of_the_longest_accepted_length_print_for_everyone(
    client, world
):
    """4,000 Chinese characters used to fail the repair form and the fault report with 500."""
    w, h = world
    symptom = ("电源模块无输出，风扇告警灯常亮；" * 300)[: limits.SYMPTOM]
    resolution = ("更换电源模块后整机自检通过。" * 300)[: limits.LONG_TEXT]
    ticket = open_ticket(client, w, h, symptom)
    rma = dispatch(client, w, h, ticket)["rma_number"]
    post(client, f"/api/tickets/{ticket}/arrive", h["engineer"])
    post(client, f"/api/tickets/{ticket}/resolve", h["engineer"], {"resolution": resolution})

    for reader in ("customer", "dispatcher"):
        form = pdf_text(client, f"/api/rmas/{rma}/repair-form.pdf", h[reader])
        report = pdf_text(client, f"/api/tickets/{ticket}/fault-report.pdf", h[reader])
        assert symptom[-40:] in "".join(form.split())
        assert symptom[-40:] in "".join(report.split())
        assert resolution[-40:] in "".join(report.split())
