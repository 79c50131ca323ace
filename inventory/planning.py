"""Service-parts plans: recommend stock levels for the whole network, and accept a plan.

`recommend_plan` reads the network (inventory.planning_data), optimises with
logistics.planning.service_levels, derives the moves (logistics.planning.moves) and
returns the plan as plain JSON-able data: per (part, depot) the current free stock, the
recommended level, the depot's chance of having a unit before and after, and the stock
value; per contract class and per customer the in-clock fill rates before and after;
the transfers, purchases and returns; the service-versus-stock-value curve with the
current position; the failure rates used and every warning.

`accept_plan` turns a plan into the depots' reorder points and targets (base stock S:
reorder at S - 1, refill to S) in one transaction, with one audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.errors import InvalidInput
from inventory.events import record_event
from inventory.planning_data import PlanningData, load_planning_data
from inventory.transaction import transaction
from logistics.planning.moves import plan_moves
from logistics.planning.service_levels import (
    CLOCKS,
    ServiceTargets,
    optimise,
    service_report,
)
from logistics.travel import TravelEstimator
from models import Depot, Event, Part, StockPolicy

# Shipped default targets on the replacement-unit clock, per contract coverage class.
DEFAULT_TARGETS: Mapping[str, float] = {"7x24": 0.95, "7x8": 0.90, "5x8": 0.85, "none": 0.80}


@dataclass(frozen=True)
class PlanSettings:
    """What to optimise: class targets (fill rate on `clock`) and/or a budget (money);
    optionally class targets on the other clock too, met together."""

    targets: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    budget: float | None = None
    clock: str = "replacement"
    failure_rate_overrides: Mapping[str, float] = field(default_factory=dict)
    label: str = ""
    # what-if depots, {"city", "lat", "lon"} each: planned as WHATIF-1, ..., never saved
    extra_depots: tuple[Mapping, ...] = ()
    other_clock_targets: Mapping[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "targets": dict(self.targets),
            "budget": self.budget,
            "clock": self.clock,
            "failure_rate_overrides": dict(self.failure_rate_overrides),
            "label": self.label,
            "extra_depots": [dict(d) for d in self.extra_depots],
            "other_clock_targets": dict(self.other_clock_targets),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> PlanSettings:
        return cls(
            targets=dict(data.get("targets") or DEFAULT_TARGETS),
            budget=data.get("budget"),
            clock=data.get("clock") or "replacement",
            failure_rate_overrides=dict(data.get("failure_rate_overrides") or {}),
            label=data.get("label") or "",
            extra_depots=tuple(dict(d) for d in data.get("extra_depots") or ()),
            other_clock_targets=dict(data.get("other_clock_targets") or {}),
        )


def recommend_plan(
    session: Session, travel: TravelEstimator, settings: PlanSettings, *, now: datetime
) -> dict:
    """The plan for the whole network (plain data; see the module docstring)."""
    data = load_planning_data(
        session,
        travel,
        now=now,
        failure_rate_overrides=dict(settings.failure_rate_overrides),
        extra_depots=[dict(d) for d in settings.extra_depots],
    )
    unknown = set(settings.failure_rate_overrides) - set(data.parts)
    if unknown:
        raise InvalidInput.unknown(
            "part",
            sorted(unknown)[0],
            message=f"failure-rate change for unknown part {sorted(unknown)[0]}",
            field="failure_rate_overrides",
        )
    return build_plan(data, settings, now=now, travel=travel)


def build_plan(
    data: PlanningData, settings: PlanSettings, *, now: datetime, travel: TravelEstimator
) -> dict:
    goal = ServiceTargets(
        clock=settings.clock,
        targets=settings.targets,
        budget=settings.budget,
        other_clock_targets=settings.other_clock_targets,
    )
    recommendation = optimise(data.network, goal)
    before = service_report(data.network, data.current)
    after = service_report(data.network, recommendation.levels)
    depots = [d.id for d in data.network.depots]
    xy = np.array([[data.depots[d].lat, data.depots[d].lon] for d in depots])
    lanes = travel.minutes_matrix(xy, xy)
    moves = plan_moves(data.current, recommendation.levels, depots, lanes)

    keys = sorted(set(data.current) | set(recommendation.levels) | set(after.depot_demand))
    lines = []
    for key in keys:
        part, depot = key
        info = data.parts[part]
        current = data.current.get(key, 0)
        recommended = recommendation.levels.get(key, 0)
        if not current and not recommended:
            continue
        lines.append(
            {
                "part": part,
                "depot": depot,
                "current": current,
                "recommended": recommended,
                "demand_per_year": round(after.depot_demand.get(key, 0.0), 6),
                "fill_rate_before": round(before.depot_availability.get(key, 0.0), 6),
                "fill_rate_after": round(after.depot_availability.get(key, 0.0), 6),
                "unit_cost": info.unit_cost,
                "stock_value_current": round(current * info.unit_cost, 2),
                "stock_value_recommended": round(recommended * info.unit_cost, 2),
            }
        )
    value_now = sum(n * data.parts[p].unit_cost for (p, _d), n in data.current.items())
    site_fill = _worst_by_site(after.by_part_site)

    def rates(report_before: dict, report_after: dict, name: str) -> list[dict]:
        return [
            {
                name: key,
                **{f"{c}_before": round(report_before.get(key, {}).get(c, 0.0), 6) for c in CLOCKS},
                **{f"{c}_after": round(report_after[key][c], 6) for c in CLOCKS},
            }
            for key in sorted(report_after)
        ]

    return {
        "generated_at": now.isoformat(),
        "settings": settings.as_dict(),
        "summary": {
            "stock_value_current": round(value_now, 2),
            "stock_value_recommended": round(recommendation.stock_value, 2),
            "fill_rate_before": {c: round(before.overall[c], 6) for c in CLOCKS},
            "fill_rate_after": {c: round(after.overall[c], 6) for c in CLOCKS},
            "unmet_classes": recommendation.unmet_classes,
            "parts": len(data.parts),
            "depots": len(depots),
            "installed_units": sum(d.units for d in data.network.demands),
        },
        "lines": lines,
        "classes": rates(before.by_class, after.by_class, "class"),
        "customers": rates(before.by_customer, after.by_customer, "customer"),
        # the same per part (over all its failures) and per site (over all its parts)
        "parts": rates(before.by_part, after.by_part, "part"),
        "site_rates": rates(before.by_site, after.by_site, "site"),
        "transfers": [
            {
                "part": t.part,
                "from_depot": t.from_depot,
                "to_depot": t.to_depot,
                "qty": t.qty,
                "travel_minutes": round(t.lane_cost, 1),
            }
            for t in moves.transfers
        ],
        "purchases": [
            {
                "part": p.part,
                "depot": p.depot,
                "qty": p.qty,
                "value": p.qty * data.parts[p.part].unit_cost,
            }
            for p in moves.purchases
        ],
        "returns": [{"part": r.part, "depot": r.depot, "qty": r.qty} for r in moves.returns],
        "curve": [
            {"stock_value": round(p.stock_value, 2), "fill_rate": round(p.fill_rate, 6)}
            for p in recommendation.curve
        ],
        "current_position": {
            "stock_value": round(value_now, 2),
            "fill_rate": round(before.overall[settings.clock], 6),
        },
        "failure_rates": [
            {
                "part": r.part,
                "rate": round(r.rate, 6),
                "source": r.source,
                "failures": r.failures,
                "unit_years": round(r.unit_years, 3),
            }
            for r in sorted(data.rates.values(), key=lambda r: r.part)
        ],
        "depots": [
            {
                "depot": d.code,
                "name": d.name,
                "name_en": d.name_en,
                "city": d.city,
                "lat": d.lat,
                "lon": d.lon,
                "hypothetical": d.hypothetical,
            }
            for d in data.depots.values()
        ],
        # per part and site, the in-clock fill rates after the plan: [6 h, 2 working days]
        "part_sites": _part_sites(after.by_part_site),
        "sites": [
            {
                "site": site,
                "lat": lat,
                "lon": lon,
                "customer": customer,
                "fill_rate_after": site_fill.get(site, {c: 1.0 for c in CLOCKS}),
            }
            for site, (lat, lon, customer) in sorted(data.site_points.items())
        ],
        "warnings": list(data.warnings),
        # the same warnings as data, for the page to word in the reader's language
        "warning_items": [
            {"kind": "default_rate", "part": r.part, "rate": r.rate}
            for r in sorted(data.rates.values(), key=lambda r: r.part)
            if r.warning
        ],
    }


def _part_sites(by_part_site: Mapping[tuple[str, str], Mapping[str, float]]) -> dict:
    out: dict[str, dict[str, list[float]]] = {}
    for (part, site), rates in sorted(by_part_site.items()):
        out.setdefault(part, {})[site] = [round(rates[c], 4) for c in CLOCKS]
    return out


def _worst_by_site(by_part_site: Mapping[tuple[str, str], Mapping[str, float]]) -> dict:
    """Per site, the worst in-clock fill rate over its parts (one pass over the pairs)."""
    out: dict[str, dict[str, float]] = {}
    for (_part, site), rates in by_part_site.items():
        worst = out.setdefault(site, {c: 1.0 for c in CLOCKS})
        for c in CLOCKS:
            worst[c] = min(worst[c], rates[c])
    return {site: {c: round(v, 6) for c, v in r.items()} for site, r in out.items()}


def accepted_plans(session: Session, limit: int = 5) -> list[Event]:
    """The latest plan acceptances (audit events ``plan_accepted``), newest first."""
    return list(
        session.scalars(
            select(Event)
            .where(Event.subject_type == "planning", Event.kind == "plan_accepted")
            .order_by(Event.at.desc(), Event.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class AcceptedPlan:
    policies_set: int
    policies_cleared: int


def accept_plan(session: Session, plan: Mapping, *, actor: str, reference: str) -> AcceptedPlan:
    """Set every depot's reorder point (S - 1) and target (S) from the plan; one event.

    A (part, depot) whose policy targets stock but the plan recommends none is cleared
    to 0 / 0. Commits once.
    """
    if plan.get("settings", {}).get("extra_depots"):
        raise InvalidInput(
            "a what-if plan with a hypothetical depot cannot be accepted: open the depot, "
            "then plan again",
            field="extra_depots",
            key="whatif_not_acceptable",
        )
    with transaction(session):
        parts = {p.part_number: p.id for p in session.scalars(select(Part))}
        depots = {d.code: d.id for d in session.scalars(select(Depot))}
        wanted: dict[tuple[int, int], int] = {}
        for line in plan.get("lines", []):
            if line["part"] not in parts:
                raise InvalidInput.unknown(
                    "part",
                    line["part"],
                    message=f"the plan names unknown part {line['part']}",
                    field="part",
                )
            if line["depot"] not in depots:
                raise InvalidInput.unknown(
                    "depot",
                    line["depot"],
                    message=f"the plan names unknown depot {line['depot']}",
                    field="depot",
                )
            wanted[(parts[line["part"]], depots[line["depot"]])] = int(line["recommended"])
        existing = {(p.part_id, p.depot_id): p for p in session.scalars(select(StockPolicy))}
        set_count = cleared = 0
        for key, old in existing.items():
            if key not in wanted and old.target_level > 0:
                old.reorder_point, old.target_level = 0, 0
                cleared += 1
        for (part_id, depot_id), level in wanted.items():
            found = existing.get((part_id, depot_id))
            if found is None:
                if level == 0:
                    continue
                policy = StockPolicy(part_id=part_id, depot_id=depot_id)
                session.add(policy)
            else:
                policy = found
            policy.reorder_point, policy.target_level = max(level - 1, 0), level
            set_count += 1
        record_event(
            session,
            subject_type="planning",
            subject_id=0,
            subject_ref=reference,
            kind="plan_accepted",
            actor=actor,
            note=f"{set_count} stock policies set, {cleared} cleared",
            data={
                "policies_set": set_count,
                "policies_cleared": cleared,
                "stock_value_recommended": plan.get("summary", {}).get("stock_value_recommended"),
            },
        )
    return AcceptedPlan(set_count, cleared)
