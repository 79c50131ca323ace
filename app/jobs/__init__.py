"""Background jobs: the SLA sweep and the notification outbox (docs/jobs.md).

The same two job bodies run everywhere:

* ``run_sweep(app, now)`` (``app/jobs/bodies.py``) — ``inventory.sweep.sweep`` on the app's database;
* ``run_delivery(app)`` — ``app.jobs.delivery.deliver_outbox`` with the app's settings.

Who calls them depends on ``JOBS_BACKEND``: ``inprocess`` (embedded default) runs them
on a background thread of the web process (``app/jobs/inprocess.py``); ``celery`` runs
them as Celery tasks scheduled by beat with the Redis broker (``app/jobs/celery_app.py``).
``flask sla sweep`` / ``flask sla deliver`` run them once by hand.
"""

from __future__ import annotations

import threading

from flask import Flask

from app.jobs.bodies import run_delivery, run_sweep
from inventory.notifications import SETTINGS_KEY, NotificationSettings

__all__ = ["init_jobs", "run_delivery", "run_sweep"]


def init_jobs(app: Flask) -> None:
    """Hand the notification settings to every session of the app, and arm the
    in-process runner (``JOBS_BACKEND=inprocess``, not when TESTING): it starts with the
    first request the process serves, so CLI commands (``flask db upgrade``…) never
    start it."""
    settings = NotificationSettings.from_config(app.config)
    app.extensions["sparelog.db"].sessions.configure(info={SETTINGS_KEY: settings})
    if app.config.get("JOBS_BACKEND", "inprocess") != "inprocess" or app.testing:
        return
    started = threading.Event()

    @app.before_request
    def _start_inprocess_jobs():
        if not started.is_set():
            from app.jobs.inprocess import start_runner

            start_runner(app)
            started.set()
