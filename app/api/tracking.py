"""Customer tracking by code, without an account (rate-limited).

The most frequent public read, so it is kept cheap: one SQL statement on a connection
without a transaction (inventory/tracking.py), and the rendered answer kept for
``TRACKING_CACHE_SECONDS`` (default 5; 0 turns it off) in each worker, so a page or
client polling a code is answered from memory. The rate limit still counts every request.
"""

from __future__ import annotations

import threading
import time

import marshmallow as ma
from flask import Response, current_app
from flask_smorest import Blueprint

from app.api.common import Choice, Money
from app.db import database
from app.ratelimit import per_address
from inventory.tracking import track
from models.enums import RmaKind, RmaStatus

blp = Blueprint(
    "track_api",
    __name__,
    url_prefix="/api/track",
    description="RMA status by tracking code (public)",
)


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
    kind = Choice(RmaKind)
    status = Choice(RmaStatus)
    status_label = ma.fields.String()
    requested_at = ma.fields.AwareDateTime()
    city = ma.fields.String()
    promised_onsite_at = ma.fields.AwareDateTime(allow_none=True)
    engineer_first_name = ma.fields.String(allow_none=True)
    engineer_title = ma.fields.String(
        allow_none=True, metadata={"description": "how customers address the engineer: 罗工"}
    )
    faulty_part_number = ma.fields.String()
    faulty_serial = ma.fields.String(allow_none=True)
    replacement = ma.fields.Nested(ReplacementSchema)
    return_due_at = ma.fields.AwareDateTime(allow_none=True)
    returned_at = ma.fields.AwareDateTime(allow_none=True)
    overdue = ma.fields.Boolean()
    late_charge = Money(allow_none=True)
    charge_currency = ma.fields.String(allow_none=True)
    timeline = ma.fields.List(ma.fields.Nested(TimelineSchema))


_SCHEMA = TrackingSchema()  # built once: a schema's construction copies all its fields
CACHE_KEY = "sparelog.tracking_cache"
CACHE_ENTRIES = 4096  # per worker; a few MB at most


class AnswerCache:
    """Rendered answers by code, each kept for ``ttl`` seconds; the oldest go first when full."""

    def __init__(self, ttl: float, entries: int = CACHE_ENTRIES):
        self.ttl, self.entries = ttl, entries
        self._answers: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def get(self, code: str) -> bytes | None:
        hit = self._answers.get(code)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, code: str, body: bytes) -> None:
        with self._lock:
            self._answers.pop(code, None)
            while len(self._answers) >= self.entries:
                del self._answers[next(iter(self._answers))]
            self._answers[code] = (time.monotonic() + self.ttl, body)


def _cache() -> AnswerCache | None:
    ttl = float(current_app.config.get("TRACKING_CACHE_SECONDS", 5))
    if ttl <= 0:
        return None
    cache = current_app.extensions.get(CACHE_KEY)
    if cache is None or cache.ttl != ttl:
        cache = current_app.extensions[CACHE_KEY] = AnswerCache(ttl)
    return cache


@blp.get("/<path:code>")  # any text, slashes too, gets the same answer
@blp.doc(security=[])  # public: the unguessable code is the credential
@per_address("TRACKING_RATE_LIMIT")
@blp.response(200, TrackingSchema)
def track_rma(code):
    """Status of one RMA by its tracking code: the customer-visible timeline, the promised
    on-site time, the replacement's progress, the return deadline and whether it is
    overdue. Unknown and malformed codes answer the same 404. Rate-limited per address.
    An answer may be up to a few seconds old (``TRACKING_CACHE_SECONDS``, default 5)."""
    cache = _cache()
    body = cache.get(code) if cache is not None else None
    if body is None:
        # a single read: no transaction to begin and roll back around it
        with database().engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            view = track(conn, code)
        body = current_app.json.response(
            _SCHEMA.dump(view)
        ).get_data()  # reads the dataclasses as they are
        if cache is not None:
            cache.put(code, body)
    return Response(body, mimetype="application/json")
