"""The PDF documents: repair request form, packing slip and return label, fault handling
report, monthly service report — in Chinese (default) or English, each with only what the
caller may see (app/documents/access.py)."""

from __future__ import annotations

import re

import marshmallow as ma
from flask import Response, current_app
from flask_smorest import Blueprint
from marshmallow import validate

from app.auth import current_user, roles_required
from app.db import get_session
from app.documents import (
    access,
    builders,
    render_fault_report,
    render_monthly_report,
    render_packing_slip,
    render_repair_form,
    render_return_label,
)
from models.enums import Role

blp = Blueprint("documents_api", __name__, url_prefix="/api",
                description="PDF documents: repair request form, packing slip, return label, fault handling "
                            "report, monthly service report")

DOCUMENT_ROLES = ("dispatcher", "warehouse", "engineer", "customer")
REPORT_ROLES = ("dispatcher", "warehouse", "customer")


class DocumentArgs(ma.Schema):
    lang = ma.fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]),
                            metadata={"description": "zh (Chinese, the default) or en"})


class MonthArgs(DocumentArgs):
    year = ma.fields.Integer(required=True, validate=validate.Range(min=1970, max=2199))
    month = ma.fields.Integer(required=True, validate=validate.Range(min=1, max=12),
                              metadata={"description": "1–12, a month that has begun in the customer's time zone"})


def _problem(description: str) -> dict:
    return {"description": description, "content": {"application/problem+json": {"schema": {"type": "object"}}}}


def pdf_responses(what: str, *, conflict: str | None = None) -> dict:
    """The OpenAPI responses of a PDF download."""
    responses = {
        "200": {"description": f"{what} (PDF)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                "headers": {"Content-Disposition": {"schema": {"type": "string"},
                                                    "description": 'attachment; filename="…pdf"'}}},
        "404": _problem("unknown, or not the caller's to see"),
    }
    if conflict:
        responses["409"] = _problem(conflict)
    return responses


def _pdf(body: bytes, filename: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{safe}"', "Cache-Control": "no-store"})


def _for_customer() -> bool:
    return current_user().role == Role.CUSTOMER.value


@blp.get("/rmas/<number>/repair-form.pdf")
@blp.arguments(DocumentArgs, location="query")
@blp.doc(responses=pdf_responses("the repair request form (设备维修申请表)"))
@roles_required(*DOCUMENT_ROLES)
def repair_form(args, number):
    """The RMA's repair request form with every field of the source form. Customers get
    their own RMAs' forms, engineers those of their jobs."""
    db = get_session()
    rma = access.rma_for(db, number, current_user())
    return _pdf(render_repair_form(builders.repair_form_for(db, rma), lang=args["lang"]),
                f"repair-form-{rma.number}.pdf")


@blp.get("/rmas/<number>/packing-slip.pdf")
@blp.arguments(DocumentArgs, location="query")
@blp.doc(responses=pdf_responses("the packing slip with its cut-out return label",
                                 conflict="not an advance replacement, or its spare is not reserved yet"))
@roles_required(*DOCUMENT_ROLES)
def packing_slip(args, number):
    """The packing slip of an advance replacement (RMA number, part, serials, addresses,
    return deadline, Code 128 of the RMA number, QR code of the tracking link)."""
    db = get_session()
    rma = access.rma_for(db, number, current_user())
    access.require_packing_slip(rma)
    data = builders.packing_slip_for(db, rma, current_app.config["PUBLIC_BASE_URL"], lang=args["lang"])
    return _pdf(render_packing_slip(data, lang=args["lang"]), f"packing-slip-{rma.number}.pdf")


@blp.get("/rmas/<number>/return-label.pdf")
@blp.arguments(DocumentArgs, location="query")
@blp.doc(responses=pdf_responses("the return label for the faulty unit",
                                 conflict="no faulty unit is waiting to be sent back"))
@roles_required(*DOCUMENT_ROLES)
def return_label(args, number):
    """The label the faulty unit goes back to the depot with."""
    db = get_session()
    rma = access.rma_for(db, number, current_user())
    access.require_return_label(rma)
    data = builders.packing_slip_for(db, rma, current_app.config["PUBLIC_BASE_URL"], lang=args["lang"])
    return _pdf(render_return_label(data, lang=args["lang"]), f"return-label-{rma.number}.pdf")


@blp.get("/tickets/<number>/fault-report.pdf")
@blp.arguments(DocumentArgs, location="query")
@blp.doc(responses=pdf_responses("the fault handling report (故障处理报告)",
                                 conflict="the ticket is not resolved or closed yet"))
@roles_required(*DOCUMENT_ROLES)
def fault_report(args, number):
    """A resolved or closed ticket's timeline, clocks met or missed, actions and parts used.
    Customers read the customer-visible events with given names only; no internal notes."""
    db = get_session()
    ticket = access.ticket_for(db, number, current_user())
    access.require_fault_report(ticket)
    data = builders.fault_report_for(db, ticket, for_customer=_for_customer(), lang=args["lang"])
    return _pdf(render_fault_report(data, lang=args["lang"]), f"fault-report-{ticket.number}.pdf")


@blp.get("/customers/<code>/monthly-report.pdf")
@blp.arguments(MonthArgs, location="query")
@blp.doc(responses=pdf_responses("the monthly service report with its charts"))
@roles_required(*REPORT_ROLES)
def monthly_report(args, code):
    """One calendar month (in the customer's time zone) of a customer's service: tickets by
    severity, SLA attainment, mean time to restore, overdue returns, satisfaction."""
    db = get_session()
    customer = access.customer_for(db, code, current_user())
    tz = builders.customer_timezone(db, customer)
    builders.check_report_month(args["year"], args["month"], tz)
    data = builders.monthly_report_for(db, customer, args["year"], args["month"], tz, lang=args["lang"])
    return _pdf(render_monthly_report(data, lang=args["lang"]),
                f"monthly-report-{customer.code}-{args['year']}-{args['month']:02d}.pdf")
