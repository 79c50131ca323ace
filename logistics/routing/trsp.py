"""Technician routing with skills, tools and spare parts (TRSP): data, reader and evaluator.

The instances are those of Pillac, Guéret & Medaglia (Optimization Letters 7, 2013): one
central depot (row 0) where tools and parts can be collected, technicians (rows 1..K, home
location and shift, skills, tools carried, van stock per part type) and requests (rows
K+1.., time window on the start of service, service time, skills and tools needed, parts
consumed). Travel time is the Euclidean distance; times are in the file's units.

Rules (the authors'): a request is served only by a technician with every skill it needs.
Before the technician's first depot visit, its tools must be among the technician's own
and its parts come out of the van stock, which never goes negative; after any depot visit
every tool and any number of parts are at hand. A depot visit takes no service time and
respects the depot's window. A route is written as the request ids in visiting order with
each depot visit as `DEPOT` (0), without the technician's home at either end.

Objective ("minimum working time"): the sum over used technicians of route duration,
waiting included, with the departure from home delayed as far as the windows allow.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

#: How a depot visit is written in a route.
DEPOT = 0
#: Float tolerance of the time-window checks (file units).
EPS = 1e-6


class TrspFormatError(ValueError):
    """The file is not a readable TRSP instance (or results file); the message says why."""


@dataclass(frozen=True)
class Site:
    """A row of the file: the depot, a technician's home, or a request."""

    id: int
    x: float
    y: float
    window: tuple[float, float]  # depot: opening hours; technician: shift; request: service start
    service: float
    skills: frozenset[int]
    tools: frozenset[int]
    parts: tuple[int, ...]  # technician: van stock per part type; request: parts consumed


@dataclass(frozen=True)
class TrspInstance:
    """One instance; `sites[i]` is row i of the file (0 depot, technicians, then requests)."""

    name: str
    sites: tuple[Site, ...]
    technicians: int

    @property
    def depot(self) -> Site:
        return self.sites[0]

    @property
    def technician_ids(self) -> range:
        return range(1, self.technicians + 1)

    @property
    def request_ids(self) -> range:
        return range(self.technicians + 1, len(self.sites))

    @cached_property
    def travel_table(self) -> list[list[float]]:
        """`travel_table[a][b]` = `travel(a, b)`, for search loops."""
        return [[math.hypot(a.x - b.x, a.y - b.y) for b in self.sites] for a in self.sites]

    def travel(self, a: int, b: int) -> float:
        """Travel time between rows `a` and `b` (Euclidean distance)."""
        sa, sb = self.sites[a], self.sites[b]
        return math.hypot(sa.x - sb.x, sa.y - sb.y)

    def can_serve(self, technician: int, request: int) -> bool:
        """The technician has every skill the request needs."""
        return self.sites[request].skills <= self.sites[technician].skills

    def needs_depot(self, technician: int, request: int) -> bool:
        """The technician lacks a tool the request needs, or has fewer of a part than it
        consumes, and so must visit the depot before serving it."""
        tech, req = self.sites[technician], self.sites[request]
        return not req.tools <= tech.tools or any(
            need > have for need, have in zip(req.parts, tech.parts, strict=True)
        )


@dataclass(frozen=True)
class TrspRoute:
    """A technician's route: request ids in visiting order, `DEPOT` for a depot visit."""

    technician: int
    stops: tuple[int, ...]


@dataclass(frozen=True)
class RouteEvaluation:
    technician: int
    duration: float  # 0 for a route without requests
    departure: float  # latest departure from home that keeps the route's arrival times
    violations: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    """The objective and every broken rule of a set of routes (feasible when none)."""

    objective: float
    technicians_used: int
    routes: tuple[RouteEvaluation, ...]
    violations: tuple[str, ...] = field(default=())

    @property
    def feasible(self) -> bool:
        return not self.violations


def _ints(text: str, what: str) -> tuple[int, ...]:
    inner = text.strip()
    if not (inner.startswith("[") and inner.endswith("]")):
        raise TrspFormatError(f"{what}: expected a [list], got {text!r}")
    body = inner[1:-1].strip()
    return tuple(int(v) for v in body.split(",")) if body else ()


_ROW = re.compile(
    r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\[.*?\])\s*(\[.*?\])\s*(\[.*?\])"
)


def read_trsp(path: str | Path) -> TrspInstance:
    """Read a Pillac et al. TRSP instance file; TrspFormatError naming the line if bad."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise TrspFormatError(f"{path}: cannot read file ({exc.strerror})") from exc
    lines = text.splitlines()
    try:
        head = next(i for i, line in enumerate(lines) if line.split()[:2] == ["CREW", "COUNT"])
        crew, n_skills, n_tools, n_parts = (int(v) for v in lines[head + 1].split()[:4])
    except (StopIteration, ValueError, IndexError) as exc:
        raise TrspFormatError(f"{path}: no 'CREW COUNT SKILLS TOOLS SPARE PARTS' header") from exc
    sites: list[Site] = []
    for number, line in enumerate(lines, start=1):
        m = _ROW.match(line)
        if not m:
            continue
        where = f"{path.name} line {number}"
        try:
            sid, x, y, tws, twe, serv = (float(v) for v in m.groups()[:6])
        except ValueError as exc:
            raise TrspFormatError(f"{where}: {exc}") from exc
        parts = _ints(m.group(9), where) or (0,) * n_parts  # the depot's row lists none
        if len(parts) != n_parts:
            raise TrspFormatError(f"{where}: {len(parts)} part counts, expected {n_parts}")
        skills, tools = _ints(m.group(7), where), _ints(m.group(8), where)
        if any(not 0 <= s < n_skills for s in skills) or any(not 0 <= t < n_tools for t in tools):
            raise TrspFormatError(f"{where}: skill or tool outside the header's range")
        if int(sid) != len(sites):
            raise TrspFormatError(f"{where}: row id {int(sid)}, expected {len(sites)}")
        if twe < tws:
            raise TrspFormatError(f"{where}: window ends ({twe}) before it starts ({tws})")
        sites.append(
            Site(len(sites), x, y, (tws, twe), serv, frozenset(skills), frozenset(tools), parts)
        )
    if len(sites) <= crew + 1:
        raise TrspFormatError(
            f"{path}: {len(sites)} rows, fewer than depot + {crew} technicians + requests"
        )
    name = lines[0].strip() or path.stem
    return TrspInstance(name=name, sites=tuple(sites), technicians=crew)


def evaluate_route(
    instance: TrspInstance, route: TrspRoute, *, with_resources: bool = True
) -> RouteEvaluation:
    """Duration (latest departure) and broken rules of one route; see the module docstring.
    `with_resources=False` leaves out the tools and parts rules (skills and times stay)."""
    k = route.technician
    tech = instance.sites[k]
    found: list[str] = []
    requests = [s for s in route.stops if s != DEPOT]
    if not requests:
        return RouteEvaluation(k, 0.0, tech.window[0], ())
    stock = list(tech.parts)
    replenished = False
    t = tech.window[0]
    waited = 0.0
    slack = math.inf  # forward time slack at departure (Savelsbergh)
    here = k
    for stop in route.stops:
        site = instance.sites[stop]
        arrive = t + instance.travel(here, stop)
        if arrive > site.window[1] + EPS:
            found.append(
                f"technician {k}: arrives at {stop} at {arrive:.4f} after {site.window[1]:g}"
            )
        start = max(arrive, site.window[0])
        waited += start - arrive
        slack = min(slack, waited + site.window[1] - start)
        t = start + site.service
        here = stop
        if stop == DEPOT:
            replenished = True
            continue
        if not site.skills <= tech.skills:
            found.append(
                f"technician {k}: lacks skills {sorted(site.skills - tech.skills)} for {stop}"
            )
        if replenished or not with_resources:
            continue
        if not site.tools <= tech.tools:
            found.append(
                f"technician {k}: lacks tools {sorted(site.tools - tech.tools)} for {stop} "
                "before any depot visit"
            )
        for p, need in enumerate(site.parts):
            stock[p] -= need
            if need and stock[p] < 0:
                found.append(f"technician {k}: van stock of part {p} runs out at {stop}")
    home = t + instance.travel(here, k)
    if home > tech.window[1] + EPS:
        found.append(
            f"technician {k}: home at {home:.4f} after the shift ends at {tech.window[1]:g}"
        )
    slack = min(slack, waited + tech.window[1] - home)
    delay = max(0.0, min(slack, waited))
    return RouteEvaluation(k, home - (tech.window[0] + delay), tech.window[0] + delay, tuple(found))


def evaluate(
    instance: TrspInstance, routes: Sequence[TrspRoute], *, with_resources: bool = True
) -> Evaluation:
    """Objective and broken rules of a whole solution: every route's rules, every request
    served exactly once, each technician at most one route, known ids only."""
    found: list[str] = []
    seen: dict[int, int] = {}
    techs: set[int] = set()
    evaluated: list[RouteEvaluation] = []
    requests = set(instance.request_ids)
    for route in routes:
        if route.technician not in instance.technician_ids:
            found.append(f"unknown technician {route.technician}")
            continue
        if route.technician in techs:
            found.append(f"technician {route.technician} has more than one route")
        techs.add(route.technician)
        unknown = [s for s in route.stops if s != DEPOT and s not in requests]
        if unknown:
            found.append(f"technician {route.technician}: unknown stops {unknown}")
            continue
        for s in route.stops:
            if s != DEPOT:
                seen[s] = seen.get(s, 0) + 1
        ev = evaluate_route(instance, route, with_resources=with_resources)
        evaluated.append(ev)
        found.extend(ev.violations)
    missing = sorted(requests - set(seen))
    if missing:
        found.append(f"{len(missing)} requests not served: {missing[:10]}")
    twice = sorted(s for s, n in seen.items() if n > 1)
    if twice:
        found.append(f"requests served more than once: {twice[:10]}")
    return Evaluation(
        objective=sum(e.duration for e in evaluated),
        technicians_used=sum(1 for r in routes if any(s != DEPOT for s in r.stops)),
        routes=tuple(evaluated),
        violations=tuple(found),
    )


def route_duration(instance: TrspInstance, technician: int, stops: Sequence[int]) -> float | None:
    """The working time of a route (as `evaluate_route`), or None when it misses a window
    or the end of the shift; the time rules only, without messages, for search loops."""
    t = instance.travel_table
    sites = instance.sites
    now = sites[technician].window[0]
    waited = 0.0
    slack = math.inf
    here = technician
    for stop in stops:
        lo, hi = sites[stop].window
        arrive = now + t[here][stop]
        if arrive > hi + EPS:
            return None
        start = arrive if arrive > lo else lo
        waited += start - arrive
        slack = min(slack, waited + hi - start)
        now = start + sites[stop].service
        here = stop
    home = now + t[here][technician]
    lo, hi = sites[technician].window
    if home > hi + EPS:
        return None
    slack = min(slack, waited + hi - home)
    return home - (lo + max(0.0, min(slack, waited)))


def own_kit_prefix(instance: TrspInstance, technician: int, requests: Sequence[int]) -> int:
    """How many of `requests`, in order, the technician can serve from their own tools and
    van stock before needing the depot."""
    tech = instance.sites[technician]
    stock = list(tech.parts)
    for i, r in enumerate(requests):
        req = instance.sites[r]
        if not req.tools <= tech.tools:
            return i
        for p, need in enumerate(req.parts):
            if need:
                stock[p] -= need
                if stock[p] < 0:
                    return i
    return len(requests)


def cheapest_route(
    instance: TrspInstance, technician: int, requests: Sequence[int], *, with_resources: bool = True
) -> tuple[float, TrspRoute] | None:
    """The technician's shortest route through `requests` in this order, with its working
    time: without a depot visit when the van holds what they need, else with one depot
    visit at the best place before the first request the van cannot serve. None when the
    technician lacks a skill or no such route keeps the windows."""
    plain = tuple(r for r in requests if r != DEPOT)
    skills = instance.sites[technician].skills
    if any(not instance.sites[r].skills <= skills for r in plain):
        return None
    own = own_kit_prefix(instance, technician, plain) if with_resources else len(plain)
    if own == len(plain):  # a detour to the depot never shortens a Euclidean route
        d = route_duration(instance, technician, plain)
        return None if d is None else (d, TrspRoute(technician, plain))
    best: tuple[float, TrspRoute] | None = None
    for at in range(own + 1):
        stops = plain[:at] + (DEPOT,) + plain[at:]
        d = route_duration(instance, technician, stops)
        if d is not None and (best is None or d < best[0]):
            best = (d, TrspRoute(technician, stops))
    return best


@dataclass(frozen=True)
class PublishedResult:
    """The authors' result for one instance, as in `pillac-minwt.sol`."""

    instance: str
    objective: float
    technicians_used: int
    routes: tuple[TrspRoute, ...]


def read_published(path: str | Path, technicians: int = 25) -> dict[str, PublishedResult]:
    """The authors' results by instance name. Their routes start at the technician's node
    k, end at node `R + k` (R = the last request row) and visit the depot as node
    `R + technicians + k`; they are returned in our notation (requests, `DEPOT`)."""
    values: dict[str, str] = {}
    for line in Path(path).read_text().splitlines():
        if line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip()
    out: dict[str, PublishedResult] = {}
    for key, value in values.items():
        if key.endswith(("-A", "-K", "-Opt", "-S")):
            continue
        try:
            routes_text = values[f"{key}-S"].strip("<>")
            used = int(values[f"{key}-K"])
            objective = float(value)
        except (KeyError, ValueError) as exc:
            raise TrspFormatError(f"{path}: incomplete result for {key} ({exc})") from exc
        routes = []
        for chunk in routes_text.split("|"):
            nodes = [int(v) for v in chunk.split(",") if v.strip()]
            if not nodes:
                continue
            k, inner = nodes[0], nodes[1:-1]
            last_request = nodes[-1] - k
            depot_node = last_request + technicians + k
            routes.append(TrspRoute(k, tuple(DEPOT if n == depot_node else n for n in inner)))
        out[key] = PublishedResult(key, objective, used, tuple(routes))
    return out
