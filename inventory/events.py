"""Recording the events of the service flow (who, when, from, to, why).

One table (``models.service.Event``) holds every state change; the audit trail, the
customer timeline and the reports all read it. Recording happens inside the caller's
transaction, and so do the notifications the event calls for (outbox), so an event and
its messages are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory import notifications
from models import Event, Part, Rma, Ticket, utcnow

V = TypeVar("V")


def record_event(
    session: Session,
    *,
    subject_type: str,
    subject_id: int,
    kind: str,
    actor: str,
    subject_ref: str | None = None,
    customer_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    customer_visible: bool = False,
    note: str | None = None,
    data: dict | None = None,
    at: datetime | None = None,
) -> Event:
    """Append one event (no commit) and hand it to the notification outbox.

    ``at`` is UTC (defaults to now); ``data`` is stored as JSON (dates and decimals as text).
    """
    event = Event(
        subject_type=subject_type,
        subject_id=subject_id,
        subject_ref=subject_ref,
        customer_id=customer_id,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        at=at or utcnow(),
        customer_visible=customer_visible,
        note=note,
        data=jsonable(data or {}),
    )
    session.add(event)
    session.flush()
    notifications.notify_event(session, event)
    return event


def record_on(
    session: Session,
    subject_type: str,
    row: Any,
    kind: str,
    *,
    actor: str,
    ref: str | None = None,
    **fields: Any,
) -> Event:
    """An event about ``row`` (a record of ``subject_type`` with an ``id``), named by its
    ``number`` unless ``ref`` names it; ``fields`` are ``record_event``'s (customer, states,
    time, visibility, note, data)."""
    return record_event(
        session,
        subject_type=subject_type,
        subject_id=row.id,
        subject_ref=row.number if ref is None else ref,
        kind=kind,
        actor=actor,
        **fields,
    )


def record_about(
    session: Session, record: Ticket | Rma, kind: str, *, actor: str, **fields: Any
) -> Event:
    """An event about a ticket or an RMA, named by its number and filed under its customer;
    ``fields`` are ``record_event``'s (states, time, visibility, note, data)."""
    subject_type = "ticket" if isinstance(record, Ticket) else "rma"
    return record_on(
        session, subject_type, record, kind, actor=actor, customer_id=record.customer_id, **fields
    )


def record_stock_event(
    session: Session,
    part: Part,
    kind: str,
    *,
    actor: str,
    item: tuple[int, str] | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    **fields: Any,
) -> Event:
    """An event about stock: of the serial item ``item`` (its id and serial) when the unit
    is serialised, else of the counted ``part``, whose units have no states of their own
    (``from_state``/``to_state`` are kept for a serial item only); ``fields`` are
    ``record_event``'s (note, data, time)."""
    if item is not None:
        return record_event(
            session,
            subject_type="serial_item",
            subject_id=item[0],
            subject_ref=item[1],
            kind=kind,
            actor=actor,
            from_state=from_state,
            to_state=to_state,
            **fields,
        )
    return record_on(session, "part", part, kind, actor=actor, ref=part.part_number, **fields)


def record_created(
    session: Session,
    subject_type: str,
    subject_id: int,
    ref: str,
    *,
    actor: str,
    data: Any,
    customer_id: int | None = None,
) -> Event:
    """The ``created`` event of a new record named ``ref``; ``data`` (a dict or a
    dataclass view) is what was created."""
    return record_event(
        session,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_ref=ref,
        customer_id=customer_id,
        kind="created",
        actor=actor,
        data=asdict(data) if is_dataclass(data) and not isinstance(data, type) else data,
    )


def record_updated(
    session: Session,
    subject_type: str,
    row: Any,
    changes: dict,
    *,
    actor: str,
    ref: str,
    customer_id: int | None = None,
) -> None:
    """The ``updated`` event of ``row`` with its ``changes`` ({field: {from, to}}); none
    when nothing changed."""
    if changes:
        record_on(
            session,
            subject_type,
            row,
            "updated",
            actor=actor,
            ref=ref,
            customer_id=customer_id,
            data={"changes": changes},
        )


def created_view(
    session: Session,
    subject_type: str,
    row: Any,
    view: Callable[[Any], V],
    *,
    actor: str,
    ref: str,
    customer: Any = None,
) -> V:
    """The view of ``row``, a record just added: flushed, its ``created`` event recorded with
    the view as its data (filed under ``customer`` when given)."""
    session.flush()
    shown = view(row)
    customer_id = customer.id if customer is not None else None
    record_created(
        session, subject_type, row.id, ref, actor=actor, data=shown, customer_id=customer_id
    )
    return shown


def jsonable(value: Any) -> Any:
    """``value`` with dates as ISO 8601 text and decimals as text ("500.00"), so that any
    model field can go into an event's ``data``."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def events_of(
    session: Session, subject_type: str, subject_id: int, *, customer_visible_only: bool = False
) -> list[Event]:
    """The events of one subject, oldest first."""
    query = select(Event).where(Event.subject_type == subject_type, Event.subject_id == subject_id)
    if customer_visible_only:
        query = query.where(Event.customer_visible.is_(True))
    return list(session.scalars(query.order_by(Event.id)))
