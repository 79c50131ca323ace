"""Fault tickets (故障申报): opening with SLA clocks, and the one table of allowed moves.

Lifecycle: new → acknowledged → dispatched → on_site → resolved → closed (the customer
confirms and rates), plus cancelled; a resolved ticket the customer does not confirm goes
back to dispatched. Every move is a compare-and-set on the status (the database decides
when two people act at once) and an event. Clocks come from ``logistics.sla`` on the
contract's calendar and are stored on the ticket when it is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.contracts import contract_calendar, contract_for, sla_policy
from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.events import record_about
from inventory.installed_base import site_by_code
from inventory.knowledge import propose_in_session
from inventory.lookups import engineer_by_code, part_by_number, ticket_by_ref
from inventory.numbering import next_number
from inventory.rmas import cancel_open_rmas_of_ticket
from inventory.serials import normalize_optional_serial
from inventory.sla_flags import rederive_flags
from inventory.status import update_if_status
from inventory.transaction import transaction
from inventory.views import view_of
from logistics.calendars import require_utc
from logistics.sla import Channel, Severity, compute_clocks
from models import Engineer, Equipment, Survey, Ticket, utcnow
from models.enums import TicketStatus

S = TicketStatus


@dataclass(frozen=True)
class Move:
    """An allowed move: from any of `sources` to `target`; `customer_visible` puts it on
    the customer's timeline."""

    sources: frozenset[str]
    target: str
    customer_visible: bool = True


# The one table of allowed ticket moves, keyed by action.
TICKET_MOVES: MappingProxyType[str, Move] = MappingProxyType(
    {
        "acknowledge": Move(frozenset({S.NEW}), S.ACKNOWLEDGED),
        "dispatch": Move(frozenset({S.NEW, S.ACKNOWLEDGED}), S.DISPATCHED),
        "arrive": Move(frozenset({S.DISPATCHED}), S.ON_SITE),
        "resolve": Move(frozenset({S.ON_SITE}), S.RESOLVED),
        "close": Move(frozenset({S.RESOLVED}), S.CLOSED),
        "reopen": Move(frozenset({S.RESOLVED}), S.DISPATCHED),
        "cancel": Move(frozenset({S.NEW, S.ACKNOWLEDGED, S.DISPATCHED}), S.CANCELLED),
    }
)
# The named status sets: every "which tickets are ..." question reads one of these.
OPEN_STATUSES = frozenset({S.NEW, S.ACKNOWLEDGED, S.DISPATCHED, S.ON_SITE, S.RESOLVED})
WAITING_FOR_DISPATCH = (S.NEW.value, S.ACKNOWLEDGED.value)  # the "dispatch" move's sources
BEFORE_ARRIVAL = (*WAITING_FOR_DISPATCH, S.DISPATCHED.value)  # no engineer on site yet
ENGINEER_BUSY_STATUSES = (S.DISPATCHED.value, S.ON_SITE.value)
ENGINEER_JOB_STATUSES = (*ENGINEER_BUSY_STATUSES, S.RESOLVED.value)  # on the engineer's list
assert frozenset(WAITING_FOR_DISPATCH) == TICKET_MOVES["dispatch"].sources
# the timestamp column each target status stamps
_STAMPS = {
    S.ACKNOWLEDGED: "acknowledged_at",
    S.DISPATCHED: "dispatched_at",
    S.ON_SITE: "onsite_at",
    S.RESOLVED: "resolved_at",
    S.CLOSED: "closed_at",
    S.CANCELLED: "cancelled_at",
}
RATING_QUESTIONS = ("response_time", "quality", "attitude", "overall")


def can_move(status: str, action: str) -> bool:
    move = TICKET_MOVES.get(action)
    return move is not None and status in move.sources


@dataclass(frozen=True)
class TicketView:
    id: int
    number: str
    status: str
    customer_code: str
    site_code: str
    site_name: str
    equipment_serial: str | None
    part_number: str | None
    contract_code: str | None
    severity: str
    channel: str
    symptom: str
    contact_name: str | None
    contact_phone: str | None
    reported_by: str
    engineer_id: int | None
    engineer_name: str | None
    opened_at: datetime
    clock_start: datetime
    response_due: datetime
    onsite_due: datetime | None
    restore_due: datetime
    replacement_due: datetime
    spare_request_due: datetime
    travel_minutes: float | None
    acknowledged_at: datetime | None
    dispatched_at: datetime | None
    onsite_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    cancelled_at: datetime | None
    escalation_level: int
    resolution: str | None
    allowed_actions: list[str]


def ticket_view(t: Ticket) -> TicketView:
    return view_of(
        TicketView,
        t,
        customer_code=t.customer.code,
        site_code=t.site.code,
        site_name=t.site.name,
        part_number=t.part.part_number if t.part else None,
        contract_code=t.contract.code if t.contract else None,
        engineer_name=t.engineer.name if t.engineer else None,
        allowed_actions=[a for a, m in TICKET_MOVES.items() if t.status in m.sources],
    )


def open_ticket_in_session(
    session: Session,
    *,
    site_code: str,
    severity: str,
    channel: str,
    symptom: str,
    actor: str,
    equipment_serial: str | None = None,
    part_number: str | None = None,
    contract_code: str | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    customer_id: int | None = None,
    travel_minutes: float | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Open a ticket and store its clocks (no commit).

    `customer_id`, when given, is the only customer the caller may open tickets for.
    `travel_minutes` is the drive of the nearest suitable engineer to the site (the
    on-site promise is that + the contract's 1 h); unknown leaves `onsite_due` empty.
    """
    now = require_utc(now or utcnow(), "now")
    try:
        severity = Severity(severity).value
    except ValueError:
        raise InvalidInput(
            "severity must be P1, P2, P3 or P4", field="severity", key="severity_choice"
        ) from None
    try:
        channel = Channel(channel).value
    except ValueError:
        raise InvalidInput(
            "channel must be phone, fax, email or web", field="channel", key="channel_choice"
        ) from None
    site = site_by_code(session, site_code)
    if customer_id is not None and site.customer_id != customer_id:
        raise NotFound.unknown(
            "site", site_code, field="site"
        )  # never confirm another customer's site
    equipment = None
    equipment_serial = normalize_optional_serial(equipment_serial)
    if equipment_serial:
        equipment = session.scalar(
            select(Equipment).where(
                Equipment.serial == equipment_serial, Equipment.site_id == site.id
            )
        )
        if equipment is None:
            raise InvalidInput(
                f"no installed equipment {equipment_serial!r} at {site.code}",
                field="equipment_serial",
                key="no_equipment_at_site",
                params={"serial": equipment_serial, "site": site.code},
            )
    part = (
        part_by_number(session, part_number)
        if part_number
        else (equipment.part if equipment else None)
    )
    contract = contract_for(session, site.customer_id, equipment, contract_code)
    policy = sla_policy(contract)
    calendar = contract_calendar(contract, site.timezone, session=session)
    clocks = compute_clocks(now, severity, channel, policy, calendar, travel_minutes=travel_minutes)
    ticket = Ticket(
        number=next_number(session, "TKT", now),
        status=S.NEW.value,
        customer_id=site.customer_id,
        site_id=site.id,
        equipment_id=equipment.id if equipment else None,
        contract_id=contract.id if contract else None,
        part_id=part.id if part else None,
        equipment_serial=equipment_serial,
        severity=severity,
        channel=channel,
        symptom=symptom,
        contact_name=contact_name,
        contact_phone=contact_phone,
        reported_by=actor,
        travel_minutes=travel_minutes,
        opened_at=now,
        clock_start=clocks.clock_start,
        response_due=clocks.response_due,
        onsite_due=clocks.onsite_due,
        restore_due=clocks.restore_due,
        replacement_due=clocks.replacement_due,
        spare_request_due=clocks.spare_request_due,
        last_progress_at=now,
    )
    session.add(ticket)
    session.flush()
    record_about(
        session,
        ticket,
        "opened",
        to_state=S.NEW.value,
        actor=actor,
        at=now,
        customer_visible=True,
        data={
            "severity": severity,
            "channel": channel,
            "response_due": clocks.response_due.isoformat(),
            "onsite_due": clocks.onsite_due.isoformat() if clocks.onsite_due else None,
            "restore_due": clocks.restore_due.isoformat(),
        },
    )
    return ticket


def move_ticket_in_session(
    session: Session,
    ticket: Ticket,
    action: str,
    *,
    actor: str,
    now: datetime | None = None,
    note: str | None = None,
    data: dict | None = None,
    values: dict | None = None,
) -> Ticket:
    """Apply one move of the table (no commit): a compare-and-set on the status, the
    move's timestamp, and an event. Raises Conflict for a move the table does not allow
    from the ticket's status, or when someone else moved the ticket first."""
    move = TICKET_MOVES.get(action)
    if move is None:
        raise InvalidInput.unknown("action", action, noun="ticket action", field="action")
    if ticket.status not in move.sources:
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}; it cannot {action}",
            field="status",
            details={"current_status": ticket.status, "action": action},
            key="ticket_cannot",
            params={"ref": ticket.number, "ticket_status": ticket.status},
        )
    now = require_utc(now or utcnow(), "now")
    changes = {
        "status": move.target,
        "last_progress_at": now,
        "escalation_level": 0,
        **(values or {}),
    }
    stamp = _STAMPS.get(TicketStatus(move.target))
    if stamp:
        changes[stamp] = now
    if not update_if_status(session, ticket, ticket.status, changes):
        raise Conflict(
            f"ticket {ticket.number} was changed by someone else; reload it",
            field="status",
            key="changed_meanwhile",
            params={"ref": ticket.number},
        )
    previous = ticket.status
    session.refresh(ticket)
    record_about(
        session,
        ticket,
        action,
        from_state=previous,
        to_state=move.target,
        actor=actor,
        at=now,
        customer_visible=move.customer_visible,
        note=note,
        data=data,
    )
    rederive_flags(session, now=now, actor=actor, ticket=ticket)  # the new fact may clear one
    return ticket


def _commit_view(session: Session, fn) -> TicketView:
    with transaction(session):
        ticket = fn()
        view = ticket_view(ticket)
        return view


def open_ticket(session: Session, **kwargs) -> TicketView:
    """Open a ticket (see `open_ticket_in_session`) and commit."""
    return _commit_view(session, lambda: open_ticket_in_session(session, **kwargs))


def move_ticket(
    session: Session,
    ref: str | int,
    action: str,
    *,
    actor: str,
    now: datetime | None = None,
    note: str | None = None,
    resolution: str | None = None,
) -> TicketView:
    """One move by action name (acknowledge, arrive, resolve, reopen); commits."""
    if action in ("close", "cancel", "dispatch"):
        raise InvalidInput(
            f"use the {action} call, it needs more than the action name",
            field="action",
            key="action_needs_call",
            params={"action": action},
        )

    def run():
        ticket = ticket_by_ref(session, ref)
        values = {"resolution": resolution} if action == "resolve" and resolution else None
        # a resolved ticket waits for the customer: confirm the fix and answer the survey
        data = (
            {"confirmation_requested": True, "survey": list(RATING_QUESTIONS)}
            if action == "resolve"
            else None
        )
        return move_ticket_in_session(
            session, ticket, action, actor=actor, now=now, note=note, values=values, data=data
        )

    return _commit_view(session, run)


def cancel_ticket(
    session: Session, ref: str | int, *, actor: str, reason: str, now: datetime | None = None
) -> TicketView:
    """Cancel a ticket and any RMA it opened that has not shipped (the reservation goes
    back to free stock); commits. An RMA already shipped makes the cancel a Conflict."""

    def run():
        ticket = ticket_by_ref(session, ref)
        moved = move_ticket_in_session(session, ticket, "cancel", actor=actor, now=now, note=reason)
        cancel_open_rmas_of_ticket(session, ticket, actor=actor, reason=reason, now=now)
        return moved

    return _commit_view(session, run)


def change_severity(
    session: Session, ref: str | int, severity: str, *, actor: str, reason: str | None = None
) -> TicketView:
    """Re-grade a ticket: its response and restore clocks are recomputed from when it was
    opened, on the contract's calendar; an event records old and new. Commits."""

    def run():
        ticket = ticket_by_ref(session, ref)
        if ticket.status not in OPEN_STATUSES - {S.RESOLVED}:
            raise Conflict(
                f"ticket {ticket.number} is {ticket.status}; its severity is settled",
                field="status",
                key="ticket_severity_settled",
                params={"ref": ticket.number, "ticket_status": ticket.status},
            )
        try:
            new = Severity(severity).value
        except ValueError:
            raise InvalidInput(
                "severity must be P1, P2, P3 or P4", field="severity", key="severity_choice"
            ) from None
        old = ticket.severity
        if new == old:
            return ticket
        policy = sla_policy(ticket.contract)
        calendar = contract_calendar(ticket.contract, ticket.site.timezone, session=session)
        clocks = compute_clocks(
            ticket.opened_at,
            new,
            ticket.channel,
            policy,
            calendar,
            travel_minutes=ticket.travel_minutes,
        )
        ticket.severity = new
        ticket.response_due = clocks.response_due
        ticket.restore_due = clocks.restore_due
        ticket.replacement_due = clocks.replacement_due
        ticket.last_progress_at = utcnow()
        record_about(
            session,
            ticket,
            "severity_changed",
            actor=actor,
            customer_visible=True,
            note=reason,
            data={"from": old, "to": new, "restore_due": clocks.restore_due.isoformat()},
        )
        # a later deadline may leave a recorded breach without ground
        rederive_flags(session, now=ticket.last_progress_at, actor=actor, ticket=ticket)
        return ticket

    return _commit_view(session, run)


def assign_engineer_in_session(
    session: Session, ticket: Ticket, engineer: Engineer, *, actor: str, now: datetime | None = None
) -> None:
    """Record who goes (no commit); a change of engineer is its own event."""
    if ticket.engineer_id == engineer.id:
        return
    previous = ticket.engineer_id
    ticket.engineer_id = engineer.id
    session.flush()
    record_about(
        session,
        ticket,
        "assigned" if previous is None else "reassigned",
        actor=actor,
        at=now,
        customer_visible=False,
        data={
            "engineer_id": engineer.id,
            "engineer": engineer.code,
            "previous_engineer_id": previous,
        },
    )


def reassign_engineer(
    session: Session, ref: str | int, engineer_code: str, *, actor: str
) -> TicketView:
    """Send another engineer to a dispatched ticket; commits."""

    def run():
        ticket = ticket_by_ref(session, ref)
        if ticket.status not in (S.DISPATCHED, S.ON_SITE):
            raise Conflict(
                f"ticket {ticket.number} is {ticket.status}; only a dispatched ticket is reassigned",
                field="status",
                key="ticket_not_dispatched",
                params={"ref": ticket.number, "ticket_status": ticket.status},
            )
        engineer = engineer_by_code(session, engineer_code)
        assign_engineer_in_session(session, ticket, engineer, actor=actor)
        return ticket

    return _commit_view(session, run)


def close_ticket(
    session: Session,
    ref: str | int,
    *,
    actor: str,
    confirmed: bool,
    ratings: dict[str, int | None] | None = None,
    comment: str | None = None,
    customer_id: int | None = None,
    now: datetime | None = None,
) -> TicketView:
    """The customer's answer to "is it fixed?": confirmed closes the ticket and stores the
    satisfaction survey (0–5 per question, a question may be left out), proposes a
    knowledge-base article from the ticket and closes its RMAs that have nothing left to
    do; not confirmed sends it back to the engineer (reopen). Commits."""
    ratings = ratings or {}
    for question, value in ratings.items():
        if question not in RATING_QUESTIONS:
            raise InvalidInput.unknown("survey_question", question, field=question)
        if value is not None and not 0 <= int(value) <= 5:
            raise InvalidInput("ratings are 0 to 5", field=question, key="rating_range")

    def run():
        ticket = ticket_by_ref(session, ref, customer_id=customer_id)
        if not confirmed:
            return move_ticket_in_session(
                session, ticket, "reopen", actor=actor, now=now, note=comment
            )
        moved = move_ticket_in_session(
            session,
            ticket,
            "close",
            actor=actor,
            now=now,
            data={q: ratings.get(q) for q in RATING_QUESTIONS},
        )
        from inventory.rmas import close_finished_rmas_of_ticket

        close_finished_rmas_of_ticket(session, ticket, actor=actor, now=now)
        session.add(
            Survey(
                ticket_id=ticket.id,
                confirmed=True,
                comment=comment,
                submitted_by=actor,
                submitted_at=require_utc(now or utcnow()),
                **{q: ratings.get(q) for q in RATING_QUESTIONS},
            )
        )
        session.flush()
        propose_in_session(session, moved, actor=actor, now=now)
        return moved

    return _commit_view(session, run)
