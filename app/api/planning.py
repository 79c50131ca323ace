"""Service-parts planning runs: 202 + job, the plan as its result, accepting a plan."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for
from flask_smorest import Blueprint
from marshmallow import validate

from app.api.common import JobFields
from app.api.documents_api import DocumentArgs, pdf_responses
from app.auth import actor_name, roles_required
from app.background import submit_planning_run
from app.db import get_session
from app.documents import files
from app.geo import resolve
from inventory.errors import Conflict
from inventory.jobs import create_job, finished_result, get_job, job_fields
from inventory.planning import DEFAULT_TARGETS, accept_plan

blp = Blueprint(
    "planning",
    __name__,
    url_prefix="/api/planning",
    description="Service-parts plans: how many spares of each part to keep at each depot",
)

PLANNING_JOB = "planning_run"


class WhatIfDepotSchema(ma.Schema):
    city = ma.fields.String(
        required=True,
        validate=validate.Length(1, 80),
        metadata={"description": "city (or address) of a hypothetical depot, e.g. 拉萨"},
    )
    lat = ma.fields.Float(validate=validate.Range(-90, 90), allow_none=True)
    lon = ma.fields.Float(validate=validate.Range(-180, 180), allow_none=True)


class RunRequestSchema(ma.Schema):
    targets = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.Length(1, 16)),
        values=ma.fields.Float(validate=validate.Range(0, 1)),
        metadata={"description": "target in-clock fill rate per contract class (7x24, 7x8, 5x8)"},
    )
    other_clock_targets = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.Length(1, 16)),
        values=ma.fields.Float(validate=validate.Range(0, 1)),
        metadata={
            "description": "targets on the other clock too (the 2-working-day spare clock "
            "when clock is replacement), per contract class; the plan meets both"
        },
    )
    budget = ma.fields.Float(
        allow_none=True, validate=validate.Range(min=0), metadata={"description": "money"}
    )
    clock = ma.fields.String(
        load_default="replacement", validate=validate.OneOf(["replacement", "spare"])
    )
    failure_rate_overrides = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.Length(1, 64)),
        values=ma.fields.Float(validate=validate.Range(min=0, max=100)),
        metadata={"description": "what-if: failures per installed unit per year, by part number"},
    )
    label = ma.fields.String(load_default="", validate=validate.Length(max=80))
    extra_depots = ma.fields.List(
        ma.fields.Nested(WhatIfDepotSchema),
        validate=validate.Length(max=5),
        metadata={
            "description": "what-if: hypothetical depots (planned as WHATIF-1, ...; never "
            "saved); a plan with one cannot be accepted"
        },
    )


def whatif_depots(entries: list[dict], field: str = "extra_depots") -> list[dict]:
    """Each hypothetical depot with its coordinates: as given, or the city geocoded (an
    InvalidInput naming the entry's city when it is not found)."""
    out = []
    for n, entry in enumerate(entries):
        lat, lon = entry.get("lat"), entry.get("lon")
        if lat is None or lon is None:
            place = resolve(entry["city"], f"{field}.{n}.city")
            lat, lon = place.lat, place.lon
        out.append({"city": entry["city"], "lat": float(lat), "lon": float(lon)})
    return out


class PlanningJobSchema(JobFields):
    href = ma.fields.String()


class AcceptedSchema(ma.Schema):
    policies_set = ma.fields.Integer()
    policies_cleared = ma.fields.Integer()


def _job_view(job) -> dict:
    return {
        **job_fields(job),
        "href": url_for("planning.get_run", job_id=job.id),
    }


@blp.post("/runs")
@blp.arguments(RunRequestSchema, required=False)  # every field optional
@blp.response(202, PlanningJobSchema)
@roles_required()
def create_run(data):
    """Queue a plan for the whole network. Answers 202 with the job; poll its href."""
    params = {
        "targets": data.get("targets") or dict(DEFAULT_TARGETS),
        "budget": data.get("budget"),
        "clock": data["clock"],
        "failure_rate_overrides": data.get("failure_rate_overrides") or {},
        "label": data["label"],
        "extra_depots": whatif_depots(data.get("extra_depots") or []),
        "other_clock_targets": data.get("other_clock_targets") or {},
    }
    job = create_job(get_session(), PLANNING_JOB, params, actor=actor_name(), time_limit_s=60.0)
    submit_planning_run(job.id)
    return _job_view(job), 202, {"Location": url_for("planning.get_run", job_id=job.id)}


@blp.get("/runs/<job_id>")
@blp.response(200, PlanningJobSchema)
@roles_required("warehouse")
def get_run(job_id):
    """The run: queued / running / succeeded (with the plan) / failed (with the reason)."""
    return _job_view(get_job(get_session(), job_id, PLANNING_JOB))


def _finished_plan(session, job_id: str, doing: str = ""):
    """The planning run ``job_id`` and its finished plan; Conflict (409) while it has none
    (``doing`` words what could not be done, for the message)."""
    job = get_job(session, job_id, PLANNING_JOB)
    plan = finished_result(job)
    if plan is None:
        raise Conflict(
            f"run {job_id} has no finished plan{doing} (status {job.status})",
            key="run_no_finished_plan",
            params={"ref": job_id},
        )
    return job, plan


@blp.post("/runs/<job_id>/accept")
@blp.response(200, AcceptedSchema)
@roles_required()
def accept_run(job_id):
    """Make the plan the depots' reorder points (S - 1) and targets (S), with an audit entry."""
    session = get_session()
    _job, plan = _finished_plan(session, job_id, " to accept")
    accepted = accept_plan(session, plan, actor=actor_name(), reference=f"PLAN-{job_id[:8]}")
    return {"policies_set": accepted.policies_set, "policies_cleared": accepted.policies_cleared}


@blp.get("/runs/<job_id>/plan.pdf")
@blp.arguments(DocumentArgs, location="query")
@blp.doc(responses=pdf_responses("the plan for management: curve, classes, map, top moves"))
@roles_required("warehouse")
def plan_pdf(args, job_id):
    """The finished plan as a PDF (zh or en); 409 while the run has no plan."""
    job, plan = _finished_plan(get_session(), job_id)
    return files.plan_report(job.id, plan, lang=args["lang"]).response()
