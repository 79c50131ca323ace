"""The job bodies, the same whoever runs them (in-process thread, Celery worker, CLI)."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask

from app.jobs.delivery import DeliveryReport, DeliverySettings, deliver_outbox
from inventory.sweep import SweepReport, sweep
from models import utcnow

log = logging.getLogger(__name__)


def run_sweep(app: Flask, now: datetime | None = None) -> SweepReport:
    """One sweep over the app's database at ``now`` (UTC; default: the current time)."""
    with app.extensions["sparelog.db"].sessions() as session:
        return sweep(
            session,
            now=now or utcnow(),
            reminder_hours=float(app.config.get("RETURN_REMINDER_HOURS", 4.0)),
        )


def run_delivery(app: Flask) -> DeliveryReport:
    """Deliver what is due in the app's outbox."""
    return deliver_outbox(
        app.extensions["sparelog.db"].sessions, DeliverySettings.from_config(app.config)
    )


def run_route_plan_job(app: Flask, job_id: str) -> None:
    """Claim, solve and store one route-plan job (any thread or worker)."""
    from app.geo import travel_model
    from inventory.jobs import claim_job, finish_job, get_job
    from inventory.route_planning import request_from_params, solve_plan

    with app.app_context():
        sessions = app.extensions["sparelog.db"].sessions
        with sessions() as session:
            if not claim_job(session, job_id):
                return
            params = get_job(session, job_id).params
            session.rollback()
            try:
                result = solve_plan(session, request_from_params(params), travel_model())
            except Exception as error:  # a failed solve is reported on the job, never lost
                log.exception("route plan %s failed", job_id)
                session.rollback()
                finish_job(session, job_id, error=f"{type(error).__name__}: {error}"[:2000])
                return
            finish_job(session, job_id, result=result)


def run_planning_job(app: Flask, job_id: str) -> None:
    """Claim, compute and store one service-parts plan (any thread or worker)."""
    from app.geo import travel_model
    from inventory.errors import DomainError
    from inventory.jobs import claim_job, finish_job, get_job
    from inventory.planning import PlanSettings, recommend_plan
    from logistics.planning.metric import PlanningInputError
    from models import utcnow

    with app.app_context():
        sessions = app.extensions["sparelog.db"].sessions
        with sessions() as session:
            if not claim_job(session, job_id):
                return
            params = get_job(session, job_id).params
            session.rollback()
            try:
                result = recommend_plan(
                    session, travel_model(), PlanSettings.from_dict(params), now=utcnow()
                )
            except (PlanningInputError, DomainError) as error:  # bad data, naming the record
                session.rollback()
                finish_job(session, job_id, error=str(error)[:2000])
                return
            except Exception as error:  # a failed run is reported on the job, never lost
                log.exception("planning run %s failed", job_id)
                session.rollback()
                finish_job(session, job_id, error=f"{type(error).__name__}: {error}"[:2000])
                return
            finish_job(session, job_id, result=result)
