"""Coverage calendars: when a contract's clocks run, and which days are working days.

Every datetime going in or out is timezone-aware UTC; the calendar's IANA time zone
only decides where local days and local opening hours fall. Working days come from
the `holidays` package for the calendar's country: statutory holidays are off, and
make-up workdays (调休, a Saturday or Sunday declared a working day) are working days.
On top of those, a calendar may carry the company's own exceptions (``days_off``: a
company holiday; ``days_on``: a day worked that would otherwise be off), which an
administrator keeps as data (``models.CalendarException``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from threading import Lock
from zoneinfo import ZoneInfo

import holidays

# A contract calendar is searched at most this far ahead for its next opening;
# a 5x8 calendar never has more than a few weeks without a working day.
_MAX_SEARCH_DAYS = 400


class CoverageKind(StrEnum):
    """Coverage hours of a service contract."""

    FIVE_BY_EIGHT = "5x8"  # working days only, daily window (default 09:00-17:00 local)
    SEVEN_BY_EIGHT = "7x8"  # every calendar day, daily window
    SEVEN_BY_TWENTYFOUR = "7x24"  # always open


def require_utc(dt: datetime, name: str = "datetime") -> datetime:
    """Return `dt` converted to UTC; raise ValueError if it is naive."""
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {dt.isoformat()}")
    return dt.astimezone(UTC)


# `holidays` fills a year's dates on first use; the lock keeps two threads from filling
# the same shared calendar at once.
_HOLIDAYS_LOCK = Lock()


@lru_cache(maxsize=32)
def _country_holidays(country: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country)


def known_country(country: str) -> bool:
    """True if the `holidays` package has a working calendar for this ISO country code."""
    try:
        _country_holidays(country)
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class CoverageCalendar:
    """A contract's coverage window in a time zone, on a country's working calendar.

    `kind` is "5x8", "7x8" or "7x24"; `start`/`end` are the local daily window used by
    the ×8 kinds (end exclusive, must be after start); `tz` is an IANA zone name;
    `country` an ISO code known to the `holidays` package; `days_off` / `days_on` the
    company's own exceptions to the country's working days (a day in both is refused).
    """

    kind: CoverageKind | str = CoverageKind.SEVEN_BY_TWENTYFOUR
    start: time = time(9, 0)
    end: time = time(17, 0)
    tz: str = "Asia/Shanghai"
    country: str = "CN"
    days_off: frozenset[date] = frozenset()  # company holidays (local dates)
    days_on: frozenset[date] = frozenset()  # days worked that are otherwise off
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            kind = CoverageKind(self.kind)
        except ValueError:
            allowed = ", ".join(k.value for k in CoverageKind)
            raise ValueError(
                f"unknown coverage kind {self.kind!r}; expected one of {allowed}"
            ) from None
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        object.__setattr__(self, "days_on", frozenset(self.days_on))
        both = self.days_off & self.days_on
        if both:
            raise ValueError(f"{min(both)} cannot be both a day off and a working day")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("coverage start/end are local wall-clock times without tzinfo")
        if self.end <= self.start:
            raise ValueError(
                f"coverage window must end after it starts ({self.start} - {self.end})"
            )
        try:
            zone = ZoneInfo(self.tz)
        except (KeyError, ValueError) as exc:  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"unknown time zone {self.tz!r}") from exc
        object.__setattr__(self, "_zone", zone)
        try:
            _country_holidays(self.country)
        except NotImplementedError as exc:
            raise ValueError(f"no holiday calendar for country {self.country!r}") from exc

    # -- days -------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True on the country's working days (holidays off, make-up workdays on).

        Independent of the coverage kind: couriers and return windows count these days.
        The company's exceptions come first: a company holiday is off, a day worked is on.
        """
        if day in self.days_off:
            return False
        if day in self.days_on:
            return True
        with _HOLIDAYS_LOCK:
            return _country_holidays(self.country).is_working_day(day)

    def is_covered_day(self, day: date) -> bool:
        """True if the contract's coverage window opens on this local date."""
        if self.kind is CoverageKind.FIVE_BY_EIGHT:
            return self.is_working_day(day)
        return True

    def local_date(self, dt_utc: datetime) -> date:
        """The calendar-local date of a UTC instant."""
        return require_utc(dt_utc).astimezone(self._zone).date()

    def local_midnight(self, day: date) -> datetime:
        """00:00 local on `day`, as UTC."""
        return self._local_to_utc(day, time(0, 0))

    # -- coverage window --------------------------------------------------------------

    def is_open(self, dt_utc: datetime) -> bool:
        """True if the coverage window is open at this UTC instant (window end exclusive)."""
        dt_utc = require_utc(dt_utc, "dt_utc")
        if self.kind is CoverageKind.SEVEN_BY_TWENTYFOUR:
            return True
        local = dt_utc.astimezone(self._zone)
        return self.is_covered_day(local.date()) and self.start <= local.time() < self.end

    def next_open(self, dt_utc: datetime) -> datetime:
        """`dt_utc` itself if the window is open, else the UTC instant it next opens."""
        dt_utc = require_utc(dt_utc, "dt_utc")
        if self.is_open(dt_utc):
            return dt_utc
        day = dt_utc.astimezone(self._zone).date()
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_covered_day(day):
                opening = self._local_to_utc(day, self.start)
                if opening > dt_utc:
                    return opening
            day += timedelta(days=1)
        raise ValueError(f"no coverage opening within {_MAX_SEARCH_DAYS} days of {dt_utc}")

    def add_working_minutes(self, start_utc: datetime, minutes: float) -> datetime:
        """UTC instant after `minutes` of open coverage time counted from `start_utc`.

        Time outside the window does not count: a clock started while closed begins at
        the next opening. A clock that runs out exactly at closing time ends at closing
        time, not at the next opening. Zero minutes gives `next_open(start_utc)`.
        """
        if minutes < 0:
            raise ValueError(f"minutes must be >= 0, got {minutes}")
        t = self.next_open(start_utc)
        if self.kind is CoverageKind.SEVEN_BY_TWENTYFOUR:
            return t + timedelta(minutes=minutes)
        remaining = timedelta(minutes=minutes)
        for _ in range(_MAX_SEARCH_DAYS * 10):
            window_end = self._local_to_utc(t.astimezone(self._zone).date(), self.end)
            available = window_end - t
            if remaining <= available:
                return t + remaining
            remaining -= available
            t = self.next_open(window_end)
        raise ValueError(f"{minutes} coverage minutes do not fit in the search horizon")

    def working_minutes_between(self, start_utc: datetime, end_utc: datetime) -> float:
        """Open coverage minutes in [start_utc, end_utc); negative if end is before start."""
        start_utc = require_utc(start_utc, "start_utc")
        end_utc = require_utc(end_utc, "end_utc")
        if end_utc < start_utc:
            return -self.working_minutes_between(end_utc, start_utc)
        if self.kind is CoverageKind.SEVEN_BY_TWENTYFOUR:
            return (end_utc - start_utc).total_seconds() / 60.0
        total = timedelta(0)
        t = self.next_open(start_utc)
        while t < end_utc:
            window_end = self._local_to_utc(t.astimezone(self._zone).date(), self.end)
            total += min(window_end, end_utc) - t
            t = self.next_open(window_end)
        return total.total_seconds() / 60.0

    # -- working days -----------------------------------------------------------------

    def add_working_days(self, start_utc: datetime, days: int) -> datetime:
        """End (24:00 local, given as UTC) of the `days`-th working day after the start.

        Days are counted strictly after the local date of `start_utc`, whatever the hour
        and whatever the coverage kind: shipped on Friday 16:00 with 2 working days means
        "by the end of Tuesday" in an ordinary week. With `days=0` it is the end of the
        start's own local date.
        """
        start_utc = require_utc(start_utc, "start_utc")
        if days < 0:
            raise ValueError(f"days must be >= 0, got {days}")
        day = start_utc.astimezone(self._zone).date()
        counted = 0
        for _ in range(_MAX_SEARCH_DAYS * max(1, days)):
            if counted == days:
                return self.local_midnight(day + timedelta(days=1))
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        raise ValueError(f"{days} working days do not fit in the search horizon")

    # -- helpers ----------------------------------------------------------------------

    def _local_to_utc(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self._zone).astimezone(UTC)
