"""Performance indicators on a small history whose figures are worked out by hand
(SQLite and PostgreSQL).

Period: October 2026 (UTC). 7x24 contracts; C001 in Beijing, C002 in Shanghai.

| ticket | customer | sev | serial | opened | ack | on site | restored | visits | reopened | engineer | overall |
|---|---|---|---|---|---|---|---|---|---|---|---|
| A | C001 | P1 | EQ-1 | 5 Oct 02:00 | +3 (due 5) | +40 (due 90) | +50 (due 60) | 1 | no | E1 | 5 |
| B | C001 | P2 | EQ-1 | 15 Oct 02:00 | +20 (due 10) | +100 (due 90) | +200 (due 180) | 2 | no | E1 | 2 |
| C | C002 | P2 | EQ-2 | 25 Oct 02:00 | +5 | +60 | +120 | 1 | yes | E2 | 4 |
| D | C002 | P3 | EQ-3 | 20 Oct 02:00 | +30 (due 10) | — | — (due 360) | 0 | no | — | — |
| F | C001 | P4 | EQ-1 | 6 Oct 02:00 | cancelled |
| E | C002 | P3 | EQ-3 | 1 Aug 02:00 (before the period) |
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from inventory import tickets
from inventory.indicators import performance_indicators
from models import Customer, Engineer, Event, Survey, Ticket, Visit
from tests.service_builders import make_customer, make_engineer

T0 = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)
START, END = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 5, tzinfo=UTC)
M = timedelta(minutes=1)


def _ticket(session, site, severity, serial, opened, *, travel=30, ack=None, onsite=None,
            resolved=None, visits=0, reopened=False, engineer=None, overall=None,
            cancelled=False):  # fmt: skip
    view = tickets.open_ticket(
        session, site_code=site, severity=severity, channel="phone", symptom="down",
        actor="li.disp", now=opened, travel_minutes=travel,
    )  # fmt: skip
    t = session.scalar(select(Ticket).where(Ticket.number == view.number))
    t.equipment_serial = serial
    t.acknowledged_at = opened + ack * M if ack is not None else None
    t.onsite_at = opened + onsite * M if onsite is not None else None
    t.resolved_at = opened + resolved * M if resolved is not None else None
    t.status = "cancelled" if cancelled else ("closed" if resolved is not None else "acknowledged")
    if engineer:
        t.engineer_id = session.scalar(select(Engineer.id).where(Engineer.code == engineer))
    for n in range(visits):
        session.add(Visit(number=f"TSS-{t.number}-{n}", ticket_id=t.id,
                          arrived_at=opened + (n + 1) * 30 * M, created_by="e"))  # fmt: skip
    if reopened:
        session.add(Event(subject_type="ticket", subject_id=t.id, kind="reopen", actor="c",
                          at=opened + 130 * M))  # fmt: skip
    if overall is not None:
        session.add(Survey(ticket_id=t.id, overall=overall, submitted_by="c",
                           submitted_at=opened + 1440 * M))  # fmt: skip
    session.commit()
    return t


@pytest.fixture
def history(session):
    make_customer(session, "C001", city="Beijing")
    make_customer(session, "C002", city="Shanghai", lat=31.23, lon=121.47)
    make_engineer(session, "E1", name="王伟")
    make_engineer(session, "E2", name="李娜")
    _ticket(session, "C002-S1", "P3", "EQ-3", datetime(2026, 8, 1, 2, tzinfo=UTC), ack=5)
    _ticket(session, "C001-S1", "P1", "EQ-1", T0, ack=3, onsite=40, resolved=50, visits=1,
            engineer="E1", overall=5)  # fmt: skip
    _ticket(session, "C001-S1", "P4", "EQ-1", T0 + timedelta(days=1), travel=None,
            cancelled=True)  # fmt: skip
    _ticket(session, "C001-S1", "P2", "EQ-1", T0 + timedelta(days=10), ack=20, onsite=100,
            resolved=200, visits=2, engineer="E1", overall=2)  # fmt: skip
    _ticket(session, "C002-S1", "P3", "EQ-3", T0 + timedelta(days=15), travel=None, ack=30)
    _ticket(session, "C002-S1", "P2", "EQ-2", T0 + timedelta(days=20), ack=5, onsite=60,
            resolved=120, visits=1, reopened=True, engineer="E2", overall=4)  # fmt: skip


def test_the_indicators_of_the_period_are_the_ones_worked_out_by_hand(session, history):
    ind = performance_indicators(session, START, END, now=NOW)
    assert ind.tickets == 5
    assert ind.tickets_by_severity == {"P1": 1, "P2": 2, "P3": 1, "P4": 1}
    # restored A, B, C; only A at the first attempt (B: two visits, C: reopened)
    assert (ind.first_time_fix.met, ind.first_time_fix.total) == (1, 3)
    assert [(r.severity, r.tickets, r.restored, r.mean_minutes) for r in ind.restore] == [
        ("P1", 1, 1, 50.0), ("P2", 2, 2, 160.0), ("P3", 1, 0, None), ("P4", 1, 0, None)]  # fmt: skip
    rows = {(r.clock, r.region): (r.met, r.missed) for r in ind.compliance}
    assert rows == {
        ("response", None): (2, 2), ("response", "Beijing"): (1, 1),
        ("response", "Shanghai"): (1, 1),
        ("onsite", None): (2, 1), ("onsite", "Beijing"): (1, 1), ("onsite", "Shanghai"): (1, 0),
        ("restore", None): (2, 2), ("restore", "Beijing"): (1, 1),
        ("restore", "Shanghai"): (1, 1),
    }  # fmt: skip
    # B follows A on EQ-1 by 10 days; D follows E on EQ-3 by 80 days
    assert (ind.repeat_tickets, ind.repeat_30, ind.repeat_90) == (4, 1, 2)
    assert [(s.serial, s.tickets, s.within_30, s.within_90) for s in ind.repeat_serials] == [
        ("EQ-1", 2, 1, 1), ("EQ-3", 1, 0, 1)]  # fmt: skip
    assert [(s.engineer, s.responses, s.mean_overall) for s in ind.satisfaction] == [
        ("E1", 2, 3.5), ("E2", 1, 4.0)]  # fmt: skip
    assert ind.satisfaction_responses == 3
    assert ind.satisfaction_overall == pytest.approx(11 / 3)


def test_one_customers_indicators_count_their_tickets_only(session, history):
    c001 = session.scalar(select(Customer.id).where(Customer.code == "C001"))
    ind = performance_indicators(session, START, END, now=NOW, customer_id=c001)
    assert ind.tickets == 3 and ind.tickets_by_severity["P4"] == 1
    assert (ind.first_time_fix.met, ind.first_time_fix.total) == (1, 2)
    assert (ind.repeat_30, ind.repeat_90) == (1, 1)
    assert {r.region for r in ind.compliance} == {None, "Beijing"}


def test_a_clock_still_running_is_left_out(session, history):
    ind = performance_indicators(session, START, END, now=T0 + timedelta(days=15, minutes=60))
    restore = {(r.clock, r.region): (r.met, r.missed) for r in ind.compliance}
    # at that moment D's restore clock (due +360) still runs: A and C met, B missed
    assert restore[("restore", None)] == (2, 1)
    assert restore[("response", None)] == (2, 2)  # D's response clock had already run out
