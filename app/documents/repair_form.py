"""设备维修申请表 / Equipment Repair Request Form, with every field of DESIGN.md §2."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.documents.data import FaultyItem, RepairFormData, ReplacementItem
from app.documents.labels import doc_label, normalise_lang
from app.documents.layout import (
    CONTENT_WIDTH,
    Styles,
    build_pdf,
    grid_table,
    make_styles,
    para,
    signature_block,
)
from app.formatting import format_moment

# # | model | serial | qty | time | time — shared by both item tables (sums to CONTENT_WIDTH)
_ITEM_WIDTHS = [8 * mm, 36 * mm, 40 * mm, 14 * mm, 41 * mm, 41 * mm]
# label | text of an item's symptom and analysis, the label as wide as "#" + model
_DETAIL_WIDTHS = [44 * mm, 136 * mm]


def render_repair_form(data: RepairFormData, lang: str = "zh") -> bytes:
    """The repair request form for one RMA as a one-or-more page A4 PDF."""
    lang = normalise_lang(lang)
    styles = make_styles()
    title = doc_label("doc.repair_form_title", lang)
    story: list[Flowable] = [
        para(title, styles.title),
        Spacer(1, 3 * mm),
        _customer_block(data, lang, styles),
        para(doc_label("doc.faulty_product", lang), styles.heading),
        *_faulty_table(data.faulty_items, data.timezone, lang, styles),
        para(doc_label("doc.replacement_parts", lang), styles.heading),
        _replacement_table(data.replacement_items, data.timezone, lang, styles),
        signature_block(
            doc_label("doc.customer_signature", lang),
            doc_label("doc.service_signature", lang),
            lang,
            styles,
        ),
    ]
    return build_pdf(
        story, title=f"{title} {data.service_number}", lang=lang, timezone=data.timezone
    )


def _customer_block(data: RepairFormData, lang: str, styles: Styles) -> Flowable:
    rows: list[list[object]] = [
        [
            doc_label("doc.service_number", lang),
            data.service_number,
            doc_label("doc.issued_at", lang),
            format_moment(data.issued_at, data.timezone, lang),
        ],
        [doc_label("doc.customer_unit", lang), data.customer_unit, "", ""],
        [doc_label("doc.contact", lang), data.contact, doc_label("doc.phone", lang), data.phone],
        [doc_label("doc.fax", lang), data.fax, doc_label("doc.recipient", lang), data.recipient],
        [
            doc_label("doc.address", lang),
            data.address,
            doc_label("doc.postcode", lang),
            data.postcode,
        ],
    ]
    label_cells = [(0, r) for r in range(5)] + [(2, r) for r in (0, 2, 3, 4)]
    widths = [0.19, 0.39, 0.16, 0.26]
    return grid_table(
        rows,
        [w * CONTENT_WIDTH for w in widths],
        styles,
        header_rows=0,
        label_cells=label_cells,
        extra_style=[("SPAN", (1, 1), (3, 1))],
    )


def _faulty_table(
    items: tuple[FaultyItem, ...], tz: str, lang: str, styles: Styles
) -> list[Flowable]:
    """Per faulty item: its row under the column headings, then its symptom and analysis
    as full-width rows that wrap and may continue on the next page (no spanned cells:
    reportlab splits a row across pages only where no cell spans it)."""
    header: list[object] = [
        "#",
        doc_label("doc.model", lang),
        doc_label("doc.serial", lang),
        doc_label("doc.quantity", lang),
        doc_label("doc.received_at", lang),
        doc_label("doc.returned_to_bonded_at", lang),
    ]
    blocks: list[Flowable] = []
    for number, item in enumerate(items or (None,), start=1):
        if item is None:
            row: list[object] = ["", None, None, None, None, None]
            details: list[list[object]] = [
                [doc_label("doc.fault_symptom", lang), None],
                [doc_label("doc.analysis_and_action", lang), None],
            ]
        else:
            row = [
                str(number),
                item.model,
                item.serial,
                str(item.quantity),
                format_moment(item.received_at, tz, lang),
                format_moment(item.returned_to_bonded_warehouse_at, tz, lang),
            ]
            details = [
                [doc_label("doc.fault_symptom", lang), item.fault_symptom],
                [doc_label("doc.analysis_and_action", lang), item.analysis_and_action],
            ]
        first = number == 1
        blocks.append(
            grid_table(
                [header, row] if first else [row], _ITEM_WIDTHS, styles, header_rows=int(first)
            )
        )
        blocks.append(
            grid_table(
                details,
                _DETAIL_WIDTHS,
                styles,
                header_rows=0,
                label_cells=[(0, 0), (0, 1)],
            )
        )
    return blocks


def _replacement_table(
    items: tuple[ReplacementItem, ...], tz: str, lang: str, styles: Styles
) -> Flowable:
    header: list[object] = [
        "#",
        doc_label("doc.model", lang),
        doc_label("doc.serial", lang),
        doc_label("doc.quantity", lang),
        doc_label("doc.arrived_at", lang),
        doc_label("doc.returned_to_user_at", lang),
    ]
    rows: list[list[object]] = [header]
    for number, item in enumerate(items, start=1):
        rows.append(
            [
                str(number),
                item.model,
                item.serial,
                str(item.quantity),
                format_moment(item.arrived_at, tz, lang),
                format_moment(item.returned_to_user_at, tz, lang),
            ]
        )
    if not items:
        rows.append(["", None, None, None, None, None])
    return grid_table(rows, _ITEM_WIDTHS, styles)
