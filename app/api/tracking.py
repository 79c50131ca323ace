"""Customer tracking by code, without an account (rate-limited)."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint

from app.api.common import Money, plain
from app.db import get_session
from app.extensions import limiter
from inventory.tracking import track

blp = Blueprint("track_api", __name__, url_prefix="/api/track", description="RMA status by tracking code (public)")


class TimelineSchema(ma.Schema):
    at = ma.fields.AwareDateTime()
    event = ma.fields.String()
    label = ma.fields.String()
    state = ma.fields.String(allow_none=True)
    details = ma.fields.Dict()


class ReplacementSchema(ma.Schema):
    part_number = ma.fields.String(allow_none=True)
    description = ma.fields.String(allow_none=True)
    serial = ma.fields.String(allow_none=True)
    step = ma.fields.String(metadata={"description": "waiting, reserved, shipped or delivered"})
    shipped_at = ma.fields.AwareDateTime(allow_none=True)
    delivery_due = ma.fields.AwareDateTime(allow_none=True)
    delivered_at = ma.fields.AwareDateTime(allow_none=True)
    carrier = ma.fields.String(allow_none=True)
    waybill = ma.fields.String(allow_none=True)


class TrackingSchema(ma.Schema):
    number = ma.fields.String()
    kind = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    requested_at = ma.fields.AwareDateTime()
    city = ma.fields.String()
    promised_onsite_at = ma.fields.AwareDateTime(allow_none=True)
    engineer_first_name = ma.fields.String(allow_none=True)
    faulty_part_number = ma.fields.String()
    faulty_serial = ma.fields.String(allow_none=True)
    replacement = ma.fields.Nested(ReplacementSchema)
    return_due_at = ma.fields.AwareDateTime(allow_none=True)
    returned_at = ma.fields.AwareDateTime(allow_none=True)
    overdue = ma.fields.Boolean()
    late_charge = Money(allow_none=True)
    charge_currency = ma.fields.String(allow_none=True)
    timeline = ma.fields.List(ma.fields.Nested(TimelineSchema))


def _rate() -> str:
    return current_app.config["TRACKING_RATE_LIMIT"]


@blp.get("/<path:code>")  # any text, slashes too, gets the same answer
@limiter.limit(_rate)
@blp.response(200, TrackingSchema)
def track_rma(code):
    """Status of one RMA by its tracking code: the customer-visible timeline, the promised
    on-site time, the replacement's progress, the return deadline and whether it is
    overdue. Unknown and malformed codes answer the same 404. Rate-limited per address."""
    return plain(track(get_session(), code))
