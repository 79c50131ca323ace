"""The notification outbox: queue in the event's transaction, claim, mark sent or failed.

A message is queued (``enqueue``) inside the transaction that records its event, so
both are committed or neither is. Its ``dedupe_key`` is unique: queueing the same
message twice inserts nothing the second time (insert … on conflict do nothing).

Delivery (``app/jobs/delivery.py``) works message by message:

1. ``claim_due`` takes due rows with a compare-and-set on the claim columns (on
   PostgreSQL the candidates are picked ``FOR UPDATE SKIP LOCKED``, so workers do not
   queue behind each other) and commits: the claim is a lease of ``lease_seconds``.
2. The message is sent outside any transaction.
3. ``mark_sent`` sets ``sent`` and releases the claim in one statement, guarded by the
   claim token; ``mark_failed`` releases it with the next attempt time (exponential
   backoff) or, after the last attempt, as ``dead`` (kept, never deleted).

A worker that dies between 1 and 3 leaves a lease that lapses; the message is then
claimed again. That is the only way a message can go out twice, and the receiver can
tell: an e-mail keeps its Message-ID and a webhook its delivery id (the dedupe key)
across attempts.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from inventory.ledger import rows_matched
from inventory.transaction import transaction
from models import OutboxMessage, WebhookEndpoint, utcnow

PENDING, SENT, DEAD = "pending", "sent", "dead"
CHANNELS = ("email", "webhook")
MAX_BACKOFF_SECONDS = 3600.0


@dataclass(frozen=True)
class ClaimedMessage:
    """A message this worker holds the claim on (``attempt`` counts from 1)."""

    id: int
    dedupe_key: str
    channel: str
    recipient: str
    subject: str | None
    body: str
    attempt: int
    claim_token: str
    secret: str | None = None  # an administered webhook endpoint's signing secret
    # an e-mail to be worded at send time (message keys and params; ``OutboxMessage.mail``)
    mail: dict | None = None


@dataclass(frozen=True)
class Failure:
    """What became of a failed attempt: retried at ``next_attempt_at`` or dead."""

    dead: bool
    next_attempt_at: datetime | None


def enqueue(
    session: Session,
    *,
    dedupe_key: str,
    channel: str,
    recipient: str,
    body: str,
    subject: str | None = None,
    event_id: int | None = None,
    not_before: datetime | None = None,
    endpoint_id: int | None = None,
    mail: dict | None = None,
) -> bool:
    """Queue one message in the caller's transaction (no commit).

    Returns False when a message with this ``dedupe_key`` already exists (nothing is
    inserted). ``not_before`` (UTC) delays the first attempt. ``mail`` (plain JSON data:
    message keys and params, ``inventory.notifications``) is an e-mail the sender words in
    its recipient's language; ``subject`` and ``body`` are then not sent.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown outbox channel {channel!r}")
    now = utcnow()
    values = {
        "dedupe_key": dedupe_key,
        "channel": channel,
        "recipient": recipient,
        "subject": subject,
        "body": body,
        "event_id": event_id,
        "endpoint_id": endpoint_id,
        "mail": mail,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": not_before or now,
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    return session.execute(stmt).scalar() is not None


def _due(now: datetime):
    return (
        OutboxMessage.status == PENDING,
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def claim_due(
    session: Session, *, now: datetime | None = None, limit: int = 20, lease_seconds: float = 300.0
) -> list[ClaimedMessage]:
    """Claim up to ``limit`` due messages for this worker and commit the claim.

    ``lease_seconds`` must exceed the longest send (SMTP/HTTP timeouts); a claim older
    than that is assumed abandoned and can be taken by another worker.
    """
    now = now or utcnow()
    token = secrets.token_hex(16)
    pick = (
        select(OutboxMessage.id)
        .where(*_due(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    with transaction(session):
        ids = list(session.scalars(pick))
        if not ids:
            return []
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), *_due(now))
            .values(
                claim_token=token,
                claimed_until=now + timedelta(seconds=lease_seconds),
                attempts=OutboxMessage.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        rows = session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.dedupe_key,
                OutboxMessage.channel,
                OutboxMessage.recipient,
                OutboxMessage.subject,
                OutboxMessage.body,
                OutboxMessage.attempts,
                OutboxMessage.mail,
                WebhookEndpoint.secret,
            )
            .outerjoin(WebhookEndpoint, WebhookEndpoint.id == OutboxMessage.endpoint_id)
            .where(OutboxMessage.claim_token == token)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        ).all()
    return [
        ClaimedMessage(
            id=r.id,
            dedupe_key=r.dedupe_key,
            channel=r.channel,
            recipient=r.recipient,
            subject=r.subject,
            body=r.body,
            attempt=r.attempts,
            claim_token=token,
            secret=r.secret,
            mail=r.mail,
        )
        for r in rows
    ]


def mark_sent(session: Session, message: ClaimedMessage, *, now: datetime | None = None) -> bool:
    """Record the message as sent and release the claim (one statement, committed).

    False when this worker no longer held the claim (its lease had lapsed).
    """
    with transaction(session):
        done = rows_matched(
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message.id, OutboxMessage.claim_token == message.claim_token
                )
                .values(
                    status=SENT,
                    sent_at=now or utcnow(),
                    claim_token=None,
                    claimed_until=None,
                    last_error=None,
                )
                .execution_options(synchronize_session=False)
            )
        )
    return done == 1


def backoff_seconds(attempt: int, base_seconds: float) -> float:
    """Wait before the attempt after ``attempt`` (1-based): base, 2×base, 4×base … ≤ 1 h."""
    return min(base_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)


def mark_failed(
    session: Session,
    message: ClaimedMessage,
    error: str,
    *,
    now: datetime | None = None,
    max_attempts: int = 10,
    base_backoff_seconds: float = 30.0,
    permanent: bool = False,
) -> Failure:
    """Release the claim after a failed attempt (committed): retry later with
    exponential backoff, or ``dead`` after ``max_attempts`` or a permanent error."""
    with transaction(session):
        now = now or utcnow()
        dead = permanent or message.attempt >= max_attempts
        retry_at = (
            None
            if dead
            else now + timedelta(seconds=backoff_seconds(message.attempt, base_backoff_seconds))
        )
        values: dict = {"claim_token": None, "claimed_until": None, "last_error": error[:2000]}
        values.update({"status": DEAD} if dead else {"next_attempt_at": retry_at})
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.claim_token == message.claim_token)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return Failure(dead, retry_at)


def revive_dead(session: Session, *, now: datetime | None = None) -> int:
    """Put every dead message back in the queue with a fresh attempt count (committed)."""
    with transaction(session):
        revived = rows_matched(
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == DEAD)
                .values(status=PENDING, attempts=0, next_attempt_at=now or utcnow())
                .execution_options(synchronize_session=False)
            )
        )
    return revived


def outbox_counts(session: Session) -> dict[str, int]:
    """How many messages are pending, sent and dead."""
    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    return {PENDING: 0, SENT: 0, DEAD: 0} | {status: n for status, n in rows}
