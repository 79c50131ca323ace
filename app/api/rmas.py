"""RMAs: advance replacement (备件先行) and return for repair (返厂维修)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import select

from app.api.common import (
    Choice,
    Money,
    PageArgs,
    Serial,
    Str,
    WholeNumber,
    idempotent_write,
    mapping_page,
    page_schema,
    plain,
    query_read,
)
from app.api.scoping import (
    EventSchema,
    customer_scope,
    customer_scoped,
    engineer_scope,
    events_for_caller,
)
from app.auth import ALL_ROLES, actor_name, roles_per_action, roles_required
from app.db import get_session
from inventory import rmas as svc
from inventory.errors import NotFound
from models import Customer, Rma, limits
from models.enums import RmaKind, RmaStatus

blp = Blueprint(
    "rmas",
    __name__,
    url_prefix="/api/rmas",
    description="RMAs: advance replacement and return for repair",
)

# Who may make each move (admin always may). Authorisation is the app's; the moves
# themselves are the table in inventory/rmas.py.
ACTION_ROLES: dict[str, tuple[str, ...]] = {
    "approve": ("dispatcher",),
    "reject": ("dispatcher",),
    "allocate": ("dispatcher", "warehouse"),
    "ship": ("warehouse", "engineer"),
    "deliver": ("engineer", "dispatcher", "warehouse"),
    "request_return": ("dispatcher",),
    "return_faulty": ("customer", "engineer", "dispatcher"),
    "receive_faulty": ("warehouse",),
    "start_repair": ("warehouse",),
    "finish_repair": ("warehouse",),
    "cancel": ("dispatcher", "customer"),
    "close": ("dispatcher", "customer"),
}
assert set(ACTION_ROLES) == set(svc.ACTIONS), "every RMA action needs its roles"


class RmaCreate(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf([k.value for k in svc.RmaKind]))
    site = Str(limits.CODE, required=True, metadata={"description": "site code"})
    faulty_part_number = Str(limits.PART_NUMBER, required=True)
    faulty_serial = Serial(allow_none=True)
    faulty_qty = WholeNumber(load_default=1, validate=validate.Range(min=1, max=10_000))
    fault_symptom = Str(limits.SYMPTOM, required=True)
    ticket = Str(limits.REF, allow_none=True)
    service_number = Str(limits.CODE, allow_none=True)
    contact_name = Str(limits.PERSON_NAME, allow_none=True)
    phone = Str(limits.PHONE, allow_none=True)
    fax = Str(limits.PHONE, allow_none=True)
    recipient = Str(limits.PERSON_NAME, allow_none=True)
    address = Str(limits.ADDRESS, allow_none=True)
    postcode = Str(limits.POSTCODE, allow_none=True)
    replacement_part_number = Str(limits.PART_NUMBER, allow_none=True)
    return_depot = Str(limits.CODE, allow_none=True)
    internal_note = Str(
        limits.LONG_TEXT,
        allow_none=True,
        metadata={"description": "staff only; never shown to the customer"},
    )


class MoveRequest(ma.Schema):
    depot = Str(
        limits.CODE,
        allow_none=True,
        metadata={
            "description": "allocate: source depot; receive_faulty / finish_repair: receiving depot"
        },
    )
    serial = Serial(allow_none=True, metadata={"description": "allocate: a particular spare"})
    carrier = Str(limits.CARRIER, allow_none=True)
    waybill = Str(limits.WAYBILL, allow_none=True)
    analysis = Str(
        limits.LONG_TEXT,
        allow_none=True,
        metadata={"description": "fault analysis (receive_faulty)"},
    )
    action_taken = Str(
        limits.LONG_TEXT, allow_none=True, metadata={"description": "what was done (finish_repair)"}
    )
    outcome = ma.fields.String(allow_none=True, validate=validate.OneOf(["repaired", "exchanged"]))
    vendor = Str(limits.VENDOR, allow_none=True)
    reason = Str(limits.REASON, allow_none=True)
    note = Str(
        limits.STAFF_NOTE,
        allow_none=True,
        metadata={"description": "staff note, never shown to the customer"},
    )


class RmaSchema(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    kind = Choice(RmaKind)
    status = Choice(RmaStatus)
    tracking_code = ma.fields.String()
    ticket_number = ma.fields.String(allow_none=True)
    customer_code = ma.fields.String()
    site_code = ma.fields.String()
    service_number = ma.fields.String(allow_none=True)
    customer_unit = ma.fields.String()
    contact_name = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    fax = ma.fields.String(allow_none=True)
    recipient = ma.fields.String(allow_none=True)
    address = ma.fields.String()
    postcode = ma.fields.String(allow_none=True)
    faulty_part_number = ma.fields.String()
    faulty_serial = ma.fields.String(allow_none=True)
    faulty_qty = ma.fields.Integer()
    faulty_received_at = ma.fields.AwareDateTime(allow_none=True)
    faulty_to_bonded_at = ma.fields.AwareDateTime(allow_none=True)
    fault_symptom = ma.fields.String()
    fault_analysis = ma.fields.String(allow_none=True)
    fault_action = ma.fields.String(allow_none=True)
    replacement_part_number = ma.fields.String(allow_none=True)
    replacement_serial = ma.fields.String(allow_none=True)
    replacement_qty = ma.fields.Integer()
    replacement_arrived_at = ma.fields.AwareDateTime(allow_none=True)
    replacement_to_user_at = ma.fields.AwareDateTime(allow_none=True)
    source_depot = ma.fields.String(allow_none=True)
    return_depot = ma.fields.String(allow_none=True)
    carrier = ma.fields.String(
        allow_none=True, metadata={"description": "the replacement's way out (ship)"}
    )
    waybill = ma.fields.String(allow_none=True, metadata={"description": "outbound waybill"})
    return_carrier = ma.fields.String(
        allow_none=True, metadata={"description": "the faulty part's way back (return_faulty)"}
    )
    return_waybill = ma.fields.String(allow_none=True, metadata={"description": "return waybill"})
    in_warranty = ma.fields.Boolean()
    requested_at = ma.fields.AwareDateTime()
    approve_due = ma.fields.AwareDateTime(allow_none=True)
    approved_at = ma.fields.AwareDateTime(allow_none=True)
    shipped_at = ma.fields.AwareDateTime(allow_none=True)
    delivery_due = ma.fields.AwareDateTime(allow_none=True)
    delivered_at = ma.fields.AwareDateTime(allow_none=True)
    return_due_at = ma.fields.AwareDateTime(allow_none=True)
    faulty_shipped_at = ma.fields.AwareDateTime(allow_none=True)
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    cancelled_at = ma.fields.AwareDateTime(allow_none=True)
    overdue = ma.fields.Boolean()
    late_charge = Money(allow_none=True)
    charge_currency = ma.fields.String(allow_none=True)
    allowed_actions = ma.fields.List(ma.fields.String())


class RmaListItem(ma.Schema):
    number = ma.fields.String()
    kind = Choice(RmaKind)
    status = Choice(RmaStatus)
    customer_code = ma.fields.String()
    faulty_serial = ma.fields.String(allow_none=True)
    replacement_serial = ma.fields.String(allow_none=True)
    requested_at = ma.fields.AwareDateTime()
    return_due_at = ma.fields.AwareDateTime(allow_none=True)
    overdue = ma.fields.Boolean()


class RmaQuery(PageArgs):
    status = ma.fields.String(validate=validate.OneOf([s.value for s in svc.RmaStatus]))
    kind = ma.fields.String(validate=validate.OneOf([k.value for k in svc.RmaKind]))
    customer = Str(limits.CODE)
    overdue = ma.fields.Boolean()


RmaPage = page_schema(RmaListItem, "RmaPage")


@idempotent_write(blp, "", RmaCreate, RmaSchema, "dispatcher", "warehouse", "customer", status=201)
def create_rma(data):
    """Open an RMA with the repair request form's fields (the header defaults to the
    site's and customer's details). Customers open RMAs for their own sites."""
    scope = customer_scope()
    if scope is not None:
        data.pop("internal_note", None)
    request = svc.RmaRequest(site_code=data.pop("site"), **data)
    return plain(svc.open_rma(get_session(), request, actor=actor_name(), customer_id=scope))


@query_read(blp, "", RmaQuery, RmaPage, *ALL_ROLES)
def list_rmas(args):
    """RMAs, newest first; customers see their own only."""
    db = get_session()
    stmt = select(
        Rma.number,
        Rma.kind,
        Rma.status,
        Customer.code.label("customer_code"),
        Rma.faulty_serial,
        Rma.replacement_serial,
        Rma.requested_at,
        Rma.return_due_at,
        Rma.overdue,
    ).join(Customer, Customer.id == Rma.customer_id)
    stmt = customer_scoped(stmt, Rma.customer_id)
    for name, column in (
        ("status", Rma.status),
        ("kind", Rma.kind),
        ("customer", Customer.code),
        ("overdue", Rma.overdue),
    ):
        if args.get(name) is not None:
            stmt = stmt.where(column == args[name])
    return mapping_page(db, stmt.order_by(Rma.id.desc()), args)


@blp.get("/<ref>")
@blp.response(200, RmaSchema)
@roles_required(*ALL_ROLES)
def get_rma(ref):
    """One RMA with every field of the repair request form."""
    db = get_session()
    return plain(svc.rma_view(db, svc.rma_by_ref(db, ref, customer_id=customer_scope())))


@blp.get("/<ref>/events")
@blp.response(200, EventSchema(many=True))
@roles_required(*ALL_ROLES)
def rma_events(ref):
    """Every move with actor and time; customers get the customer-visible ones only."""
    rma = svc.rma_by_ref(get_session(), ref, customer_id=customer_scope())
    return events_for_caller("rma", rma.id)


@blp.post(f"/<ref>/<any({', '.join(svc.ACTIONS)}):action>")
@blp.arguments(MoveRequest, required=False)  # every field optional
@blp.response(200, RmaSchema)
@roles_required(*ALL_ROLES)
@roles_per_action(ACTION_ROLES)
def move(data, ref, action):
    """One move of the RMA's table (approve, reject, allocate, ship, deliver,
    request_return, return_faulty, receive_faulty, start_repair, finish_repair, cancel,
    close) with its stock movements; a move not allowed from the current status is 409."""
    engineer = engineer_scope()
    if engineer is not None:  # engineers move the RMAs of their own jobs (or of nobody's)
        rma = svc.rma_by_ref(get_session(), ref)
        assigned = {rma.engineer_id, rma.ticket.engineer_id if rma.ticket else None} - {None}
        if assigned and engineer not in assigned:
            raise NotFound.unknown("rma", ref, field="ref", noun="RMA")
    scope = customer_scope()
    if scope is not None:
        data = {k: v for k, v in data.items() if k in ("carrier", "waybill")}
    return plain(
        svc.move_rma(
            get_session(),
            ref,
            action,
            actor=actor_name(),
            given=svc.MoveInput(**data),
            customer_id=scope,
        )
    )
