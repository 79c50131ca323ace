"""The audit trail of one object: who changed it, when, from what to what.

Every change is an event (``models.Event``, recorded with ``inventory.events.record_event``
in the same transaction as the change). An object is named the way people name it — a
part number, a depot code, a ticket number — and resolved here to the subject the events
were recorded against, so an unknown name is a NotFound rather than an empty list.

A serial item's trail also holds its ledger movements (what moved, from where, to where,
by whom), interleaved with its events in time order: one listing answers "who touched
this unit".

Subjects and the event kinds recorded against them:

| subject_type | named by | kinds |
|---|---|---|
| part | part number | created, policy_set, counted (a cycle count); counted stock: received, adjusted, scrapped, reserved, released |
| serial_item | serial (part number when two parts share it) | received, scrapped, reserved, released (+ movements) |
| depot | depot code | created, updated, deactivated, reactivated |
| customer / site / contract | code | created, updated |
| equipment | equipment serial | registered |
| transfer | TRF number | shipped, received |
| delivery | delivery reference (or the id of its first movement when it had none) | imported |
| job | job id (route plans) | queued, started, succeeded, failed |
| calendar | country code (CN) | day_added, day_removed (company holidays, days worked) |
| webhook | endpoint name | created, updated, deactivated, reactivated, secret_rotated, ping_queued |
| ticket / rma / repair_batch | number | their state changes (inventory/tickets.py, rmas.py, repairs.py) |
| user | username | account and token changes (app/api/users.py) |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, literal, select, union_all
from sqlalchemy.orm import Session, aliased

from inventory.errors import NotFound
from inventory.lookups import depot_by_code, is_row_id, item_by_serial, part_by_number
from inventory.paging import count_and_cut
from inventory.serials import normalize_serial
from logistics.calendars import known_country
from models import (
    Complaint,
    Contract,
    Customer,
    Department,
    Equipment,
    Event,
    Location,
    Movement,
    Part,
    RepairBatch,
    Rma,
    SerialItem,
    Site,
    Ticket,
    Transfer,
    User,
    WebhookEndpoint,
)
from models.jobs import Job


@dataclass(frozen=True)
class Subject:
    type: str
    ref: str
    id: int | None  # None: events are found by their subject_ref (deliveries, jobs)
    serial_item_id: int | None = None  # the trail includes this item's movements


@dataclass(frozen=True)
class AuditEntry:
    at: datetime  # UTC
    source: str  # "event" | "movement"
    kind: str  # the event kind, or the movement's reason
    actor: str
    from_state: str | None  # movements: the location it left
    to_state: str | None  # movements: the location it reached
    note: str | None
    data: dict[str, Any]
    id: int  # of the event or the movement


@dataclass(frozen=True)
class AuditTrail:
    subject: Subject
    entries: list[AuditEntry]
    total: int


def _one(session: Session, model: Any, column: Any, ref: str, what: str) -> int:
    found = session.scalar(select(model.id).where(column == ref))
    if found is None:
        raise NotFound.unknown(what.lower().replace(" ", "_"), ref, noun=what, field="subject_ref")
    return int(found)


def _by_number(model: Any, what: str) -> Callable[[Session, str], int]:
    """Tickets and RMAs are named by number or numeric id, as elsewhere in the API."""

    def resolve(session: Session, ref: str) -> int:
        if is_row_id(ref) and session.get(model, int(ref)) is not None:
            return int(ref)
        return _one(session, model, model.number, ref, what)

    return resolve


def _equipment(session: Session, ref: str) -> int:
    serial = normalize_serial(ref)
    ids = list(session.scalars(select(Equipment.id).where(Equipment.serial == serial).limit(2)))
    if not ids:
        raise NotFound(
            f"no installed equipment with serial {ref!r}",
            field="subject_ref",
            key="no_equipment",
            params={"serial": ref},
        )
    if len(ids) > 1:
        raise NotFound(
            f"serial {ref!r} names several installed units; give its numeric id",
            field="subject_ref",
            key="equipment_several",
            params={"serial": ref},
        )
    return ids[0]


_RESOLVERS: dict[str, Callable[[Session, str], int]] = {
    "part": lambda s, ref: part_by_number(s, ref, field="subject_ref").id,
    "depot": lambda s, ref: depot_by_code(s, ref, field="subject_ref").id,
    "customer": lambda s, ref: _one(s, Customer, Customer.code, ref, "customer"),
    "site": lambda s, ref: _one(s, Site, Site.code, ref, "site"),
    "contract": lambda s, ref: _one(s, Contract, Contract.code, ref, "contract"),
    "equipment": _equipment,
    "transfer": lambda s, ref: _one(s, Transfer, Transfer.number, ref, "transfer"),
    "ticket": _by_number(Ticket, "ticket"),
    "rma": _by_number(Rma, "RMA"),
    "repair_batch": lambda s, ref: _one(s, RepairBatch, RepairBatch.number, ref, "repair batch"),
    "user": lambda s, ref: _one(s, User, User.username, ref, "user"),
    "webhook": lambda s, ref: _one(s, WebhookEndpoint, WebhookEndpoint.name, ref, "webhook"),
    "complaint": lambda s, ref: _one(s, Complaint, Complaint.number, ref, "complaint"),
    "department": lambda s, ref: _one(s, Department, Department.code, ref, "department"),
}
_BY_REF = ("delivery", "job", "calendar")  # no row of their own with an integer id
SUBJECT_TYPES: tuple[str, ...] = tuple(sorted([*_RESOLVERS, "serial_item", *_BY_REF]))


def resolve_subject(
    session: Session, subject_type: str, ref: str, *, part_number: str | None = None
) -> Subject:
    """The subject named ``ref``; NotFound (field ``subject_ref``) when there is none."""
    if subject_type not in SUBJECT_TYPES:
        raise NotFound.unknown("subject_type", subject_type, field="subject_type")
    if subject_type == "serial_item":
        item = item_by_serial(session, ref, part_number, field="subject_ref")
        return Subject(subject_type, ref, item.id, serial_item_id=item.id)
    if subject_type == "delivery":
        named = session.scalar(
            select(Event.id).where(Event.subject_type == "delivery", Event.subject_ref == ref)
        )
        if named is not None:
            return Subject(subject_type, ref, None)
        if is_row_id(ref) and session.scalar(
            select(Event.id).where(
                Event.subject_type == "delivery",
                Event.subject_id == int(ref),
                Event.subject_ref.is_(None),
            )
        ):
            return Subject(subject_type, ref, int(ref))
        raise NotFound.unknown(
            "delivery", ref, message=f"no delivery {ref!r} was imported", field="subject_ref"
        )
    if subject_type == "calendar":  # a country's working calendar: its company exceptions
        if not known_country(ref.upper()):
            raise NotFound(
                f"no working calendar for country {ref!r}",
                field="subject_ref",
                key="no_calendar",
                params={"country": ref},
            )
        return Subject(subject_type, ref.upper(), None)
    if subject_type == "job":
        if session.get(Job, ref) is None:
            raise NotFound.unknown("job", ref, message=f"no job {ref!r}", field="subject_ref")
        return Subject(subject_type, ref, None)
    return Subject(subject_type, ref, _RESOLVERS[subject_type](session, ref))


def _event_filter(subject: Subject) -> ColumnElement[bool]:
    if subject.id is None:
        return and_(Event.subject_type == subject.type, Event.subject_ref == subject.ref)
    return and_(Event.subject_type == subject.type, Event.subject_id == subject.id)


def audit_trail(
    session: Session, subject: Subject, *, page: int = 1, page_size: int = 50
) -> AuditTrail:
    """The subject's events (and, for a serial item, its movements), newest first.
    ``page`` counts from 1."""
    parts = [
        select(Event.id.label("id"), Event.at.label("at"), literal("event").label("source")).where(
            _event_filter(subject)
        )
    ]
    if subject.serial_item_id is not None:
        parts.append(
            select(
                Movement.id.label("id"),
                Movement.occurred_at.label("at"),
                literal("movement").label("source"),
            ).where(Movement.serial_item_id == subject.serial_item_id)
        )
    trail = union_all(*parts).subquery()
    # newest first; at the same instant the movement came first and its event after it
    total, cut = count_and_cut(
        session,
        select(trail.c.source, trail.c.id).order_by(
            trail.c.at.desc(), trail.c.source.asc(), trail.c.id.desc()
        ),
        page,
        page_size,
    )
    window = session.execute(cut).all()
    event_ids = [i for source, i in window if source == "event"]
    movement_ids = [i for source, i in window if source == "movement"]
    events = (
        {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(event_ids)))}
        if event_ids
        else {}
    )
    movements = _movement_entries(session, movement_ids) if movement_ids else {}
    entries = [
        _event_entry(events[i]) if source == "event" else movements[i] for source, i in window
    ]
    return AuditTrail(subject, entries, int(total))


def _event_entry(e: Event) -> AuditEntry:
    return AuditEntry(
        e.at, "event", e.kind, e.actor, e.from_state, e.to_state, e.note, dict(e.data or {}), e.id
    )


def _movement_entries(session: Session, ids: list[int]) -> dict[int, AuditEntry]:
    source, target = aliased(Location), aliased(Location)
    rows = session.execute(
        select(Movement, Part.part_number, SerialItem.serial, source.code, target.code)
        .join(Part, Part.id == Movement.part_id)
        .outerjoin(SerialItem, SerialItem.id == Movement.serial_item_id)
        .join(source, source.id == Movement.from_location_id)
        .join(target, target.id == Movement.to_location_id)
        .where(Movement.id.in_(ids))
    )
    out: dict[int, AuditEntry] = {}
    for m, part_number, serial, from_code, to_code in rows:
        data = {
            "movement_id": m.id,
            "part_number": part_number,
            "serial": serial,
            "qty": m.qty,
            "from_location": from_code,
            "to_location": to_code,
            "from_condition": m.from_condition,
            "condition": m.condition,
            "reference": m.reference,
        }
        out[m.id] = AuditEntry(
            m.occurred_at, "movement", m.reason, m.actor, from_code, to_code, m.note, data, m.id
        )
    return out
