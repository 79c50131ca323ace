"""The SLA sweep with a frozen clock, on SQLite and PostgreSQL: the ladder, late returns,
reminders and breached clocks, each fired once however often the sweep runs."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

import inventory.sweep as sweep_module
from inventory.sweep import sweep
from inventory.tickets import move_ticket
from models import Event, OutboxMessage, Rma, Ticket
from models.db import make_engine, make_session_factory
from tests.jobs.conftest import (
    CUSTOMER_EMAIL,
    DISPATCHERS,
    LADDER,
    delivered_rma,
    faulty_part_back,
    make_ticket,
    make_world,
    notification_settings,
)
from tests.races import at_once

T0 = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Beijing


def _events(session, kind: str, subject_type: str | None = None) -> list[Event]:
    query = select(Event).where(Event.kind == kind).order_by(Event.id)
    if subject_type:
        query = query.where(Event.subject_type == subject_type)
    session.expire_all()
    return list(session.scalars(query))


def _recipients(session, event: Event) -> set[str]:
    return set(
        session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.event_id == event.id))
    )


def test_a_ticket_without_progress_climbs_the_ladder_at_15_30_and_60_minutes(nsession):
    world = make_world(nsession)
    number = make_ticket(nsession, world, T0)

    assert sweep(nsession, now=T0 + timedelta(minutes=14)).escalations == []
    first = sweep(nsession, now=T0 + timedelta(minutes=15, seconds=1))
    assert [f.step for f in first.escalations] == ["escalation:1"]
    later = sweep(nsession, now=T0 + timedelta(minutes=61))
    assert [f.step for f in later.escalations] == ["escalation:2", "escalation:3"]

    escalated = _events(nsession, "escalated")
    assert [(e.subject_ref, e.data["level"]) for e in escalated] == [
        (number, 1),
        (number, 2),
        (number, 3),
    ]
    assert escalated[1].data["who"] == "regional technical VP / general manager"
    ticket = nsession.scalar(select(Ticket).where(Ticket.number == number))
    assert ticket.escalation_level == 3
    # dispatchers and the level's own people are told; the customer is not
    assert _recipients(nsession, escalated[0]) == set(DISPATCHERS) | set(LADDER[1])
    assert _recipients(nsession, escalated[2]) == set(DISPATCHERS) | set(LADDER[3])


def test_sweeping_again_fires_nothing_twice(nsession):
    world = make_world(nsession)
    make_ticket(nsession, world, T0)
    delivered_rma(nsession, world, T0)
    late = T0 + timedelta(days=5)

    first = sweep(nsession, now=late)
    again = sweep(nsession, now=late)
    even_later = sweep(nsession, now=late + timedelta(hours=6))

    assert first.fired > 0
    assert again.fired == 0 and even_later.fired == 0
    nsession.expire_all()
    kinds = dict(
        nsession.execute(
            select(Event.kind, func.count()).where(Event.actor == "sla-sweep").group_by(Event.kind)
        ).all()
    )
    assert kinds == {"escalated": 3, "overdue": 1, "sla_breached": 2}  # response, restore


def test_progress_on_the_ticket_restarts_the_ladder(nsession):
    world = make_world(nsession)
    number = make_ticket(nsession, world, T0)
    sweep(nsession, now=T0 + timedelta(minutes=16))  # level 1
    move_ticket(
        nsession, number, "acknowledge", actor="dispatcher1", now=T0 + timedelta(minutes=20)
    )

    report = sweep(nsession, now=T0 + timedelta(minutes=36))

    assert [f.step for f in report.escalations] == ["escalation:1"]  # 16 min after the progress
    levels = [e.data["level"] for e in _events(nsession, "escalated")]
    assert levels == [1, 1]
    assert nsession.scalar(select(Ticket.escalation_level).where(Ticket.number == number)) == 1


def test_the_ladder_counts_only_the_contracts_coverage_hours(nsession):
    world = make_world(nsession, coverage="5x8")
    friday_1650 = datetime(2026, 3, 6, 8, 50, tzinfo=UTC)  # 16:50 in Beijing, 10 min before closing
    make_ticket(nsession, world, friday_1650, severity="P3")

    assert sweep(nsession, now=friday_1650 + timedelta(hours=2)).escalations == []  # Friday evening
    monday_0904 = datetime(2026, 3, 9, 1, 4, tzinfo=UTC)
    assert sweep(nsession, now=monday_0904).escalations == []  # 14 coverage minutes
    report = sweep(nsession, now=monday_0904 + timedelta(minutes=2))
    assert [(f.step, f.due_at) for f in report.escalations] == [
        ("escalation:1", datetime(2026, 3, 9, 1, 5, tzinfo=UTC))
    ]


def test_late_faulty_return_marks_rma_overdue_with_the_contracts_charge(nsession):
    world = make_world(nsession)
    number = delivered_rma(nsession, world, T0)  # Wednesday: due back by the end of Thursday
    due = nsession.scalar(select(Rma.return_due_at).where(Rma.number == number))
    assert due == datetime(2026, 3, 5, 16, 0, tzinfo=UTC)  # 24:00 Thursday in Beijing

    before = sweep(nsession, now=due - timedelta(minutes=1))
    assert before.overdue == []
    after = sweep(nsession, now=due + timedelta(minutes=1))
    assert after.overdue == [number]

    nsession.expire_all()
    rma = nsession.scalar(select(Rma).where(Rma.number == number))
    assert rma.overdue and rma.late_charge == Decimal("500.00") and rma.charge_currency == "CNY"
    assert rma.overdue_at == due + timedelta(minutes=1)
    [overdue] = _events(nsession, "overdue")
    assert overdue.customer_visible
    assert _recipients(nsession, overdue) == {CUSTOMER_EMAIL, *DISPATCHERS}
    assert sweep(nsession, now=due + timedelta(days=2)).overdue == []  # charged once


def test_the_customer_is_reminded_once_before_the_return_deadline(nsession):
    world = make_world(nsession)
    number = delivered_rma(nsession, world, T0)
    due = datetime(2026, 3, 5, 16, 0, tzinfo=UTC)

    assert sweep(nsession, now=due - timedelta(hours=5)).reminders == []
    assert [f.subject_ref for f in sweep(nsession, now=due - timedelta(hours=3)).reminders] == [
        number
    ]
    assert sweep(nsession, now=due - timedelta(hours=1)).reminders == []
    [reminder] = _events(nsession, "return_due")
    assert reminder.customer_visible and _recipients(nsession, reminder) == {CUSTOMER_EMAIL}


def test_a_part_on_its_way_back_is_neither_reminded_nor_overdue_once_received_in_time(nsession):
    world = make_world(nsession)
    number = delivered_rma(nsession, world, T0)
    faulty_part_back(
        nsession,
        world,
        number,
        sent_at=T0 + timedelta(hours=2),
        received_at=T0 + timedelta(hours=20),
    )

    report = sweep(nsession, now=T0 + timedelta(days=3))
    assert report.overdue == [] and report.reminders == []


def test_breached_clocks_are_recorded_once_each_while_the_ticket_waits(nsession):
    world = make_world(nsession)
    number = make_ticket(nsession, world, T0, severity="P1")  # respond in 5 min, restore in 1 h

    early = sweep(nsession, now=T0 + timedelta(minutes=6))
    assert [f.step for f in early.breaches] == ["breach:response"]
    move_ticket(nsession, number, "acknowledge", actor="dispatcher1", now=T0 + timedelta(minutes=7))
    late = sweep(nsession, now=T0 + timedelta(minutes=61))
    assert [f.step for f in late.breaches] == ["breach:restore"]
    assert sweep(nsession, now=T0 + timedelta(hours=3)).breaches == []

    breaches = _events(nsession, "sla_breached")
    assert [e.data["clock"] for e in breaches] == ["response", "restore"]
    assert not any(e.customer_visible for e in breaches)
    assert _recipients(nsession, breaches[1]) == set(DISPATCHERS)


def test_two_sweeps_at_the_same_instant_fire_each_step_once(database_url, nsession, monkeypatch):
    """Both sweeps see every step as not fired yet, then try to fire them at the same
    moment (a barrier in front of the first firing of each): the database decides."""
    world = make_world(nsession)
    tickets = [make_ticket(nsession, world, T0 + timedelta(seconds=i)) for i in range(6)]
    now = T0 + timedelta(minutes=61)

    barrier = threading.Barrier(2, timeout=30)
    real_fire_once = sweep_module.fire_once
    first_call = threading.local()

    def fire_once_in_step(*args, **kwargs):
        if not getattr(first_call, "done", False):
            first_call.done = True
            barrier.wait()
        return real_fire_once(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "fire_once", fire_once_in_step)
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    sessions.configure(info={"sparelog.notification_settings": notification_settings()})
    reports = at_once(2, lambda s, _: sweep(s, now=now), sessions=sessions)
    engine.dispose()

    assert [r for r in reports if isinstance(r, Exception)] == []
    fired = sorted((f.subject_ref, f.step) for r in reports for f in r.escalations)
    assert fired == sorted((n, f"escalation:{level}") for n in tickets for level in (1, 2, 3))
    events = _events(nsession, "escalated")
    assert len(events) == 18 and len({(e.subject_ref, e.data["level"]) for e in events}) == 18
    # and each escalation was written to the outbox once
    emails = nsession.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.event_id.in_([e.id for e in events]))
    )
    assert emails == 18 * (len(DISPATCHERS) + 1)


def test_a_step_that_fails_is_reported_the_others_fire_and_the_next_sweep_retries_it(
    nsession, monkeypatch
):
    world = make_world(nsession)
    broken, fine = make_ticket(nsession, world, T0), make_ticket(nsession, world, T0)
    real_record_event = sweep_module.record_event

    def record_event_failing_for_one(session, **kwargs):
        if kwargs.get("subject_ref") == broken:
            raise RuntimeError("mail template missing")
        return real_record_event(session, **kwargs)

    monkeypatch.setattr(sweep_module, "record_event", record_event_failing_for_one)
    report = sweep(nsession, now=T0 + timedelta(minutes=16))
    assert [f.subject_ref for f in report.escalations] == [fine]
    assert [f.subject_ref for f in report.breaches] == [fine]  # response clock (10 min)
    assert len(report.errors) == 2 and all(e.startswith(broken) for e in report.errors)

    monkeypatch.setattr(sweep_module, "record_event", real_record_event)
    retry = sweep(nsession, now=T0 + timedelta(minutes=17))
    assert [f.subject_ref for f in retry.escalations] == [broken]
    assert [f.subject_ref for f in retry.breaches] == [broken] and retry.errors == []
