"""The periodic SLA sweep: escalation ladder, overdue returns, return reminders, breached clocks.

One call looks at the world as of ``now`` (UTC, given explicitly) and fires every step
that is due and has not fired yet, each as an event (and so its notifications):

* **escalation** — an open ticket (new, acknowledged, dispatched, on site) without
  progress since ``last_progress_at`` climbs the contract's ladder (15 → 30 → 60 min by
  default, counted on the contract's coverage calendar, ``logistics.sla``). Event
  ``escalated`` with ``level`` and ``who``; the ticket's ``escalation_level`` follows.
  Progress restarts the ladder: the steps count from the new ``last_progress_at``.
* **overdue returns** — ``inventory.rmas.flag_overdue_returns``: the RMA is flagged
  with the contract's late-return charge (event ``overdue``).
* **return reminder** — an advance replacement's faulty part not yet sent back
  ``reminder_hours`` before its deadline (event ``return_due``, customer visible).
* **breached clocks** — a clock whose deadline passed while the thing it waits for has
  not happened (event ``sla_breached`` with ``clock``): ticket ``response`` (still new),
  ``onsite`` (nobody on site), ``restore`` (not resolved), ``replacement`` (the ticket's
  advance replacement not delivered); RMA ``spare_request`` (not approved) and
  ``spare_delivery`` (shipped, not delivered).

**Once, decided by the database.** Every step is a row of ``sweep_firings`` with a
unique (subject, step, anchor) — inserted with *on conflict do nothing* in the same
transaction as its event; the sweep that inserts the row records the event, any other
sweep (a second run, another worker at the same instant) inserts nothing and records
nothing. Overdue flags are a compare-and-set on ``rmas.overdue``. An escalation also
re-checks, in that transaction, that the ticket made no progress meanwhile (a
compare-and-set on ``last_progress_at``). Each step commits on its own.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from inventory.contracts import contract_calendar, sla_policy
from inventory.errors import DomainError
from inventory.events import record_event
from inventory.ledger import rows_matched
from inventory.rmas import RmaKind, RmaStatus, flag_overdue_returns
from inventory.tickets import TicketStatus
from inventory.transaction import transaction
from logistics.calendars import require_utc
from logistics.sla import CLOCK_STOPS, Clock, EscalationDue, escalation_due_steps
from models import Rma, SweepFiring, Ticket

log = logging.getLogger(__name__)

ACTOR = "sla-sweep"
T, R = TicketStatus, RmaStatus
# a ticket climbs the ladder while it waits for someone (not once resolved: then it
# waits for the customer's confirmation)
ESCALATING = (T.NEW.value, T.ACKNOWLEDGED.value, T.DISPATCHED.value, T.ON_SITE.value)
# ticket clocks: clock → the statuses in which it still runs (its deadline column and what
# stops it: logistics.sla.CLOCK_STOPS)
TICKET_CLOCKS = {
    Clock.RESPONSE: (T.NEW.value,),
    Clock.ONSITE: (T.NEW.value, T.ACKNOWLEDGED.value, T.DISPATCHED.value),
    Clock.RESTORE: ESCALATING,
}
# the ticket's replacement clock runs while its advance replacement is not delivered
REPLACEMENT_PENDING = (R.REQUESTED.value, R.APPROVED.value, R.ALLOCATED.value, R.SHIPPED.value)
RMA_CLOCKS = {
    Clock.SPARE_REQUEST: (R.REQUESTED.value,),
    Clock.SPARE_DELIVERY: (R.SHIPPED.value,),
}


@dataclass(frozen=True)
class Fired:
    """One step this sweep fired (times UTC)."""

    subject_type: str
    subject_ref: str
    step: str
    due_at: datetime


@dataclass
class SweepReport:
    now: datetime
    escalations: list[Fired] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)  # RMA numbers flagged
    reminders: list[Fired] = field(default_factory=list)
    breaches: list[Fired] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # subjects skipped (bad contract data …)

    @property
    def fired(self) -> int:
        return len(self.escalations) + len(self.overdue) + len(self.reminders) + len(self.breaches)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["now"] = self.now.isoformat()
        for key in ("escalations", "reminders", "breaches"):
            for item in out[key]:
                item["due_at"] = item["due_at"].isoformat()
        out["fired"] = self.fired
        return out


def sweep(
    session: Session, *, now: datetime, reminder_hours: float = 4.0, actor: str = ACTOR
) -> SweepReport:
    """Fire everything due at ``now`` (UTC) that has not fired yet; commits step by step.

    ``reminder_hours`` before a return deadline the customer is reminded (0: never).
    """
    now = require_utc(now, "now")
    report = SweepReport(now)
    _escalate(session, now, actor, report)
    report.overdue = flag_overdue_returns(session, now=now, actor=actor)
    if reminder_hours > 0:
        _remind_returns(session, now, timedelta(hours=reminder_hours), actor, report)
    _flag_breaches(session, now, actor, report)
    return report


# -- firing one step once -----------------------------------------------------------------


def fire_once(
    session: Session,
    *,
    subject_type: str,
    subject_id: int,
    step: str,
    anchor_at: datetime,
    due_at: datetime,
    now: datetime,
    event: dict,
    guard=None,
) -> bool:
    """Fire one step in its own transaction: ``guard`` (an UPDATE that must hit one row,
    else the step no longer applies), the ``sweep_firings`` row (on conflict do nothing:
    another sweep fired it), the event. True if this call fired it; commits."""
    with transaction(session):
        if guard is not None and rows_matched(session.execute(guard)) != 1:
            session.rollback()
            return False
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        firing_id = session.execute(
            insert(SweepFiring)
            .values(
                subject_type=subject_type,
                subject_id=subject_id,
                step=step,
                anchor_at=anchor_at,
                due_at=due_at,
                fired_at=now,
            )
            .on_conflict_do_nothing(
                index_elements=["subject_type", "subject_id", "step", "anchor_at"]
            )
            .returning(SweepFiring.id)
        ).scalar()
        if firing_id is None:  # the row exists: fired by another sweep
            session.rollback()
            return False
        recorded = record_event(
            session, subject_type=subject_type, subject_id=subject_id, at=now, **event
        )
        session.execute(
            update(SweepFiring)
            .where(SweepFiring.id == firing_id)
            .values(event_id=recorded.id)
            .execution_options(synchronize_session=False)
        )
        return True


def _fire(session: Session, report: SweepReport, **step) -> bool:
    """``fire_once``, with a failure logged and reported instead of ending the sweep
    (the step is tried again by the next sweep)."""
    try:
        return fire_once(session, **step)
    except Exception as error:
        log.exception(
            "sweep: %s %s %s failed", step["subject_type"], step["subject_id"], step["step"]
        )
        report.errors.append(f"{step['event'].get('subject_ref')} {step['step']}: {error!r}")
        return False


def _already_fired(
    session: Session, subject_type: str, ids: list[int]
) -> set[tuple[int, str, datetime]]:
    """(subject id, step, anchor) fired before: skipped without a write (an optimisation;
    ``fire_once`` is what decides)."""
    if not ids:
        return set()
    rows = session.execute(
        select(SweepFiring.subject_id, SweepFiring.step, SweepFiring.anchor_at).where(
            SweepFiring.subject_type == subject_type, SweepFiring.subject_id.in_(ids)
        )
    ).all()
    return {(r.subject_id, r.step, r.anchor_at) for r in rows}


# -- escalation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _OpenTicket:
    """What the ladder needs of a ticket, read before any step fires."""

    id: int
    number: str
    customer_id: int
    status: str
    severity: str
    anchor: datetime  # last progress (UTC)


def _escalate(session: Session, now: datetime, actor: str, report: SweepReport) -> None:
    tickets = list(
        session.scalars(
            select(Ticket)
            .where(Ticket.status.in_(ESCALATING), Ticket.last_progress_at < now)
            .options(selectinload(Ticket.contract), selectinload(Ticket.site))
            .order_by(Ticket.id)
        )
    )
    fired = _already_fired(session, "ticket", [t.id for t in tickets])
    due: list[tuple[_OpenTicket, EscalationDue]] = []
    for ticket in tickets:
        try:
            policy = sla_policy(ticket.contract)
            calendar = contract_calendar(ticket.contract, ticket.site.timezone, session=session)
            steps = escalation_due_steps(ticket.last_progress_at, policy, calendar)
        except (DomainError, ValueError) as error:
            report.errors.append(f"{ticket.number}: {getattr(error, 'message', error)}")
            continue
        facts = _OpenTicket(
            ticket.id,
            ticket.number,
            ticket.customer_id,
            ticket.status,
            ticket.severity,
            ticket.last_progress_at,
        )
        due += [
            (facts, step)
            for step in steps
            if step.due_at <= now
            and (ticket.id, f"escalation:{step.level}", facts.anchor) not in fired
        ]
    session.rollback()  # no transaction held while firing; nothing loaded is used again
    for facts, step in due:
        name, anchor = f"escalation:{step.level}", facts.anchor
        guard = (  # still open, and no progress since the anchor
            update(Ticket)
            .where(
                Ticket.id == facts.id,
                Ticket.last_progress_at == anchor,
                Ticket.status.in_(ESCALATING),
            )
            .values(
                escalation_level=case(
                    (Ticket.escalation_level < step.level, step.level),
                    else_=Ticket.escalation_level,
                )
            )
            .execution_options(synchronize_session=False)
        )
        event = {
            "kind": "escalated",
            "subject_ref": facts.number,
            "customer_id": facts.customer_id,
            "actor": actor,
            "customer_visible": False,
            "data": {
                "level": step.level,
                "who": step.who,
                "due_at": step.due_at.isoformat(),
                "last_progress_at": anchor.isoformat(),
                "status": facts.status,
                "severity": facts.severity,
            },
        }
        if _fire(
            session,
            report,
            subject_type="ticket",
            subject_id=facts.id,
            step=name,
            anchor_at=anchor,
            due_at=step.due_at,
            now=now,
            event=event,
            guard=guard,
        ):
            report.escalations.append(Fired("ticket", facts.number, name, step.due_at))


# -- return reminders ---------------------------------------------------------------------


def _remind_returns(
    session: Session, now: datetime, lead: timedelta, actor: str, report: SweepReport
) -> None:
    rows = session.execute(
        select(Rma.id, Rma.number, Rma.customer_id, Rma.return_due_at)
        .where(
            Rma.kind == RmaKind.ADVANCE_REPLACEMENT.value,
            Rma.status == R.DELIVERED.value,
            Rma.overdue.is_(False),
            Rma.faulty_received_at.is_(None),
            Rma.return_due_at.is_not(None),
            Rma.return_due_at >= now,
            Rma.return_due_at <= now + lead,
        )
        .order_by(Rma.return_due_at, Rma.id)
    ).all()
    fired = _already_fired(session, "rma", [r.id for r in rows])
    session.rollback()
    for r in rows:
        if (r.id, "return_due", r.return_due_at) in fired:
            continue
        guard = (  # still waiting for the part at the same deadline
            update(Rma)
            .where(
                Rma.id == r.id,
                Rma.status == R.DELIVERED.value,
                Rma.return_due_at == r.return_due_at,
            )
            .values(status=Rma.status)
            .execution_options(synchronize_session=False)
        )
        event = {
            "kind": "return_due",
            "subject_ref": r.number,
            "customer_id": r.customer_id,
            "actor": actor,
            "customer_visible": True,
            "data": {"return_due": r.return_due_at.isoformat()},
        }
        if _fire(
            session,
            report,
            subject_type="rma",
            subject_id=r.id,
            step="return_due",
            anchor_at=r.return_due_at,
            due_at=r.return_due_at,
            now=now,
            event=event,
            guard=guard,
        ):
            report.reminders.append(Fired("rma", r.number, "return_due", r.return_due_at))


# -- breached clocks ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Breach:
    subject_type: str
    subject_id: int
    subject_ref: str
    customer_id: int | None
    clock: str
    due_at: datetime
    status: str


def breached_clocks(session: Session, now: datetime) -> list[_Breach]:
    """Every clock past its deadline at ``now`` whose awaited event has not happened."""
    out: list[_Breach] = []
    for clock, running in TICKET_CLOCKS.items():
        due = getattr(Ticket, CLOCK_STOPS[clock].due)
        for t in session.execute(
            select(
                Ticket.id, Ticket.number, Ticket.customer_id, Ticket.status, due.label("due")
            ).where(Ticket.status.in_(running), due.is_not(None), due < now)
        ):
            out.append(_Breach("ticket", t.id, t.number, t.customer_id, clock, t.due, t.status))
    for t in session.execute(
        select(Ticket.id, Ticket.number, Ticket.customer_id, Ticket.status, Ticket.replacement_due)
        .join(Rma, Rma.ticket_id == Ticket.id)
        .where(
            Ticket.status.in_(ESCALATING),
            Ticket.replacement_due < now,
            Rma.kind == RmaKind.ADVANCE_REPLACEMENT.value,
            Rma.status.in_(REPLACEMENT_PENDING),
        )
        .distinct()
    ):
        out.append(
            _Breach(
                "ticket",
                t.id,
                t.number,
                t.customer_id,
                Clock.REPLACEMENT,
                t.replacement_due,
                t.status,
            )
        )
    for clock, running in RMA_CLOCKS.items():
        due = getattr(Rma, CLOCK_STOPS[clock].due)
        for r in session.execute(
            select(Rma.id, Rma.number, Rma.customer_id, Rma.status, due.label("due")).where(
                Rma.status.in_(running), due.is_not(None), due < now
            )
        ):
            out.append(_Breach("rma", r.id, r.number, r.customer_id, clock, r.due, r.status))
    return out


def _flag_breaches(session: Session, now: datetime, actor: str, report: SweepReport) -> None:
    breaches = breached_clocks(session, now)
    fired = {
        kind: _already_fired(
            session, kind, [b.subject_id for b in breaches if b.subject_type == kind]
        )
        for kind in ("ticket", "rma")
    }
    session.rollback()
    for b in breaches:
        step = f"breach:{b.clock}"
        if (b.subject_id, step, b.due_at) in fired[b.subject_type]:
            continue
        event = {
            "kind": "sla_breached",
            "subject_ref": b.subject_ref,
            "customer_id": b.customer_id,
            "actor": actor,
            "customer_visible": False,
            "data": {"clock": b.clock, "due_at": b.due_at.isoformat(), "status": b.status},
        }
        if _fire(
            session,
            report,
            subject_type=b.subject_type,
            subject_id=b.subject_id,
            step=step,
            anchor_at=b.due_at,
            due_at=b.due_at,
            now=now,
            event=event,
        ):
            report.breaches.append(Fired(b.subject_type, b.subject_ref, step, b.due_at))
