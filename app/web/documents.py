"""The PDFs the pages offer: each document's link target, in the viewer's language.

The data comes from app/documents/builders.py and who may fetch what from
app/documents/access.py — the same rules the API (app/api/documents_api.py) follows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from sqlalchemy.orm import Session

from app.auth import signed_in_user
from app.db import get_session
from app.documents import access, builders, files
from app.web.auth import roles_page
from app.web.i18n import current_lang, t
from inventory.errors import Conflict, InvalidInput, NotFound
from models import Customer, utcnow

bp = Blueprint("documents", __name__, url_prefix="/documents")


def document_lang() -> str:
    """The language of a downloaded PDF: ``?lang=`` if given, else the page's."""
    return "en" if (request.args.get("lang") or current_lang()) == "en" else "zh"


def _error(code: int, message: str):
    return render_template("error.html", code=code, message=message), code


def report_months(
    db: Session, customer: Customer, now: datetime | None = None
) -> list[tuple[int, int]]:
    """(year, month) of this month and the previous one, in the customer's zone."""
    today = (now or utcnow()).astimezone(ZoneInfo(builders.customer_timezone(db, customer))).date()
    previous = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return [(today.year, today.month), previous]


def _download(make_file: Callable[[], files.PdfFile]):
    """The PDF, or the error page a person reads: unknown or not theirs (404), not written
    yet (409), a month that is not one or has not begun (422)."""
    try:
        return make_file().response()
    except NotFound:
        return _error(404, t("error.not_found"))
    except Conflict:
        return _error(409, t("doc.not_yet"))
    except (ValueError, InvalidInput):
        return _error(422, t("doc.bad_month"))


def _paper(make: Callable[..., files.PdfFile], ref: str, **options: str):
    """``make``'s PDF of the RMA, ticket, inspection, depot or transfer ``ref`` for the
    signed-in user in their language (``files.*`` check that they may have it)."""
    return _download(
        lambda: make(get_session(), ref, signed_in_user(), lang=document_lang(), **options)
    )


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"]


@bp.get("/rma/<number>/repair-form.pdf")
@roles_page("warehouse", "dispatcher", "engineer", "customer")
def repair_form(number: str):
    """The RMA's repair request form; a customer gets their own RMAs' forms only."""
    return _paper(files.repair_form, number)


@bp.get("/rma/<number>/packing-slip.pdf")
@roles_page("warehouse", "dispatcher", "engineer", "customer")
def packing_slip(number: str):
    return _paper(files.packing_slip, number, base_url=_base_url())


@bp.get("/rma/<number>/return-label.pdf")
@roles_page("warehouse", "dispatcher", "engineer", "customer")
def return_label(number: str):
    return _paper(files.return_label, number, base_url=_base_url())


@bp.get("/ticket/<number>/fault-report.pdf")
@roles_page("warehouse", "dispatcher", "engineer", "customer")
def fault_report(number: str):
    return _paper(files.fault_report, number)


@bp.get("/ticket/<number>/service-sheet.pdf")
@roles_page("warehouse", "dispatcher", "engineer", "customer")
def service_sheet(number: str):
    return _paper(files.service_sheet, number)


@bp.get("/inspection/<number>/report.pdf")
@roles_page("warehouse", "dispatcher", "engineer", "customer")
def inspection_report(number: str):
    return _paper(files.inspection_report, number)


@bp.get("/customer/<code>/monthly-report.pdf")
@roles_page("warehouse", "dispatcher", "customer")
def monthly_report(code: str):
    def make() -> files.PdfFile:
        db = get_session()
        customer = access.customer_for(db, code, signed_in_user())  # 404 before the month is judged
        year, month = int(request.args.get("year", "")), int(request.args.get("month", ""))
        return files.monthly_report(db, customer, year, month, lang=document_lang())

    return _download(make)


# --- the shelf's papers: warehouse staff at their own depots (access.depot_for) -------------


@bp.get("/depot/<code>/bin-labels.pdf")
@roles_page("warehouse")
def bin_labels(code: str):
    """The depot's location and bin labels, 60×40 mm each."""
    return _paper(files.bin_labels, code)


@bp.get("/transfer/<number>/item-labels.pdf")
@roles_page("warehouse")
def item_labels(number: str):
    return _paper(files.item_labels, number)


@bp.get("/transfer/<number>/pick-list.pdf")
@roles_page("warehouse")
def pick_list(number: str):
    return _paper(files.pick_list, number)


@bp.get("/transfer/<number>/delivery-note.pdf")
@roles_page("warehouse")
def delivery_note(number: str):
    return _paper(files.delivery_note, number)
