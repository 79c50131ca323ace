"""Fixtures for the jobs tests: the real Redis, a local SMTP server process, a webhook
receiver, Celery worker processes, and a small service world (customer, contract, site,
depot, spares) to sweep over.

Redis is the server on 127.0.0.1:6379 (override with TEST_REDIS_URL). Unreachable →
the tests FAIL, never skip. Each run uses its own key prefix and deletes its keys.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
from sqlalchemy.orm import Session, sessionmaker

from app.jobs.delivery import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    DeliverySettings,
    verify_signature,
)
from inventory import receiving
from inventory.contracts import create_contract
from inventory.installed_base import create_customer, create_site
from inventory.notifications import SETTINGS_KEY, NotificationSettings
from inventory.outbox import enqueue
from inventory.rmas import MoveInput, RmaRequest, move_rma, open_rma
from inventory.tickets import open_ticket
from models.db import make_session_factory
from tests.builders import free_port, make_depot, make_part

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WEBHOOK_SECRET = "test-webhook-secret"
CUSTOMER_EMAIL = "ops@customer.example"
DISPATCHERS = ("dispatch@sparelog.example", "duty@sparelog.example")
LADDER = {1: ("pm@sparelog.example",), 2: ("gm@sparelog.example",), 3: ("vp@sparelog.example",)}


# -- Redis ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The real Redis; the test fails when it is not there."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is required for this test and is unreachable at {REDIS_URL}: {error}")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url) -> Iterator[str]:
    """A key prefix of this test alone; every key under it is deleted afterwards."""
    prefix = f"sparelog-test:{os.getpid()}:{uuid.uuid4().hex[:8]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=prefix + "*", count=500))
    if keys:
        client.delete(*keys)
    client.close()


# -- SMTP ----------------------------------------------------------------------------------


@dataclass
class SmtpServer:
    """A local SMTP server process; ``messages()`` are the e-mails it accepted."""

    port: int
    spool: Path
    process: subprocess.Popen | None = None

    def messages(self) -> list[email.message.Message]:
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(self.spool.glob("*.eml"))
        ]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def smtp_server(tmp_path) -> Iterator:
    """Factory: ``smtp_server(refuse_first=N)`` starts aiosmtpd in its own process."""
    started: list[SmtpServer] = []

    def start(refuse_first: int = 0, port: int | None = None) -> SmtpServer:
        server = SmtpServer(port or free_port(), tmp_path / f"spool-{len(started)}")
        server.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.jobs.smtp_sink",
                "--port",
                str(server.port),
                "--spool",
                str(server.spool),
                "--refuse-first",
                str(refuse_first),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(server)
        line = server.process.stdout.readline()
        assert line.startswith("ready"), f"SMTP server did not start: {line!r}"
        return server

    yield start
    for server in started:
        server.stop()


# -- webhooks ------------------------------------------------------------------------------


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    valid_signature: bool


@dataclass
class WebhookReceiver:
    """Answers with ``statuses`` in turn (then 200) and keeps what it was sent."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def delivered(self) -> list[Received]:
        """The requests answered 2xx."""
        return [r for r in self.received if r.headers.get("x-answered", "200").startswith("2")]


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            valid = verify_signature(
                WEBHOOK_SECRET,
                headers.get(TIMESTAMP_HEADER.lower(), ""),
                body,
                headers.get(SIGNATURE_HEADER.lower(), ""),
            )
            with receiver.lock:
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                headers["x-answered"] = str(status)
                receiver.received.append(Received(headers, body, valid))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/sparelog"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


def delivery_headers(r: Received) -> tuple[str, str]:
    return r.headers[DELIVERY_HEADER.lower()], r.headers[SIGNATURE_HEADER.lower()]


# -- sessions with notification settings -----------------------------------------------------


def notification_settings(webhook_url: str = "") -> NotificationSettings:
    return NotificationSettings(
        dispatcher_emails=DISPATCHERS,
        escalation_emails=LADDER,
        webhook_url=webhook_url,
        public_base_url="https://rma.example",
    )


@pytest.fixture
def notifying_sessions(engine) -> sessionmaker[Session]:
    """Sessions that notify dispatchers and the ladder (no webhook), like the app's."""
    sessions = make_session_factory(engine)
    sessions.configure(info={SETTINGS_KEY: notification_settings()})
    return sessions


@pytest.fixture
def nsession(notifying_sessions) -> Iterator[Session]:
    with notifying_sessions() as s:
        yield s


def delivery_settings(smtp_port: int, **kw) -> DeliverySettings:
    values = {
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "mail_from": "noreply@sparelog.test",
        "webhook_secret": WEBHOOK_SECRET,
        "timeout_seconds": 5.0,
        "backoff_seconds": 30.0,
    }
    return DeliverySettings(**(values | kw))


# -- a small service world -----------------------------------------------------------------


@dataclass
class World:
    """One customer with an e-mail address, one site, one contract, a depot with spares."""

    site: str = "SITE-BJ-1"
    contract: str = "CT-1"
    depot: str = "BJ01"
    part: str = "SRV-PSU"
    charge: Decimal = Decimal("500.00")


def make_world(session: Session, *, coverage: str = "7x24", spares: int = 3) -> World:
    world = World()
    create_customer(
        session, code="CUST-1", name="Acme Datacenter", email=CUSTOMER_EMAIL, contact_name="Li Lei"
    )
    create_site(
        session,
        customer_code="CUST-1",
        code=world.site,
        name="Acme Beijing DC",
        address="1 Jiuxianqiao Rd, Beijing",
        city="Beijing",
        lat=39.97,
        lon=116.49,
    )
    create_contract(
        session,
        customer_code="CUST-1",
        code=world.contract,
        coverage=coverage,
        late_return_charge=world.charge,
        currency="CNY",
    )
    make_depot(session, world.depot)
    make_part(session, world.part)
    for i in range(spares):
        receiving.receive_from_supplier(
            session,
            depot_code=world.depot,
            part_number=world.part,
            serial=f"SP-{i:03d}",
            actor="test",
        )
    return world


def make_ticket(
    session: Session,
    world: World,
    opened_at: datetime,
    *,
    severity: str = "P2",
    channel: str = "phone",
) -> str:
    """Open a ticket at ``opened_at`` (UTC); returns its number."""
    return open_ticket(
        session,
        site_code=world.site,
        severity=severity,
        channel=channel,
        symptom="PSU fan failure",
        actor="dispatcher1",
        now=opened_at,
    ).number


def queue_email(
    session: Session,
    key: str = "test:1",
    to: str = CUSTOMER_EMAIL,
    *,
    subject: str = "Your RMA",
    body: str = "Hello\n",
) -> None:
    """One e-mail in the outbox under the dedupe key ``key``, committed."""
    enqueue(session, dedupe_key=key, channel="email", recipient=to, subject=subject, body=body)
    session.commit()


def delivered_rma(
    session: Session, world: World, delivered_at: datetime, *, ticket: str | None = None
) -> str:
    """An advance replacement (for ``ticket``, if given) whose replacement was delivered at
    ``delivered_at``, three hours after it was opened."""
    start = delivered_at - timedelta(hours=3)
    number = open_rma(
        session,
        RmaRequest(
            kind="advance_replacement",
            site_code=world.site,
            faulty_part_number=world.part,
            fault_symptom="no power",
            faulty_serial="FAULTY-1",
            ticket=ticket,
            return_depot=world.depot,
        ),
        actor="dispatcher1",
        now=start,
    ).number
    move_rma(session, number, "approve", actor="dispatcher1", now=start + timedelta(minutes=10))
    move_rma(
        session,
        number,
        "allocate",
        actor="dispatcher1",
        given=MoveInput(depot=world.depot),
        now=start + timedelta(minutes=20),
    )
    move_rma(
        session,
        number,
        "ship",
        actor="warehouse1",
        given=MoveInput(carrier="SF", waybill="SF123"),
        now=start + timedelta(minutes=30),
    )
    move_rma(session, number, "deliver", actor="engineer1", now=delivered_at)
    return number


def faulty_part_back(
    session: Session,
    world: World,
    number: str,
    *,
    sent_at: datetime,
    received_at: datetime | None = None,
) -> None:
    """The faulty part of RMA ``number`` goes back at ``sent_at`` and the world's depot
    receives it at ``received_at`` (default: the same moment)."""
    move_rma(session, number, "return_faulty", actor="engineer1", now=sent_at)
    move_rma(
        session,
        number,
        "receive_faulty",
        actor="warehouse1",
        given=MoveInput(depot=world.depot),
        now=received_at or sent_at,
    )


def webhook_json(r: Received) -> dict:
    return json.loads(r.body)


# -- PostgreSQL only, and Celery worker processes -----------------------------------------------


@pytest.fixture
def pg_url(pg_database_url) -> str:
    """The run's PostgreSQL database, emptied (the Celery tests are multi-process)."""
    from tests.conftest import truncate_pg

    truncate_pg(pg_database_url)
    return pg_database_url


def jobs_config(database_url: str, redis_url: str, prefix: str, **extra) -> dict:
    """The Flask configuration of both sides: the test's client app and the workers."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "JOBS_KEY_PREFIX": prefix,
        "JOBS_BACKEND": "celery",
        "SECRET_KEY": "test",
        **extra,
    }


@pytest.fixture
def celery_workers(tmp_path) -> Iterator:
    """Factory: ``celery_workers(config, n, beat=False)`` starts n real worker processes
    (``celery -A app.jobs.celery_app worker``) configured through the environment."""
    procs: list[subprocess.Popen] = []

    def start(config: dict, n: int = 1, *, beat: bool = False) -> list[subprocess.Popen]:
        env = os.environ | {k: str(v) for k, v in config.items()}
        for i in range(n):
            name = f"w{len(procs) + 1}-{uuid.uuid4().hex[:6]}@%h"
            cmd = [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "app.jobs.celery_app",
                "worker",
                "--pool=solo",
                "-n",
                name,
                "--include",
                "tests.jobs.race_tasks",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ]
            if beat and i == 0:
                cmd += ["-B", "--schedule", str(tmp_path / "celerybeat-schedule")]
            log = open(tmp_path / f"worker-{len(procs) + 1}.log", "w")  # noqa: SIM115 - closed with the process
            procs.append(
                subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            )
        return procs

    yield start
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
