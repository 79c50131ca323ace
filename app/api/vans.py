"""Engineers' van stock, parts used on a job, return routing rules and the parts owed back
(inventory/vans.py, inventory/job_parts.py, inventory/part_returns.py)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate

from app.api.common import (
    Money,
    Serial,
    Str,
    WholeNumber,
    idempotent_write,
    plain,
    query_read,
    tool_list,
)
from app.api.scoping import check_own, engineer_scope
from app.api.visits import VisitPartSchema, VisitSchema
from app.auth import actor_name, roles_required
from app.db import get_session
from inventory import job_parts, part_returns, vans
from inventory.transfers import LineRequest, receive_transfer
from inventory.visits import ticket_for_engineer
from models import limits
from models.enums import PartSource, RemovedCondition

blp = Blueprint(
    "vans_api",
    __name__,
    url_prefix="/api",
    description="Engineers' van stock (a ledger location per engineer), parts used on jobs, "
    "return routing rules and the removed parts owed back",
)


class VanLineSchema(ma.Schema):
    part_number = ma.fields.String()
    description = ma.fields.String()
    description_zh = ma.fields.String(allow_none=True)
    tracking = ma.fields.String()
    level = ma.fields.Integer(metadata={"description": "the stocking list's level"})
    level_source = ma.fields.String(allow_none=True, metadata={"description": "manual|proposed"})
    good = ma.fields.Integer(metadata={"description": "free good units in the van"})
    faulty = ma.fields.Integer()
    held = ma.fields.Integer(metadata={"description": "removed units held for their return"})
    incoming = ma.fields.Integer(metadata={"description": "shipped to the van, not received"})
    short = ma.fields.Integer()
    serials = ma.fields.List(ma.fields.String())


class VanSchema(ma.Schema):
    engineer_code = ma.fields.String()
    engineer_name = ma.fields.String()
    location_code = ma.fields.String()
    base_depot = ma.fields.String(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(VanLineSchema))
    open_transfers = ma.fields.List(ma.fields.String())


def _van(view: vans.VanView) -> dict:
    out = plain(view)
    for line, raw in zip(out["lines"], view.lines, strict=True):
        line["short"] = raw.short
    return out


class LevelRequest(ma.Schema):
    level = WholeNumber(required=True, validate=validate.Range(min=0, max=999))


class ProposalQuery(ma.Schema):
    radius_km = ma.fields.Float(
        load_default=vans.DEFAULT_RADIUS_KM, validate=validate.Range(min=1, max=2000)
    )
    interval_days = ma.fields.Float(
        load_default=vans.DEFAULT_INTERVAL_DAYS, validate=validate.Range(min=1, max=365)
    )
    fill_target = ma.fields.Float(
        load_default=vans.DEFAULT_FILL_TARGET, validate=validate.Range(min=0.5, max=0.999)
    )


class ProposalSchema(ma.Schema):
    part_number = ma.fields.String()
    installed_units = ma.fields.Integer()
    rate_per_year = ma.fields.Float()
    expected_demand = ma.fields.Float()
    level = ma.fields.Integer()
    current = ma.fields.Integer()


class PickLineSchema(ma.Schema):
    engineer_code = ma.fields.String()
    engineer_name = ma.fields.String()
    part_number = ma.fields.String()
    short = ma.fields.Integer()
    available = ma.fields.Integer()
    pick = ma.fields.Integer()
    serials = ma.fields.List(ma.fields.String())


class ReplenishRequest(ma.Schema):
    depot = Str(limits.CODE, required=True)


class VanTransferSchema(ma.Schema):
    number = ma.fields.String()
    status = ma.fields.String()
    lines = ma.fields.Integer()


class ScannedLine(ma.Schema):
    part_number = Str(limits.PART_NUMBER, required=True)
    serial = Serial(allow_none=True)
    qty = WholeNumber(load_default=1, validate=validate.Range(min=0, max=1_000_000))


class VanReceiveRequest(ma.Schema):
    lines = ma.fields.List(
        ma.fields.Nested(ScannedLine),
        allow_none=True,
        load_default=None,
        metadata={"description": "what was scanned; left out: everything as shipped"},
    )


class VanCountRequest(ma.Schema):
    part_number = Str(limits.PART_NUMBER, required=True)
    serials = ma.fields.List(Serial(), allow_none=True, load_default=None)
    counted_qty = WholeNumber(allow_none=True, load_default=None)
    confirm_missing = ma.fields.Boolean(load_default=False)


class CountResultSchema(ma.Schema):
    depot = ma.fields.String(metadata={"description": "the van's location code"})
    part_number = ma.fields.String()
    expected = ma.fields.Integer()
    counted = ma.fields.Integer()
    found = ma.fields.List(ma.fields.String())
    missing = ma.fields.List(ma.fields.String())
    delta = ma.fields.Integer()


class ConsumedRequest(ma.Schema):
    part_number = Str(limits.PART_NUMBER, required=True)
    source = ma.fields.String(required=True, validate=validate.OneOf([s.value for s in PartSource]))
    serial = Serial(allow_none=True)
    qty = WholeNumber(load_default=1, validate=validate.Range(min=1, max=999))


class RemovedRequest(ma.Schema):
    part_number = Str(limits.PART_NUMBER, required=True)
    condition = ma.fields.String(
        required=True, validate=validate.OneOf([c.value for c in RemovedCondition])
    )
    serial = Serial(allow_none=True)
    qty = WholeNumber(load_default=1, validate=validate.Range(min=1, max=999))


class PartLineSchema(VisitPartSchema):
    """A part line of the ticket: the visit's part fields, where it came from, what it cost."""

    source = ma.fields.String(allow_none=True)
    consumed_qty = ma.fields.Integer()
    removed_qty = ma.fields.Integer()
    removed_condition = ma.fields.String(allow_none=True)
    unit_cost = Money(allow_none=True)
    covered = ma.fields.Boolean(allow_none=True)


class TicketPartsSchema(ma.Schema):
    lines = ma.fields.List(ma.fields.Nested(PartLineSchema))
    total_cost = Money()
    charged = Money()  # what the contract does not cover


class RuleSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    part_number = ma.fields.String(allow_none=True)
    category = ma.fields.String(allow_none=True)
    condition = ma.fields.String()
    vendor = ma.fields.String(allow_none=True)
    region = ma.fields.String(allow_none=True)
    destination = ma.fields.String(allow_none=True)
    destination_name = ma.fields.String(allow_none=True)
    to_home_depot = ma.fields.Boolean()
    deadline_hours = ma.fields.Integer()
    active = ma.fields.Boolean()


class RuleRequest(ma.Schema):
    name = Str(limits.ORG_NAME, required=True)
    condition = ma.fields.String(
        required=True, validate=validate.OneOf([c.value for c in RemovedCondition])
    )
    deadline_hours = WholeNumber(required=True, validate=validate.Range(min=1, max=24 * 365))
    part_number = Str(limits.PART_NUMBER, allow_none=True)
    category = Str(limits.CATEGORY, allow_none=True)
    vendor = Str(limits.ORG_NAME, allow_none=True)
    region = Str(limits.CITY, allow_none=True)
    destination = Str(limits.CODE, allow_none=True, metadata={"description": "location code"})
    to_home_depot = ma.fields.Boolean(load_default=False)


class RuleActiveRequest(ma.Schema):
    active = ma.fields.Boolean(required=True)


class VendorLocationRequest(ma.Schema):
    code = Str(limits.CODE, required=True)
    name = Str(limits.DEPOT_NAME, required=True)
    vendor = Str(limits.ORG_NAME, required=True)
    city = Str(limits.CITY, allow_none=True)


class VendorLocationSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    vendor = ma.fields.String(allow_none=True)
    city = ma.fields.String(allow_none=True)


class ReturnSchema(ma.Schema):
    number = ma.fields.String()
    part_number = ma.fields.String()
    serial = ma.fields.String(allow_none=True)
    qty = ma.fields.Integer()
    condition = ma.fields.String()
    ticket_number = ma.fields.String()
    engineer_code = ma.fields.String()
    engineer_name = ma.fields.String()
    rule = ma.fields.String(allow_none=True)
    destination = ma.fields.String()
    destination_name = ma.fields.String()
    destination_kind = ma.fields.String()
    due_at = ma.fields.AwareDateTime()
    status = ma.fields.String()
    overdue = ma.fields.Boolean()
    shipped_at = ma.fields.AwareDateTime(allow_none=True)
    waybill = ma.fields.String(allow_none=True)
    received_at = ma.fields.AwareDateTime(allow_none=True)


class ReturnQuery(ma.Schema):
    engineer = Str(limits.CODE, allow_none=True)
    include_received = ma.fields.Boolean(load_default=False)
    overdue = ma.fields.Boolean(allow_none=True, load_default=None)


class ShipReturnRequest(ma.Schema):
    waybill = Str(limits.WAYBILL, allow_none=True)


def _own_engineer(code: str):
    """The engineer ``code``; an engineer caller reaches only their own van (another's
    answers like one that does not exist)."""
    db = get_session()
    engineer = vans.engineer_by_code(db, code)
    check_own("engineer", code, field="engineer", owner=engineer.id, scope=engineer_scope())
    return engineer


# --- vans ----------------------------------------------------------------------------------


class ToolsSchema(ma.Schema):
    engineer = ma.fields.String(dump_only=True)
    tools = tool_list("the tools the engineer carries (a set)")


@blp.get("/engineers/<engineer>/tools")
@blp.response(200, ToolsSchema)
@roles_required("warehouse", "dispatcher")
def get_tools(engineer):
    """The tools an engineer carries."""
    found = vans.engineer_by_code(get_session(), engineer)
    return {"engineer": found.code, "tools": sorted(found.tools or [])}


@blp.put("/engineers/<engineer>/tools")
@blp.arguments(ToolsSchema)
@blp.response(200, ToolsSchema)
@roles_required()
def put_tools(data, engineer):
    """Set the tools an engineer carries (admin); audited."""
    tools = vans.set_tools(get_session(), engineer, data["tools"], actor=actor_name())
    return {"engineer": engineer, "tools": tools}


@blp.get("/vans")
@blp.response(200, VanSchema(many=True))
@roles_required("warehouse", "dispatcher")
def list_vans():
    """Every active engineer's van: what it holds, should hold and has on its way."""
    return [_van(v) for v in vans.all_vans(get_session())]


@blp.get("/vans/<engineer>")
@blp.response(200, VanSchema)
@roles_required("warehouse", "dispatcher", "engineer")
def get_van(engineer):
    """One van (an engineer: their own)."""
    return _van(vans.van_view(get_session(), _own_engineer(engineer)))


@blp.put("/vans/<engineer>/levels/<part_number>")
@blp.arguments(LevelRequest)
@blp.response(200, VanSchema)
@roles_required("warehouse")
def put_level(data, engineer, part_number):
    """Set how many good units of the part the van should carry (0 takes it off the list)."""
    return _van(
        vans.set_level(
            get_session(),
            engineer_code=engineer,
            part_number=part_number,
            level=data["level"],
            actor=actor_name(),
        )
    )


@query_read(
    blp,
    "/vans/<engineer>/proposal",
    ProposalQuery,
    ProposalSchema(many=True),
    "warehouse",
    "dispatcher",
)
def proposal(args, engineer):
    """The stocking list the demand of the engineer's area suggests: installed units within
    ``radius_km`` of their base × the part's failure rate × ``interval_days``, the Poisson
    quantile at ``fill_target``."""
    return [plain(p) for p in vans.propose_levels(get_session(), engineer, **args)]


@blp.post("/vans/<engineer>/proposal/accept")
@blp.arguments(ProposalQuery, location="query")
@blp.response(200, VanSchema)
@roles_required("warehouse")
def accept(args, engineer):
    """Set the stocking list to the proposal (parts proposed at 0 are left as they are)."""
    return _van(vans.accept_proposals(get_session(), engineer, actor=actor_name(), **args))


@blp.get("/depots/<code>/van-pick-list")
@blp.response(200, PickLineSchema(many=True))
@roles_required("warehouse")
def pick_list(code):
    """What each van based at the depot is short of, and the units to pick for it."""
    return [plain(p) for p in vans.pick_list(get_session(), code)]


@idempotent_write(
    blp, "/vans/<engineer>/replenish", ReplenishRequest, VanTransferSchema, "warehouse", status=201
)
def replenish(data, engineer):
    """Ship what the van is short of from ``depot`` as one transfer to the van; the
    engineer receives it (``/api/vans/transfers/<number>/receive``)."""
    result = vans.replenish_van(
        get_session(), depot_code=data["depot"], engineer_code=engineer, actor=actor_name()
    )
    return {"number": result.number, "status": result.status, "lines": result.lines}


@idempotent_write(
    blp,
    "/vans/transfers/<number>/receive",
    VanReceiveRequest,
    VanTransferSchema,
    "engineer",
    body_required=False,
)
def receive(data, number):
    """The van's engineer books a transfer in by scanning (only they may): each difference
    from what was shipped is a discrepancy, as at a depot."""
    raw = data.get("lines")
    lines = (
        None
        if raw is None
        else [LineRequest(r["part_number"], r.get("serial"), r["qty"]) for r in raw]
    )
    result = receive_transfer(
        get_session(), number=number, received=lines, actor=actor_name(),
        engineer_id=engineer_scope(),
    )  # fmt: skip
    return {"number": result.number, "status": result.status, "lines": result.lines}


@idempotent_write(
    blp, "/vans/<engineer>/counts", VanCountRequest, CountResultSchema, "engineer", "warehouse"
)
def count(data, engineer):
    """A van stock check: the serials (or quantity) of one part found in the van."""
    own = _own_engineer(engineer)
    return plain(
        vans.count_van(
            get_session(),
            engineer_code=own.code,
            part_number=data["part_number"],
            actor=actor_name(),
            counted_qty=data.get("counted_qty"),
            serials=data.get("serials"),
            confirm_missing=data["confirm_missing"],
        )
    )


# --- parts used on the job ---------------------------------------------------------------


@idempotent_write(
    blp, "/tickets/<ref>/visit/parts/consumed", ConsumedRequest, VisitSchema, "engineer"
)
def consumed(data, ref):
    """A part used on the job: from the van (the van's unit goes to the customer; the last
    unit goes to one job only), or the job's spare from a depot pickup or a courier."""
    return plain(
        job_parts.record_consumed(
            get_session(), ref, engineer_id=engineer_scope(), actor=actor_name(), **data
        )
    )


@idempotent_write(
    blp, "/tickets/<ref>/visit/parts/removed", RemovedRequest, VisitSchema, "engineer"
)
def removed(data, ref):
    """A part taken out on the job (faulty, or unused and good): it rides in the van, held
    for the return its routing rule decides (``/api/part-returns``)."""
    return plain(
        job_parts.record_removed(
            get_session(), ref, engineer_id=engineer_scope(), actor=actor_name(), **data
        )
    )


@blp.get("/tickets/<ref>/parts")
@blp.response(200, TicketPartsSchema)
@roles_required("engineer", "dispatcher", "warehouse")
def ticket_parts(ref):
    """The ticket's parts list over its visits, with each part's cost and whether the
    contract covers it."""
    db = get_session()
    return plain(job_parts.ticket_parts(db, ticket_for_engineer(db, ref, engineer_scope())))


# --- return routing ------------------------------------------------------------------------


@blp.get("/return-rules")
@blp.response(200, RuleSchema(many=True))
@roles_required("warehouse", "dispatcher", "engineer")
def list_rules():
    """Where removed parts go, by part, category, condition, vendor and region."""
    return [plain(r) for r in part_returns.list_rules(get_session())]


@blp.post("/return-rules")
@blp.arguments(RuleRequest)
@blp.response(201, RuleSchema)
@roles_required()
def create_rule(data):
    """A return routing rule: the most specific active rule matching a removed part wins."""
    return plain(part_returns.create_rule(get_session(), actor=actor_name(), **data))


@blp.post("/return-rules/<int:rule_id>/active")
@blp.arguments(RuleActiveRequest)
@blp.response(200, RuleSchema)
@roles_required()
def rule_active(data, rule_id):
    return plain(
        part_returns.set_rule_active(
            get_session(), rule_id, active=data["active"], actor=actor_name()
        )
    )


@blp.post("/vendor-locations")
@blp.arguments(VendorLocationRequest)
@blp.response(201, VendorLocationSchema)
@roles_required()
def create_vendor_location(data):
    """A vendor's own site parts go back to (e.g. its Shanghai hub)."""
    location = part_returns.create_vendor_location(get_session(), actor=actor_name(), **data)
    return {
        "code": location.code,
        "name": location.name,
        "vendor": location.vendor,
        "city": location.city,
    }


@query_read(
    blp,
    "/part-returns",
    ReturnQuery,
    ReturnSchema(many=True),
    "warehouse",
    "dispatcher",
    "engineer",
)
def list_returns(args):
    """Removed parts owed back, soonest deadline first (an engineer: their own)."""
    db = get_session()
    engineer_id = engineer_scope()
    if args.get("engineer"):
        wanted = vans.engineer_by_code(db, args["engineer"]).id
        if engineer_id is not None and wanted != engineer_id:
            return []
        engineer_id = wanted
    rows = part_returns.returns(db, engineer_id=engineer_id, open_only=not args["include_received"])
    if args.get("overdue") is not None:
        rows = [r for r in rows if r.overdue == args["overdue"]]
    return [plain(r) for r in rows]


@idempotent_write(
    blp,
    "/part-returns/<number>/ship",
    ShipReturnRequest,
    ReturnSchema,
    "engineer",
    body_required=False,
)
def ship(data, number):
    """The engineer sends the removed part on its way (van → in transit)."""
    return plain(
        part_returns.ship_return(
            get_session(), number, engineer_id=engineer_scope(), actor=actor_name(),
            waybill=data.get("waybill"),
        )
    )  # fmt: skip


@idempotent_write(blp, "/part-returns/<number>/receive", None, ReturnSchema, "warehouse")
def receive_part(number):
    """The destination books it in: the depot's staff, or the warehouse recording a vendor
    hub's receipt (in transit → the destination)."""
    return plain(part_returns.receive_return(get_session(), number, actor=actor_name()))
