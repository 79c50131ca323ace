"""Configuration from environment variables, with defaults for the embedded set-up."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance_path / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def load_config(instance_path: str) -> dict:
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    env = os.environ.get
    return {
        "DATABASE_URL": env("DATABASE_URL", f"sqlite:///{instance / 'sparelog.db'}"),
        "SECRET_KEY": _secret_key(instance),
        "DEFAULT_TIMEZONE": env("DEFAULT_TIMEZONE", "Asia/Shanghai"),
        "DEFAULT_LOCALE": env("DEFAULT_LOCALE", "zh"),
        # logistics providers
        "GEOCODER": env("GEOCODER", "gazetteer"),  # gazetteer | nominatim
        "NOMINATIM_USER_AGENT": env("NOMINATIM_USER_AGENT", "sparelog"),
        "TRAVEL_PROVIDER": env("TRAVEL_PROVIDER", "geodesic"),  # geodesic | osrm
        "OSRM_URL": env("OSRM_URL", ""),
        # background jobs and rate limits
        "JOBS_BACKEND": env("JOBS_BACKEND", "inprocess"),  # inprocess | celery
        "REDIS_URL": env("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "memory://"),
        "TRACKING_RATE_LIMIT": env("TRACKING_RATE_LIMIT", "60 per minute"),
        "PUBLIC_BASE_URL": env("PUBLIC_BASE_URL", "http://localhost:5000"),
        # notifications
        "SMTP_HOST": env("SMTP_HOST", "127.0.0.1"),
        "SMTP_PORT": int(env("SMTP_PORT", "8025")),
        "MAIL_FROM": env("MAIL_FROM", "noreply@sparelog.local"),
        "WEBHOOK_URL": env("WEBHOOK_URL", ""),
        "WEBHOOK_SECRET": env("WEBHOOK_SECRET", ""),
        # sweep and outbox delivery (app/jobs, docs/jobs.md)
        "SMTP_USER": env("SMTP_USER", ""),
        "SMTP_PASSWORD": env("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": env("SMTP_STARTTLS", "0") == "1",
        "DISPATCHER_EMAILS": env("DISPATCHER_EMAILS", ""),  # comma-separated
        "ESCALATION_EMAILS": env("ESCALATION_EMAILS", ""),  # "1=pm@x,head@x;2=gm@x;3=vp@x"
        "RETURN_REMINDER_HOURS": float(env("RETURN_REMINDER_HOURS", "4")),
        "SWEEP_INTERVAL_SECONDS": float(env("SWEEP_INTERVAL_SECONDS", "60")),
        "OUTBOX_INTERVAL_SECONDS": float(env("OUTBOX_INTERVAL_SECONDS", "15")),
        "OUTBOX_MAX_ATTEMPTS": int(env("OUTBOX_MAX_ATTEMPTS", "10")),
        "OUTBOX_BACKOFF_SECONDS": float(env("OUTBOX_BACKOFF_SECONDS", "30")),
        "CELERY_BROKER_URL": env("CELERY_BROKER_URL", "") or env("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "CELERY_RESULT_BACKEND": env("CELERY_RESULT_BACKEND", "") or env("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "JOBS_KEY_PREFIX": env("JOBS_KEY_PREFIX", ""),  # Redis key prefix for broker, results, locks
        # flask-smorest / OpenAPI
        "API_TITLE": "Spare-parts & RMA logistics API",
        "API_VERSION": "1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/docs-assets/",
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
    }
