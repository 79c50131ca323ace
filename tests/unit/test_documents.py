"""The PDF documents, read back as a person would: their text and their rendered pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import numpy as np
import pypdfium2
import pytest
from PIL import Image
from pypdf import PdfReader

from app.documents import (
    render_delivery_note,
    render_fault_report,
    render_monthly_report,
    render_packing_slip,
    render_pick_list,
    render_plan_report,
    render_repair_form,
    render_return_label,
    render_service_sheet,
)
from app.documents.data import (
    Address,
    ClockOutcome,
    FaultReportData,
    FaultyItem,
    MonthlyReportData,
    OverdueReturn,
    PackingSlipData,
    PartUsed,
    PlanClassRow,
    PlanMove,
    PlanReportData,
    RepairFormData,
    ReplacementItem,
    SatisfactionScores,
    ServiceSheetData,
    TimelineEvent,
    TransferPaperData,
    TransferPaperLine,
)
from app.documents.inspection_report import render_inspection_report
from inventory.indicators import ComplianceRow

RMA = "RMA-2026-000123"
TICKET = "TKT-2026-000456"
FAULTY_SERIAL = "SN-FAULT-0001"
GOOD_SERIAL = "SN-GOOD-0042"
TRACKING_URL = "https://service.example.com/track/7Qm3xK9vLpZ2"


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    """A UTC moment in March 2026 (Shanghai is UTC+8)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


# --- builders ----------------------------------------------------------------

DEPOT = Address(
    "上海备件中心库", "上海市浦东新区张江路 88 号 2 号仓", "201203", "赵敏", "021-5080 1000"
)
SITE = Address(
    "工商银行北京分行数据中心", "北京市海淀区中关村大街 27 号", "100080", "王丽", "010-6688 1234"
)


def a_repair_form(**changes: Any) -> RepairFormData:
    form = RepairFormData(
        service_number=RMA,
        customer_unit="中国工商银行北京分行",
        contact="王丽",
        phone="010-6688 1234",
        fax="010-6688 1235",
        recipient="李强",
        address="北京市海淀区中关村大街 27 号 3 层机房",
        postcode="100080",
        faulty_items=(
            FaultyItem(
                model="DS-7616NI-K2",
                serial=FAULTY_SERIAL,
                quantity=1,
                received_at=utc(2, 1, 30),
                returned_to_bonded_warehouse_at=utc(5, 2, 0),
                fault_symptom="电源模块无输出",
                analysis_and_action="更换电源模块，整机测试通过",
            ),
        ),
        replacement_items=(
            ReplacementItem("PSU-550W", GOOD_SERIAL, 1, utc(2, 6, 0), utc(2, 8, 15)),
        ),
        issued_at=utc(1, 23, 50),
    )
    return replace(form, **changes)


def a_packing_slip(**changes: Any) -> PackingSlipData:
    slip = PackingSlipData(
        rma_number=RMA,
        part_number="PSU-550W",
        part_description="550 W 冗余电源模块",
        replacement_serial=GOOD_SERIAL,
        faulty_serial=FAULTY_SERIAL,
        ship_from=DEPOT,
        ship_to=SITE,
        tracking_url=TRACKING_URL,
        return_deadline=utc(3, 6, 0),
        ticket_number=TICKET,
        shipped_at=utc(2, 1, 0),
        carrier="顺丰速运",
        waybill_number="SF1234567890",
    )
    return replace(slip, **changes)


def a_transfer_paper(**changes: Any) -> TransferPaperData:
    paper = TransferPaperData(
        number="TRF-2026-000012",
        status="在途",
        ship_from=DEPOT,
        ship_to=Address(name="上海一号库", street="上海市浦东新区张江路 88 号"),
        from_code="BJ01",
        to_code="SH01",
        shipped_at=utc(2, 1, 0),
        shipped_by="wang.wh",
        received_at=None,
        received_by=None,
        note="加急",
        lines=(
            TransferPaperLine("PSU-550W", "550 W 冗余电源模块", GOOD_SERIAL, "良品", 1, None),
            TransferPaperLine("FAN-40", "40 mm 风扇", None, "良品", 6, None),
        ),
    )
    return replace(paper, **changes)


def a_fault_report(**changes: Any) -> FaultReportData:
    report = FaultReportData(
        ticket_number=TICKET,
        rma_number=RMA,
        customer="中国工商银行北京分行",
        site="海淀数据中心 3 层机房",
        equipment_model="DS-7616NI-K2",
        equipment_serial=FAULTY_SERIAL,
        severity="P2",
        channel="hotline",
        opened_at=utc(2, 0, 12),
        closed_at=utc(2, 9, 40),
        symptom="录像服务器无法开机",
        events=(
            TimelineEvent(utc(2, 0, 12), "created", "Li"),
            TimelineEvent(utc(2, 1, 45), "on_site", "Wei"),
            TimelineEvent(utc(2, 3, 5), "restored", "Wei", "整机自检通过"),
        ),
        clocks=(
            ClockOutcome("response", due_at=utc(2, 0, 22), completed_at=utc(2, 0, 18)),
            ClockOutcome("faulty_return", due_at=utc(3, 6, 0), completed_at=utc(3, 8, 30)),
        ),
        actions=("更换电源模块 PSU-550W",),
        parts_used=(PartUsed("PSU-550W", "550 W 电源模块", 1, GOOD_SERIAL, FAULTY_SERIAL),),
        confirmed_by="王丽",
    )
    return replace(report, **changes)


def a_signature_png() -> bytes:
    """A signature drawn on the phone: ink on a transparent canvas."""
    from PIL import ImageDraw

    image = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(40, 180), (240, 60), (560, 160)], fill=(0, 0, 0, 255), width=6)
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def a_service_sheet(**changes: Any) -> ServiceSheetData:
    sheet = ServiceSheetData(
        sheet_number="TSS-2026-000123",
        ticket_number=TICKET,
        customer="中国工商银行北京分行",
        site="海淀数据中心 3 层机房",
        contact="王丽 13800001111",
        engineer="罗工",
        equipment_model="DS-7616NI-K2",
        equipment_serial=FAULTY_SERIAL,
        severity="P2",
        symptom="录像服务器无法开机",
        reported_at=utc(2, 0, 12),
        arrived_at=utc(2, 1, 45),
        arrived_device_at=utc(2, 1, 44),
        signed_at=utc(2, 3, 5),
        diagnosis="电源模块损坏",
        actions="更换电源模块，整机自检通过",
        open_issues="观察 72 小时",
        parts=(PartUsed("PSU-550W", "550 W 电源模块", 1, GOOD_SERIAL, FAULTY_SERIAL),),
        photo_count=2,
        observation_until=utc(5, 3, 5),
        signer_name="王丽",
        signature_png=a_signature_png(),
    )
    return replace(sheet, **changes)


def a_monthly_report(**changes: Any) -> MonthlyReportData:
    report = MonthlyReportData(
        customer="中国工商银行北京分行",
        year=2026,
        month=3,
        tickets_by_severity={"P1": 2, "P2": 5, "P3": 11, "P4": 7},
        tickets_closed=23,
        sla_attainment=(
            ComplianceRow("response", region=None, met=24, missed=1),
            ComplianceRow("restore", region=None, met=20, missed=3),
        ),
        mean_time_to_restore_minutes=212.5,
        restore_minutes_by_severity={"P1": 48, "P2": 150},
        overdue_returns=(
            OverdueReturn(RMA, "PSU-550W", FAULTY_SERIAL, utc(3, 6, 0), returned_at=utc(3, 8, 30)),
            OverdueReturn("RMA-2026-000140", "HDD-4T", "SN-FAULT-0077", utc(20, 6, 0)),
        ),
        satisfaction=SatisfactionScores(4.6, 4.3, 4.8, 4.5, responses=18),
        generated_at=datetime(2026, 4, 1, 1, 0, tzinfo=UTC),
    )
    return replace(report, **changes)


def a_plan_report(**changes: Any) -> PlanReportData:
    report = PlanReportData(
        run_id="3f2a9c1d",
        label="基线 base",
        generated_at=datetime(2026, 12, 7, 2, 0, tzinfo=UTC),
        stock_value_current=80_431_305.0,
        stock_value_recommended=1_992_900.0,
        fill_before=0.751,
        fill_after=0.935,
        curve=tuple((v * 10_000.0, min(1.0, v / 200)) for v in range(0, 200, 5)),
        current=(1_500_000.0, 0.751),
        classes=(
            PlanClassRow("7x24", 0.727, 0.999, 1.0, 0.9997),
            PlanClassRow("5x8", 0.791, 0.874, 1.0, 0.952),
        ),
        sites=((39.9, 116.4, 0.99), (31.2, 121.5, 0.85), (43.8, 87.6, 0.2)),
        moves=(
            PlanMove("transfer", "SRV-2288-PSU", "CD01", "KM01", 3),
            PlanMove("purchase", "NET-CE-FAN", "", "BJ01", 2),
            PlanMove("return", "NET-AP-WIFI6", "GZ01", "", 13),
        ),
        moves_total=531,
    )
    return replace(report, **changes)


# --- reading a PDF back ---------------------------------------------------------


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def page_images(pdf: bytes, scale: float = 1.0) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=scale).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def ink_share(image: Image.Image) -> float:
    """Share of pixels that are clearly not paper-white."""
    grey = image.convert("L")
    dark = sum(grey.histogram()[:200])
    return dark / (grey.width * grey.height)


def pixels_near(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 30) -> int:
    distance = np.abs(np.asarray(image, dtype=np.int16) - np.array(colour, dtype=np.int16))
    return int(np.count_nonzero((distance <= tolerance).all(axis=-1)))


DOCUMENTS: dict[str, Callable[[str], bytes]] = {
    "repair form": lambda lang: render_repair_form(a_repair_form(), lang),
    "packing slip": lambda lang: render_packing_slip(a_packing_slip(), lang),
    "return label": lambda lang: render_return_label(a_packing_slip(), lang),
    "fault report": lambda lang: render_fault_report(a_fault_report(), lang),
    "service sheet": lambda lang: render_service_sheet(a_service_sheet(), lang),
    "monthly report": lambda lang: render_monthly_report(a_monthly_report(), lang),
    "plan report": lambda lang: render_plan_report(a_plan_report(), lang),
    "pick list": lambda lang: render_pick_list(a_transfer_paper(), lang),
    "delivery note": lambda lang: render_delivery_note(a_transfer_paper(), lang),
    "inspection report": lambda lang: render_inspection_report(an_inspection_report(), lang),
    "quarterly service file": lambda lang: render_service_file_summary(a_service_file(), lang),
    "annual service summary": lambda lang: render_service_file_summary(
        a_service_file(annual=True), lang
    ),
}


def render_service_file_summary(data, lang: str) -> bytes:
    from app.documents.service_file import render_service_file

    return render_service_file(data, lang)


def a_service_file(*, annual: bool = False):
    from datetime import date

    from app.documents.data import InspectionRow, ServiceFileData, ServiceMonth

    months = tuple(
        ServiceMonth(2026, m, 3 + m % 4, 2 + m % 3, 8, m % 2, 95.0 + m, 4.2) for m in range(1, 13)
    )
    return ServiceFileData(
        customer="国家电网华北分部",
        kind="annual" if annual else "quarterly",
        period="2026" if annual else "2026Q4",
        first_day=date(2026, 1, 1) if annual else date(2026, 10, 1),
        last_day=date(2026, 12, 31),
        tickets=12,
        restored=10,
        first_time_fix=(8, 10),
        by_severity=(("P1", 2, 55.0), ("P2", 4, 170.0), ("P3", 5, 300.0), ("P4", 1, None)),
        by_cause=(("SRV-2288-PSU", 5), ("unknown", 2)),
        clocks=(("response", 11, 1), ("onsite", 9, 2), ("restore", 8, 2)),
        parts=(("SRV-2288-PSU", "服务器电源模块 900W", 5),),
        advance_replacements=4,
        returns_back=3,
        returns_late=1,
        satisfaction=4.4,
        satisfaction_responses=9,
        complaints=2,
        complaints_closed=1,
        reports=() if annual else ("TKT-2026-000101", "TKT-2026-000102"),
        months=months if annual else (),
        inspections=(
            InspectionRow(
                "INS-2026-000001",
                date(2026, 3, 10),
                "机房一",
                "reported",
                2,
                1,
                datetime(2026, 3, 12, 2, tzinfo=UTC),
            ),
        )  # fmt: skip
        if annual
        else (),
        generated_at=datetime(2027, 1, 5, 2, tzinfo=UTC),
    )


def an_inspection_report():
    from app.documents.inspection_report import CheckRow, FindingRow, InspectionReportData

    at = datetime(2027, 1, 12, 2, 0, tzinfo=UTC)
    return InspectionReportData(
        number="INS-2027-000001",
        contract="SLA-C001",
        customer="国家电网华北分部",
        site="机房一 · 北京市西城区西长安街86号",
        period="2027-Q1",
        mode="on_site",
        engineer="张工",
        arrived_at=at,
        signed_at=at + timedelta(hours=2),
        signer_name="韩主任",
        signature_png=None,
        report_due=at + timedelta(days=7, hours=2),
        report_issued_at=at + timedelta(days=1),
        training=True,
        training_given=True,
        checks=(
            CheckRow("software", "系统日志", "无告警", "pass", "0 条"),
            CheckRow("hardware", "电源冗余", "2/2", "fail", "1/2"),
            CheckRow("environment", "机房温度", "18–27 °C", "pass", "23 °C"),
        ),
        findings=(FindingRow("电源模块故障，需要更换", "P2", "TKT-2027-000031"),),
        notes=None,
        recommendations="尽快更换电源模块",
    )


# --- every document --------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_page_of_every_document_renders_to_a_visible_image(name: str, lang: str) -> None:
    pdf = DOCUMENTS[name](lang)
    assert pdf.startswith(b"%PDF")
    images = page_images(pdf)
    assert images
    for image in images:
        width, height = image.size  # A4 portrait: 595 × 842 points, one pixel each at scale 1
        assert abs(width - 595) <= 1 and abs(height - 842) <= 1
        assert ink_share(image) > 0.005


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_a_language_the_documents_do_not_speak_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="unsupported document language"):
        DOCUMENTS[name]("fr")


def test_zh_cn_is_accepted_as_chinese() -> None:
    assert "设备维修申请表" in text_of(render_repair_form(a_repair_form(), "zh-CN"))


def test_chinese_is_the_default_language() -> None:
    assert "故障处理报告" in text_of(render_fault_report(a_fault_report()))


def test_a_time_without_a_zone_is_refused_rather_than_guessed() -> None:
    naive = datetime(2026, 3, 2, 9, 30)
    with pytest.raises(ValueError, match="naive"):
        render_packing_slip(a_packing_slip(return_deadline=naive))


def test_the_footer_says_which_zone_the_times_are_in() -> None:
    assert "时间均为 Asia/Shanghai 时区" in text_of(render_repair_form(a_repair_form()))
    assert "All times in Asia/Shanghai" in text_of(render_repair_form(a_repair_form(), "en"))


# --- repair request form --------------------------------------------------------------

REPAIR_FORM_LABELS = {
    "zh": [
        "设备维修申请表", "服务编号", "客户单位", "联系人", "电话", "传真", "收件人", "地址", "邮编",
        "故障产品", "型号", "序列号", "数量", "接收时间", "返回保税库时间", "故障现象", "分析及处理",
        "替换备件", "到货时间", "返还用户时间",
    ],
    "en": [
        "Equipment Repair Request Form", "Service number", "Customer unit", "Contact", "Phone",
        "Fax", "Recipient", "Address", "Postcode", "Faulty product", "Model", "Serial number",
        "Qty", "Received", "Returned to bonded", "Fault symptom", "Analysis and action",
        "Replacement parts", "Arrival", "Returned to user",
    ],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_repair_form_carries_every_field_of_the_source_form(lang: str) -> None:
    text = text_of(render_repair_form(a_repair_form(), lang))

    for field_label in REPAIR_FORM_LABELS[lang]:
        assert field_label in text
    for value in [RMA, "中国工商银行北京分行", "王丽", "010-6688 1234", "010-6688 1235", "李强",
                  "北京市海淀区中关村大街 27 号 3 层机房", "100080", "DS-7616NI-K2", FAULTY_SERIAL,
                  "电源模块无输出", "更换电源模块，整机测试通过", "PSU-550W", GOOD_SERIAL]:  # fmt: skip
        assert value in text


def test_repair_form_shows_times_in_shanghai_time() -> None:
    text = text_of(render_repair_form(a_repair_form()))

    assert "2026年3月2日 09:30" in text  # received 01:30 UTC
    assert "2026年3月5日 10:00" in text  # back in the bonded warehouse 02:00 UTC
    assert "2026年3月2日 16:15" in text  # returned to the user 08:15 UTC


def test_repair_form_shows_times_in_the_customers_own_zone() -> None:
    text = text_of(render_repair_form(a_repair_form(timezone="Europe/Berlin"), "en"))

    assert "2 Mar 2026, 02:30" in text
    assert "All times in Europe/Berlin" in text


def test_a_missing_fax_prints_as_a_dash() -> None:
    assert "—" not in text_of(render_repair_form(a_repair_form()))
    assert "—" in text_of(render_repair_form(a_repair_form(fax=None)))


def test_a_form_with_no_items_yet_still_has_its_tables_to_fill_in() -> None:
    text = text_of(render_repair_form(a_repair_form(faulty_items=(), replacement_items=())))

    assert RMA in text
    for field_label in ["返回保税库时间", "故障现象", "分析及处理", "返还用户时间"]:
        assert field_label in text


def test_many_faulty_items_flow_onto_further_pages() -> None:
    items = tuple(
        FaultyItem("DS-7616NI-K2", f"SN-BATCH-{n:04d}", fault_symptom="电源模块无输出")
        for n in range(40)
    )
    pdf = render_repair_form(a_repair_form(faulty_items=items))

    assert len(page_images(pdf)) > 1
    assert "SN-BATCH-0000" in text_of(pdf) and "SN-BATCH-0039" in text_of(pdf)


# --- packing slip and return label ----------------------------------------------------

PACKING_SLIP_LABELS = {
    "zh": ["装箱单", "发货方", "收货方", "发出备件序列号", "应返回故障件序列号", "故障件返回截止时间",
           "退货标签", "收件方（仓库）", "扫码查看进度"],
    "en": ["Packing Slip", "Ship from", "Ship to", "Replacement serial", "Faulty serial",
           "Faulty part return deadline", "Return Label", "To (depot)", "Scan to track"],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_packing_slip_names_the_rma_the_serials_and_the_return_deadline(lang: str) -> None:
    text = text_of(render_packing_slip(a_packing_slip(), lang))

    for field_label in PACKING_SLIP_LABELS[lang]:
        assert field_label in text
    assert RMA in text
    assert GOOD_SERIAL in text and FAULTY_SERIAL in text
    assert {"zh": "3月3日 14:00前", "en": "by 14:00 on 3 Mar"}[lang] in text  # 06:00 UTC
    assert DEPOT.street in text and SITE.street in text
    assert "PSU-550W" in text


def test_the_return_label_sends_the_faulty_part_to_the_depot() -> None:
    other_depot = Address("北京备件库", "北京市大兴区亦庄 5 号", "100176")
    text = text_of(render_return_label(a_packing_slip(return_to=other_depot)))

    assert "北京市大兴区亦庄 5 号" in text
    assert SITE.street in text  # from the customer's site
    assert DEPOT.street not in text  # the shipping depot is not the destination here
    assert RMA in text and FAULTY_SERIAL in text
    assert "3月3日 14:00前" in text


def test_each_waybill_is_printed_on_its_own_document() -> None:
    slip = a_packing_slip(
        carrier="顺丰速运",
        waybill_number="SF-OUT-1",
        return_carrier="EMS",
        return_waybill_number="EMS-BACK-2",
    )

    packing_slip = text_of(render_packing_slip(slip)).split("沿虚线剪下")[0]
    label_alone = text_of(render_return_label(slip))

    assert "SF-OUT-1" in packing_slip and "EMS-BACK-2" not in packing_slip
    assert "EMS-BACK-2" in label_alone and "SF-OUT-1" not in label_alone
    assert "寄回运单号" in label_alone


def test_the_return_label_goes_back_to_the_shipping_depot_by_default() -> None:
    text = text_of(render_return_label(a_packing_slip()))

    assert DEPOT.street in text


def test_the_return_deadline_is_shown_in_the_customers_zone() -> None:
    text = text_of(render_packing_slip(a_packing_slip(timezone="Asia/Urumqi"), "en"))

    assert "by 12:00 on 3 Mar" in text


@pytest.mark.parametrize(("lang", "printed"), [("zh", "3月3日 24:00前"), ("en", "by end of 3 Mar")])
@pytest.mark.parametrize("render", [render_packing_slip, render_return_label])
def test_a_return_deadline_at_midnight_is_printed_as_the_end_of_the_day_before(
    render: Callable[[PackingSlipData, str], bytes], lang: str, printed: str
) -> None:
    midnight_in_shanghai = utc(3, 16, 0)  # 4 March 00:00 in Shanghai

    text = text_of(render(a_packing_slip(return_deadline=midnight_in_shanghai), lang))

    assert printed in text
    assert "3月4日" not in text and "4 Mar" not in text and "00:00" not in text


@pytest.mark.parametrize("render", [render_packing_slip, render_return_label])
def test_scanning_the_barcode_reads_the_rma_number_and_the_qr_code_the_tracking_link(
    render: Callable[[PackingSlipData, str], bytes],
) -> None:
    import zxingcpp  # a barcode reader, standing in for the courier's scanner

    pdf = render(a_packing_slip(), "zh")

    found = {
        (str(code.format), code.text)
        for image in page_images(pdf, scale=3)
        for code in zxingcpp.read_barcodes(image)
    }

    assert any("128" in fmt and text == RMA for fmt, text in found)
    if render is render_packing_slip:
        assert any("QR" in fmt and text == TRACKING_URL for fmt, text in found)


# --- fault handling report ----------------------------------------------------------------

FAULT_REPORT_TEXT = {
    "zh": ["故障处理报告", "工单编号", "RMA编号", "故障等级", "P2 严重，性能下降", "热线电话",
           "处理过程", "创建工单", "工程师到场", "服务恢复", "服务时限", "首次响应", "故障件返回",
           "处理措施", "使用备件", "装上序列号", "拆下序列号", "9 小时 28 分钟"],
    "en": ["Fault Handling Report", "Ticket number", "RMA number", "Severity",
           "P2 severe, degraded", "Hotline", "Timeline", "Ticket opened", "Engineer on site",
           "Service restored", "Service clocks", "First response", "Faulty part returned",
           "Actions taken", "Parts used", "Installed serial", "Removed serial", "9 h 28 min"],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_fault_report_tells_what_happened_on_the_ticket(lang: str) -> None:
    text = text_of(render_fault_report(a_fault_report(), lang))

    for expected in FAULT_REPORT_TEXT[lang]:
        assert expected in text
    assert TICKET in text and RMA in text
    assert FAULTY_SERIAL in text and GOOD_SERIAL in text
    assert "Li" in text and "Wei" in text  # actors by first name
    on_site = {"zh": "2026年3月2日 09:45", "en": "2 Mar 2026, 09:45"}[lang]  # 01:45 UTC
    assert on_site in text
    assert "更换电源模块 PSU-550W" in text


@pytest.mark.parametrize(
    ("lang", "met", "missed"),
    [
        ("zh", "达成，提前 4 分钟", "未达成，超时 2 小时 30 分钟"),
        ("en", "Met, 4 min to spare", "Missed by 2 h 30 min"),
    ],
)
def test_fault_report_says_which_clocks_were_met_and_by_how_much(
    lang: str, met: str, missed: str
) -> None:
    text = text_of(render_fault_report(a_fault_report(), lang))

    assert met in text
    assert missed in text


def test_a_clock_never_satisfied_is_reported_missed() -> None:
    never = ClockOutcome("onsite", due_at=utc(2, 1, 50), completed_at=None)
    text = text_of(render_fault_report(a_fault_report(clocks=(never,)), "en"))

    assert "Engineer on site" in text and "Missed" in text


def test_an_unknown_event_is_printed_as_written() -> None:
    event = TimelineEvent(utc(2, 2, 0), "客户来电催促", "Li")
    text = text_of(render_fault_report(a_fault_report(events=(event,))))

    assert "客户来电催促" in text


# --- monthly service report ----------------------------------------------------------------

MONTHLY_TEXT = {
    "zh": ["月度服务报告", "2026年3月", "按故障等级的工单数", "各时限达成率", "平均恢复时间",
           "逾期返回的故障件", "客户满意度", "响应时间", "服务质量", "服务态度", "总体评价",
           "3 小时 32 分钟", "未返回", "问卷份数：18"],
    "en": ["Monthly Service Report", "March 2026", "Tickets by severity", "SLA attainment per clock",
           "Mean time to restore", "Overdue faulty-part returns", "Customer satisfaction",
           "Response time", "Quality of work", "Attitude", "Overall", "3 h 32 min",
           "not yet returned", "Survey responses: 18"],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_monthly_report_gives_the_months_figures(lang: str) -> None:
    text = text_of(render_monthly_report(a_monthly_report(), lang))

    for expected in MONTHLY_TEXT[lang]:
        assert expected in text
    assert "中国工商银行北京分行" in text
    assert "25" in text  # tickets opened, all severities
    assert "91.7%" in text  # 44 of 48 deadlines met
    assert "24 / 25 (96.0%)" in text
    assert RMA in text and FAULTY_SERIAL in text and "SN-FAULT-0077" in text
    for score in ["4.6", "4.3", "4.8", "4.5"]:
        assert score in text


def test_monthly_report_draws_its_charts() -> None:
    pdf = render_monthly_report(a_monthly_report())
    images = page_images(pdf)

    p1_red = (0xB3, 0x26, 0x1E)
    bar_blue = (0x2F, 0x6D, 0xB5)
    assert sum(pixels_near(image, p1_red) for image in images) > 200
    assert sum(pixels_near(image, bar_blue) for image in images) > 2000


def test_a_quiet_month_still_makes_a_report() -> None:
    quiet = MonthlyReportData(customer="客户甲", year=2026, month=2)
    pdf = render_monthly_report(quiet, "en")
    text = text_of(pdf)

    assert "February 2026" in text
    assert "No overdue returns this month." in text
    assert all(ink_share(image) > 0.005 for image in page_images(pdf))


def test_an_outstanding_return_counts_as_overdue_until_the_report_date() -> None:
    late = OverdueReturn(RMA, "PSU-550W", FAULTY_SERIAL, utc(31, 0, 0))
    report = a_monthly_report(
        overdue_returns=(late,), generated_at=utc(31, 0, 0) + timedelta(days=1, hours=2)
    )

    assert "26 h 0 min" in text_of(render_monthly_report(report, "en"))


def test_the_plan_report_prints_its_figures_and_moves_in_both_languages() -> None:
    zh, en = (
        text_of(render_plan_report(a_plan_report(), "zh")),
        text_of(render_plan_report(a_plan_report(), "en")),
    )
    assert "备件规划方案" in zh and "Service-Parts Plan" in en
    for text in (zh, en):
        assert "1,992,900" in text and "93.5%" in text and "SRV-2288-PSU" in text
    # both clocks among the key figures
    both = a_plan_report(spare_before=0.981, spare_after=0.92)
    for lang, words in (("zh", "2个工作日内满足率"), ("en", "2 working days")):
        text = text_of(render_plan_report(both, lang))
        assert words in text and "98.1% → 92.0%" in text


def test_the_plan_report_keeps_its_curve_readable_when_todays_stock_is_far_beyond_it() -> None:
    # today 80 million, the curve ends near 2 million: the axis ends past the curve and
    # today's point sits at its edge with its value, instead of squeezing the curve flat
    far = a_plan_report(current=(80_431_305.0, 0.751))
    zh, en = text_of(render_plan_report(far, "zh")), text_of(render_plan_report(far, "en"))
    assert "80,431,305（超出坐标范围）" in zh and "80,431,305 (off the axis)" in en
    near = text_of(render_plan_report(a_plan_report(), "en"))  # today 1.5 million: on the axis
    assert "off the axis" not in near


def test_the_plan_report_map_draws_the_outline_and_the_stocking_depots() -> None:
    grey = (0x4A, 0x4A, 0x4A)
    without = page_images(render_plan_report(a_plan_report(), "en"), scale=2)[0]
    with_depots = a_plan_report(depots=((39.97, 116.49), (23.13, 113.26)))
    drawn = page_images(render_plan_report(with_depots, "en"), scale=2)[0]
    assert pixels_near(drawn, grey, 12) > pixels_near(without, grey, 12) + 100
    outline = (0x9A, 0xA4, 0xAE)
    assert pixels_near(without, outline, 20) > 1000  # the provinces, not a bare frame
