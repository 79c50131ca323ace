"""Fault tickets: open (dispatchers and customers), follow, move, close with a survey."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import select

from app.api.common import (
    Choice,
    Flag,
    PageArgs,
    Serial,
    Str,
    WholeNumber,
    idempotent_write,
    mapping_page,
    page_schema,
    plain,
    query_read,
    where_given,
)
from app.api.scoping import (
    EventSchema,
    check_own,
    customer_scope,
    customer_scoped,
    engineer_scope,
    events_for_caller,
)
from app.auth import ALL_ROLES, actor_name, roles_required
from app.db import get_session
from app.geo import travel_model
from inventory import tickets as svc
from inventory.dispatch_service import open_ticket_with_promise
from inventory.visits import ticket_for_engineer
from logistics.sla import Channel, Severity
from models import Customer, Site, Ticket, limits
from models.enums import TicketStatus

blp = Blueprint(
    "tickets",
    __name__,
    url_prefix="/api/tickets",
    description="Fault tickets (故障申报) and their SLA clocks",
)
SEVERITIES = [s.value for s in Severity]
CHANNELS = [c.value for c in Channel]


class TicketCreate(ma.Schema):
    site = Str(limits.CODE, required=True, metadata={"description": "site code"})
    severity = ma.fields.String(
        required=True,
        validate=validate.OneOf(SEVERITIES),
        metadata={
            "description": "P1 system down / data loss, P2 severe, P3 significant, "
            "P4 question / minor"
        },
    )
    channel = ma.fields.String(
        load_default="phone",
        validate=validate.OneOf(CHANNELS),
        metadata={"description": "customers always report over the web"},
    )
    symptom = Str(limits.SYMPTOM, required=True)
    equipment_serial = Serial(allow_none=True)
    part_number = Str(
        limits.PART_NUMBER, allow_none=True, metadata={"description": "part model needed, if known"}
    )
    contract = Str(limits.CODE, allow_none=True)
    contact_name = Str(limits.PERSON_NAME, allow_none=True)
    contact_phone = Str(limits.PHONE, allow_none=True)


class TicketSchema(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    status = Choice(TicketStatus)
    customer_code = ma.fields.String()
    site_code = ma.fields.String()
    site_name = ma.fields.String()
    equipment_serial = ma.fields.String(allow_none=True)
    part_number = ma.fields.String(allow_none=True)
    contract_code = ma.fields.String(allow_none=True)
    severity = Choice(Severity)
    channel = ma.fields.String()
    symptom = ma.fields.String()
    contact_name = ma.fields.String(allow_none=True)
    contact_phone = ma.fields.String(allow_none=True)
    reported_by = ma.fields.String()
    engineer_id = WholeNumber(allow_none=True)
    engineer_name = ma.fields.String(allow_none=True)
    opened_at = ma.fields.AwareDateTime()
    clock_start = ma.fields.AwareDateTime()
    response_due = ma.fields.AwareDateTime()
    onsite_due = ma.fields.AwareDateTime(allow_none=True)
    restore_due = ma.fields.AwareDateTime()
    replacement_due = ma.fields.AwareDateTime()
    spare_request_due = ma.fields.AwareDateTime()
    travel_minutes = ma.fields.Float(allow_none=True)
    acknowledged_at = ma.fields.AwareDateTime(allow_none=True)
    dispatched_at = ma.fields.AwareDateTime(allow_none=True)
    onsite_at = ma.fields.AwareDateTime(allow_none=True)
    resolved_at = ma.fields.AwareDateTime(allow_none=True)
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    cancelled_at = ma.fields.AwareDateTime(allow_none=True)
    escalation_level = ma.fields.Integer()
    resolution = ma.fields.String(allow_none=True)
    allowed_actions = ma.fields.List(ma.fields.String())


class TicketListItem(ma.Schema):
    number = ma.fields.String()
    status = Choice(TicketStatus)
    severity = Choice(Severity)
    customer_code = ma.fields.String()
    site_code = ma.fields.String()
    opened_at = ma.fields.AwareDateTime()
    response_due = ma.fields.AwareDateTime()
    onsite_due = ma.fields.AwareDateTime(allow_none=True)
    restore_due = ma.fields.AwareDateTime()
    escalation_level = ma.fields.Integer()


class TicketQuery(PageArgs):
    status = ma.fields.String(validate=validate.OneOf([s.value for s in svc.TicketStatus]))
    severity = ma.fields.String(validate=validate.OneOf(SEVERITIES))
    customer = Str(limits.CODE)
    site = Str(limits.CODE)
    open_only = ma.fields.Boolean(load_default=False)


class NoteRequest(ma.Schema):
    note = Str(limits.STAFF_NOTE, allow_none=True)
    resolution = Str(
        limits.LONG_TEXT, allow_none=True, metadata={"description": "what was done (resolve)"}
    )


class CancelRequest(ma.Schema):
    reason = Str(limits.REASON, required=True)


class SeverityRequest(ma.Schema):
    severity = ma.fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    reason = Str(limits.REASON, allow_none=True)


class ReassignRequest(ma.Schema):
    engineer = Str(limits.CODE, required=True, metadata={"description": "engineer code"})


def _rating():
    return WholeNumber(allow_none=True, load_default=None, validate=validate.Range(min=0, max=5))


class RatingsSchema(ma.Schema):
    response_time = _rating()
    quality = _rating()
    attitude = _rating()
    overall = _rating()


class CloseRequest(ma.Schema):
    confirmed = Flag(
        required=True, metadata={"description": "false sends the ticket back to the engineer"}
    )
    ratings = ma.fields.Nested(
        RatingsSchema,
        load_default=dict,
        metadata={"description": "0–5 per question; leave a question out to skip it"},
    )
    comment = Str(limits.COMMENT, allow_none=True)


TicketPage = page_schema(TicketListItem, "TicketPage")


def _ticket_for_caller(ref: str) -> Ticket:
    ticket = svc.ticket_by_ref(get_session(), ref)
    check_own("ticket", ref, field="ref", owner=ticket.customer_id, scope=customer_scope())
    return ticket


@idempotent_write(blp, "", TicketCreate, TicketSchema, "dispatcher", "customer", status=201)
def create_ticket(data):
    """Report a fault. Its SLA clocks (response, on site = travel of the nearest suitable
    engineer + 1 h, restore, replacement unit) are computed on the contract's calendar now."""
    scope = customer_scope()
    return plain(
        open_ticket_with_promise(
            get_session(),
            travel_model(),
            site_code=data["site"],
            severity=data["severity"],
            channel="web" if scope is not None else data["channel"],
            symptom=data["symptom"],
            actor=actor_name(),
            equipment_serial=data.get("equipment_serial"),
            part_number=data.get("part_number"),
            contract_code=data.get("contract"),
            contact_name=data.get("contact_name"),
            contact_phone=data.get("contact_phone"),
            customer_id=scope,
        )
    )


@query_read(blp, "", TicketQuery, TicketPage, *ALL_ROLES)
def list_tickets(args):
    """Tickets, newest first; customers see their own only."""
    db = get_session()
    stmt = (
        select(
            Ticket.number,
            Ticket.status,
            Ticket.severity,
            Customer.code.label("customer_code"),
            Site.code.label("site_code"),
            Ticket.opened_at,
            Ticket.response_due,
            Ticket.onsite_due,
            Ticket.restore_due,
            Ticket.escalation_level,
        )
        .join(Customer, Customer.id == Ticket.customer_id)
        .join(Site, Site.id == Ticket.site_id)
    )
    stmt = customer_scoped(stmt, Ticket.customer_id)
    stmt = where_given(
        stmt,
        args,
        status=Ticket.status,
        severity=Ticket.severity,
        customer=Customer.code,
        site=Site.code,
    )
    if args.get("open_only"):
        stmt = stmt.where(Ticket.status.in_([s.value for s in svc.OPEN_STATUSES]))
    return mapping_page(db, stmt.order_by(Ticket.id.desc()), args)


@blp.get("/<ref>")
@blp.response(200, TicketSchema)
@roles_required(*ALL_ROLES)
def get_ticket(ref):
    """One ticket with its clocks and the moves allowed from its status."""
    return plain(svc.ticket_view(_ticket_for_caller(ref)))


@blp.get("/<ref>/events")
@blp.response(200, EventSchema(many=True))
@roles_required(*ALL_ROLES)
def ticket_events(ref):
    """The audit trail; customers get the customer-visible events without actors or notes."""
    return events_for_caller("ticket", _ticket_for_caller(ref).id)


@blp.post("/<ref>/<any(acknowledge, arrive, resolve):action>")
@blp.arguments(NoteRequest, required=False)  # every field optional
@blp.response(200, TicketSchema)
@roles_required("dispatcher", "engineer")
def move(data, ref, action):
    """acknowledge (new → acknowledged), arrive (dispatched → on_site), resolve (on_site →
    resolved, the customer is then asked to confirm); any other move from the ticket's
    status is 409. Engineers move the tickets assigned to them (any other is 404)."""
    engineer = engineer_scope()
    if engineer is not None:
        ticket_for_engineer(get_session(), ref, engineer)
    return plain(
        svc.move_ticket(
            get_session(),
            ref,
            action,
            actor=actor_name(),
            note=data.get("note"),
            resolution=data.get("resolution"),
        )
    )


@blp.post("/<ref>/cancel")
@blp.arguments(CancelRequest)
@blp.response(200, TicketSchema)
@roles_required("dispatcher")
def cancel(data, ref):
    """Cancel before the work is done; an RMA it opened is cancelled and its spare released."""
    return plain(svc.cancel_ticket(get_session(), ref, actor=actor_name(), reason=data["reason"]))


@blp.post("/<ref>/severity")
@blp.arguments(SeverityRequest)
@blp.response(200, TicketSchema)
@roles_required("dispatcher")
def change_severity(data, ref):
    """Re-grade; the response and restore clocks are recomputed from the opening time."""
    return plain(
        svc.change_severity(
            get_session(), ref, data["severity"], actor=actor_name(), reason=data.get("reason")
        )
    )


@blp.post("/<ref>/reassign")
@blp.arguments(ReassignRequest)
@blp.response(200, TicketSchema)
@roles_required("dispatcher")
def reassign(data, ref):
    """Send another engineer."""
    return plain(svc.reassign_engineer(get_session(), ref, data["engineer"], actor=actor_name()))


@blp.post("/<ref>/close")
@blp.arguments(CloseRequest)
@blp.response(200, TicketSchema)
@roles_required("customer", "dispatcher")
def close(data, ref):
    """The customer confirms the fix and rates the service (0–5: response time, quality of
    work, attitude, overall) — or says it is not fixed, which reopens the ticket. A
    dispatcher may record the customer's answer given by phone."""
    return plain(
        svc.close_ticket(
            get_session(),
            ref,
            actor=actor_name(),
            confirmed=data["confirmed"],
            ratings=data.get("ratings") or {},
            comment=data.get("comment"),
            customer_id=customer_scope(),
        )
    )
