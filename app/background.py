"""Running route-plan solves and planning runs off the request thread.

Embedded default: a small in-process thread pool. With JOBS_BACKEND=celery the job id is
sent to the Celery worker instead (task ``sparelog.route_plan``). Either way the job row
is claimed by compare-and-set, so a job runs once even if it is handed out twice.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app

log = logging.getLogger(__name__)
_pool: ThreadPoolExecutor | None = None


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


class JobQueueUnavailable(RuntimeError):
    """The job queue (Celery's Redis broker) did not take the job: answered 503."""

    retry_after_s = 30


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


def submit_planning_run(job_id: str) -> Future | None:
    """Hand a planning job to Celery or to the in-process pool (JobQueueUnavailable, the
    job marked failed, when the broker does not take it)."""
    app = current_app._get_current_object()
    if app.config.get("JOBS_BACKEND") == "celery":
        _send_to_queue(app, "sparelog.planning_run", job_id)
        return None
    return _executor().submit(run_planning_job, app, job_id)


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="route-plan")
    return _pool


def submit_route_plan(job_id: str) -> Future | None:
    """Hand the queued job ``job_id`` to a runner (JobQueueUnavailable, the job marked
    failed, when the broker does not take it)."""
    app = current_app._get_current_object()
    if app.config.get("JOBS_BACKEND") == "celery":
        from app.jobs.celery_app import ROUTE_PLAN_TASK

        _send_to_queue(app, ROUTE_PLAN_TASK, job_id)
        return None
    return _executor().submit(run_route_plan_job, app, job_id)


def _send_to_queue(app: Flask, task: str, job_id: str) -> None:
    """Send the queued job ``job_id`` to Celery. A broker that refuses it or does not
    answer within REDIS_TIMEOUT_SECONDS: the job is marked failed (nobody would ever run
    it) and JobQueueUnavailable is raised."""
    from app.jobs.celery_app import celery_app

    try:
        # the result is stored on the job row: no result backend round trip
        celery_app.send_task(task, args=[job_id], ignore_result=True)
    except Exception as error:  # kombu.OperationalError, redis errors, socket timeouts
        log.warning("job queue unreachable, job %s not queued: %s", job_id, error)
        from inventory.jobs import fail_queued_job

        with app.extensions["sparelog.db"].sessions() as session:
            fail_queued_job(session, job_id, "the job queue (Redis) did not answer")
        raise JobQueueUnavailable("the job queue does not answer; retry shortly") from error
