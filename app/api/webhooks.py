"""Webhook endpoints (admin): where events are posted, each signed with its own secret,
and each endpoint's delivery log (the outbox messages queued for it)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import select

from app.api.common import Flag, PageArgs, Str, page_of, page_schema, plain, query_read, scalar_page
from app.auth import actor_name, roles_required
from app.db import get_session
from inventory import webhooks
from models import WebhookEndpoint, limits

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/webhooks",
    description="Webhook endpoints and their delivery log (admin)",
)

ENDPOINT_NAME = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$", error="2–64 letters, digits, '_', '.' or '-'"
)


def Url(**kw) -> ma.fields.Url:  # noqa: N802 (a field factory, read like a field)
    return ma.fields.Url(
        schemes={"http", "https"},
        require_tld=False,
        validate=validate.Length(max=limits.URL),
        metadata={"description": "http(s) URL the events are POSTed to"},
        **kw,
    )


def Secret(**kw) -> ma.fields.String:  # noqa: N802
    return ma.fields.String(
        load_only=True,
        validate=validate.Length(min=16, max=128),
        metadata={"description": "signing secret; omit to have one generated (shown once)"},
        **kw,
    )


class EndpointSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = Str(64, required=True, validate=ENDPOINT_NAME)
    url = Url(required=True)
    secret = Secret()
    active = ma.fields.Boolean(dump_only=True)
    secret_hint = ma.fields.String(
        dump_only=True, metadata={"description": "its last 4 characters"}
    )
    created_at = ma.fields.AwareDateTime(dump_only=True)


class EndpointUpdate(ma.Schema):
    url = Url()
    active = Flag()
    rotate_secret = Flag(metadata={"description": "true: generate a new secret (shown once)"})
    secret = Secret()


class EndpointWithSecret(EndpointSchema):
    new_secret = ma.fields.String(
        allow_none=True, metadata={"description": "the secret, on this answer only"}
    )


class DeliverySchema(ma.Schema):
    id = ma.fields.Integer()
    dedupe_key = ma.fields.String(metadata={"description": "sent as X-Sparelog-Delivery"})
    event_id = ma.fields.Integer(allow_none=True)
    status = ma.fields.String(metadata={"enum": ["pending", "sent", "dead"]})
    attempts = ma.fields.Integer()
    created_at = ma.fields.AwareDateTime()
    sent_at = ma.fields.AwareDateTime(allow_none=True)
    next_attempt_at = ma.fields.AwareDateTime()
    last_error = ma.fields.String(allow_none=True)


EndpointPage = page_schema(EndpointSchema, "WebhookEndpointPage")
DeliveryPage = page_schema(DeliverySchema, "WebhookDeliveryPage")


def _with_secret(view: webhooks.EndpointView, secret: str | None) -> dict:
    return {**plain(view), "new_secret": secret}


@query_read(blp, "", PageArgs, EndpointPage, "admin")
def list_endpoints(args):
    stmt = select(WebhookEndpoint).order_by(WebhookEndpoint.name)
    return scalar_page(get_session(), stmt, args, lambda r: plain(webhooks.endpoint_view(r)))


@blp.post("")
@blp.arguments(EndpointSchema)
@blp.response(201, EndpointWithSecret)
@roles_required("admin")
def create_endpoint(data):
    """A new endpoint; every event that notifies is posted to it from now on."""
    view, secret = webhooks.create_endpoint(get_session(), actor=actor_name(), **data)
    return _with_secret(view, secret)


@blp.get("/<name>")
@blp.response(200, EndpointSchema)
@roles_required("admin")
def get_endpoint(name):
    return plain(webhooks.endpoint_view(webhooks.endpoint_by_name(get_session(), name)))


@blp.patch("/<name>")
@blp.arguments(EndpointUpdate, required=False)
@blp.response(200, EndpointWithSecret)
@roles_required("admin")
def update_endpoint(data, name):
    """Change the URL, deactivate (``active`` false) or reactivate, or rotate the secret."""
    view, secret = webhooks.update_endpoint(get_session(), name, actor=actor_name(), **data)
    return _with_secret(view, secret)


@query_read(blp, "/<name>/deliveries", PageArgs, DeliveryPage, "admin")
def deliveries(args, name):
    """The endpoint's delivery log, newest first: each message's state, attempts, error."""
    db = get_session()
    endpoint = webhooks.endpoint_by_name(db, name)
    page, size = args.get("page", 1), args.get("page_size", 50)
    items, total = webhooks.delivery_log(db, endpoint.id, page=page, page_size=size)
    return page_of([plain(i) for i in items], total, args)


@blp.post("/<name>/ping")
@blp.response(202, DeliverySchema)
@roles_required("admin")
def ping(name):
    """Queue a test message (``event.kind`` "ping") to the endpoint."""
    db = get_session()
    webhooks.send_test(db, name, actor=actor_name())
    endpoint = webhooks.endpoint_by_name(db, name)
    items, _ = webhooks.delivery_log(db, endpoint.id, page=1, page_size=1)
    return plain(items[0])
