"""Customers, their sites, installed equipment and service contracts (create and read;
contracts are also edited here — SLA ladders and calendars are data, not code)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import select

from app.api.common import (
    BothCoordinates,
    Day,
    Flag,
    Money,
    PageArgs,
    Serial,
    Str,
    WholeNumber,
    Zone,
    page_schema,
    plain,
    query_read,
    scalar_page,
    where_given,
)
from app.api.scoping import check_own, customer_scope, customer_scoped
from app.auth import ALL_ROLES, STAFF, actor_name, roles_required
from app.db import get_session
from app.geo import locate
from inventory import contracts, installed_base
from logistics.places import Precision
from models import Contract, Customer, Equipment, Site, limits

blp = Blueprint(
    "customers",
    __name__,
    url_prefix="/api",
    description="Customers, sites, installed base, contracts",
)


class CustomerSchema(ma.Schema):
    code = Str(limits.CODE, required=True)
    name = Str(limits.ORG_NAME, required=True)
    name_en = Str(limits.ORG_NAME, allow_none=True)
    contact_name = Str(limits.PERSON_NAME, allow_none=True)
    phone = Str(limits.PHONE, allow_none=True)
    fax = Str(limits.PHONE, allow_none=True)
    email = ma.fields.Email(allow_none=True, validate=validate.Length(max=120))


class SiteSchema(BothCoordinates):
    code = Str(limits.CODE, required=True)
    customer_code = Str(limits.CODE, required=True)
    name = Str(limits.ORG_NAME, required=True)
    address = Str(limits.ADDRESS, required=True)
    city = Str(limits.CITY, metadata={"description": "default: the city the coordinates lie in"})
    postcode = Str(limits.POSTCODE, allow_none=True)
    lat = ma.fields.Float(
        validate=validate.Range(min=-90, max=90),
        metadata={"description": "entered or picked on the map; omit both to geocode the address"},
    )
    lon = ma.fields.Float(validate=validate.Range(min=-180, max=180))
    precision = ma.fields.String(
        validate=validate.OneOf([p.value for p in Precision]),
        metadata={
            "description": "how well lat/lon are known: exact (default for entered "
            "coordinates), street, district, city; set by the geocoder otherwise"
        },
    )
    uncertainty_km = ma.fields.Float(
        dump_only=True, metadata={"description": "radius around lat/lon where the site may be"}
    )
    timezone = Zone()
    contact_name = Str(limits.PERSON_NAME, allow_none=True)
    phone = Str(limits.PHONE, allow_none=True)


NOT_BLANK = validate.Length(min=1, error="may not be empty")


class CustomerUpdate(CustomerSchema):
    """A PATCH of a customer: any field but the code; null clears an optional one."""

    class Meta:
        exclude = ("code",)

    name = Str(limits.ORG_NAME, validate=NOT_BLANK)


class SiteUpdate(SiteSchema):
    """A PATCH of a site: any field but its code and customer; a new address without
    lat/lon is geocoded again; null clears an optional one."""

    class Meta:
        exclude = ("code", "customer_code")

    name = Str(limits.ORG_NAME, validate=NOT_BLANK)
    address = Str(limits.ADDRESS, validate=NOT_BLANK)


class EquipmentCreate(ma.Schema):
    site_code = Str(limits.CODE, required=True)
    part_number = Str(
        limits.PART_NUMBER, required=True, metadata={"description": "the equipment's model"}
    )
    serial = Serial(required=True)
    acceptance_date = Day(required=True)
    warranty_end = Day(
        allow_none=True, metadata={"description": "default: 3 years after acceptance"}
    )
    contract_code = Str(limits.CODE, allow_none=True)


class EquipmentSchema(ma.Schema):
    id = ma.fields.Integer()
    customer_code = ma.fields.String()
    site_code = ma.fields.String()
    part_number = ma.fields.String()
    serial = ma.fields.String()
    acceptance_date = ma.fields.Date()
    warranty_end = ma.fields.Date()
    contract_code = ma.fields.String(allow_none=True)
    in_warranty_today = ma.fields.Boolean()


class EscalationStepSchema(ma.Schema):
    level = WholeNumber(required=True, validate=validate.Range(min=1, max=10))
    after_minutes = ma.fields.Float(required=True, validate=validate.Range(min=0, max=100_000))
    who = Str(limits.DISPLAY_NAME, required=True)
    contact = Str(
        limits.ADDRESS,
        allow_none=True,
        metadata={"description": "how to reach who: phone, e-mail (shown with the ladder)"},
    )


def _minutes(**kw):
    return ma.fields.Float(validate=validate.Range(min=0, max=1_000_000), **kw)


class ContractSettings(ma.Schema):
    name = Str(limits.ORG_NAME)
    kind = ma.fields.String(validate=validate.OneOf(contracts.CONTRACT_KINDS))
    coverage = ma.fields.String(validate=validate.OneOf(["5x8", "7x8", "7x24"]))
    coverage_start_min = WholeNumber(validate=validate.Range(min=0, max=1440))
    coverage_end_min = WholeNumber(validate=validate.Range(min=0, max=1440))
    timezone = Zone()
    country = Str(2)
    response_minutes = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.OneOf(["phone", "fax", "email", "web"])),
        values=_minutes(),
    )
    system_down_response_minutes = _minutes()
    restore_minutes = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.OneOf(["P1", "P2", "P3", "P4"])), values=_minutes()
    )
    onsite_promise_minutes = _minutes()
    replacement_unit_minutes = _minutes()
    spare_request_answer_minutes = _minutes()
    spare_delivery_days = WholeNumber(validate=validate.Range(min=0, max=60))
    last_mile_minutes = _minutes()
    return_window_days = WholeNumber(validate=validate.Range(min=0, max=60))
    escalation = ma.fields.List(
        ma.fields.Nested(EscalationStepSchema), validate=validate.Length(max=10)
    )
    bases = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(validate=validate.OneOf(["coverage", "elapsed", "working_days"])),
    )
    complaint_hours = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.OneOf(["response", "resolution"])),
        values=ma.fields.Dict(
            keys=ma.fields.String(validate=validate.OneOf(["normal", "urgent", "very_urgent"])),
            values=ma.fields.Float(validate=validate.Range(min=0.1, max=10_000)),
        ),
        metadata={
            "description": "a customer problem's clocks in hours by urgency, e.g. "
            '{"response": {"urgent": 2}}; missing ones keep the defaults (24/4/1 h to answer, '
            "120/48/24 h to resolve)"
        },
    )
    late_return_charge = Money()
    currency = Str(3)
    valid_from = Day(allow_none=True)
    valid_to = Day(allow_none=True)
    active = Flag()


class ContractCreate(ContractSettings):
    code = Str(limits.CODE, required=True)
    customer_code = Str(limits.CODE, required=True)


class ContractSchema(ContractCreate):
    late_return_charge = Money()


class CodeQuery(PageArgs):
    customer = Str(limits.CODE)
    site = Str(limits.CODE)
    serial = Serial()


CustomerPage = page_schema(CustomerSchema, "CustomerPage")
SitePage = page_schema(SiteSchema, "SitePage")
EquipmentPage = page_schema(EquipmentSchema, "EquipmentPage")
ContractPage = page_schema(ContractSchema, "ContractPage")


def _page(stmt, args, convert):
    return scalar_page(get_session(), stmt, args, lambda row: plain(convert(row)))


@blp.post("/customers")
@blp.arguments(CustomerSchema)
@blp.response(201, CustomerSchema)
@roles_required("dispatcher")
def create_customer(data):
    """Add a customer unit."""
    return plain(installed_base.create_customer(get_session(), actor=actor_name(), **data))


@blp.patch("/customers/<code>")
@blp.arguments(CustomerUpdate, required=False)
@blp.response(200, CustomerSchema)
@roles_required("dispatcher")
def update_customer(data, code):
    """Change a customer's name or contact details (null clears an optional one)."""
    return plain(installed_base.update_customer(get_session(), code, actor=actor_name(), **data))


@query_read(blp, "/customers", PageArgs, CustomerPage, *ALL_ROLES)
def list_customers(args):
    """Customer units; a customer sees only its own."""
    return _page(
        customer_scoped(select(Customer).order_by(Customer.code), Customer.id),
        args,
        installed_base.customer_view,
    )


@blp.get("/customers/<code>")
@blp.response(200, CustomerSchema)
@roles_required(*ALL_ROLES)
def get_customer(code):
    customer = installed_base.customer_by_code(get_session(), code, field="code")
    check_own("customer", code, field="code", owner=customer.id, scope=customer_scope())
    return plain(installed_base.customer_view(customer))


@blp.post("/sites")
@blp.arguments(SiteSchema)
@blp.response(201, SiteSchema)
@roles_required("dispatcher")
def create_site(data):
    """Add a site to a customer. Its coordinates are the lat/lon given (entered or picked
    on the map), else the configured geocoder's answer for the address (online if
    configured, the offline gazetteer at district or city level otherwise); the answer
    says how well they are known (precision, uncertainty_km)."""
    locate(data)
    return plain(installed_base.create_site(get_session(), actor=actor_name(), **data))


@blp.patch("/sites/<code>")
@blp.arguments(SiteUpdate, required=False)
@blp.response(200, SiteSchema)
@roles_required("dispatcher")
def update_site(data, code):
    """Change a site. A new address without lat/lon is placed again by the geocoder (the
    answer says how well: precision, uncertainty_km); open tickets keep their promises."""
    return plain(
        installed_base.update_site(get_session(), code, locate=locate, actor=actor_name(), **data)
    )


@query_read(blp, "/sites", CodeQuery, SitePage, *ALL_ROLES)
def list_sites(args):
    stmt = customer_scoped(
        select(Site).join(Customer, Customer.id == Site.customer_id).order_by(Site.code),
        Site.customer_id,
    )
    return _page(where_given(stmt, args, customer=Customer.code), args, installed_base.site_view)


@blp.post("/equipment")
@blp.arguments(EquipmentCreate)
@blp.response(201, EquipmentSchema)
@roles_required("dispatcher", "warehouse")
def register_equipment(data):
    """Register an installed unit (it enters the stock ledger at the customer's site)."""
    return plain(installed_base.register_equipment(get_session(), actor=actor_name(), **data))


@query_read(blp, "/equipment", CodeQuery, EquipmentPage, *ALL_ROLES)
def list_equipment(args):
    """The installed base with warranty status; filter by customer, site or serial."""
    stmt = customer_scoped(
        select(Equipment)
        .join(Site, Site.id == Equipment.site_id)
        .join(Customer, Customer.id == Equipment.customer_id)
        .order_by(Equipment.id),
        Equipment.customer_id,
    )
    stmt = where_given(stmt, args, customer=Customer.code, site=Site.code, serial=Equipment.serial)
    return _page(stmt, args, installed_base.equipment_view)


@blp.post("/contracts")
@blp.arguments(ContractCreate)
@blp.response(201, ContractSchema)
@roles_required("admin")
def create_contract(data):
    """A service contract; every setting left out takes DESIGN.md §2's default."""
    return plain(contracts.create_contract(get_session(), actor=actor_name(), **data))


@blp.patch("/contracts/<code>")
@blp.arguments(ContractSettings, required=False)  # every field optional
@blp.response(200, ContractSchema)
@roles_required("admin")
def update_contract(data, code):
    """Change a contract's coverage, clocks, ladder or charge; open tickets keep their clocks."""
    return plain(contracts.update_contract(get_session(), code, actor=actor_name(), **data))


@query_read(blp, "/contracts", CodeQuery, ContractPage, *STAFF, "customer")
def list_contracts(args):
    stmt = customer_scoped(
        select(Contract)
        .join(Customer, Customer.id == Contract.customer_id)
        .order_by(Contract.code),
        Contract.customer_id,
    )
    return _page(where_given(stmt, args, customer=Customer.code), args, contracts.contract_view)
