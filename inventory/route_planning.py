"""Engineers' day plans: feed the routing solver from the database and keep the result.

A request names a local date, the engineers (or a depot whose engineers are used) and the
stops: fault visits and preventive inspections (巡检) at a site or coordinates, with a
service time, an optional time window, a skill and a severity; a stop may carry a spare
to be picked up at a depot first (pickup-and-delivery on the same route). Travel comes
from the configured travel model (rounded UP to whole minutes: a plan must not promise
an arrival the road cannot keep). Stops that cannot be served are reported with a reason.

A plan for today is planned from now (``planned_at``, stored with the request): each
engineer leaves at the later of now and their shift start, from where they were last seen
(the site of their latest arrival today) or else their base, and no visit is planned
before its ticket existed (a stop's ``not_before``). ``plan_changes`` says what moved
between two plans of the same day.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from inventory.errors import InvalidInput, NotFound
from inventory.lookups import depot_by_code, one_by, part_by_number
from inventory.supersession import free_good_units, serving_part_ids
from inventory.tickets import BEFORE_ARRIVAL
from inventory.vans import van_free_units
from logistics.dispatch import great_circle_km
from logistics.routing.model import RoutePlan, RoutingProblem, Stop, Vehicle
from logistics.sla import severity_rank
from models import Depot, Engineer, Job, Site, Ticket, utcnow
from models.enums import JobStatus

#: Drop penalties in metres of driving a dispatcher would accept to keep the stop.
SEVERITY_PENALTY_M = {
    "P1": 5_000_000,
    "P2": 2_000_000,
    "P3": 1_000_000,
    "P4": 500_000,
    "inspection": 200_000,
}


PICKUP = "@pickup"  # a depot stop collecting what the job needs
VIA = "@via"  # the job done after a pickup, by an engineer who lacked a part or tool


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
    not_before: datetime | None = None  # UTC; e.g. when the stop's ticket was opened
    tools: list[str] = field(default_factory=list)  # tools the job needs
    parts: list[str] = field(default_factory=list)  # part numbers the job needs (one each)


@dataclass
class PlanRequest:
    day: date
    timezone: str = "Asia/Shanghai"
    engineers: list[str] = field(default_factory=list)
    depot: str | None = None
    stops: list[StopRequest] = field(default_factory=list)
    time_limit_s: float = 5.0
    planned_at: datetime | None = None  # UTC "now" of the plan; default: when it is solved
    inspections: bool = False  # add the day's planned inspection visits of these engineers


@dataclass
class _Places:
    coords: list[tuple[float, float]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def add(self, name: str, lat: float, lon: float) -> int:
        self.coords.append((lat, lon))
        self.names.append(name)
        return len(self.coords) - 1


def _shifts_over(req: PlanRequest) -> InvalidInput:
    return InvalidInput(
        f"every engineer's shift on {req.day.isoformat()} is over: nothing left to plan",
        field="date",
        key="shifts_over",
        params={"day": req.day.isoformat()},
    )


def validate_request(session: Session, req: PlanRequest) -> None:
    """Everything the solve needs is checked before a job is queued (422 naming the item)."""
    engineers = _engineers(session, req)
    now_min = minutes_into_day(req)
    if now_min is not None and all(e.shift_end_min <= now_min for e in engineers):
        raise _shifts_over(req)
    for i, s in enumerate(req.stops):
        _stop_place(session, s, i)
        if s.pickup_depot:
            depot_by_code(session, s.pickup_depot, field=f"stops.{i}.pickup_depot")
        for j, number in enumerate(s.parts):
            part_by_number(session, number, field=f"stops.{i}.parts.{j}")
        if s.window_start and s.window_end and s.window_end < s.window_start:
            raise InvalidInput(
                f"stop {s.id}: the time window ends before it starts",
                field=f"stops.{i}.window",
                key="stop_window",
                params={"stop": s.id},
            )
    ids = [s.id for s in req.stops] + [
        f"{s.id}{suffix}"
        for s in req.stops
        if s.pickup_depot or s.parts or s.tools
        for suffix in (PICKUP, VIA)
    ]
    if len(set(ids)) != len(ids):
        raise InvalidInput(
            "stop ids must be unique (a stop with a pickup also uses '<id>@pickup' and '<id>@via')",
            field="stops",
            key="stop_ids_unique",
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
                raise NotFound.unknown("engineer", code, field=f"engineers.{i}")
            if not found[code].active or weekday not in found[code].work_days:
                raise InvalidInput(
                    f"engineer {code} has no shift on {req.day.isoformat()}",
                    field=f"engineers.{i}",
                    key="engineer_no_shift",
                    params={"engineer": code, "day": req.day.isoformat()},
                )
        return [found[c] for c in req.engineers]
    if not req.depot:
        raise InvalidInput(
            "name the engineers or a depot whose engineers to plan",
            field="engineers",
            key="plan_whom",
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
            f"no engineer of {req.depot} works on {req.day.isoformat()}",
            field="depot",
            key="depot_nobody_works",
            params={"depot": req.depot, "day": req.day.isoformat()},
        )
    return engineers


def _stop_place(session: Session, s: StopRequest, i: int) -> tuple[str, float, float]:
    if s.site:
        site = one_by(session, Site.code, s.site, "site", field=f"stops.{i}.site")
        return site.name, site.lat, site.lon
    if s.lat is None or s.lon is None:
        raise InvalidInput(
            "give a site code or lat and lon", field=f"stops.{i}.site", key="stop_where"
        )
    if not (-90 <= s.lat <= 90 and -180 <= s.lon <= 180):
        raise InvalidInput(
            "coordinates out of range", field=f"stops.{i}.lat", key="coordinates_out_of_range"
        )
    return f"{s.lat:.4f},{s.lon:.4f}", s.lat, s.lon


@dataclass
class _Kit:
    """What each engineer carries: tools, and per part number a stop needs the engineers
    whose van holds a free good unit that can serve it (inventory.supersession)."""

    tools: dict[str, frozenset[str]]  # engineer code → tools
    parts: dict[str, dict[str, int]]  # part number → engineer code → units in the van
    depots: list[Depot]


def _engineers_kit(session: Session, engineers: list[Engineer], stops) -> _Kit:
    codes = {e.id: e.code for e in engineers}
    parts: dict[str, dict[str, int]] = {}
    for number in sorted({n for s in stops for n in s.parts}):
        units = van_free_units(session, part_by_number(session, number))
        parts[number] = {codes[eid]: n for eid, n in units.items() if eid in codes}
    depots = list(session.scalars(select(Depot).where(Depot.active).order_by(Depot.code)))
    return _Kit({e.code: frozenset(e.tools or ()) for e in engineers}, parts, depots)


def _carried_plan(session, s: StopRequest, i: int, vehicles, kit: _Kit, site, places):
    """Who can do stop ``s`` with what they carry (``ready``), who may collect a part or
    tool at a depot first (``lacking``: those without it, and for parts anyone skilled;
    everyone when the stop's spare waits at its ``pickup_depot``) and that depot as
    ``(Depot, matrix row)``; or the unserved entry when nobody can."""
    skilled = [v.id for v in vehicles if s.skill is None or s.skill in v.skills]
    ready = [
        code
        for code in skilled
        if set(s.tools) <= kit.tools[code]
        and all(kit.parts[n].get(code, 0) >= k for n, k in Counter(s.parts).items())
        # a spare waiting at the pickup depot (no part to take from a van): collected first
        and not (s.pickup_depot and not s.parts)
    ]
    # those lacking something must collect it; with parts, anyone may (a van's units may
    # be taken by the plan's other stops: the solver decides, ``Stop.consumes``)
    lacking = [code for code in skilled if s.parts or code not in ready]
    depot = _collection_depot(session, s, i, kit.depots, site) if lacking else None
    if depot is None:
        lacking = []
    if not ready and not lacking:
        what = "no_part" if s.parts else "no_tool"
        return {
            "stop": s.id,
            "code": what,
            "reason": "no engineer carries what the job needs and no depot holds "
            + ("the part" if s.parts else "the tool"),
        }
    collect = None if depot is None else (depot, places.add(depot.name, depot.lat, depot.lon))
    return ready, lacking, collect


def _collection_depot(
    session: Session, s: StopRequest, i: int, depots: list[Depot], site
) -> Depot | None:
    """Where an engineer lacking a part or tool collects it: the stop's pickup depot when
    named, else the active depot nearest the site holding a free good unit of every part
    the stop needs (or of a part number serving it); tools are lent by any depot."""
    if s.pickup_depot:
        return depot_by_code(session, s.pickup_depot, field=f"stops.{i}.pickup_depot")
    candidates = depots
    for number in s.parts:
        ids = serving_part_ids(session, part_by_number(session, number).id)
        free = free_good_units(session, ids, [d.location_id for d in candidates])
        held = {loc for loc, _pid in free}
        candidates = [d for d in candidates if d.location_id in held]
    if not candidates:
        return None
    xy = np.array([(d.lat, d.lon) for d in candidates], dtype=float)
    km = great_circle_km(np.array([site], dtype=float), xy)[0]
    return candidates[int(np.argmin(km))]


def minutes_into_day(req: PlanRequest) -> int | None:
    """Minutes from the plan day's local midnight to ``planned_at`` (rounded up) when the
    plan is for today; None for another day (planned from each shift's start)."""
    now = req.planned_at or utcnow()
    tz = ZoneInfo(req.timezone)
    midnight = datetime.combine(req.day, datetime.min.time(), tz)
    if now.astimezone(tz).date() != req.day:
        return None
    return math.ceil((now - midnight).total_seconds() / 60)


def last_known_places(
    session: Session, engineers: list[Engineer], since: datetime, until: datetime
) -> dict[int, tuple[str, float, float]]:
    """Where each engineer was last seen between ``since`` and ``until`` (UTC): the site of
    their latest on-site arrival, as (name, lat, lon)."""
    ids = [e.id for e in engineers]
    rows = session.execute(
        select(Ticket.engineer_id, Site.name, Site.lat, Site.lon, Ticket.onsite_at)
        .join(Site, Site.id == Ticket.site_id)
        .where(
            Ticket.engineer_id.in_(ids),
            Ticket.onsite_at.is_not(None),
            Ticket.onsite_at >= since,
            Ticket.onsite_at <= until,
        )
        .order_by(Ticket.onsite_at)
    )
    return {eid: (name, lat, lon) for eid, name, lat, lon, _at in rows}


def with_inspections(session: Session, req: PlanRequest) -> PlanRequest:
    """The request with the day's planned on-site inspections of its engineers added as
    stops (``inventory.inspections.day_stops``; severity ``inspection``: the smallest drop
    penalty, so fault work pre-empts them). Unchanged unless ``req.inspections``."""
    if not req.inspections:
        return req
    from inventory.inspections import day_stops

    taken = {s.id for s in req.stops}
    codes = [e.code for e in _engineers(session, req)]
    extra = [
        stop_from_params(s) for s in day_stops(session, req.day, codes) if s["id"] not in taken
    ]
    return replace(req, stops=[*req.stops, *extra], inspections=False)


def build_problem(session: Session, req: PlanRequest, travel_model) -> tuple[RoutingProblem, dict]:
    """The solver's plain data plus what is needed to turn its answer back into times and names."""
    req = with_inspections(session, req)
    tz = ZoneInfo(req.timezone)
    midnight = datetime.combine(req.day, datetime.min.time(), tz)
    now_min = minutes_into_day(req)
    engineers = _engineers(session, req)
    seen = {}
    if now_min is not None:
        now = midnight + timedelta(minutes=now_min)
        seen = last_known_places(session, engineers, midnight.astimezone(UTC), now)
    places = _Places()
    vehicles = []
    starts: dict[str, dict] = {}
    kit = _engineers_kit(session, engineers, req.stops)
    for e in engineers:
        home = places.add(f"{e.name} home", e.home_lat, e.home_lon)
        start = home
        starts[e.code] = {"from": "base", "label": ""}
        if e.id in seen:
            name, lat, lon = seen[e.id]
            start = places.add(name, lat, lon)
            starts[e.code] = {"from": "last_seen", "label": name}
        begin = e.shift_start_min if now_min is None else max(e.shift_start_min, now_min)
        if begin >= e.shift_end_min:
            continue  # this engineer's shift is over for today
        vehicles.append(
            Vehicle(
                id=e.code,
                start=start,
                end=home,
                shift=(begin, e.shift_end_min),
                skills=frozenset(e.skills or ()),
                stock=tuple(
                    (number, held[e.code]) for number, held in kit.parts.items() if e.code in held
                ),
            )
        )
    if not vehicles:
        raise _shifts_over(req)
    horizon = max(v.shift[1] for v in vehicles)

    def minutes(at: datetime | None, default: int) -> int:
        if at is None:
            return default
        return math.ceil((at.astimezone(tz) - midnight).total_seconds() / 60)

    stops: list[Stop] = []
    labels: dict[str, str] = {}
    unserved: list[dict] = []
    collects: dict[str, str] = {}  # pickup stop → depot code where parts or tools are collected
    aliases: dict[str, str] = {}  # the job done after a pickup → the job's own id
    needs: dict[str, dict] = {}  # pickup stop → the parts and tools its job needs
    held = {skill for v in vehicles for skill in v.skills}
    for i, s in enumerate(req.stops):
        name, lat, lon = _stop_place(session, s, i)
        if s.skill is not None and s.skill not in held:
            # no engineer on shift has the skill: reported, the rest still planned
            unserved.append(
                {
                    "stop": s.id,
                    "code": "no_skill",
                    "skill": s.skill,
                    "reason": f"no engineer on shift in the plan has skill {s.skill!r}",
                }
            )
            continue
        earliest = max(0, minutes(s.window_start, 0), minutes(s.not_before, 0), now_min or 0)
        window = (earliest, min(horizon, minutes(s.window_end, horizon)))
        if window[1] < window[0]:
            window = (window[0], window[0])  # outside the day: the solver reports it as unservable
        penalty = SEVERITY_PENALTY_M.get(s.severity, SEVERITY_PENALTY_M["P3"])
        if s.parts or s.tools:
            found = _carried_plan(session, s, i, vehicles, kit, (lat, lon), places)
            if isinstance(found, dict):
                unserved.append(found)
                continue
            ready, lacking, collect = found
            if ready:
                stops.append(
                    Stop(
                        id=s.id,
                        location=places.add(name, lat, lon),
                        service_minutes=s.service_minutes,
                        window=window,
                        required_skill=s.skill,
                        penalty=penalty,
                        vehicles=frozenset(ready),
                        job=s.id if lacking else None,
                        consumes=tuple(Counter(s.parts).items()),
                    )
                )
                labels[s.id] = name
            if lacking:
                depot, depot_row = collect
                stops.append(
                    Stop(
                        id=f"{s.id}{PICKUP}",
                        location=depot_row,
                        service_minutes=10,
                        window=(0, horizon),
                        required_skill=s.skill,
                        penalty=0,  # performed exactly when its job is (the solver ties them)
                        vehicles=frozenset(lacking),
                    )
                )
                labels[f"{s.id}{PICKUP}"] = depot.code
                collects[f"{s.id}{PICKUP}"] = depot.code
                needs[f"{s.id}{PICKUP}"] = {
                    "parts": list(s.parts),
                    "tools": sorted(set(s.tools)),
                    "spare": bool(s.pickup_depot and not s.parts),
                }
                stops.append(
                    Stop(
                        id=f"{s.id}{VIA}",
                        location=places.add(name, lat, lon),
                        service_minutes=s.service_minutes,
                        window=window,
                        required_skill=s.skill,
                        penalty=penalty,
                        pickup_of=f"{s.id}{PICKUP}",
                        vehicles=frozenset(lacking),
                        job=s.id if ready else None,
                    )
                )
                labels[f"{s.id}{VIA}"] = name
                aliases[f"{s.id}{VIA}"] = s.id
            continue
        pickup_id = None
        if s.pickup_depot:
            spares_at = depot_by_code(session, s.pickup_depot, field=f"stops.{i}.pickup_depot")
            pickup_id = f"{s.id}@pickup"
            stops.append(
                Stop(
                    id=pickup_id,
                    location=places.add(spares_at.name, spares_at.lat, spares_at.lon),
                    service_minutes=10,
                    window=(0, horizon),
                    required_skill=s.skill,
                    penalty=penalty,
                )
            )
            labels[pickup_id] = f"pick up spare at {spares_at.code}"
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
    context = {
        "midnight": midnight,
        "labels": labels,
        "names": {e.code: e.name for e in engineers},
        "starts": starts,
        "planned_at": None if now_min is None else midnight + timedelta(minutes=now_min),
        "unserved": unserved,
        "collects": collects,
        "aliases": aliases,
        "needs": needs,
        "tools": {code: sorted(tools) for code, tools in kit.tools.items()},
    }
    return problem, context


def plan_to_dict(plan: RoutePlan, context: dict, timezone: str) -> dict:
    midnight: datetime = context["midnight"]
    tz = ZoneInfo(timezone)

    def at_time(t: datetime) -> dict:
        return {
            "utc": t.astimezone(UTC).isoformat(),
            "local": t.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        }

    def at(m: int) -> dict:
        return at_time(midnight + timedelta(minutes=int(m)))

    aliases = context.get("aliases", {})
    collects = context.get("collects", {})
    needs = context.get("needs", {})
    carried = context.get("tools", {})

    def collected(stop_id: str, engineer: str) -> dict:
        """Where a pickup stop is and what this engineer collects there: every part the job
        needs (a job done through a depot takes nothing from the van), the tools the
        engineer does not carry, and whether a spare reserved there is picked up."""
        if stop_id not in collects:
            return {}
        need = needs.get(stop_id, {})
        lacking = [x for x in need.get("tools", []) if x not in carried.get(engineer, ())]
        return {
            "collect_at": collects[stop_id],
            "collect": {
                "parts": need.get("parts", []),
                "tools": lacking,
                "spare": need.get("spare", False),
            },
        }

    routes = []
    for r in plan.routes:
        if not r.visits:
            continue
        routes.append(
            {
                "engineer": r.vehicle_id,
                "engineer_name": context["names"].get(r.vehicle_id, r.vehicle_id),
                "start_from": context["starts"].get(r.vehicle_id, {"from": "base", "label": ""}),
                "depart": at(r.depart),
                "back": at(r.back),
                "km": round(r.distance / 1000, 1),
                "travel_minutes": r.travel_minutes,
                "visits": [
                    {
                        "stop": aliases.get(v.stop_id, v.stop_id),
                        "label": context["labels"].get(v.stop_id, v.stop_id),
                        "arrival": at(v.arrival),
                        "start": at(v.start),
                        "end": at(v.end),
                        **collected(v.stop_id, r.vehicle_id),
                    }
                    for v in r.visits
                ],
            }
        )
    planned_at = context.get("planned_at")
    return {
        "status": plan.status,
        "planned_at": at_time(planned_at) if planned_at is not None else None,
        "routes": routes,
        "unserved": [
            *context.get("unserved", []),
            *(
                {"stop": aliases.get(d.stop_id, d.stop_id), "code": d.code, "reason": d.reason}
                for d in plan.dropped
                if d.stop_id not in collects  # a collection is reported with its job
            ),
        ],
        "total_km": round(plan.total_distance / 1000, 1),
        "total_travel_minutes": plan.total_travel_minutes,
        "wall_s": round(plan.wall_s, 2),
        "first_solution": plan.first_solution,
    }


def solve_plan(session: Session, req: PlanRequest, travel_model) -> dict:
    """Solve the day; with ``req.inspections``, the inspections the plan could not serve
    move to their next feasible working day (``moved_inspections``), never dropped."""
    problem, context = build_problem(session, req, travel_model)
    session.rollback()  # release the read transaction before the long solve
    from logistics.routing.solver import solve  # OR-Tools: loaded when a plan is solved

    plan = solve(problem, req.time_limit_s)
    result = plan_to_dict(plan, context, req.timezone)
    if req.inspections:
        from inventory.inspections import reschedule_displaced

        result["moved_inspections"] = reschedule_displaced(session, result, req.day)
    return result


def request_from_params(params: dict) -> PlanRequest:
    return PlanRequest(
        day=date.fromisoformat(params["date"]),
        planned_at=_ts(params.get("planned_at")),
        timezone=params.get("timezone", "Asia/Shanghai"),
        engineers=list(params.get("engineers") or []),
        depot=params.get("depot"),
        time_limit_s=float(params.get("time_limit_s", 5)),
        stops=[stop_from_params(s) for s in params.get("stops", [])],
        inspections=bool(params.get("inspections", False)),
    )


def _ts(v):
    return datetime.fromisoformat(v) if v else None


def stop_from_params(s: dict) -> StopRequest:
    return StopRequest(
        id=s["id"],
        service_minutes=int(s["service_minutes"]),
        site=s.get("site"),
        lat=s.get("lat"),
        lon=s.get("lon"),
        window_start=_ts(s.get("window_start")),
        window_end=_ts(s.get("window_end")),
        skill=s.get("skill"),
        severity=s.get("severity", "P3"),
        pickup_depot=s.get("pickup_depot"),
        not_before=_ts(s.get("not_before")),
        tools=list(s.get("tools") or []),
        parts=list(s.get("parts") or []),
    )


MOVED_MINUTES = 5  # an arrival that moved less than this is not reported as a change


def plan_changes(previous: dict, current: dict) -> list[dict]:
    """What changed from one plan of a day to the next (both as ``plan_to_dict`` returns
    them): stops ``added`` to a route, ``dropped`` from every route, ``reassigned`` to
    another engineer, or ``moved`` (arrival changed by ``MOVED_MINUTES`` or more). Each item
    is {"stop", "change", "before", "after"} with the engineer code and local arrival."""

    def visits(plan: dict) -> dict[str, tuple[str, str, str]]:
        return {
            v["stop"]: (r["engineer"], v["arrival"]["local"], v["arrival"]["utc"])
            for r in plan.get("routes", [])
            for v in r["visits"]
        }

    before, after = visits(previous), visits(current)
    out = []
    for stop in sorted(set(before) | set(after)):
        old, new = before.get(stop), after.get(stop)
        change = None
        if old is None:
            change = "added"
        elif new is None:
            change = "dropped"
        elif old[0] != new[0]:
            change = "reassigned"
        else:
            shift = datetime.fromisoformat(new[2]) - datetime.fromisoformat(old[2])
            if abs(shift) >= timedelta(minutes=MOVED_MINUTES):
                change = "moved"
        if change:
            out.append(
                {
                    "stop": stop,
                    "change": change,
                    "before": None if old is None else {"engineer": old[0], "arrival": old[1]},
                    "after": None if new is None else {"engineer": new[0], "arrival": new[1]},
                }
            )
    return out


def changes_since_last_plan(session: Session, job: Job) -> list[dict] | None:
    """``plan_changes`` from the previous finished plan of the same depot (or engineers) and
    day to this one; None when this plan is not done or is the first of its day."""
    if not job.result:
        return None

    def key(j: Job) -> tuple:
        params = j.params or {}
        return (params.get("depot"), tuple(params.get("engineers") or ()), params.get("date"))

    earlier = session.scalars(
        select(Job)
        .where(
            Job.kind == "route_plan",
            Job.status == JobStatus.SUCCEEDED,
            Job.created_at < job.created_at,
        )
        .order_by(Job.created_at.desc())
        .limit(50)
    )
    previous = next((j.result for j in earlier if key(j) == key(job) and j.result), None)
    return None if previous is None else plan_changes(previous, job.result)


TICKET_SERVICE_MINUTES = 60  # a fault visit's planned time on site


def ticket_stop(session: Session, ticket: Ticket) -> dict:
    """A waiting ticket as a route-plan stop (``stop_from_params`` form): at its site, from
    when it was opened, needing the skill of its part's category; the part itself when not
    yet sourced (the engineer brings it from the van, serving part numbers counted, or
    collects it on the way), else a pickup at the depot holding its spare; and the tools
    a job on that part needs (``Part.tools``). A ticket opened on equipment names its model."""
    part = ticket.part
    source = session.get_one(Depot, ticket.source_depot_id) if ticket.source_depot_id else None
    return {
        "id": ticket.number,
        "site": ticket.site.code,
        "service_minutes": TICKET_SERVICE_MINUTES,
        "severity": ticket.severity,
        "skill": part.category if part else None,
        "pickup_depot": source.code if source else None,
        "not_before": ticket.opened_at.isoformat(),  # no visit before the ticket existed
        "parts": [part.part_number] if part and source is None else [],
        "tools": sorted(part.tools or []) if part else [],
    }


def route_candidates(session: Session, depot: Depot, depots: Sequence[Depot]) -> list[Ticket]:
    """Tickets the engineers of `depot` could visit: not yet on site, and either assigned
    to one of its engineers or (unassigned to a based engineer) nearer to `depot` than to
    any other of `depots` in a straight line. Most severe first, then oldest."""
    waiting = session.scalars(
        select(Ticket)
        .options(joinedload(Ticket.site), joinedload(Ticket.engineer), joinedload(Ticket.part))
        .where(Ticket.status.in_(BEFORE_ARRIVAL))
    )
    depots_xy = np.array([(d.lat, d.lon) for d in depots], dtype=float)
    mine = []
    for ticket in waiting:
        if ticket.engineer is not None and ticket.engineer.base_depot_id is not None:
            if ticket.engineer.base_depot_id == depot.id:
                mine.append(ticket)
            continue
        site = np.array([(ticket.site.lat, ticket.site.lon)])
        if depots[int(np.argmin(great_circle_km(site, depots_xy)[0]))].id == depot.id:
            mine.append(ticket)
    mine.sort(key=lambda ticket: (severity_rank(ticket.severity), ticket.opened_at))
    return mine
