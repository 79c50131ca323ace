"""The notification outbox and the record of sweep steps already fired.

``OutboxMessage``: one e-mail or webhook call, written in the same transaction as the
event that calls for it, delivered later by a worker (``inventory/outbox.py``).
``dedupe_key`` is unique, so the same message can never be queued twice.

``SweepFiring``: one step the periodic sweep fired for one subject (an escalation level,
an overdue return, a breached clock, a return reminder). The unique key
(subject_type, subject_id, step, anchor_at) is what makes a step fire once, however
many sweeps run at the same time; ``anchor_at`` is the instant the step counts from
(the ticket's last progress for an escalation, the deadline for the others), so a
ladder that restarts after progress gets fresh rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'webhook')", name="channel_kind"),
        CheckConstraint("status IN ('pending', 'sent', 'dead')", name="status_kind"),
        CheckConstraint("attempts >= 0", name="attempts_nonneg"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(8))  # email | webhook
    recipient: Mapped[str] = mapped_column(String(300))  # e-mail address or URL
    subject: Mapped[str | None] = mapped_column(String(300))  # e-mail subject
    body: Mapped[str] = mapped_column(Text)  # e-mail text or the webhook's JSON
    # an e-mail worded at send time: {"v", "lang", "zone", "subject", "lines"} of message
    # keys and params (inventory.notifications); None: subject and body are its words
    mail: Mapped[dict | None] = mapped_column(JSON)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    # the administered endpoint a webhook goes to (signed with its secret); None: WEBHOOK_URL
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="pending")  # pending | sent | dead
    attempts: Mapped[int] = mapped_column(default=0)  # claims so far
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(32))  # set while a worker sends
    claimed_until: Mapped[datetime | None]  # the claim lapses after this (worker died)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class SweepFiring(Base):
    __tablename__ = "sweep_firings"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", "step", "anchor_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16))  # ticket | rma
    subject_id: Mapped[int]
    step: Mapped[str] = mapped_column(String(40))  # escalation:1, overdue, breach:restore, ...
    anchor_at: Mapped[datetime]
    due_at: Mapped[datetime]
    fired_at: Mapped[datetime] = mapped_column(default=utcnow)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
