"""备件规划方案 / Service-Parts Plan for management: the curve, the classes, the map, top moves."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer

from app.documents.charts import value_axis
from app.documents.data import PlanReportData
from app.documents.fonts import LATIN_FONT, font_for
from app.documents.labels import coded_label, doc_label, normalise_lang
from app.documents.layout import (
    CONTENT_WIDTH,
    build_pdf,
    field_grid,
    grid_table,
    make_styles,
    para,
)
from app.formatting import format_moment, format_money, format_number, format_percent

LINE_COLOUR = colors.HexColor("#2F6DB5")
NOW_COLOUR = colors.HexColor("#B3261E")
BANDS = ((0.95, colors.HexColor("#1B7F3B")), (0.8, colors.HexColor("#D4A72C")))
LOW_COLOUR = colors.HexColor("#B3261E")
OUTLINE_COLOUR = colors.HexColor("#9AA4AE")
DEPOT_COLOUR = colors.HexColor("#4A4A4A")
# the bundled province outline the page's map draws (app/static/geo/README.md)
OUTLINE = Path(__file__).resolve().parents[1] / "static" / "geo" / "china-provinces.geojson"
OUTLINE_STRIDE = 4
LAT_RANGE, LON_RANGE = (3.4, 53.6), (73.5, 135.1)  # every island and the maritime line


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
                    format_moment(data.generated_at, data.timezone, lang),
                ),
                (
                    doc_label("doc.plan_value_now", lang),
                    format_money(data.stock_value_current, lang),
                ),
                (
                    doc_label("doc.plan_value_after", lang),
                    format_money(data.stock_value_recommended, lang),
                ),
                (
                    doc_label("doc.plan_fill_6h", lang),
                    f"{format_percent(data.fill_before, lang)} → {format_percent(data.fill_after, lang)}",
                ),
                *(
                    [
                        (
                            doc_label("doc.plan_fill_2d", lang),
                            f"{format_percent(data.spare_before, lang)} → "
                            f"{format_percent(data.spare_after, lang)}",
                        )
                    ]
                    if data.spare_before is not None and data.spare_after is not None
                    else []
                ),
            ],
            styles,
        ),
        para(doc_label("doc.plan_curve", lang), styles.heading),
        _curve(data, lang),
        para(doc_label("doc.plan_by_class", lang), styles.heading),
        _classes(data, lang, styles),
        para(doc_label("doc.plan_map", lang), styles.heading),
        _map(data),
        CondPageBreak(30 * mm),  # the moves' heading never alone at the foot of a page
        para(doc_label("doc.plan_moves", lang, n=data.moves_total), styles.heading),
        _moves(data, lang, styles),
    ]
    return build_pdf(story, title=f"{title} {data.run_id}", lang=lang, timezone=data.timezone)


def _curve(data: PlanReportData, lang: str) -> Drawing:
    width, height, pad = CONTENT_WIDTH, 60 * mm, 28
    drawing = Drawing(width, height)
    drawing.initialFontName = LATIN_FONT
    top, off_axis = value_axis([v for v, _ in data.curve], data.current[0])

    def xy(value: float, rate: float) -> tuple[float, float]:
        return pad + (width - 2 * pad) * min(value, top) / top, pad + (height - 2 * pad) * rate

    drawing.add(Line(pad, pad, width - pad, pad, strokeColor=colors.grey))
    drawing.add(Line(pad, pad, pad, height - pad, strokeColor=colors.grey))
    for k in range(5):
        x, _ = xy(top * k / 4, 0)
        drawing.add(
            String(
                x,
                pad - 12,
                format_number(top * k / 4, lang),
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
    if off_axis:  # today's value is far right of the curves: at the axis end, labelled
        label = doc_label(
            "doc.plan_now_off_axis", lang, value=format_money(data.current[0], lang, whole=True)
        )
        below = cy > height / 2  # keep the label inside the drawing
        drawing.add(
            String(
                cx - 6,
                cy - 12 if below else cy + 7,
                label,
                fontName=font_for(label),
                fontSize=7,
                fillColor=NOW_COLOUR,
                textAnchor="end",
            )
        )
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
                f"{format_percent(c.replacement_before, lang)} → {format_percent(c.replacement_after, lang)}",
                f"{format_percent(c.spare_before, lang)} → {format_percent(c.spare_after, lang)}",
            ]
        )
    third = CONTENT_WIDTH / 3
    return grid_table(rows, [third, third, third], styles)


@lru_cache(maxsize=1)
def _outline() -> tuple[tuple[tuple[float, float], ...], ...]:
    """The province outline as (lon, lat) polylines (rings and the maritime line)."""
    lines = []
    for feature in json.loads(OUTLINE.read_text(encoding="utf-8"))["features"]:
        geometry = feature["geometry"]
        if geometry["type"] == "MultiPolygon":
            rings = [ring for polygon in geometry["coordinates"] for ring in polygon]
        elif geometry["type"] == "Polygon":
            rings = list(geometry["coordinates"])
        else:  # the maritime boundary: MultiLineString
            rings = list(geometry["coordinates"])
        for ring in rings:
            # about 1.5 mm a degree on paper: every OUTLINE_STRIDE-th vertex is plenty
            kept = ring[::OUTLINE_STRIDE] + ring[-1:] if len(ring) > 4 * OUTLINE_STRIDE else ring
            if len(kept) > 1:
                lines.append(tuple((lon, lat) for lon, lat, *_ in kept))
    return tuple(lines)


def _map(data: PlanReportData) -> Drawing:
    """Sites on the province outline (equirectangular, the whole country with its islands),
    coloured by fill rate; the depots that stock a part after the plan as grey squares."""
    height = 88 * mm
    lat0, lat1 = LAT_RANGE
    lon0, lon1 = LON_RANGE
    # one degree of longitude is cos(latitude) of one of latitude: true shape at 30° N
    y_per_deg = height / (lat1 - lat0)
    x_per_deg = y_per_deg * math.cos(math.radians(30))
    map_width = (lon1 - lon0) * x_per_deg
    left = (CONTENT_WIDTH - map_width) / 2
    drawing = Drawing(CONTENT_WIDTH, height)
    drawing.initialFontName = LATIN_FONT

    def xy(lat: float, lon: float) -> tuple[float, float]:
        lat = min(max(lat, lat0), lat1)
        lon = min(max(lon, lon0), lon1)
        return left + (lon - lon0) * x_per_deg, (lat - lat0) * y_per_deg

    drawing.add(Rect(left, 0, map_width, height, strokeColor=colors.lightgrey, fillColor=None))
    for line in _outline():
        points = [c for lon, lat in line for c in xy(lat, lon)]
        drawing.add(PolyLine(points, strokeColor=OUTLINE_COLOUR, strokeWidth=0.3))
    for lat, lon in data.depots:
        x, y = xy(lat, lon)
        drawing.add(Rect(x - 3, y - 3, 6, 6, fillColor=DEPOT_COLOUR, strokeColor=DEPOT_COLOUR))
    for lat, lon, rate in data.sites:
        x, y = xy(lat, lon)
        colour = next((c for floor, c in BANDS if rate >= floor), LOW_COLOUR)
        drawing.add(Circle(x, y, 2.5, fillColor=colour, strokeColor=colors.white, strokeWidth=0.4))
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
