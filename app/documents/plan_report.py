"""备件规划方案 / Service-Parts Plan for management: the curve, the classes, the map, top moves."""

from __future__ import annotations

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.documents.data import PlanReportData
from app.documents.fonts import LATIN_FONT
from app.documents.formatting import format_percent, format_time
from app.documents.labels import coded_label, doc_label, normalise_lang
from app.documents.layout import (
    CONTENT_WIDTH,
    build_pdf,
    field_grid,
    grid_table,
    make_styles,
    para,
)

LINE_COLOUR = colors.HexColor("#2F6DB5")
NOW_COLOUR = colors.HexColor("#B3261E")
BANDS = ((0.95, colors.HexColor("#1B7F3B")), (0.8, colors.HexColor("#D4A72C")))
LOW_COLOUR = colors.HexColor("#B3261E")


def render_plan_report(data: PlanReportData, lang: str = "zh") -> bytes:
    """The plan in one or two pages: key figures, curve, classes, site map, top moves."""
    lang = normalise_lang(lang)
    styles = make_styles()
    title = doc_label("doc.plan_report_title", lang)
    story: list[Flowable] = [
        para(title, styles.title),
        Spacer(1, 2 * mm),
        field_grid(
            [
                (doc_label("doc.plan_run", lang), f"{data.run_id} {data.label}".strip()),
                (
                    doc_label("doc.generated_at", lang),
                    format_time(data.generated_at, data.timezone),
                ),
                (doc_label("doc.plan_value_now", lang), f"{data.stock_value_current:,.0f}"),
                (doc_label("doc.plan_value_after", lang), f"{data.stock_value_recommended:,.0f}"),
                (
                    doc_label("doc.plan_fill_6h", lang),
                    f"{format_percent(data.fill_before)} → {format_percent(data.fill_after)}",
                ),
            ],
            styles,
        ),
        para(doc_label("doc.plan_curve", lang), styles.heading),
        _curve(data),
        para(doc_label("doc.plan_by_class", lang), styles.heading),
        _classes(data, lang, styles),
        para(doc_label("doc.plan_map", lang), styles.heading),
        _map(data),
        para(doc_label("doc.plan_moves", lang, n=data.moves_total), styles.heading),
        _moves(data, lang, styles),
    ]
    return build_pdf(story, title=f"{title} {data.run_id}", lang=lang, timezone=data.timezone)


def _curve(data: PlanReportData) -> Drawing:
    width, height, pad = CONTENT_WIDTH, 60 * mm, 28
    drawing = Drawing(width, height)
    drawing.initialFontName = LATIN_FONT
    top = max([v for v, _ in data.curve] + [data.current[0], 1.0])

    def xy(value: float, rate: float) -> tuple[float, float]:
        return pad + (width - 2 * pad) * value / top, pad + (height - 2 * pad) * rate

    drawing.add(Line(pad, pad, width - pad, pad, strokeColor=colors.grey))
    drawing.add(Line(pad, pad, pad, height - pad, strokeColor=colors.grey))
    for k in range(5):
        x, _ = xy(top * k / 4, 0)
        drawing.add(
            String(
                x,
                pad - 12,
                f"{top * k / 4:,.0f}",
                fontName=LATIN_FONT,
                fontSize=7,
                textAnchor="middle",
            )
        )
        _, y = xy(0, k / 4)
        drawing.add(
            String(pad - 4, y - 2, f"{25 * k}%", fontName=LATIN_FONT, fontSize=7, textAnchor="end")
        )
    if len(data.curve) > 1:
        points = [c for v, r in data.curve for c in xy(v, r)]
        drawing.add(PolyLine(points, strokeColor=LINE_COLOUR, strokeWidth=1.5))
    cx, cy = xy(*data.current)
    drawing.add(Circle(cx, cy, 4, fillColor=NOW_COLOUR, strokeColor=NOW_COLOUR))
    return drawing


def _classes(data: PlanReportData, lang: str, styles) -> Flowable:
    rows: list[list[object]] = [
        [
            doc_label("doc.plan_class", lang),
            doc_label("doc.plan_fill_6h", lang),
            doc_label("doc.plan_fill_2d", lang),
        ]
    ]
    for c in data.classes:
        rows.append(
            [
                c.service_class,
                f"{format_percent(c.replacement_before)} → {format_percent(c.replacement_after)}",
                f"{format_percent(c.spare_before)} → {format_percent(c.spare_after)}",
            ]
        )
    third = CONTENT_WIDTH / 3
    return grid_table(rows, [third, third, third], styles)


def _map(data: PlanReportData) -> Drawing:
    """Sites on a longitude/latitude frame of China's extent, coloured by fill rate."""
    width, height = CONTENT_WIDTH, 62 * mm
    drawing = Drawing(width, height)
    drawing.initialFontName = LATIN_FONT
    drawing.add(Rect(0, 0, width, height, strokeColor=colors.lightgrey, fillColor=None))
    for lat, lon, rate in data.sites:
        x = (lon - 73) / (135 - 73) * width
        y = (lat - 18) / (54 - 18) * height
        colour = next((c for floor, c in BANDS if rate >= floor), LOW_COLOUR)
        drawing.add(Circle(x, y, 2.5, fillColor=colour, strokeColor=colour))
    return drawing


def _moves(data: PlanReportData, lang: str, styles) -> Flowable:
    rows: list[list[object]] = [
        [
            doc_label("doc.plan_move_kind", lang),
            doc_label("doc.part_number", lang),
            doc_label("doc.plan_from", lang),
            doc_label("doc.plan_to", lang),
            doc_label("doc.quantity", lang),
        ]
    ]
    for m in data.moves:
        rows.append(
            [
                coded_label("plan_move", m.kind, lang),
                m.part_number,
                m.origin or doc_label("doc.plan_supplier", lang),
                m.destination or doc_label("doc.plan_centre", lang),
                str(m.qty),
            ]
        )
    w = CONTENT_WIDTH
    return grid_table(rows, [0.16 * w, 0.36 * w, 0.18 * w, 0.18 * w, 0.12 * w], styles)
