"""Plain data of an engineer-routing problem and of its plan.

Units: every time (windows, shifts, service, travel, plan times) is an integer count of
the same time unit, minutes from plan start for the service; distances are integers in
the distance unit of the matrix (metres for the service). The solver minimises total
distance plus the penalties of dropped stops plus vehicle fixed costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Stop:
    """A place an engineer must visit: a fault site, an inspection, or a depot pickup.

    `location` is a row of the problem's matrices; `window` bounds the *start* of service
    (minutes from plan start). `penalty` is paid when the stop is dropped (severity
    weighted, in distance units); None means the stop is mandatory and is only dropped
    when it cannot be served at all. `demand` is the load change at the stop (positive:
    picked up or, for depot-loaded deliveries, delivered; negative: unloaded).
    `pickup_of` names a depot pickup stop that must precede this one on the same route.
    `vehicles` (vehicle ids), when given, further restricts who may serve the stop (what
    they carry); `consumes` takes units of a vehicle's `stock` (a route never uses more
    than its vehicle carries); stops sharing a `job` are alternative ways to do one job (e.g. straight
    from the van, or through a depot pickup): at most one of them is served, and the job
    is dropped only when none is.
    """

    id: str
    location: int
    service_minutes: int
    window: tuple[int, int]
    required_skill: str | None = None
    penalty: int | None = None
    demand: int = 0
    pickup_of: str | None = None
    vehicles: frozenset[str] | None = None
    job: str | None = None
    consumes: tuple[tuple[str, int], ...] = ()  # (resource, units) taken from the vehicle

    @property
    def is_mandatory(self) -> bool:
        return self.penalty is None


@dataclass(frozen=True)
class Vehicle:
    """An engineer's shift: starts at `start`, ends at `end` (matrix rows) within `shift`
    (minutes from plan start). `capacity` None means unlimited load; `fixed_cost` (distance
    units) is paid once if the shift is used at all."""

    id: str
    start: int
    end: int
    shift: tuple[int, int]
    skills: frozenset[str] = frozenset()
    capacity: int | None = None
    fixed_cost: int = 0
    stock: tuple[tuple[str, int], ...] = ()  # (resource, units) carried: e.g. a van's parts

    def can_serve(self, stop: Stop) -> bool:
        if stop.vehicles is not None and self.id not in stop.vehicles:
            return False
        return stop.required_skill is None or stop.required_skill in self.skills


@dataclass
class RoutingProblem:
    """Square integer matrices over locations plus the stops and vehicles that use them.

    `travel_minutes[i, j]` is the drive time from location i to j, `distance[i, j]` the
    distance. Construction validates the data and raises ValueError naming the bad item.
    """

    travel_minutes: np.ndarray
    distance: np.ndarray
    stops: list[Stop]
    vehicles: list[Vehicle]

    def __post_init__(self) -> None:
        self.travel_minutes = np.asarray(self.travel_minutes, dtype=np.int64)
        self.distance = np.asarray(self.distance, dtype=np.int64)
        _validate(self)

    @property
    def stop_index(self) -> dict[str, int]:
        return {s.id: i for i, s in enumerate(self.stops)}

    @property
    def has_choices(self) -> bool:
        """Some stop is limited to named vehicles or is one of a job's alternatives (the
        external first-solution solvers do not model these)."""
        return any(s.vehicles is not None or s.job is not None for s in self.stops)

    def job_ids(self) -> dict[str, str]:
        """Stop id → the job it belongs to: its `job`, its delivery's job for a pickup,
        else its own id."""
        out = {s.id: s.job or s.id for s in self.stops}
        for s in self.stops:
            if s.pickup_of is not None:
                out[s.pickup_of] = out[s.id]
        return out

    @property
    def horizon(self) -> int:
        """Latest time any vehicle or stop can matter (minutes)."""
        ends = [v.shift[1] for v in self.vehicles] + [s.window[1] for s in self.stops]
        return int(max(ends))

    def qualified_vehicles(self, stop: Stop) -> list[int]:
        return [k for k, v in enumerate(self.vehicles) if v.can_serve(stop)]


def _validate(problem: RoutingProblem) -> None:
    t, d = problem.travel_minutes, problem.distance
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise ValueError(f"travel_minutes must be a square matrix, got shape {t.shape}")
    if d.shape != t.shape:
        raise ValueError(f"distance matrix shape {d.shape} differs from travel {t.shape}")
    if (t < 0).any() or (d < 0).any():
        raise ValueError("travel_minutes and distance must not be negative")
    n = t.shape[0]
    if not problem.vehicles:
        raise ValueError("a routing problem needs at least one vehicle")
    seen: set[str] = set()
    for v in problem.vehicles:
        if v.id in seen:
            raise ValueError(f"vehicle id {v.id!r} is used twice")
        seen.add(v.id)
        if v.shift[1] <= v.shift[0]:
            raise ValueError(f"vehicle {v.id!r} has an empty shift {v.shift}")
        for loc in (v.start, v.end):
            if not 0 <= loc < n:
                raise ValueError(f"vehicle {v.id!r}: location {loc} outside the matrix (n={n})")
        if v.capacity is not None and v.capacity < 0:
            raise ValueError(f"vehicle {v.id!r}: negative capacity")
    ids: set[str] = set()
    for s in problem.stops:
        if s.id in ids:
            raise ValueError(f"stop id {s.id!r} is used twice")
        ids.add(s.id)
        if not 0 <= s.location < n:
            raise ValueError(f"stop {s.id!r}: location {s.location} outside the matrix (n={n})")
        if s.window[1] < s.window[0]:
            raise ValueError(
                f"stop {s.id!r}: time window ends ({s.window[1]}) before it starts ({s.window[0]})"
            )
        if s.service_minutes < 0:
            raise ValueError(f"stop {s.id!r}: negative service time")
        if s.penalty is not None and s.penalty < 0:
            raise ValueError(f"stop {s.id!r}: negative drop penalty")
        if not any(v.can_serve(s) for v in problem.vehicles):
            raise ValueError(
                f"stop {s.id!r} needs skill {s.required_skill!r} (vehicles "
                f"{sorted(s.vehicles) if s.vehicles is not None else 'any'}) that no engineer has"
            )
    pickups_used: set[str] = set()
    by_id = {s.id: s for s in problem.stops}
    for s in problem.stops:
        if s.pickup_of is None:
            continue
        pickup = by_id.get(s.pickup_of)
        if pickup is None:
            raise ValueError(f"stop {s.id!r}: pickup stop {s.pickup_of!r} does not exist")
        if pickup.pickup_of is not None or pickup.id == s.id:
            raise ValueError(
                f"stop {s.id!r}: pickup stop {pickup.id!r} cannot itself be a delivery"
            )
        if pickup.id in pickups_used:
            raise ValueError(f"pickup stop {pickup.id!r} is the pickup of more than one stop")
        pickups_used.add(pickup.id)
        if not any(v.can_serve(s) and v.can_serve(pickup) for v in problem.vehicles):
            raise ValueError(f"stop {s.id!r} and its pickup {pickup.id!r}: no engineer can do both")


@dataclass(frozen=True)
class Visit:
    """One served stop: arrival, start and end of service (minutes from plan start)."""

    stop_id: str
    arrival: int
    start: int
    end: int


@dataclass(frozen=True)
class Route:
    """A vehicle's day: leave `depart`, serve `visits` in order, be back at `back`."""

    vehicle_id: str
    visits: tuple[Visit, ...]
    depart: int
    back: int
    distance: int
    travel_minutes: int


@dataclass(frozen=True)
class DroppedStop:
    """A stop left out of the plan: `reason` in English words, `code` the same reason as a
    stable code a page words in its reader's language (see DROP_CODES)."""

    stop_id: str
    reason: str
    code: str = "no_room"


#: Why a stop is left out: no plan at all, the load, the time window, its parts pickup,
#: no room left in the shifts, no engineer with the skill, the tool or the part at all.
DROP_CODES = (
    "no_solution",
    "capacity",
    "time_window",
    "pickup",
    "no_room",
    "no_skill",
    "no_tool",
    "no_part",
)


@dataclass(frozen=True)
class RoutePlan:
    """Result of a solve. Every stop is either in exactly one route or in `dropped`.

    `status` is "solved" (a plan was found) or "no_solution"; `first_solution` names
    where the search started ("pyvrp", "vroom", "warm_start" or "ortools"); `objective`
    is distance + fixed costs + drop penalties; `wall_s` is the measured wall-clock time
    of the solve (seconds); `notes` say which starts were discarded and what the
    OR-Tools search gained.
    """

    routes: list[Route]
    dropped: list[DroppedStop]
    total_distance: int
    total_travel_minutes: int
    objective: int
    status: str
    first_solution: str
    wall_s: float
    notes: list[str] = field(default_factory=list)

    def stop_sequences(self) -> dict[str, list[str]]:
        """Vehicle id → ordered stop ids; the shape `solve(warm_start=...)` accepts."""
        return {r.vehicle_id: [v.stop_id for v in r.visits] for r in self.routes}


WarmStart = RoutePlan | dict[str, Sequence[str]]
