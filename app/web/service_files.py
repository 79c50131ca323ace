"""The customer's service files on their pages: the quarterly files and annual summaries
kept for them (app/documents/files.py makes them on schedule or by ``flask reports``)."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.auth import signed_in_user
from app.db import get_session
from app.documents import files
from app.web.auth import not_found_page, roles_page
from app.web.documents import document_lang
from inventory.errors import DomainError
from inventory.service_files import files_of
from models import Customer
from models.enums import Role

bp = Blueprint("service_files", __name__, url_prefix="/my/service-files")


def _customer() -> Customer | None:
    user = signed_in_user()
    if user.role != Role.CUSTOMER.value or user.customer_id is None:
        return None
    return get_session().get(Customer, user.customer_id)


@bp.get("/")
@roles_page("customer")
def index():
    customer = _customer()
    kept = files_of(get_session(), customer.id) if customer else []
    return render_template("customer/service_files.html", customer=customer, files=kept)


@bp.get("/<period>.pdf")
@roles_page("customer")
def download(period: str):
    customer = _customer()
    if customer is None:
        return not_found_page()
    try:
        return files.service_file_download(
            get_session(), customer, period, lang=document_lang()
        ).response()
    except DomainError:
        return not_found_page()
