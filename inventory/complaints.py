"""Customer problems and complaints (客户问题记录表 / 客户问题回馈记录) and their clocks.

A customer (on their pages) or a member of staff (taking a call) records a **request** or a
**complaint** with its urgency (normal / urgent / very urgent). When it is received its two
clocks start (``logistics.sla``: ``complaint_response`` and ``complaint_resolution``, hours
by urgency from the customer's contract, else the shipped defaults):

* ``received`` → ``in_progress`` — **respond**: the department it is sent to, the planned
  measures and the expected resolution date (stops the response clock);
* any entry of the **supervision log** (督办记录) — staff only, an event ``supervision``;
* → ``resolved`` — the resolution (stops both clocks; a problem resolved at once was
  answered too);
* ``resolved`` → ``closed`` — the **customer's opinion** with a 1–5 rating of the handling.

A clock that runs out is escalated to the department head by the SLA sweep
(``inventory.sweep``), once per clock. Every step is an event of subject ``complaint``; the
customer sees the ones marked visible (never the supervision log).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.contracts import contract_calendar, contract_for, sla_policy
from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.events import events_of, record_on
from inventory.installed_base import customer_by_code
from inventory.lookups import one_by, refuse_taken, ticket_by_ref
from inventory.numbering import next_number
from inventory.sla_outcomes import complaint_outcomes
from inventory.status import update_if_status
from inventory.transaction import transaction
from inventory.views import view_of
from logistics.calendars import require_utc
from logistics.sla import Channel, Clock, Urgency, Verdict, complaint_clocks
from models import Complaint, Department, Event, limits, utcnow
from models.complaints import COMPLAINT_KINDS, COMPLAINT_STATUSES

# A customer problem can also be raised in person during a visit.
CHANNELS = (*(c.value for c in Channel), "visit")
URGENCIES = tuple(u.value for u in Urgency)
RECEIVED, IN_PROGRESS, RESOLVED, CLOSED = COMPLAINT_STATUSES
OPEN = (RECEIVED, IN_PROGRESS)  # its clocks can still run out
EVENT_KINDS = ("received", "responded", "supervision", "resolved", "closed", "escalated")


@dataclass(frozen=True)
class ComplaintClock:
    clock: str
    due_at: datetime
    completed_at: datetime | None
    verdict: str  # met | missed | pending


@dataclass(frozen=True)
class ComplaintEntry:
    at: datetime
    kind: str
    actor: str
    text: str | None


@dataclass(frozen=True)
class ComplaintView:
    number: str
    customer: str
    customer_name: str
    ticket: str | None
    kind: str
    urgency: str
    status: str
    subject: str
    description: str
    contact_name: str | None
    contact_phone: str | None
    channel: str
    received_by: str
    received_at: datetime
    department: str | None
    department_name: str | None
    department_head: str | None
    planned_measures: str | None
    expected_resolution_date: date | None
    response_due: datetime
    resolution_due: datetime
    responded_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None
    closed_at: datetime | None
    customer_opinion: str | None
    satisfaction: int | None
    escalation_level: int
    clocks: tuple[ComplaintClock, ...]


@dataclass(frozen=True)
class DepartmentView:
    code: str
    name: str
    name_en: str | None
    head_name: str
    head_email: str | None
    active: bool


# --- reading ---------------------------------------------------------------------------------


def complaint_clocks_of(c: Complaint, now: datetime) -> tuple[ComplaintClock, ...]:
    """The complaint's clocks as the clock table reads them (``inventory.sla_outcomes``)."""
    return tuple(
        ComplaintClock(str(o.clock), o.due_at, o.completed_at, o.verdict(now).value)
        for o in complaint_outcomes(c)
    )


def complaint_view(c: Complaint, now: datetime | None = None) -> ComplaintView:
    now = now or utcnow()
    ticket_number = c.ticket.number if c.ticket is not None else None
    dept = c.department
    return view_of(
        ComplaintView,
        c,
        customer=c.customer.code,
        customer_name=c.customer.name,
        ticket=ticket_number,
        department=dept.code if dept else None,
        department_name=dept.name if dept else None,
        department_head=dept.head_name if dept else None,
        clocks=complaint_clocks_of(c, now),
    )


def complaint_by_number(
    session: Session, number: str, *, customer_id: int | None = None
) -> Complaint:
    """The complaint ``number``; for a customer (``customer_id``) only their own — another
    customer's answers exactly like a number that does not exist."""
    c = session.scalar(select(Complaint).where(Complaint.number == number))
    if c is None or (customer_id is not None and c.customer_id != customer_id):
        raise NotFound.unknown("complaint", number, field="number")
    return c


def list_complaints(
    session: Session,
    *,
    customer_id: int | None = None,
    status: str | None = None,
    open_only: bool = False,
    limit: int = 500,
) -> list[Complaint]:
    """Newest first; a customer's own only when ``customer_id`` is given."""
    stmt = select(Complaint).order_by(Complaint.id.desc()).limit(limit)
    if customer_id is not None:
        stmt = stmt.where(Complaint.customer_id == customer_id)
    if status:
        if status not in COMPLAINT_STATUSES:
            raise InvalidInput(
                f"status must be one of {', '.join(COMPLAINT_STATUSES)}",
                field="status",
                key="row.condition",
                params={"choices": ", ".join(COMPLAINT_STATUSES)},
            )
        stmt = stmt.where(Complaint.status == status)
    if open_only:
        stmt = stmt.where(Complaint.status.in_(OPEN))
    return list(session.scalars(stmt))


def complaint_log(session: Session, c: Complaint, *, for_customer: bool) -> list[ComplaintEntry]:
    """What happened to the complaint, oldest first: the customer reads the visible steps,
    staff also the supervision log and the escalations."""
    events: list[Event] = events_of(session, "complaint", c.id, customer_visible_only=for_customer)
    out = []
    for e in events:
        data = e.data or {}
        text = data.get("text")
        if e.kind == "escalated":
            text = data.get("who")
        out.append(ComplaintEntry(e.at, e.kind, e.actor, text))
    return out


# --- departments -----------------------------------------------------------------------------


def department_view(d: Department) -> DepartmentView:
    return DepartmentView(d.code, d.name, d.name_en, d.head_name, d.head_email, d.active)


def list_departments(session: Session, *, active_only: bool = False) -> list[Department]:
    stmt = select(Department).order_by(Department.code)
    if active_only:
        stmt = stmt.where(Department.active)
    return list(session.scalars(stmt))


def create_department(
    session: Session,
    *,
    code: str,
    name: str,
    head_name: str,
    actor: str,
    head_email: str | None = None,
    name_en: str | None = None,
) -> DepartmentView:
    code = (code or "").strip()
    for field_name, value, limit in (
        ("code", code, limits.CODE),
        ("name", (name or "").strip(), limits.ORG_NAME),
        ("head_name", (head_name or "").strip(), limits.PERSON_NAME),
    ):
        if not value:
            raise InvalidInput(f"{field_name} is required", field=field_name, key="required")
        if len(value) > limit:
            raise InvalidInput(
                f"{field_name} is longer than {limit}",
                field=field_name,
                key="text_too_long",
                params={"n": limit},
            )
    if head_email and "@" not in head_email:
        raise InvalidInput(
            "head_email is not an e-mail address", field="head_email", key="email_invalid"
        )
    with transaction(session):
        refuse_taken(session, Department.code, code, "department", field="code")
        d = Department(
            code=code,
            name=name.strip(),
            name_en=(name_en or "").strip() or None,
            head_name=head_name.strip(),
            head_email=(head_email or "").strip() or None,
        )
        session.add(d)
        session.flush()
        record_on(
            session,
            "department",
            d,
            "created",
            actor=actor,
            ref=d.code,
            data={"name": d.name, "head_name": d.head_name},
        )
        view = department_view(d)
    return view


# --- the steps -------------------------------------------------------------------------------


def _text(value: str | None, field: str, limit: int, *, required: bool) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidInput(f"{field} is required", field=field, key="required")
        return None
    if len(text) > limit:
        raise InvalidInput(
            f"{field} is longer than {limit} characters",
            field=field,
            key="text_too_long",
            params={"n": limit},
        )
    return text


def _one_of(value: str | None, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise InvalidInput(
            f"{field} must be one of {', '.join(allowed)}",
            field=field,
            key="row.condition",
            params={"choices": ", ".join(allowed)},
        )
    return value


def file_complaint(
    session: Session,
    *,
    kind: str,
    urgency: str,
    subject: str,
    description: str,
    actor: str,
    customer_code: str | None = None,
    customer_id: int | None = None,
    channel: str = "web",
    contact_name: str | None = None,
    contact_phone: str | None = None,
    ticket_ref: str | None = None,
    received_at: datetime | None = None,
    now: datetime | None = None,
) -> ComplaintView:
    """Record a customer problem as received by ``actor`` at ``received_at`` (default: now,
    UTC) and start its clocks. A customer files for themselves (``customer_id``); staff name
    the customer (``customer_code``)."""
    now = require_utc(now, "now") if now else utcnow()
    received_at = require_utc(received_at, "received_at") if received_at else now
    if received_at > now:
        raise InvalidInput(
            "received_at is in the future", field="received_at", key="cpl.received_future"
        )
    kind = _one_of(kind, COMPLAINT_KINDS, "kind")
    urgency = _one_of(urgency, URGENCIES, "urgency")
    channel = _one_of(channel, CHANNELS, "channel")
    subject_text = _text(subject, "subject", limits.REASON, required=True)
    body = _text(description, "description", limits.LONG_TEXT, required=True)
    name = _text(contact_name, "contact_name", limits.PERSON_NAME, required=False)
    phone = _text(contact_phone, "contact_phone", limits.PHONE, required=False)
    if customer_id is None:
        if not customer_code:
            raise InvalidInput("customer is required", field="customer", key="required")
        customer_id = customer_by_code(session, customer_code, field="customer").id
    ticket_id = None
    if ticket_ref:
        ticket_id = ticket_by_ref(session, ticket_ref, field="ticket", customer_id=customer_id).id
    contract = contract_for(session, customer_id, None, None)
    policy = sla_policy(contract)
    due = complaint_clocks(
        received_at, urgency, policy, contract_calendar(contract, session=session)
    )
    with transaction(session):
        c = Complaint(
            number=next_number(session, "CPL", received_at),
            customer_id=customer_id,
            ticket_id=ticket_id,
            contract_id=contract.id if contract else None,
            kind=kind,
            urgency=urgency,
            status=RECEIVED,
            subject=subject_text,
            description=body,
            contact_name=name,
            contact_phone=phone,
            channel=channel,
            received_by=actor,
            received_at=received_at,
            response_due=due[Clock.COMPLAINT_RESPONSE],
            resolution_due=due[Clock.COMPLAINT_RESOLUTION],
            escalation_level=0,
        )
        session.add(c)
        session.flush()
        _event(session, c, "received", actor, at=received_at, to_state=RECEIVED,
               data={"kind": kind, "urgency": urgency, "channel": channel})  # fmt: skip
        view = complaint_view(c, now)
    return view


def _event(
    session: Session,
    c: Complaint,
    kind: str,
    actor: str,
    *,
    at: datetime,
    visible: bool = True,
    from_state: str | None = None,
    to_state: str | None = None,
    data: dict | None = None,
) -> Event:
    return record_on(
        session,
        "complaint",
        c,
        kind,
        actor=actor,
        customer_id=c.customer_id,
        at=at,
        customer_visible=visible,
        from_state=from_state,
        to_state=to_state,
        data=data,
    )


def _move(session: Session, c: Complaint, allowed: tuple[str, ...], values: dict) -> None:
    """Compare-and-set of the status: the complaint must still be in one of ``allowed``."""
    if not update_if_status(session, c, allowed, values):
        session.rollback()
        raise Conflict(
            f"complaint {c.number} is {c.status}; it cannot be changed so",
            field="status",
            key="cpl.cannot",
            params={"ref": c.number, "complaint_status": c.status},
        )
    session.refresh(c)


def respond(
    session: Session,
    number: str,
    *,
    department_code: str,
    planned_measures: str,
    actor: str,
    expected_resolution_date: date | None = None,
    now: datetime | None = None,
) -> ComplaintView:
    """Send the problem to a department with the planned measures and the expected
    resolution date (the answer to the customer: stops the response clock). Sent again
    while in progress, it changes the department and the plan."""
    now = require_utc(now, "now") if now else utcnow()
    measures = _text(planned_measures, "planned_measures", limits.LONG_TEXT, required=True)
    c = complaint_by_number(session, number)
    dept = one_by(session, Department.code, department_code or "", "department", field="department")
    if not dept.active:
        raise InvalidInput(
            f"department {dept.code} is not active",
            field="department",
            key="cpl.department_inactive",
            params={"department": dept.code},
        )
    if expected_resolution_date is not None and expected_resolution_date < c.received_at.date():
        raise InvalidInput(
            "the expected resolution date is before the problem was received",
            field="expected_resolution_date",
            key="cpl.date_before_received",
        )
    first = c.responded_at is None
    with transaction(session):
        before = c.status
        values = {
            "status": IN_PROGRESS,
            "department_id": dept.id,
            "planned_measures": measures,
            "expected_resolution_date": expected_resolution_date,
        }
        if first:
            values |= {"responded_at": now, "responded_by": actor}
        _move(session, c, OPEN, values)
        _event(session, c, "responded", actor, at=now, from_state=before, to_state=IN_PROGRESS,
               data={"department": dept.code, "department_name": dept.name, "text": measures,
                     "expected_resolution_date": expected_resolution_date})  # fmt: skip
        view = complaint_view(c, now)
    return view


def supervise(
    session: Session, number: str, *, text: str, actor: str, now: datetime | None = None
) -> ComplaintView:
    """One entry of the supervision log (督办记录): who followed it up, when, and what was
    found or urged. Staff only; not shown to the customer."""
    now = require_utc(now, "now") if now else utcnow()
    note = _text(text, "text", limits.STAFF_NOTE, required=True)
    c = complaint_by_number(session, number)
    if c.status == CLOSED:
        raise Conflict(
            f"complaint {c.number} is closed",
            field="status",
            key="cpl.closed",
            params={"ref": c.number},
        )
    with transaction(session):
        _event(session, c, "supervision", actor, at=now, visible=False, data={"text": note})
        view = complaint_view(c, now)
    return view


def resolve(
    session: Session, number: str, *, resolution: str, actor: str, now: datetime | None = None
) -> ComplaintView:
    """The problem is resolved (stops its clocks); the customer is asked for their opinion."""
    now = require_utc(now, "now") if now else utcnow()
    text = _text(resolution, "resolution", limits.LONG_TEXT, required=True)
    c = complaint_by_number(session, number)
    with transaction(session):
        before = c.status
        _move(session, c, OPEN,
              {"status": RESOLVED, "resolved_at": now, "resolved_by": actor, "resolution": text})  # fmt: skip
        _event(session, c, "resolved", actor, at=now, from_state=before, to_state=RESOLVED,
               data={"text": text})  # fmt: skip
        view = complaint_view(c, now)
    return view


def record_opinion(
    session: Session,
    number: str,
    *,
    opinion: str | None,
    satisfaction: int | None,
    actor: str,
    customer_id: int | None = None,
    now: datetime | None = None,
) -> ComplaintView:
    """The customer's opinion of the resolution (客户意见) and a 1–5 rating; closes it."""
    now = require_utc(now, "now") if now else utcnow()
    text = _text(opinion, "opinion", limits.COMMENT, required=False)
    if satisfaction is not None and (
        isinstance(satisfaction, bool)
        or not isinstance(satisfaction, int)
        or not 1 <= satisfaction <= 5
    ):
        raise InvalidInput(
            "satisfaction must be 1 to 5", field="satisfaction", key="cpl.satisfaction"
        )
    if text is None and satisfaction is None:
        raise InvalidInput(
            "give an opinion or a rating", field="opinion", key="cpl.opinion_required"
        )
    c = complaint_by_number(session, number, customer_id=customer_id)
    with transaction(session):
        _move(session, c, (RESOLVED,),
              {"status": CLOSED, "closed_at": now, "customer_opinion": text,
               "satisfaction": satisfaction})  # fmt: skip
        _event(session, c, "closed", actor, at=now, from_state=RESOLVED, to_state=CLOSED,
               data={"text": text, "satisfaction": satisfaction})  # fmt: skip
        view = complaint_view(c, now)
    return view


def open_breaches(session: Session, now: datetime) -> list[tuple[Complaint, Clock, datetime]]:
    """(complaint, clock, due) of every clock of an open complaint past its deadline with
    nothing recorded that stops it — what the sweep escalates."""
    rows = session.scalars(
        select(Complaint)
        .where(
            Complaint.status.in_(OPEN),
            (Complaint.response_due < now) | (Complaint.resolution_due < now),
        )
        .order_by(Complaint.id)
    )
    out = []
    for c in rows:
        for o in complaint_outcomes(c):
            if not o.stopped and o.verdict(now) is Verdict.MISSED:
                out.append((c, Clock(o.clock), o.due_at))
    return out
