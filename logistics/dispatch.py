"""Dispatch ranking for one fault, now: which engineer, and where the part comes from.

Three ways to serve a fault:

* ``pickup``   – the engineer drives to a depot holding the part, then to the site;
* ``courier``  – the engineer drives straight to the site and the part follows from a
                 depot: by courier van when the depot is within `CourierRule.van_max_minutes`
                 of the site (handling + drive), otherwise by parcel on the contract's
                 spare-delivery rule (end of the 2nd working day);
* ``engineer`` – no part needed, the engineer alone.

Eligible engineers are on shift, skilled for the part's category and below their job
limit; eligible depots hold at least one good unit. Options are ranked by fewest missed
SLA clocks (on site, replacement unit on site, restore = both there + fix time), then
earliest on-site arrival, then least travel (driving minutes of all legs, courier
included), all to the second. The result is exactly the best `limit` over every eligible
engineer × depot × mode. Two shortcuts keep it fast without changing it: courier options
are only scored for the depots that can still rank for each engineer (their misses split
into an engineer part and a depot part, see `_courier_candidates`), and pick-up options
are scored engineer by engineer from the nearest in straight line, stopping when even a
drive at `PRUNE_SPEED_KMH` could not rank. Pure: plain data in, plain data out, no DB.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np

from logistics.calendars import CoverageCalendar, require_utc
from logistics.sla import (
    Channel,
    Clock,
    Severity,
    SlaClocks,
    SlaPolicy,
    compute_clocks,
    spare_delivery_due,
)

LatLon = tuple[float, float]

# Sort keys pack (missed clocks, on-site seconds, travel seconds) into one int64.
_FIELD_BITS = 28
_FIELD_MAX = (1 << _FIELD_BITS) - 1  # ~8.5 years in seconds: never reached in practice
# Pick-up pruning bound: no drive averages more than this over the straight line
# (China's expressway limit is 120 km/h).
PRUNE_SPEED_KMH = 130.0
_EARTH_RADIUS_KM = 6371.0088
_CHUNK = 64  # engineers per travel-matrix call while pruning


class TravelEstimator(Protocol):
    """Travel-time model (logistics.travel.TravelModel or an OSRM-backed one).

    Coordinates are (lat, lon) in degrees; minutes of driving, km of road.
    """

    def minutes_matrix(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray: ...

    def km_matrix(self, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray: ...

    def travel_minutes(self, a: LatLon, b: LatLon) -> float: ...

    def road_km(self, a: LatLon, b: LatLon) -> float: ...


@dataclass(frozen=True)
class EngineerCandidate:
    """An engineer where they are now (lat/lon degrees)."""

    id: int | str
    name: str
    lat: float
    lon: float
    skills: frozenset[str] = frozenset()
    on_shift: bool = True
    open_jobs: int = 0
    max_jobs: int = 3

    def can_take(self, part_category: str | None) -> bool:
        """On shift, not overloaded, and skilled for the part's category (if any)."""
        skilled = part_category is None or part_category in self.skills
        return self.on_shift and self.open_jobs < self.max_jobs and skilled


@dataclass(frozen=True)
class DepotStock:
    """A depot and how many good units of the needed part it holds."""

    depot_id: int | str
    code: str
    name: str
    lat: float
    lon: float
    good_qty: int


@dataclass(frozen=True)
class CourierRule:
    """How a part travels without the engineer.

    A depot within `van_max_minutes` of driving sends a courier van, arriving after
    `handling_minutes` (pick, pack, hand over) + the drive; a farther depot ships a parcel
    that arrives by the contract's spare-delivery deadline (2 working days by default).
    """

    handling_minutes: float = 60.0
    van_max_minutes: float = 360.0

    def arrival_minutes(self, drive_minutes: np.ndarray, parcel_minutes: float) -> np.ndarray:
        """Minutes from now until a part sent now reaches the site, per depot.

        `drive_minutes` is the depot → site drive; `parcel_minutes` the minutes from now
        to the contract's spare-delivery deadline.
        """
        drive = np.asarray(drive_minutes, dtype=float)
        van = self.handling_minutes + drive
        return np.where(drive <= self.van_max_minutes, van, max(parcel_minutes, 0.0))


@dataclass(frozen=True)
class FaultRequest:
    """One fault to serve. Times UTC; `fix_minutes` is the hands-on time once both the
    engineer and the part are on site. `onsite_due` is the ticket's stored promise; when
    None it is computed as travel of the nearest eligible engineer + 1 h."""

    site_lat: float
    site_lon: float
    severity: Severity | str
    now_utc: datetime
    part_category: str | None = None
    opened_at_utc: datetime | None = None
    channel: Channel | str = Channel.PHONE
    policy: SlaPolicy = field(default_factory=SlaPolicy)
    calendar: CoverageCalendar | None = None
    onsite_due: datetime | None = None
    fix_minutes: float = 30.0
    site_name: str = "site"


class Mode(StrEnum):
    PICKUP = "pickup"
    COURIER = "courier"
    ENGINEER = "engineer"


@dataclass(frozen=True)
class Leg:
    """One movement: who moves (engineer, courier van, parcel), from where to where."""

    by: str
    origin: str
    destination: str
    km: float
    minutes: float


@dataclass(frozen=True)
class ClockCheck:
    """An SLA clock against this option's estimate; margin = due − eta, wall-clock minutes."""

    clock: Clock
    due: datetime
    eta: datetime
    met: bool
    margin_minutes: float


@dataclass(frozen=True)
class DispatchOption:
    """One ranked way to serve the fault. Times UTC, km of road, minutes of driving;
    `travel_minutes` sums every leg (the part's courier leg too), `missed` counts the
    `checks` not met, `explanation` says in a sentence why the option ranks there."""

    rank: int
    mode: Mode
    engineer_id: int | str
    engineer_name: str
    depot_id: int | str | None
    depot_code: str | None
    legs: tuple[Leg, ...]
    onsite_eta: datetime
    part_eta: datetime | None
    checks: tuple[ClockCheck, ...]
    missed: int
    travel_km: float
    travel_minutes: float
    explanation: str


@dataclass(frozen=True)
class DispatchRanking:
    """Ranked options plus what they were measured against and why the list may be empty."""

    options: list[DispatchOption]
    clocks: SlaClocks | None
    engineers_considered: int
    depots_considered: int
    reason: str = ""


def rank_dispatch_options(
    request: FaultRequest,
    engineers: Sequence[EngineerCandidate],
    depots: Sequence[DepotStock],
    travel: TravelEstimator,
    courier: CourierRule = CourierRule(),
    limit: int = 10,
    prune_speed_kmh: float | None = PRUNE_SPEED_KMH,
) -> DispatchRanking:
    """The best `limit` ways to serve `request`, best first (module docstring).

    `prune_speed_kmh` lets the ranking skip engineers whose pick-up options provably cannot
    rank: it assumes no drive averages more than that speed over the straight-line
    (great-circle) distance. None evaluates every engineer × depot pair.
    """
    now = require_utc(request.now_utc, "now_utc")
    opened = require_utc(request.opened_at_utc or now, "opened_at_utc")
    calendar = request.calendar or request.policy.calendar()
    needs_part = request.part_category is not None
    staff = [e for e in engineers if e.can_take(request.part_category)]
    stock = [d for d in depots if d.good_qty > 0] if needs_part else []
    if not staff:
        what = f" skilled for {request.part_category}" if needs_part else ""
        return DispatchRanking([], None, 0, len(stock), f"no engineer on shift{what} has capacity")
    if needs_part and not stock:
        return DispatchRanking(
            [], None, len(staff), 0, f"no depot holds a good {request.part_category} part"
        )

    site = np.array([[request.site_lat, request.site_lon]])
    eng_xy = np.array([[e.lat, e.lon] for e in staff], dtype=float)
    eng_site = travel.minutes_matrix(eng_xy, site)[:, 0]
    clocks = compute_clocks(
        opened,
        request.severity,
        request.channel,
        request.policy,
        calendar,
        travel_minutes=float(eng_site.min()),
    )
    promised = request.onsite_due or clocks.onsite_due
    assert promised is not None  # compute_clocks got a travel time
    onsite_due = require_utc(promised, "onsite_due")
    dues = ClockDues(
        onsite=_minutes_from(now, onsite_due),
        replacement=_minutes_from(now, clocks.replacement_due) if needs_part else np.inf,
        restore=_minutes_from(now, clocks.restore_due),
        fix=request.fix_minutes,
    )

    if needs_part:
        depot_xy = np.array([[d.lat, d.lon] for d in stock], dtype=float)
        depot_site = travel.minutes_matrix(depot_xy, site)[:, 0]
        parcel = _minutes_from(now, spare_delivery_due(now, request.policy, calendar))
        part_by_courier = courier.arrival_minutes(depot_site, parcel)
        lower_bound = None
        if prune_speed_kmh is not None:
            lower_bound = great_circle_km(eng_xy, site)[:, 0] / prune_speed_kmh * 60.0

        def eng_depot(rows: np.ndarray) -> np.ndarray:
            return travel.minutes_matrix(eng_xy[rows], depot_xy)

        picks = rank_candidates(
            eng_site, depot_site, eng_depot, part_by_courier, dues, limit, lower_bound
        )
    else:
        picks = rank_candidates(eng_site, None, None, None, dues, limit)

    due_by_clock = {
        Clock.ONSITE: onsite_due,
        Clock.REPLACEMENT: clocks.replacement_due,
        Clock.RESTORE: clocks.restore_due,
    }
    options: list[DispatchOption] = []
    for pick in picks:
        option = _build_option(
            pick, len(options) + 1, request, staff, stock, travel, courier, now, due_by_clock
        )
        options.append(option)
    _explain(options, calendar)
    return DispatchRanking(options, clocks, len(staff), len(stock))


# -- the ranking core: arrays in, ranked (mode, engineer, depot) out -----------------------


@dataclass(frozen=True)
class ClockDues:
    """Deadlines in minutes from now (inf when the clock does not apply); `fix` is the
    hands-on minutes between having engineer and part on site and service restored."""

    onsite: float
    replacement: float
    restore: float
    fix: float


@dataclass(frozen=True)
class Pick:
    """A ranked candidate of the core: indices into the eligible engineers and depots."""

    key: int
    mode: Mode
    engineer: int
    depot: int | None
    onsite_minutes: float
    part_minutes: float | None
    travel_minutes: float
    depot_site_minutes: float | None  # drive from the depot to the site


def rank_candidates(
    eng_site: np.ndarray,
    depot_site: np.ndarray | None,
    eng_depot: np.ndarray | Callable[[np.ndarray], np.ndarray] | None,
    part_by_courier: np.ndarray | None,
    dues: ClockDues,
    limit: int,
    eng_lower_bound: np.ndarray | None = None,
) -> list[Pick]:
    """Exact top-`limit` over all (mode, engineer, depot) given the travel times.

    eng_site (E,), depot_site (D,) and part_by_courier (D,) are minutes from now;
    `eng_depot` is the (E, D) engineer → depot minutes, or a function returning the rows
    of some engineers. `depot_site` None means no part is needed. With
    `eng_lower_bound` (E,), a lower bound on every pick-up arrival of each engineer,
    engineers are visited from the smallest bound and the visit stops once the bound
    alone ranks below the current `limit`-th option: the result is the same.
    """
    if depot_site is None:
        return _engineer_only_picks(eng_site, dues, limit)
    assert eng_depot is not None and part_by_courier is not None
    rows_of = eng_depot if callable(eng_depot) else (lambda rows: eng_depot[rows])
    picks = _courier_picks(eng_site, depot_site, part_by_courier, dues, limit)

    # Pickup: the part arrives with the engineer and travel == on-site time, so every
    # clock is a step function of the arrival and the key grows with it.
    def pickup_key(onsite: float) -> int:
        missed = (
            (onsite > dues.onsite)
            + (onsite > dues.replacement)
            + (onsite + dues.fix > dues.restore)
        )
        return _key(missed, onsite, onsite)

    n_eng = eng_site.size
    if eng_lower_bound is None:
        order, chunk = np.arange(n_eng), n_eng
    else:
        order, chunk = np.argsort(eng_lower_bound, kind="stable"), _CHUNK
    for begin in range(0, n_eng, chunk):
        rows = order[begin : begin + chunk]
        picks.sort(key=_pick_order)
        del picks[limit:]
        if eng_lower_bound is not None and len(picks) == limit:
            floor = max(float(eng_lower_bound[rows[0]]), float(depot_site.min()))
            if pickup_key(floor) > picks[-1].key:
                break
        arrival = rows_of(rows) + depot_site[None, :]
        flat = arrival.ravel()
        n_depot = arrival.shape[1]
        for idx in _smallest(flat, limit):
            r, d = divmod(int(idx), n_depot)
            t = float(flat[idx])
            picks.append(
                Pick(pickup_key(t), Mode.PICKUP, int(rows[r]), d, t, t, t, float(depot_site[d]))
            )
    picks.sort(key=_pick_order)
    return picks[:limit]


def _engineer_only_picks(eng_site: np.ndarray, dues: ClockDues, limit: int) -> list[Pick]:
    missed = (eng_site > dues.onsite).astype(np.int64) + (eng_site + dues.fix > dues.restore)
    keys = _keys(missed, eng_site, eng_site)
    picks = []
    for i in _smallest(keys, limit):
        t = float(eng_site[i])
        picks.append(Pick(int(keys[i]), Mode.ENGINEER, int(i), None, t, None, t, None))
    return picks


def _courier_picks(
    eng_site: np.ndarray,
    depot_site: np.ndarray,
    part_by_courier: np.ndarray,
    dues: ClockDues,
    limit: int,
) -> list[Pick]:
    """Courier options: on-site time depends on the engineer, the part's on the depot."""
    picks = []
    for e, d in _courier_candidates(eng_site, part_by_courier, depot_site, dues, limit):
        onsite, part, drive = float(eng_site[e]), float(part_by_courier[d]), float(depot_site[d])
        missed = (
            (onsite > dues.onsite)
            + (part > dues.replacement)
            + (max(onsite, part) + dues.fix > dues.restore)
        )
        key = _key(missed, onsite, onsite + drive)
        picks.append(Pick(key, Mode.COURIER, e, d, onsite, part, onsite + drive, drive))
    return picks


def _pick_order(p: Pick) -> tuple:
    return (p.key, p.mode != Mode.PICKUP, p.engineer, p.depot)


def _courier_candidates(
    eng_site: np.ndarray,
    part: np.ndarray,
    depot_site: np.ndarray,
    dues: ClockDues,
    limit: int,
) -> list[tuple[int, int]]:
    """The (engineer, depot) courier pairs that can reach the global top-`limit`.

    missed(e, d) = late_e + late_part_d + (slow_e or slow_part_d), with slow = restore
    missed. For a fixed engineer the depots therefore order by (late_part_d + slow_part_d,
    depot travel) if the engineer alone does not miss the restore, else by
    (late_part_d, depot travel): its best `limit` depots come from one of two orders.
    The global best `limit` pairs are among these engineer-by-engineer best, and are
    chosen by the full key.
    """
    late_e = eng_site > dues.onsite
    slow_e = eng_site + dues.fix > dues.restore
    late_d = part > dues.replacement
    slow_d = part + dues.fix > dues.restore
    k = min(limit, part.size)
    order_if_slow = np.lexsort((depot_site, late_d))[:k]
    order_if_fast = np.lexsort((depot_site, late_d.astype(int) + slow_d))[:k]
    depots = np.where(slow_e[:, None], order_if_slow[None, :], order_if_fast[None, :])  # (E, k)
    missed = late_e[:, None].astype(np.int64) + late_d[depots] + (slow_e[:, None] | slow_d[depots])
    onsite = np.broadcast_to(eng_site[:, None], depots.shape)
    travel = onsite + depot_site[depots]
    keys = _keys(missed, onsite, travel).ravel()
    out = []
    for idx in _smallest(keys, limit):
        e, j = divmod(int(idx), k)
        out.append((e, int(depots[e, j])))
    return out


def great_circle_km(origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    """(N, M) great-circle km between (lat, lon) degree rows (haversine, mean Earth radius)."""
    a, b = np.radians(origins), np.radians(destinations)
    dlat = b[None, :, 0] - a[:, None, 0]
    dlon = b[None, :, 1] - a[:, None, 1]
    h = (
        np.sin(dlat / 2) ** 2
        + np.cos(a[:, None, 0]) * np.cos(b[None, :, 0]) * np.sin(dlon / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _keys(missed: np.ndarray, onsite_min: np.ndarray, travel_min: np.ndarray) -> np.ndarray:
    """One int64 per option ordering (missed, on-site second, travel second)."""
    onsite_s = np.clip(np.rint(onsite_min * 60.0), 0, _FIELD_MAX).astype(np.int64)
    travel_s = np.clip(np.rint(travel_min * 60.0), 0, _FIELD_MAX).astype(np.int64)
    return (missed.astype(np.int64) << (2 * _FIELD_BITS)) | (onsite_s << _FIELD_BITS) | travel_s


def _key(missed: int, onsite_min: float, travel_min: float) -> int:
    return int(_keys(np.array([missed]), np.array([onsite_min]), np.array([travel_min]))[0])


def _smallest(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k smallest values, smallest first (stable for ties)."""
    if values.size <= k:
        return np.argsort(values, kind="stable")
    part = np.argpartition(values, k - 1)[:k]
    return part[np.argsort(values[part], kind="stable")]


def _minutes_from(now: datetime, when: datetime) -> float:
    return (when - now).total_seconds() / 60.0


# -- turning picks into explained options ---------------------------------------------------


def _build_option(
    pick: Pick,
    rank: int,
    request: FaultRequest,
    staff: Sequence[EngineerCandidate],
    stock: Sequence[DepotStock],
    travel: TravelEstimator,
    courier: CourierRule,
    now: datetime,
    due_by_clock: dict[Clock, datetime],
) -> DispatchOption:
    eng = staff[pick.engineer]
    depot = stock[pick.depot] if pick.depot is not None else None
    site: LatLon = (request.site_lat, request.site_lon)
    here: LatLon = (eng.lat, eng.lon)
    legs: list[Leg] = []
    if pick.mode is Mode.PICKUP:
        assert depot is not None
        assert pick.depot_site_minutes is not None
        at: LatLon = (depot.lat, depot.lon)
        to_depot = pick.onsite_minutes - pick.depot_site_minutes
        legs.append(Leg("engineer", eng.name, depot.code, travel.road_km(here, at), to_depot))
        legs.append(
            Leg(
                "engineer",
                depot.code,
                request.site_name,
                travel.road_km(at, site),
                pick.depot_site_minutes,
            )
        )
    else:
        legs.append(
            Leg(
                "engineer",
                eng.name,
                request.site_name,
                travel.road_km(here, site),
                pick.onsite_minutes,
            )
        )
    if pick.mode is Mode.COURIER:
        assert depot is not None and pick.depot_site_minutes is not None
        at = (depot.lat, depot.lon)
        drive = pick.depot_site_minutes
        by = "courier van" if drive <= courier.van_max_minutes else "parcel"
        legs.append(Leg(by, depot.code, request.site_name, travel.road_km(at, site), drive))

    onsite_eta = now + timedelta(minutes=pick.onsite_minutes)
    part_eta = None if pick.part_minutes is None else now + timedelta(minutes=pick.part_minutes)
    ready = max(onsite_eta, part_eta or onsite_eta) + timedelta(minutes=request.fix_minutes)
    etas = {Clock.ONSITE: onsite_eta, Clock.REPLACEMENT: part_eta, Clock.RESTORE: ready}
    checks = []
    for clock, eta in etas.items():
        if eta is None:
            continue
        due = due_by_clock[clock]
        margin = (due - eta).total_seconds() / 60.0
        checks.append(ClockCheck(clock, due, eta, margin >= 0, margin))
    return DispatchOption(
        rank=rank,
        mode=pick.mode,
        engineer_id=eng.id,
        engineer_name=eng.name,
        depot_id=depot.depot_id if depot else None,
        depot_code=depot.code if depot else None,
        legs=tuple(legs),
        onsite_eta=onsite_eta,
        part_eta=part_eta,
        checks=tuple(checks),
        missed=sum(not c.met for c in checks),
        travel_km=sum(leg.km for leg in legs),
        travel_minutes=pick.travel_minutes,
        explanation="",
    )


def _explain(options: list[DispatchOption], calendar: CoverageCalendar) -> None:
    """Fill each option's `explanation`: what happens, which clocks, why this rank."""
    for i, opt in enumerate(options):
        what = _describe_plan(opt, calendar)
        clocks = _describe_clocks(opt)
        if i == 0:
            why = "ranked first: no option misses fewer clocks or arrives sooner"
        else:
            why = _why_below(opt, options[i - 1])
        options[i] = replace(opt, explanation=f"{what}; {clocks}; {why}.")


def _describe_plan(opt: DispatchOption, calendar: CoverageCalendar) -> str:
    eng_legs = [leg for leg in opt.legs if leg.by == "engineer"]
    km = sum(leg.km for leg in eng_legs)
    arrive = _local(opt.onsite_eta, calendar)
    if opt.mode is Mode.PICKUP:
        text = (
            f"{opt.engineer_name} collects the part at {opt.depot_code} and drives "
            f"{km:.0f} km in all, on site at {arrive}"
        )
    else:
        text = f"{opt.engineer_name} drives {km:.0f} km straight to the site, on site at {arrive}"
    if opt.mode is Mode.COURIER:
        leg = opt.legs[-1]
        assert opt.part_eta is not None
        text += (
            f", the part follows from {opt.depot_code} by {leg.by} ({leg.km:.0f} km) and "
            f"arrives at {_local(opt.part_eta, calendar)}"
        )
    return text


_CLOCK_WORDS = {
    Clock.ONSITE: "the on-site promise",
    Clock.REPLACEMENT: "the replacement-unit clock",
    Clock.RESTORE: "the restore clock",
}


def _describe_clocks(opt: DispatchOption) -> str:
    if opt.missed == 0:
        return f"meets all {len(opt.checks)} clocks"
    late = [
        f"{_CLOCK_WORDS[c.clock]} by {-c.margin_minutes:.0f} min" for c in opt.checks if not c.met
    ]
    return "misses " + ", ".join(late)


def _clocks(n: int) -> str:
    return "none" if n == 0 else f"{n} clock" + ("s" if n > 1 else "")


def _why_below(opt: DispatchOption, above: DispatchOption) -> str:
    if opt.missed > above.missed:
        return (
            f"ranked below #{above.rank} because it misses {_clocks(opt.missed)} "
            f"where #{above.rank} misses {_clocks(above.missed)}"
        )
    later = (opt.onsite_eta - above.onsite_eta).total_seconds() / 60.0
    if later >= 0.5:
        return f"misses no more than #{above.rank} but is on site {later:.0f} min later"
    more = opt.travel_minutes - above.travel_minutes
    if more >= 0.5:
        return f"same clocks and arrival as #{above.rank} but {more:.0f} more minutes of driving"
    return f"ties with #{above.rank}"


def _local(dt: datetime, calendar: CoverageCalendar) -> str:
    return dt.astimezone(ZoneInfo(calendar.tz)).strftime("%a %d %b %H:%M %Z")
