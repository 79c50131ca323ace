"""The job bodies, the same whoever runs them (in-process thread, Celery worker, CLI)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy.orm import Session

from app.jobs.delivery import DeliveryReport, DeliverySettings, deliver_outbox
from inventory.sweep import SweepReport, sweep
from models import utcnow

log = logging.getLogger(__name__)
# how far ahead of the clock a writing sweep's ``now`` may be (clock skew between hosts)
FUTURE_SWEEP_TOLERANCE = timedelta(minutes=1)


class FutureSweep(ValueError):
    """A writing sweep was asked to run as of a time still to come."""


def run_sweep(app: Flask, now: datetime | None = None, *, dry_run: bool = False) -> SweepReport:
    """One sweep over the app's database at ``now`` (UTC; default: the current time).

    ``dry_run``: the sweep runs inside one outer transaction that is rolled back at the
    end (its step-by-step commits are savepoints): the report says what would fire, and
    nothing is written, no flag and no message.

    A sweep that writes runs as of the present: a ``now`` ahead of the clock (more than
    ``FUTURE_SWEEP_TOLERANCE``) raises ``FutureSweep`` — it would flag what has not happened
    yet, and the facts that arrive meanwhile would contradict it. Ahead-of-time is for a
    dry run."""
    reminder_hours = float(app.config.get("RETURN_REMINDER_HOURS", 4.0))
    if now is not None and not dry_run and now > utcnow() + FUTURE_SWEEP_TOLERANCE:
        raise FutureSweep(
            f"{now.isoformat()} is ahead of the clock: a sweep as of the future would flag "
            "what has not happened yet; use --dry-run to see what would fire then"
        )
    if not dry_run:
        with app.extensions["sparelog.db"].sessions() as session:
            return sweep(session, now=now or utcnow(), reminder_hours=reminder_hours)
    with app.extensions["sparelog.db"].engine.connect() as conn:
        outer = conn.begin()
        try:
            with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
                return sweep(session, now=now or utcnow(), reminder_hours=reminder_hours)
        finally:
            outer.rollback()


def run_delivery(app: Flask) -> DeliveryReport:
    """Deliver what is due in the app's outbox."""
    return deliver_outbox(
        app.extensions["sparelog.db"].sessions, DeliverySettings.from_config(app.config)
    )


def _run_job(
    app: Flask,
    job_id: str,
    what: str,
    compute: Callable[[Session, dict], dict],
    expected: tuple[type[Exception], ...] = (),
) -> None:
    """Claim one job (compare-and-set: it runs once however often it is handed out), run
    `compute(session, params)` with no transaction held, and store its result — or its
    error: an `expected` one (bad data, naming the record) as its message, any other with
    its type, logged. A failed job is reported on the job, never lost."""
    from inventory.jobs import claim_job, finish_job, get_job

    with app.app_context():
        sessions = app.extensions["sparelog.db"].sessions
        with sessions() as session:
            if not claim_job(session, job_id):
                return
            params = get_job(session, job_id).params
            session.rollback()
            try:
                result = compute(session, params)
            except expected as error:
                session.rollback()
                finish_job(session, job_id, error=str(error)[:2000])
                return
            except Exception as error:
                log.exception("%s %s failed", what, job_id)
                session.rollback()
                finish_job(session, job_id, error=f"{type(error).__name__}: {error}"[:2000])
                return
            finish_job(session, job_id, result=result)


def run_route_plan_job(app: Flask, job_id: str) -> None:
    """Claim, solve and store one route-plan job (any thread or worker)."""
    from app.geo import travel_model
    from inventory.route_planning import request_from_params, solve_plan

    def compute(session: Session, params: dict) -> dict:
        return solve_plan(session, request_from_params(params), travel_model())

    _run_job(app, job_id, "route plan", compute)


def run_planning_job(app: Flask, job_id: str) -> None:
    """Claim, compute and store one service-parts plan (any thread or worker)."""
    from app.geo import travel_model
    from inventory.errors import DomainError
    from inventory.planning import PlanSettings, recommend_plan
    from logistics.planning.metric import PlanningInputError
    from models import utcnow

    def compute(session: Session, params: dict) -> dict:
        settings = PlanSettings.from_dict(params)
        return recommend_plan(session, travel_model(), settings, now=utcnow())

    _run_job(app, job_id, "planning run", compute, (PlanningInputError, DomainError))


def run_service_files(app: Flask, now: datetime | None = None) -> list[str]:
    """The schedule of the customers' service files: last quarter's file and last year's
    summary for every customer that has none yet (``app.documents.files``)."""
    from app.documents.files import generate_due_service_files

    with app.app_context(), app.extensions["sparelog.db"].sessions() as session:
        return generate_due_service_files(session, now=now or utcnow())
