"""Fault tickets: clocks from the contract's calendar at opening, the move table, re-grading,
closing with the customer's confirmation and survey."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from inventory import tickets
from inventory.contracts import contract_by_code, contract_calendar, sla_policy
from inventory.errors import Conflict, InvalidInput
from logistics.sla import compute_clocks
from models import Event, Survey, Ticket
from tests.service_builders import make_customer, make_world

SHANGHAI_FRIDAY_20H = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)  # Fri 6 Mar 2026 20:00 CST
MONDAY_9H = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)  # Mon 9 Mar 2026 09:00 CST


def _open(session, site, severity="P1", channel="phone", now=SHANGHAI_FRIDAY_20H, **kw):
    return tickets.open_ticket(
        session,
        site_code=site,
        severity=severity,
        channel=channel,
        symptom="down",
        actor="li.disp",
        now=now,
        **kw,
    )


def test_a_p1_on_a_5x8_contract_reported_friday_night_runs_its_clocks_from_monday_9am(session):
    _c, site, contract = make_customer(session, coverage="5x8")
    t = _open(session, site, travel_minutes=90)
    assert t.number == "TKT-2026-000001"
    assert t.clock_start == MONDAY_9H
    assert t.response_due == MONDAY_9H + timedelta(minutes=5)
    assert t.restore_due == MONDAY_9H + timedelta(hours=1)
    assert t.onsite_due == MONDAY_9H + timedelta(minutes=150)  # travel 90 min + the 1 h promise
    # exactly what the SLA module computes on the contract's calendar
    c = contract_by_code(session, contract)
    expected = compute_clocks(
        SHANGHAI_FRIDAY_20H, "P1", "phone", sla_policy(c), contract_calendar(c), 90
    )
    assert (t.response_due, t.restore_due, t.replacement_due) == (
        expected.response_due,
        expected.restore_due,
        expected.replacement_due,
    )


def test_the_same_fault_on_7x24_is_due_to_be_restored_the_same_friday_night(session):
    _c, site, _k = make_customer(session, coverage="7x24")
    t = _open(session, site)
    assert t.restore_due == SHANGHAI_FRIDAY_20H + timedelta(hours=1)
    assert t.onsite_due is None  # no travel time known: no on-site promise invented


def test_an_email_report_gets_two_hours_to_answer_and_numbers_follow_each_other(session):
    _c, site, _k = make_customer(session)
    first = _open(session, site, severity="P3", channel="email")
    second = _open(session, site, severity="P4", channel="fax")
    assert first.response_due == SHANGHAI_FRIDAY_20H + timedelta(hours=2)
    assert second.response_due == SHANGHAI_FRIDAY_20H + timedelta(minutes=15)
    assert (first.number, second.number) == ("TKT-2026-000001", "TKT-2026-000002")


def test_regrading_recomputes_the_restore_clock_from_the_opening_and_records_it(session):
    _c, site, _k = make_customer(session)
    t = _open(session, site, severity="P4")
    regraded = tickets.change_severity(
        session, t.number, "P2", actor="li.disp", reason="more users affected"
    )
    assert regraded.restore_due == SHANGHAI_FRIDAY_20H + timedelta(hours=3)
    event = session.scalar(select(Event).where(Event.kind == "severity_changed"))
    assert event.data["from"] == "P4" and event.data["to"] == "P2" and event.actor == "li.disp"


def _statuses():
    return sorted({s for m in tickets.TICKET_MOVES.values() for s in (*m.sources, m.target)})


@pytest.mark.parametrize("action", sorted(tickets.TICKET_MOVES))
def test_every_ticket_move_the_table_forbids_is_a_conflict(session, action):
    _c, site, _k = make_customer(session)
    number = _open(session, site).number
    for status in _statuses():
        if status in tickets.TICKET_MOVES[action].sources:
            continue
        session.execute(
            Ticket.__table__.update().where(Ticket.number == number).values(status=status)
        )
        session.commit()
        ticket = tickets.ticket_by_ref(session, number)
        session.refresh(ticket)
        with pytest.raises(Conflict):
            tickets.move_ticket_in_session(session, ticket, action, actor="x")
        session.rollback()
        assert session.scalar(select(Ticket.status).where(Ticket.number == number)) == status


def test_a_move_records_who_when_from_and_to(session):
    _c, site, _k = make_customer(session)
    number = _open(session, site).number
    at = SHANGHAI_FRIDAY_20H + timedelta(minutes=3)
    moved = tickets.move_ticket(session, number, "acknowledge", actor="li.disp", now=at)
    assert moved.acknowledged_at == at and moved.status == "acknowledged"
    event = session.scalar(select(Event).where(Event.kind == "acknowledge"))
    assert (event.actor, event.from_state, event.to_state, event.at) == (
        "li.disp",
        "new",
        "acknowledged",
        at,
    )


def _resolved(session):
    w = make_world(session)
    number = _open(session, w.site, now=datetime(2026, 3, 2, 2, 0, tzinfo=UTC)).number
    session.execute(
        Ticket.__table__.update().where(Ticket.number == number).values(status="resolved")
    )
    session.commit()
    return number


def test_closing_asks_the_customer_to_confirm_and_stores_the_ratings(session):
    number = _resolved(session)
    closed = tickets.close_ticket(
        session,
        number,
        actor="customer.sgcc",
        confirmed=True,
        ratings={"response_time": 4, "quality": 5, "attitude": 5, "overall": 4},
        comment="fast",
    )
    assert closed.status == "closed" and closed.closed_at is not None
    survey = session.scalar(select(Survey))
    assert (
        survey.response_time,
        survey.quality,
        survey.attitude,
        survey.overall,
        survey.comment,
    ) == (4, 5, 5, 4, "fast")


def test_a_customer_who_says_it_is_not_fixed_sends_the_ticket_back(session):
    number = _resolved(session)
    reopened = tickets.close_ticket(
        session, number, actor="customer.sgcc", confirmed=False, comment="still down"
    )
    assert reopened.status == "dispatched"
    assert session.scalar(select(Survey)) is None


def test_a_rating_outside_zero_to_five_is_refused(session):
    number = _resolved(session)
    with pytest.raises(InvalidInput):
        tickets.close_ticket(session, number, actor="c", confirmed=True, ratings={"overall": 6})
    assert session.scalar(select(Ticket.status).where(Ticket.number == number)) == "resolved"
