"""The customers' service files (quarterly file, annual summary): listed, downloaded, and
made again on demand (app/documents/files.py; docs/reports.md)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate

from app.api.common import Str
from app.api.documents_api import DocumentArgs, pdf_responses
from app.auth import actor_name, current_user, roles_required
from app.db import get_session
from app.documents import access, files
from inventory.service_files import files_of

blp = Blueprint(
    "service_files_api",
    __name__,
    url_prefix="/api",
    description="The customers' service files: the quarterly file (every fault handling report "
    "of the quarter behind a summary) and the annual service summary",
)
READERS = ("dispatcher", "customer")


class ServiceFileSchema(ma.Schema):
    kind = ma.fields.String(metadata={"description": "quarterly | annual"})
    period = ma.fields.String(metadata={"description": "2026Q4 | 2026"})
    lang = ma.fields.String()
    reports = ma.fields.Integer(metadata={"description": "fault handling reports enclosed"})
    size = ma.fields.Integer(metadata={"description": "bytes"})
    generated_at = ma.fields.AwareDateTime()
    href = ma.fields.String()


class ServiceFileRequest(ma.Schema):
    period = Str(8, required=True, metadata={"description": "YYYYQn (a quarter) or YYYY"})
    lang = ma.fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]))


def _view(code: str, kept) -> dict:
    return {
        "kind": kept.kind,
        "period": kept.period,
        "lang": kept.lang,
        "reports": kept.reports,
        "size": len(kept.pdf),
        "generated_at": kept.generated_at,
        "href": f"/api/customers/{code}/service-files/{kept.period}.pdf?lang={kept.lang}",
    }


@blp.get("/customers/<code>/service-files")
@blp.response(200, ServiceFileSchema(many=True))
@roles_required(*READERS)
def list_files(code):
    """The files kept for a customer, newest period first (a customer: their own)."""
    db = get_session()
    customer = access.customer_for(db, code, current_user())
    return [_view(customer.code, f) for f in files_of(db, customer.id)]


@blp.post("/customers/<code>/service-files")
@blp.arguments(ServiceFileRequest)
@blp.response(201, ServiceFileSchema)
@roles_required("dispatcher")
def generate(data, code):
    """Make (again) a customer's file of a period that has begun; the customer is e-mailed."""
    db = get_session()
    customer = access.customer_for(db, code, current_user())
    kept = files.generate_service_file(
        db, customer, data["period"], lang=data["lang"], actor=actor_name()
    )
    return _view(customer.code, kept)


@blp.get("/customers/<code>/service-files/<period>.pdf")
@blp.arguments(DocumentArgs, location="query")
@blp.doc(responses=pdf_responses("the service file"))
@roles_required(*READERS)
def download(args, code, period):
    """A kept file in ``lang`` (else in the other language)."""
    db = get_session()
    customer = access.customer_for(db, code, current_user())
    return files.service_file_download(db, customer, period, lang=args["lang"]).response()
