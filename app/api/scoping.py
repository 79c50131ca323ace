"""Who may see which customer's tickets and RMAs, and schemas the service-flow APIs share."""

from __future__ import annotations

import marshmallow as ma
from flask import abort, jsonify

from app.auth import current_user
from app.db import get_session
from app.documents.access import engineer_id
from app.errors import problem
from inventory.errors import NotFound
from inventory.events import events_of
from models.enums import Role


def customer_scope() -> int | None:
    """The only customer the caller may see (customer role), or None for staff.

    A customer account without a customer unit sees nothing (403)."""
    user = current_user()
    if user is None or user.role != Role.CUSTOMER.value:
        return None
    if user.customer_id is None:
        abort(problem(403, "Forbidden", "this customer account is not linked to a customer unit"))
    return user.customer_id


def check_own(what: str, value, *, field: str, owner: int | None, scope: int | None) -> None:
    """A caller held to ``scope`` (their customer unit, or the engineer they work as) may
    reach only records whose ``owner`` it is: another's answers ``NotFound.unknown`` —
    exactly like one that does not exist. ``scope`` None (staff): any record."""
    if scope is not None and owner != scope:
        raise NotFound.unknown(what, value, field=field)


def customer_scoped(stmt, customer_column):
    """``stmt`` narrowed to the caller's own customer's rows (a customer account: its
    ``customer_column`` is theirs); staff see every row."""
    scope = customer_scope()
    return stmt.where(customer_column == scope) if scope is not None else stmt


def engineer_scope() -> int | None:
    """The engineer (Engineer.id) an engineer caller works as — they move only the tickets
    and RMAs assigned to them — or None for everyone else (-1: an account with no engineer)."""
    user = current_user()
    if user is None or user.role != Role.ENGINEER.value:
        return None
    engineer = engineer_id(get_session(), user)
    return engineer if engineer is not None else -1


def is_customer() -> bool:
    user = current_user()
    return user is not None and user.role == Role.CUSTOMER.value


class EventSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    from_state = ma.fields.String(allow_none=True)
    to_state = ma.fields.String(allow_none=True)
    actor = ma.fields.String()
    at = ma.fields.AwareDateTime()
    customer_visible = ma.fields.Boolean()
    note = ma.fields.String(allow_none=True)
    data = ma.fields.Dict()


class CustomerEventSchema(ma.Schema):
    """What a customer sees of an event: no actor, no internal note."""

    kind = ma.fields.String()
    from_state = ma.fields.String(allow_none=True)
    to_state = ma.fields.String(allow_none=True)
    at = ma.fields.AwareDateTime()


def events_for_caller(subject_type: str, subject_id: int):
    """A record's audit trail as the caller may read it: customers get the customer-visible
    events without actors or notes (sent as they are: the route's EventSchema must not dump
    the already-dumped list a second time), staff every event."""
    db = get_session()
    if is_customer():
        events = events_of(db, subject_type, subject_id, customer_visible_only=True)
        return jsonify(CustomerEventSchema(many=True).dump(events))
    return events_of(db, subject_type, subject_id)
