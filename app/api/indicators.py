"""Performance indicators for service managers (inventory/indicators.py): JSON, CSV or
Excel."""

from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask_smorest import Blueprint
from marshmallow import validate

from app.api.common import XLSX, Day, Str, attachment, file_responses
from app.auth import roles_required
from app.db import get_session
from inventory.indicators import performance_indicators, period_bounds
from inventory.indicators_export import indicators_csv, indicators_xlsx
from inventory.installed_base import customer_by_code
from models import limits

SERVICE_TIMEZONE = "Asia/Shanghai"

blp = Blueprint(
    "indicators_api",
    __name__,
    url_prefix="/api",
    description="Performance indicators: first-time fix rate, mean time to restore by "
    "severity, clock compliance by clock and region, repeat failures per serial, "
    "satisfaction by engineer",
)


class IndicatorQuery(ma.Schema):
    class Meta:
        ordered = True

    first_day = Day(data_key="from", metadata={"description": "first day (Asia/Shanghai)"})
    last_day = Day(data_key="to", metadata={"description": "last day, inclusive"})
    customer = Str(limits.CODE, metadata={"description": "one customer's tickets only"})
    format = ma.fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


class RateSchema(ma.Schema):
    met = ma.fields.Integer()
    total = ma.fields.Integer()
    rate = ma.fields.Float(allow_none=True)


class RestoreSchema(ma.Schema):
    severity = ma.fields.String()
    tickets = ma.fields.Integer()
    restored = ma.fields.Integer()
    mean_minutes = ma.fields.Float(allow_none=True)


class ComplianceSchema(ma.Schema):
    clock = ma.fields.String()
    region = ma.fields.String(allow_none=True, metadata={"description": "null: all regions"})
    met = ma.fields.Integer()
    missed = ma.fields.Integer()
    total = ma.fields.Integer()
    rate = ma.fields.Float(allow_none=True)


class RepeatSchema(ma.Schema):
    serial = ma.fields.String()
    tickets = ma.fields.Integer()
    within_30 = ma.fields.Integer()
    within_90 = ma.fields.Integer()


class EngineerScoreSchema(ma.Schema):
    engineer = ma.fields.String()
    name = ma.fields.String()
    responses = ma.fields.Integer()
    mean_overall = ma.fields.Float(allow_none=True)


class IndicatorsSchema(ma.Schema):
    start = ma.fields.AwareDateTime()
    end = ma.fields.AwareDateTime()
    generated_at = ma.fields.AwareDateTime()
    tickets = ma.fields.Integer()
    tickets_by_severity = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    first_time_fix = ma.fields.Nested(RateSchema)
    restore = ma.fields.List(ma.fields.Nested(RestoreSchema))
    compliance = ma.fields.List(ma.fields.Nested(ComplianceSchema))
    repeat_tickets = ma.fields.Integer()
    repeat_30 = ma.fields.Integer()
    repeat_90 = ma.fields.Integer()
    repeat_serials = ma.fields.List(ma.fields.Nested(RepeatSchema))
    satisfaction = ma.fields.List(ma.fields.Nested(EngineerScoreSchema))
    satisfaction_overall = ma.fields.Float(allow_none=True)
    satisfaction_responses = ma.fields.Integer()


def indicators_for(args: dict):
    """The indicators a query asks for (shared by the API and the page)."""
    db = get_session()
    start, end = period_bounds(args.get("first_day"), args.get("last_day"), SERVICE_TIMEZONE)
    customer_id = (
        customer_by_code(db, args["customer"], field="customer").id
        if args.get("customer")
        else None
    )
    return performance_indicators(db, start, end, customer_id=customer_id)


def download(ind, fmt: str, name: str = "indicators") -> Response:
    if fmt == "csv":
        return attachment(indicators_csv(ind), "text/csv", f"{name}.csv")
    return attachment(indicators_xlsx(ind), XLSX, f"{name}.xlsx")


@blp.get("/indicators")
@blp.arguments(IndicatorQuery, location="query")
@blp.response(200, IndicatorsSchema)
@blp.doc(
    responses=file_responses(
        "the indicators as JSON, or with ?format=csv a CSV file (the section in the first "
        "column), or with ?format=xlsx an Excel workbook (one sheet a section)",
        IndicatorsSchema,
    )
)
@roles_required("dispatcher")
def indicators(args):
    """The indicators of the tickets opened in the period (default: the last 90 days)."""
    ind = indicators_for(args)
    if args["format"] != "json":
        return download(ind, args["format"])
    return ind
