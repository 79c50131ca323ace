"""SLA clocks of DESIGN.md §2, hand-computed on the contract's calendar.

Shanghai is UTC+8: 09:00 local = 01:00 UTC, 17:00 local = 09:00 UTC.
Spring Festival 2026: off Sun 15 - Mon 23 Feb; Sat 14 Feb and Sat 28 Feb are workdays.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from logistics.calendars import CoverageCalendar
from logistics.sla import (
    Basis,
    Channel,
    Clock,
    EscalationStep,
    SlaPolicy,
    Verdict,
    clock_verdict,
    compute_clocks,
    escalation_due_steps,
    last_mile_due,
    return_deadline,
    spare_delivery_due,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


ALWAYS = SlaPolicy()  # 7x24, shipped defaults
OFFICE = SlaPolicy(coverage="5x8")  # 09:00-17:00 on China working days
TUE_10_LOCAL = utc(2026, 3, 3, 2, 0)  # Tue 3 Mar 2026 10:00 Shanghai


@pytest.mark.parametrize(
    ("channel", "severity", "minutes"),
    [
        ("phone", "P3", 10),
        ("fax", "P2", 15),
        ("email", "P4", 120),
        ("web", "P3", 120),  # web forms share the e-mail queue and its promise
        ("email", "P1", 5),  # system down: 5 min whatever the channel
        ("phone", "P1", 5),
    ],
)
def test_first_response_is_due_by_channel_and_five_minutes_when_the_system_is_down(
    channel, severity, minutes
):
    clocks = compute_clocks(TUE_10_LOCAL, severity, channel, ALWAYS)
    assert (clocks.response_due - TUE_10_LOCAL).total_seconds() == minutes * 60


@pytest.mark.parametrize(("severity", "hours"), [("P1", 1), ("P2", 3), ("P3", 6), ("P4", 8)])
def test_restore_is_due_one_three_six_or_eight_hours_by_severity(severity, hours):
    clocks = compute_clocks(TUE_10_LOCAL, severity, "phone", ALWAYS)
    assert (clocks.restore_due - TUE_10_LOCAL).total_seconds() == hours * 3600


def test_engineer_is_promised_on_site_within_travel_plus_one_hour():
    clocks = compute_clocks(TUE_10_LOCAL, "P2", "phone", ALWAYS, travel_minutes=45)
    assert clocks.onsite_due == utc(2026, 3, 3, 3, 45)  # 02:00 + 45 + 60 min


def test_onsite_promise_is_unknown_until_a_travel_time_is_given():
    clocks = compute_clocks(TUE_10_LOCAL, "P2", "phone", ALWAYS)
    assert clocks.onsite_due is None
    assert Clock.ONSITE not in clocks.due()


def test_replacement_unit_and_spare_request_answer_are_due_six_hours_and_one_hour_after_opening():
    clocks = compute_clocks(TUE_10_LOCAL, "P3", "phone", ALWAYS)
    assert clocks.replacement_due == utc(2026, 3, 3, 8, 0)  # 02:00 + 6 h
    assert clocks.spare_request_due == utc(2026, 3, 3, 3, 0)  # 02:00 + 1 h


def test_p1_on_an_office_hours_contract_friday_night_starts_counting_monday_morning():
    fri_20_local = utc(2026, 3, 6, 12, 0)
    clocks = compute_clocks(fri_20_local, "P1", "phone", OFFICE, OFFICE.calendar())
    assert clocks.clock_start == utc(2026, 3, 9, 1, 0)  # Mon 09:00 local
    assert clocks.response_due == utc(2026, 3, 9, 1, 5)  # + 5 min
    assert clocks.restore_due == utc(2026, 3, 9, 2, 0)  # + 1 h


def test_the_same_p1_on_a_seven_by_twenty_four_contract_counts_through_the_night():
    fri_20_local = utc(2026, 3, 6, 12, 0)
    clocks = compute_clocks(fri_20_local, "P1", "phone", ALWAYS)
    assert clocks.restore_due == utc(2026, 3, 6, 13, 0)


def test_onsite_promise_near_closing_time_continues_next_working_morning():
    # Fri 6 Mar 16:30 local, travel 90 + 60 = 150 min: 30 on Friday, 120 on Monday
    # -> Mon 9 Mar 11:00 local = 03:00 UTC
    clocks = compute_clocks(
        utc(2026, 3, 6, 8, 30), "P2", "phone", OFFICE, OFFICE.calendar(), travel_minutes=90
    )
    assert clocks.onsite_due == utc(2026, 3, 9, 3, 0)


def test_restore_before_spring_festival_uses_the_make_up_saturday():
    # Fri 13 Feb 15:00 local, P3 = 360 min: 120 on Friday (15-17), 240 on make-up
    # Sat 14 Feb from 09:00 -> 13:00 local = 05:00 UTC
    clocks = compute_clocks(utc(2026, 2, 13, 7, 0), "P3", "phone", OFFICE, OFFICE.calendar())
    assert clocks.restore_due == utc(2026, 2, 14, 5, 0)


def test_restore_started_on_the_make_up_saturday_resumes_after_the_festival():
    # Sat 14 Feb 15:00 local, P2 = 180 min: 120 on Saturday, then the break
    # (15-23 Feb), 60 on Tue 24 Feb -> 10:00 local = 02:00 UTC
    clocks = compute_clocks(utc(2026, 2, 14, 7, 0), "P2", "phone", OFFICE, OFFICE.calendar())
    assert clocks.restore_due == utc(2026, 2, 24, 2, 0)


def test_seven_by_eight_contract_keeps_counting_during_the_festival():
    policy = SlaPolicy(coverage="7x8")
    # Sat 14 Feb 15:00 local, P2 = 180 min: 120 Saturday, 60 on Sun 15 Feb -> 10:00 local
    clocks = compute_clocks(utc(2026, 2, 14, 7, 0), "P2", "phone", policy, policy.calendar())
    assert clocks.restore_due == utc(2026, 2, 15, 2, 0)


def test_spare_delivery_counts_two_working_days_including_the_make_up_saturday():
    cal = ALWAYS.calendar()
    # shipped Thu 12 Feb 11:00 local: Fri 13 (1), make-up Sat 14 (2) -> end of Sat 14 local
    assert spare_delivery_due(utc(2026, 2, 12, 3, 0), ALWAYS, cal) == utc(2026, 2, 14, 16, 0)
    # shipped on make-up Sat 14: Tue 24 (1), Wed 25 (2) -> end of 25 Feb local
    assert spare_delivery_due(utc(2026, 2, 14, 3, 0), ALWAYS, cal) == utc(2026, 2, 25, 16, 0)


def test_faulty_part_return_is_due_end_of_next_working_day_by_the_local_date():
    cal = OFFICE.calendar()
    # delivered 13 Feb 15:30 UTC = Fri 23:30 local: next working day is make-up Sat 14
    assert return_deadline(utc(2026, 2, 13, 15, 30), OFFICE, cal) == utc(2026, 2, 14, 16, 0)
    # delivered 13 Feb 17:00 UTC = Sat 14 01:00 local: next working day is Tue 24 Feb
    assert return_deadline(utc(2026, 2, 13, 17, 0), OFFICE, cal) == utc(2026, 2, 24, 16, 0)


def test_berlin_customer_on_the_german_calendar_returns_after_easter():
    cal = SlaPolicy().calendar(tz="Europe/Berlin", country="DE")
    # delivered Thu 2 Apr 2026 10:00 CEST; Good Friday 3 Apr and Easter Monday 6 Apr are
    # off -> Tue 7 Apr, due 8 Apr 00:00 CEST = 7 Apr 22:00 UTC
    assert return_deadline(utc(2026, 4, 2, 8, 0), ALWAYS, cal) == utc(2026, 4, 7, 22, 0)


def test_a_contract_can_count_the_return_window_as_plain_24_hours():
    policy = SlaPolicy(bases={Clock.FAULTY_RETURN: Basis.ELAPSED})
    assert return_deadline(utc(2026, 2, 13, 17, 0), policy, policy.calendar()) == utc(
        2026, 2, 14, 17, 0
    )


def test_last_mile_allows_five_hours_from_the_local_depot():
    # 7x8: Tue 3 Mar 14:00 local + 300 min: 180 to 17:00, 120 from Wed 09:00 -> 11:00 local
    policy = SlaPolicy(coverage="7x8")
    due = last_mile_due(utc(2026, 3, 3, 6, 0), policy, policy.calendar())
    assert due == utc(2026, 3, 4, 3, 0)


def test_escalation_ladder_fires_at_15_30_and_60_minutes_without_progress():
    steps = escalation_due_steps(TUE_10_LOCAL, ALWAYS, ALWAYS.calendar())
    assert [(s.level, s.due_at, s.who) for s in steps] == [
        (1, utc(2026, 3, 3, 2, 15), "project manager / department head"),
        (2, utc(2026, 3, 3, 2, 30), "regional technical VP / general manager"),
        (3, utc(2026, 3, 3, 3, 0), "VP / president"),
    ]


def test_escalation_pauses_overnight_on_an_office_hours_contract():
    # last progress Fri 13 Feb 16:50 local: 10 min left on Friday, the rest on make-up
    # Sat 14 Feb from 09:00 -> +15: 09:05, +30: 09:20, +60: 09:50 local
    steps = escalation_due_steps(utc(2026, 2, 13, 8, 50), OFFICE, OFFICE.calendar())
    assert [s.due_at for s in steps] == [
        utc(2026, 2, 14, 1, 5),
        utc(2026, 2, 14, 1, 20),
        utc(2026, 2, 14, 1, 50),
    ]


def test_a_contract_can_configure_its_own_ladder_and_response_times():
    policy = SlaPolicy(
        escalation=(EscalationStep(1, 20, "service manager"),),
        response_minutes={Channel.PHONE: 30, Channel.FAX: 60, Channel.EMAIL: 240, Channel.WEB: 60},
    )
    clocks = compute_clocks(TUE_10_LOCAL, "P2", "phone", policy)
    assert clocks.response_due == utc(2026, 3, 3, 2, 30)
    steps = escalation_due_steps(TUE_10_LOCAL, policy, policy.calendar())
    assert [(s.level, s.due_at) for s in steps] == [(1, utc(2026, 3, 3, 2, 20))]


def test_verdict_reports_met_or_missed_with_the_margin_in_minutes():
    due = utc(2026, 3, 3, 3, 0)
    early = clock_verdict(due, utc(2026, 3, 3, 2, 48))
    late = clock_verdict(due, utc(2026, 3, 3, 3, 25))
    assert (early.verdict, early.margin_minutes, early.met) == (Verdict.MET, 12, True)
    assert (late.verdict, late.margin_minutes, late.met) == (Verdict.MISSED, -25, False)
    assert clock_verdict(due, due).met  # on the minute counts as met


def test_open_clock_is_pending_before_its_deadline_and_missed_after():
    due = utc(2026, 3, 3, 3, 0)
    assert clock_verdict(due, None, now_utc=utc(2026, 3, 3, 2, 0)).verdict is Verdict.PENDING
    overdue = clock_verdict(due, None, now_utc=utc(2026, 3, 3, 4, 0))
    assert (overdue.verdict, overdue.margin_minutes) == (Verdict.MISSED, -60)


def test_clocks_refuse_naive_times_and_a_calendar_that_is_not_the_contracts():
    with pytest.raises(ValueError):
        compute_clocks(datetime(2026, 3, 3, 10, 0), "P1", "phone", ALWAYS)
    with pytest.raises(ValueError):
        compute_clocks(TUE_10_LOCAL, "P1", "phone", OFFICE, CoverageCalendar("7x24"))
    with pytest.raises(ValueError):
        compute_clocks(TUE_10_LOCAL, "P9", "phone", ALWAYS)
    with pytest.raises(ValueError):
        SlaPolicy(response_minutes={Channel.PHONE: 10})
