"""Which event stops which clock, read off tickets and RMAs through the one table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from inventory.sla_outcomes import BOARD_CLOCKS, clock_outcome, ticket_outcomes
from logistics.sla import CLOCK_STOPS, Clock, Verdict

OPENED = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return OPENED + timedelta(minutes=minutes)


def a_ticket(**kw) -> SimpleNamespace:
    fields = dict(
        clock_start=OPENED,
        response_due=at(10),
        onsite_due=at(100),
        restore_due=at(180),
        replacement_due=at(360),
        acknowledged_at=None,
        dispatched_at=None,
        onsite_at=None,
        resolved_at=None,
    )
    return SimpleNamespace(**{**fields, **kw})


def an_rma(**kw) -> SimpleNamespace:
    fields = dict(
        kind="advance_replacement",
        status="delivered",
        approve_due=at(60),
        approved_at=at(5),
        delivery_due=None,
        delivered_at=at(200),
        return_due_at=at(2000),
        faulty_received_at=None,
    )
    return SimpleNamespace(**{**fields, **kw})


def test_every_clock_with_a_deadline_says_what_stops_it():
    # the last mile and the ladder are not verdicts, and the 72-hour observation is a watch
    # that ends by itself: no event stops any of them
    assert set(CLOCK_STOPS) == set(Clock) - {Clock.LAST_MILE, Clock.ESCALATION, Clock.OBSERVATION}


def test_response_stops_at_the_first_of_acknowledging_and_dispatching():
    ticket = a_ticket(acknowledged_at=at(12), dispatched_at=at(8))
    response = clock_outcome(Clock.RESPONSE, ticket)
    assert response.completed_at == at(8) and response.met and response.margin_minutes == 2


def test_the_board_shows_response_onsite_and_restore_with_their_start():
    outcomes = ticket_outcomes(a_ticket(onsite_at=at(130)), clocks=BOARD_CLOCKS)
    assert [(o.clock, o.started_at) for o in outcomes] == [(c, OPENED) for c in BOARD_CLOCKS]
    onsite = outcomes[1]
    assert onsite.stopped and not onsite.met and onsite.margin_minutes == -30
    assert outcomes[2].verdict(at(179)) is Verdict.PENDING
    assert outcomes[2].verdict(at(181)) is Verdict.MISSED


def test_no_onsite_promise_means_no_onsite_clock():
    outcomes = ticket_outcomes(a_ticket(onsite_due=None), clocks=BOARD_CLOCKS)
    assert [o.clock for o in outcomes] == [Clock.RESPONSE, Clock.RESTORE]


def test_the_replacement_clocks_come_from_the_newest_live_advance_replacement():
    cancelled = an_rma(status="cancelled", delivered_at=at(100))
    live = an_rma()
    outcomes = {o.clock: o for o in ticket_outcomes(a_ticket(), [cancelled, live])}
    assert outcomes[Clock.REPLACEMENT].completed_at == at(200)
    assert outcomes[Clock.SPARE_REQUEST].met
    assert not outcomes[Clock.FAULTY_RETURN].stopped
    assert Clock.REPLACEMENT not in {o.clock for o in ticket_outcomes(a_ticket(), [cancelled])}
