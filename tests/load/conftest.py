"""Load and crash tests against the real thing: ``gunicorn wsgi:app`` with 4 workers on a
fresh PostgreSQL database of their own (one per test module), driven over HTTP on loopback.

Each module gets its database and its server; the arrangement is written straight to the
database with the test builders (the server reads it like any other data). PostgreSQL must
be reachable: the tests fail, never skip, without it.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.live_server import REPO, LiveServer
from models.db import make_engine, make_session_factory
from tests.conftest import MANY_CONNECTIONS, fresh_pg_database, in_folder

WORKERS = 4
THREADS = 8
# The server as deployed, minus what would muddy the counts: no background sweep or outbox
# thread (it would add events of its own), and no tracking rate limit to turn load into 429s.
SERVER_ENV = {
    "JOBS_BACKEND": "none",
    "RATELIMIT_STORAGE_URI": "memory://",
    "TRACKING_RATE_LIMIT": "1000000 per minute",
}


def pytest_collection_modifyitems(items):
    in_folder(items, Path(__file__).parent, MANY_CONNECTIONS)


@pytest.fixture(scope="module")
def load_database_url():
    """A fresh, migrated PostgreSQL database for one test module."""
    with fresh_pg_database("sparelog_load", "the load tests") as url:
        yield url


@pytest.fixture(scope="module")
def arrange(load_database_url):
    """A session factory on the module's database, for arranging and checking state."""
    engine = make_engine(load_database_url, pool_size=2, max_overflow=2)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def server(load_database_url, tmp_path_factory):
    """gunicorn with 4 gthread workers on the module's database, on a loopback port."""
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    live = LiveServer(
        load_database_url, workers=WORKERS, threads=THREADS, env=SERVER_ENV, log_path=log
    )
    live.start()
    yield live
    live.close()


def flask_verify(database_url: str) -> subprocess.CompletedProcess:
    """``flask inventory verify`` as an operator runs it, on ``database_url``."""
    env = dict(
        os.environ, DATABASE_URL=database_url, FLASK_APP="wsgi", SECRET_KEY=secrets.token_hex(16)
    )
    return subprocess.run(
        [sys.executable, "-m", "flask", "inventory", "verify"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@dataclass
class Reply:
    status: int  # 0: no HTTP answer (connection error)
    headers: dict[str, str] = field(default_factory=dict)
    body: object = None
    error: str | None = None


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: dict | None = None
    raw: bytes | None = None  # a body sent as it is (a multipart upload), with its headers


def _read(connection: http.client.HTTPConnection) -> Reply:
    response = connection.getresponse()
    raw = response.read()
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode(errors="replace")
    return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


def fire_at_once(server: LiveServer, calls: list[Call], timeout: float = 120.0) -> list[Reply]:
    """Send every call at the same instant, each on its own connection from its own thread
    (connected beforehand, released by one barrier); the replies in the calls' order."""
    replies: list[Reply] = [Reply(0, error="not sent")] * len(calls)
    barrier = threading.Barrier(len(calls), timeout=60)

    def send(i: int, call: Call) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
        try:
            connection.connect()
            payload = json.dumps(call.body).encode() if call.body is not None else call.raw
            headers = (
                {"Content-Type": "application/json", **call.headers}
                if call.body is not None
                else dict(call.headers)
            )
            barrier.wait()
            connection.request(call.method, call.path, body=payload, headers=headers)
            replies[i] = _read(connection)
        except Exception as error:  # noqa: BLE001 - the test shows what each got
            replies[i] = Reply(0, error=repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, c), daemon=True) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 60)
    return replies
