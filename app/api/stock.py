"""Warehouse operations and stock queries."""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask_smorest import Blueprint
from marshmallow import validate

from app.api.common import (
    Choice,
    Flag,
    PageArgs,
    Serial,
    StockCondition,
    Str,
    When,
    WholeNumber,
    idempotent_write,
    list_page,
    page_of,
    page_schema,
    plain,
    query_read,
)
from app.auth import STAFF, actor_name
from app.db import get_session
from app.errors import problem
from app.geo import resolve
from inventory import counts, queries, receiving, reservation
from inventory.delivery_file import read_delivery
from inventory.errors import InvalidInput
from models import limits
from models.enums import Condition, ItemStatus, LocationKind, MovementReason

blp = Blueprint(
    "stock",
    __name__,
    url_prefix="/api",
    description="Stock ledger: receive, count, scrap, reserve, look up",
)
WAREHOUSE = ("warehouse",)
CONDITIONS = [c.value for c in Condition]


class ReceiptRequest(ma.Schema):
    depot = Str(limits.CODE, required=True)
    part_number = Str(limits.PART_NUMBER, required=True)
    serial = Serial(allow_none=True)
    qty = WholeNumber(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    condition = StockCondition()
    reference = Str(limits.REFERENCE, allow_none=True)
    note = Str(limits.REASON, allow_none=True)


class ReceiptSchema(ma.Schema):
    depot = ma.fields.String()
    part_number = ma.fields.String()
    serial = ma.fields.String(allow_none=True)
    qty = ma.fields.Integer()
    condition = Choice(Condition)
    movement_id = ma.fields.Integer()


class RowErrorSchema(ma.Schema):
    row = ma.fields.Integer()
    field = ma.fields.String(allow_none=True)
    message = ma.fields.String()


class ImportReportSchema(ma.Schema):
    rows = ma.fields.Integer()
    accepted = ma.fields.Integer()
    units = ma.fields.Integer()
    committed = ma.fields.Boolean()
    errors = ma.fields.List(ma.fields.Nested(RowErrorSchema))


class ImportArgs(ma.Schema):
    reference = Str(limits.REFERENCE)
    strict = ma.fields.Boolean(load_default=False)


class AdjustRequest(ma.Schema):
    depot = Str(limits.CODE, required=True)
    part_number = Str(limits.PART_NUMBER, required=True)
    delta = WholeNumber(required=True, validate=validate.Range(min=-1_000_000, max=1_000_000))
    reason = Str(limits.REASON, required=True)
    condition = StockCondition()


class CountRequest(ma.Schema):
    depot = Str(limits.CODE, required=True)
    part_number = Str(limits.PART_NUMBER, required=True)
    counted_qty = WholeNumber(validate=validate.Range(min=0, max=1_000_000))
    serials = ma.fields.List(Serial(), validate=validate.Length(max=100_000))
    reason = Str(limits.REASON, load_default="cycle count")
    condition = StockCondition()
    confirm = Flag(
        load_default=False,
        metadata={
            "description": "write off more than half of the expected serials as missing "
            "(without it such a count is 409)"
        },
    )

    @ma.validates_schema
    def _one_of(self, data, **_kw):
        if ("counted_qty" in data) == ("serials" in data):
            raise ma.ValidationError(
                "give counted_qty (counted parts) or serials (serialized parts)", "counted_qty"
            )


class CountSchema(ma.Schema):
    depot = ma.fields.String()
    part_number = ma.fields.String()
    expected = ma.fields.Integer()
    counted = ma.fields.Integer()
    delta = ma.fields.Integer()
    found = ma.fields.List(ma.fields.String())
    missing = ma.fields.List(ma.fields.String())


class ScrapRequest(ma.Schema):
    serial = Serial()
    part_number = Str(limits.PART_NUMBER)
    depot = Str(limits.CODE)
    qty = WholeNumber(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    reason = Str(limits.REASON, required=True)


class ReservationRequest(ma.Schema):
    depot = Str(limits.CODE, required=True)
    part_number = Str(limits.PART_NUMBER, required=True)
    reference = Str(limits.REFERENCE, required=True)
    qty = WholeNumber(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    serial = Serial()


class ReservationSchema(ma.Schema):
    reference = ma.fields.String()
    depot = ma.fields.String()
    part_number = ma.fields.String()
    serial = ma.fields.String(allow_none=True)
    qty = ma.fields.Integer()


class MovementSchema(ma.Schema):
    id = ma.fields.Integer()
    occurred_at = ma.fields.AwareDateTime()
    part_number = ma.fields.String()
    serial = ma.fields.String(allow_none=True)
    qty = ma.fields.Integer()
    from_location = ma.fields.String()
    to_location = ma.fields.String()
    from_condition = Choice(Condition, allow_none=True)
    condition = Choice(Condition)
    reason = Choice(MovementReason)
    reference = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    actor = ma.fields.String()


class HistorySchema(ma.Schema):
    part_number = ma.fields.String()
    description = ma.fields.String()
    serial = ma.fields.String()
    status = Choice(ItemStatus)
    condition = Choice(Condition)
    location = ma.fields.String()
    location_kind = Choice(LocationKind)
    reserved_ref = ma.fields.String(allow_none=True)
    movements = ma.fields.List(ma.fields.Nested(MovementSchema))


class HistoryQuery(ma.Schema):
    part_number = Str(limits.PART_NUMBER)


class AvailabilityQuery(PageArgs):
    part_number = Str(limits.PART_NUMBER, required=True)
    condition = ma.fields.String(load_default="good", validate=validate.OneOf(CONDITIONS))
    near = ma.fields.String(
        metadata={"description": "'lat,lon' or a city/address to sort by distance"},
        validate=validate.Length(max=300),
    )
    include_empty = ma.fields.Boolean(load_default=False)


class AvailabilitySchema(ma.Schema):
    depot = ma.fields.String()
    name = ma.fields.String()
    city = ma.fields.String()
    lat = ma.fields.Float()
    lon = ma.fields.Float()
    available = ma.fields.Integer()
    reserved = ma.fields.Integer()
    distance_km = ma.fields.Float(allow_none=True)
    parts = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        metadata={
            "description": "free units counted in available, per part number: the part and "
            "the part numbers that supersede it or are interchangeable with it"
        },
    )


class BelowReorderSchema(ma.Schema):
    depot = ma.fields.String()
    part_number = ma.fields.String()
    description = ma.fields.String()
    on_hand = ma.fields.Integer()
    reorder_point = ma.fields.Integer()
    target_level = ma.fields.Integer()
    suggested_qty = ma.fields.Integer()


class BelowReorderQuery(PageArgs):
    depot = Str(limits.CODE)


class MovementQuery(PageArgs):
    depot = Str(limits.CODE)
    part_number = Str(limits.PART_NUMBER)
    reason = ma.fields.String(validate=validate.OneOf([r.value for r in MovementReason]))
    reference = Str(limits.REFERENCE)
    since = When(metadata={"description": "ISO 8601 with offset"})
    until = When()


MovementPage = page_schema(MovementSchema, "MovementPage")
BelowReorderPage = page_schema(BelowReorderSchema, "BelowReorderPage")
AvailabilityPage = page_schema(AvailabilitySchema, "AvailabilityPage")
AdjustResult = ma.Schema.from_dict({"qty": ma.fields.Integer()}, name="AdjustResult")
ScrapResult = ma.Schema.from_dict({"movement_id": ma.fields.Integer()}, name="ScrapResult")


@idempotent_write(blp, "/stock/receipts", ReceiptRequest, ReceiptSchema, *WAREHOUSE, status=201)
def receive(data):
    """Receive one serial (or a quantity of a counted part) from a supplier."""
    return plain(
        receiving.receive_from_supplier(
            get_session(),
            actor=actor_name(),
            depot_code=data["depot"],
            part_number=data["part_number"],
            serial=data.get("serial"),
            qty=data["qty"],
            condition=data["condition"],
            reference=data.get("reference"),
            note=data.get("note"),
        )
    )


@idempotent_write(
    blp, "/stock/receipts/import", ImportArgs, ImportReportSchema, *WAREHOUSE, location="query"
)
def import_delivery(args):
    """Import a supplier delivery (multipart field ``file``: CSV or .xlsx with columns
    depot, part_number, serial, qty, condition). Bad rows are rejected with a per-row
    report; the good rows are booked in one transaction (``strict=true``: all or nothing).
    A delivery ``reference`` is booked once: another import of it is 409."""
    upload = request.files.get("file")
    if upload is None:
        return problem(
            422,
            "Unprocessable Entity",
            "attach the delivery as multipart field 'file'",
            errors={"file": ["missing"]},
        )
    rows = read_delivery(upload.read(), upload.filename or "")
    report = receiving.import_receipts(
        get_session(),
        rows,
        actor=actor_name(),
        reference=args.get("reference"),
        strict=args["strict"],
    )
    if not report.committed:
        return problem(
            422,
            "Unprocessable Entity",
            f"{len(report.errors)} bad row(s); nothing was booked",
            errors={"file": [f"row {e.row}: {e.field}: {e.message}" for e in report.errors[:200]]},
            report=ImportReportSchema().dump(plain(report)),
        )
    return plain(report)


import_delivery._accepts_any_body = True


@idempotent_write(blp, "/stock/adjustments", AdjustRequest, AdjustResult, *WAREHOUSE)
def adjust(data):
    """Correct a counted part's quantity by ``delta`` with a reason."""
    qty = counts.adjust_quantity(
        get_session(),
        depot_code=data["depot"],
        part_number=data["part_number"],
        delta=data["delta"],
        reason=data["reason"],
        actor=actor_name(),
        condition=data["condition"],
    )
    return {"qty": qty}


@idempotent_write(blp, "/stock/counts", CountRequest, CountSchema, *WAREHOUSE)
def count(data):
    """Cycle count: the books are set to what is on the shelf, differences go in the ledger."""
    return plain(
        counts.cycle_count(
            get_session(),
            depot_code=data["depot"],
            part_number=data["part_number"],
            actor=actor_name(),
            reason=data["reason"],
            counted_qty=data.get("counted_qty"),
            serials=data.get("serials"),
            condition=data["condition"],
            confirm_missing=data["confirm"],
        )
    )


@idempotent_write(blp, "/stock/scrap", ScrapRequest, ScrapResult, *WAREHOUSE)
def scrap(data):
    movement_id = counts.scrap(
        get_session(),
        actor=actor_name(),
        reason=data["reason"],
        serial=data.get("serial"),
        part_number=data.get("part_number"),
        depot_code=data.get("depot"),
        qty=data["qty"],
    )
    return {"movement_id": movement_id}


@idempotent_write(
    blp,
    "/stock/reservations",
    ReservationRequest,
    ReservationSchema,
    "warehouse",
    "dispatcher",
    status=201,
)
def reserve(data):
    """Reserve a good unit (or quantity) at a depot for a reference; 409 when none is left."""
    return plain(
        reservation.reserve(
            get_session(),
            depot_code=data["depot"],
            part_number=data["part_number"],
            reference=data["reference"],
            qty=data["qty"],
            serial=data.get("serial"),
            actor=actor_name(),
        )
    )


@query_read(blp, "/items/<serial>", HistoryQuery, HistorySchema, *STAFF)
def item_history(args, serial):
    """Look up a serial: where it is, its condition, and every movement it made."""
    return plain(queries.serial_history(get_session(), serial, args.get("part_number")))


@query_read(blp, "/availability", AvailabilityQuery, AvailabilityPage, *STAFF)
def availability(args):
    """Where a part is in stock, nearest first when ``near`` is given; a page of depots."""
    near = None
    if args.get("near"):
        place = resolve(args["near"], "near")
        near = (place.lat, place.lon)
    rows = queries.availability(
        get_session(),
        args["part_number"],
        condition=args["condition"],
        near=near,
        include_empty=args["include_empty"],
    )
    return list_page(rows, args)


@query_read(blp, "/stock/below-reorder", BelowReorderQuery, BelowReorderPage, *STAFF)
def below_reorder(args):
    rows = queries.below_reorder_point(get_session(), args.get("depot"))
    return list_page(rows, args)


@query_read(blp, "/movements", MovementQuery, MovementPage, *STAFF)
def movements(args):
    rows, total = queries.list_movements(
        get_session(),
        depot_code=args.get("depot"),
        part_number=args.get("part_number"),
        reason=args.get("reason"),
        reference=args.get("reference"),
        since=args.get("since"),
        until=args.get("until"),
        page=args["page"],
        page_size=args["page_size"],
    )
    return page_of([plain(r) for r in rows], total, args)


__all__ = ["InvalidInput", "blp"]
