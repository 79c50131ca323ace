"""The working calendar's exceptions (admin): company holidays and days worked.

A contract's clocks run on its country's public holidays and make-up working days
(``logistics.calendars``); the days listed here are the company's own on top of those.
Tickets opened after a change count it; tickets already open keep their deadlines."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import extract, select

from app.api.common import (
    Day,
    Flag,
    PageArgs,
    Str,
    WholeNumber,
    page_schema,
    plain,
    query_read,
    scalar_page,
)
from app.auth import STAFF, actor_name, roles_required
from app.db import get_session
from inventory import calendar_days
from logistics.calendars import known_country
from models import CalendarException, limits

blp = Blueprint(
    "calendar",
    __name__,
    url_prefix="/api/calendar",
    description="The working calendar's exceptions: company holidays, days worked",
)


def _country(code: str) -> None:
    if not known_country(code):
        raise ma.ValidationError(f"no working calendar for country {code!r}")


def Country(**kw) -> ma.fields.String:  # noqa: N802 (a field factory, read like a field)
    return Str(
        2,
        validate=validate.And(
            validate.Regexp(r"^[A-Z]{2}$", error="a two-letter country code such as CN"),
            _country,
        ),
        metadata={"description": "ISO 3166 country code (default CN)"},
        **kw,
    )


class DayExceptionSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    country = Country(load_default="CN")
    day = Day(required=True)
    working = Flag(
        load_default=False,
        metadata={"description": "false: a day off (company holiday); true: a day worked"},
    )
    name = Str(limits.DAY_NAME, required=True, metadata={"description": "e.g. 公司年会"})
    created_by = ma.fields.String(dump_only=True)


class DayQuery(PageArgs):
    country = Country()
    year = WholeNumber(validate=validate.Range(min=1970, max=2199))


DayPage = page_schema(DayExceptionSchema, "DayExceptionPage")


@query_read(blp, "/exceptions", DayQuery, DayPage, *STAFF)
def list_exceptions(args):
    """The company's days off and days worked, by date."""
    stmt = select(CalendarException).order_by(CalendarException.day, CalendarException.country)
    if args.get("country"):
        stmt = stmt.where(CalendarException.country == args["country"])
    if args.get("year"):
        stmt = stmt.where(extract("year", CalendarException.day) == args["year"])
    return scalar_page(get_session(), stmt, args, lambda r: plain(calendar_days.exception_view(r)))


@blp.post("/exceptions")
@blp.arguments(DayExceptionSchema)
@blp.response(201, DayExceptionSchema)
@blp.alt_response(409, description="the day already has an exception in that country")
@roles_required("admin")
def add_exception(data):
    """Add a company holiday (``working`` false) or a day worked (``working`` true)."""
    return plain(calendar_days.add_exception(get_session(), actor=actor_name(), **data))


@blp.delete("/exceptions/<int:exception_id>")
@blp.response(204)
@roles_required("admin")
def remove_exception(exception_id):
    """Remove an exception: the day goes back to the country's calendar."""
    calendar_days.remove_exception(get_session(), exception_id, actor=actor_name())
    return None
