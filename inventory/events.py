"""Recording the events of the service flow (who, when, from, to, why).

One table (``models.service.Event``) holds every state change; the audit trail, the
customer timeline and the reports all read it. Recording happens inside the caller's
transaction, and so do the notifications the event calls for (outbox), so an event and
its messages are committed together or not at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory import notifications
from models import Event, utcnow


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

    ``at`` is UTC (defaults to now); ``data`` must be JSON-serialisable.
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
        data=data or {},
    )
    session.add(event)
    session.flush()
    notifications.notify_event(session, event)
    return event


def events_of(session: Session, subject_type: str, subject_id: int, *, customer_visible_only: bool = False) -> list[Event]:
    """The events of one subject, oldest first."""
    query = select(Event).where(Event.subject_type == subject_type, Event.subject_id == subject_id)
    if customer_visible_only:
        query = query.where(Event.customer_visible.is_(True))
    return list(session.scalars(query.order_by(Event.id)))
