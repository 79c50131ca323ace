"""A test-only Celery task, loaded into worker processes with ``--include``: the
production sweep, with every worker held at a start line (a Redis barrier) just before
its first firing, so that two workers really try to fire the same steps at once."""

from __future__ import annotations

from datetime import datetime

import redis

import inventory.sweep as sweep_module
from app.jobs.celery_app import celery
from app.jobs.tasks import sweep_task_body


def redis_barrier(client: redis.Redis, key: str, parties: int, timeout: int = 60) -> None:
    """Return once ``parties`` callers have arrived (INCR, then BLPOP on a go list)."""
    if client.incr(key) == parties:
        client.rpush(key + ":go", *["go"] * parties)
    if client.blpop([key + ":go"], timeout=timeout) is None:
        raise TimeoutError(f"barrier {key}: not all {parties} workers arrived")


@celery.task(name="tests.race_sweep", bind=True)
def race_sweep(self, now: str, barrier_key: str, parties: int = 2) -> dict:
    app = celery.get_flask_app()
    client = redis.Redis.from_url(app.config["REDIS_URL"])
    real_fire_once = sweep_module.fire_once
    arrived = []

    def fire_once_after_the_start_line(*args, **kwargs):
        if not arrived:
            arrived.append(True)
            redis_barrier(client, barrier_key, parties)
        return real_fire_once(*args, **kwargs)

    sweep_module.fire_once = fire_once_after_the_start_line
    try:
        result = sweep_task_body(app, datetime.fromisoformat(now), use_lock=False)
    finally:
        sweep_module.fire_once = real_fire_once
        client.close()
    result["worker"] = self.request.hostname
    return result
