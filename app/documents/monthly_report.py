"""月度服务报告 / Monthly Service Report for one customer, with charts."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from app.documents.charts import bar_chart
from app.documents.data import MonthlyReportData, OverdueReturn
from app.documents.formatting import format_duration
from app.documents.labels import coded_label, doc_label, normalise_lang
from app.documents.layout import (
    CONTENT_WIDTH,
    Styles,
    build_pdf,
    field_grid,
    grid_table,
    make_styles,
    para,
    styled_table,
)
from app.formatting import (
    format_deadline,
    format_moment,
    format_month,
    format_percent,
    format_score,
)
from inventory.indicators import SEVERITIES, Rate

SEVERITY_COLOURS = {
    "P1": colors.HexColor("#B3261E"),
    "P2": colors.HexColor("#E8710A"),
    "P3": colors.HexColor("#F2B705"),
    "P4": colors.HexColor("#7A8B99"),
}
CHART_WIDTH = CONTENT_WIDTH * 0.58
TABLE_WIDTH = CONTENT_WIDTH - CHART_WIDTH - 4 * mm


def render_monthly_report(data: MonthlyReportData, lang: str = "zh") -> bytes:
    """Tickets, SLA attainment, restore times, overdue returns and satisfaction of one month."""
    lang = normalise_lang(lang)
    styles = make_styles()
    title = doc_label("doc.monthly_report_title", lang)
    period = format_month(data.year, data.month, lang)
    story: list[Flowable] = [
        para(title, styles.title),
        Spacer(1, 2 * mm),
        field_grid(
            [
                (doc_label("doc.customer", lang), data.customer),
                (doc_label("doc.period", lang), period),
                (
                    doc_label("doc.generated_at", lang),
                    format_moment(data.generated_at, data.timezone, lang),
                ),
            ],
            styles,
        ),
        para(doc_label("doc.summary", lang), styles.heading),
        _summary(data, lang, styles),
        _section(
            doc_label("doc.tickets_by_severity", lang), _severity_chart(data, lang, styles), styles
        ),
        _section(doc_label("doc.sla_attainment", lang), _sla_chart(data, lang, styles), styles),
        _section(
            doc_label("doc.mttr_by_severity", lang), _restore_table(data, lang, styles), styles
        ),
        _section(
            doc_label("doc.overdue_returns", lang), _overdue_table(data, lang, styles), styles
        ),
        _section(
            doc_label("doc.satisfaction", lang), _satisfaction_chart(data, lang, styles), styles
        ),
    ]
    return build_pdf(
        story, title=f"{title} {data.customer} {period}", lang=lang, timezone=data.timezone
    )


def overall_attainment(data: MonthlyReportData) -> float | None:
    """Share of all clock deadlines met in the month, 0.0–1.0; None if none ran."""
    clocks = data.sla_attainment
    return Rate(sum(c.met for c in clocks), sum(c.total for c in clocks)).rate


def _section(heading: str, body: Flowable, styles: Styles) -> Flowable:
    return KeepTogether([para(heading, styles.heading), body])


def _summary(data: MonthlyReportData, lang: str, styles: Styles) -> Flowable:
    return field_grid(
        [
            (doc_label("doc.tickets_total", lang), str(data.tickets_total)),
            (doc_label("doc.tickets_closed", lang), data.tickets_closed),
            (doc_label("doc.sla_overall", lang), format_percent(overall_attainment(data), lang)),
            (doc_label("doc.mttr", lang), format_duration(data.mean_time_to_restore_minutes, lang)),
            (doc_label("doc.overdue_count", lang), str(len(data.overdue_returns))),
            (
                doc_label("doc.satisfaction_overall", lang),
                format_score(data.satisfaction.overall, lang),
            ),
        ],
        styles,
    )


def _side_by_side(chart: Flowable, table: Flowable | list[Flowable]) -> Flowable:
    return styled_table(
        [[chart, table]],
        [CHART_WIDTH + 4 * mm, TABLE_WIDTH],
        [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ],
    )


def _severity_keys(data: MonthlyReportData) -> list[str]:
    extra = sorted(k for k in data.tickets_by_severity if k not in SEVERITIES)
    return [*SEVERITIES, *extra]


def _severity_chart(data: MonthlyReportData, lang: str, styles: Styles) -> Flowable:
    keys = _severity_keys(data)
    counts = [data.tickets_by_severity.get(k, 0) for k in keys]
    chart = bar_chart(
        keys,
        counts,
        width=CHART_WIDTH,
        height=52 * mm,
        bar_colours=[SEVERITY_COLOURS.get(k, colors.grey) for k in keys],
    )
    rows: list[list[object]] = [[doc_label("doc.severity", lang), doc_label("doc.tickets", lang)]]
    rows += [[coded_label("sev", k, lang), str(n)] for k, n in zip(keys, counts, strict=True)]
    return _side_by_side(chart, grid_table(rows, [TABLE_WIDTH * 0.72, TABLE_WIDTH * 0.28], styles))


def _sla_chart(data: MonthlyReportData, lang: str, styles: Styles) -> Flowable:
    names = [coded_label("clk", c.clock, lang) for c in data.sla_attainment]
    rates = [(c.rate or 0.0) * 100 for c in data.sla_attainment]
    height = max(30 * mm, (12 + 9 * len(names)) * mm)
    chart = bar_chart(
        names,
        rates,
        width=CHART_WIDTH,
        height=height,
        value_max=100,
        value_step=20,
        value_format="%.0f%%",
        axis_format="%d%%",
        horizontal=True,
    )
    rows: list[list[object]] = [[doc_label("doc.clock", lang), doc_label("doc.met_of_total", lang)]]
    rows += [
        [name, f"{c.met} / {c.total} ({format_percent(c.rate, lang)})"]
        for name, c in zip(names, data.sla_attainment, strict=True)
    ]
    if not data.sla_attainment:
        rows.append([None, None])
    return _side_by_side(chart, grid_table(rows, [TABLE_WIDTH * 0.45, TABLE_WIDTH * 0.55], styles))


def _restore_table(data: MonthlyReportData, lang: str, styles: Styles) -> Flowable:
    rows: list[list[object]] = [
        [
            doc_label("doc.severity", lang),
            doc_label("doc.tickets", lang),
            doc_label("doc.mttr", lang),
        ]
    ]
    for key in _severity_keys(data):
        rows.append(
            [
                coded_label("sev", key, lang),
                str(data.tickets_by_severity.get(key, 0)),
                format_duration(data.restore_minutes_by_severity.get(key), lang),
            ]
        )
    rows.append(
        [doc_label("doc.all_tickets", lang), str(data.tickets_total),
         format_duration(data.mean_time_to_restore_minutes, lang)]
    )  # fmt: skip
    widths = [w * CONTENT_WIDTH for w in (0.45, 0.2, 0.35)]
    return grid_table(rows, widths, styles, label_cells=[(0, len(rows) - 1)])


def overdue_minutes(item: OverdueReturn, as_of: datetime | None) -> float | None:
    """How late the return was (or still is, as of ``as_of``), in minutes."""
    end = item.returned_at or as_of
    return (end - item.return_deadline).total_seconds() / 60 if end else None


def _overdue_table(data: MonthlyReportData, lang: str, styles: Styles) -> Flowable:
    if not data.overdue_returns:
        return para(doc_label("doc.no_overdue", lang), styles.body)
    rows: list[list[object]] = [
        [
            doc_label("doc.rma_number", lang),
            doc_label("doc.part_number", lang),
            doc_label("doc.serial", lang),
            doc_label("doc.return_deadline", lang),
            doc_label("doc.returned_at", lang),
            doc_label("doc.overdue_by", lang),
        ]
    ]
    for item in sorted(data.overdue_returns, key=lambda r: r.return_deadline):
        returned = (
            format_moment(item.returned_at, data.timezone, lang)
            if item.returned_at
            else doc_label("doc.outstanding", lang)
        )
        rows.append(
            [
                item.rma_number,
                item.part_number,
                item.serial,
                format_deadline(item.return_deadline, data.timezone, lang),
                returned,
                format_duration(overdue_minutes(item, data.generated_at), lang),
            ]
        )
    widths = [w * CONTENT_WIDTH for w in (0.19, 0.14, 0.17, 0.18, 0.18, 0.14)]
    return grid_table(rows, widths, styles)


def _satisfaction_chart(data: MonthlyReportData, lang: str, styles: Styles) -> Flowable:
    scores = data.satisfaction
    names = [
        doc_label("doc.sat_response_time", lang),
        doc_label("doc.sat_quality", lang),
        doc_label("doc.sat_attitude", lang),
        doc_label("doc.sat_overall", lang),
    ]
    values = [scores.response_time, scores.quality_of_work, scores.attitude, scores.overall]
    chart = bar_chart(
        names,
        [v or 0.0 for v in values],
        width=CHART_WIDTH,
        height=52 * mm,
        value_max=5,
        value_step=1,
        value_format="%.1f",
    )
    rows: list[list[object]] = [[doc_label("doc.sat_question", lang), doc_label("doc.score", lang)]]
    rows += [[n, format_score(v, lang)] for n, v in zip(names, values, strict=True)]
    table = [
        grid_table(rows, [TABLE_WIDTH * 0.7, TABLE_WIDTH * 0.3], styles),
        Spacer(1, 2 * mm),
        para(doc_label("doc.responses", lang, n=scores.responses), styles.small),
    ]
    return _side_by_side(chart, table)
