"""Transfers between depots."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.api.common import (
    Choice,
    PageArgs,
    Serial,
    StockCondition,
    Str,
    WholeNumber,
    idempotent_write,
    mapping_page,
    page_schema,
    plain,
    query_read,
)
from app.auth import STAFF, actor_name, current_user, roles_required
from app.db import get_session
from inventory.transfers import (
    LineRequest,
    discrepancies_of,
    receive_transfer,
    resolve_discrepancy,
    ship_transfer,
)
from models import Depot, Location, Transfer, limits
from models.enums import DiscrepancyStatus, Role, TransferStatus

blp = Blueprint(
    "transfers", __name__, url_prefix="/api/transfers", description="Depot-to-depot transfers"
)


class LineSchema(ma.Schema):
    part_number = Str(limits.PART_NUMBER, required=True)
    serial = Serial()
    qty = WholeNumber(load_default=1, validate=validate.Range(min=0, max=1_000_000))
    condition = StockCondition()


class ShipRequest(ma.Schema):
    from_depot = Str(limits.CODE, required=True)
    to_depot = Str(limits.CODE, required=True)
    lines = ma.fields.List(
        ma.fields.Nested(LineSchema), required=True, validate=validate.Length(min=1, max=10_000)
    )
    note = Str(limits.REASON)


class ReceiveRequest(ma.Schema):
    lines = ma.fields.List(
        ma.fields.Nested(LineSchema),
        allow_none=True,
        load_default=None,
        metadata={"description": "what arrived; omit to receive everything as shipped"},
    )
    note = Str(limits.REASON)


class DiscrepancySchema(ma.Schema):
    id = ma.fields.Integer(metadata={"description": "the discrepancy record to resolve"})
    part_number = ma.fields.String()
    serial = ma.fields.String(allow_none=True)
    expected = ma.fields.Integer()
    received = ma.fields.Integer()
    kind = Choice(("missing", "short", "over", "unexpected"))


class TransferResultSchema(ma.Schema):
    number = ma.fields.String()
    status = Choice(TransferStatus)
    lines = ma.fields.Integer()
    discrepancies = ma.fields.List(ma.fields.Nested(DiscrepancySchema))


STATUSES = tuple(s.value for s in DiscrepancyStatus)


class DiscrepancyRecordSchema(ma.Schema):
    id = ma.fields.Integer()
    part_number = ma.fields.String()
    serial = ma.fields.String(allow_none=True)
    kind = ma.fields.String(
        metadata={"enum": ["missing", "short", "over", "unexpected"]},
    )
    qty = ma.fields.Integer()
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    outcomes = ma.fields.List(
        ma.fields.String(), metadata={"description": "what may be done about it now"}
    )
    requested_by = ma.fields.String(allow_none=True)
    resolved_by = ma.fields.String(allow_none=True)
    resolved_at = ma.fields.AwareDateTime(allow_none=True)


class ResolveRequest(ma.Schema):
    outcome = ma.fields.String(
        required=True,
        validate=validate.OneOf(["found", "lost", "approve", "noted"]),
        metadata={
            "description": "found: turned up at the destination (booked in); lost: lost in "
            "transit, asks for a write-off; approve: an administrator other than the requester "
            "approves the write-off; noted: units that arrived unannounced were looked into"
        },
    )
    note = Str(limits.REASON)


class TransferSchema(ma.Schema):
    number = ma.fields.String()
    from_depot = ma.fields.String()
    to_depot = ma.fields.String()
    status = Choice(TransferStatus)
    shipped_by = ma.fields.String()
    shipped_at = ma.fields.AwareDateTime()
    received_by = ma.fields.String(allow_none=True)
    received_at = ma.fields.AwareDateTime(allow_none=True)


class TransferQuery(PageArgs):
    status = ma.fields.String(validate=validate.OneOf([s.value for s in TransferStatus]))
    depot = Str(limits.CODE)


TransferPage = page_schema(TransferSchema, "TransferPage")


def _lines(raw) -> list[LineRequest] | None:
    if raw is None:
        return None
    return [
        LineRequest(line["part_number"], line.get("serial"), line["qty"], line["condition"])
        for line in raw
    ]


@idempotent_write(blp, "", ShipRequest, TransferResultSchema, "warehouse", status=201)
def ship(data):
    """Ship stock from one depot to another (the stock goes in transit)."""
    return plain(
        ship_transfer(
            get_session(),
            from_depot=data["from_depot"],
            to_depot=data["to_depot"],
            lines=_lines(data["lines"]),
            actor=actor_name(),
            note=data.get("note"),
        )
    )


@idempotent_write(
    blp, "/<number>/receive", ReceiveRequest, TransferResultSchema, "warehouse", body_required=False
)
def receive(data, number):
    """Receive a transfer at its destination (staff of the destination depot): list the
    serials scanned and quantities counted. Each difference from what was shipped is a
    discrepancy record to resolve (``/discrepancies/<id>/resolve``); nothing is lost
    silently."""
    return plain(
        receive_transfer(
            get_session(),
            number=number,
            received=_lines(data.get("lines")),
            actor=actor_name(),
            note=data.get("note"),
        )
    )


@query_read(blp, "", TransferQuery, TransferPage, *STAFF)
def list_transfers(args):
    db = get_session()
    src, dst, van = aliased(Depot), aliased(Depot), aliased(Location)
    stmt = (
        select(
            Transfer.number,
            src.code.label("from_depot"),
            func.coalesce(dst.code, van.code).label("to_depot"),
            Transfer.status,
            Transfer.shipped_by,
            Transfer.shipped_at,
            Transfer.received_by,
            Transfer.received_at,
        )
        .join(src, src.id == Transfer.from_depot_id)
        .outerjoin(dst, dst.id == Transfer.to_depot_id)
        .outerjoin(van, van.id == Transfer.to_location_id)
    )
    if args.get("status"):
        stmt = stmt.where(Transfer.status == args["status"])
    if args.get("depot"):
        stmt = stmt.where(
            (src.code == args["depot"]) | (dst.code == args["depot"]) | (van.code == args["depot"])
        )
    return mapping_page(db, stmt.order_by(Transfer.id.desc()), args)


@blp.get("/<number>/discrepancies")
@blp.response(200, DiscrepancyRecordSchema(many=True))
@roles_required(*STAFF)
def list_discrepancies(number):
    """The differences found when the transfer was received, and how each was resolved."""
    return discrepancies_of(get_session(), number)


@blp.post("/<number>/discrepancies/<int:discrepancy_id>/resolve")
@blp.arguments(ResolveRequest)
@blp.response(200, DiscrepancyRecordSchema)
@roles_required("warehouse")
def resolve(data, number, discrepancy_id):
    """Resolve one difference (staff of the destination depot; a write-off is approved by
    an administrator who did not ask for it). 409 when the difference is no longer in a
    state that allows it."""
    user = current_user()
    return resolve_discrepancy(
        get_session(),
        number=number,
        discrepancy_id=discrepancy_id,
        outcome=data["outcome"],
        actor=actor_name(),
        approver_may_approve=user is not None and user.role == Role.ADMIN.value,
        note=data.get("note"),
    )
