"""Part catalogue and per-depot reorder policy."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import select

from app.api.common import (
    Flag,
    Money,
    PageArgs,
    Str,
    WholeNumber,
    page_schema,
    query_read,
    scalar_page,
    tool_list,
    where_given,
    where_text,
)
from app.auth import STAFF, actor_name, roles_required
from app.db import get_session
from inventory import catalogue, supersession, vans
from inventory.lookups import part_by_number
from models import Part, limits
from models.enums import PartKind, Tracking

blp = Blueprint("parts", __name__, url_prefix="/api/parts", description="Part catalogue")


class PartSchema(ma.Schema):
    part_number = Str(
        limits.PART_NUMBER, required=True, validate=validate.Regexp(r"^[A-Za-z0-9._/-]{2,64}$")
    )
    description = Str(limits.PART_DESCRIPTION, required=True)
    description_zh = Str(limits.PART_DESCRIPTION, allow_none=True)
    category = Str(limits.CATEGORY, required=True)
    tracking = ma.fields.String(required=True, validate=validate.OneOf([t.value for t in Tracking]))
    kind = ma.fields.String(required=True, validate=validate.OneOf([k.value for k in PartKind]))
    unit_cost = Money(load_default="0")


class PartUpdate(PartSchema):
    """A PATCH of a part: its words, category, kind and cost (never its number or how it is
    tracked, which its stock and history depend on); null clears the Chinese description."""

    class Meta:
        exclude = ("part_number", "tracking")

    description = Str(limits.PART_DESCRIPTION, validate=validate.Length(min=1))
    category = Str(limits.CATEGORY, validate=validate.Length(min=1))
    kind = ma.fields.String(validate=validate.OneOf([k.value for k in PartKind]))
    unit_cost = Money()


class PartQuery(PageArgs):
    category = ma.fields.String()
    tracking = ma.fields.String(validate=validate.OneOf([t.value for t in Tracking]))
    q = ma.fields.String(validate=validate.Length(max=80))


class PolicySchema(ma.Schema):
    depot = ma.fields.String(dump_only=True)
    part_number = ma.fields.String(dump_only=True)
    reorder_point = WholeNumber(required=True, validate=validate.Range(min=0, max=1_000_000))
    target_level = WholeNumber(required=True, validate=validate.Range(min=0, max=1_000_000))

    @ma.validates_schema
    def _target_not_below_reorder(self, data, **_kw):
        if data.get("target_level", 0) < data.get("reorder_point", 0):
            raise ma.ValidationError("must be at least the reorder point", "target_level")


PartPage = page_schema(PartSchema, "PartPage")


@query_read(blp, "", PartQuery, PartPage, *STAFF)
def list_parts(args):
    db = get_session()
    stmt = select(Part).where(Part.active)
    stmt = where_given(stmt, args, category=Part.category, tracking=Part.tracking)
    stmt = where_text(stmt, args.get("q"), Part.part_number, Part.description, Part.description_zh)
    return scalar_page(db, stmt.order_by(Part.part_number), args)


@blp.get("/<part_number>")
@blp.response(200, PartSchema)
@roles_required(*STAFF)
def get_part(part_number):
    return part_by_number(get_session(), part_number)


@blp.post("")
@blp.arguments(PartSchema)
@blp.response(201, PartSchema)
@roles_required("admin")
def create_part(data):
    return catalogue.create_part(get_session(), data, actor=actor_name())


@blp.patch("/<part_number>")
@blp.arguments(PartUpdate, required=False)
@blp.response(200, PartSchema)
@roles_required("admin")
def update_part(data, part_number):
    """Change a part's descriptions, category, kind or unit cost; the audit trail keeps the
    values before and after."""
    return catalogue.update_part(get_session(), part_number, data, actor=actor_name())


@blp.put("/<part_number>/policies/<depot_code>")
@blp.arguments(PolicySchema)
@blp.response(200, PolicySchema)
@roles_required("warehouse")
def set_policy(data, part_number, depot_code):
    """Set the reorder point and target level of a part at a depot."""
    return catalogue.set_stock_policy(
        get_session(),
        part_number,
        depot_code,
        reorder_point=data["reorder_point"],
        target_level=data["target_level"],
        actor=actor_name(),
    )


class SupersessionSchema(ma.Schema):
    """What replaces a part: ``replaced_by`` (null: nothing) serves the part's demand; with
    ``two_way`` the part also serves the successor's (interchangeable)."""

    part_number = ma.fields.String(dump_only=True)
    replaced_by = Str(limits.PART_NUMBER, required=True, allow_none=True)
    two_way = Flag(load_default=False)
    replaces = ma.fields.List(ma.fields.String(), dump_only=True)
    serves = ma.fields.List(
        ma.fields.String(),
        dump_only=True,
        metadata={"description": "the part numbers that can serve this part's demand"},
    )


@blp.get("/<part_number>/supersession")
@blp.response(200, SupersessionSchema)
@roles_required(*STAFF)
def get_supersession(part_number):
    """Which part replaces this one, which it replaces, and which can serve its demand."""
    db = get_session()
    return supersession.supersession_view(db, part_by_number(db, part_number))


@blp.put("/<part_number>/supersession")
@blp.arguments(SupersessionSchema)
@blp.response(200, SupersessionSchema)
@roles_required("admin")
def set_supersession(data, part_number):
    """Say which part number replaces this one (one-way, or two-way interchangeable), or
    that none does (null); refused when the chain would lead back to the part. Audited."""
    db = get_session()
    return supersession.set_supersession(
        db, part_number, data["replaced_by"], two_way=data["two_way"], actor=actor_name()
    )


class PartToolsSchema(ma.Schema):
    part_number = ma.fields.String(dump_only=True)
    tools = tool_list(
        "the tools a job replacing this part needs (a set); the day "
        "routes page sends an engineer lacking one through a depot first"
    )


@blp.get("/<part_number>/tools")
@blp.response(200, PartToolsSchema)
@roles_required(*STAFF)
def get_part_tools(part_number):
    """The tools a job replacing this part needs."""
    part = part_by_number(get_session(), part_number)
    return {"part_number": part.part_number, "tools": sorted(part.tools or [])}


@blp.put("/<part_number>/tools")
@blp.arguments(PartToolsSchema)
@blp.response(200, PartToolsSchema)
@roles_required("admin")
def set_part_tools(data, part_number):
    """Set the tools a job replacing this part needs (admin); audited."""
    tools = vans.set_part_tools(get_session(), part_number, data["tools"], actor=actor_name())
    return {"part_number": part_number, "tools": tools}
