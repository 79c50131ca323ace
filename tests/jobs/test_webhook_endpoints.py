"""Administered webhook endpoints: every notifying event goes to each active endpoint,
signed with that endpoint's own secret, and the endpoint's delivery log shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.jobs.delivery import SIGNATURE_HEADER, TIMESTAMP_HEADER, deliver_outbox, verify_signature
from inventory import webhooks
from models import utcnow
from models.db import make_session_factory
from tests.jobs.conftest import (
    delivered_rma,
    delivery_settings,
    free_port,
    make_world,
    webhook_json,
)

T0 = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
ERP_SECRET = "erp-secret-0123456789abcdef"


def test_each_active_endpoint_gets_the_events_signed_with_its_own_secret(engine, webhook_receiver):
    sessions = make_session_factory(engine)  # no WEBHOOK_URL configured
    with sessions() as session:
        webhooks.create_endpoint(
            session, name="erp", url=webhook_receiver.url, secret=ERP_SECRET, actor="admin"
        )
        _old, _ = webhooks.create_endpoint(
            session, name="old", url=webhook_receiver.url + "/old", actor="admin"
        )
        webhooks.update_endpoint(session, "old", active=False, actor="admin")
        world = make_world(session)
        number = delivered_rma(session, world, T0)

    report = deliver_outbox(
        sessions, delivery_settings(free_port()), now=utcnow() + timedelta(minutes=5)
    )
    received = webhook_receiver.received
    assert len(received) == 2 and report.sent >= 2  # ship and deliver, to "erp" only
    assert {webhook_json(r)["event"]["subject_ref"] for r in received} == {number}
    for r in received:
        timestamp, signature = (
            r.headers[TIMESTAMP_HEADER.lower()],
            r.headers[SIGNATURE_HEADER.lower()],
        )
        assert verify_signature(ERP_SECRET, timestamp, r.body, signature)
        assert not r.valid_signature  # not the configured WEBHOOK_SECRET

    with sessions() as session:
        erp = webhooks.endpoint_by_name(session, "erp")
        log, total = webhooks.delivery_log(session, erp.id)
        assert total == 2 and {d.status for d in log} == {"sent"}
        assert all(d.attempts == 1 and d.sent_at is not None for d in log)
        old = webhooks.endpoint_by_name(session, "old")
        assert webhooks.delivery_log(session, old.id) == ([], 0)


def test_a_test_message_to_a_dead_url_shows_its_error_in_the_delivery_log(engine):
    sessions = make_session_factory(engine)
    with sessions() as session:
        view, secret = webhooks.create_endpoint(
            session, name="nowhere", url=f"http://127.0.0.1:{free_port()}/x", actor="admin"
        )
        assert len(secret) >= 32 and view.secret_hint == "…" + secret[-4:]
        webhooks.send_test(session, "nowhere", actor="admin")
    deliver_outbox(sessions, delivery_settings(free_port()), now=utcnow() + timedelta(minutes=5))
    with sessions() as session:
        (ping,), total = webhooks.delivery_log(session, view.id)
        assert total == 1 and ping.status == "pending" and ping.attempts == 1
        assert ping.last_error and "nowhere" not in ping.last_error  # the URL's error, not ours
