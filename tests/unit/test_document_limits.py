"""Every document lays out every free-text field at the longest length the API and the web
forms accept (models/limits.py), in Chinese and in English: the text wraps, continues on
the next page, and all of it is printed."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from itertools import cycle, islice

import pytest
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
    FaultyItem,
    OverdueReturn,
    PartUsed,
    ServiceSheetData,
    TimelineEvent,
    TransferPaperLine,
)
from app.documents.labels import doc_label
from models import limits
from tests.unit.test_documents import (
    a_fault_report,
    a_monthly_report,
    a_packing_slip,
    a_plan_report,
    a_repair_form,
    a_transfer_paper,
    page_images,
    utc,
)

WORDS = {
    "zh": "电源模块无输出导致整机宕机，更换后自检通过；风扇告警灯常亮，",
    "en": "power supply module gives no output under load and the fan alarm stays on ",
}


def at_most(n: int, lang: str, tag: str = "") -> str:
    """Text of exactly ``n`` characters in ``lang`` (starting with ``tag``)."""
    return (tag + "".join(islice(cycle(WORDS[lang]), n)))[:n]


def serial_at_most(n: int, tag: str) -> str:
    """An unbroken code of exactly ``n`` characters (serials, part numbers, waybills)."""
    return (tag + "-" + "X7" * n)[:n]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def printed_in_full(value: str, text: str, pieces: int = 2) -> bool:
    """``value`` reads in ``text`` in at most ``pieces`` pieces, in order: a table row too
    tall for the rest of the page continues on the next one, so the end of one of its cells
    follows the other cells of the row and the repeated header."""
    rest, cursor = squeezed(value), 0
    for _ in range(pieces):
        if not rest:
            break
        low, high = 0, len(rest)  # the longest prefix of what is left found after the cursor
        while low < high:
            mid = (low + high + 1) // 2
            if text.find(rest[:mid], cursor) >= 0:
                low = mid
            else:
                high = mid - 1
        if low == 0:
            return False
        cursor = text.find(rest[:low], cursor) + low
        rest = rest[low:]
    return not rest


def body_text(pdf: bytes, lang: str) -> str:
    """The pages' text without their footers, squeezed: a field split over two pages
    reads as one."""
    footer = [
        doc_label("doc.generated_by", lang),
        doc_label("doc.times_in_zone", lang, tz="Asia/Shanghai"),
    ]
    pages = []
    for number, page in enumerate(PdfReader(BytesIO(pdf)).pages, start=1):
        text = page.extract_text()
        for line in [*footer, doc_label("doc.page", lang, n=number)]:
            text = text.replace(line, "")
        pages.append(text)
    return squeezed("".join(pages))


def longest_repair_form(lang: str) -> tuple[bytes, list[str]]:
    values = {
        "customer_unit": at_most(limits.ORG_NAME, lang, "单位"),
        "contact": at_most(limits.PERSON_NAME, lang, "联系"),
        "phone": serial_at_most(limits.PHONE, "TEL"),
        "fax": serial_at_most(limits.PHONE, "FAX"),
        "recipient": at_most(limits.PERSON_NAME, lang, "收件"),
        "address": at_most(limits.ADDRESS, lang, "地址"),
        "postcode": serial_at_most(limits.POSTCODE, "PC"),
    }
    item = FaultyItem(
        model=serial_at_most(limits.PART_NUMBER, "MODEL"),
        serial=serial_at_most(limits.SERIAL, "SN"),
        fault_symptom=at_most(limits.SYMPTOM, lang, "现象"),
        analysis_and_action=at_most(limits.LONG_TEXT, lang, "分析")
        + " / "
        + at_most(limits.LONG_TEXT, lang, "措施"),
    )
    form = a_repair_form(**values, faulty_items=(item,))
    printed = [*values.values(), item.model, item.serial, item.fault_symptom or ""]
    return render_repair_form(form, lang), [*printed, item.analysis_and_action or ""]


def _address(name_limit: int, lang: str, tag: str) -> Address:
    return Address(
        name=at_most(name_limit, lang, tag),
        street=at_most(limits.ADDRESS, lang, tag + "街"),
        postcode=serial_at_most(limits.POSTCODE, "PC"),
        contact=at_most(limits.PERSON_NAME, lang, tag + "人"),
        phone=serial_at_most(limits.PHONE, "TEL"),
    )


def _slip(lang: str):
    return a_packing_slip(
        part_number=serial_at_most(limits.PART_NUMBER, "PN"),
        part_description=at_most(limits.PART_DESCRIPTION, lang, "名称"),
        replacement_serial=serial_at_most(limits.SERIAL, "GOOD"),
        faulty_serial=serial_at_most(limits.SERIAL, "BAD"),
        ship_from=_address(limits.DEPOT_NAME, lang, "仓"),
        ship_to=_address(limits.ORG_NAME, lang, "客"),
        carrier=at_most(limits.CARRIER, lang, "承运"),
        waybill_number=serial_at_most(limits.WAYBILL, "WB"),
    )


def _slip_fields(slip) -> list[str]:
    out = [slip.part_number, slip.part_description, slip.replacement_serial, slip.faulty_serial]
    for address in (slip.ship_from, slip.ship_to):
        out += [address.name, address.street, address.contact, address.phone]
    return [*out, slip.carrier, slip.waybill_number]


def longest_packing_slip(lang: str) -> tuple[bytes, list[str]]:
    slip = _slip(lang)
    return render_packing_slip(slip, lang), _slip_fields(slip)


def longest_return_label(lang: str) -> tuple[bytes, list[str]]:
    slip = _slip(lang)
    destination, origin = slip.return_destination, slip.ship_to
    printed = [slip.faulty_serial, destination.name, destination.street, origin.street]
    return render_return_label(slip, lang), printed


def longest_fault_report(lang: str) -> tuple[bytes, list[str]]:
    actor = at_most(limits.DISPLAY_NAME, lang, "人")
    note = f"{at_most(limits.CARRIER, lang, '承运')} {serial_at_most(limits.WAYBILL, 'WB')}"
    report = a_fault_report(
        customer=at_most(limits.ORG_NAME, lang, "客户"),
        site=f"{at_most(limits.ORG_NAME, lang, '现场')} · {at_most(limits.ADDRESS, lang, '址')}",
        equipment_model=serial_at_most(limits.PART_NUMBER, "MODEL"),
        equipment_serial=serial_at_most(limits.SERIAL, "SN"),
        symptom=at_most(limits.SYMPTOM, lang, "现象"),
        root_cause=at_most(limits.LONG_TEXT, lang, "原因"),
        actions=(at_most(limits.LONG_TEXT, lang, "恢复"), at_most(limits.LONG_TEXT, lang, "措施")),
        events=(TimelineEvent(utc(2, 0, 12), "part_shipped", actor, note),),
        parts_used=(
            PartUsed(
                serial_at_most(limits.PART_NUMBER, "PN"),
                at_most(limits.PART_DESCRIPTION, lang, "名称"),
                1,
                serial_at_most(limits.SERIAL, "GOOD"),
                serial_at_most(limits.SERIAL, "BAD"),
            ),
        ),
        confirmed_by=at_most(limits.DISPLAY_NAME, lang, "确认"),
    )
    printed = [report.customer, report.site, report.equipment_model, report.equipment_serial,
               report.symptom or "", report.root_cause or "", *report.actions, actor, note,
               *(x or "" for x in (report.parts_used[0].description, report.confirmed_by))]  # fmt: skip
    return render_fault_report(report, lang), printed


def longest_monthly_report(lang: str) -> tuple[bytes, list[str]]:
    late = OverdueReturn(
        "RMA-2026-000140",
        serial_at_most(limits.PART_NUMBER, "PN"),
        serial_at_most(limits.SERIAL, "SN"),
        utc(20, 6, 0),
    )
    report = a_monthly_report(
        customer=at_most(limits.ORG_NAME, lang, "客户"), overdue_returns=(late,)
    )
    return render_monthly_report(report, lang), [report.customer, late.part_number, late.serial]


def longest_plan_report(lang: str) -> tuple[bytes, list[str]]:
    from app.documents.data import PlanMove

    part = serial_at_most(limits.PART_NUMBER, "PN")
    report = a_plan_report(
        label=at_most(80, lang, "方案"), moves=(PlanMove("transfer", part, "BJ01", "SH01", 4),)
    )
    return render_plan_report(report, lang), [part]


MANY_PARTS = 40  # a visit records one part pair per scan, as many as the engineer swaps


def _signature_png() -> bytes:
    """A drawn signature as the phone's canvas sends it (600 x 240, ink on transparent)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 170), (150, 60), (300, 190), (580, 50)], fill="black", width=4)
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def longest_service_sheet(lang: str) -> tuple[bytes, list[str]]:
    parts = tuple(
        PartUsed(
            serial_at_most(limits.PART_NUMBER, f"PN{i:02d}"),
            at_most(limits.PART_DESCRIPTION, lang, f"名称{i:02d}"),
            1,
            serial_at_most(limits.SERIAL, f"GOOD{i:02d}"),
            serial_at_most(limits.SERIAL, f"BAD{i:02d}"),
        )
        for i in range(MANY_PARTS)
    )
    sheet = ServiceSheetData(
        sheet_number="TSS-2026-000123",
        ticket_number="TKT-2026-000456",
        customer=at_most(limits.ORG_NAME, lang, "客户"),
        site=f"{at_most(limits.ORG_NAME, lang, '现场')} · {at_most(limits.ADDRESS, lang, '址')}",
        contact=f"{at_most(limits.PERSON_NAME, lang, '联系')} {serial_at_most(limits.PHONE, 'TEL')}",
        engineer=at_most(limits.DISPLAY_NAME, lang, "工程师"),
        equipment_model=serial_at_most(limits.PART_NUMBER, "MODEL"),
        equipment_serial=serial_at_most(limits.SERIAL, "SN"),
        severity="P1",
        symptom=at_most(limits.SYMPTOM, lang, "现象"),
        reported_at=utc(2, 0, 12),
        arrived_at=utc(2, 1, 45),
        arrived_device_at=utc(2, 1, 44),
        signed_at=utc(2, 3, 5),
        diagnosis=at_most(limits.LONG_TEXT, lang, "诊断"),
        actions=at_most(limits.LONG_TEXT, lang, "措施"),
        open_issues=at_most(limits.LONG_TEXT, lang, "遗留"),
        parts=parts,
        photo_count=12,
        observation_until=utc(5, 3, 5),
        signer_name=at_most(limits.PERSON_NAME, lang, "签字"),
        signature_png=_signature_png(),
    )
    printed = [sheet.customer, sheet.site, sheet.contact or "", sheet.engineer or "",
               sheet.equipment_model, sheet.equipment_serial, sheet.symptom or "",
               sheet.diagnosis or "", sheet.actions or "", sheet.open_issues or "",
               sheet.signer_name or ""]  # fmt: skip
    for part in parts:
        printed += [part.part_number, part.description, part.installed_serial or "",
                    part.removed_serial or ""]  # fmt: skip
    return render_service_sheet(sheet, lang), printed


def _longest_transfer_paper(lang: str):
    lines = tuple(
        TransferPaperLine(
            serial_at_most(limits.PART_NUMBER, f"PN{i:02d}"),
            at_most(limits.PART_DESCRIPTION, lang, f"件{i:02d}"),
            serial_at_most(limits.SERIAL, f"SN{i:02d}") if i % 2 else None,
            "良品",
            i + 1,
            None,
        )
        for i in range(MANY_PARTS)
    )
    paper = a_transfer_paper(
        ship_from=Address(
            name=at_most(limits.DEPOT_NAME, lang, "发库"),
            street=at_most(limits.ADDRESS, lang, "发址"),
        ),
        ship_to=Address(
            name=at_most(limits.DEPOT_NAME, lang, "收库"),
            street=at_most(limits.ADDRESS, lang, "收址"),
        ),
        from_code=serial_at_most(limits.CODE, "FROM"),
        to_code=serial_at_most(limits.CODE, "TO"),
        shipped_by=serial_at_most(limits.USERNAME, "user"),
        note=at_most(limits.REASON, lang, "备注"),
        lines=lines,
    )
    printed = [paper.ship_from.name, paper.ship_from.street, paper.ship_to.name,
               paper.ship_to.street, paper.from_code, paper.to_code, paper.shipped_by,
               paper.note or ""]  # fmt: skip
    for line in lines:
        printed += [line.part_number, line.description, line.serial or ""]
    return paper, printed


def longest_pick_list(lang: str) -> tuple[bytes, list[str]]:
    paper, printed = _longest_transfer_paper(lang)
    return render_pick_list(paper, lang), printed


def longest_delivery_note(lang: str) -> tuple[bytes, list[str]]:
    paper, printed = _longest_transfer_paper(lang)
    return render_delivery_note(paper, lang), printed


def longest_service_file(lang: str) -> tuple[bytes, list[str]]:
    from dataclasses import replace as with_values

    from app.documents.data import InspectionRow
    from app.documents.service_file import render_service_file
    from tests.unit.test_documents import a_service_file

    customer = at_most(limits.ORG_NAME, lang, "客户")
    part = serial_at_most(limits.PART_NUMBER, "PN")
    description = at_most(limits.PART_DESCRIPTION, lang, "备件")
    site = at_most(limits.ORG_NAME, lang, "站点")
    data = with_values(
        a_service_file(annual=True),
        customer=customer,
        parts=((part, description, 3),),
        by_cause=((part, 3),),
        inspections=(InspectionRow("INS-2026-000009", a_service_file().first_day, site,
                                   "reported", 1, 0, None),),
    )  # fmt: skip
    return render_service_file(data, lang), [customer, part, description, site]


LONGEST: dict[str, Callable[[str], tuple[bytes, list[str]]]] = {
    "service file": longest_service_file,
    "pick list": longest_pick_list,
    "delivery note": longest_delivery_note,
    "repair form": longest_repair_form,
    "packing slip": longest_packing_slip,
    "return label": longest_return_label,
    "fault report": longest_fault_report,
    "monthly report": longest_monthly_report,
    "plan report": longest_plan_report,
    "service sheet": longest_service_sheet,
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(LONGEST))
def test_every_free_text_field_at_its_longest_is_printed_in_full(name: str, lang: str) -> None:
    pdf, values = LONGEST[name](lang)

    text = body_text(pdf, lang)
    for value in values:
        assert printed_in_full(value, text), value
    for image in page_images(pdf):
        assert abs(image.size[0] - 595) <= 1 and abs(image.size[1] - 842) <= 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_symptom_of_the_longest_accepted_length_continues_on_the_next_page(lang: str) -> None:
    pdf, _values = longest_fault_report(lang)

    assert len(page_images(pdf)) >= 2
