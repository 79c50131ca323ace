"""技术服务单 / Technical Service Sheet: one visit, signed by the customer on site."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.documents.data import ServiceSheetData
from app.documents.fault_report import parts_table
from app.documents.labels import coded_label, doc_label, normalise_lang
from app.documents.layout import (
    CONTENT_WIDTH,
    build_pdf,
    drawn_signature_block,
    field_grid,
    grid_table,
    make_styles,
    para,
)
from app.formatting import format_moment


def render_service_sheet(data: ServiceSheetData, lang: str = "zh") -> bytes:
    """The visit's times, the work done, parts in and out, open issues and the customer's
    signature image."""
    lang = normalise_lang(lang)
    styles = make_styles()
    tz = data.timezone
    title = doc_label("doc.service_sheet_title", lang)
    story: list[Flowable] = [
        para(title, styles.title),
        para(data.sheet_number, styles.heading),
        field_grid(
            [
                (doc_label("doc.sheet_number", lang), data.sheet_number),
                (doc_label("doc.ticket_number", lang), data.ticket_number),
                (doc_label("doc.customer", lang), data.customer),
                (doc_label("doc.site", lang), data.site),
                (doc_label("doc.contact", lang), data.contact),
                (doc_label("doc.service_engineer", lang), data.engineer),
                (doc_label("doc.equipment", lang), data.equipment_model),
                (doc_label("doc.serial", lang), data.equipment_serial),
                (doc_label("doc.severity", lang), coded_label("sev", data.severity, lang)),
                (doc_label("doc.opened_at", lang), format_moment(data.reported_at, tz, lang)),
            ],
            styles,
        ),
        para(doc_label("doc.visit", lang), styles.heading),
        field_grid(
            [
                (doc_label("doc.visit_arrived_at", lang), format_moment(data.arrived_at, tz, lang)),
                (
                    doc_label("doc.visit_arrived_device_at", lang),
                    format_moment(data.arrived_device_at, tz, lang),
                ),
                (doc_label("doc.signed_at", lang), format_moment(data.signed_at, tz, lang)),
                (
                    doc_label("doc.photos_taken", lang),
                    doc_label("doc.photo_count", lang, n=data.photo_count),
                ),
            ],
            styles,
        ),
        Spacer(1, 3 * mm),
        grid_table(
            [
                [doc_label("doc.symptom", lang), data.symptom],
                [doc_label("doc.diagnosis", lang), data.diagnosis],
                [doc_label("doc.work_done", lang), data.actions],
                [doc_label("doc.open_issues", lang), data.open_issues],
            ],
            [CONTENT_WIDTH * 0.17, CONTENT_WIDTH * 0.83],
            styles,
            header_rows=0,
            label_cells=[(0, r) for r in range(4)],
        ),
        para(doc_label("doc.parts_in_out", lang), styles.heading),
        parts_table(data.parts, lang, styles),
    ]
    if data.observation_until is not None:
        story += [
            para(doc_label("doc.observation", lang), styles.heading),
            para(
                doc_label(
                    "doc.observation_until", lang, t=format_moment(data.observation_until, tz, lang)
                ),
                styles.body,
            ),
        ]
    story.append(_signature(data, lang, styles))
    return build_pdf(story, title=f"{title} {data.sheet_number}", lang=lang, timezone=tz)


def _signature(data: ServiceSheetData, lang: str, styles) -> Flowable:
    """The customer's drawn signature with their name and the time, beside the engineer's."""
    return drawn_signature_block(
        data.signature_png,
        data.signer_name,
        data.signed_at,
        data.engineer,
        f"{doc_label('doc.date', lang)}: {format_moment(data.signed_at, data.timezone, lang)}",
        data.timezone,
        lang,
        styles,
    )
