"""Webhook endpoints an administrator keeps: each active endpoint receives every event
that notifies (``inventory.notifications.NOTIFY``), signed with its own secret, through the
outbox; the outbox rows of an endpoint are its delivery log.

A secret is generated when none is given and shown once, to the admin who created or
rotated it; afterwards only its last four characters are shown. Every change is an
event on the subject ``webhook`` named by the endpoint's name.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inventory.errors import Conflict, NotFound
from inventory.events import record_on
from inventory.outbox import enqueue
from inventory.paging import count_and_cut
from inventory.transaction import transaction
from models import OutboxMessage, WebhookEndpoint, utcnow


@dataclass(frozen=True)
class EndpointView:
    id: int
    name: str
    url: str
    active: bool
    secret_hint: str  # "…abcd"
    created_at: datetime


@dataclass(frozen=True)
class Delivery:
    """One message to an endpoint: when queued, its state, attempts and last error."""

    id: int
    dedupe_key: str
    event_id: int | None
    status: str  # pending | sent | dead
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime
    last_error: str | None


def endpoint_view(row: WebhookEndpoint) -> EndpointView:
    return EndpointView(
        row.id, row.name, row.url, row.active, "…" + row.secret[-4:], row.created_at
    )


def endpoint_by_name(session: Session, name: str) -> WebhookEndpoint:
    row = session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.name == name))
    if row is None:
        raise NotFound.unknown("webhook", name, message=f"no webhook endpoint {name!r}")
    return row


def _record(session: Session, row: WebhookEndpoint, kind: str, actor: str, data: dict) -> None:
    record_on(session, "webhook", row, kind, actor=actor, ref=row.name, data=data)


def create_endpoint(
    session: Session, *, name: str, url: str, secret: str | None = None, actor: str
) -> tuple[EndpointView, str]:
    """A new active endpoint and its secret (generated unless given). Commits."""
    secret = secret or secrets.token_urlsafe(32)
    with transaction(session):
        if session.scalar(select(WebhookEndpoint.id).where(WebhookEndpoint.name == name)):
            raise Conflict(
                f"webhook endpoint {name} exists",
                field="name",
                key="taken",
                params={"what": "webhook", "value": name},
            )
        row = WebhookEndpoint(name=name, url=url, secret=secret, active=True)
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(
                f"webhook endpoint {name} exists",
                field="name",
                key="taken",
                params={"what": "webhook", "value": name},
            ) from None
        _record(session, row, "created", actor, {"url": url})  # never the secret
        return endpoint_view(row), secret


def update_endpoint(
    session: Session,
    name: str,
    *,
    actor: str,
    url: str | None = None,
    active: bool | None = None,
    rotate_secret: bool = False,
    secret: str | None = None,
) -> tuple[EndpointView, str | None]:
    """Change the URL, deactivate / reactivate, or give it a new secret (returned once).
    Messages already queued keep the URL they were queued for. Commits."""
    with transaction(session):
        row = endpoint_by_name(session, name)
        changes: dict = {}
        if url is not None and url != row.url:
            changes["url"] = {"from": row.url, "to": url}
            row.url = url
        if changes:
            _record(session, row, "updated", actor, {"changes": changes})
        if active is not None and active != row.active:
            row.active = active
            _record(session, row, "reactivated" if active else "deactivated", actor, {})
        new_secret = None
        if rotate_secret or secret:
            new_secret = secret or secrets.token_urlsafe(32)
            row.secret = new_secret
            _record(session, row, "secret_rotated", actor, {"hint": "…" + new_secret[-4:]})
        session.flush()
        return endpoint_view(row), new_secret


def send_test(session: Session, name: str, *, actor: str) -> int:
    """Queue a ``ping`` to the endpoint (delivered like any event); its outbox id. Commits."""
    with transaction(session):
        row = endpoint_by_name(session, name)
        now = utcnow()
        key = f"ping:{row.id}:{now.timestamp():.6f}"
        body = json.dumps(
            {"id": key, "event": {"kind": "ping", "at": now.isoformat()}, "sent_by": actor},
            ensure_ascii=False,
        )
        enqueue(
            session,
            dedupe_key=key,
            channel="webhook",
            recipient=row.url,
            body=body,
            endpoint_id=row.id,
        )
        _record(session, row, "ping_queued", actor, {"delivery": key})
        return int(
            session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) or 0
        )


def delivery_log(
    session: Session, endpoint_id: int, *, page: int = 1, page_size: int = 50
) -> tuple[list[Delivery], int]:
    """The endpoint's messages, newest first, and how many there are."""
    total, window = count_and_cut(
        session,
        select(OutboxMessage)
        .where(OutboxMessage.endpoint_id == endpoint_id)
        .order_by(OutboxMessage.id.desc()),
        page,
        page_size,
    )
    rows = session.scalars(window)
    return [
        Delivery(
            m.id,
            m.dedupe_key,
            m.event_id,
            m.status,
            m.attempts,
            m.created_at,
            m.sent_at,
            m.next_attempt_at,
            m.last_error,
        )
        for m in rows
    ], int(total)
