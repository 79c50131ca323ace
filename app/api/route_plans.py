"""Engineers' day route plans, solved as background jobs."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for
from flask_smorest import Blueprint
from marshmallow import validate

from app.api.common import Day, Flag, JobFields, Str, When, WholeNumber, Zone
from app.auth import actor_name, roles_required
from app.background import submit_route_plan
from app.db import get_session
from inventory.jobs import create_job, get_job, job_fields
from inventory.route_planning import (
    changes_since_last_plan,
    request_from_params,
    validate_request,
)
from models import limits, utcnow

blp = Blueprint(
    "route_plans",
    __name__,
    url_prefix="/api/route-plans",
    description="Engineers' day routes (OR-Tools VRPTW), solved in the background",
)


class PickupSchema(ma.Schema):
    depot = Str(limits.CODE, required=True)


class StopSchema(ma.Schema):
    id = Str(64, required=True)
    site = Str(limits.CODE)
    lat = ma.fields.Float(validate=validate.Range(-90, 90))
    lon = ma.fields.Float(validate=validate.Range(-180, 180))
    service_minutes = WholeNumber(required=True, validate=validate.Range(min=0, max=24 * 60))
    window_start = When()
    window_end = When()
    skill = Str(limits.SKILL, validate=validate.Length(min=1))
    severity = ma.fields.String(
        load_default="P3", validate=validate.OneOf(["P1", "P2", "P3", "P4", "inspection"])
    )
    pickup_depot = Str(
        limits.CODE, metadata={"description": "depot where the spare is picked up before this stop"}
    )
    not_before = When(
        metadata={"description": "no visit before this moment (e.g. when the ticket was opened)"}
    )
    tools = ma.fields.List(
        Str(limits.SKILL, validate=validate.Length(min=1)),
        validate=validate.Length(max=20),
        metadata={
            "description": "tools the job needs; an engineer without one collects it "
            "at a depot on the way (a pickup stop) or is not sent"
        },
    )
    parts = ma.fields.List(
        Str(limits.PART_NUMBER, validate=validate.Length(min=1)),
        validate=validate.Length(max=20),
        metadata={
            "description": "part numbers the job needs, one unit each; an engineer "
            "whose van holds none (nor a part serving it) collects it at the nearest "
            "depot holding one (or pickup_depot) on the way, or is not sent"
        },
    )

    @ma.validates_schema
    def _place_and_window(self, data, **_kw):
        if not data.get("site") and ("lat" not in data or "lon" not in data):
            raise ma.ValidationError("give a site code, or lat and lon", "site")
        if (
            data.get("window_start")
            and data.get("window_end")
            and data["window_end"] < data["window_start"]
        ):
            raise ma.ValidationError("the time window ends before it starts", "window_end")


class PlanRequestSchema(ma.Schema):
    date = Day(required=True, metadata={"description": "local date of the plan"})
    timezone = Zone(load_default="Asia/Shanghai")
    engineers = ma.fields.List(Str(limits.CODE), validate=validate.Length(max=500))
    depot = Str(limits.CODE)
    stops = ma.fields.List(
        ma.fields.Nested(StopSchema), required=True, validate=validate.Length(min=1, max=2000)
    )
    time_limit_s = ma.fields.Float(load_default=5.0, validate=validate.Range(min=0.5, max=120))
    inspections = Flag(
        load_default=False,
        metadata={
            "description": "add the day's planned inspection visits of these engineers; "
            "those the plan cannot serve move to their next working day"
        },
    )


class JobSchema(JobFields):
    changes = ma.fields.List(
        ma.fields.Dict(),
        allow_none=True,
        metadata={
            "description": "what changed since the previous plan of the same depot or "
            "engineers and day: {stop, change (added/dropped/reassigned/moved), before, after}"
        },
    )
    href = ma.fields.String()


def _job_view(job) -> dict:
    return {
        **job_fields(job),
        "changes": changes_since_last_plan(get_session(), job),
        "href": url_for("route_plans.get_plan", job_id=job.id),
    }


@blp.post("")
@blp.arguments(PlanRequestSchema)
@blp.response(202, JobSchema)
@roles_required("dispatcher")
def create_plan(data):
    """Queue a day plan. Answers 202 with the job; poll its href for progress and the routes."""
    params = PlanRequestSchema().dump(data)
    params["planned_at"] = utcnow().isoformat()  # today's routes are planned from now
    params["stops"] = [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in s.items()}
        for s in data["stops"]
    ]
    session = get_session()
    validate_request(session, request_from_params(params))
    job = create_job(
        session, "route_plan", params, actor=actor_name(), time_limit_s=data["time_limit_s"]
    )
    submit_route_plan(job.id)
    return _job_view(job), 202, {"Location": url_for("route_plans.get_plan", job_id=job.id)}


@blp.get("/<job_id>")
@blp.response(200, JobSchema)
@roles_required("dispatcher", "engineer")
def get_plan(job_id):
    """The job: queued / running (with progress) / succeeded (with routes and unserved stops) / failed."""
    return _job_view(get_job(get_session(), job_id, "route_plan"))
