"""Papers for the shelf: 60×40 mm thermal labels with a Code 128 barcode (a depot's
location, a part's bin, an item), and a transfer's pick list and delivery note (A4).

A label's barcode holds exactly what the warehouse console's scanner field takes — a
depot code, a part number or a serial number — so scanning the shelf is typing it.
The bars are as wide as a 203 dpi printer draws cleanly (a whole number of dots, at
least two) when the value fits, narrower only for a value too long for the label.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from io import BytesIO

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer

from app.documents.codes import code128_drawing
from app.documents.data import ShelfLabel, TransferPaperData, TransferPaperLine
from app.documents.fonts import LATIN_FONT, register_fonts
from app.documents.labels import coded_label, doc_label, normalise_lang
from app.documents.layout import (
    CONTENT_WIDTH,
    Styles,
    build_pdf,
    draw_text,
    field_grid,
    grid_table,
    make_styles,
    para,
    signature_block,
    styled_table,
    text_width,
)
from app.formatting import format_moment

LABEL_SIZE = (60 * mm, 40 * mm)
LABEL_MARGIN = 3 * mm  # also the barcode's quiet zone (≥ 10 modules at ≤ 0.85 pt)
DOT = 72 / 203  # one dot of a 203 dpi thermal printer, in points
BAR_HEIGHT = 15 * mm


def barcode_value_ok(value: str) -> bool:
    """Code 128 encodes printable ASCII; anything else gets no barcode (text only)."""
    return bool(value) and all(32 <= ord(c) < 127 for c in value)


def label_barcode(value: str, width: float, height: float = BAR_HEIGHT):
    """The Code 128 drawing of ``value`` at most ``width`` points wide: its narrowest bar a
    whole number of printer dots (2 to 3) when that fits, else as wide as fits."""
    unit = createBarcodeDrawing(
        "Code128", value=value, barWidth=1, barHeight=height, humanReadable=False, quiet=False
    )
    modules = unit.width
    dots = min(3, int(width / modules / DOT))
    bar = dots * DOT if dots >= 2 else width / modules
    drawing = createBarcodeDrawing(
        "Code128", value=value, barWidth=bar, barHeight=height, humanReadable=False, quiet=False
    )
    drawing.initialFontName = LATIN_FONT
    return drawing


def _fit(text: str, size: float, width: float, *, bold: bool = False) -> tuple[str, float]:
    """``text`` at ``size`` points, smaller (down to 60 %) and then cut with "…" to fit."""
    smallest = size * 0.6
    while size > smallest and text_width(text, size, bold=bold) > width:
        size -= 0.5
    if text_width(text, size, bold=bold) <= width:
        return text, size
    while text and text_width(text + "…", size, bold=bold) > width:
        text = text[:-1]
    return text + "…", size


def draw_label(canvas: Canvas, item: ShelfLabel) -> None:
    """One label on the current page (LABEL_SIZE)."""
    page_w, page_h = LABEL_SIZE
    inner = page_w - 2 * LABEL_MARGIN
    y = page_h - LABEL_MARGIN - 7
    text, size = _fit(item.heading, 7, inner)
    draw_text(canvas, LABEL_MARGIN, y, text, size)
    y -= 12
    text, size = _fit(item.title, 11, inner, bold=True)
    draw_text(canvas, LABEL_MARGIN, y, text, size, bold=True)
    for line in item.lines[:2]:
        y -= 9
        text, size = _fit(line, 7, inner)
        draw_text(canvas, LABEL_MARGIN, y, text, size)
    if barcode_value_ok(item.code):
        drawing = label_barcode(item.code, inner)
        x = (page_w - drawing.width) / 2
        renderPDF.draw(drawing, canvas, x, LABEL_MARGIN + 8)
        code, size = _fit(item.code, 7, inner)
        draw_text(canvas, page_w / 2, LABEL_MARGIN + 1, code, size, align="center")


def render_shelf_labels(
    labels: Sequence[ShelfLabel], lang: str = "zh", *, title: str = ""
) -> bytes:
    """Labels one per 60×40 mm page, in order (what a thermal printer feeds)."""
    lang = normalise_lang(lang)
    if not labels:
        raise ValueError("no labels to print")
    register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=LABEL_SIZE, invariant=True, initialFontName=LATIN_FONT)
    canvas.setTitle(title or doc_label("doc.item_label", lang))
    canvas.setAuthor(doc_label("doc.generated_by", lang))
    canvas.setCreator("sparelog")
    for item in labels:
        draw_label(canvas, item)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- a transfer's pick list and delivery note (A4) -----------------------------------------


def _title_with_barcode(title: str, number: str, styles: Styles) -> Flowable:
    return styled_table(
        [[[para(title, styles.title), para(number, styles.heading)], code128_drawing(number)]],
        [CONTENT_WIDTH * 0.55, CONTENT_WIDTH * 0.45],
        [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ],
    )


def _route(data: TransferPaperData, lang: str, styles: Styles) -> Flowable:
    def cell(heading: str, code: str, address) -> list[Flowable]:
        return [
            para(f"{heading} · {code}", styles.cell_label),
            para(address.name, styles.body),
            para(address.street, styles.body),
        ]

    return grid_table(
        [
            [
                cell(doc_label("doc.ship_from", lang), data.from_code, data.ship_from),
                cell(doc_label("doc.ship_to", lang), data.to_code, data.ship_to),
            ]
        ],
        [CONTENT_WIDTH / 2] * 2,
        styles,
        header_rows=0,
    )


def _facts(data: TransferPaperData, lang: str, styles: Styles) -> Flowable:
    units = sum(line.qty_shipped for line in data.lines)
    return field_grid(
        [
            (doc_label("doc.status", lang), data.status),
            (
                doc_label("doc.total", lang),
                doc_label("doc.lines_total", lang, lines=len(data.lines), units=units),
            ),
            (
                doc_label("doc.shipped_at", lang),
                format_moment(data.shipped_at, data.timezone, lang),
            ),
            (doc_label("doc.shipped_by", lang), data.shipped_by),
            (
                doc_label("doc.received_at", lang),
                format_moment(data.received_at, data.timezone, lang),
            ),
            (doc_label("doc.received_by", lang), data.received_by),
            (doc_label("doc.note", lang), data.note),
        ],
        styles,
    )


def _serial_text(line: TransferPaperLine) -> str:
    return line.serial or ""


def _transfer_paper(
    data: TransferPaperData,
    title: str,
    rows: list[list[object]],
    widths: tuple[float, ...],
    signers: tuple[str, str],
    lang: str,
) -> bytes:
    """A transfer's paper: title and barcode, route, facts, the lines (``widths`` as
    fractions of the page) and the two signers' boxes."""
    styles = make_styles()
    story: list[Flowable] = [
        _title_with_barcode(title, data.number, styles),
        Spacer(1, 3 * mm),
        _route(data, lang, styles),
        Spacer(1, 3 * mm),
        _facts(data, lang, styles),
        Spacer(1, 3 * mm),
        grid_table(rows, [CONTENT_WIDTH * w for w in widths], styles),
        signature_block(*signers, lang, styles),
    ]
    return build_pdf(story, title=f"{title} {data.number}", lang=lang, timezone=data.timezone)


def _line_rows(
    lines: Sequence[TransferPaperLine],
    last_headings: tuple[str, str],
    last_cells: Callable[[TransferPaperLine], tuple[str, str]],
    lang: str,
) -> list[list[object]]:
    """The lines table: a header, then each line numbered with its part, description,
    serial and condition, and the two last columns (``last_headings``) from ``last_cells``."""
    header = [
        doc_label("doc.line_no", lang),
        doc_label("doc.part_number", lang),
        doc_label("doc.description", lang),
        doc_label("doc.serial", lang),
        doc_label("doc.condition", lang),
    ]
    rows: list[list[object]] = [[*header, *last_headings]]
    for n, line in enumerate(lines, start=1):
        first = [str(n), line.part_number, line.description, _serial_text(line), line.condition]
        rows.append([*first, *last_cells(line)])
    return rows


def render_pick_list(data: TransferPaperData, lang: str = "zh") -> bytes:
    """What to take off the shelves for a transfer, by part number: serial, condition,
    quantity and a box to tick; the picker's and checker's signatures."""
    lang = normalise_lang(lang)
    ordered = sorted(data.lines, key=lambda line: (line.part_number, _serial_text(line)))
    headings = (doc_label("doc.quantity", lang), doc_label("doc.picked", lang))
    # the last box is ticked by hand
    rows = _line_rows(ordered, headings, lambda line: (str(line.qty_shipped), ""), lang)
    widths = (0.05, 0.18, 0.28, 0.19, 0.12, 0.08, 0.10)
    signers = (doc_label("doc.picker_signature", lang), doc_label("doc.checker_signature", lang))
    title = doc_label("doc.pick_list_title", lang)
    return _transfer_paper(data, title, rows, widths, signers, lang)


def render_delivery_note(data: TransferPaperData, lang: str = "zh") -> bytes:
    """What travels with a transfer: from and to, each line with the quantity shipped and
    the quantity received (filled in once booked, else left to write), two signatures."""
    lang = normalise_lang(lang)

    def quantities(line: TransferPaperLine) -> tuple[str, str]:
        received = "" if line.qty_received is None else str(line.qty_received)
        return str(line.qty_shipped), received

    headings = (doc_label("doc.qty_shipped", lang), doc_label("doc.qty_received", lang))
    rows = _line_rows(data.lines, headings, quantities, lang)
    widths = (0.05, 0.17, 0.23, 0.17, 0.12, 0.13, 0.13)
    signers = (doc_label("doc.sender_signature", lang), doc_label("doc.receiver_signature", lang))
    title = doc_label("doc.delivery_note_title", lang)
    return _transfer_paper(data, title, rows, widths, signers, lang)


def condition_text(condition: str, lang: str) -> str:
    return coded_label("condition", condition, lang)


def transfer_status_text(status: str, lang: str) -> str:
    return coded_label("transfer_status", status, lang)
