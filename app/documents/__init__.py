"""PDF documents (reportlab): each renderer takes plain data and returns PDF bytes.

Chinese ("zh", the default) or English ("en") is chosen by ``lang``; any other
language raises ValueError. Times print in ``data.timezone`` as YYYY-MM-DD HH:MM, deadlines
as people read them (``formatting.format_deadline``: "12月26日 24:00前").
``builders`` fills the data from the database; ``access`` says who may fetch which one.

Adding a document: its dataclass in ``data.py``, its words in ``labels.py`` (zh and en), a
``render_x(data, lang)`` module built from ``layout`` (``make_styles``, ``para``,
``field_grid``, ``grid_table`` whose rows continue on the next page, ``styled_table`` for
any other table, ``signature_block``, ``build_pdf``), never a bare reportlab ``Table`` or a
font name (``fonts`` embeds Vera and WenQuanYi Micro Hei; anything else would not be
embedded). Then list it in ``DOCUMENTS`` of tests/unit/test_documents.py (the font and
no-font rendering tests of tests/unit/test_document_fonts.py cover it from there) and in
``LONGEST`` of tests/unit/test_document_limits.py with every free-text field at its limit
from models/limits.py.
"""

from __future__ import annotations

from app.documents.fault_report import render_fault_report
from app.documents.monthly_report import render_monthly_report
from app.documents.packing_slip import render_packing_slip, render_return_label
from app.documents.plan_report import render_plan_report
from app.documents.repair_form import render_repair_form
from app.documents.service_sheet import render_service_sheet
from app.documents.shelf import render_delivery_note, render_pick_list, render_shelf_labels

__all__ = [
    "render_fault_report",
    "render_monthly_report",
    "render_packing_slip",
    "render_plan_report",
    "render_repair_form",
    "render_return_label",
    "render_service_sheet",
    "render_delivery_note",
    "render_pick_list",
    "render_shelf_labels",
]
