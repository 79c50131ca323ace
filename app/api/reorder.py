"""The reorder list's proposals (a transfer from the nearest depot that can spare the part,
or a purchase suggestion) and accepting one: creates the transfer or purchase request once."""

from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask_smorest import Blueprint
from marshmallow import validate

from app.api.common import (
    PageArgs,
    Str,
    WholeNumber,
    csv_attachment,
    file_responses,
    idempotent_write,
    list_page,
    page_schema,
    plain,
    xlsx_attachment,
)
from app.auth import actor_name, roles_required
from app.db import get_session
from app.geo import travel_model
from inventory import replenishment
from models import limits

blp = Blueprint(
    "reorder",
    __name__,
    url_prefix="/api/stock/reorder-proposals",
    description="Below reorder point: proposed transfers and purchases, accepted in one call",
)
KINDS = [replenishment.TRANSFER, replenishment.PURCHASE]


class ReorderProposalSchema(ma.Schema):
    depot = ma.fields.String()
    part_number = ma.fields.String()
    description = ma.fields.String()
    on_hand = ma.fields.Integer()
    reorder_point = ma.fields.Integer()
    target_level = ma.fields.Integer(
        metadata={"description": "the stock policy's target (an accepted plan's level)"}
    )
    need = ma.fields.Integer()
    kind = ma.fields.String(metadata={"enum": [*KINDS, "accepted"]})
    qty = ma.fields.Integer()
    source = ma.fields.String(allow_none=True)
    travel_minutes = ma.fields.Float(
        allow_none=True,
        metadata={"description": "the source's driving minutes, up to the whole minute"},
    )
    source_on_hand = ma.fields.Integer(allow_none=True)
    source_level = ma.fields.Integer(allow_none=True)
    accepted_kind = ma.fields.String(allow_none=True, metadata={"enum": KINDS})
    accepted_ref = ma.fields.String(allow_none=True)
    accepted_by = ma.fields.String(allow_none=True)
    accepted_at = ma.fields.AwareDateTime(allow_none=True)


ReorderProposalPage = page_schema(ReorderProposalSchema, "ReorderProposalPage")


class ReorderProposalQuery(PageArgs):
    depot = Str(limits.CODE)
    format = ma.fields.String(
        load_default="json",
        validate=validate.OneOf(["json", "csv", "xlsx"]),
        metadata={"description": "csv or xlsx: the whole list as a file (no pages)"},
    )


# The export's columns: the proposal's fields a buyer works from, in the page's order.
EXPORT_COLUMNS = (
    "depot",
    "part_number",
    "description",
    "on_hand",
    "reorder_point",
    "target_level",
    "need",
    "kind",
    "source",
    "qty",
    "travel_minutes",
    "accepted_ref",
)


def _export_cells(rows) -> list[list]:
    return [["" if getattr(r, c) is None else getattr(r, c) for c in EXPORT_COLUMNS] for r in rows]


def _csv(rows) -> Response:
    return csv_attachment(EXPORT_COLUMNS, _export_cells(rows), "reorder.csv")


def _xlsx(rows) -> Response:
    return xlsx_attachment(EXPORT_COLUMNS, _export_cells(rows), "reorder.xlsx", sheet="reorder")


class ReorderAcceptRequest(ma.Schema):
    depot = Str(limits.CODE, required=True)
    part_number = Str(limits.PART_NUMBER, required=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(KINDS))
    qty = WholeNumber(required=True, validate=validate.Range(min=1, max=1_000_000))
    source = Str(limits.CODE, metadata={"description": "the depot a transfer comes from"})


class ReorderAcceptedSchema(ma.Schema):
    kind = ma.fields.String(metadata={"enum": KINDS})
    reference = ma.fields.String(metadata={"description": "the transfer or purchase request"})
    qty = ma.fields.Integer()
    created = ma.fields.Boolean(metadata={"description": "false: accepted before, same action"})
    source = ma.fields.String(allow_none=True)


@blp.get("")
@blp.arguments(ReorderProposalQuery, location="query")
@blp.response(200, ReorderProposalPage)
@blp.doc(
    responses=file_responses(
        "a page of lines; with ?format=csv or xlsx the whole list as a file", ReorderProposalPage
    )
)
@roles_required("warehouse", "dispatcher")
def list_proposals(args):
    """Each line at or below its reorder point with what to do about it."""
    rows = replenishment.propose(get_session(), travel_model(), args.get("depot"))
    if args["format"] == "csv":
        return _csv(rows)
    if args["format"] == "xlsx":
        return _xlsx(rows)
    return list_page(rows, args)


@idempotent_write(
    blp, "/accept", ReorderAcceptRequest, ReorderAcceptedSchema, "warehouse", "dispatcher"
)
def accept(data):
    """Accept a line: ship the transfer from ``source`` or raise a purchase request. A line
    already accepted and still under way answers the same action (``created`` false); 409
    when the source can no longer spare the quantity."""
    return plain(
        replenishment.accept(
            get_session(),
            depot_code=data["depot"],
            part_number=data["part_number"],
            kind=data["kind"],
            qty=data["qty"],
            source=data.get("source"),
            actor=actor_name(),
        )
    )
