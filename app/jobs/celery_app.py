"""Celery for production: the worker's Celery app (tasks in ``app/jobs/tasks.py``).

Start a worker with beat (one beat per deployment; more workers without ``-B``)::

    JOBS_BACKEND=celery DATABASE_URL=postgresql+psycopg://... REDIS_URL=redis://host:6379/0 \\
        celery -A app.jobs.celery_app worker -B --loglevel=INFO

The module's ``celery`` instance creates the Flask app (``create_app()``, configured from
the environment) the first time its configuration is read, not at import. ``make_celery``
binds a Celery instance to a given Flask app instead (tests, scripts).

The Redis lock around the sweep only saves work when two sweeps overlap; what makes a
step fire once is the database (``inventory/sweep.py``).
"""

from __future__ import annotations

from app import create_app
from app.jobs.tasks import make_celery

__all__ = ["celery"]

celery = make_celery(factory=create_app)
