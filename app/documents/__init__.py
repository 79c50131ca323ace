"""PDF documents (reportlab): each renderer takes plain data and returns PDF bytes.

Chinese ("zh", the default) or English ("en") is chosen by ``lang``; any other
language raises ValueError. Times print in ``data.timezone`` by the language's locale, money
and numbers too, exactly as on the pages (``app.formatting``, Babel: "2026年12月7日 14:30",
"¥1,234.50"); deadlines as people read them (``format_deadline``: "12月26日 24:00前").
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

from importlib import import_module

# Each renderer is imported when first used: reportlab is a hundred modules, and the
# command line, the API and the pages start without it (bench/startup.py).
_RENDERERS = {
    "render_fault_report": "fault_report",
    "render_inspection_report": "inspection_report",
    "render_monthly_report": "monthly_report",
    "render_packing_slip": "packing_slip",
    "render_return_label": "packing_slip",
    "render_plan_report": "plan_report",
    "render_repair_form": "repair_form",
    "render_service_file": "service_file",
    "render_service_sheet": "service_sheet",
    "render_delivery_note": "shelf",
    "render_pick_list": "shelf",
    "render_shelf_labels": "shelf",
}

__all__ = list(_RENDERERS)


def __getattr__(name: str):
    if name in _RENDERERS:
        return getattr(import_module(f"app.documents.{_RENDERERS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
