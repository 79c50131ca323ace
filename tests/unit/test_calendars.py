"""Coverage calendars: China's working days, coverage windows and time-zone edges.

Dates used (from the State Council notice for 2026, as carried by `holidays`):
Spring Festival 2026 is off from Sun 15 Feb to Mon 23 Feb; Sat 14 Feb and Sat 28 Feb
are make-up workdays. National Day 2026 is off 1-7 Oct; Sun 20 Sep and Sat 10 Oct are
make-up workdays. Shanghai is UTC+8, Urumqi UTC+6, Berlin UTC+1 (UTC+2 from 29 Mar 2026).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from logistics.calendars import CoverageCalendar


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


FIVE_BY_EIGHT = CoverageCalendar("5x8")
SEVEN_BY_EIGHT = CoverageCalendar("7x8")


def test_spring_festival_2026_days_are_off_and_its_make_up_saturdays_are_working_days():
    off = [date(2026, 2, d) for d in range(15, 24)]  # Sun 15 .. Mon 23
    assert not any(FIVE_BY_EIGHT.is_working_day(d) for d in off)
    assert FIVE_BY_EIGHT.is_working_day(date(2026, 2, 14))  # Saturday, make-up workday
    assert FIVE_BY_EIGHT.is_working_day(date(2026, 2, 28))  # Saturday, make-up workday
    assert not FIVE_BY_EIGHT.is_working_day(date(2026, 2, 7))  # ordinary Saturday
    assert FIVE_BY_EIGHT.is_working_day(date(2026, 2, 24))  # Tuesday after the break


def test_national_day_2026_make_up_sunday_is_a_working_day():
    assert FIVE_BY_EIGHT.is_working_day(date(2026, 9, 20))  # Sunday, make-up workday
    assert not FIVE_BY_EIGHT.is_working_day(date(2026, 10, 6))  # Tuesday in the break
    assert FIVE_BY_EIGHT.is_working_day(date(2026, 10, 10))  # Saturday, make-up workday


def test_five_by_eight_is_open_on_a_make_up_saturday_but_not_an_ordinary_one():
    # 10:00 Shanghai = 02:00 UTC
    assert FIVE_BY_EIGHT.is_open(utc(2026, 2, 14, 2, 0))
    assert not FIVE_BY_EIGHT.is_open(utc(2026, 2, 7, 2, 0))


def test_seven_by_eight_is_open_on_a_holiday_within_hours_and_closed_at_closing_time():
    assert SEVEN_BY_EIGHT.is_open(utc(2026, 2, 17, 2, 0))  # Spring Festival, 10:00 local
    assert not SEVEN_BY_EIGHT.is_open(utc(2026, 2, 17, 9, 0))  # 17:00 local: closed
    assert SEVEN_BY_EIGHT.is_open(utc(2026, 2, 17, 8, 59))  # 16:59 local: open


def test_seven_by_twenty_four_is_always_open_and_adds_plain_minutes():
    cal = CoverageCalendar("7x24")
    assert cal.is_open(utc(2026, 2, 17, 19, 0))  # 03:00 local on a holiday
    assert cal.add_working_minutes(utc(2026, 2, 16, 23, 0), 90) == utc(2026, 2, 17, 0, 30)


def test_working_minutes_skip_the_night_and_use_the_make_up_saturday():
    # Fri 13 Feb 16:30 local + 60 min: 30 min on Friday, 30 min on make-up Sat 14 Feb
    # -> Sat 09:30 local = 01:30 UTC.
    assert FIVE_BY_EIGHT.add_working_minutes(utc(2026, 2, 13, 8, 30), 60) == utc(2026, 2, 14, 1, 30)


def test_working_minutes_jump_the_whole_spring_festival_break():
    # Sat 14 Feb 16:00 local + 120 min: 60 min on Saturday, then nothing until
    # Tue 24 Feb 09:00 -> 10:00 local = 02:00 UTC.
    assert FIVE_BY_EIGHT.add_working_minutes(utc(2026, 2, 14, 8, 0), 120) == utc(2026, 2, 24, 2, 0)


def test_clock_running_out_at_closing_time_ends_at_closing_time():
    # Mon 2 Mar 2026 09:00 local + 480 min = 17:00 local = 09:00 UTC, not next morning.
    assert FIVE_BY_EIGHT.add_working_minutes(utc(2026, 3, 2, 1, 0), 480) == utc(2026, 3, 2, 9, 0)


def test_next_open_of_a_closed_calendar_is_the_next_working_morning():
    # Fri 6 Mar 2026 20:00 local -> Mon 9 Mar 09:00 local = 01:00 UTC
    assert FIVE_BY_EIGHT.next_open(utc(2026, 3, 6, 12, 0)) == utc(2026, 3, 9, 1, 0)
    # already open: unchanged
    assert FIVE_BY_EIGHT.next_open(utc(2026, 3, 9, 2, 0)) == utc(2026, 3, 9, 2, 0)


def test_configured_hours_change_the_window():
    early = CoverageCalendar("7x8", start=time(8, 0), end=time(12, 0))
    # 11:00 local + 120 min: 60 min until 12:00, then 08:00 next day + 60 = 09:00 local
    assert early.add_working_minutes(utc(2026, 3, 7, 3, 0), 120) == utc(2026, 3, 8, 1, 0)


def test_urumqi_depot_opens_two_hours_after_shanghai_in_utc():
    urumqi = CoverageCalendar("7x8", tz="Asia/Urumqi")
    at = utc(2026, 3, 2, 2, 0)  # 10:00 in Shanghai, 08:00 in Urumqi
    assert SEVEN_BY_EIGHT.is_open(at)
    assert not urumqi.is_open(at)
    assert urumqi.next_open(at) == utc(2026, 3, 2, 3, 0)  # 09:00 Urumqi (UTC+6)


def test_berlin_window_follows_the_daylight_saving_change():
    berlin = CoverageCalendar("7x8", tz="Europe/Berlin", country="DE")
    # Sat 28 Mar 2026 16:30 CET (15:30 UTC) + 60 min: 30 min on Saturday, then
    # Sun 29 Mar 09:00 CEST (07:00 UTC) + 30 min = 07:30 UTC.
    assert berlin.add_working_minutes(utc(2026, 3, 28, 15, 30), 60) == utc(2026, 3, 29, 7, 30)


def test_working_days_count_from_the_local_date_not_the_utc_date():
    # 13 Feb 17:00 UTC is already Sat 14 Feb 01:00 in Shanghai: the next working day
    # after Sat 14 Feb is Tue 24 Feb, due at its end = 25 Feb 00:00 local = 24 Feb 16:00 UTC.
    assert FIVE_BY_EIGHT.add_working_days(utc(2026, 2, 13, 17, 0), 1) == utc(2026, 2, 24, 16, 0)
    # 13 Feb 15:59 UTC is still Fri 13 Feb 23:59 local: next working day is make-up Sat 14.
    assert FIVE_BY_EIGHT.add_working_days(utc(2026, 2, 13, 15, 59), 1) == utc(2026, 2, 14, 16, 0)


def test_working_days_ignore_the_coverage_kind():
    # The courier calendar is the same for a 7x24 contract: Wed 30 Sep 2026 + 2 working
    # days -> Thu 8 Oct (1), Fri 9 Oct (2) -> end of 9 Oct = 9 Oct 16:00 UTC.
    always = CoverageCalendar("7x24")
    assert always.add_working_days(utc(2026, 9, 30, 4, 0), 2) == utc(2026, 10, 9, 16, 0)


def test_working_minutes_between_counts_only_open_time():
    # Fri 13 Feb 16:00 local -> Tue 24 Feb 10:00 local on 5x8:
    # 60 (Fri) + 480 (make-up Sat 14) + 60 (Tue) = 600 min
    assert (
        FIVE_BY_EIGHT.working_minutes_between(utc(2026, 2, 13, 8, 0), utc(2026, 2, 24, 2, 0)) == 600
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: FIVE_BY_EIGHT.is_open(datetime(2026, 3, 2, 10, 0)),
        lambda: FIVE_BY_EIGHT.add_working_minutes(datetime(2026, 3, 2, 10, 0), 5),
        lambda: FIVE_BY_EIGHT.add_working_days(datetime(2026, 3, 2, 10, 0), 1),
        lambda: CoverageCalendar("6x10"),
        lambda: CoverageCalendar("7x8", start=time(17, 0), end=time(9, 0)),
        lambda: CoverageCalendar("7x8", tz="Mars/Olympus"),
        lambda: CoverageCalendar("5x8", country="XX"),
    ],
)
def test_naive_datetimes_and_bad_calendars_are_refused(make):
    with pytest.raises(ValueError):
        make()


def test_the_companys_own_days_off_and_days_worked_come_before_the_countrys_calendar():
    holiday, saturday = date(2026, 3, 3), date(2026, 3, 7)  # a Tuesday, a Saturday
    company = CoverageCalendar("5x8", days_off=frozenset({holiday}), days_on=frozenset({saturday}))
    assert not company.is_working_day(holiday) and company.is_working_day(saturday)
    assert FIVE_BY_EIGHT.is_working_day(holiday) and not FIVE_BY_EIGHT.is_working_day(saturday)
    # Monday 16:00 + 2 working hours: Monday's last hour, then Wednesday (Tuesday is off)
    assert company.add_working_minutes(utc(2026, 3, 2, 8, 0), 120) == utc(2026, 3, 4, 2, 0)
    # 3 working days after Thursday: Friday, the Saturday worked, Monday
    assert company.add_working_days(utc(2026, 3, 5, 2, 0), 3) == utc(2026, 3, 9, 16, 0)
    with pytest.raises(ValueError, match="both"):
        CoverageCalendar("5x8", days_off=frozenset({holiday}), days_on=frozenset({holiday}))
