"""季度服务档案 / Quarterly service file and 年度服务总结 / Annual service summary.

The summary pages are drawn here from ``ServiceFileData``; ``bundle`` puts the quarter's
fault handling reports (each rendered by app/documents/fault_report.py) behind them in one
PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from app.documents.charts import bar_chart
from app.documents.data import ServiceFileData
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
)
from app.formatting import (
    format_day,
    format_moment,
    format_month,
    format_percent,
    format_score,
)


def _w(*shares: float) -> list[float]:
    return [s * CONTENT_WIDTH for s in shares]


def render_service_file(data: ServiceFileData, lang: str = "zh") -> bytes:
    """The summary pages of a quarterly file or an annual summary."""
    lang = normalise_lang(lang)
    styles = make_styles()
    quarterly = data.kind == "quarterly"
    if quarterly:
        title = doc_label("doc.sf_title_quarter", lang)
    else:
        title = doc_label("doc.sf_title_year", lang)
    fixed, restored = data.first_time_fix
    story: list[Flowable] = [
        para(title, styles.title),
        Spacer(1, 2 * mm),
        field_grid(
            [
                (doc_label("doc.customer", lang), data.customer),
                (
                    doc_label("doc.period", lang),
                    f"{data.period} ({format_day(data.first_day, lang)} – {format_day(data.last_day, lang)})",
                ),
                (
                    doc_label("doc.generated_at", lang),
                    format_moment(data.generated_at, data.timezone, lang),
                ),
                (doc_label("doc.sf_reports", lang), str(len(data.reports)) if quarterly else None),
            ],
            styles,
        ),
        para(doc_label("doc.summary", lang), styles.heading),
        field_grid(
            [
                (doc_label("doc.sf_tickets", lang), str(data.tickets)),
                (doc_label("doc.sf_restored", lang), str(data.restored)),
                (
                    doc_label("doc.sf_first_time_fix", lang),
                    f"{fixed} / {restored} ({format_percent(fixed / restored if restored else None, lang)})",
                ),
                (
                    doc_label("doc.satisfaction_overall", lang),
                    f"{format_score(data.satisfaction, lang)} ({doc_label('doc.responses', lang, n=data.satisfaction_responses)})",
                ),
                (doc_label("doc.sf_advance", lang), str(data.advance_replacements)),
                (
                    doc_label("doc.sf_returns", lang),
                    doc_label(
                        "doc.sf_returns_value", lang, back=data.returns_back, late=data.returns_late
                    ),
                ),
                (
                    doc_label("doc.sf_complaints", lang),
                    doc_label(
                        "doc.sf_complaints_value",
                        lang,
                        n=data.complaints,
                        closed=data.complaints_closed,
                    ),
                ),
            ],  # fmt: skip
            styles,
        ),
        _section(doc_label("doc.sf_by_severity", lang), _severity(data, lang, styles), styles),
        _section(doc_label("doc.sf_by_cause", lang), _causes(data, lang, styles), styles),
        _section(doc_label("doc.sf_clocks", lang), _clocks(data, lang, styles), styles),
        _section(doc_label("doc.sf_parts", lang), _parts(data, lang, styles), styles),
    ]
    if data.kind == "annual":
        story += [
            _section(doc_label("doc.sf_trends", lang), _trends(data, lang, styles), styles),
            _section(
                doc_label("doc.sf_inspections", lang), _inspections(data, lang, styles), styles
            ),
        ]
    else:
        story.append(
            _section(
                doc_label("doc.sf_report_list", lang), _report_list(data, lang, styles), styles
            )
        )
    return build_pdf(story, title=f"{title} {data.customer} {data.period}", lang=lang,
                     timezone=data.timezone)  # fmt: skip


def bundle(summary: bytes, reports: Sequence[bytes]) -> bytes:
    """One PDF: the summary pages, then each fault handling report in turn."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for pdf in (summary, *reports):
        writer.append(PdfReader(BytesIO(pdf)))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _section(heading: str, body: Flowable, styles: Styles) -> Flowable:
    return KeepTogether([para(heading, styles.heading), body])


def _severity(data: ServiceFileData, lang: str, styles: Styles) -> Flowable:
    rows: list[list[object]] = [
        [
            doc_label("doc.severity", lang),
            doc_label("doc.tickets", lang),
            doc_label("doc.mttr", lang),
        ]
    ]
    rows += [
        [coded_label("sev", sev, lang), str(n), format_duration(minutes, lang)]
        for sev, n, minutes in data.by_severity
    ]
    return grid_table(rows, _w(0.45, 0.2, 0.35), styles)


def _causes(data: ServiceFileData, lang: str, styles: Styles) -> Flowable:
    rows: list[list[object]] = [[doc_label("doc.sf_cause", lang), doc_label("doc.tickets", lang)]]
    rows += [
        [doc_label("doc.sf_cause_unknown", lang) if cause == "unknown" else cause, str(n)]
        for cause, n in data.by_cause
    ]
    if not data.by_cause:
        rows.append([None, None])
    return grid_table(rows, _w(0.7, 0.3), styles)


def _clocks(data: ServiceFileData, lang: str, styles: Styles) -> Flowable:
    rows: list[list[object]] = [
        [doc_label("doc.clock", lang), doc_label("doc.sf_met", lang),
         doc_label("doc.sf_missed", lang), doc_label("doc.sf_rate", lang)]
    ]  # fmt: skip
    for clock, met, missed in data.clocks:
        total = met + missed
        rows.append([coded_label("clk", clock, lang), str(met), str(missed),
                     format_percent(met / total if total else None, lang)])  # fmt: skip
    if not data.clocks:
        rows.append([None, None, None, None])
    return grid_table(rows, _w(0.4, 0.2, 0.2, 0.2), styles)


def _parts(data: ServiceFileData, lang: str, styles: Styles) -> Flowable:
    rows: list[list[object]] = [
        [doc_label("doc.part_number", lang), doc_label("doc.description", lang),
         doc_label("doc.quantity", lang)]
    ]  # fmt: skip
    rows += [[number, text, str(qty)] for number, text, qty in data.parts]
    if not data.parts:
        rows.append([None, None, None])
    return grid_table(rows, _w(0.3, 0.55, 0.15), styles)


def _report_list(data: ServiceFileData, lang: str, styles: Styles) -> Flowable:
    if not data.reports:
        return para(doc_label("doc.sf_no_reports", lang), styles.body)
    return para(" · ".join(data.reports), styles.body)


def _trends(data: ServiceFileData, lang: str, styles: Styles) -> Flowable:
    labels = [f"{m.month}" for m in data.months]
    chart = bar_chart(labels or ["-"], [m.tickets for m in data.months] or [0],
                      width=CONTENT_WIDTH, height=45 * mm)  # fmt: skip
    rows: list[list[object]] = [
        [doc_label("doc.sf_month", lang), doc_label("doc.sf_tickets", lang),
         doc_label("doc.sf_restored", lang), doc_label("doc.sf_rate", lang),
         doc_label("doc.mttr", lang), doc_label("doc.satisfaction_overall", lang)]
    ]  # fmt: skip
    for m in data.months:
        total = m.clocks_met + m.clocks_missed
        rows.append([format_month(m.year, m.month, lang), str(m.tickets), str(m.restored),
                     format_percent(m.clocks_met / total if total else None, lang),
                     format_duration(m.mean_restore_minutes, lang), format_score(m.satisfaction, lang)])  # fmt: skip
    if not data.months:
        rows.append([None] * 6)
    table = grid_table(rows, _w(0.16, 0.14, 0.14, 0.16, 0.22, 0.18), styles)
    return KeepTogether([chart, Spacer(1, 2 * mm), table])


def _inspections(data: ServiceFileData, lang: str, styles: Styles) -> Flowable:
    if not data.inspections:
        return para(doc_label("doc.sf_no_inspections", lang), styles.body)
    rows: list[list[object]] = [
        [doc_label("doc.sf_inspection", lang), doc_label("doc.sf_day", lang),
         doc_label("doc.site", lang), doc_label("doc.sf_findings", lang),
         doc_label("doc.sf_tickets_opened", lang), doc_label("doc.sf_report_issued", lang)]
    ]  # fmt: skip
    for i in data.inspections:
        rows.append([i.number, format_day(i.day, lang), i.site, str(i.findings), str(i.tickets),
                     format_moment(i.report_issued_at, data.timezone, lang)])  # fmt: skip
    return grid_table(rows, _w(0.2, 0.14, 0.26, 0.12, 0.12, 0.16), styles)
