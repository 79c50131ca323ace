"""Engineers' day plans: feed the routing solver from the database and keep the result.

A request names a local date, the engineers (or a depot whose engineers are used) and the
stops: fault visits and preventive inspections (巡检) at a site or coordinates, with a
service time, an optional time window, a skill and a severity; a stop may carry a spare
to be picked up at a depot first (pickup-and-delivery on the same route). Travel comes
from the configured travel model (rounded UP to whole minutes: a plan must not promise
an arrival the road cannot keep). Stops that cannot be served are reported with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.errors import InvalidInput, NotFound
from inventory.lookups import depot_by_code
from logistics.routing.model import RoutePlan, RoutingProblem, Stop, Vehicle
from logistics.routing.solver import solve
from models import Depot, Engineer, Site

#: Drop penalties in metres of driving a dispatcher would accept to keep the stop.
SEVERITY_PENALTY_M = {
    "P1": 5_000_000,
    "P2": 2_000_000,
    "P3": 1_000_000,
    "P4": 500_000,
    "inspection": 200_000,
}


@dataclass
class StopRequest:
    id: str
    service_minutes: int
    site: str | None = None
    lat: float | None = None
    lon: float | None = None
    window_start: datetime | None = None  # UTC
    window_end: datetime | None = None  # UTC
    skill: str | None = None
    severity: str = "P3"
    pickup_depot: str | None = None


@dataclass
class PlanRequest:
    day: date
    timezone: str = "Asia/Shanghai"
    engineers: list[str] = field(default_factory=list)
    depot: str | None = None
    stops: list[StopRequest] = field(default_factory=list)
    time_limit_s: float = 5.0


@dataclass
class _Places:
    coords: list[tuple[float, float]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def add(self, name: str, lat: float, lon: float) -> int:
        self.coords.append((lat, lon))
        self.names.append(name)
        return len(self.coords) - 1


def validate_request(session: Session, req: PlanRequest) -> None:
    """Everything the solve needs is checked before a job is queued (422 naming the item)."""
    skills = {skill for e in _engineers(session, req) for skill in e.skills or ()}
    for i, s in enumerate(req.stops):
        _stop_place(session, s, i)
        if s.pickup_depot:
            depot_by_code(session, s.pickup_depot, field=f"stops.{i}.pickup_depot")
        if s.window_start and s.window_end and s.window_end < s.window_start:
            raise InvalidInput(
                f"stop {s.id}: the time window ends before it starts", field=f"stops.{i}.window"
            )
        if s.skill is not None and s.skill not in skills:
            raise InvalidInput(
                f"stop {s.id}: no engineer in the plan has skill {s.skill!r}",
                field=f"stops.{i}.skill",
            )
    ids = [s.id for s in req.stops] + [f"{s.id}@pickup" for s in req.stops if s.pickup_depot]
    if len(set(ids)) != len(ids):
        raise InvalidInput(
            "stop ids must be unique (a stop with a pickup also uses '<id>@pickup')", field="stops"
        )


def _engineers(session: Session, req: PlanRequest) -> list[Engineer]:
    weekday = str(req.day.isoweekday())
    if req.engineers:
        found = {
            e.code: e
            for e in session.scalars(select(Engineer).where(Engineer.code.in_(req.engineers)))
        }
        for i, code in enumerate(req.engineers):
            if code not in found:
                raise NotFound(f"unknown engineer {code!r}", field=f"engineers.{i}")
            if not found[code].active or weekday not in found[code].work_days:
                raise InvalidInput(
                    f"engineer {code} has no shift on {req.day.isoformat()}", field=f"engineers.{i}"
                )
        return [found[c] for c in req.engineers]
    if not req.depot:
        raise InvalidInput(
            "name the engineers or a depot whose engineers to plan", field="engineers"
        )
    depot = depot_by_code(session, req.depot, field="depot")
    engineers = [
        e
        for e in session.scalars(
            select(Engineer)
            .where(Engineer.base_depot_id == depot.id, Engineer.active)
            .order_by(Engineer.code)
        )
        if weekday in e.work_days
    ]
    if not engineers:
        raise InvalidInput(
            f"no engineer of {req.depot} works on {req.day.isoformat()}", field="depot"
        )
    return engineers


def _stop_place(session: Session, s: StopRequest, i: int) -> tuple[str, float, float]:
    if s.site:
        site = session.scalar(select(Site).where(Site.code == s.site))
        if site is None:
            raise NotFound(f"unknown site {s.site!r}", field=f"stops.{i}.site")
        return site.name, site.lat, site.lon
    if s.lat is None or s.lon is None:
        raise InvalidInput("give a site code or lat and lon", field=f"stops.{i}.site")
    if not (-90 <= s.lat <= 90 and -180 <= s.lon <= 180):
        raise InvalidInput("coordinates out of range", field=f"stops.{i}.lat")
    return f"{s.lat:.4f},{s.lon:.4f}", s.lat, s.lon


def build_problem(session: Session, req: PlanRequest, travel_model) -> tuple[RoutingProblem, dict]:
    """The solver's plain data plus what is needed to turn its answer back into times and names."""
    tz = ZoneInfo(req.timezone)
    midnight = datetime.combine(req.day, datetime.min.time(), tz)
    engineers = _engineers(session, req)
    places = _Places()
    vehicles = []
    for e in engineers:
        home = places.add(f"{e.name} home", e.home_lat, e.home_lon)
        vehicles.append(
            Vehicle(
                id=e.code,
                start=home,
                end=home,
                shift=(e.shift_start_min, e.shift_end_min),
                skills=frozenset(e.skills or ()),
            )
        )
    horizon = max(v.shift[1] for v in vehicles)

    def minutes(at: datetime | None, default: int) -> int:
        if at is None:
            return default
        return int((at.astimezone(tz) - midnight).total_seconds() // 60)

    stops: list[Stop] = []
    labels: dict[str, str] = {}
    for i, s in enumerate(req.stops):
        name, lat, lon = _stop_place(session, s, i)
        window = (max(0, minutes(s.window_start, 0)), min(horizon, minutes(s.window_end, horizon)))
        if window[1] < window[0]:
            window = (window[0], window[0])  # outside the day: the solver reports it as unservable
        penalty = SEVERITY_PENALTY_M.get(s.severity, SEVERITY_PENALTY_M["P3"])
        pickup_id = None
        if s.pickup_depot:
            depot: Depot = depot_by_code(session, s.pickup_depot, field=f"stops.{i}.pickup_depot")
            pickup_id = f"{s.id}@pickup"
            stops.append(
                Stop(
                    id=pickup_id,
                    location=places.add(depot.name, depot.lat, depot.lon),
                    service_minutes=10,
                    window=(0, horizon),
                    required_skill=s.skill,
                    penalty=penalty,
                )
            )
            labels[pickup_id] = f"pick up spare at {depot.code}"
        stops.append(
            Stop(
                id=s.id,
                location=places.add(name, lat, lon),
                service_minutes=s.service_minutes,
                window=window,
                required_skill=s.skill,
                penalty=penalty,
                pickup_of=pickup_id,
            )
        )
        labels[s.id] = name

    coords = np.array(places.coords, dtype=float)
    km = np.asarray(travel_model.km_matrix(coords, coords), dtype=float)
    mins = np.asarray(travel_model.minutes_matrix(coords, coords), dtype=float)
    np.fill_diagonal(km, 0.0)
    np.fill_diagonal(mins, 0.0)
    problem = RoutingProblem(
        travel_minutes=np.ceil(mins).astype(np.int64),
        distance=np.ceil(km * 1000).astype(np.int64),
        stops=stops,
        vehicles=vehicles,
    )
    context = {"midnight": midnight, "labels": labels, "names": {e.code: e.name for e in engineers}}
    return problem, context


def plan_to_dict(plan: RoutePlan, context: dict, timezone: str) -> dict:
    midnight: datetime = context["midnight"]
    tz = ZoneInfo(timezone)

    def at(m: int) -> dict:
        t = midnight + timedelta(minutes=int(m))
        return {
            "utc": t.astimezone(UTC).isoformat(),
            "local": t.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        }

    routes = []
    for r in plan.routes:
        if not r.visits:
            continue
        routes.append(
            {
                "engineer": r.vehicle_id,
                "engineer_name": context["names"].get(r.vehicle_id, r.vehicle_id),
                "depart": at(r.depart),
                "back": at(r.back),
                "km": round(r.distance / 1000, 1),
                "travel_minutes": r.travel_minutes,
                "visits": [
                    {
                        "stop": v.stop_id,
                        "label": context["labels"].get(v.stop_id, v.stop_id),
                        "arrival": at(v.arrival),
                        "start": at(v.start),
                        "end": at(v.end),
                    }
                    for v in r.visits
                ],
            }
        )
    return {
        "status": plan.status,
        "routes": routes,
        "unserved": [{"stop": d.stop_id, "reason": d.reason} for d in plan.dropped],
        "total_km": round(plan.total_distance / 1000, 1),
        "total_travel_minutes": plan.total_travel_minutes,
        "wall_s": round(plan.wall_s, 2),
        "first_solution": plan.first_solution,
    }


def solve_plan(session: Session, req: PlanRequest, travel_model) -> dict:
    problem, context = build_problem(session, req, travel_model)
    session.rollback()  # release the read transaction before the long solve
    plan = solve(problem, req.time_limit_s)
    return plan_to_dict(plan, context, req.timezone)


def request_from_params(params: dict) -> PlanRequest:
    def ts(v):
        return datetime.fromisoformat(v) if v else None

    return PlanRequest(
        day=date.fromisoformat(params["date"]),
        timezone=params.get("timezone", "Asia/Shanghai"),
        engineers=list(params.get("engineers") or []),
        depot=params.get("depot"),
        time_limit_s=float(params.get("time_limit_s", 5)),
        stops=[
            StopRequest(
                id=s["id"],
                service_minutes=int(s["service_minutes"]),
                site=s.get("site"),
                lat=s.get("lat"),
                lon=s.get("lon"),
                window_start=ts(s.get("window_start")),
                window_end=ts(s.get("window_end")),
                skill=s.get("skill"),
                severity=s.get("severity", "P3"),
                pickup_depot=s.get("pickup_depot"),
            )
            for s in params.get("stops", [])
        ],
    )
