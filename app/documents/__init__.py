"""PDF documents (reportlab): each renderer takes plain data and returns PDF bytes.

Chinese ("zh", the default) or English ("en") is chosen by ``lang``; any other
language raises ValueError. Times print in ``data.timezone`` as YYYY-MM-DD HH:MM.
``builders`` fills the data from the database; ``access`` says who may fetch which one.
"""

from __future__ import annotations

from app.documents.fault_report import render_fault_report
from app.documents.monthly_report import render_monthly_report
from app.documents.packing_slip import render_packing_slip, render_return_label
from app.documents.repair_form import render_repair_form

__all__ = [
    "render_fault_report",
    "render_monthly_report",
    "render_packing_slip",
    "render_repair_form",
    "render_return_label",
]
