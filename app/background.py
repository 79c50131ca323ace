"""Running route-plan solves and planning runs off the request thread.

Embedded default: a small in-process thread pool. With JOBS_BACKEND=celery the job id is
sent to the Celery worker instead (tasks ``sparelog.route_plan``, ``sparelog.planning_run``).
Either way the job row is claimed by compare-and-set, so a job runs once even if it is
handed out twice. The job bodies live in ``app/jobs/bodies.py``.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app

from app.jobs.bodies import run_planning_job, run_route_plan_job
from app.jobs.tasks import PLANNING_TASK, ROUTE_PLAN_TASK, make_celery

log = logging.getLogger(__name__)

SENDER_KEY = "sparelog.celery_sender"  # the web process's Celery app, made on first send
_pool: ThreadPoolExecutor | None = None


class JobQueueUnavailable(RuntimeError):
    """The job queue (Celery's Redis broker) did not take the job: answered 503."""

    retry_after_s = 30


def _send_to_queue(app: Flask, task: str, job_id: str) -> None:
    """Send the queued job ``job_id`` to the Celery workers, with this app's own Celery
    client. A broker that refuses it or does not answer within REDIS_TIMEOUT_SECONDS: the
    job is marked failed (nobody would ever run it) and JobQueueUnavailable is raised."""
    sender = app.extensions.get(SENDER_KEY)
    if sender is None:
        sender = app.extensions[SENDER_KEY] = make_celery(app)
    try:
        # the result is stored on the job row: no result backend round trip
        sender.send_task(task, args=[job_id], ignore_result=True)
    except Exception as error:  # kombu.OperationalError, redis errors, socket timeouts
        log.warning("job queue unreachable, job %s not queued: %s", job_id, error)
        from inventory.jobs import fail_queued_job

        with app.extensions["sparelog.db"].sessions() as session:
            fail_queued_job(session, job_id, "the job queue (Redis) did not answer")
        raise JobQueueUnavailable("the job queue does not answer; retry shortly") from error


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="route-plan")
    return _pool


def submit_route_plan(job_id: str) -> Future | None:
    """Hand the queued job ``job_id`` to a runner (JobQueueUnavailable, the job marked
    failed, when the broker does not take it)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("JOBS_BACKEND") == "celery":
        _send_to_queue(app, ROUTE_PLAN_TASK, job_id)
        return None
    return _executor().submit(run_route_plan_job, app, job_id)


def submit_planning_run(job_id: str) -> Future | None:
    """Hand a planning job to Celery or to the in-process pool (JobQueueUnavailable, the
    job marked failed, when the broker does not take it)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("JOBS_BACKEND") == "celery":
        _send_to_queue(app, PLANNING_TASK, job_id)
        return None
    return _executor().submit(run_planning_job, app, job_id)
