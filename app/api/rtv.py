"""Return to vendor (RTV) with warranty claims, vendors' warranty terms, claims ageing and
the per-vendor report (inventory/rtv.py, inventory/warranty.py)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate

from app.api.common import (
    Money,
    Serial,
    Str,
    WholeNumber,
    attachment,
    file_responses,
    idempotent_write,
    plain,
    query_read,
)
from app.auth import STAFF, actor_name, roles_required
from app.db import get_session
from inventory import rtv as svc
from inventory import warranty
from inventory.rtv_csv import vendor_report_csv
from models import limits
from models.rtv import RtvStatus, WarrantyBasis

blp = Blueprint(
    "rtv_api",
    __name__,
    url_prefix="/api",
    description="Return to vendor with warranty claims: the vendor's RMA number, the units, "
    "the warranty check, what came back and the vendor's credit",
)


class WarrantyTermRequest(ma.Schema):
    vendor = Str(limits.VENDOR, required=True)
    part_number = Str(limits.PART_NUMBER, allow_none=True)
    months = WholeNumber(required=True, validate=validate.Range(min=1, max=warranty.MAX_MONTHS))
    basis = ma.fields.String(
        required=True, validate=validate.OneOf([b.value for b in WarrantyBasis])
    )


class WarrantyTermSchema(ma.Schema):
    vendor = ma.fields.String()
    part_number = ma.fields.String(allow_none=True)
    months = ma.fields.Integer()
    basis = ma.fields.String()
    set_by = ma.fields.String()
    set_at = ma.fields.AwareDateTime()


class RtvRequest(ma.Schema):
    vendor = Str(limits.VENDOR, required=True)
    vendor_rma = Str(limits.REFERENCE, required=True)
    failure = Str(limits.REASON, required=True)
    depot = Str(limits.CODE, required=True, metadata={"description": "units come back here"})
    serials = ma.fields.List(
        Serial(required=True), required=True, validate=validate.Length(min=1, max=500)
    )
    vendor_location = Str(
        limits.CODE,
        allow_none=True,
        metadata={"description": "the vendor's site; default: the vendor's own site"},
    )


class RtvShipRequest(ma.Schema):
    waybill = Str(limits.WAYBILL, allow_none=True)


class RtvOutcomeSchema(ma.Schema):
    outcome = ma.fields.String(required=True, validate=validate.OneOf(svc.OUTCOMES))
    replacement_serial = Serial(allow_none=True)


class RtvReceiveRequest(ma.Schema):
    outcomes = ma.fields.Dict(
        keys=Serial(),
        values=ma.fields.Nested(RtvOutcomeSchema),
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "serial → {outcome, replacement_serial}"},
    )


class RtvCreditRequest(ma.Schema):
    credit_amount = Money(required=True)
    credit_note = Str(limits.REFERENCE, allow_none=True)


class RtvLineSchema(ma.Schema):
    part_number = ma.fields.String()
    serial = ma.fields.String()
    warranty = ma.fields.String(metadata={"description": "in | out | unknown"})
    warranty_reason = ma.fields.String()
    warranty_start = ma.fields.Date(allow_none=True)
    warranty_end = ma.fields.Date(allow_none=True)
    unit_value = Money()
    claim_amount = Money()
    outcome = ma.fields.String()
    replacement_serial = ma.fields.String(allow_none=True)
    returned_at = ma.fields.AwareDateTime(allow_none=True)


class RtvSchema(ma.Schema):
    number = ma.fields.String()
    vendor = ma.fields.String()
    vendor_rma = ma.fields.String()
    failure = ma.fields.String()
    depot = ma.fields.String()
    vendor_location = ma.fields.String()
    vendor_location_name = ma.fields.String()
    status = ma.fields.String()
    created_by = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    shipped_at = ma.fields.AwareDateTime(allow_none=True)
    waybill = ma.fields.String(allow_none=True)
    received_at = ma.fields.AwareDateTime(allow_none=True)
    claim_amount = Money()
    credit_amount = Money(allow_none=True)
    credit_note = ma.fields.String(allow_none=True)
    cost_not_recovered = Money(allow_none=True)
    settled_at = ma.fields.AwareDateTime(allow_none=True)
    age_days = ma.fields.Integer()
    lines = ma.fields.List(ma.fields.Nested(RtvLineSchema))


class RtvQuery(ma.Schema):
    status = ma.fields.String(validate=validate.OneOf([s.value for s in RtvStatus]))
    vendor = Str(limits.VENDOR)


class RtvAgeingSchema(ma.Schema):
    vendor = ma.fields.String()
    buckets = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    open_claims = ma.fields.Integer()
    claimed = Money()
    oldest_days = ma.fields.Integer()


class RtvVendorReportSchema(ma.Schema):
    vendor = ma.fields.String()
    rtvs = ma.fields.Integer()
    units = ma.fields.Integer()
    units_back = ma.fields.Integer()
    turnaround_mean_days = ma.fields.Float(allow_none=True)
    turnaround_median_days = ma.fields.Float(allow_none=True)
    repaired = ma.fields.Integer()
    replaced = ma.fields.Integer()
    no_fault_found = ma.fields.Integer()
    rejected = ma.fields.Integer()
    no_fault_found_rate = ma.fields.Float(allow_none=True)
    repair_yield = ma.fields.Float(allow_none=True)
    claimed = Money()
    claimed_settled = Money()
    credited = Money()
    not_recovered = Money()
    recovery_rate = ma.fields.Float(allow_none=True)


class RtvReportQuery(ma.Schema):
    format = ma.fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


# --- warranty terms ------------------------------------------------------------------------


@blp.get("/warranty-terms")
@blp.response(200, WarrantyTermSchema(many=True))
@roles_required(*STAFF)
def list_terms():
    return [plain(t) for t in warranty.list_terms(get_session())]


@blp.post("/warranty-terms")
@blp.arguments(WarrantyTermRequest)
@blp.response(200, WarrantyTermSchema)
@roles_required()
def set_term(data):
    """Set a vendor's warranty on a part model (or, with no part, on all its parts)."""
    return plain(warranty.set_term(get_session(), actor=actor_name(), **data))


# --- RTVs -------------------------------------------------------------------------------------


@idempotent_write(blp, "/rtvs", RtvRequest, RtvSchema, "warehouse", status=201)
def create(data):
    """Open a warranty claim: faulty units at the depot or at the vendor's site, each checked
    against the vendor's warranty terms."""
    return plain(
        svc.create_rtv(
            get_session(),
            vendor=data["vendor"],
            vendor_rma=data["vendor_rma"],
            failure=data["failure"],
            depot_code=data["depot"],
            serials=data["serials"],
            vendor_location=data.get("vendor_location"),
            actor=actor_name(),
        )
    )


@query_read(blp, "/rtvs", RtvQuery, RtvSchema(many=True), "warehouse", "dispatcher")
def list_rtvs(args):
    return [
        plain(v)
        for v in svc.list_rtvs(get_session(), status=args.get("status"), vendor=args.get("vendor"))
    ]


@blp.get("/rtvs/ageing")
@blp.response(200, RtvAgeingSchema(many=True))
@roles_required("warehouse", "dispatcher")
def ageing():
    """Unsettled claims per vendor by days since the claim: 0-30, 31-60, 61-90, 90+."""
    return [plain(r) for r in svc.ageing(get_session())]


@blp.get("/rtvs/vendor-report")
@blp.arguments(RtvReportQuery, location="query")
@blp.response(200, RtvVendorReportSchema(many=True))
@blp.doc(
    responses=file_responses(
        "the report as JSON, or with ?format=csv as a CSV file",
        RtvVendorReportSchema(many=True),
        xlsx=False,
    )
)
@roles_required("warehouse", "dispatcher")
def vendor_report(args):
    """Per vendor: turnaround, no-fault-found rate, repair yield, money recovered vs claimed."""
    rows = svc.vendor_report(get_session())
    if args["format"] == "csv":
        return attachment(vendor_report_csv(rows), "text/csv", "rtv-vendor-report.csv")
    return [plain(r) for r in rows]


@blp.get("/rtvs/<number>")
@blp.response(200, RtvSchema)
@roles_required("warehouse", "dispatcher")
def get_rtv(number):
    return plain(svc.rtv_view(svc.rtv_by_number(get_session(), number)))


@idempotent_write(blp, "/rtvs/<number>/ship", RtvShipRequest, RtvSchema, "warehouse",
                  body_required=False)  # fmt: skip
def ship(data, number):
    """The units leave for the vendor (those already at its site stay)."""
    return plain(
        svc.ship_rtv(get_session(), number, actor=actor_name(), waybill=(data or {}).get("waybill"))
    )


@idempotent_write(blp, "/rtvs/<number>/receive", RtvReceiveRequest, RtvSchema, "warehouse")
def receive(data, number):
    """What the vendor did with each unit: repaired, replaced (the new serial enters stock),
    no fault found, rejected out of warranty or damaged."""
    outcomes = {
        serial: svc.Outcome(o["outcome"], o.get("replacement_serial"))
        for serial, o in data["outcomes"].items()
    }
    return plain(svc.receive_rtv(get_session(), number, outcomes=outcomes, actor=actor_name()))


@idempotent_write(blp, "/rtvs/<number>/credit", RtvCreditRequest, RtvSchema, "warehouse")
def credit(data, number):
    """The vendor's credit (zero closes the claim without one)."""
    return plain(
        svc.settle_rtv(
            get_session(),
            number,
            credit_amount=data["credit_amount"],
            credit_note=data.get("credit_note"),
            actor=actor_name(),
        )
    )
