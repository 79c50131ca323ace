"""故障处理报告 / Fault Handling Report for a closed ticket."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.documents.data import ClockOutcome, FaultReportData, PartUsed
from app.documents.formatting import format_deadline, format_duration, format_time
from app.documents.labels import coded_label, label, normalise_lang
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


def render_fault_report(data: FaultReportData, lang: str = "zh") -> bytes:
    """What happened on one ticket, whether each service clock was met, and what was used."""
    lang = normalise_lang(lang)
    styles = make_styles()
    tz = data.timezone
    title = label("fault_report_title", lang)
    duration = (data.closed_at - data.opened_at).total_seconds() / 60 if data.closed_at else None
    story: list[Flowable] = [
        para(title, styles.title),
        para(data.ticket_number, styles.heading),
        field_grid(
            [
                (label("ticket_number", lang), data.ticket_number),
                (label("rma_number", lang), data.rma_number),
                (label("customer", lang), data.customer),
                (label("site", lang), data.site),
                (label("equipment", lang), data.equipment_model),
                (label("serial", lang), data.equipment_serial),
                (label("severity", lang), coded_label("sev", data.severity, lang)),
                (
                    label("channel", lang),
                    coded_label("chan", data.channel, lang) if data.channel else None,
                ),
                (label("opened_at", lang), format_time(data.opened_at, tz)),
                (label("closed_at", lang), format_time(data.closed_at, tz)),
                (label("duration", lang), format_duration(duration, lang)),
                (label("confirmed_by", lang), data.confirmed_by),
            ],
            styles,
        ),
        Spacer(1, 3 * mm),
        grid_table(
            [[label("symptom", lang), data.symptom], [label("root_cause", lang), data.root_cause]],
            [CONTENT_WIDTH * 0.17, CONTENT_WIDTH * 0.83],
            styles,
            header_rows=0,
            label_cells=[(0, 0), (0, 1)],
        ),
        para(label("timeline", lang), styles.heading),
        _timeline(data, lang, styles),
        para(label("clocks", lang), styles.heading),
        _clocks(data, lang, styles),
        para(label("actions", lang), styles.heading),
        _actions(data, lang, styles),
        para(label("parts_used", lang), styles.heading),
        parts_table(data.parts_used, lang, styles),
        signature_block(
            label("engineer_signature", lang), label("customer_signature", lang), lang, styles
        ),
    ]
    return build_pdf(story, title=f"{title} {data.ticket_number}", lang=lang, timezone=tz)


def _timeline(data: FaultReportData, lang: str, styles: Styles) -> Flowable:
    rows: list[list[object]] = [
        [label("time", lang), label("event", lang), label("actor", lang), label("note", lang)]
    ]
    for event in sorted(data.events, key=lambda e: e.at):
        rows.append(
            [
                format_time(event.at, data.timezone),
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
        return label("missed_never", lang)
    if outcome.met:
        return label("met_margin", lang, d=format_duration(margin, lang))
    return label("missed_margin", lang, d=format_duration(-margin, lang))


def _clocks(data: FaultReportData, lang: str, styles: Styles) -> Flowable:
    rows: list[list[object]] = [
        [
            label("clock", lang),
            label("due_at", lang),
            label("completed_at", lang),
            label("result", lang),
        ]
    ]
    for outcome in data.clocks:
        colour = MET_COLOUR if outcome.met else MISSED_COLOUR
        rows.append(
            [
                coded_label("clk", outcome.clock, lang),
                format_deadline(outcome.due_at, data.timezone, lang),
                format_time(outcome.completed_at, data.timezone),
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
            label("part_number", lang),
            label("description", lang),
            label("quantity", lang),
            label("installed_serial", lang),
            label("removed_serial", lang),
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
