"""Page set-up and building blocks shared by the documents (A4, bordered tables)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.documents.fonts import (
    LATIN_BOLD_FONT,
    LATIN_FONT,
    font_runs,
    has_cjk,
    markup,
    register_fonts,
)
from app.documents.formatting import text_or_blank
from app.documents.labels import doc_label
from app.formatting import format_moment

PAGE_SIZE = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN
LABEL_FILL = colors.HexColor("#EEF1F5")
RULE = colors.HexColor("#333333")
MET_COLOUR = colors.HexColor("#1B7F3B")
MISSED_COLOUR = colors.HexColor("#B3261E")


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_label: ParagraphStyle
    small: ParagraphStyle


def make_styles() -> Styles:
    register_fonts()
    body = ParagraphStyle("body", fontName=LATIN_FONT, fontSize=9.5, leading=13)
    return Styles(
        title=ParagraphStyle(
            "title",
            parent=body,
            fontName=LATIN_BOLD_FONT,
            fontSize=18,
            leading=24,
            alignment=TA_CENTER,
            spaceAfter=4,
        ),
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontName=LATIN_BOLD_FONT,
            fontSize=11.5,
            leading=15,
            spaceBefore=9,
            spaceAfter=4,
        ),
        body=body,
        cell=ParagraphStyle("cell", parent=body, fontSize=8.8, leading=11.5, alignment=TA_LEFT),
        cell_label=ParagraphStyle(
            "cell_label",
            parent=body,
            fontName=LATIN_BOLD_FONT,
            fontSize=8.8,
            leading=11.5,
        ),
        small=ParagraphStyle(
            "small",
            parent=body,
            fontSize=7.5,
            leading=10,
            textColor=colors.HexColor("#555555"),
        ),
    )


def para(
    text: object | None, style: ParagraphStyle, colour: colors.Color | None = None
) -> Paragraph:
    """A paragraph of plain text ("—" when blank); Chinese wraps between characters."""
    value = text_or_blank(text)
    if has_cjk(value):
        style = ParagraphStyle(f"{style.name}-cjk", parent=style, wordWrap="CJK")
    body = markup(value)
    if colour is not None:
        body = f'<font color="{colour.hexval()}">{body}</font>'
    return Paragraph(body, style)


def grid_table(
    rows: Sequence[Sequence[object]],
    col_widths: Sequence[float],
    styles: Styles,
    *,
    header_rows: int = 1,
    label_cells: Sequence[tuple[int, int]] = (),
    extra_style: Sequence[tuple] = (),
) -> Table:
    """A bordered form table; strings become wrapped paragraphs, flowables (or lists of
    flowables) pass through.

    Header rows and the (column, row) ``label_cells`` are shaded and set in bold.
    """
    labelled = set(label_cells)
    body: list[list[object]] = []
    for r, row in enumerate(rows):
        out: list[object] = []
        for c, cell in enumerate(row):
            is_label = r < header_rows or (c, r) in labelled
            if isinstance(cell, Flowable | list):
                out.append(cell)
            else:
                out.append(para(cell, styles.cell_label if is_label else styles.cell))
        body.append(out)
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BOX", (0, 0), (-1, -1), 1.0, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), LABEL_FILL))
    commands += [("BACKGROUND", cell, cell, LABEL_FILL) for cell in label_cells]
    commands += list(extra_style)
    # splitInRow: a row taller than the rest of the page continues on the next one
    return styled_table(body, col_widths, commands, repeatRows=header_rows, splitInRow=1)


def styled_table(
    rows: Sequence[Sequence[object]],
    col_widths: Sequence[float],
    commands: Sequence[tuple],
    **options: object,
) -> Table:
    """A reportlab Table set in the documents' fonts: every table of every document is made
    here (a bare Table would name reportlab's default Helvetica, which no PDF embeds)."""
    table = Table(list(rows), colWidths=list(col_widths), **options)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), LATIN_FONT), *commands]))
    return table


def field_grid(
    pairs: Sequence[tuple[str, object | None]], styles: Styles, *, columns: int = 2
) -> Table:
    """Label/value pairs laid out ``columns`` pairs per row, labels shaded."""
    label_width = CONTENT_WIDTH * (0.19 if columns == 2 else 0.25)
    value_width = CONTENT_WIDTH / columns - label_width
    rows: list[list[object]] = []
    cells: list[tuple[int, int]] = []
    for start in range(0, len(pairs), columns):
        row: list[object] = []
        for offset, (name, value) in enumerate(pairs[start : start + columns]):
            cells.append((offset * 2, len(rows)))
            row += [name, value]
        row += [Spacer(0, 0) for _ in range(columns * 2 - len(row))]
        rows.append(row)
    widths = [label_width, value_width] * columns
    return grid_table(rows, widths, styles, header_rows=0, label_cells=cells)


def signature_block(left: str, right: str, lang: str, styles: Styles) -> Flowable:
    """Two signature boxes side by side with room to sign and a date line; never split."""
    room = Spacer(1, 12 * mm)
    date = f"{doc_label('doc.date', lang)}:"
    rows = [[left, right], [room, room], [date, date]]
    return KeepTogether([Spacer(1, 5 * mm), grid_table(rows, [CONTENT_WIDTH / 2] * 2, styles)])


SIGNATURE_BOX = (70 * mm, 28 * mm)  # a drawn signature is scaled to fit, never stretched


def drawn_signature_block(
    signature_png: bytes | None,
    signer_name: str | None,
    signed_at: datetime | None,
    engineer: str | None,
    right_note: str,
    timezone: str,
    lang: str,
    styles: Styles,
) -> Flowable:
    """The customer's drawn signature with their name and the time, beside the engineer's
    name and ``right_note`` (a date line); never split."""
    if signature_png:
        width, height = ImageReader(BytesIO(signature_png)).getSize()
        scale = min(SIGNATURE_BOX[0] / width, SIGNATURE_BOX[1] / height)
        drawn: Flowable | str = Image(
            BytesIO(signature_png), width=width * scale, height=height * scale
        )
        signed = doc_label("doc.signed_by", lang, name=signer_name or "")
    else:
        drawn, signed = doc_label("doc.not_signed", lang), ""
    rows: list[list[object]] = [
        [doc_label("doc.customer_signature", lang), doc_label("doc.engineer_signature", lang)],
        [drawn, engineer],
        [f"{signed} {format_moment(signed_at, timezone, lang)}".strip(), right_note],
    ]
    return KeepTogether([Spacer(1, 5 * mm), grid_table(rows, [CONTENT_WIDTH / 2] * 2, styles)])


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width in points of one line of mixed Chinese/Latin text."""
    return sum(stringWidth(chunk, font, size) for font, chunk in font_runs(text, bold=bold))


def draw_text(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    align: str = "left",
    bold: bool = False,
) -> None:
    """Draw one line of mixed Chinese/Latin text straight on the canvas."""
    runs = font_runs(text, bold=bold)
    width = text_width(text, size, bold=bold)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    line = canvas.beginText(x, y)
    for font, chunk in runs:
        line.setFont(font, size)
        line.textOut(chunk)
    canvas.drawText(line)


def build_pdf(story: list[Flowable], *, title: str, lang: str, timezone: str) -> bytes:
    """Lay ``story`` out on A4 pages with a footer (service, time zone, page number)."""
    register_fonts()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
        title=title,
        author=doc_label("doc.generated_by", lang),
        creator="sparelog",
        invariant=True,
        initialFontName=LATIN_FONT,  # the canvas' first font too: every font is embedded
    )
    footer_left = doc_label("doc.generated_by", lang)
    footer_mid = doc_label("doc.times_in_zone", lang, tz=timezone)

    def footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.HexColor("#666666"))
        y = MARGIN - 2 * mm
        draw_text(canvas, MARGIN, y, footer_left, 7.5)
        draw_text(canvas, PAGE_SIZE[0] / 2, y, footer_mid, 7.5, align="center")
        draw_text(
            canvas,
            PAGE_SIZE[0] - MARGIN,
            y,
            doc_label("doc.page", lang, n=document.page),
            7.5,
            align="right",
        )
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
