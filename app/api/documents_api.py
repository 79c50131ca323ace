"""The PDF documents: repair request form, packing slip and return label, fault handling
report, monthly service report — in Chinese (default) or English, each with only what the
caller may see (app/documents/access.py)."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from marshmallow import validate

from app.api.common import WholeNumber
from app.auth import current_user, roles_required
from app.db import get_session
from app.documents import access, files

blp = Blueprint(
    "documents_api",
    __name__,
    url_prefix="/api",
    description="PDF documents: repair request form, packing slip, return label, fault handling "
    "report, monthly service report",
)

DOCUMENT_ROLES = ("dispatcher", "warehouse", "engineer", "customer")
REPORT_ROLES = ("dispatcher", "warehouse", "customer")


class DocumentArgs(ma.Schema):
    lang = ma.fields.String(
        load_default="zh",
        validate=validate.OneOf(["zh", "en"]),
        metadata={"description": "zh (Chinese, the default) or en"},
    )


class MonthArgs(DocumentArgs):
    year = WholeNumber(required=True, validate=validate.Range(min=1970, max=2199))
    month = WholeNumber(
        required=True,
        validate=validate.Range(min=1, max=12),
        metadata={"description": "1–12, a month that has begun in the customer's time zone"},
    )


def _problem(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"type": "object"}}},
    }


def pdf_responses(what: str, *, conflict: str | None = None) -> dict:
    """The OpenAPI responses of a PDF download."""
    responses = {
        "200": {
            "description": f"{what} (PDF)",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "headers": {
                "Content-Disposition": {
                    "schema": {"type": "string"},
                    "description": 'attachment; filename="…pdf"',
                }
            },
        },
        "404": _problem("unknown, or not the caller's to see"),
    }
    if conflict:
        responses["409"] = _problem(conflict)
    return responses


def pdf_endpoint(
    path: str,
    what: str,
    *,
    conflict: str | None = None,
    query: type[ma.Schema] = DocumentArgs,
    roles: tuple[str, ...] = DOCUMENT_ROLES,
):
    """Register a PDF download: GET ``path`` with its query (``lang``), its documented
    answers (the PDF, 404, and 409 when ``conflict`` says when) and the roles it admits."""

    def register(view):
        view = roles_required(*roles)(view)
        view = blp.doc(responses=pdf_responses(what, conflict=conflict))(view)
        view = blp.arguments(query, location="query")(view)
        return blp.get(path)(view)

    return register


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"]


@pdf_endpoint(
    "/inspections/<number>/report.pdf",
    "the inspection report (巡检报告)",
    conflict="not signed yet (a customer: not issued yet)",
)
def inspection_report(args, number):
    """The inspection report: checklist results against the expected values, findings and
    the tickets they opened, recommendations, the customer's signature."""
    return files.inspection_report(
        get_session(), number, current_user(), lang=args["lang"]
    ).response()


@pdf_endpoint("/rmas/<number>/repair-form.pdf", "the repair request form (设备维修申请表)")
def repair_form(args, number):
    """The RMA's repair request form with every field of the source form. Customers get
    their own RMAs' forms, engineers those of their jobs."""
    return files.repair_form(get_session(), number, current_user(), lang=args["lang"]).response()


@pdf_endpoint(
    "/rmas/<number>/packing-slip.pdf",
    "the packing slip with its cut-out return label",
    conflict="not an advance replacement, or its spare is not reserved yet",
)
def packing_slip(args, number):
    """The packing slip of an advance replacement (RMA number, part, serials, addresses,
    return deadline, Code 128 of the RMA number, QR code of the tracking link)."""
    return files.packing_slip(
        get_session(), number, current_user(), lang=args["lang"], base_url=_base_url()
    ).response()


@pdf_endpoint(
    "/rmas/<number>/return-label.pdf",
    "the return label for the faulty unit",
    conflict="no faulty unit is waiting to be sent back",
)
def return_label(args, number):
    """The label the faulty unit goes back to the depot with."""
    return files.return_label(
        get_session(), number, current_user(), lang=args["lang"], base_url=_base_url()
    ).response()


@pdf_endpoint(
    "/tickets/<number>/fault-report.pdf",
    "the fault handling report (故障处理报告)",
    conflict="the ticket is not resolved or closed yet",
)
def fault_report(args, number):
    """A resolved or closed ticket's timeline, clocks met or missed, actions and parts used.
    Customers read the customer-visible events with given names only; no internal notes."""
    return files.fault_report(get_session(), number, current_user(), lang=args["lang"]).response()


@pdf_endpoint(
    "/tickets/<number>/service-sheet.pdf",
    "the technical service sheet (技术服务单)",
    conflict="the customer has not signed a visit of this ticket yet",
)
def service_sheet(args, number):
    """The latest signed visit: arrival (server and phone time), work done, parts in and
    out, open issues and the customer's signature."""
    return files.service_sheet(get_session(), number, current_user(), lang=args["lang"]).response()


@pdf_endpoint(
    "/customers/<code>/monthly-report.pdf",
    "the monthly service report with its charts",
    query=MonthArgs,
    roles=REPORT_ROLES,
)
def monthly_report(args, code):
    """One calendar month (in the customer's time zone) of a customer's service: tickets by
    severity, SLA attainment, mean time to restore, overdue returns, satisfaction."""
    db = get_session()
    customer = access.customer_for(db, code, current_user())
    return files.monthly_report(
        db, customer, args["year"], args["month"], lang=args["lang"]
    ).response()


# --- the shelf's papers: warehouse staff at their own depots, and admins --------------------

SHELF_ROLES = ("warehouse",)


class LabelArgs(DocumentArgs):
    part = ma.fields.List(
        ma.fields.String(validate=validate.Length(min=1, max=64)),
        validate=validate.Length(max=500),
        metadata={"description": "part numbers to print bins for (default: every part kept there)"},
    )


@pdf_endpoint(
    "/depots/<code>/bin-labels.pdf",
    "the depot's location and bin labels, 60×40 mm each",
    query=LabelArgs,
    roles=SHELF_ROLES,
)
def bin_labels(args, code):
    """A 60×40 mm thermal label per page: the depot's location (Code 128 of its code),
    then a bin per part (Code 128 of the part number) — the parts given, else every part
    kept there. Warehouse staff print only their own depots' labels."""
    return files.bin_labels(
        get_session(), code, current_user(), lang=args["lang"], part_numbers=args.get("part")
    ).response()


@pdf_endpoint(
    "/transfers/<number>/item-labels.pdf",
    "a 60×40 mm label per unit of the transfer",
    roles=SHELF_ROLES,
)
def item_labels(args, number):
    """A label per unit carried (Code 128 of the serial, or of the part number with the
    quantity for a counted part); staff of the sending or receiving depot."""
    return files.item_labels(get_session(), number, current_user(), lang=args["lang"]).response()


@pdf_endpoint(
    "/transfers/<number>/pick-list.pdf", "the transfer's pick list (调拨拣货单)", roles=SHELF_ROLES
)
def pick_list(args, number):
    """What to take off the shelves, by part number, with a box to tick and signatures."""
    return files.pick_list(get_session(), number, current_user(), lang=args["lang"]).response()


@pdf_endpoint(
    "/transfers/<number>/delivery-note.pdf",
    "the transfer's delivery note (调拨送货单)",
    roles=SHELF_ROLES,
)
def delivery_note(args, number):
    """What travels with the transfer: quantities shipped and (once booked) received."""
    return files.delivery_note(get_session(), number, current_user(), lang=args["lang"]).response()
