"""Redis down or hung under a real server (gunicorn, PostgreSQL, JOBS_BACKEND=celery, rate
limits in Redis): every Redis call gives up within REDIS_TIMEOUT_SECONDS, a route plan that
cannot be queued answers 503 with Retry-After and its job is marked failed, and the health
endpoint answers within a second naming Redis. The tests start their own redis-server on a
free port (and pause it with SIGSTOP); the machine's Redis is never touched."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from app.auth import issue_token
from bench.live_server import LiveServer
from models import Job, User
from models.db import make_engine, make_session_factory
from tests.builders import day_shift_engineer, make_depot
from tests.jobs.conftest import free_port

PLAN = {
    "date": "2026-11-23",
    "engineers": ["E1"],
    "stops": [{"id": "visit-1", "lat": 39.91, "lon": 116.45, "service_minutes": 30}],
}


class RedisServer:
    """A redis-server of this test alone, on a free loopback port, without persistence."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is required for the Redis fault tests and is not installed")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while (
            subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
            ).stdout.strip()
            != "PONG"
        ):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.kill()
            self.process.wait(10)

    def pause(self) -> None:
        """SIGSTOP: connections are still accepted (the kernel's backlog), never answered."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(pg_url, own_redis) -> Iterator[LiveServer]:
    """gunicorn (1 worker × 4 threads) in production settings on the test's Redis."""
    env = {
        "SPARELOG_ENV": "production",
        "REDIS_URL": own_redis.url,
        "CELERY_BROKER_URL": own_redis.url,
        "CELERY_RESULT_BACKEND": own_redis.url,
        "RATELIMIT_STORAGE_URI": own_redis.url,
        "JOBS_BACKEND": "celery",
    }
    with LiveServer(pg_url, workers=1, threads=4, env=env) as live:
        yield live


@pytest.fixture
def dispatcher(pg_url) -> dict[str, str]:
    engine = make_engine(pg_url)
    with make_session_factory(engine)() as db:
        depot = make_depot(db, "BJ01")
        db.add(day_shift_engineer(depot, "E1"))
        user = User(username="li.disp", display_name="李调度", role="dispatcher")
        db.add(user)
        db.flush()
        token = issue_token(db, user, "test")
        db.commit()
    engine.dispose()
    return {"Authorization": f"Bearer {token}"}


def job_states(pg_url: str) -> list[str]:
    engine = make_engine(pg_url)
    with make_session_factory(engine)() as db:
        states = list(db.scalars(select(Job.status).order_by(Job.created_at)))
    engine.dispose()
    return states


def timed(method: str, url: str, **kw) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.request(method, url, timeout=30, **kw)
    return response, time.monotonic() - started


def test_with_redis_down_a_route_plan_answers_503_and_its_job_is_failed_not_queued_forever(
    server, own_redis, dispatcher, pg_url
):
    accepted, _ = timed("POST", server.base_url + "/api/route-plans", json=PLAN, headers=dispatcher)
    assert accepted.status_code == 202, accepted.text

    own_redis.stop()
    refused, took = timed(
        "POST", server.base_url + "/api/route-plans", json=PLAN, headers=dispatcher
    )
    assert refused.status_code == 503, refused.text
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0 and took < 2.5
    assert job_states(pg_url) == ["queued", "failed"]  # the first waits for a worker

    health, took = timed("GET", server.base_url + "/api/health")
    assert health.status_code == 200 and took < 1.0
    assert health.json()["status"] == "degraded"
    assert health.json()["checks"]["database"] == "ok"
    assert health.json()["checks"]["redis"].startswith("does not answer")


def test_with_redis_hung_requests_answer_within_two_seconds_and_health_within_one(
    server, own_redis, dispatcher, pg_url
):
    own_redis.pause()
    refused, took = timed(
        "POST", server.base_url + "/api/route-plans", json=PLAN, headers=dispatcher
    )
    assert refused.status_code == 503 and took < 2.5, (refused.status_code, took)
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert job_states(pg_url) == ["failed"]

    health, took = timed("GET", server.base_url + "/api/health")
    assert health.status_code == 200 and took < 1.0, took
    assert health.json()["checks"]["redis"].startswith("does not answer")

    # the rate limits counted in Redis: tracking and sign-in still answer, promptly
    for method, path in (
        ("GET", "/api/track/NO-SUCH-CODE-000000000000"),
        ("GET", "/track/NO-SUCH-CODE-000000000000"),
        ("GET", "/login"),
    ):
        response, took = timed(method, server.base_url + path)
        assert response.status_code in (200, 404) and took < 2.5, (path, response.status_code, took)
