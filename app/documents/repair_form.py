"""设备维修申请表 / Equipment Repair Request Form, with every field of DESIGN.md §2."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.documents.data import FaultyItem, RepairFormData, ReplacementItem
from app.documents.formatting import format_time
from app.documents.labels import label, normalise_lang
from app.documents.layout import (
    CONTENT_WIDTH,
    Styles,
    build_pdf,
    grid_table,
    make_styles,
    para,
    signature_block,
)

# # | model | serial | qty | time | time — shared by both item tables (sums to CONTENT_WIDTH)
_ITEM_WIDTHS = [8 * mm, 36 * mm, 40 * mm, 14 * mm, 41 * mm, 41 * mm]


def render_repair_form(data: RepairFormData, lang: str = "zh") -> bytes:
    """The repair request form for one RMA as a one-or-more page A4 PDF."""
    lang = normalise_lang(lang)
    styles = make_styles()
    title = label("repair_form_title", lang)
    story: list[Flowable] = [
        para(title, styles.title),
        Spacer(1, 3 * mm),
        _customer_block(data, lang, styles),
        para(label("faulty_product", lang), styles.heading),
        _faulty_table(data.faulty_items, data.timezone, lang, styles),
        para(label("replacement_parts", lang), styles.heading),
        _replacement_table(data.replacement_items, data.timezone, lang, styles),
        signature_block(
            label("customer_signature", lang), label("service_signature", lang), lang, styles
        ),
    ]
    return build_pdf(
        story, title=f"{title} {data.service_number}", lang=lang, timezone=data.timezone
    )


def _customer_block(data: RepairFormData, lang: str, styles: Styles) -> Flowable:
    rows: list[list[object]] = [
        [
            label("service_number", lang),
            data.service_number,
            label("issued_at", lang),
            format_time(data.issued_at, data.timezone),
        ],
        [label("customer_unit", lang), data.customer_unit, "", ""],
        [label("contact", lang), data.contact, label("phone", lang), data.phone],
        [label("fax", lang), data.fax, label("recipient", lang), data.recipient],
        [label("address", lang), data.address, label("postcode", lang), data.postcode],
    ]
    label_cells = [(0, r) for r in range(5)] + [(2, r) for r in (0, 2, 3, 4)]
    widths = [0.16, 0.42, 0.14, 0.28]
    return grid_table(
        rows,
        [w * CONTENT_WIDTH for w in widths],
        styles,
        header_rows=0,
        label_cells=label_cells,
        extra_style=[("SPAN", (1, 1), (3, 1))],
    )


def _faulty_table(items: tuple[FaultyItem, ...], tz: str, lang: str, styles: Styles) -> Flowable:
    header: list[object] = [
        "#",
        label("model", lang),
        label("serial", lang),
        label("quantity", lang),
        label("received_at", lang),
        label("returned_to_bonded_at", lang),
    ]
    rows: list[list[object]] = [header]
    label_cells: list[tuple[int, int]] = []
    spans: list[tuple] = []
    for number, item in enumerate(items or (None,), start=1):
        top = len(rows)
        if item is None:
            rows.append(["", None, None, None, None, None])
            rows.append(["", label("fault_symptom", lang), None, "", "", ""])
            rows.append(["", label("analysis_and_action", lang), None, "", "", ""])
        else:
            rows.append(
                [
                    str(number),
                    item.model,
                    item.serial,
                    str(item.quantity),
                    format_time(item.received_at, tz),
                    format_time(item.returned_to_bonded_warehouse_at, tz),
                ]
            )
            rows.append(["", label("fault_symptom", lang), item.fault_symptom, "", "", ""])
            rows.append(
                ["", label("analysis_and_action", lang), item.analysis_and_action, "", "", ""]
            )
        label_cells += [(1, top + 1), (1, top + 2)]
        spans += [
            ("SPAN", (0, top), (0, top + 2)),
            ("SPAN", (2, top + 1), (5, top + 1)),
            ("SPAN", (2, top + 2), (5, top + 2)),
        ]
    return grid_table(rows, _ITEM_WIDTHS, styles, label_cells=label_cells, extra_style=spans)


def _replacement_table(
    items: tuple[ReplacementItem, ...], tz: str, lang: str, styles: Styles
) -> Flowable:
    header: list[object] = [
        "#",
        label("model", lang),
        label("serial", lang),
        label("quantity", lang),
        label("arrived_at", lang),
        label("returned_to_user_at", lang),
    ]
    rows: list[list[object]] = [header]
    for number, item in enumerate(items, start=1):
        rows.append(
            [
                str(number),
                item.model,
                item.serial,
                str(item.quantity),
                format_time(item.arrived_at, tz),
                format_time(item.returned_to_user_at, tz),
            ]
        )
    if not items:
        rows.append(["", None, None, None, None, None])
    return grid_table(rows, _ITEM_WIDTHS, styles)
