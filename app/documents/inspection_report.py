"""巡检报告 / Inspection Report: one preventive inspection visit — the checklist with its
results against the expected values, the findings and the tickets they opened, the
recommendations, the training, and the customer's signature."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.platypus import Flowable
from sqlalchemy.orm import Session

from app.documents.labels import coded_label, doc_label, normalise_lang
from app.documents.layout import (
    CONTENT_WIDTH,
    MET_COLOUR,
    MISSED_COLOUR,
    build_pdf,
    drawn_signature_block,
    field_grid,
    grid_table,
    make_styles,
    para,
)
from app.formatting import format_deadline, format_moment
from inventory import inspections
from models import Inspection


@dataclass(frozen=True)
class CheckRow:
    group: str  # software | hardware | environment
    item: str
    expected: str
    outcome: str | None  # pass | fail | na; None: not answered
    reading: str | None


@dataclass(frozen=True)
class FindingRow:
    text: str
    severity: str
    ticket_number: str | None


@dataclass(frozen=True)
class InspectionReportData:
    number: str  # INS-YYYY-NNNNNN
    contract: str
    customer: str
    site: str
    period: str
    mode: str  # on_site | phone
    engineer: str | None
    arrived_at: datetime | None
    signed_at: datetime | None
    signer_name: str | None
    signature_png: bytes | None
    report_due: datetime | None
    report_issued_at: datetime | None
    training: bool
    training_given: bool
    checks: tuple[CheckRow, ...]
    findings: tuple[FindingRow, ...]
    notes: str | None
    recommendations: str | None
    timezone: str = "Asia/Shanghai"


def inspection_report_for(session: Session, row: Inspection, lang: str) -> InspectionReportData:
    """The report's data from the stored inspection."""
    results = {r["key"]: r for r in row.results or []}
    customer = row.site.customer
    return InspectionReportData(
        number=row.number,
        contract=row.contract.code,
        customer=(customer.name_en or customer.name) if lang == "en" else customer.name,
        site=f"{row.site.name} · {row.site.address}",
        period=row.period,
        mode=row.programme.mode,
        engineer=row.engineer.name if row.engineer else None,
        arrived_at=row.arrived_at,
        signed_at=row.signed_at,
        signer_name=row.signer_name,
        signature_png=row.signature_png,
        report_due=row.report_due,
        report_issued_at=row.report_issued_at,
        training=row.programme.training,
        training_given=row.training_given,
        checks=tuple(
            CheckRow(
                item.group,
                item.item,
                item.expected,
                results.get(item.key, {}).get("outcome"),
                results.get(item.key, {}).get("reading"),
            )
            for item in inspections.checklist_of(session, row)
        ),
        findings=tuple(
            FindingRow(f.text, f.severity, f.ticket.number if f.ticket else None)
            for f in row.findings
        ),
        notes=row.notes,
        recommendations=row.recommendations,
        timezone=row.site.timezone,
    )


def render_inspection_report(data: InspectionReportData, lang: str = "zh") -> bytes:
    lang = normalise_lang(lang)
    styles = make_styles()
    tz = data.timezone
    title = doc_label("doc.inspection_report_title", lang)
    yes, no = doc_label("doc.ins_yes", lang), doc_label("doc.ins_no", lang)
    training = doc_label("doc.ins_not_included", lang)
    if data.training:
        training = yes if data.training_given else no
    story: list[Flowable] = [
        para(title, styles.title),
        para(data.number, styles.heading),
        field_grid(
            [
                (doc_label("doc.ins_number", lang), data.number),
                (doc_label("doc.ins_contract", lang), data.contract),
                (doc_label("doc.customer", lang), data.customer),
                (doc_label("doc.site", lang), data.site),
                (doc_label("doc.ins_period", lang), data.period),
                (doc_label("doc.ins_mode", lang), coded_label("ins_mode", data.mode, lang)),
                (doc_label("doc.service_engineer", lang), data.engineer),
                (doc_label("doc.visit_arrived_at", lang), format_moment(data.arrived_at, tz, lang)),
                (doc_label("doc.ins_training", lang), training),
                (doc_label("doc.ins_report_due", lang), format_deadline(data.report_due, tz, lang)),
            ],
            styles,
        ),
        para(doc_label("doc.ins_checklist", lang), styles.heading),
        _checks(data, lang, styles),
        para(doc_label("doc.ins_findings", lang), styles.heading),
        _findings(data, lang, styles),
        para(doc_label("doc.ins_recommendations", lang), styles.heading),
        grid_table(
            [
                [doc_label("doc.ins_notes", lang), data.notes],
                [doc_label("doc.ins_recommendations", lang), data.recommendations],
            ],
            [CONTENT_WIDTH * 0.17, CONTENT_WIDTH * 0.83],
            styles,
            header_rows=0,
            label_cells=[(0, 0), (0, 1)],
        ),
        _signature(data, lang, styles),
    ]
    return build_pdf(story, title=f"{title} {data.number}", lang=lang, timezone=tz)


def _checks(data: InspectionReportData, lang: str, styles) -> Flowable:
    rows: list[list[object]] = [
        [
            doc_label("doc.ins_group", lang),
            doc_label("doc.ins_item", lang),
            doc_label("doc.ins_expected", lang),
            doc_label("doc.ins_reading", lang),
            doc_label("doc.ins_outcome", lang),
        ]
    ]
    extra = []
    for i, c in enumerate(data.checks, start=1):
        outcome = coded_label("ins_outcome", c.outcome, lang) if c.outcome else "—"
        rows.append(
            [coded_label("ins_group", c.group, lang), c.item, c.expected, c.reading, outcome]
        )
        if c.outcome == "fail":
            extra.append(("TEXTCOLOR", (4, i), (4, i), MISSED_COLOUR))
        elif c.outcome == "pass":
            extra.append(("TEXTCOLOR", (4, i), (4, i), MET_COLOUR))
    if not data.checks:
        rows.append([None] * 5)
    widths = [w * CONTENT_WIDTH for w in (0.14, 0.32, 0.2, 0.2, 0.14)]
    return grid_table(rows, widths, styles, extra_style=extra)


def _findings(data: InspectionReportData, lang: str, styles) -> Flowable:
    rows: list[list[object]] = [
        [
            doc_label("doc.ins_finding", lang),
            doc_label("doc.severity", lang),
            doc_label("doc.ticket_number", lang),
        ]
    ]
    for f in data.findings:
        rows.append([f.text, coded_label("sev", f.severity, lang), f.ticket_number])
    if not data.findings:
        rows.append([doc_label("doc.ins_no_findings", lang), None, None])
    widths = [w * CONTENT_WIDTH for w in (0.6, 0.15, 0.25)]
    return grid_table(rows, widths, styles)


def _signature(data: InspectionReportData, lang: str, styles) -> Flowable:
    issued = format_moment(data.report_issued_at, data.timezone, lang)
    return drawn_signature_block(
        data.signature_png,
        data.signer_name,
        data.signed_at,
        data.engineer,
        f"{doc_label('doc.ins_issued_at', lang)}: {issued}",
        data.timezone,
        lang,
        styles,
    )
