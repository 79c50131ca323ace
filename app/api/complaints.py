"""Customer problems and complaints (客户问题记录表) with their clocks, and the departments
they are sent to (inventory/complaints.py). Customers file and follow their own and give
their opinion; dispatchers answer, supervise and resolve."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate

from app.api.common import Day, Str, When, WholeNumber, idempotent_write, plain, query_read
from app.api.scoping import customer_scope
from app.auth import actor_name, roles_required
from app.db import get_session
from inventory import complaints as svc
from models import limits
from models.complaints import COMPLAINT_KINDS, COMPLAINT_STATUSES

blp = Blueprint(
    "complaints_api",
    __name__,
    url_prefix="/api",
    description="Customer problems and complaints: received by whom and when, urgency, the "
    "department, planned measures, supervision log, resolution and the customer's opinion, "
    "with their own clocks",
)
HANDLERS = ("dispatcher",)


class DepartmentRequest(ma.Schema):
    code = Str(limits.CODE, required=True)
    name = Str(limits.ORG_NAME, required=True)
    name_en = Str(limits.ORG_NAME, allow_none=True)
    head_name = Str(limits.PERSON_NAME, required=True)
    head_email = ma.fields.Email(allow_none=True, validate=validate.Length(max=120))


class DepartmentSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String(allow_none=True)
    head_name = ma.fields.String()
    head_email = ma.fields.String(allow_none=True)
    active = ma.fields.Boolean()


class ComplaintRequest(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(COMPLAINT_KINDS))
    urgency = ma.fields.String(required=True, validate=validate.OneOf(svc.URGENCIES))
    subject = Str(limits.REASON, required=True)
    description = Str(limits.LONG_TEXT, required=True)
    customer = Str(limits.CODE, metadata={"description": "staff only: whose problem it is"})
    channel = ma.fields.String(
        load_default="web",
        validate=validate.OneOf(svc.CHANNELS),
        metadata={"description": "staff only; a customer's is always web"},
    )
    received_at = When(metadata={"description": "staff only; default now"})
    contact_name = Str(limits.PERSON_NAME, allow_none=True)
    contact_phone = Str(limits.PHONE, allow_none=True)
    ticket = Str(limits.REF, allow_none=True, metadata={"description": "a related ticket"})


class ComplaintRespondRequest(ma.Schema):
    department = Str(limits.CODE, required=True)
    planned_measures = Str(limits.LONG_TEXT, required=True)
    expected_resolution_date = Day(allow_none=True)


class ComplaintSuperviseRequest(ma.Schema):
    text = Str(limits.STAFF_NOTE, required=True)


class ComplaintResolveRequest(ma.Schema):
    resolution = Str(limits.LONG_TEXT, required=True)


class ComplaintOpinionRequest(ma.Schema):
    opinion = Str(limits.COMMENT, allow_none=True)
    satisfaction = WholeNumber(allow_none=True, validate=validate.Range(min=1, max=5))


class ComplaintClockSchema(ma.Schema):
    clock = ma.fields.String()
    due_at = ma.fields.AwareDateTime()
    completed_at = ma.fields.AwareDateTime(allow_none=True)
    verdict = ma.fields.String(metadata={"description": "met | missed | pending"})


class ComplaintSchema(ma.Schema):
    number = ma.fields.String()
    customer = ma.fields.String()
    customer_name = ma.fields.String()
    ticket = ma.fields.String(allow_none=True)
    kind = ma.fields.String()
    urgency = ma.fields.String()
    status = ma.fields.String()
    subject = ma.fields.String()
    description = ma.fields.String()
    contact_name = ma.fields.String(allow_none=True)
    contact_phone = ma.fields.String(allow_none=True)
    channel = ma.fields.String()
    received_by = ma.fields.String()
    received_at = ma.fields.AwareDateTime()
    department = ma.fields.String(allow_none=True)
    department_name = ma.fields.String(allow_none=True)
    department_head = ma.fields.String(allow_none=True)
    planned_measures = ma.fields.String(allow_none=True)
    expected_resolution_date = ma.fields.Date(allow_none=True)
    response_due = ma.fields.AwareDateTime()
    resolution_due = ma.fields.AwareDateTime()
    responded_at = ma.fields.AwareDateTime(allow_none=True)
    resolved_at = ma.fields.AwareDateTime(allow_none=True)
    resolution = ma.fields.String(allow_none=True)
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    customer_opinion = ma.fields.String(allow_none=True)
    satisfaction = ma.fields.Integer(allow_none=True)
    escalation_level = ma.fields.Integer()
    clocks = ma.fields.List(ma.fields.Nested(ComplaintClockSchema))


class ComplaintLogEntrySchema(ma.Schema):
    at = ma.fields.AwareDateTime()
    kind = ma.fields.String()
    actor = ma.fields.String()
    text = ma.fields.String(allow_none=True)


class ComplaintQuery(ma.Schema):
    status = ma.fields.String(validate=validate.OneOf(COMPLAINT_STATUSES))
    open_only = ma.fields.Boolean(load_default=False)


# --- departments -----------------------------------------------------------------------------


@blp.get("/departments")
@blp.response(200, DepartmentSchema(many=True))
@roles_required("dispatcher")
def list_departments():
    return [plain(svc.department_view(d)) for d in svc.list_departments(get_session())]


@idempotent_write(blp, "/departments", DepartmentRequest, DepartmentSchema, status=201)
def create_department(data):
    """A department customer problems are sent to, with its head (told when a clock runs out)."""
    return plain(svc.create_department(get_session(), actor=actor_name(), **data))


# --- complaints -------------------------------------------------------------------------------


def _scoped(number: str):
    return svc.complaint_by_number(get_session(), number, customer_id=customer_scope())


@idempotent_write(blp, "/complaints", ComplaintRequest, ComplaintSchema, "dispatcher", "customer",
                  status=201)  # fmt: skip
def file_complaint(data):
    """Record a request or complaint; its response and resolution clocks start (hours by
    urgency). A customer files their own, on the web, now."""
    scope = customer_scope()
    staff = scope is None
    return plain(
        svc.file_complaint(
            get_session(),
            kind=data["kind"],
            urgency=data["urgency"],
            subject=data["subject"],
            description=data["description"],
            actor=actor_name(),
            customer_id=scope,
            customer_code=data.get("customer") if staff else None,
            channel=data["channel"] if staff else "web",
            received_at=data.get("received_at") if staff else None,
            contact_name=data.get("contact_name"),
            contact_phone=data.get("contact_phone"),
            ticket_ref=data.get("ticket"),
        )
    )


@query_read(
    blp, "/complaints", ComplaintQuery, ComplaintSchema(many=True), "dispatcher", "customer"
)
def list_complaints(args):
    """Newest first (at most 500); customers see their own only."""
    return [
        plain(svc.complaint_view(c))
        for c in svc.list_complaints(
            get_session(),
            customer_id=customer_scope(),
            status=args.get("status"),
            open_only=args["open_only"],
        )
    ]


@blp.get("/complaints/<number>")
@blp.response(200, ComplaintSchema)
@roles_required("dispatcher", "customer")
def get_complaint(number):
    return plain(svc.complaint_view(_scoped(number)))


@blp.get("/complaints/<number>/log")
@blp.response(200, ComplaintLogEntrySchema(many=True))
@roles_required("dispatcher", "customer")
def complaint_log(number):
    """What happened, oldest first; the supervision log and escalations are staff's."""
    scope = customer_scope()
    c = _scoped(number)
    return [plain(e) for e in svc.complaint_log(get_session(), c, for_customer=scope is not None)]


@idempotent_write(blp, "/complaints/<number>/respond", ComplaintRespondRequest, ComplaintSchema,
                  *HANDLERS)  # fmt: skip
def respond(data, number):
    """Send it to a department with the planned measures (stops the response clock)."""
    return plain(
        svc.respond(
            get_session(),
            number,
            department_code=data["department"],
            planned_measures=data["planned_measures"],
            expected_resolution_date=data.get("expected_resolution_date"),
            actor=actor_name(),
        )
    )


@idempotent_write(blp, "/complaints/<number>/supervision", ComplaintSuperviseRequest, ComplaintSchema,
                  *HANDLERS)  # fmt: skip
def supervise(data, number):
    """An entry of the supervision log (督办记录)."""
    return plain(svc.supervise(get_session(), number, text=data["text"], actor=actor_name()))


@idempotent_write(
    blp, "/complaints/<number>/resolve", ComplaintResolveRequest, ComplaintSchema, *HANDLERS
)
def resolve(data, number):
    return plain(
        svc.resolve(get_session(), number, resolution=data["resolution"], actor=actor_name())
    )


@idempotent_write(blp, "/complaints/<number>/opinion", ComplaintOpinionRequest, ComplaintSchema,
                  "customer", body_required=False)  # fmt: skip
def opinion(data, number):
    """The customer's opinion of the resolution and a 1–5 rating (at least one); closes it."""
    data = data or {}
    return plain(
        svc.record_opinion(
            get_session(),
            number,
            opinion=data.get("opinion"),
            satisfaction=data.get("satisfaction"),
            actor=actor_name(),
            customer_id=customer_scope(),
        )
    )
