"""Bar charts for the reports (reportlab graphics), labelled in either language."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors

from app.documents.fonts import LATIN_FONT, font_for

BAR_COLOUR = colors.HexColor("#2F6DB5")
# today's stock value beyond this many times the plan curves' is drawn at the axis edge
OFF_CHART = 2.0
GRID_COLOUR = colors.HexColor("#DDDDDD")


def bar_chart(
    categories: Sequence[str],
    values: Sequence[float],
    *,
    width: float,
    height: float,
    value_max: float | None = None,
    value_step: float | None = None,
    value_format: str = "%d",
    axis_format: str | None = None,
    bar_colours: Sequence[colors.Color] | None = None,
    horizontal: bool = False,
) -> Drawing:
    """One series of bars (sizes in points), each bar labelled with its value.

    ``value_max`` fixes the scale (e.g. 5 for survey scores, 100 for percentages);
    otherwise it fits the largest value, and an all-zero chart still draws its axes.
    """
    drawing = Drawing(width, height)
    drawing.initialFontName = LATIN_FONT  # never reportlab's unembedded default face
    chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    label_font = font_for("".join(categories))
    if horizontal:
        longest = max((len(c) for c in categories), default=4)
        left = min(width * 0.45, 12 + longest * (9 if label_font != LATIN_FONT else 5))
        chart.x, chart.y = left, 16
        chart.width, chart.height = width - left - 24, height - 24
    else:
        chart.x, chart.y = 30, 22
        chart.width, chart.height = width - 40, height - 36
    chart.data = [list(values)]
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.labels.fontName = label_font
    chart.categoryAxis.labels.fontSize = 8
    if horizontal:
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dx = -4
        chart.categoryAxis.reverseDirection = True  # first category on top
    chart.valueAxis.valueMin = 0
    top = value_max if value_max is not None else max(max(values, default=0) * 1.15, 1)
    chart.valueAxis.valueMax = top
    if value_step is not None:
        chart.valueAxis.valueStep = value_step
    elif value_max is None and top <= 5:
        chart.valueAxis.valueStep = 1
    if axis_format is not None:
        chart.valueAxis.labelTextFormat = axis_format
    chart.valueAxis.labels.fontName = LATIN_FONT
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID_COLOUR
    chart.valueAxis.gridStrokeWidth = 0.5
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = BAR_COLOUR
    for index, colour in enumerate(bar_colours or ()):
        chart.bars[(0, index)].fillColor = colour
    chart.barLabelFormat = value_format
    chart.barLabels.fontName = LATIN_FONT
    chart.barLabels.fontSize = 8
    chart.barLabels.nudge = 13 if horizontal else 7
    chart.groupSpacing = 8
    drawing.add(chart)
    return drawing


def value_axis(curve_values: Sequence[float], current: float) -> tuple[float, bool]:
    """The stock-value axis of a service-versus-value chart: its end, and whether today's
    value lies off it. Today's stock far beyond every curve would squeeze the curves
    against the axis, so the axis then ends a little past the curves and today's point
    is drawn at its edge, labelled (the planning page and the plan PDF)."""
    top = max([1.0, *curve_values])
    if current > OFF_CHART * top:
        return top * 1.15, True
    return max(top, current), False
