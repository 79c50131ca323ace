"""SLA outcomes of stored tickets and RMAs, read through ``logistics.sla.CLOCK_STOPS``.

The one adapter between the clock table and the rows: the dispatcher's board, the
engineer's jobs and the customer documents all ask it which clocks a ticket has, when
each is due and what stopped it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from inventory.contracts import contract_calendar, sla_policy
from logistics.sla import CLOCK_STOPS, COMPLAINT_CLOCKS, Basis, Clock, ClockOutcome
from models import Complaint, Inspection, Rma, Ticket
from models.enums import RmaKind, RmaStatus

# The clocks the dispatch board and the engineer's jobs show, in that order.
BOARD_CLOCKS = (Clock.RESPONSE, Clock.ONSITE, Clock.RESTORE)
# The clocks a ticket's fault handling report gives, in printed order.
REPORT_CLOCKS = (*BOARD_CLOCKS, Clock.REPLACEMENT, Clock.SPARE_REQUEST, Clock.FAULTY_RETURN)
_ENDED = (RmaStatus.CANCELLED.value, RmaStatus.REJECTED.value)


def advance_replacement(rmas: Sequence[Rma]) -> Rma | None:
    """The advance replacement that stands for a ticket: the newest not cancelled or
    rejected (`rmas` oldest first)."""
    live = [
        r for r in rmas if r.kind == RmaKind.ADVANCE_REPLACEMENT.value and r.status not in _ENDED
    ]
    return live[-1] if live else None


def clock_outcome(
    clock: Clock,
    ticket: Ticket | None = None,
    rma: Rma | None = None,
    complaint: Complaint | None = None,
) -> ClockOutcome | None:
    """`clock` of the given records (`rma`: the RMA, or a ticket's advance replacement;
    `complaint`: a customer problem); None when the clock does not apply (no deadline
    kept, or its record is missing)."""
    stop = CLOCK_STOPS[clock]
    records = {"ticket": ticket, "rma": rma, "complaint": complaint}
    holder, stopper = records[stop.due_on], records[stop.stopped_on]
    due = getattr(holder, stop.due) if holder is not None else None
    if due is None or stopper is None:
        return None
    moments = [m for m in (getattr(stopper, name) for name in stop.stopped_by) if m is not None]
    started = ticket.clock_start if ticket is not None and stop.due_on == "ticket" else None
    if complaint is not None and stop.due_on == "complaint":
        started = complaint.received_at
    return ClockOutcome(clock, due, min(moments, default=None), started)


def ticket_outcomes(
    ticket: Ticket, rmas: Sequence[Rma] = (), clocks: Sequence[Clock] = REPORT_CLOCKS
) -> list[ClockOutcome]:
    """The `clocks` of a ticket and of its advance replacement among `rmas`, in order;
    the ones that do not apply are left out."""
    replacement = advance_replacement(rmas)
    found = (clock_outcome(clock, ticket, replacement) for clock in clocks)
    return [outcome for outcome in found if outcome is not None]


def inspection_outcome(inspection: Inspection) -> ClockOutcome | None:
    """The inspection report clock of a signed inspection (None before the signature)."""
    stop = CLOCK_STOPS[Clock.INSPECTION_REPORT]
    due = getattr(inspection, stop.due)
    if due is None:
        return None
    moments = [getattr(inspection, name) for name in stop.stopped_by]
    done = min((m for m in moments if m is not None), default=None)
    return ClockOutcome(Clock.INSPECTION_REPORT, due, done, inspection.signed_at)


def complaint_outcomes(complaint: Complaint) -> list[ClockOutcome]:
    """A customer problem's clocks (response, resolution), in order."""
    found = (clock_outcome(clock, complaint=complaint) for clock in COMPLAINT_CLOCKS)
    return [outcome for outcome in found if outcome is not None]


@dataclass(frozen=True)
class ClockPause:
    """A running clock that counts only service hours, outside them now: it stands still
    with ``minutes_left`` of service time until ``resumes_at`` (UTC)."""

    resumes_at: datetime
    minutes_left: float


def clock_pause(ticket: Ticket, outcome: ClockOutcome, now: datetime) -> ClockPause | None:
    """Whether ``outcome`` (a clock of ``ticket``) stands still at ``now``: it runs, counts
    the contract's coverage hours, its deadline is still ahead, and coverage is closed."""
    if outcome.stopped or outcome.due_at <= now:
        return None
    try:
        basis = sla_policy(ticket.contract).basis(Clock(outcome.clock))
    except ValueError:
        return None
    if basis is not Basis.COVERAGE:
        return None
    calendar = contract_calendar(ticket.contract)
    if calendar.is_open(now):
        return None
    return ClockPause(
        calendar.next_open(now), calendar.working_minutes_between(now, outcome.due_at)
    )
