"""The sweep and the outbox as Celery tasks on real worker processes with the real Redis
broker (not eager mode), against PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import redis
from sqlalchemy import func, select

from app import create_app
from app.jobs.tasks import SWEEP_LOCK, SWEEP_TASK, make_celery, sweep_task_body
from models import Event, SweepFiring, utcnow
from models.db import make_engine, make_session_factory
from tests.jobs.conftest import DISPATCHERS, jobs_config, make_ticket, make_world

T0 = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


def _client_app(config: dict):
    return create_app(config | {"TESTING": True})


def _wait_for(condition: Callable[[], bool], timeout: float = 90.0) -> bool:
    """Poll ``condition`` until it holds (the workers run in other processes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_two_celery_workers_sweeping_at_once_fire_each_step_once(
    pg_url, redis_url, redis_prefix, celery_workers
):
    config = jobs_config(pg_url, redis_url, redis_prefix)
    app = _client_app(config)
    sessions = app.extensions["sparelog.db"].sessions
    with sessions() as session:
        world = make_world(session)
        tickets = [make_ticket(session, world, T0 + timedelta(seconds=i)) for i in range(5)]
    celery_workers(config, 2)
    client = make_celery(app)
    now = (T0 + timedelta(minutes=61)).isoformat()

    results = [
        client.send_task(
            "tests.race_sweep", kwargs={"now": now, "barrier_key": redis_prefix + "barrier"}
        )
        for _ in range(2)
    ]
    reports = [r.get(timeout=120) for r in results]

    assert len({r["worker"] for r in reports}) == 2  # two worker processes, at the same time
    fired = sorted((f["subject_ref"], f["step"]) for r in reports for f in r["escalations"])
    assert fired == sorted((n, f"escalation:{level}") for n in tickets for level in (1, 2, 3))
    with sessions() as session:
        events = session.scalars(select(Event).where(Event.actor == "sla-sweep")).all()
        keys = [(e.subject_ref, e.kind, e.data.get("level"), e.data.get("clock")) for e in events]
        assert (
            len(keys) == len(set(keys)) == 5 * 3 + 5
        )  # the ladder, and the response clock (P2: restore at 3 h)
        assert session.scalar(select(func.count()).select_from(SweepFiring)) == len(keys)

    # the production task, sent again for the same instant, finds nothing left to fire
    again = client.send_task(SWEEP_TASK, kwargs={"now": now}).get(timeout=60)
    assert again["fired"] == 0
    app.extensions["sparelog.db"].engine.dispose()


def test_beat_runs_the_sweep_and_the_escalation_mail_reaches_the_smtp_server(
    pg_url, redis_url, redis_prefix, celery_workers, smtp_server
):
    server = smtp_server()
    config = jobs_config(
        pg_url,
        redis_url,
        redis_prefix,
        SMTP_PORT=server.port,
        SWEEP_INTERVAL_SECONDS=1,
        OUTBOX_INTERVAL_SECONDS=1,
        DISPATCHER_EMAILS=",".join(DISPATCHERS),
    )
    app = _client_app(config)
    sessions = app.extensions["sparelog.db"].sessions
    with sessions() as session:
        world = make_world(session)
        number = make_ticket(session, world, utcnow() - timedelta(minutes=20))  # level 1 is due

    celery_workers(config, 1, beat=True)
    client = redis.Redis.from_url(redis_url)

    def sweeps_done() -> int:  # results of finished sweep tasks, in this test's key space
        return sum(1 for _ in client.scan_iter(match=redis_prefix + "celery-task-meta-*"))

    def escalation_mails() -> list:
        return [
            m for m in server.messages() if m["Subject"].strip().startswith(f"[{number}] 第1级升级")
        ]

    assert _wait_for(lambda: len(escalation_mails()) == len(DISPATCHERS))
    assert _wait_for(lambda: sweeps_done() >= 6)  # beat kept sweeping (and delivering) meanwhile
    assert sorted(m["To"] for m in escalation_mails()) == sorted(DISPATCHERS)  # each once
    with sessions() as session:
        levels = session.scalars(select(Event.data).where(Event.kind == "escalated")).all()
    assert [d["level"] for d in levels] == [1]
    client.close()
    app.extensions["sparelog.db"].engine.dispose()


def test_a_sweep_finding_the_redis_lock_taken_skips_and_the_next_one_fires(
    pg_url, redis_url, redis_prefix
):
    config = jobs_config(pg_url, redis_url, redis_prefix)
    app = _client_app(config)
    engine = make_engine(pg_url)
    with make_session_factory(engine)() as session:
        world = make_world(session)
        make_ticket(session, world, T0)
    client = redis.Redis.from_url(redis_url)
    held = client.lock(redis_prefix + SWEEP_LOCK, timeout=60)
    assert held.acquire(blocking=False)

    skipped = sweep_task_body(app, T0 + timedelta(minutes=16))
    held.release()
    fired = sweep_task_body(app, T0 + timedelta(minutes=16))

    assert skipped == {"skipped": "another sweep holds the lock", "fired": 0}
    assert [f["step"] for f in fired["escalations"]] == ["escalation:1"]
    client.close()
    engine.dispose()
    app.extensions["sparelog.db"].engine.dispose()
