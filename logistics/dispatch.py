"""Dispatch ranking for one fault, now: which engineer, and where the part comes from.

Three ways to serve a fault:

* ``pickup``   – the engineer drives to a depot holding the part, then to the site;
* ``courier``  – the engineer drives straight to the site and the part follows from a
                 depot: by courier van when the depot is within `CourierRule.van_max_minutes`
                 of the site (handling + drive), otherwise by parcel on the contract's
                 spare-delivery rule (end of the 2nd working day);
* ``engineer`` – no part needed, the engineer alone;
* ``van``      – the engineer carries the part in their van (`EngineerCandidate.van_qty`)
                 and drives straight to the site: no depot leg, the part arrives with them.

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

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import numpy as np

from logistics.calendars import CoverageCalendar, require_utc
from logistics.places import (
    COARSE_LEGS,
    DEFAULT_CITY_RADIUS_KM,
    CoarseLegRule,
    LegKind,
    Precision,
    coarsest,
    courier_leg_kind,
)
from logistics.sla import (
    Channel,
    Clock,
    Severity,
    SlaClocks,
    SlaPolicy,
    clock_verdict,
    compute_clocks,
    shown_margin,
    spare_delivery_due,
)
from logistics.travel import TravelEstimator

LatLon = tuple[float, float]

# Sort keys pack (missed clocks, on-site seconds, travel seconds) into one int64.
_FIELD_BITS = 28
_FIELD_MAX = (1 << _FIELD_BITS) - 1  # ~8.5 years in seconds: never reached in practice
# Pruning bound: no drive averages more than this over the straight line
# (China's expressway limit is 120 km/h).
PRUNE_SPEED_KMH = 130.0
_EARTH_RADIUS_KM = 6371.0088
_FIRST_BATCH = 32  # engineers timed in the first batch while pruning, doubling after
_NO_KEY = 1 << 63  # above every key: nothing left to rank


@dataclass(frozen=True)
class EngineerCandidate:
    """An engineer where they are now (lat/lon degrees); `code` is how people name them
    (``E-SH-01``), carried through to the options so nobody has to look it up again."""

    id: int | str
    name: str
    lat: float
    lon: float
    skills: frozenset[str] = frozenset()
    on_shift: bool = True
    open_jobs: int = 0
    max_jobs: int = 3
    code: str = ""
    precision: Precision | str = Precision.EXACT
    uncertainty_km: float = 0.0  # radius around (lat, lon) where they may really be
    van_qty: int = 0  # free good units of the needed part in their van
    van_substitute: str | None = None  # the van holds only this part number serving it

    def refusal_code(self, part_category: str | None, *, need_shift: bool = True) -> str | None:
        """Why this engineer cannot take a job needing `part_category` (None: no part), as
        a code — ``unskilled``, ``full``, ``off_shift`` — or None when they can: skilled for
        the category, below their job limit and — unless `need_shift` is False (a
        dispatcher calling someone in) — on shift."""
        if part_category is not None and part_category not in self.skills:
            return "unskilled"
        if self.open_jobs >= self.max_jobs:
            return "full"
        if need_shift and not self.on_shift:
            return "off_shift"
        return None

    def refusal(self, part_category: str | None, *, need_shift: bool = True) -> str | None:
        """`refusal_code` in English words, or None when the engineer can take the job."""
        who = self.code or self.name
        words = {
            "unskilled": f"{who} is not skilled for {part_category}",
            "full": f"{who} already has {self.max_jobs} open jobs",
            "off_shift": f"{who} is not on shift",
        }
        code = self.refusal_code(part_category, need_shift=need_shift)
        return words[code] if code else None

    def can_take(self, part_category: str | None, *, need_shift: bool = True) -> bool:
        """On shift, not overloaded, and skilled for the part's category (if any): the one
        eligibility rule of the ranking, the on-site promise and the confirmation."""
        return self.refusal(part_category, need_shift=need_shift) is None


@dataclass(frozen=True)
class DepotStock:
    """A depot and how many good units of the needed part it holds."""

    depot_id: int | str
    code: str
    name: str
    lat: float
    lon: float
    good_qty: int
    precision: Precision | str = Precision.EXACT
    uncertainty_km: float = 0.0
    substitute: str | None = None  # holds none of the part itself: sends this part number


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
    site_precision: Precision | str = Precision.EXACT
    site_uncertainty_km: float = 0.0
    site_city_radius_km: float = DEFAULT_CITY_RADIUS_KM  # a courier within it is same-city


class Mode(StrEnum):
    PICKUP = "pickup"
    COURIER = "courier"
    ENGINEER = "engineer"
    VAN = "van"


@dataclass(frozen=True)
class Leg:
    """One movement: who moves (engineer, courier van, parcel), from where to where, and
    what the leg is (`kind`: engineer drive, same-city courier, intercity van, parcel).
    `estimate` is True when an end is known only to district or city level (`precision`,
    the coarser end): km and minutes are then the expected values of the range
    `minutes_low`..`minutes_high` (see logistics.places)."""

    by: str
    origin: str
    destination: str
    km: float
    minutes: float
    kind: LegKind = LegKind.ENGINEER_DRIVE
    precision: Precision = Precision.EXACT
    estimate: bool = False
    minutes_low: float = 0.0
    minutes_high: float = 0.0


@dataclass(frozen=True)
class ClockCheck:
    """An SLA clock against this option's estimate; margin = due − eta, wall-clock minutes.
    `uncertain`: the verdict depends on where coarse places really are — the clock holds
    at the optimistic end of the legs' ranges but not at the pessimistic end."""

    clock: Clock
    due: datetime
    eta: datetime
    met: bool
    margin_minutes: float
    uncertain: bool = False  # met only on the optimistic end of a coarse leg's range


@dataclass(frozen=True)
class DispatchOption:
    """One ranked way to serve the fault. Times UTC, km of road, minutes of driving;
    `travel_minutes` sums every leg (the part's courier leg too), `missed` counts the
    `checks` not met, `explanation` says in a sentence why the option ranks there."""

    rank: int
    mode: Mode
    engineer_id: int | str
    engineer_name: str
    engineer_code: str
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
    substitute: str | None = None  # the part number offered instead of the one asked for

    @property
    def meets_sla(self) -> bool:
        """True when the option misses none of its clocks."""
        return self.missed == 0


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
    coarse: CoarseLegRule = COARSE_LEGS,
) -> DispatchRanking:
    """The best `limit` ways to serve `request`, best first (module docstring).

    Legs to or from places known only to district or city level are ranked at their
    expected minutes (`coarse`, see logistics.places); each option's clocks also say
    whether the verdict holds over the whole range.

    `prune_speed_kmh` lets the ranking skip engineers who provably cannot rank: it assumes
    no drive averages more than that speed over the straight-line (great-circle) distance.
    With None only bounds that hold for any travel model are used (a pick-up takes at
    least the depot's drive to the site), and every engineer's drive to the site is timed.
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
    carriers = [i for i, e in enumerate(staff) if e.van_qty > 0] if needs_part else []
    if needs_part and not stock and not carriers:
        return DispatchRanking(
            [],
            None,
            len(staff),
            0,
            f"no depot holds a good {request.part_category} part (nor any van)",
        )

    site = np.array([[request.site_lat, request.site_lon]])
    site_r = np.array([request.site_uncertainty_km], dtype=float)
    eng_xy = np.array([[e.lat, e.lon] for e in staff], dtype=float)
    eng_r = np.array([e.uncertainty_km for e in staff], dtype=float)
    lower_bound = None
    if prune_speed_kmh is not None:
        lower_bound = great_circle_km(eng_xy, site)[:, 0] / prune_speed_kmh * 60.0

    def minutes(a: np.ndarray, a_r: np.ndarray, b: np.ndarray, b_r: np.ndarray) -> np.ndarray:
        return expected_minutes(travel, a, a_r, b, b_r, coarse)

    times = EngineerTimes(
        lambda rows: minutes(eng_xy[rows], eng_r[rows], site, site_r)[:, 0],
        len(staff),
        lower_bound,
    )
    clocks = compute_clocks(
        opened,
        request.severity,
        request.channel,
        request.policy,
        calendar,
        travel_minutes=promise_drive_minutes(times.nearest()),
    )
    promised = request.onsite_due or clocks.onsite_due
    assert promised is not None  # compute_clocks got a travel time
    onsite_due = require_utc(promised, "onsite_due")
    clocks = replace(clocks, onsite_due=onsite_due)  # a ticket's stored promise is the one
    dues = ClockDues(
        onsite=_minutes_from(now, onsite_due),
        replacement=_minutes_from(now, clocks.replacement_due) if needs_part else np.inf,
        restore=_minutes_from(now, clocks.restore_due),
        fix=request.fix_minutes,
    )

    if needs_part and not stock:
        picks = []
    elif needs_part:
        depot_xy = np.array([[d.lat, d.lon] for d in stock], dtype=float)
        depot_r = np.array([d.uncertainty_km for d in stock], dtype=float)
        depot_site = minutes(depot_xy, depot_r, site, site_r)[:, 0]
        parcel = _minutes_from(now, spare_delivery_due(now, request.policy, calendar))
        part_by_courier = courier.arrival_minutes(depot_site, parcel)

        def eng_depot(rows: np.ndarray) -> np.ndarray:
            return minutes(eng_xy[rows], eng_r[rows], depot_xy, depot_r)

        picks = rank_candidates(times, depot_site, eng_depot, part_by_courier, dues, limit)
    else:
        picks = rank_candidates(times, None, None, None, dues, limit)
    if carriers:  # the part rides with the engineer: every carrier is ranked exactly
        rows = np.array(carriers)
        eng_site = minutes(eng_xy[rows], eng_r[rows], site, site_r)[:, 0]
        picks += _van_picks(rows, eng_site, dues)
        picks.sort(key=_pick_order)
        del picks[limit:]

    due_by_clock = {
        Clock.ONSITE: onsite_due,
        Clock.REPLACEMENT: clocks.replacement_due,
        Clock.RESTORE: clocks.restore_due,
    }
    legs = _legs_with_km(
        [_plan_legs(p, request, staff, stock, courier) for p in picks], travel, coarse
    )
    options = [
        _build_option(pick, rank, pick_legs, request, staff, stock, now, due_by_clock, courier)
        for rank, (pick, pick_legs) in enumerate(zip(picks, legs, strict=True), start=1)
    ]
    _explain(options, calendar)
    return DispatchRanking(options, clocks, len(staff), len(stock))


def promise_drive_minutes(nearest_drive_minutes: float) -> float:
    """The travel of the "travel + 1 h" on-site promise: the nearest eligible engineer's
    drive in minutes, rounded up to a whole second (float noise below a microsecond
    ignored). The one rounding of it: the ticket's stored promise and the ranking's clocks
    both come through here, so they agree exactly."""
    return math.ceil(round(nearest_drive_minutes * 60.0, 6)) / 60.0


def nearest_drive_minutes(
    engineers: Sequence[EngineerCandidate],
    site: LatLon,
    part_category: str | None,
    travel: TravelEstimator,
    *,
    site_uncertainty_km: float = 0.0,
) -> float | None:
    """`promise_drive_minutes` of the nearest engineer who can take a job needing
    `part_category` at `site` (lat, lon degrees, known to within `site_uncertainty_km`);
    None when nobody can. Coarse places count at their expected minutes, as in the ranking."""
    staff = [e for e in engineers if e.can_take(part_category)]
    if not staff:
        return None
    minutes = expected_minutes(
        travel,
        np.array([[e.lat, e.lon] for e in staff], dtype=float),
        np.array([e.uncertainty_km for e in staff], dtype=float),
        np.array([site], dtype=float),
        np.array([site_uncertainty_km], dtype=float),
    )[:, 0]
    return promise_drive_minutes(float(minutes.min()))


def expected_minutes(
    travel: TravelEstimator,
    origins: np.ndarray,
    origin_radius_km: np.ndarray,
    destinations: np.ndarray,
    destination_radius_km: np.ndarray,
    coarse: CoarseLegRule = COARSE_LEGS,
) -> np.ndarray:
    """(N, M) driving minutes between places that may lie up to their radius (km) from
    their (lat, lon) points: the travel model's minutes plus the expected extra of coarse
    places (logistics.places); exactly the travel model's when every radius is 0."""
    base = travel.minutes_matrix(origins, destinations)
    if not (np.any(origin_radius_km) or np.any(destination_radius_km)):
        return base
    crow = great_circle_km(origins, destinations)
    _, extra = coarse.extra(crow, origin_radius_km[:, None], destination_radius_km[None, :])
    return base + extra.expected


# -- how the options' figures are rounded, once (docs/sla.md "Rounding") ----------------------


def shown_minutes(minutes: float) -> float:
    """A leg's minutes as every screen and the API show them: up to the whole minute (a
    drive is never shown shorter than it is; float noise below a microsecond ignored)."""
    return float(math.ceil(round(minutes, 6)))


def shown_km(km: float) -> float:
    """Road km to 0.1 km."""
    return round(km, 1)


# -- the ranking core: travel times in, ranked (mode, engineer, depot) out -------------------

RowsFn = Callable[[np.ndarray], np.ndarray]


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


class EngineerTimes:
    """Drive minutes from each eligible engineer to the site, timed on demand.

    With a `lower_bound` (minutes no drive of that engineer can beat, to the site or via
    any depot) engineers are timed in increasing bound order, in doubling batches;
    without one, all at once.
    """

    def __init__(
        self, minutes: np.ndarray | RowsFn, count: int, lower_bound: np.ndarray | None = None
    ) -> None:
        if callable(minutes):
            self._time: RowsFn = minutes
        else:
            known = np.asarray(minutes, dtype=float)
            self._time = lambda rows: known[rows]
        self.count = count
        self.lower_bound = np.zeros(count) if lower_bound is None else np.asarray(lower_bound)
        self.order = np.argsort(self.lower_bound, kind="stable")
        self.minutes = np.full(count, np.nan)
        self.known = 0  # engineers order[:known] are timed
        self._batched = lower_bound is not None

    def batch_size(self, done: int) -> int:
        """How many engineers to take next when `done` are already taken."""
        return max(_FIRST_BATCH, done) if self._batched else self.count

    def time_next_batch(self) -> None:
        rows = self.order[self.known : self.known + self.batch_size(self.known)]
        self.minutes[rows] = self._time(rows)
        self.known += rows.size

    def bound_at(self, position: int) -> float:
        """Lower bound of the engineer at `position` in timing order."""
        return float(self.lower_bound[self.order[position]])

    def nearest(self) -> float:
        """The exact smallest drive minutes over all engineers."""
        if self.known == 0:
            self.time_next_batch()
        while self.known < self.count and self.bound_at(self.known) < np.nanmin(self.minutes):
            self.time_next_batch()
        return float(np.nanmin(self.minutes))


def rank_candidates(
    times: EngineerTimes | np.ndarray,
    depot_site: np.ndarray | None,
    eng_depot: np.ndarray | RowsFn | None,
    part_by_courier: np.ndarray | None,
    dues: ClockDues,
    limit: int,
) -> list[Pick]:
    """Exact top-`limit` over all (mode, engineer, depot) given the travel times.

    `times` gives engineer → site minutes (an (E,) array or lazily); depot_site (D,) and
    part_by_courier (D,) are minutes from now; `eng_depot` is the (E, D) engineer → depot
    minutes or a function returning the rows of some engineers. `depot_site` None means
    no part is needed. Engineers are ranked batch by batch in `times` order; the visit
    stops once the next engineer's lower bound alone ranks below the `limit`-th option.
    """
    if not isinstance(times, EngineerTimes):
        times = EngineerTimes(times, len(times))
    n = times.count
    picks: list[Pick] = []
    # Two walks through the engineers in `times` order: one ranks the options that need
    # the engineer's drive to the site (courier, engineer alone), the other the pick-ups,
    # which need the engineer's drives to the depots. Each step advances the walk whose
    # next engineer could rank best; both stop when neither can beat the `limit`-th.
    site_done = 0
    pickup_done = n if depot_site is None else 0
    while site_done < n or pickup_done < n:
        site_floor = pickup_floor = _NO_KEY
        if site_done < n:
            site_floor = _site_floor_key(
                times.bound_at(site_done), depot_site, part_by_courier, dues
            )
        if pickup_done < n:
            assert depot_site is not None
            floor = max(times.bound_at(pickup_done), float(depot_site.min()))
            pickup_floor = _pickup_key(floor, dues)
        if len(picks) == limit and min(site_floor, pickup_floor) > picks[-1].key:
            break
        if site_floor <= pickup_floor:
            if site_done == times.known:
                times.time_next_batch()
            rows = times.order[site_done : times.known]
            site_done = times.known
            eng_site = times.minutes[rows]
            if depot_site is None:
                picks += _engineer_only_picks(rows, eng_site, dues, limit)
            else:
                assert part_by_courier is not None
                picks += _courier_picks(rows, eng_site, depot_site, part_by_courier, dues, limit)
        else:
            assert depot_site is not None and eng_depot is not None
            rows = times.order[pickup_done : pickup_done + times.batch_size(pickup_done)]
            pickup_done += rows.size
            to_depots = eng_depot(rows) if callable(eng_depot) else eng_depot[rows]
            picks += _pickup_picks(rows, to_depots, depot_site, dues, limit)
        picks.sort(key=_pick_order)
        del picks[limit:]
    return picks


def _site_floor_key(
    bound: float,
    depot_site: np.ndarray | None,
    part: np.ndarray | None,
    dues: ClockDues,
) -> int:
    """The smallest key a courier (or engineer-alone) option can have when its engineer
    needs >= `bound` minutes to the site: keys grow with the arrival, so it is the key
    of the most favourable depot at exactly that arrival."""
    late = bound > dues.onsite
    slow = bound + dues.fix > dues.restore
    if depot_site is None or part is None:
        return _key(late + slow, bound, bound)
    late_d = part > dues.replacement
    slow_d = part + dues.fix > dues.restore
    missed = late + int((late_d.astype(int) + (slow | slow_d)).min())
    return _key(missed, bound, bound + float(depot_site.min()))


def _pickup_key(arrival: float, dues: ClockDues) -> int:
    """Pick-up: the part comes with the engineer and travel equals the arrival, so every
    clock is a step function of the arrival and the key grows with it."""
    missed = (
        (arrival > dues.onsite) + (arrival > dues.replacement) + (arrival + dues.fix > dues.restore)
    )
    return _key(missed, arrival, arrival)


def _engineer_only_picks(
    rows: np.ndarray, eng_site: np.ndarray, dues: ClockDues, limit: int
) -> list[Pick]:
    missed = (eng_site > dues.onsite).astype(np.int64) + (eng_site + dues.fix > dues.restore)
    keys = _keys(missed, eng_site, eng_site)
    picks = []
    for i in _smallest(keys, limit):
        t = float(eng_site[i])
        picks.append(Pick(int(keys[i]), Mode.ENGINEER, int(rows[i]), None, t, None, t, None))
    return picks


def _pickup_picks(
    rows: np.ndarray, eng_depot: np.ndarray, depot_site: np.ndarray, dues: ClockDues, limit: int
) -> list[Pick]:
    arrival = (eng_depot + depot_site[None, :]).ravel()
    n_depot = depot_site.size
    picks = []
    for idx in _smallest(arrival, limit):
        r, d = divmod(int(idx), n_depot)
        t = float(arrival[idx])
        engineer = int(rows[r])
        picks.append(
            Pick(_pickup_key(t, dues), Mode.PICKUP, engineer, d, t, t, t, float(depot_site[d]))
        )
    return picks


def _van_picks(rows: np.ndarray, eng_site: np.ndarray, dues: ClockDues) -> list[Pick]:
    """Van options: engineer and part arrive together, like a pick-up without the depot."""
    picks = []
    for r, minutes in zip(rows, eng_site, strict=True):
        t = float(minutes)
        picks.append(Pick(_pickup_key(t, dues), Mode.VAN, int(r), None, t, t, t, None))
    return picks


def _courier_picks(
    rows: np.ndarray,
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
        picks.append(Pick(key, Mode.COURIER, int(rows[e]), d, onsite, part, onsite + drive, drive))
    return picks


_MODE_ORDER = {Mode.VAN: 0, Mode.PICKUP: 1, Mode.COURIER: 2, Mode.ENGINEER: 3}


def _pick_order(p: Pick) -> tuple:
    return (p.key, _MODE_ORDER[p.mode], p.engineer, -1 if p.depot is None else p.depot)


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


@dataclass(frozen=True)
class _LegPlan:
    by: str
    kind: LegKind
    origin: str
    destination: str
    start: LatLon
    end: LatLon
    minutes: float
    start_radius: float
    end_radius: float
    precision: Precision


def _plan_legs(
    pick: Pick,
    request: FaultRequest,
    staff: Sequence[EngineerCandidate],
    stock: Sequence[DepotStock],
    courier: CourierRule,
) -> list[_LegPlan]:
    """The legs of a ranked candidate, minutes from the ranking, km still to look up."""
    eng = staff[pick.engineer]
    site: LatLon = (request.site_lat, request.site_lon)
    here: LatLon = (eng.lat, eng.lon)
    site_r, eng_r = request.site_uncertainty_km, eng.uncertainty_km
    drive = LegKind.ENGINEER_DRIVE
    to_site = coarsest(eng.precision, request.site_precision)
    if pick.depot is None or pick.depot_site_minutes is None:
        return [
            _LegPlan(
                "engineer", drive, eng.name, request.site_name, here, site,
                pick.onsite_minutes, eng_r, site_r, to_site,
            )
        ]  # fmt: skip
    depot = stock[pick.depot]
    at: LatLon = (depot.lat, depot.lon)
    depot_r = depot.uncertainty_km
    depot_to_site = coarsest(depot.precision, request.site_precision)
    minutes = pick.depot_site_minutes
    if pick.mode is Mode.PICKUP:
        return [
            _LegPlan(
                "engineer", drive, eng.name, depot.code, here, at,
                pick.onsite_minutes - minutes, eng_r, depot_r,
                coarsest(eng.precision, depot.precision),
            ),
            _LegPlan(
                "engineer", drive, depot.code, request.site_name, at, site,
                minutes, depot_r, site_r, depot_to_site,
            ),
        ]  # fmt: skip
    by_van = minutes <= courier.van_max_minutes
    crow = float(great_circle_km(np.array([at]), np.array([site]))[0, 0])
    kind = courier_leg_kind(crow, request.site_city_radius_km, by_van)
    return [
        _LegPlan(
            "engineer", drive, eng.name, request.site_name, here, site,
            pick.onsite_minutes, eng_r, site_r, to_site,
        ),
        _LegPlan(
            "courier van" if by_van else "parcel", kind, depot.code, request.site_name, at,
            site, minutes, depot_r, site_r, depot_to_site,
        ),
    ]  # fmt: skip


def _legs_with_km(
    plans: list[list[_LegPlan]], travel: TravelEstimator, coarse: CoarseLegRule
) -> list[tuple[Leg, ...]]:
    """Road km (with the expected extra of coarse places) and the minutes range of every
    leg of every option, in one vectorised call."""
    flat = [leg for legs in plans for leg in legs]
    if not flat:
        return []
    starts = np.array([leg.start for leg in flat], dtype=float)
    ends = np.array([leg.end for leg in flat], dtype=float)
    crow = np.diagonal(great_circle_km(starts, ends))
    extra_km, extra_min = coarse.extra(
        crow,
        np.array([leg.start_radius for leg in flat]),
        np.array([leg.end_radius for leg in flat]),
    )
    km = np.diagonal(travel.km_matrix(starts, ends)) + extra_km.expected
    low = extra_min.low - extra_min.expected
    high = extra_min.high - extra_min.expected
    out, i = [], 0
    for legs in plans:
        built = []
        for j, leg in enumerate(legs):
            k = i + j
            built.append(
                Leg(
                    leg.by,
                    leg.origin,
                    leg.destination,
                    shown_km(float(km[k])),
                    shown_minutes(leg.minutes),
                    kind=leg.kind,
                    precision=leg.precision,
                    estimate=leg.precision.is_estimate,
                    minutes_low=shown_minutes(max(leg.minutes + float(low[k]), 0.0)),
                    minutes_high=shown_minutes(leg.minutes + float(high[k])),
                )
            )
        out.append(tuple(built))
        i += len(legs)
    return out


def _build_option(
    pick: Pick,
    rank: int,
    legs: tuple[Leg, ...],
    request: FaultRequest,
    staff: Sequence[EngineerCandidate],
    stock: Sequence[DepotStock],
    now: datetime,
    due_by_clock: dict[Clock, datetime],
    courier: CourierRule,
) -> DispatchOption:
    eng = staff[pick.engineer]
    depot = stock[pick.depot] if pick.depot is not None else None
    onsite_eta = now + timedelta(minutes=pick.onsite_minutes)
    part_eta = None if pick.part_minutes is None else now + timedelta(minutes=pick.part_minutes)
    ready = max(onsite_eta, part_eta or onsite_eta) + timedelta(minutes=request.fix_minutes)
    etas = {Clock.ONSITE: onsite_eta, Clock.REPLACEMENT: part_eta, Clock.RESTORE: ready}
    ends = {
        end: _eta_range_end(pick, legs, request, courier, end == "low") for end in ("low", "high")
    }
    checks = []
    for clock, eta in etas.items():
        if eta is None:
            continue
        due = due_by_clock[clock]
        verdict = clock_verdict(due, eta)
        best, worst = (now + timedelta(minutes=ends[e][clock]) for e in ("low", "high"))
        uncertain = best <= due < worst
        margin = shown_margin(verdict.margin_minutes)
        checks.append(ClockCheck(clock, due, eta, verdict.met, margin, uncertain))
    return DispatchOption(
        rank=rank,
        mode=pick.mode,
        engineer_id=eng.id,
        engineer_name=eng.name,
        engineer_code=eng.code,
        depot_id=depot.depot_id if depot else None,
        depot_code=depot.code if depot else None,
        legs=legs,
        onsite_eta=onsite_eta,
        part_eta=part_eta,
        checks=tuple(checks),
        missed=sum(not c.met for c in checks),
        travel_km=shown_km(sum(leg.km for leg in legs)),
        travel_minutes=pick.travel_minutes,
        explanation="",
        substitute=(
            eng.van_substitute
            if pick.mode is Mode.VAN
            else depot.substitute
            if depot is not None and pick.mode in (Mode.PICKUP, Mode.COURIER)
            else None
        ),
    )


def _eta_range_end(
    pick: Pick,
    legs: tuple[Leg, ...],
    request: FaultRequest,
    courier: CourierRule,
    optimistic: bool,
) -> dict[Clock, float]:
    """Minutes from now to each clock's event at one end of the legs' ranges."""

    def minutes(leg: Leg) -> float:
        return leg.minutes_low if optimistic else leg.minutes_high

    if pick.mode in (Mode.PICKUP, Mode.VAN):
        onsite = sum(minutes(leg) for leg in legs)
        part: float | None = onsite
    else:
        onsite = minutes(legs[0])
        part = None
        if pick.mode is Mode.COURIER:
            assert pick.part_minutes is not None
            van = legs[1].kind is not LegKind.PARCEL
            part = courier.handling_minutes + minutes(legs[1]) if van else pick.part_minutes
    restore = max(onsite, part if part is not None else onsite) + request.fix_minutes
    return {Clock.ONSITE: onsite, Clock.REPLACEMENT: part or 0.0, Clock.RESTORE: restore}


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
    eng_legs = [leg for leg in opt.legs if leg.kind is LegKind.ENGINEER_DRIVE]
    km = sum(leg.km for leg in eng_legs)
    arrive = _local(opt.onsite_eta, calendar)
    if opt.mode is Mode.PICKUP:
        text = (
            f"{opt.engineer_name} collects the part at {opt.depot_code} and drives "
            f"{km:.0f} km in all, on site at {arrive}"
        )
    elif opt.mode is Mode.VAN:
        text = (
            f"{opt.engineer_name} carries the part in the van and drives {km:.0f} km "
            f"straight to the site (no depot leg), on site with the part at {arrive}"
        )
    else:
        text = f"{opt.engineer_name} drives {km:.0f} km straight to the site, on site at {arrive}"
    if opt.substitute:
        text += f", bringing substitute part {opt.substitute} (it serves the part asked for)"
    if opt.mode is Mode.COURIER:
        leg = opt.legs[-1]
        assert opt.part_eta is not None
        text += (
            f", the part follows from {opt.depot_code} by {leg.kind.replace('_', ' ')} ({leg.km:.0f} km) and "
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
