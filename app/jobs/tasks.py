"""The Celery tasks: the sweep, the outbox and route-plan solves, scheduled by beat with
the Redis broker. ``make_celery`` binds a Celery instance to a Flask app, given or made by
a factory when the configuration is first needed; the worker's instance is
``app.jobs.celery_app.celery``, a web process sends with its own (``app.background``).

The Redis lock around the sweep only saves work when two sweeps overlap; what makes a
step fire once is the database (``inventory/sweep.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from flask import Flask, current_app, has_app_context

from app.config import redis_options
from app.jobs.bodies import (
    run_delivery,
    run_planning_job,
    run_route_plan_job,
    run_service_files,
    run_sweep,
)

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

SWEEP_TASK = "sparelog.sla_sweep"
DELIVER_TASK = "sparelog.deliver_outbox"
ROUTE_PLAN_TASK = "sparelog.route_plan"  # sent by app/background.py
PLANNING_TASK = "sparelog.planning_run"  # sent by app/background.py
SERVICE_FILES_TASK = "sparelog.service_files"
SWEEP_LOCK = "sparelog:lock:sla-sweep"


def celery_settings(config: Mapping) -> dict:
    """Celery's configuration from the Flask app's (docs/jobs.md lists the keys)."""
    prefix = config.get("JOBS_KEY_PREFIX", "")
    # a broker that does not answer fails the call within REDIS_TIMEOUT_SECONDS instead of
    # holding the request (connect and every read), and a publish is not retried
    timeouts = redis_options(config)
    transport = {"global_keyprefix": prefix} if prefix else {}
    transport.update(timeouts)
    sweep_every = float(config.get("SWEEP_INTERVAL_SECONDS", 60.0))
    deliver_every = float(config.get("OUTBOX_INTERVAL_SECONDS", 15.0))
    files_every = float(config.get("SERVICE_FILES_INTERVAL_SECONDS", 3600.0))
    return {
        "broker_url": config["CELERY_BROKER_URL"],
        "result_backend": config["CELERY_RESULT_BACKEND"],
        "broker_transport_options": transport,
        "result_backend_transport_options": transport,
        "result_expires": 3600,
        "redis_socket_timeout": timeouts["socket_timeout"],
        "redis_socket_connect_timeout": timeouts["socket_connect_timeout"],
        "broker_connection_timeout": timeouts["socket_connect_timeout"],
        "task_publish_retry": False,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "timezone": "UTC",
        "enable_utc": True,
        "task_acks_late": True,  # a task whose worker died is run again (both jobs are idempotent)
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "beat_schedule": {
            "sla-sweep": {
                "task": SWEEP_TASK,
                "schedule": sweep_every,
                "options": {"expires": sweep_every},
            },
            "deliver-outbox": {
                "task": DELIVER_TASK,
                "schedule": deliver_every,
                "options": {"expires": deliver_every},
            },
            "service-files": {
                "task": SERVICE_FILES_TASK,
                "schedule": files_every,
                "options": {"expires": files_every},
            },
        },
    }


def make_celery(
    flask_app: Flask | None = None, factory: Callable[[], Flask] | None = None
) -> Celery:
    """A Celery app running the jobs of ``flask_app`` (default: ``factory()``, made when
    the configuration is first needed; inside an app context, that app)."""
    from celery import Celery  # Celery and kombu load when a job is first sent

    celery = Celery("sparelog", set_as_current=False)
    holder: dict[str, Flask] = {}

    def get_flask_app() -> Flask:
        if "app" not in holder:
            if has_app_context():  # a web process sending a task: its own app will do
                return current_app._get_current_object()  # type: ignore[attr-defined]
            if factory is None:
                raise RuntimeError("make_celery needs a Flask app or a factory outside a request")
            holder["app"] = factory()
        return holder["app"]

    if flask_app is not None:
        holder["app"] = flask_app
    celery.get_flask_app = get_flask_app  # for tasks defined elsewhere
    celery.add_defaults(lambda: celery_settings(get_flask_app().config))
    _register_tasks(celery, get_flask_app)
    return celery


def _register_tasks(celery: Celery, get_flask_app) -> None:
    @celery.task(name=SWEEP_TASK, bind=True, ignore_result=False)
    def sla_sweep(self, now: str | None = None, use_lock: bool = True) -> dict:
        """Run the SLA sweep; ``now`` is an ISO UTC timestamp (default: the current time)."""
        app = get_flask_app()
        result = sweep_task_body(
            app, datetime.fromisoformat(now) if now else None, use_lock=use_lock
        )
        result["worker"] = self.request.hostname
        if result.get("fired"):
            deliver_outbox.delay()
        return result

    @celery.task(name=DELIVER_TASK, ignore_result=False)
    def deliver_outbox() -> dict:
        return vars(run_delivery(get_flask_app()))

    @celery.task(name=SERVICE_FILES_TASK, ignore_result=False)
    def service_files() -> list[str]:
        """Last quarter's files and last year's summaries not kept yet (each once: a file
        kept is not made again)."""
        made = run_service_files(get_flask_app())
        if made:
            deliver_outbox.delay()
        return made

    @celery.task(name=ROUTE_PLAN_TASK)
    def route_plan(job_id: str) -> None:
        """A route-plan solve handed out by ``app.background.submit_route_plan``."""
        run_route_plan_job(get_flask_app(), job_id)

    @celery.task(name=PLANNING_TASK)
    def planning_run(job_id: str) -> None:
        """A service-parts planning run handed out by ``app.background.submit_planning_run``."""
        run_planning_job(get_flask_app(), job_id)


def sweep_task_body(app: Flask, now: datetime | None, *, use_lock: bool = True) -> dict:
    """The sweep as a task: under the Redis lock when ``use_lock`` (an overlapping sweep
    is then skipped, not queued), else straight on the database."""
    if not use_lock:
        return run_sweep(app, now).as_dict()
    import redis  # the sweep lock's client, loaded in the worker when first needed

    client = redis.Redis.from_url(app.config["REDIS_URL"], **redis_options(app.config))
    lock_timeout = max(60.0, 5 * float(app.config.get("SWEEP_INTERVAL_SECONDS", 60.0)))
    lock = client.lock(
        app.config.get("JOBS_KEY_PREFIX", "") + SWEEP_LOCK, timeout=lock_timeout, blocking=False
    )
    try:
        try:
            acquired = lock.acquire()
        except redis.RedisError as error:  # only an optimisation: sweep without it
            log.warning("sweep lock unavailable (%s); sweeping without it", error)
            return run_sweep(app, now).as_dict()
        if not acquired:
            return {"skipped": "another sweep holds the lock", "fired": 0}
        try:
            return run_sweep(app, now).as_dict()
        finally:
            try:
                lock.release()
            except redis.RedisError:
                log.warning("sweep lock expired or unreachable before the sweep finished")
    finally:
        client.close()
