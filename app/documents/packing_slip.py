"""Packing slip with a cut-out return label, for an advance replacement (备件先行).

The slip travels with the good part; the label below the dashed line goes on the
parcel that brings the faulty part back to the depot before the return deadline.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from app.documents.codes import code128_drawing, qr_drawing
from app.documents.data import Address, PackingSlipData
from app.documents.fonts import LATIN_BOLD_FONT, markup
from app.documents.formatting import text_or_blank
from app.documents.labels import doc_label, normalise_lang
from app.documents.layout import (
    CONTENT_WIDTH,
    LABEL_FILL,
    MISSED_COLOUR,
    RULE,
    Styles,
    build_pdf,
    draw_text,
    field_grid,
    grid_table,
    make_styles,
    para,
    styled_table,
    text_width,
)
from app.formatting import format_deadline, format_moment


def render_packing_slip(data: PackingSlipData, lang: str = "zh") -> bytes:
    """Packing slip and, below a cut line, the return label — one A4 page."""
    lang = normalise_lang(lang)
    styles = make_styles()
    title = doc_label("doc.packing_slip_title", lang)
    story: list[Flowable] = [
        _title_with_barcode(title, data.rma_number, styles),
        Spacer(1, 3 * mm),
        _addresses(data, lang, styles),
        Spacer(1, 3 * mm),
        _items(data, lang, styles),
        Spacer(1, 3 * mm),
        field_grid(
            [
                (doc_label("doc.ticket_number", lang), data.ticket_number),
                (
                    doc_label("doc.shipped_at", lang),
                    format_moment(data.shipped_at, data.timezone, lang),
                ),
                (doc_label("doc.carrier", lang), data.carrier),
                (doc_label("doc.waybill", lang), data.waybill_number),
            ],
            styles,
        ),
        Spacer(1, 3 * mm),
        _deadline_and_qr(data, lang, styles),
        Spacer(1, 5 * mm),
        CutLine(doc_label("doc.cut_here", lang)),
        Spacer(1, 5 * mm),
        return_label(data, lang, styles),
    ]
    return build_pdf(story, title=f"{title} {data.rma_number}", lang=lang, timezone=data.timezone)


def render_return_label(data: PackingSlipData, lang: str = "zh") -> bytes:
    """The return label alone (what the customer downloads from the tracking page)."""
    lang = normalise_lang(lang)
    styles = make_styles()
    story: list[Flowable] = [return_label(data, lang, styles)]
    return build_pdf(
        story,
        title=f"{doc_label('doc.return_label_title', lang)} {data.rma_number}",
        lang=lang,
        timezone=data.timezone,
    )


def return_label(data: PackingSlipData, lang: str, styles: Styles) -> Flowable:
    """Bordered label: from the customer's site to the depot, RMA barcode, faulty serial."""
    big = ParagraphStyle(
        "big", parent=styles.body, fontName=LATIN_BOLD_FONT, fontSize=13, leading=17
    )
    deadline = format_deadline(data.return_deadline, data.timezone, lang)
    rows: list[list[object]] = [
        [para(doc_label("doc.return_label_title", lang), styles.heading), ""],
        [
            _address_cell(doc_label("doc.return_from", lang), data.ship_to, lang, styles),
            _address_cell(
                doc_label("doc.return_to", lang), data.return_destination, lang, styles, big
            ),
        ],
        [
            [
                para(doc_label("doc.rma_number", lang), styles.cell_label),
                code128_drawing(data.rma_number, bar_height=42, bar_width=1.25),
            ],
            [
                para(doc_label("doc.faulty_serial", lang), styles.cell_label),
                para(data.faulty_serial, big),
                Spacer(1, 2 * mm),
                para(doc_label("doc.return_deadline", lang), styles.cell_label),
                para(deadline, big, colour=MISSED_COLOUR),
                Spacer(1, 2 * mm),
                para(doc_label("doc.return_waybill", lang), styles.cell_label),
                para(
                    " ".join(x for x in (data.return_carrier, data.return_waybill_number) if x),
                    styles.body,
                ),
            ],
        ],
    ]
    table = styled_table(
        rows,
        [CONTENT_WIDTH * 0.5] * 2,
        [
            ("SPAN", (0, 0), (1, 0)),
            ("BOX", (0, 0), (-1, -1), 1.6, RULE),
            ("LINEBELOW", (0, 0), (-1, 1), 0.6, RULE),
            ("LINEAFTER", (0, 1), (0, -1), 0.6, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ],
    )
    return KeepTogether([table])


class CutLine(Flowable):
    """A dashed line across the page with an instruction in its middle."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, 10

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setDash(4, 3)
        canvas.setStrokeColor(colors.grey)
        canvas.line(0, 3, self.width, 3)
        canvas.setFillColor(colors.white)
        gap = text_width(self.text, 8) + 12
        canvas.rect((self.width - gap) / 2, -2, gap, 10, stroke=0, fill=1)
        canvas.setFillColor(colors.grey)
        draw_text(canvas, self.width / 2, 0.5, self.text, 8, align="center")
        canvas.restoreState()


def _title_with_barcode(title: str, rma_number: str, styles: Styles) -> Flowable:
    left_style = ParagraphStyle("left-title", parent=styles.title, alignment=0)
    number_style = ParagraphStyle("number", parent=styles.heading, fontSize=14, leading=18)
    return styled_table(
        [[[para(title, left_style), para(rma_number, number_style)], code128_drawing(rma_number)]],
        [CONTENT_WIDTH * 0.5, CONTENT_WIDTH * 0.5],
        [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ],
    )


def _address_cell(
    heading: str, address: Address, lang: str, styles: Styles, style: ParagraphStyle | None = None
) -> list[Flowable]:
    """Heading, name, street, postcode and contact of one address; ``style`` sets name and street."""
    style = style or styles.body
    lines: list[Flowable] = [
        para(heading, styles.cell_label),
        para(address.name, style),
        para(address.street, style),
    ]
    if address.postcode:
        lines.append(para(f"{doc_label('doc.postcode', lang)}: {address.postcode}", styles.body))
    contact = " ".join(v for v in (address.contact, address.phone) if v)
    if contact:
        lines.append(para(contact, styles.body))
    return lines


def _addresses(data: PackingSlipData, lang: str, styles: Styles) -> Flowable:
    rows = [
        [
            _address_cell(doc_label("doc.ship_from", lang), data.ship_from, lang, styles),
            _address_cell(doc_label("doc.ship_to", lang), data.ship_to, lang, styles),
        ]
    ]
    return grid_table(
        rows,
        [CONTENT_WIDTH / 2] * 2,
        styles,
        header_rows=0,
        extra_style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
    )


def _items(data: PackingSlipData, lang: str, styles: Styles) -> Flowable:
    header = [
        doc_label("doc.part_number", lang),
        doc_label("doc.description", lang),
        doc_label("doc.quantity", lang),
        doc_label("doc.replacement_serial", lang),
        doc_label("doc.faulty_serial", lang),
    ]
    row = [
        data.part_number,
        data.part_description,
        str(data.quantity),
        data.replacement_serial,
        data.faulty_serial,
    ]
    widths = [w * CONTENT_WIDTH for w in (0.18, 0.30, 0.08, 0.22, 0.22)]
    return grid_table([header, row], widths, styles)


def _deadline_and_qr(data: PackingSlipData, lang: str, styles: Styles) -> Flowable:
    strong = ParagraphStyle(
        "deadline", parent=styles.body, fontName=LATIN_BOLD_FONT, fontSize=14, leading=19
    )
    text: list[Flowable] = [
        para(doc_label("doc.return_deadline", lang), styles.cell_label),
        para(
            format_deadline(data.return_deadline, data.timezone, lang), strong, colour=MISSED_COLOUR
        ),
        Spacer(1, 2 * mm),
        para(doc_label("doc.return_rule", lang), styles.body),
        para(doc_label("doc.return_steps", lang), styles.body),
    ]
    qr = [
        qr_drawing(data.tracking_url, size=26 * mm),
        Paragraph(markup(doc_label("doc.scan_to_track", lang)), styles.small),
        Paragraph(markup(text_or_blank(data.tracking_url)), styles.small),
    ]
    return grid_table(
        [[text, qr]],
        [CONTENT_WIDTH * 0.72, CONTENT_WIDTH * 0.28],
        styles,
        header_rows=0,
        extra_style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
    )
