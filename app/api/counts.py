"""Stock counts as documents: start, count (scan or quantity), submit, recount or approve,
post. The one-shot ``POST /api/stock/counts`` stays for scripts that set one part at once."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from marshmallow import validate

from app.api.common import (
    Choice,
    Flag,
    PageArgs,
    Serial,
    SignedMoney,
    StockCondition,
    Str,
    WholeNumber,
    idempotent_write,
    list_page,
    page_schema,
    plain,
    query_read,
)
from app.auth import STAFF, actor_name, current_user, roles_required
from app.db import get_session
from inventory import depot_access, stock_counts
from inventory.stock_counts import Limits, QuantityCount
from models import limits
from models.enums import Condition, CountFinding, CountStatus

blp = Blueprint(
    "counts",
    __name__,
    url_prefix="/api/counts",
    description="Stock counts: the expected list frozen at the start, reviewed before posting",
)
STATUSES = [s.value for s in CountStatus]
FINDINGS = [f.value for f in CountFinding]
OUTCOMES = ["ok", "adjusted", "written_off", "found", "moved", "reserved", "finding", "not_counted"]


class CountStartRequest(ma.Schema):
    depot = Str(limits.CODE, required=True)
    part_numbers = ma.fields.List(
        Str(limits.PART_NUMBER, required=True),
        load_default=None,
        validate=validate.Length(max=500),
        metadata={"description": "the parts to count; omit to count every part with stock"},
    )
    note = Str(limits.REASON)


class CountQuantitySchema(ma.Schema):
    part_number = Str(limits.PART_NUMBER, required=True)
    qty = WholeNumber(required=True, validate=validate.Range(min=0, max=1_000_000))
    condition = StockCondition()


class CountRecordRequest(ma.Schema):
    serials = ma.fields.List(
        Serial(required=True),
        load_default=list,
        validate=validate.Length(max=stock_counts.MAX_SCANS),
        metadata={"description": "serials found on the shelf"},
    )
    quantities = ma.fields.List(
        ma.fields.Nested(CountQuantitySchema),
        load_default=list,
        validate=validate.Length(max=stock_counts.MAX_SCANS),
    )
    part_number = Str(
        limits.PART_NUMBER,
        metadata={"description": "the part of the serials, when a serial is unknown"},
    )


class CountRecountRequest(ma.Schema):
    part_numbers = ma.fields.List(
        Str(limits.PART_NUMBER, required=True),
        required=True,
        validate=validate.Length(min=1, max=500),
    )


class CountPostRequest(ma.Schema):
    confirm = Flag(
        load_default=False,
        metadata={"description": "write off the missing serials even when most are missing"},
    )


class CountCancelRequest(ma.Schema):
    reason = Str(limits.REASON, required=True)


class CountLineSchema(ma.Schema):
    id = ma.fields.Integer()
    part_number = ma.fields.String()
    serial = ma.fields.String(allow_none=True)
    condition = Choice(Condition)
    expected = ma.fields.Integer(metadata={"description": "the books at the start"})
    counted = ma.fields.Integer(allow_none=True)
    counted_by = ma.fields.String(allow_none=True)
    previous_counted = ma.fields.Integer(allow_none=True)
    previous_counted_by = ma.fields.String(allow_none=True)
    book_at_count = ma.fields.Integer(
        allow_none=True, metadata={"description": "the books when the line was counted"}
    )
    moved_since_start = ma.fields.Integer()
    variance = ma.fields.Integer(metadata={"description": "what posting moves (+ in, - out)"})
    variance_value = SignedMoney()
    reserved = ma.fields.Boolean()
    finding = ma.fields.String(allow_none=True, metadata={"enum": FINDINGS})
    finding_where = ma.fields.String(allow_none=True)
    recount = ma.fields.Boolean()
    over_limit = ma.fields.Boolean()
    needs_check = ma.fields.Boolean()
    outcome = ma.fields.String(allow_none=True, metadata={"enum": OUTCOMES})


class CountPartVarianceSchema(ma.Schema):
    part_number = ma.fields.String()
    units = ma.fields.Integer()
    value = SignedMoney()
    over_limit = ma.fields.Boolean()
    recounted = ma.fields.Boolean()


class _CountHeading(ma.Schema):
    """What every answer about a count starts with (the list's rows and the count itself)."""

    number = ma.fields.String()
    depot = ma.fields.String()
    status = ma.fields.String(metadata={"enum": STATUSES})
    started_by = ma.fields.String()
    started_at = ma.fields.AwareDateTime()


class CountDocumentSchema(_CountHeading):
    round = ma.fields.Integer()
    limit_units = ma.fields.Integer()
    limit_value = SignedMoney()
    submitted_by = ma.fields.String(allow_none=True)
    approved_by = ma.fields.String(allow_none=True)
    posted_by = ma.fields.String(allow_none=True)
    posted_at = ma.fields.AwareDateTime(allow_none=True)
    note = ma.fields.String(allow_none=True)
    counters = ma.fields.List(ma.fields.String())
    expected_serials = ma.fields.Integer()
    missing_serials = ma.fields.Integer()
    findings = ma.fields.Integer()
    variance_value = SignedMoney()
    needs_check = ma.fields.Boolean(
        metadata={"description": "a variance over the limits is neither recounted nor approved"}
    )
    needs_confirm = ma.fields.Boolean(
        metadata={"description": "most expected serials were not found: post with confirm"}
    )
    parts = ma.fields.List(ma.fields.Nested(CountPartVarianceSchema))
    lines = ma.fields.List(ma.fields.Nested(CountLineSchema))


class CountDocumentSummarySchema(_CountHeading):
    lines = ma.fields.Integer()


CountDocumentPage = page_schema(CountDocumentSummarySchema, "CountDocumentPage")


class CountFindingSchema(ma.Schema):
    serial = ma.fields.String()
    finding = ma.fields.String(metadata={"enum": FINDINGS})
    where = ma.fields.String(allow_none=True, metadata={"description": "status @ location"})


class CountRecordedSchema(ma.Schema):
    matched = ma.fields.Integer()
    quantities = ma.fields.Integer()
    findings = ma.fields.List(ma.fields.Nested(CountFindingSchema))


class CountPostedSchema(ma.Schema):
    number = ma.fields.String()
    written_off = ma.fields.List(ma.fields.String())
    found = ma.fields.List(ma.fields.String())
    moved = ma.fields.List(
        ma.fields.String(),
        metadata={"description": "serials that moved since the start: left where they are"},
    )
    kept_reserved = ma.fields.List(ma.fields.String())
    findings = ma.fields.List(ma.fields.String())
    units_in = ma.fields.Integer()
    units_out = ma.fields.Integer()
    value = SignedMoney()
    movements = ma.fields.Integer()


class CountDocumentQuery(PageArgs):
    depot = Str(limits.CODE)
    status = ma.fields.String(validate=validate.OneOf(STATUSES))


def configured_limits() -> Limits:
    """The variance limits a new count gets (COUNT_VARIANCE_UNITS, COUNT_VARIANCE_VALUE)."""
    config = current_app.config
    return Limits(
        int(config.get("COUNT_VARIANCE_UNITS", 2)),
        Decimal(str(config.get("COUNT_VARIANCE_VALUE", "1000"))),
    )


def _view(number: str) -> dict:
    db = get_session()
    stock_counts.check_count_scope(db, number)
    return plain(stock_counts.view_count(db, number))


@idempotent_write(blp, "", CountStartRequest, CountDocumentSchema, "warehouse", status=201)
def start(data):
    """Start a count at a depot: the books' expected serials and quantities are frozen."""
    count = stock_counts.start_count(
        get_session(),
        depot_code=data["depot"],
        actor=actor_name(),
        part_numbers=data.get("part_numbers"),
        limits=configured_limits(),
        note=data.get("note"),
    )
    return _view(count.number)


@query_read(blp, "", CountDocumentQuery, CountDocumentPage, *STAFF)
def list_counts(args):
    """Counts newest first (warehouse staff: at their own depots)."""
    db = get_session()
    user = current_user()
    ids = depot_access.depot_ids_of(db, user) if user is not None else None
    rows = [
        {
            "number": c.number,
            "depot": code,
            "status": c.status,
            "started_by": c.started_by,
            "started_at": c.started_at,
            "lines": n,
        }
        for c, code, n in stock_counts.list_counts(db, depot_ids=ids, status=args.get("status"))
        if not args.get("depot") or code == args["depot"]
    ]
    return list_page(rows, args)


@blp.get("/<number>")
@blp.response(200, CountDocumentSchema)
@roles_required(*STAFF)
def get_count(number):
    """The count with each line's variance, its value at unit cost and who counted it."""
    return _view(number)


@idempotent_write(
    blp,
    "/<number>/lines",
    CountRecordRequest,
    CountRecordedSchema,
    "warehouse",
    body_required=False,
)
def record(data, number):
    """Record serials scanned and quantities counted (each line records who). A serial the
    count did not expect is answered as a finding, with where the ledger has it."""
    result = stock_counts.record_counts(
        get_session(),
        number,
        actor=actor_name(),
        serials=data.get("serials", []),
        quantities=[
            QuantityCount(q["part_number"], q["qty"], q["condition"])
            for q in data.get("quantities", [])
        ],
        part_number=data.get("part_number"),
    )
    return {
        "matched": result.matched,
        "quantities": result.quantities,
        "findings": [{"serial": s, "finding": k, "where": w} for s, k, w in result.findings],
    }


@blp.post("/<number>/submit")
@blp.response(200, CountDocumentSchema)
@roles_required("warehouse")
def submit(number):
    """Counting is done: the variances go to review."""
    return plain(stock_counts.submit_count(get_session(), number, actor=actor_name()))


@blp.post("/<number>/recount")
@blp.arguments(CountRecountRequest)
@blp.response(200, CountDocumentSchema)
@roles_required("warehouse")
def recount(data, number):
    """Send parts back to the shelf to be counted again (the first count is kept)."""
    stock_counts.request_recount(
        get_session(), number, actor=actor_name(), part_numbers=data["part_numbers"]
    )
    return _view(number)


@blp.post("/<number>/approve")
@blp.response(200, CountDocumentSchema)
@roles_required("warehouse")
def approve(number):
    """A second person (who neither counted nor submitted it) accepts the variances."""
    return plain(stock_counts.approve_count(get_session(), number, actor=actor_name()))


@idempotent_write(
    blp, "/<number>/post", CountPostRequest, CountPostedSchema, "warehouse", body_required=False
)
def post(data, number):
    """Write the variances to the ledger. 409 on ``approval`` while a variance over the
    limits is neither recounted nor approved; on ``confirm`` when most expected serials
    were not found; on ``status`` when someone posted it first."""
    return plain(
        stock_counts.post_count(
            get_session(), number, actor=actor_name(), confirm_missing=data.get("confirm", False)
        )
    )


@blp.post("/<number>/cancel")
@blp.arguments(CountCancelRequest)
@blp.response(200, CountDocumentSummarySchema)
@roles_required("warehouse")
def cancel(data, number):
    db = get_session()
    count = stock_counts.cancel_count(db, number, actor=actor_name(), reason=data["reason"])
    return {
        "number": count.number,
        "depot": stock_counts.view_count(db, number).depot,
        "status": count.status,
        "started_by": count.started_by,
        "started_at": count.started_at,
        "lines": len(count.lines),
    }
