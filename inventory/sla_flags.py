"""Overdue and breach flags re-derived from the facts.

The sweep raises two kinds of flag as of its ``now``: an RMA's ``overdue`` (with the
contract's late-return charge and a customer-visible ``overdue`` event) and a
``breach:<clock>`` firing (with its internal ``sla_breached`` event). A fact that arrives
later — the faulty part received, an arrival, a resolve, a replacement delivered, a
severity regrade that moves a deadline — or a sweep run with a ``now`` ahead of the facts
can contradict such a flag. ``rederive_flags`` holds every flag of a ticket or an RMA
against the facts, read through the one clock table (``inventory.sla_outcomes`` →
``logistics.sla.CLOCK_STOPS``), and withdraws the ones the facts contradict:

* an ``overdue`` flag whose part came back by its deadline (or whose deadline has not
  passed at ``now``) is cleared with its charge; event ``overdue_withdrawn`` (customer
  visible, like the flag it withdraws);
* a breach whose clock was stopped by its deadline (or is not past it at ``now``) loses its
  ``sweep_firings`` row — so the clock can fire again should it really breach later —;
  event ``sla_breach_withdrawn`` (internal).

Each withdrawal event names the event it withdraws (``data.withdraws``); documents for the
customer leave both out (``withdrawn_event_ids``). Every ticket and RMA move calls this in
its own transaction, and the sweep calls it for flags raised by a sweep "from the future".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from inventory.events import record_event, record_on
from inventory.ledger import rows_matched
from inventory.overdue import ReturnWindow, is_overdue
from inventory.sla_outcomes import advance_replacement, clock_outcome
from logistics.calendars import require_utc
from logistics.sla import Clock, Verdict
from models import Event, Rma, SweepFiring, Ticket

BREACH_PREFIX = "breach:"
OVERDUE_WITHDRAWN = "overdue_withdrawn"
BREACH_WITHDRAWN = "sla_breach_withdrawn"
WITHDRAWALS = (OVERDUE_WITHDRAWN, BREACH_WITHDRAWN)


@dataclass(frozen=True)
class Withdrawn:
    """One flag the facts contradicted: ``flag`` is ``overdue`` or ``breach:<clock>``."""

    subject_type: str
    subject_ref: str
    flag: str


def breach_stands(clock: Clock, now: datetime, ticket: Ticket | None, rma: Rma | None) -> bool:
    """Whether the facts say ``clock`` is missed at ``now``: stopped after its (current)
    deadline, or still running past it. A clock that no longer applies keeps its breach."""
    outcome = clock_outcome(clock, ticket, rma)
    return outcome is None or outcome.verdict(now) is Verdict.MISSED


def overdue_stands(rma: Rma, now: datetime) -> bool:
    """Whether the facts say the RMA's faulty part is late at ``now`` (``inventory.overdue``)."""
    window = ReturnWindow(rma.id, rma.number, rma.return_due_at, rma.faulty_received_at)
    return is_overdue(window, now)


def rederive_flags(
    session: Session,
    *,
    now: datetime,
    actor: str,
    ticket: Ticket | None = None,
    rma: Rma | None = None,
) -> list[Withdrawn]:
    """Withdraw the flags of ``ticket`` and/or ``rma`` (and of the RMAs of ``ticket``, the
    ticket of ``rma``) that the facts contradict at ``now``; no commit. Each withdrawal is a
    compare-and-set, so two callers never withdraw one flag twice."""
    now = require_utc(now, "now")
    session.flush()
    if rma is not None and ticket is None and rma.ticket_id is not None:
        ticket = session.get(Ticket, rma.ticket_id)
    rmas: list[Rma] = []
    if ticket is not None:
        rmas = list(session.scalars(select(Rma).where(Rma.ticket_id == ticket.id).order_by(Rma.id)))
    elif rma is not None:
        rmas = [rma]
    withdrawn: list[Withdrawn] = []
    if ticket is not None:
        replacement = advance_replacement(rmas)
        for firing in _breaches(session, "ticket", ticket.id):
            clock = Clock(firing.step.removeprefix(BREACH_PREFIX))
            if not breach_stands(clock, now, ticket, replacement):
                withdrawn += _withdraw_breach(
                    session, firing, ticket.number, ticket.customer_id, now, actor
                )
    for each in rmas:
        for firing in _breaches(session, "rma", each.id):
            clock = Clock(firing.step.removeprefix(BREACH_PREFIX))
            if not breach_stands(clock, now, None, each):
                withdrawn += _withdraw_breach(
                    session, firing, each.number, each.customer_id, now, actor
                )
        if each.overdue and not overdue_stands(each, now):
            withdrawn += _withdraw_overdue(session, each, now, actor)
    return withdrawn


def rederive_ahead_of(session: Session, now: datetime, *, actor: str) -> list[Withdrawn]:
    """Re-derive the flags raised after ``now`` (by a sweep run with a later ``now``): the
    facts at ``now`` decide whether they stand. No commit."""
    now = require_utc(now, "now")
    firings = session.execute(
        select(SweepFiring.subject_type, SweepFiring.subject_id).where(
            SweepFiring.step.startswith(BREACH_PREFIX), SweepFiring.fired_at > now
        )
    ).all()
    ticket_ids = {f.subject_id for f in firings if f.subject_type == "ticket"}
    rma_ids = {f.subject_id for f in firings if f.subject_type == "rma"}
    rma_ids |= set(
        session.scalars(select(Rma.id).where(Rma.overdue.is_(True), Rma.overdue_at > now))
    )
    withdrawn: list[Withdrawn] = []
    for ticket_id in sorted(ticket_ids):
        ticket = session.get(Ticket, ticket_id)
        if ticket is not None:
            withdrawn += rederive_flags(session, now=now, actor=actor, ticket=ticket)
    for rma_id in sorted(rma_ids):
        rma = session.get(Rma, rma_id)
        if rma is not None:
            withdrawn += rederive_flags(session, now=now, actor=actor, rma=rma)
    return _unique(withdrawn)


def withdrawn_event_ids(events: Iterable[Event]) -> set[int]:
    """The ids of flag events withdrawn later, and of the withdrawals themselves: what a
    customer's document leaves out (a flag that never held)."""
    out: set[int] = set()
    for event in events:
        if event.kind in WITHDRAWALS and (event.data or {}).get("withdraws") is not None:
            out |= {event.id, int(event.data["withdraws"])}
    return out


def _unique(items: list[Withdrawn]) -> list[Withdrawn]:
    return list(dict.fromkeys(items))


def _breaches(session: Session, subject_type: str, subject_id: int) -> list[SweepFiring]:
    return list(
        session.scalars(
            select(SweepFiring)
            .where(
                SweepFiring.subject_type == subject_type,
                SweepFiring.subject_id == subject_id,
                SweepFiring.step.startswith(BREACH_PREFIX),
            )
            .order_by(SweepFiring.id)
        )
    )


def _withdraw_breach(
    session: Session,
    firing: SweepFiring,
    ref: str,
    customer_id: int | None,
    now: datetime,
    actor: str,
) -> list[Withdrawn]:
    gone = rows_matched(
        session.execute(
            delete(SweepFiring)
            .where(SweepFiring.id == firing.id)
            .execution_options(synchronize_session=False)
        )
    )
    if gone != 1:
        return []
    clock = firing.step.removeprefix(BREACH_PREFIX)
    record_event(
        session,
        subject_type=firing.subject_type,
        subject_id=firing.subject_id,
        subject_ref=ref,
        customer_id=customer_id,
        kind=BREACH_WITHDRAWN,
        actor=actor,
        at=now,
        customer_visible=False,
        data={
            "clock": clock,
            "due_at": firing.due_at.isoformat(),
            "fired_at": firing.fired_at.isoformat(),
            "withdraws": firing.event_id,
        },
    )
    session.expunge(firing)
    return [Withdrawn(firing.subject_type, ref, firing.step)]


def _withdraw_overdue(session: Session, rma: Rma, now: datetime, actor: str) -> list[Withdrawn]:
    charge, currency = rma.late_charge, rma.charge_currency
    won = rows_matched(
        session.execute(
            update(Rma)
            .where(Rma.id == rma.id, Rma.overdue.is_(True))
            .values(overdue=False, overdue_at=None, late_charge=None)
            .execution_options(synchronize_session=False)
        )
    )
    if won != 1:
        return []
    session.refresh(rma)
    flagged = session.scalar(
        select(Event.id)
        .where(Event.subject_type == "rma", Event.subject_id == rma.id, Event.kind == "overdue")
        .order_by(Event.id.desc())
        .limit(1)
    )
    received = rma.faulty_received_at
    record_on(
        session,
        "rma",
        rma,
        OVERDUE_WITHDRAWN,
        actor=actor,
        customer_id=rma.customer_id,
        at=now,
        customer_visible=True,
        data={
            "return_due": rma.return_due_at.isoformat() if rma.return_due_at else None,
            "returned_at": received.isoformat() if received else None,
            "charge_withdrawn": str(charge) if charge is not None else None,
            "currency": currency,
            "withdraws": flagged,
        },
    )
    return [Withdrawn("rma", rma.number, "overdue")]
