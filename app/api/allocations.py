"""Outage allocation: which depot's spare goes to which waiting ticket."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate

from app.api.common import Str
from app.auth import roles_required
from app.db import get_session
from app.geo import travel_model
from inventory.outage import plan_outage

blp = Blueprint(
    "allocations",
    __name__,
    url_prefix="/api/allocations",
    description="Outage allocation of scarce spares (OR-Tools min-cost flow vs greedy)",
)


class AllocationRequest(ma.Schema):
    tickets = ma.fields.List(
        Str(24),
        validate=validate.Length(max=5000),
        metadata={"description": "ticket numbers; omit for every ticket waiting for a part"},
    )


class AssignmentSchema(ma.Schema):
    ticket = ma.fields.String()
    depot = ma.fields.String()
    part_eta = ma.fields.AwareDateTime()
    km = ma.fields.Float()
    late_minutes = ma.fields.Float()


class UnassignedSchema(ma.Schema):
    ticket = ma.fields.String()
    reason = ma.fields.String()


class ResultSchema(ma.Schema):
    method = ma.fields.String()
    weighted_misses = ma.fields.Integer()
    misses = ma.fields.Integer()
    travel_km = ma.fields.Float()
    solve_seconds = ma.fields.Float()
    assignments = ma.fields.List(ma.fields.Nested(AssignmentSchema))
    unassigned = ma.fields.List(ma.fields.Nested(UnassignedSchema))


class PlanSchema(ma.Schema):
    proposal = ma.fields.Nested(ResultSchema)
    greedy_baseline = ma.fields.Nested(ResultSchema)


def _view(result, plan) -> dict:
    return {
        "method": result.method,
        "weighted_misses": result.weighted_misses,
        "misses": result.misses,
        "travel_km": round(result.travel_km, 1),
        "solve_seconds": round(result.solve_seconds, 3),
        "assignments": [
            {
                "ticket": plan.tickets[a.demand_id],
                "depot": plan.depots[a.depot_id],
                "part_eta": a.part_eta,
                "km": round(a.km, 1),
                "late_minutes": round(a.late_minutes, 1),
            }
            for a in result.assignments
        ],
        "unassigned": [
            {"ticket": plan.tickets[u.demand_id], "reason": u.reason} for u in result.unassigned
        ],
    }


@blp.post("")
@blp.arguments(AllocationRequest, required=False)  # every field optional
@blp.response(200, PlanSchema)
@roles_required("dispatcher")
def propose(data):
    """Propose depots for the tickets waiting for a part: fewest severity-weighted SLA misses,
    then least travel; the greedy first-come nearest-depot rule is returned beside it. Nothing
    is reserved: confirm each assignment through the ticket's dispatch."""
    plan = plan_outage(get_session(), travel_model(), tickets=data.get("tickets"))
    return {"proposal": _view(plan.optimal, plan), "greedy_baseline": _view(plan.greedy, plan)}
