"""Flags re-derived from the facts, on SQLite and PostgreSQL: a sweep run as of a later
``now`` (or one that ran before a late fact was recorded) never leaves an overdue or a
breach flag that the facts contradict, and the monthly report agrees with the fault
report about when a faulty part came back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.documents.builders import fault_report_for, monthly_report_for
from inventory.sweep import sweep
from inventory.tickets import move_ticket, move_ticket_in_session
from logistics.sla import Clock
from models import Customer, Event, Rma, SweepFiring, Ticket
from tests.jobs.conftest import delivered_rma, faulty_part_back, make_ticket, make_world

T0 = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Beijing
RETURN_DUE = datetime(2026, 3, 5, 16, 0, tzinfo=UTC)  # 24:00 Thursday in Beijing


def _events(session, kind: str) -> list[Event]:
    session.expire_all()
    return list(session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


def _firings(session, step: str) -> list[SweepFiring]:
    session.expire_all()
    return list(session.scalars(select(SweepFiring).where(SweepFiring.step == step)))


def test_a_part_back_38_hours_early_is_not_overdue_though_a_sweep_from_the_future_flagged_it(
    nsession,
):
    world = make_world(nsession)
    ticket_number = make_ticket(nsession, world, T0 - timedelta(hours=4), severity="P3")
    number = delivered_rma(nsession, world, T0 - timedelta(hours=2), ticket=ticket_number)
    rma = nsession.scalar(select(Rma).where(Rma.number == number))
    assert rma.return_due_at == RETURN_DUE

    # someone sweeps "as of" three days later: the part is not back yet, so it is flagged
    assert sweep(nsession, now=RETURN_DUE + timedelta(days=3)).overdue == [number]
    # ... and then the part comes back, 38 hours before its deadline
    returned = RETURN_DUE - timedelta(hours=38)
    faulty_part_back(nsession, world, number, sent_at=returned)

    nsession.expire_all()
    rma = nsession.scalar(select(Rma).where(Rma.number == number))
    assert not rma.overdue and rma.late_charge is None and rma.overdue_at is None
    [flagged] = _events(nsession, "overdue")
    [withdrawn] = _events(nsession, "overdue_withdrawn")
    assert withdrawn.customer_visible and withdrawn.data["withdraws"] == flagged.id
    assert withdrawn.data["charge_withdrawn"] == "500.00"

    # the fault report: the faulty-return clock met, 38 h early
    ticket = nsession.scalar(select(Ticket).where(Ticket.number == ticket_number))
    report = fault_report_for(nsession, ticket, for_customer=True, lang="zh")
    [faulty_return] = [c for c in report.clocks if c.clock == Clock.FAULTY_RETURN]
    assert faulty_return.met and faulty_return.margin_minutes == 38 * 60
    # the customer never sees a flag that did not hold; staff see it and its withdrawal
    codes = [e.event for e in report.events]
    assert "return_overdue" not in codes and "return_overdue_withdrawn" not in codes
    staff = [e.event for e in fault_report_for(nsession, ticket, for_customer=False).events]
    assert {"return_overdue", "return_overdue_withdrawn"} <= set(staff)

    # the monthly report agrees: no overdue return, the return clock met once out of once
    customer = nsession.scalar(select(Customer))
    month = monthly_report_for(
        nsession, customer, 2026, 3, "Asia/Shanghai", now=RETURN_DUE + timedelta(days=4)
    )
    assert month.overdue_returns == ()
    attainment = {a.clock: (a.met, a.total) for a in month.sla_attainment}
    assert attainment["faulty_return"] == (1, 1)

    # a later sweep does not flag it again
    assert sweep(nsession, now=RETURN_DUE + timedelta(days=5)).overdue == []


def test_a_part_back_late_stays_overdue_in_both_reports(nsession):
    world = make_world(nsession)
    ticket_number = make_ticket(nsession, world, T0 - timedelta(hours=4), severity="P3")
    number = delivered_rma(nsession, world, T0 - timedelta(hours=2), ticket=ticket_number)
    assert sweep(nsession, now=RETURN_DUE + timedelta(hours=1)).overdue == [number]
    returned = RETURN_DUE + timedelta(hours=5)
    faulty_part_back(nsession, world, number, sent_at=returned)

    nsession.expire_all()
    assert nsession.scalar(select(Rma.overdue).where(Rma.number == number)) is True
    assert _events(nsession, "overdue_withdrawn") == []
    ticket = nsession.scalar(select(Ticket).where(Ticket.number == ticket_number))
    [faulty_return] = [
        c
        for c in fault_report_for(nsession, ticket, for_customer=True).clocks
        if c.clock == Clock.FAULTY_RETURN
    ]
    assert not faulty_return.met and faulty_return.margin_minutes == -5 * 60
    month = monthly_report_for(
        nsession, nsession.scalar(select(Customer)), 2026, 3, "Asia/Shanghai", now=returned
    )
    [late] = month.overdue_returns
    assert late.rma_number == number and late.returned_at == returned


def test_a_breach_recorded_before_a_late_fact_is_withdrawn_when_the_fact_says_the_clock_was_met(
    nsession,
):
    world = make_world(nsession)
    number = make_ticket(nsession, world, T0)  # P2 by phone: respond within 10 minutes
    assert [f.step for f in sweep(nsession, now=T0 + timedelta(hours=2)).breaches] == [
        "breach:response"
    ]
    # the acknowledgement is recorded afterwards, with the time it really happened
    move_ticket(nsession, number, "acknowledge", actor="dispatcher1", now=T0 + timedelta(minutes=8))

    assert _firings(nsession, "breach:response") == []
    [breach] = _events(nsession, "sla_breached")
    [withdrawn] = _events(nsession, "sla_breach_withdrawn")
    assert withdrawn.data["clock"] == "response" and withdrawn.data["withdraws"] == breach.id
    assert not withdrawn.customer_visible
    assert sweep(nsession, now=T0 + timedelta(hours=2, minutes=1)).breaches == []


def test_a_breach_whose_clock_really_ran_late_stands(nsession):
    world = make_world(nsession)
    number = make_ticket(nsession, world, T0)
    sweep(nsession, now=T0 + timedelta(minutes=11))
    move_ticket(
        nsession, number, "acknowledge", actor="dispatcher1", now=T0 + timedelta(minutes=12)
    )
    assert len(_firings(nsession, "breach:response")) == 1
    assert _events(nsession, "sla_breach_withdrawn") == []


def test_the_present_sweep_withdraws_what_a_sweep_from_the_future_flagged_and_fires_it_on_time(
    nsession,
):
    world = make_world(nsession)
    number = make_ticket(nsession, world, T0)
    ahead = sweep(nsession, now=T0 + timedelta(hours=5))
    assert {f.step for f in ahead.breaches} == {"breach:response", "breach:restore"}

    present = sweep(nsession, now=T0 + timedelta(minutes=5))
    assert sorted(present.withdrawn) == [f"{number} breach:response", f"{number} breach:restore"]
    assert present.breaches == []
    assert _firings(nsession, "breach:response") == []

    on_time = sweep(nsession, now=T0 + timedelta(minutes=11))
    assert [f.step for f in on_time.breaches] == ["breach:response"]  # fires when it is due
    assert sweep(nsession, now=T0 + timedelta(minutes=12)).breaches == []  # and once


def test_a_reopened_ticket_keeps_the_clocks_it_met(nsession):
    """Reopened, the ticket is "dispatched" again; its engineer was on site and the service
    restored in time, so the clock table says onsite and restore were met: no breach."""
    world = make_world(nsession)
    number = make_ticket(nsession, world, T0, severity="P3")  # restore within 6 h
    ticket = nsession.scalar(select(Ticket).where(Ticket.number == number))
    at = T0 + timedelta(minutes=5)
    for action in ("dispatch", "arrive", "resolve"):
        move_ticket_in_session(nsession, ticket, action, actor="dispatcher1", now=at)
        at += timedelta(minutes=30)
    nsession.commit()
    move_ticket(nsession, number, "reopen", actor="dispatcher1", now=at)

    report = sweep(nsession, now=T0 + timedelta(hours=8))
    assert [f.step for f in report.breaches if f.subject_ref == number] == []


def test_flask_sla_sweep_writes_only_as_of_the_present(runner, db):
    world = make_world(db)
    make_ticket(db, world, T0)
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()

    refused = runner.invoke(args=["sla", "sweep", "--now", later])
    assert refused.exit_code == 2 and "--dry-run" in refused.output
    assert db.scalars(select(SweepFiring)).all() == []
    db.rollback()

    dry = runner.invoke(args=["sla", "sweep", "--now", later, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["fired"] > 0
