"""Depots (备件库)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import select

from app.api.common import (
    BothCoordinates,
    Flag,
    PageArgs,
    Str,
    Zone,
    page_schema,
    query_read,
    scalar_page,
    where_given,
    where_text,
)
from app.auth import STAFF, actor_name, roles_required
from app.db import get_session
from app.geo import locate
from inventory import catalogue
from inventory.lookups import depot_by_code
from logistics.places import Precision
from models import Depot, limits

blp = Blueprint("depots", __name__, url_prefix="/api/depots", description="Depots (备件库)")


class DepotSchema(BothCoordinates):
    code = Str(
        limits.CODE,
        required=True,
        validate=validate.Regexp(r"^[A-Z0-9-]{2,32}$", error="upper-case letters, digits and '-'"),
    )
    name = Str(limits.DEPOT_NAME, required=True)
    name_en = Str(limits.DEPOT_NAME, allow_none=True)
    address = Str(limits.ADDRESS, required=True)
    city = Str(limits.CITY)
    lat = ma.fields.Float(validate=validate.Range(-90, 90))
    lon = ma.fields.Float(validate=validate.Range(-180, 180))
    precision = ma.fields.String(
        validate=validate.OneOf([p.value for p in Precision]),
        metadata={"description": "how well lat/lon are known (default exact when entered)"},
    )
    uncertainty_km = ma.fields.Float(dump_only=True)
    timezone = Zone()
    active = ma.fields.Boolean(dump_only=True)


class DepotUpdate(DepotSchema):
    """What a PATCH may change: every field optional, the code never; ``active`` false
    deactivates (refused while stock or a transfer in transit is there)."""

    class Meta:
        exclude = ("code",)

    name = Str(limits.DEPOT_NAME)
    address = Str(limits.ADDRESS)
    active = Flag()


class DepotQuery(PageArgs):
    city = ma.fields.String()
    q = ma.fields.String(validate=validate.Length(max=80))


DepotPage = page_schema(DepotSchema, "DepotPage")


@query_read(blp, "", DepotQuery, DepotPage, *STAFF)
def list_depots(args):
    db = get_session()
    stmt = select(Depot).where(Depot.active)
    stmt = where_given(stmt, args, city=Depot.city)
    stmt = where_text(stmt, args.get("q"), Depot.code, Depot.name, Depot.address)
    return scalar_page(db, stmt.order_by(Depot.code), args)


@blp.get("/<code>")
@blp.response(200, DepotSchema)
@roles_required(*STAFF)
def get_depot(code):
    return depot_by_code(get_session(), code)


@blp.post("")
@blp.arguments(DepotSchema)
@blp.response(201, DepotSchema)
@roles_required("admin")
def create_depot(data):
    """Create a depot. Coordinates come from the address unless given explicitly."""
    return catalogue.create_depot(
        get_session(),
        data,
        locate=locate,
        actor=actor_name(),
    )


@blp.patch("/<code>")
@blp.arguments(DepotUpdate, required=False)
@blp.response(200, DepotSchema)
@blp.alt_response(409, description="deactivation refused: stock or transfers in transit there")
@roles_required("admin")
def update_depot(data, code):
    """Change a depot's name, address (placed again unless coordinates are given), place or
    time zone; ``active`` false deactivates it, true reactivates it."""
    db = get_session()
    active = data.pop("active", None)
    depot = catalogue.update_depot(db, code, data, locate=locate, actor=actor_name())
    if active is not None:
        catalogue.set_depot_active(db, code, active, actor=actor_name())
    return depot
