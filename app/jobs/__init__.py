"""Background jobs: the SLA sweep and the notification outbox (docs/jobs.md).

The same two job bodies run everywhere:

* ``run_sweep(app, now)`` — ``inventory.sweep.sweep`` on the app's database;
* ``run_delivery(app)`` — ``app.jobs.delivery.deliver_outbox`` with the app's settings.

Who calls them depends on ``JOBS_BACKEND``: ``inprocess`` (embedded default) runs them
on a background thread of the web process (``app/jobs/inprocess.py``); ``celery`` runs
them as Celery tasks scheduled by beat with the Redis broker (``app/jobs/celery_app.py``).
``flask sla sweep`` / ``flask sla deliver`` run them once by hand.
"""

from __future__ import annotations

import threading
from datetime import datetime

from flask import Flask

from app.jobs.delivery import DeliveryReport, DeliverySettings, deliver_outbox
from inventory.notifications import SETTINGS_KEY, NotificationSettings
from inventory.sweep import SweepReport, sweep
from models import utcnow


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
