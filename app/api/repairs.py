"""The repair loop: faulty stock to repair vendors in batches, back good or scrapped."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import select

from app.api.common import (
    PageArgs,
    Serial,
    Str,
    idempotent_write,
    page_schema,
    plain,
    query_read,
    scalar_page,
    where_given,
)
from app.auth import STAFF, actor_name, roles_required
from app.db import get_session
from inventory import repairs as svc
from models import RepairBatch, limits

blp = Blueprint(
    "repairs",
    __name__,
    url_prefix="/api/repair-batches",
    description="Repair batches (vendor RMAs)",
)


class RepairSendRequest(ma.Schema):
    depot = Str(limits.CODE, required=True)
    vendor = Str(limits.VENDOR, required=True)
    serials = ma.fields.List(
        Serial(required=True), required=True, validate=validate.Length(min=1, max=5000)
    )
    note = Str(limits.REASON, allow_none=True)


class RepairReceiveRequest(ma.Schema):
    outcomes = ma.fields.Dict(
        keys=Str(64),
        values=ma.fields.String(validate=validate.OneOf(svc.OUTCOMES)),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "serial → repaired | scrapped"},
    )


class RepairLineSchema(ma.Schema):
    part_number = ma.fields.String()
    serial = ma.fields.String(allow_none=True)
    outcome = ma.fields.String()
    returned_at = ma.fields.AwareDateTime(allow_none=True)


class BatchSchema(ma.Schema):
    number = ma.fields.String()
    vendor = ma.fields.String()
    depot = ma.fields.String()
    status = ma.fields.String()
    sent_by = ma.fields.String()
    sent_at = ma.fields.AwareDateTime()
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(RepairLineSchema))


class TurnaroundSchema(ma.Schema):
    vendor = ma.fields.String()
    units_sent = ma.fields.Integer()
    units_open = ma.fields.Integer()
    repaired = ma.fields.Integer()
    scrapped = ma.fields.Integer()
    mean_days = ma.fields.Float(allow_none=True)
    median_days = ma.fields.Float(allow_none=True)
    max_days = ma.fields.Float(allow_none=True)


class BatchQuery(PageArgs):
    status = ma.fields.String(validate=validate.OneOf(["sent", "closed"]))
    vendor = Str(limits.VENDOR)


BatchPage = page_schema(BatchSchema, "RepairBatchPage")


@idempotent_write(blp, "", RepairSendRequest, BatchSchema, "warehouse", status=201)
def send(data):
    """Send faulty units from a depot's shelf to a repair vendor as one batch."""
    return plain(
        svc.send_to_repair(
            get_session(),
            depot_code=data["depot"],
            vendor=data["vendor"],
            serials=data["serials"],
            actor=actor_name(),
            note=data.get("note"),
        )
    )


@idempotent_write(blp, "/<number>/receive", RepairReceiveRequest, BatchSchema, "warehouse")
def receive(data, number):
    """Record units back from the vendor: repaired (restocked good) or scrapped."""
    return plain(
        svc.receive_from_repair(
            get_session(), number, outcomes=data["outcomes"], actor=actor_name()
        )
    )


@query_read(blp, "", BatchQuery, BatchPage, *STAFF)
def list_batches(args):
    db = get_session()
    stmt = select(RepairBatch).order_by(RepairBatch.id.desc())
    stmt = where_given(stmt, args, status=RepairBatch.status, vendor=RepairBatch.vendor)
    return scalar_page(db, stmt, args, lambda b: plain(svc.batch_view(db, b)))


@blp.get("/turnaround")
@blp.response(200, TurnaroundSchema(many=True))
@roles_required(*STAFF)
def turnaround():
    """Per vendor: units sent, still out, repaired, scrapped, and days from sending to return."""
    return [plain(t) for t in svc.vendor_turnaround(get_session())]


@blp.get("/<number>")
@blp.response(200, BatchSchema)
@roles_required(*STAFF)
def get_batch(number):
    db = get_session()
    return plain(svc.batch_view(db, svc.batch_by_number(db, number)))
