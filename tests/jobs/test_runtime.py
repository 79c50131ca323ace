"""The embedded runtime: ``flask sla sweep|deliver`` and the in-process background runner."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

from sqlalchemy import select

from app import create_app
from app.jobs.inprocess import RUNNER_KEY
from models import Event, utcnow
from tests.jobs.conftest import CUSTOMER_EMAIL, DISPATCHERS, make_ticket, make_world, queue_email

T0 = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


def test_flask_sla_sweep_fires_what_is_due_at_the_given_instant_once(runner, db):
    world = make_world(db)
    number = make_ticket(db, world, T0)
    at = (T0 + timedelta(minutes=16)).isoformat()

    first = runner.invoke(args=["sla", "sweep", "--now", at])
    again = runner.invoke(args=["sla", "sweep", "--now", at])

    assert first.exit_code == 0, first.output
    report = json.loads(first.output)
    assert [(f["subject_ref"], f["step"]) for f in report["escalations"]] == [
        (number, "escalation:1")
    ]
    assert json.loads(again.output)["fired"] == 0


def test_a_dry_run_sweep_prints_what_would_fire_and_writes_nothing(runner, db):
    world = make_world(db)
    number = make_ticket(db, world, T0)
    at = (T0 + timedelta(minutes=16)).isoformat()
    events_before = len(db.scalars(select(Event)).all())
    db.rollback()

    dry = runner.invoke(args=["sla", "sweep", "--now", at, "--dry-run"])
    dry_again = runner.invoke(args=["sla", "sweep", "--now", at, "--dry-run"])

    assert dry.exit_code == 0, dry.output
    would = json.loads(dry.output)
    assert [(f["subject_ref"], f["step"]) for f in would["escalations"]] == [
        (number, "escalation:1")
    ]
    assert json.loads(dry_again.output) == would  # nothing was written the first time
    assert len(db.scalars(select(Event)).all()) == events_before
    db.rollback()
    real = runner.invoke(args=["sla", "sweep", "--now", at])
    assert json.loads(real.output)["escalations"] == would["escalations"]


def test_flask_sla_sweep_refuses_a_time_without_a_zone(runner):
    result = runner.invoke(args=["sla", "sweep", "--now", "2026-03-04T10:00:00"])
    assert result.exit_code == 2 and "time zone" in result.output


def test_flask_sla_deliver_sends_what_the_outbox_holds(app, runner, db, smtp_server):
    server = smtp_server()
    app.config["SMTP_PORT"] = server.port
    queue_email(db, "cli:1", subject="Hello", body="Hi\n")

    result = runner.invoke(args=["sla", "deliver"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["outbox"] == {"pending": 0, "sent": 1, "dead": 0}
    assert [m["To"] for m in server.messages()] == [CUSTOMER_EMAIL]


def test_the_demo_writes_e_mail_to_a_local_folder_instead_of_an_absent_smtp_server(
    app, runner, db, tmp_path
):
    sink = tmp_path / "mail"
    app.config["MAIL_SINK_DIR"] = str(sink)
    app.config["SMTP_PORT"] = 9  # nothing listens there: a send over SMTP would fail
    queue_email(db, "sink:1", subject="备件已发出", body="您好\n")

    result = runner.invoke(args=["sla", "deliver"])

    assert json.loads(result.output)["outbox"] == {"pending": 0, "sent": 1, "dead": 0}
    written = [message_from_bytes(f.read_bytes()) for f in sink.glob("*.eml")]
    assert [(m["To"], str(make_header(decode_header(m["Subject"])))) for m in written] == [
        (CUSTOMER_EMAIL, "备件已发出")
    ]


def test_the_demo_config_sinks_mail_to_the_instance_folder_unless_smtp_is_set(
    tmp_path, monkeypatch
):
    from app.config import load_config

    monkeypatch.delenv("SMTP_HOST", raising=False)
    monkeypatch.delenv("MAIL_SINK_DIR", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    assert load_config(str(tmp_path), "development")["MAIL_SINK_DIR"] == str(tmp_path / "mail")
    monkeypatch.setenv("SMTP_HOST", "smtp.example.com")
    assert load_config(str(tmp_path), "development")["MAIL_SINK_DIR"] == ""


def test_a_testing_app_starts_no_background_runner(app, client):
    client.get("/api/health")
    assert RUNNER_KEY not in app.extensions


def test_the_embedded_runner_sweeps_and_mails_the_dispatchers_in_the_background(
    database_url, smtp_server
):
    server = smtp_server()
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "JOBS_BACKEND": "inprocess",
            "SMTP_PORT": server.port,
            "DISPATCHER_EMAILS": ",".join(DISPATCHERS),
            "SWEEP_INTERVAL_SECONDS": 0.2,
            "OUTBOX_INTERVAL_SECONDS": 0.2,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    sessions = app.extensions["sparelog.db"].sessions
    with sessions() as session:
        world = make_world(session)
        number = make_ticket(session, world, utcnow() - timedelta(minutes=20))
    assert RUNNER_KEY not in app.extensions  # nothing runs until the app serves a request

    app.test_client().get("/api/health")
    runner = app.extensions[RUNNER_KEY]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(server.messages()) < 2 * len(DISPATCHERS):
            time.sleep(0.2)  # waiting for another thread's outcome, not lining up a race
    finally:
        runner.stop()
        app.extensions["sparelog.db"].engine.dispose()

    subjects = sorted((m["To"], m["Subject"].strip()) for m in server.messages())
    assert subjects == sorted(
        [(to, f"[{number}] 第1级升级：项目经理 / 部门负责人") for to in DISPATCHERS]
        + [(to, f"[{number}] SLA时限已超：响应") for to in DISPATCHERS]
    )
    with sessions() as session:
        assert session.scalars(select(Event.kind).where(Event.kind == "escalated")).all() == [
            "escalated"
        ]
