"""Preventive inspections (巡检): a contract's programme (admin), the year's visits, the
calendar, and the engineer's steps on site — arrival, checklist, photos, findings that
open tickets, the customer's signature — and the report (inventory/inspections.py). Every
on-site write takes an ``Idempotency-Key``: the phone queues what it records offline and
sends each step once, in order, when it is back online."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import select

from app.api.common import (
    Day,
    Flag,
    PageArgs,
    Serial,
    Str,
    WholeNumber,
    idempotent_write,
    page_schema,
    plain,
    query_read,
    scalar_page,
)
from app.api.scoping import engineer_scope, is_customer
from app.api.visits import (
    MAX_BASE64_CHARS,
    PHOTO_RESPONSES,
    SignatureRequest,
    checked_photo,
    decode_base64,
    photo_response,
    store_photo,
)
from app.auth import STAFF, actor_name, current_user, roles_required
from app.db import get_session
from inventory import inspections as svc
from inventory.errors import NotFound
from models import Customer, Engineer, Inspection, InspectionPhoto, limits

blp = Blueprint(
    "inspections",
    __name__,
    url_prefix="/api",
    description="Preventive inspections (巡检): programmes, the year's visits, the visit on "
    "site and the inspection report",
)


class ChecklistTemplateItemSchema(ma.Schema):
    key = Str(40, metadata={"description": "unique within its equipment kind (made if left out)"})
    group = Str(16, required=True, validate=validate.OneOf(svc.GROUPS))
    item = Str(svc.MAX_TEXT, required=True)
    expected = Str(svc.MAX_TEXT, load_default="")


class ProgrammeSchema(ma.Schema):
    contract = ma.fields.String(dump_only=True)
    customer = ma.fields.String(dump_only=True)
    frequency = Str(12, validate=validate.OneOf(svc.FREQUENCIES))
    mode = Str(8, validate=validate.OneOf(svc.MODES))
    site_codes = ma.fields.List(
        Str(limits.CODE),
        validate=validate.Length(max=500),
        metadata={"description": "sites covered; empty: the sites with units under the contract"},
    )
    checklists = ma.fields.Dict(
        keys=Str(limits.CATEGORY),
        values=ma.fields.List(
            ma.fields.Nested(ChecklistTemplateItemSchema), validate=validate.Length(min=1, max=60)
        ),
        validate=validate.Length(min=1, max=30),
        metadata={"description": "equipment kind (part category; * for every visit) → its items"},
    )
    report_days = WholeNumber(validate=validate.Range(min=0, max=60))
    training = Flag()
    preferred_weekdays = Str(
        7,
        validate=validate.Regexp(r"^[1-7]{1,7}$", error="ISO weekdays 1-7, e.g. 24"),
        metadata={"description": "ISO weekdays the customer prefers (1 = Monday)"},
    )
    preferred_start_min = WholeNumber(validate=validate.Range(min=0, max=1439))
    preferred_end_min = WholeNumber(validate=validate.Range(min=1, max=1440))
    visit_minutes = WholeNumber(validate=validate.Range(min=1, max=600))
    active = Flag()
    updated_by = ma.fields.String(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)


class GenerateRequest(ma.Schema):
    year = WholeNumber(required=True, validate=validate.Range(min=2000, max=2199))


class GeneratedSchema(ma.Schema):
    year = ma.fields.Integer()
    created = ma.fields.List(ma.fields.String(), metadata={"description": "inspection numbers"})
    existing = ma.fields.Integer(metadata={"description": "visits of the year already there"})
    unplaced = ma.fields.List(ma.fields.String(), metadata={"description": "no working day left"})


class ChecklistEntrySchema(ma.Schema):
    key = ma.fields.String()
    kind = ma.fields.String()
    group = ma.fields.String()
    item = ma.fields.String()
    expected = ma.fields.String()


class InspectionResultSchema(ma.Schema):
    key = Str(120, required=True)
    outcome = Str(4, required=True, validate=validate.OneOf(svc.OUTCOMES))
    reading = Str(svc.MAX_TEXT, allow_none=True, load_default=None)


class InspectionFindingSchema(ma.Schema):
    item_key = ma.fields.String(allow_none=True)
    text = ma.fields.String()
    severity = ma.fields.String()
    equipment_serial = ma.fields.String(allow_none=True)
    ticket_number = ma.fields.String(allow_none=True)
    recorded_at = ma.fields.AwareDateTime()


class InspectionSchema(ma.Schema):
    number = ma.fields.String(metadata={"description": "INS-…"})
    contract = ma.fields.String()
    customer = ma.fields.String()
    site = ma.fields.String()
    site_name = ma.fields.String()
    period = ma.fields.String(metadata={"description": "2027, 2027-Q1 or 2027-03"})
    day = ma.fields.Date(metadata={"description": "the local date it is planned for"})
    first_day = ma.fields.Date(metadata={"description": "the date first planned"})
    moves = ma.fields.Integer(metadata={"description": "times fault work displaced it"})
    window_start_min = ma.fields.Integer()
    window_end_min = ma.fields.Integer()
    engineer = ma.fields.String(allow_none=True)
    engineer_name = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"description": "planned|in_progress|done|cancelled"})
    mode = ma.fields.String()
    training = ma.fields.Boolean()
    training_given = ma.fields.Boolean()
    arrived_at = ma.fields.AwareDateTime(allow_none=True)
    arrived_device_at = ma.fields.AwareDateTime(allow_none=True)
    checklist = ma.fields.List(ma.fields.Nested(ChecklistEntrySchema))
    results = ma.fields.List(ma.fields.Nested(InspectionResultSchema))
    notes = ma.fields.String(allow_none=True)
    recommendations = ma.fields.String(allow_none=True)
    findings = ma.fields.List(ma.fields.Nested(InspectionFindingSchema))
    photos = ma.fields.List(ma.fields.Integer(), metadata={"description": "photo ids"})
    signer_name = ma.fields.String(allow_none=True)
    signed_at = ma.fields.AwareDateTime(allow_none=True)
    report_due = ma.fields.AwareDateTime(allow_none=True)
    report_issued_at = ma.fields.AwareDateTime(allow_none=True)


InspectionPage = page_schema(InspectionSchema, "InspectionPage")


class InspectionQuery(PageArgs):
    engineer = Str(limits.CODE)
    customer = Str(limits.CODE)
    first = Day(data_key="from", metadata={"description": "first local date (inclusive)"})
    last = Day(data_key="to", metadata={"description": "last local date (inclusive)"})
    status = Str(12, validate=validate.OneOf(svc.STATUSES))


class InspectionArrivalRequest(ma.Schema):
    device_time = ma.fields.AwareDateTime(
        allow_none=True, load_default=None, metadata={"description": "the phone's clock, UTC"}
    )


class InspectionChecklistRequest(ma.Schema):
    results = ma.fields.List(
        ma.fields.Nested(InspectionResultSchema),
        load_default=list,
        validate=validate.Length(max=500),
    )
    notes = Str(limits.LONG_TEXT, allow_none=True)
    recommendations = Str(limits.LONG_TEXT, allow_none=True)
    training_given = Flag(allow_none=True)


class InspectionFindingRequest(ma.Schema):
    text = Str(svc.MAX_TEXT, required=True)
    severity = Str(2, required=True, validate=validate.OneOf(["P1", "P2", "P3", "P4"]))
    item_key = Str(120, allow_none=True)
    equipment_serial = Serial(allow_none=True)


class InspectionPhotoRequest(ma.Schema):
    data = Str(MAX_BASE64_CHARS, required=True, metadata={"description": "JPEG or PNG, base64"})


class IssueReportRequest(ma.Schema):
    pass


# --- the programme -----------------------------------------------------------------------


@blp.get("/contracts/<code>/inspection-programme")
@blp.response(200, ProgrammeSchema)
@roles_required("dispatcher")
def get_programme(code):
    """The contract's inspection programme (404 when it has none)."""
    return plain(svc.get_programme(get_session(), code))


@blp.put("/contracts/<code>/inspection-programme")
@blp.arguments(ProgrammeSchema, required=False)
@blp.response(200, ProgrammeSchema)
@blp.alt_response(201, schema=ProgrammeSchema, description="the programme was created")
@roles_required("admin")
def put_programme(data, code):
    """Create or change the contract's programme (a field left out keeps its setting; a
    new programme needs its frequency). Visits already generated keep their days."""
    view, created = svc.set_programme(get_session(), code, actor=actor_name(), **(data or {}))
    return plain(view), 201 if created else 200


@blp.post("/contracts/<code>/inspections")
@blp.arguments(GenerateRequest)
@blp.response(201, GeneratedSchema)
@blp.alt_response(409, description="the programme is paused")
@roles_required("dispatcher")
def generate(data, code):
    """Generate the year's visits not generated yet (from tomorrow on); running it again
    adds nothing."""
    return plain(svc.generate_visits(get_session(), code, data["year"], actor=actor_name()))


# --- visits ------------------------------------------------------------------------------


def _scoped(number: str) -> Inspection:
    """The inspection as the caller may see it: an engineer their own, a customer theirs."""
    db = get_session()
    row = svc.inspection_for_engineer(db, number, engineer_scope())
    user = current_user()
    if is_customer() and (user is None or user.customer_id != row.customer_id):
        raise NotFound.unknown("inspection", number, field="number")
    return row


@query_read(blp, "/inspections", InspectionQuery, InspectionPage, *STAFF, "customer")
def list_inspections(args):
    """Inspection visits by day (an engineer sees their own, a customer theirs)."""
    db = get_session()
    stmt = select(Inspection).order_by(Inspection.day, Inspection.number)
    if args.get("first"):
        stmt = stmt.where(Inspection.day >= args["first"])
    if args.get("last"):
        stmt = stmt.where(Inspection.day <= args["last"])
    if args.get("status"):
        stmt = stmt.where(Inspection.status == args["status"])
    if args.get("engineer"):
        stmt = stmt.join(Engineer, Engineer.id == Inspection.engineer_id).where(
            Engineer.code == args["engineer"]
        )
    if args.get("customer"):
        stmt = stmt.join(Customer, Customer.id == Inspection.customer_id).where(
            Customer.code == args["customer"]
        )
    mine = engineer_scope()
    if mine is not None:
        stmt = stmt.where(Inspection.engineer_id == mine)
    if is_customer():
        stmt = stmt.where(Inspection.customer_id == current_user().customer_id)
    return scalar_page(db, stmt, args, lambda row: plain(svc.inspection_view(db, row)))


@blp.get("/inspections/<number>")
@blp.response(200, InspectionSchema)
@roles_required(*STAFF, "customer")
def get_inspection(number):
    """One inspection with its checklist, results, findings and report clock."""
    return plain(svc.inspection_view(get_session(), _scoped(number)))


class AssignRequest(ma.Schema):
    engineer = Str(limits.CODE, required=True, metadata={"description": "engineer code"})


@blp.put("/inspections/<number>/engineer")
@blp.arguments(AssignRequest)
@blp.response(200, InspectionSchema)
@blp.alt_response(409, description="the inspection is no longer planned")
@roles_required("dispatcher")
def assign(data, number):
    """Give a planned inspection to another engineer (who works on its weekday)."""
    return plain(svc.set_engineer(get_session(), number, data["engineer"], actor=actor_name()))


def _as_engineer(step, number: str, **fields):
    return plain(
        step(get_session(), number, engineer_id=engineer_scope(), actor=actor_name(), **fields)
    )


@idempotent_write(
    blp,
    "/inspections/<number>/arrival",
    InspectionArrivalRequest,
    InspectionSchema,
    "engineer",
    status=201,
    body_required=False,
)
def arrival(data, number):
    """The engineer is on site: the inspection starts at the server's time."""
    return _as_engineer(svc.record_arrival, number, device_time=data.get("device_time"))


@idempotent_write(
    blp,
    "/inspections/<number>/checklist",
    InspectionChecklistRequest,
    InspectionSchema,
    "engineer",
    body_required=False,
)
def checklist(data, number):
    """Checklist results (a later result of an item replaces the earlier), notes,
    recommendations, whether the training was given."""
    return _as_engineer(
        svc.record_checklist,
        number,
        results=data.get("results") or [],
        notes=data.get("notes"),
        recommendations=data.get("recommendations"),
        training_given=data.get("training_given"),
    )


@idempotent_write(
    blp,
    "/inspections/<number>/findings",
    InspectionFindingRequest,
    InspectionSchema,
    "engineer",
    status=201,
)
def finding(data, number):
    """A finding that cannot be fixed on the spot: a ticket opens with its severity,
    linked to the inspection."""
    return _as_engineer(
        svc.record_finding,
        number,
        text=data["text"],
        severity=data["severity"],
        item_key=data.get("item_key"),
        equipment_serial=data.get("equipment_serial"),
    )


@idempotent_write(
    blp,
    "/inspections/<number>/photos",
    InspectionPhotoRequest,
    InspectionSchema,
    "engineer",
    status=201,
)
def photos(data, number):
    """A photo of the inspection (JPEG or PNG, at most PHOTO_MAX_BYTES), in the photo store."""
    raw, image = checked_photo(data["data"])
    row = svc.inspection_for_engineer(get_session(), number, engineer_scope())
    key = store_photo(row.number, raw, image)
    return _as_engineer(svc.add_photo, number, storage_key=key, image=image)


@blp.get("/inspections/<number>/photos/<int:photo_id>")
@blp.doc(responses=PHOTO_RESPONSES)
@roles_required("engineer", "dispatcher")
def photo(number, photo_id):
    """One photo of the inspection."""
    row = _scoped(number)
    found = get_session().get(InspectionPhoto, photo_id)
    if found is None or found.inspection_id != row.id:
        raise NotFound.unknown("photo", photo_id, field="photo_id")
    return photo_response(found)


@idempotent_write(
    blp, "/inspections/<number>/signature", SignatureRequest, InspectionSchema, "engineer"
)
def signature(data, number):
    """The customer signs: the inspection is done (every checklist item answered) and the
    inspection report clock starts."""
    return _as_engineer(
        svc.sign_inspection,
        number,
        signer_name=data["signer_name"],
        signature_png=decode_base64(data["png"], "png"),
    )


@idempotent_write(
    blp,
    "/inspections/<number>/report",
    IssueReportRequest,
    InspectionSchema,
    "engineer",
    "dispatcher",
    body_required=False,
)
def issue(data, number):
    """The report goes to the customer: the inspection report clock stops (409 before the
    signature; issuing again changes nothing)."""
    return _as_engineer(svc.issue_report, number)
