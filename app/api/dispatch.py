"""Dispatch ranking and confirmation: which engineer, which depot, and does it meet the SLA."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate

from app.api.common import Choice, Serial, Str, WholeNumber, idempotent_write, plain, query_read
from app.auth import actor_name, roles_required
from app.db import get_session
from app.geo import resolve, travel_model
from inventory import dispatch_service as svc
from inventory.installed_base import site_by_code
from logistics.dispatch import Mode
from logistics.sla import Channel, Severity
from models import limits
from models.enums import TicketStatus

blp = Blueprint(
    "dispatch_api",
    __name__,
    url_prefix="/api",
    description="Dispatch ranking (engineer × depot) and confirmation",
)


class OptionsRequest(ma.Schema):
    site = Str(
        limits.CODE,
        allow_none=True,
        metadata={"description": "site code; or give place, or lat and lon"},
    )
    place = Str(
        limits.ADDRESS, allow_none=True, metadata={"description": "a city/address or 'lat,lon'"}
    )
    lat = ma.fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    lon = ma.fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    severity = ma.fields.String(required=True, validate=validate.OneOf([s.value for s in Severity]))
    channel = ma.fields.String(
        load_default="phone", validate=validate.OneOf([c.value for c in Channel])
    )
    part_number = Str(
        limits.PART_NUMBER,
        allow_none=True,
        metadata={"description": "part model needed; omit for engineer only"},
    )
    contract = Str(
        limits.CODE,
        allow_none=True,
        metadata={"description": "contract code (default: shipped 7×24 policy)"},
    )
    limit = WholeNumber(load_default=10, validate=validate.Range(min=1, max=50))

    @ma.validates_schema
    def _where(self, data, **_kw):
        given = [
            bool(data.get("site")),
            bool(data.get("place")),
            data.get("lat") is not None or data.get("lon") is not None,
        ]
        if sum(given) != 1:
            raise ma.ValidationError(
                "give exactly one of site, place, or lat and lon", field_name="site"
            )
        if given[2] and (data.get("lat") is None or data.get("lon") is None):
            raise ma.ValidationError("give both lat and lon", field_name="lat")


class LimitArgs(ma.Schema):
    limit = WholeNumber(load_default=10, validate=validate.Range(min=1, max=50))


class LegSchema(ma.Schema):
    by = ma.fields.String(metadata={"description": "who moves: engineer, courier van, parcel"})
    kind = ma.fields.String(
        metadata={
            "description": "what the leg is: engineer_drive, same_city_courier (within the "
            "site city's radius), intercity_van, parcel"
        }
    )
    origin = ma.fields.String()
    destination = ma.fields.String()
    km = ma.fields.Float(metadata={"description": "road km (expected value when an estimate)"})
    minutes = ma.fields.Float(metadata={"description": "driving minutes (expected value)"})
    precision = ma.fields.String(
        metadata={"description": "the coarser end's precision: exact, street, district, city"}
    )
    estimate = ma.fields.Boolean(
        metadata={"description": "an end is known only to district or city level"}
    )
    minutes_low = ma.fields.Float(metadata={"description": "optimistic end of the minutes"})
    minutes_high = ma.fields.Float(metadata={"description": "pessimistic end of the minutes"})


class CheckSchema(ma.Schema):
    clock = ma.fields.String()
    due = ma.fields.AwareDateTime()
    eta = ma.fields.AwareDateTime()
    met = ma.fields.Boolean()
    margin_minutes = ma.fields.Float(
        metadata={"description": "due − eta, wall-clock minutes (negative: late)"}
    )
    uncertain = ma.fields.Boolean(
        metadata={
            "description": "the clock holds only at the optimistic end of a coarse leg's range"
        }
    )


class OptionSchema(ma.Schema):
    rank = ma.fields.Integer()
    mode = ma.fields.String(
        metadata={
            "description": "pickup (engineer collects the part), courier, engineer (no part), "
            "van (the engineer carries the part: straight to the site, no depot leg)"
        }
    )
    engineer_id = ma.fields.Raw()
    engineer_code = ma.fields.String()
    engineer_name = ma.fields.String()
    depot_id = ma.fields.Raw(allow_none=True)
    depot_code = ma.fields.String(allow_none=True)
    legs = ma.fields.List(ma.fields.Nested(LegSchema))
    onsite_eta = ma.fields.AwareDateTime()
    part_eta = ma.fields.AwareDateTime(allow_none=True)
    checks = ma.fields.List(ma.fields.Nested(CheckSchema))
    missed = ma.fields.Integer()
    meets_sla = ma.fields.Boolean()
    travel_km = ma.fields.Float()
    travel_minutes = ma.fields.Float()
    explanation = ma.fields.String()
    substitute = ma.fields.String(
        allow_none=True,
        metadata={
            "description": "the part number offered instead of the one asked for (it "
            "supersedes it or is interchangeable); null: the part itself"
        },
    )


class ClocksSchema(ma.Schema):
    opened_at = ma.fields.AwareDateTime()
    clock_start = ma.fields.AwareDateTime()
    response_due = ma.fields.AwareDateTime()
    onsite_due = ma.fields.AwareDateTime(allow_none=True)
    restore_due = ma.fields.AwareDateTime()
    replacement_due = ma.fields.AwareDateTime()
    spare_request_due = ma.fields.AwareDateTime()


class RankingSchema(ma.Schema):
    options = ma.fields.List(ma.fields.Nested(OptionSchema))
    clocks = ma.fields.Nested(ClocksSchema, allow_none=True)
    engineers_considered = ma.fields.Integer()
    depots_considered = ma.fields.Integer()
    reason = ma.fields.String(metadata={"description": "why the list is empty, when it is"})


class ConfirmRequest(ma.Schema):
    engineer = Str(limits.CODE, required=True, metadata={"description": "engineer code"})
    depot = Str(
        limits.CODE,
        allow_none=True,
        metadata={"description": "depot the spare comes from (omit for mode engineer)"},
    )
    mode = ma.fields.String(load_default="pickup", validate=validate.OneOf([m.value for m in Mode]))
    serial = Serial(
        allow_none=True,
        metadata={"description": "a particular spare; default: any good one"},
    )
    faulty_serial = Serial(
        allow_none=True,
        metadata={"description": "default: the ticket's equipment serial"},
    )


class ConfirmationSchema(ma.Schema):
    ticket_number = ma.fields.String()
    ticket_status = Choice(TicketStatus)
    engineer_code = ma.fields.String()
    engineer_name = ma.fields.String()
    mode = ma.fields.String()
    depot = ma.fields.String(allow_none=True)
    reserved_serial = ma.fields.String(allow_none=True)
    rma_number = ma.fields.String(allow_none=True)
    tracking_code = ma.fields.String(allow_none=True)


@blp.post("/dispatch/options")
@blp.arguments(OptionsRequest)
@blp.response(200, RankingSchema)
@roles_required("dispatcher")
def options(data):
    """Ranked (engineer, depot) options for a fault, best first: fewest missed SLA clocks
    (on site, replacement unit, restore), then earliest on site, then least driving — each
    with its legs, ETAs and a sentence saying why it ranks there."""
    db = get_session()
    precision, radius = "exact", 0.0
    if data.get("site"):
        site = site_by_code(db, data["site"])
        lat, lon, tz, name = site.lat, site.lon, site.timezone, site.name
        precision, radius = site.precision, site.uncertainty_km
    elif data.get("place"):
        place = resolve(data["place"], "place")
        lat, lon, tz, name = place.lat, place.lon, place.timezone, place.name
        precision, radius = place.precision.value, place.uncertainty_km
    else:
        lat, lon, tz, name = (
            data["lat"],
            data["lon"],
            "Asia/Shanghai",
            f"{data['lat']:.4f},{data['lon']:.4f}",
        )
    return svc.rank_for_fault(
        db,
        site_lat=lat,
        site_lon=lon,
        severity=data["severity"],
        channel=data["channel"],
        part_number=data.get("part_number"),
        contract_code=data.get("contract"),
        timezone=tz,
        limit=data["limit"],
        site_name=name,
        site_precision=precision,
        site_uncertainty_km=radius,
        travel=travel_model(),
    )


@query_read(blp, "/tickets/<ref>/dispatch-options", LimitArgs, RankingSchema, "dispatcher")
def ticket_options(args, ref):
    """Ranked options for an open ticket, judged against the clocks stored on it."""
    return svc.rank_for_ticket(get_session(), ref, travel_model(), limit=args["limit"])


@idempotent_write(blp, "/tickets/<ref>/dispatch", ConfirmRequest, ConfirmationSchema, "dispatcher")
def confirm(data, ref):
    """Confirm one option in one transaction: the engineer is assigned, a good spare is
    reserved at the depot and an advance-replacement RMA is opened. 409 when someone got
    there first (the ticket was dispatched, or the depot's last spare was taken)."""
    return plain(
        svc.confirm_dispatch(
            get_session(),
            ref,
            engineer_code=data["engineer"],
            actor=actor_name(),
            depot_code=data.get("depot"),
            mode=data["mode"],
            serial=data.get("serial"),
            faulty_serial=data.get("faulty_serial"),
        )
    )
