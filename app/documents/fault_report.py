"""故障处理报告 / Fault Handling Report for a closed ticket."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.documents.data import ClockOutcome, FaultReportData, PartUsed
from app.documents.formatting import format_duration
from app.documents.labels import coded_label, doc_label, normalise_lang
from app.documents.layout import (
    CONTENT_WIDTH,
    MET_COLOUR,
    MISSED_COLOUR,
    Styles,
    build_pdf,
    field_grid,
    grid_table,
    make_styles,
    para,
    signature_block,
)
from app.formatting import format_deadline, format_moment


def render_fault_report(data: FaultReportData, lang: str = "zh") -> bytes:
    """What happened on one ticket, whether each service clock was met, and what was used."""
    lang = normalise_lang(lang)
    styles = make_styles()
    tz = data.timezone
    title = doc_label("doc.fault_report_title", lang)
    duration = (data.closed_at - data.opened_at).total_seconds() / 60 if data.closed_at else None
    story: list[Flowable] = [
        para(title, styles.title),
        para(data.ticket_number, styles.heading),
        field_grid(
            [
                (doc_label("doc.ticket_number", lang), data.ticket_number),
                (doc_label("doc.rma_number", lang), data.rma_number),
                (doc_label("doc.customer", lang), data.customer),
                (doc_label("doc.site", lang), data.site),
                (doc_label("doc.equipment", lang), data.equipment_model),
                (doc_label("doc.serial", lang), data.equipment_serial),
                (doc_label("doc.severity", lang), coded_label("sev", data.severity, lang)),
                (
                    doc_label("doc.channel", lang),
                    coded_label("chan", data.channel, lang) if data.channel else None,
                ),
                (doc_label("doc.opened_at", lang), format_moment(data.opened_at, tz, lang)),
                (doc_label("doc.closed_at", lang), format_moment(data.closed_at, tz, lang)),
                (doc_label("doc.duration", lang), format_duration(duration, lang)),
                (doc_label("doc.confirmed_by", lang), data.confirmed_by),
            ],
            styles,
        ),
        Spacer(1, 3 * mm),
        grid_table(
            [
                [doc_label("doc.symptom", lang), data.symptom],
                [doc_label("doc.root_cause", lang), data.root_cause],
            ],
            [CONTENT_WIDTH * 0.17, CONTENT_WIDTH * 0.83],
            styles,
            header_rows=0,
            label_cells=[(0, 0), (0, 1)],
        ),
        para(doc_label("doc.timeline", lang), styles.heading),
        _timeline(data, lang, styles),
        para(doc_label("doc.clocks", lang), styles.heading),
        _clocks(data, lang, styles),
        para(doc_label("doc.actions", lang), styles.heading),
        _actions(data, lang, styles),
        para(doc_label("doc.parts_used", lang), styles.heading),
        parts_table(data.parts_used, lang, styles),
        signature_block(
            doc_label("doc.engineer_signature", lang),
            doc_label("doc.customer_signature", lang),
            lang,
            styles,
        ),
    ]
    return build_pdf(story, title=f"{title} {data.ticket_number}", lang=lang, timezone=tz)


def _timeline(data: FaultReportData, lang: str, styles: Styles) -> Flowable:
    rows: list[list[object]] = [
        [
            doc_label("doc.time", lang),
            doc_label("doc.event", lang),
            doc_label("doc.actor", lang),
            doc_label("doc.note", lang),
        ]
    ]
    for event in sorted(data.events, key=lambda e: e.at):
        rows.append(
            [
                format_moment(event.at, data.timezone, lang),
                coded_label("evt", event.event, lang),
                event.actor,
                event.note,
            ]
        )
    if not data.events:
        rows.append([None, None, None, None])
    widths = [w * CONTENT_WIDTH for w in (0.19, 0.25, 0.14, 0.42)]
    return grid_table(rows, widths, styles)


def clock_verdict(outcome: ClockOutcome, lang: str) -> str:
    """ "Met, 12 min to spare" / "Missed by 25 min" / "Missed" (never satisfied)."""
    margin = outcome.margin_minutes
    if margin is None:
        return doc_label("doc.missed_never", lang)
    if outcome.met:
        return doc_label("doc.met_margin", lang, d=format_duration(margin, lang))
    return doc_label("doc.missed_margin", lang, d=format_duration(-margin, lang))


def _clocks(data: FaultReportData, lang: str, styles: Styles) -> Flowable:
    rows: list[list[object]] = [
        [
            doc_label("doc.clock", lang),
            doc_label("doc.due_at", lang),
            doc_label("doc.completed_at", lang),
            doc_label("doc.result", lang),
        ]
    ]
    for outcome in data.clocks:
        colour = MET_COLOUR if outcome.met else MISSED_COLOUR
        rows.append(
            [
                coded_label("clk", outcome.clock, lang),
                format_deadline(outcome.due_at, data.timezone, lang),
                format_moment(outcome.completed_at, data.timezone, lang),
                para(clock_verdict(outcome, lang), styles.cell_label, colour=colour),
            ]
        )
    if not data.clocks:
        rows.append([None, None, None, None])
    widths = [w * CONTENT_WIDTH for w in (0.25, 0.2, 0.2, 0.35)]
    return grid_table(rows, widths, styles)


def _actions(data: FaultReportData, lang: str, styles: Styles) -> Flowable:
    rows: list[list[object]] = [[str(n), text] for n, text in enumerate(data.actions, start=1)]
    if not rows:
        rows = [["", None]]
    return grid_table(rows, [8 * mm, CONTENT_WIDTH - 8 * mm], styles, header_rows=0)


def parts_table(parts_used: Sequence[PartUsed], lang: str, styles: Styles) -> Flowable:
    """Part, description, quantity, serial installed and serial removed, one row each."""
    rows: list[list[object]] = [
        [
            doc_label("doc.part_number", lang),
            doc_label("doc.description", lang),
            doc_label("doc.quantity", lang),
            doc_label("doc.installed_serial", lang),
            doc_label("doc.removed_serial", lang),
        ]
    ]
    for part in parts_used:
        rows.append(
            [
                part.part_number,
                part.description,
                str(part.quantity),
                part.installed_serial,
                part.removed_serial,
            ]
        )
    if not parts_used:
        rows.append([None, None, None, None, None])
    widths = [w * CONTENT_WIDTH for w in (0.18, 0.30, 0.08, 0.22, 0.22)]
    return grid_table(rows, widths, styles)
