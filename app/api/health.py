"""Liveness and readiness: the database, and Redis where the app uses it, each asked with a
short timeout so that the answer comes within a second whatever is down."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy import text

from app.db import get_session
from app.errors import problem

blp = Blueprint("health", __name__, url_prefix="/api", description="Liveness and readiness")

# Redis is asked with at most this timeout (seconds), connect and answer each.
REDIS_PROBE_SECONDS = 0.4


class HealthSchema(ma.Schema):
    status = ma.fields.String(
        metadata={
            "example": "ok",
            "description": "ok, or degraded when Redis does not answer (the database does): "
            "pages, stock and tracking work; route plans answer 503; rate limits count per worker",
        }
    )
    checks = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        metadata={
            "description": "each dependency: ok, or what is wrong with it",
            "example": {"database": "ok", "redis": "ok"},
        },
    )


def _redis_urls() -> list[str]:
    """The Redis servers this app talks to: the job queue (JOBS_BACKEND=celery) and the
    rate-limit counters (when they are kept in Redis)."""
    config = current_app.config
    urls = []
    if config.get("JOBS_BACKEND") == "celery":
        urls.append(config["CELERY_BROKER_URL"])
    storage = config.get("RATELIMIT_STORAGE_URI") or ""
    if storage.startswith(("redis://", "rediss://", "unix://")):
        urls.append(storage)
    return list(dict.fromkeys(urls))


def _redis_check(url: str) -> str:
    clients = current_app.extensions.setdefault("sparelog.health_redis", {})
    if url not in clients:
        import redis  # loaded when a Redis is first probed, not at start-up

        timeout = min(REDIS_PROBE_SECONDS, float(current_app.config["REDIS_TIMEOUT_SECONDS"]))
        clients[url] = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
    try:
        clients[url].ping()
    except Exception as error:  # redis.ConnectionError, TimeoutError, ...
        return f"does not answer ({type(error).__name__})"
    return "ok"


@blp.get("/health")
@blp.doc(security=[])
@blp.response(200, HealthSchema)
@blp.alt_response(503, description="The database does not answer (the body names it)")
def health():
    """200 once the database answers (status ``degraded`` if Redis does not); 503 when the
    database does not. ``checks`` names each dependency and what is wrong with it."""
    checks = {}
    try:
        get_session().execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # any database failure means not ready
        checks["database"] = f"does not answer ({type(error).__name__})"
    for url in _redis_urls():
        checks["redis"] = _redis_check(url)
        if checks["redis"] != "ok":
            break
    if checks["database"] != "ok":
        down = ", ".join(name for name, state in checks.items() if state != "ok")
        return problem(
            503,
            "Service Unavailable",
            f"not reachable: {down}",
            headers={"Retry-After": "5"},
            checks=checks,
        )
    return {
        "status": "ok" if all(v == "ok" for v in checks.values()) else "degraded",
        "checks": checks,
    }
