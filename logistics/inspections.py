"""Scheduling preventive inspections (巡检): plain data in, plain data out.

A programme's year is cut into periods (one for yearly, four quarters, twelve months);
each covered site needs one visit per period. ``schedule_visits`` places every visit on a
working day of its period, on the customer's preferred weekdays when the period has one,
and gives it an engineer:

1. the engineer — among those with every skill the site's equipment needs (else those
   with the most of them) — whose home base is nearest, each visit already given to them
   counting as ``LOAD_KM`` more kilometres (so the work spreads over the team);
2. the day — among that engineer's working days in the period — in the week with the
   fewest visits so far, then the day with the fewest, then the earliest.

``next_feasible_day`` is where a visit goes when fault work displaced it: the next
working day after, on a preferred weekday the engineer works (any working day they work
when no preferred one comes within ``MOVE_SEARCH_DAYS``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from math import asin, cos, radians, sin, sqrt

LOAD_KM = 50.0  # one more visit weighs like this many kilometres more from home
MOVE_SEARCH_DAYS = 60


class Frequency(StrEnum):
    YEARLY = "yearly"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class Period:
    """One period of a programme year: ``label`` (2027, 2027-Q1, 2027-03) and its days."""

    label: str
    first: date
    last: date  # inclusive


def periods(frequency: Frequency | str, year: int) -> list[Period]:
    """The periods of ``year`` for a frequency."""
    frequency = Frequency(frequency)
    if frequency is Frequency.YEARLY:
        return [Period(str(year), date(year, 1, 1), date(year, 12, 31))]
    if frequency is Frequency.QUARTERLY:
        out = []
        for q in range(4):
            first = date(year, 3 * q + 1, 1)
            last = (date(year + 1, 1, 1) if q == 3 else date(year, 3 * q + 4, 1)) - timedelta(1)
            out.append(Period(f"{year}-Q{q + 1}", first, last))
        return out
    out = []
    for m in range(1, 13):
        last = (date(year + 1, 1, 1) if m == 12 else date(year, m + 1, 1)) - timedelta(1)
        out.append(Period(f"{year}-{m:02d}", date(year, m, 1), last))
    return out


@dataclass(frozen=True)
class VisitNeed:
    """A site that needs a visit in a period; ``kinds`` are the skills its units need."""

    key: str  # the site's code
    period: Period
    lat: float
    lon: float
    kinds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Inspector:
    code: str
    lat: float
    lon: float
    skills: frozenset[str] = frozenset()
    work_days: str = "1234567"  # ISO weekdays

    def works_on(self, day: date) -> bool:
        return str(day.isoweekday()) in self.work_days


@dataclass(frozen=True)
class ScheduledVisit:
    key: str
    period: str
    day: date | None  # None: no working day left in the period
    engineer: str | None


@dataclass
class Workload:
    """Visits already planned: per engineer, per engineer and day, per ISO week."""

    per_engineer: Counter = field(default_factory=Counter)
    per_engineer_day: Counter = field(default_factory=Counter)
    per_week: Counter = field(default_factory=Counter)

    def add(self, engineer: str | None, day: date) -> None:
        if engineer is not None:
            self.per_engineer[engineer] += 1
            self.per_engineer_day[engineer, day] += 1
        self.per_week[day.isocalendar()[:2]] += 1


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle kilometres between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * asin(sqrt(h))


def candidate_days(
    period: Period,
    not_before: date,
    is_working_day: Callable[[date], bool],
    preferred_weekdays: str,
) -> list[date]:
    """Working days of the period from ``not_before`` on; the preferred weekdays among
    them when there is one, else all of them."""
    day, days = max(period.first, not_before), []
    while day <= period.last:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    preferred = [d for d in days if str(d.isoweekday()) in preferred_weekdays]
    return preferred or days


def _eligible(need: VisitNeed, inspectors: Sequence[Inspector]) -> list[Inspector]:
    if not inspectors:
        return []
    best = max(len(need.kinds & i.skills) for i in inspectors)
    return [i for i in inspectors if len(need.kinds & i.skills) == best]


def schedule_visits(
    needs: Iterable[VisitNeed],
    inspectors: Sequence[Inspector],
    *,
    is_working_day: Callable[[date], bool],
    preferred_weekdays: str = "12345",
    not_before: date = date.min,
    load: Workload | None = None,
) -> list[ScheduledVisit]:
    """A day and an engineer for each need (module docstring); ``load`` (updated in place)
    holds the visits already planned, so a second programme balances against the first."""
    load = load or Workload()
    out = []
    for need in needs:
        days = candidate_days(need.period, not_before, is_working_day, preferred_weekdays)
        if not days:
            out.append(ScheduledVisit(need.key, need.period.label, None, None))
            continue
        ranked = sorted(
            _eligible(need, inspectors),
            key=lambda i: (
                km_between((i.lat, i.lon), (need.lat, need.lon))
                + LOAD_KM * load.per_engineer[i.code],
                i.code,
            ),
        )
        chosen: tuple[date, str | None] | None = None
        for inspector in ranked:
            theirs = [d for d in days if inspector.works_on(d)]
            if theirs:

                def busy(d: date, c: str = inspector.code) -> tuple[int, int, date]:
                    return (load.per_week[d.isocalendar()[:2]], load.per_engineer_day[c, d], d)

                day = min(theirs, key=busy)
                chosen = (day, inspector.code)
                break
        if chosen is None:  # nobody works then: a day for the dispatcher to staff
            chosen = (min(days, key=lambda d: (load.per_week[d.isocalendar()[:2]], d)), None)
        load.add(chosen[1], chosen[0])
        out.append(ScheduledVisit(need.key, need.period.label, *chosen))
    return out


def next_feasible_day(
    after: date,
    *,
    is_working_day: Callable[[date], bool],
    preferred_weekdays: str = "12345",
    engineer_days: str = "1234567",
) -> date:
    """The first working day after ``after`` on a preferred weekday the engineer works;
    failing that within MOVE_SEARCH_DAYS, the first working day they work."""

    def search(weekdays: str) -> date | None:
        day = after
        for _ in range(MOVE_SEARCH_DAYS):
            day += timedelta(days=1)
            wd = str(day.isoweekday())
            if wd in weekdays and wd in engineer_days and is_working_day(day):
                return day
        return None

    found = search(preferred_weekdays) or search("1234567")
    if found is None:
        raise ValueError(f"no working day within {MOVE_SEARCH_DAYS} days after {after}")
    return found
