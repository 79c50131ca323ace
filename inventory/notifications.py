"""Turning recorded events into outbox messages (e-mail, webhooks).

Placeholder hook: the outbox implementation replaces this body. Callers
(event recording) already call it inside their transaction.
"""

from __future__ import annotations


def notify_event(session, event) -> None:
    """Write the notifications this event calls for to the outbox (same transaction)."""
    return None
