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
* **removed parts overdue** — a part removed on a job still with the engineer past its
  return rule's deadline (``inventory.part_returns``; event ``part_return_overdue``).
* **return reminder** — an advance replacement's faulty part not yet sent back
  ``reminder_hours`` before its deadline (event ``return_due``, customer visible).
* **breached clocks** — a clock whose deadline passed while nothing that stops it (the
  clock table ``logistics.sla.CLOCK_STOPS``, read through ``inventory.sla_outcomes``) is
  recorded, on a live ticket or RMA (event ``sla_breached`` with ``clock``): ticket
  ``response``, ``onsite``, ``restore``, ``replacement`` (its advance replacement not
  delivered); RMA ``spare_request`` and ``spare_delivery``; an inspection's
  ``inspection_report`` (signed, its report not issued in time).
* **customer problems** — a complaint or request whose response or resolution clock ran
  out with nothing recorded that stops it (``inventory.complaints``) is escalated to the
  head of the department it was sent to (event ``escalated`` on the complaint, level 1,
  with the ``clock``), once per clock and deadline; the complaint's
  ``escalation_level`` follows.
* **flags from the future** — overdue and breach flags dated after ``now`` (a sweep run as
  of a later instant) are held against the facts and withdrawn where they contradict them
  (``inventory.sla_flags``; every ticket and RMA move does the same for its subject).

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
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Update, case, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from inventory.complaints import OPEN as OPEN_COMPLAINTS
from inventory.complaints import open_breaches
from inventory.contracts import contract_calendar, sla_policy
from inventory.errors import DomainError
from inventory.events import record_event
from inventory.ledger import rows_matched
from inventory.rmas import RmaKind, RmaStatus, flag_overdue_returns
from inventory.sla_flags import rederive_ahead_of
from inventory.sla_outcomes import clock_outcome, inspection_outcome, ticket_outcomes
from inventory.tickets import OPEN_STATUSES, TicketStatus
from inventory.transaction import transaction
from logistics.calendars import require_utc
from logistics.sla import (
    CLOCK_STOPS,
    Clock,
    ClockOutcome,
    EscalationDue,
    Verdict,
    escalation_due_steps,
)
from models import Complaint, Inspection, PartReturn, Rma, SweepFiring, Ticket
from models.enums import ReturnStatus

log = logging.getLogger(__name__)

ACTOR = "sla-sweep"
T, R = TicketStatus, RmaStatus
# a ticket climbs the ladder while it waits for someone (not once resolved: then it
# waits for the customer's confirmation)
ESCALATING = (T.NEW.value, T.ACKNOWLEDGED.value, T.DISPATCHED.value, T.ON_SITE.value)
# the clocks whose missed deadline the sweep records; whether one still runs is the clock
# table's to say (logistics.sla.CLOCK_STOPS, read through inventory.sla_outcomes), never
# the status: a reopened ticket is "dispatched" again, yet its engineer was on site in time
TICKET_BREACH_CLOCKS = (Clock.RESPONSE, Clock.ONSITE, Clock.RESTORE, Clock.REPLACEMENT)
RMA_BREACH_CLOCKS = (Clock.SPARE_REQUEST, Clock.SPARE_DELIVERY)
# the subjects whose clocks can still breach
LIVE_TICKETS = tuple(s.value for s in OPEN_STATUSES)
ENDED_RMAS = (R.CLOSED.value, R.CANCELLED.value, R.REJECTED.value)


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
    parts_overdue: list[str] = field(default_factory=list)  # removed parts not sent back in time
    reminders: list[Fired] = field(default_factory=list)
    breaches: list[Fired] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # subjects skipped (bad contract data …)
    withdrawn: list[str] = field(default_factory=list)  # flags the facts contradicted

    @property
    def fired(self) -> int:
        return (
            len(self.escalations)
            + len(self.overdue)
            + len(self.parts_overdue)
            + len(self.reminders)
            + len(self.breaches)
        )

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
    with transaction(session):  # flags a sweep "from the future" raised, held to the facts
        report.withdrawn = [
            f"{w.subject_ref} {w.flag}" for w in rederive_ahead_of(session, now, actor=actor)
        ]
    _escalate(session, now, actor, report)
    report.overdue = flag_overdue_returns(session, now=now, actor=actor)
    _flag_overdue_part_returns(session, now, actor, report)
    if reminder_hours > 0:
        _remind_returns(session, now, timedelta(hours=reminder_hours), actor, report)
    _flag_breaches(session, now, actor, report)
    _escalate_complaints(session, now, actor, report)
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


def _while(model: Any, row_id: int, *conditions: Any) -> Update:
    """A guard that changes nothing: it matches the row only while ``conditions`` hold."""
    return (
        update(model)
        .where(model.id == row_id, *conditions)
        .values(status=model.status)
        .execution_options(synchronize_session=False)
    )


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
        guard = _while(  # still waiting for the part at the same deadline
            Rma, r.id, Rma.status == R.DELIVERED.value, Rma.return_due_at == r.return_due_at
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


def _flag_overdue_part_returns(
    session: Session, now: datetime, actor: str, report: SweepReport
) -> None:
    """A removed part still with the engineer past its return rule's deadline: one
    ``part_return_overdue`` event per return and deadline (staff only; the list pages
    flag it as they show it)."""
    rows = session.execute(
        select(PartReturn.id, PartReturn.number, PartReturn.due_at)
        .where(PartReturn.status == ReturnStatus.OWED.value, PartReturn.due_at < now)
        .order_by(PartReturn.due_at, PartReturn.id)
        .limit(1000)
    ).all()
    fired = _already_fired(session, "part_return", [r.id for r in rows])
    session.rollback()
    for r in rows:
        if (r.id, "overdue", r.due_at) in fired:
            continue
        guard = _while(  # still with the engineer at the same deadline
            PartReturn,
            r.id,
            PartReturn.status == ReturnStatus.OWED.value,
            PartReturn.due_at == r.due_at,
        )
        event = {
            "kind": "part_return_overdue",
            "subject_ref": r.number,
            "actor": actor,
            "data": {"due_at": r.due_at.isoformat()},
        }
        if _fire(
            session, report, subject_type="part_return", subject_id=r.id, step="overdue",
            anchor_at=r.due_at, due_at=r.due_at, now=now, event=event, guard=guard,
        ):  # fmt: skip
            report.parts_overdue.append(r.number)


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


def _missed(outcomes: list[ClockOutcome], now: datetime) -> list[ClockOutcome]:
    """The clocks still running (nothing recorded stops them) past their deadline."""
    return [o for o in outcomes if not o.stopped and o.verdict(now) is Verdict.MISSED]


def breached_clocks(session: Session, now: datetime) -> list[_Breach]:
    """Every clock past its deadline at ``now`` whose awaited event has not happened, as
    the clock table says (``inventory.sla_outcomes``): a clock runs until a moment that
    stops it is recorded — a reopened ticket's restore clock stays met — on a live ticket
    or RMA (not closed, cancelled or rejected)."""
    out: list[_Breach] = []
    overdue = [getattr(Ticket, CLOCK_STOPS[clock].due) < now for clock in TICKET_BREACH_CLOCKS]
    tickets = list(
        session.scalars(
            select(Ticket).where(Ticket.status.in_(LIVE_TICKETS), or_(*overdue)).order_by(Ticket.id)
        )
    )
    rmas_of: dict[int | None, list[Rma]] = defaultdict(list)
    if tickets:
        for rma in session.scalars(
            select(Rma).where(Rma.ticket_id.in_([t.id for t in tickets])).order_by(Rma.id)
        ):
            rmas_of[rma.ticket_id].append(rma)
    for t in tickets:
        for o in _missed(ticket_outcomes(t, rmas_of[t.id], TICKET_BREACH_CLOCKS), now):
            out.append(
                _Breach("ticket", t.id, t.number, t.customer_id, o.clock, o.due_at, t.status)
            )
    overdue = [getattr(Rma, CLOCK_STOPS[clock].due) < now for clock in RMA_BREACH_CLOCKS]
    for r in session.scalars(
        select(Rma).where(Rma.status.not_in(ENDED_RMAS), or_(*overdue)).order_by(Rma.id)
    ):
        outcomes = [clock_outcome(clock, rma=r) for clock in RMA_BREACH_CLOCKS]
        for o in _missed([o for o in outcomes if o is not None], now):
            out.append(_Breach("rma", r.id, r.number, r.customer_id, o.clock, o.due_at, r.status))
    for ins in session.scalars(
        select(Inspection)
        .where(Inspection.report_due < now, Inspection.report_issued_at.is_(None))
        .order_by(Inspection.id)
    ):
        report = inspection_outcome(ins)
        if report is not None and not report.stopped:
            out.append(
                _Breach(
                    "inspection",
                    ins.id,
                    ins.number,
                    ins.customer_id,
                    report.clock,
                    report.due_at,
                    ins.status,
                )
            )
    return out


def _flag_breaches(session: Session, now: datetime, actor: str, report: SweepReport) -> None:
    breaches = breached_clocks(session, now)
    fired = {
        kind: _already_fired(
            session, kind, [b.subject_id for b in breaches if b.subject_type == kind]
        )
        for kind in ("ticket", "rma", "inspection")
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


# -- customer problems ----------------------------------------------------------------------

# the rung of the ladder a customer problem's missed clock goes to: the department head
COMPLAINT_LEVEL = 1


def _escalate_complaints(session: Session, now: datetime, actor: str, report: SweepReport) -> None:
    breaches = [
        (c.id, c.number, c.customer_id, c.status, c.urgency, clock, due,
         c.department.code if c.department else None,
         c.department.head_name if c.department else None)
        for c, clock, due in open_breaches(session, now)
    ]  # fmt: skip
    fired = _already_fired(session, "complaint", [b[0] for b in breaches])
    session.rollback()
    for cid, number, customer_id, status, urgency, clock, due, dept, head in breaches:
        step = f"breach:{clock.value}"
        if (cid, step, due) in fired:
            continue
        guard = (  # still open
            update(Complaint)
            .where(Complaint.id == cid, Complaint.status.in_(OPEN_COMPLAINTS))
            .values(
                escalation_level=case(
                    (Complaint.escalation_level < COMPLAINT_LEVEL, COMPLAINT_LEVEL),
                    else_=Complaint.escalation_level,
                )
            )
            .execution_options(synchronize_session=False)
        )
        event = {
            "kind": "escalated",
            "subject_ref": number,
            "customer_id": customer_id,
            "actor": actor,
            "customer_visible": False,
            "data": {
                "level": COMPLAINT_LEVEL,
                "who": head or "department head",
                "department": dept,
                "clock": clock.value,
                "due_at": due.isoformat(),
                "status": status,
                "urgency": urgency,
            },
        }
        if _fire(
            session, report, subject_type="complaint", subject_id=cid, step=step,
            anchor_at=due, due_at=due, now=now, event=event, guard=guard,
        ):  # fmt: skip
            report.escalations.append(Fired("complaint", number, step, due))
