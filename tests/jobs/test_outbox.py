"""Notifications through the outbox: written with their event, delivered to a real local
SMTP server process and a webhook receiver, retried with backoff, never sent twice."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.jobs.delivery import deliver_outbox, message_id, sign, verify_signature
from app.jobs.mails import render_mail
from inventory.events import record_about
from inventory.notifications import SETTINGS_KEY, notify_event
from inventory.outbox import enqueue, outbox_counts, revive_dead
from models import OutboxMessage, Rma, utcnow
from models.db import make_engine, make_session_factory
from tests.jobs.conftest import (
    CUSTOMER_EMAIL,
    WEBHOOK_SECRET,
    delivered_rma,
    delivery_headers,
    delivery_settings,
    free_port,
    make_world,
    notification_settings,
    queue_email,
    webhook_json,
)
from tests.races import at_once

T0 = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


def _message(session, key: str = "test:1"):
    """The message's row as plain values; the read transaction is ended at once (on
    SQLite an open transaction holds the write lock the delivery worker needs)."""
    row = session.execute(
        select(
            OutboxMessage.status,
            OutboxMessage.attempts,
            OutboxMessage.next_attempt_at,
            OutboxMessage.last_error,
        ).where(OutboxMessage.dedupe_key == key)
    ).one()
    session.rollback()
    return row


def _counts(session) -> dict[str, int]:
    counts = outbox_counts(session)
    session.rollback()
    return counts


def test_the_customer_receives_shipped_and_delivered_mails_with_the_return_deadline(
    nsession, notifying_sessions, smtp_server
):
    world = make_world(nsession)
    number = delivered_rma(nsession, world, T0)
    tracking = nsession.scalar(select(Rma.tracking_code).where(Rma.number == number))
    nsession.rollback()
    server = smtp_server()

    report = deliver_outbox(notifying_sessions, delivery_settings(server.port))

    assert report.sent == 2 and report.retrying == 0
    shipped, delivered = server.messages()
    assert shipped["To"] == delivered["To"] == CUSTOMER_EMAIL
    # the customer has no portal account saying otherwise: the deployment's Chinese
    assert shipped["Subject"] == f"[{number}] 您的替换备件已发出"
    assert "承运商 / 运单号：SF SF123" in shipped.get_content()
    body = delivered.get_content()
    assert f"https://rma.example/track/{tracking}" in body
    # due 2026-03-06 00:00 in Beijing: the end of 5 March (the year added after 2026)
    assert "3月5日 24:00前寄回故障件。" in body and "3月6日" not in body
    assert deliver_outbox(notifying_sessions, delivery_settings(server.port)).sent == 0
    assert len(server.messages()) == 2


def test_a_refusing_mail_server_is_retried_with_backoff_and_the_mail_arrives_once(
    nsession, notifying_sessions, smtp_server
):
    t0 = utcnow() + timedelta(minutes=5)  # the delivery clock: after the messages are queued
    server = smtp_server(refuse_first=2)
    settings = delivery_settings(server.port, backoff_seconds=30.0)
    queue_email(nsession)

    first = deliver_outbox(notifying_sessions, settings, now=t0)
    assert (first.sent, first.retrying) == (0, 1)
    message = _message(nsession)
    assert message.status == "pending" and message.next_attempt_at == t0 + timedelta(seconds=30)
    assert "451" in message.last_error and server.messages() == []

    assert (
        deliver_outbox(notifying_sessions, settings, now=t0 + timedelta(seconds=20)).retrying == 0
    )  # not due
    assert (
        deliver_outbox(notifying_sessions, settings, now=t0 + timedelta(seconds=31)).retrying == 1
    )
    assert _message(nsession).next_attempt_at == t0 + timedelta(seconds=31 + 60)  # doubled
    third = deliver_outbox(notifying_sessions, settings, now=t0 + timedelta(seconds=92))
    assert third.sent == 1
    assert deliver_outbox(notifying_sessions, settings, now=t0 + timedelta(hours=2)).sent == 0

    [mail] = server.messages()
    assert mail["Message-ID"] == message_id("test:1")
    message = _message(nsession)
    assert (message.status, message.attempts, message.last_error) == ("sent", 3, None)


def test_mail_queued_while_the_server_is_down_is_sent_when_it_comes_back(
    nsession, notifying_sessions, smtp_server
):
    t0 = utcnow() + timedelta(minutes=5)  # the delivery clock: after the messages are queued
    port = free_port()
    settings = delivery_settings(port)
    queue_email(nsession)

    assert deliver_outbox(notifying_sessions, settings, now=t0).retrying == 1
    server = smtp_server(port=port)
    assert deliver_outbox(notifying_sessions, settings, now=t0 + timedelta(minutes=1)).sent == 1
    assert [m["To"] for m in server.messages()] == [CUSTOMER_EMAIL]


def test_a_message_that_keeps_failing_is_kept_as_dead_and_can_be_revived(
    nsession, notifying_sessions, smtp_server
):
    t0 = utcnow() + timedelta(minutes=5)  # the delivery clock: after the messages are queued
    port = free_port()
    settings = delivery_settings(port, max_attempts=2)
    queue_email(nsession)

    deliver_outbox(notifying_sessions, settings, now=t0)
    assert deliver_outbox(notifying_sessions, settings, now=t0 + timedelta(hours=1)).dead == 1
    assert _counts(nsession) == {"pending": 0, "sent": 0, "dead": 1}
    assert (
        deliver_outbox(notifying_sessions, settings, now=t0 + timedelta(days=1)).dead == 0
    )  # left alone

    server = smtp_server(port=port)
    assert revive_dead(nsession, now=t0 + timedelta(days=1)) == 1
    assert deliver_outbox(notifying_sessions, settings, now=t0 + timedelta(days=1)).sent == 1
    assert len(server.messages()) == 1


def test_webhooks_are_signed_and_a_5xx_is_retried_until_delivered_once(
    engine, smtp_server, webhook_receiver
):
    t0 = utcnow() + timedelta(minutes=5)  # the delivery clock: after the messages are queued
    sessions = make_session_factory(engine)
    sessions.configure(info={SETTINGS_KEY: notification_settings(webhook_receiver.url)})
    server = smtp_server()
    webhook_receiver.statuses = [503]
    with sessions() as session:
        world = make_world(session)
        number = delivered_rma(session, world, T0)

    first = deliver_outbox(sessions, delivery_settings(server.port), now=t0)
    assert (first.sent, first.retrying) == (3, 1)  # two mails, one webhook; the other answered 503
    second = deliver_outbox(sessions, delivery_settings(server.port), now=t0 + timedelta(hours=1))
    assert (second.sent, second.retrying) == (1, 0)

    received = webhook_receiver.received
    assert len(received) == 3 and all(r.valid_signature for r in received)
    delivered = webhook_receiver.delivered()
    assert sorted(webhook_json(r)["event"]["kind"] for r in delivered) == ["deliver", "ship"]
    assert {webhook_json(r)["event"]["subject_ref"] for r in delivered} == {number}
    # the failed attempt and its retry carry the same delivery id, so a receiver can dedupe
    failed = next(r for r in received if r.headers["x-answered"] == "503")
    assert delivery_headers(failed)[0] in {delivery_headers(r)[0] for r in delivered}
    assert len({delivery_headers(r)[0] for r in delivered}) == 2
    assert (
        deliver_outbox(sessions, delivery_settings(server.port), now=t0 + timedelta(hours=3)).sent
        == 0
    )


def test_a_webhook_signature_fails_for_another_secret_a_changed_body_or_an_old_timestamp():
    body = json.dumps({"event": {"kind": "overdue"}}).encode()
    signature = sign(WEBHOOK_SECRET, "1772589600", body)
    at = 1772589600 + 60

    assert verify_signature(WEBHOOK_SECRET, "1772589600", body, signature, now=at)
    assert not verify_signature("another-secret", "1772589600", body, signature, now=at)
    assert not verify_signature(WEBHOOK_SECRET, "1772589600", body + b" ", signature, now=at)
    assert not verify_signature(WEBHOOK_SECRET, "1772589601", body, signature, now=at)
    assert not verify_signature(WEBHOOK_SECRET, "1772589600", body, signature, now=at + 3600)


def test_a_webhook_refused_with_a_4xx_is_not_retried(engine, webhook_receiver):
    t0 = utcnow() + timedelta(minutes=5)  # the delivery clock: after the messages are queued
    sessions = make_session_factory(engine)
    webhook_receiver.statuses = [410]
    with sessions() as session:
        enqueue(
            session,
            dedupe_key="hook:1",
            channel="webhook",
            recipient=webhook_receiver.url,
            body="{}",
        )
        session.commit()

    report = deliver_outbox(sessions, delivery_settings(free_port()), now=t0)
    assert report.dead == 1
    assert (
        deliver_outbox(sessions, delivery_settings(free_port()), now=t0 + timedelta(days=1)).dead
        == 0
    )
    assert len(webhook_receiver.received) == 1


def test_two_delivery_workers_at_once_send_each_message_once(database_url, nsession):
    for i in range(40):
        enqueue(
            nsession,
            dedupe_key=f"bulk:{i}",
            channel="email",
            recipient=f"user{i}@example.com",
            subject="s",
            body="b",
        )
    nsession.commit()
    sent: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2, timeout=30)
    local = threading.local()

    def record(settings, message):
        if not getattr(local, "started", False):  # both workers hold a claimed batch here
            local.started = True
            barrier.wait()
        with lock:
            sent.append(message.dedupe_key)

    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    reports = at_once(
        2,
        lambda _: deliver_outbox(
            sessions, delivery_settings(1), batch=5, senders={"email": record}
        ),
    )
    engine.dispose()

    assert [r for r in reports if isinstance(r, Exception)] == []
    assert sorted(sent) == sorted(f"bulk:{i}" for i in range(40))  # all, none twice
    assert all(r.sent > 0 for r in reports)  # both workers delivered some
    assert _counts(nsession)["sent"] == 40


def test_notifications_are_committed_with_their_event_or_not_at_all(nsession):
    world = make_world(nsession)
    number = delivered_rma(nsession, world, T0)
    rma = nsession.scalar(select(Rma).where(Rma.number == number))
    before = nsession.scalar(select(func.count()).select_from(OutboxMessage))

    record_about(nsession, rma, "overdue", actor="test", customer_visible=True)
    nsession.rollback()
    assert nsession.scalar(select(func.count()).select_from(OutboxMessage)) == before

    event = record_about(nsession, rma, "overdue", actor="test", customer_visible=True)
    notify_event(nsession, event)  # notified a second time: nothing more is queued
    nsession.commit()
    queued = nsession.scalars(
        select(OutboxMessage.recipient).where(OutboxMessage.event_id == event.id)
    ).all()
    assert sorted(queued) == sorted(
        [CUSTOMER_EMAIL, "dispatch@sparelog.example", "duty@sparelog.example"]
    )


def test_customer_mail_carries_no_internal_note_while_staff_mail_does(nsession):
    world = make_world(nsession)
    number = delivered_rma(nsession, world, T0)
    rma = nsession.scalar(select(Rma).where(Rma.number == number))
    event = record_about(
        nsession,
        rma,
        "overdue",
        actor="dispatcher1",
        customer_visible=True,
        note="customer was rude, charge them",
    )
    nsession.commit()

    bodies = {
        to: render_mail(mail)[1]
        for to, mail in nsession.execute(
            select(OutboxMessage.recipient, OutboxMessage.mail).where(
                OutboxMessage.event_id == event.id
            )
        ).all()
    }
    assert "rude" not in bodies[CUSTOMER_EMAIL]
    assert "备注：customer was rude" in bodies["dispatch@sparelog.example"]


def test_a_sender_bug_keeps_the_message_for_a_retry(nsession, notifying_sessions):
    t0 = utcnow() + timedelta(minutes=5)  # the delivery clock: after the messages are queued
    queue_email(nsession)

    def broken(settings, message):
        raise KeyError("template")

    report = deliver_outbox(
        notifying_sessions, delivery_settings(1), senders={"email": broken}, now=t0
    )
    assert report.retrying == 1 and _message(nsession).status == "pending"

    def fine(settings, message):
        return None

    assert (
        deliver_outbox(
            notifying_sessions,
            delivery_settings(1),
            senders={"email": fine},
            now=t0 + timedelta(hours=1),
        ).sent
        == 1
    )
