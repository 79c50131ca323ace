"""Configuration from environment variables, with defaults for the embedded set-up.

``SPARELOG_ENV`` says where the app runs: ``production`` (the default: secure unless told
otherwise), ``development`` (the demo of ``make run``) or ``testing``. Production insists on
a ``SECRET_KEY`` and a ``PUBLIC_BASE_URL`` from the environment, keeps rate-limit counters
in Redis and sends session cookies over HTTPS only; development generates a key once into
``instance/``, links to ``http://localhost:$PORT`` and counts in memory.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from app.photos import check_photo_config

ENVIRONMENTS = ("production", "development", "testing")


class ConfigError(RuntimeError):
    """The configuration cannot run the app (the message names the variable to set)."""


def environment(value: str | None = None) -> str:
    """``value`` (else ``SPARELOG_ENV``, else production), checked against ENVIRONMENTS."""
    name = (value if value is not None else os.environ.get("SPARELOG_ENV", "")).strip().lower()
    name = name or "production"
    if name not in ENVIRONMENTS:
        raise ConfigError(f"SPARELOG_ENV must be one of {', '.join(ENVIRONMENTS)}; got {name!r}")
    return name


def _secret_key(instance_path: Path, env: str) -> str | None:
    """SECRET_KEY from the environment; in development one generated once and kept in
    instance/, in testing a random one per process; in production nothing (check_config
    then stops the app unless the caller's configuration brings one)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if env == "testing":
        return secrets.token_hex(32)
    if env != "development":
        return None
    path = instance_path / "secret_key"
    try:
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            file.write(secrets.token_hex(32))  # readable by its owner only
    except FileExistsError:
        pass  # made before (or by a second process starting at the same time)
    return path.read_text().strip()


def redis_options(config) -> dict[str, float]:
    """redis-py's connection options for every Redis client of the app: short timeouts."""
    timeout = float(config.get("REDIS_TIMEOUT_SECONDS", 1.0))
    return {"socket_timeout": timeout, "socket_connect_timeout": timeout}


def public_base_url(env: str) -> str | None:
    """Where customers reach the service (links in e-mails, QR codes on paper): the
    ``PUBLIC_BASE_URL`` variable; production has no default, the demo and tests use the
    local address ``http://localhost:$PORT``."""
    configured = os.environ.get("PUBLIC_BASE_URL", "").strip()
    if configured or env == "production":
        return configured or None
    return f"http://localhost:{os.environ.get('PORT', '5000')}"


def check_config(config) -> None:
    """Refuse to start on a configuration that is not safe to serve."""
    if not config.get("SECRET_KEY"):
        raise ConfigError(
            "SECRET_KEY is not set: in production (SPARELOG_ENV=production, the default) the app "
            "needs SECRET_KEY in the environment to sign sessions and CSRF tokens, e.g. "
            "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))'); for the local "
            "demo set SPARELOG_ENV=development instead"
        )
    _check_public_base_url(config)
    photo_problem = check_photo_config(config)
    if photo_problem:
        raise ConfigError(photo_problem)


def _check_public_base_url(config) -> None:
    url = config.get("PUBLIC_BASE_URL")
    if not url:
        raise ConfigError(
            "PUBLIC_BASE_URL is not set: in production the app needs the address customers "
            "reach it at (for tracking links in e-mails and the QR codes printed on packing "
            "slips), e.g. PUBLIC_BASE_URL=https://service.example.com"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"PUBLIC_BASE_URL must be an absolute http(s) address such as "
            f"https://service.example.com; got {url!r}"
        )


def load_config(instance_path: str, sparelog_env: str | None = None) -> dict:
    """The configuration for ``sparelog_env`` (default: ``SPARELOG_ENV``) from the environment."""
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    mode = environment(sparelog_env)
    production = mode == "production"
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    env = os.environ.get
    return {
        "SPARELOG_ENV": mode,
        "DATABASE_URL": env("DATABASE_URL", f"sqlite:///{instance / 'sparelog.db'}"),
        "SECRET_KEY": _secret_key(instance, mode),
        # the session cookie: never readable by scripts, not sent on cross-site posts, and in
        # production over HTTPS only; Strict-Transport-Security on every response
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "HSTS": production,
        "DEFAULT_TIMEZONE": env("DEFAULT_TIMEZONE", "Asia/Shanghai"),
        "DEFAULT_LOCALE": env("DEFAULT_LOCALE", "zh"),
        # logistics providers
        "GEOCODER": env("GEOCODER", "gazetteer"),  # gazetteer | baidu | nominatim
        "NOMINATIM_USER_AGENT": env("NOMINATIM_USER_AGENT", "sparelog"),
        "BAIDU_MAP_AK": env("BAIDU_MAP_AK", ""),  # Baidu Maps server key (AK) for GEOCODER=baidu
        "BAIDU_MAP_DOMAIN": env("BAIDU_MAP_DOMAIN", "api.map.baidu.com"),
        "BAIDU_MAP_SCHEME": env("BAIDU_MAP_SCHEME", "https"),
        "GEOCODER_TIMEOUT_S": float(env("GEOCODER_TIMEOUT_S", "3")),
        # the map's base layer: an XYZ tile URL template ({z}/{x}/{y}); empty = the bundled
        # offline outline of China's provinces. MAP_TILE_ATTRIBUTION is shown on the map.
        "MAP_TILE_URL": env("MAP_TILE_URL", ""),
        "MAP_TILE_ATTRIBUTION": env("MAP_TILE_ATTRIBUTION", ""),
        "TRAVEL_PROVIDER": env("TRAVEL_PROVIDER", "geodesic"),  # geodesic | osrm
        "OSRM_URL": env("OSRM_URL", ""),
        # background jobs and rate limits
        "JOBS_BACKEND": env("JOBS_BACKEND", "inprocess"),  # inprocess | celery
        "REDIS_URL": redis_url,
        # every Redis call (rate limits, the Celery broker, locks, health) gives up after this
        # many seconds, to connect and for each answer: a hung Redis never holds a request
        "REDIS_TIMEOUT_SECONDS": float(env("REDIS_TIMEOUT_SECONDS", "1")),
        # rate limits: shared by every worker and host through Redis in production
        "RATELIMIT_STORAGE_URI": env(
            "RATELIMIT_STORAGE_URI", redis_url if production else "memory://"
        ),
        "RATELIMIT_KEY_PREFIX": env("RATELIMIT_KEY_PREFIX", "sparelog"),
        # Redis down: count per worker in memory (logged) rather than fail sign-in and tracking
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "TRACKING_RATE_LIMIT": env("TRACKING_RATE_LIMIT", "60 per minute"),
        "TRACKING_CACHE_SECONDS": float(
            env("TRACKING_CACHE_SECONDS", "5")
        ),  # public tracking answers, per worker
        "LOGIN_RATE_LIMIT": env("LOGIN_RATE_LIMIT", "20 per minute"),
        # failed sign-ins: free ones per address / per user name, then a doubling wait
        # (1 s, 2 s, 4 s … at most LOGIN_BACKOFF_MAX_SECONDS); no lockout (docs/robustness.md)
        "LOGIN_ADDRESS_FREE_FAILURES": int(env("LOGIN_ADDRESS_FREE_FAILURES", "10")),
        "LOGIN_USER_FREE_FAILURES": int(env("LOGIN_USER_FREE_FAILURES", "5")),
        "LOGIN_BACKOFF_MAX_SECONDS": int(env("LOGIN_BACKOFF_MAX_SECONDS", "300")),
        "LOGIN_FAILURE_WINDOW_SECONDS": int(env("LOGIN_FAILURE_WINDOW_SECONDS", "3600")),
        "TRUSTED_PROXY_HOPS": int(
            env("TRUSTED_PROXY_HOPS", "0")
        ),  # proxies setting X-Forwarded-For
        "PUBLIC_BASE_URL": public_base_url(mode),
        # notifications
        "SMTP_HOST": env("SMTP_HOST", "127.0.0.1"),
        "SMTP_PORT": int(env("SMTP_PORT", "8025")),
        "MAIL_FROM": env("MAIL_FROM", "noreply@sparelog.local"),
        # e-mail written as .eml files into this folder instead of SMTP: the demo's default
        # (development without SMTP_HOST), so its outbox never retries a server not there
        "MAIL_SINK_DIR": env(
            "MAIL_SINK_DIR",
            str(instance / "mail") if mode == "development" and not env("SMTP_HOST") else "",
        ),
        "WEBHOOK_URL": env("WEBHOOK_URL", ""),
        "WEBHOOK_SECRET": env("WEBHOOK_SECRET", ""),
        # sweep and outbox delivery (app/jobs, docs/jobs.md)
        "SMTP_USER": env("SMTP_USER", ""),
        "SMTP_PASSWORD": env("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": env("SMTP_STARTTLS", "0") == "1",
        "DISPATCHER_EMAILS": env("DISPATCHER_EMAILS", ""),  # comma-separated
        "ESCALATION_EMAILS": env("ESCALATION_EMAILS", ""),  # "1=pm@x,head@x;2=gm@x;3=vp@x"
        # a count line whose variance is over either limit needs a recount or a second person
        "COUNT_VARIANCE_UNITS": int(env("COUNT_VARIANCE_UNITS", "2")),
        "COUNT_VARIANCE_VALUE": env("COUNT_VARIANCE_VALUE", "1000"),  # CNY at unit cost
        "RETURN_REMINDER_HOURS": float(env("RETURN_REMINDER_HOURS", "4")),
        "SWEEP_INTERVAL_SECONDS": float(env("SWEEP_INTERVAL_SECONDS", "60")),
        "OUTBOX_INTERVAL_SECONDS": float(env("OUTBOX_INTERVAL_SECONDS", "15")),
        "OUTBOX_MAX_ATTEMPTS": int(env("OUTBOX_MAX_ATTEMPTS", "10")),
        "OUTBOX_BACKOFF_SECONDS": float(env("OUTBOX_BACKOFF_SECONDS", "30")),
        "CELERY_BROKER_URL": env("CELERY_BROKER_URL", "")
        or env("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "CELERY_RESULT_BACKEND": env("CELERY_RESULT_BACKEND", "")
        or env("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "JOBS_KEY_PREFIX": env(
            "JOBS_KEY_PREFIX", ""
        ),  # Redis key prefix for broker, results, locks
        # flask-smorest / OpenAPI
        "API_TITLE": "Spare-parts & RMA logistics API",
        "API_VERSION": "1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/docs-assets/",
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        # visit photos: disk (under instance/photos unless PHOTO_DIR) or an S3-compatible bucket
        "PHOTO_STORE": env("PHOTO_STORE", "disk"),  # disk | s3
        "PHOTO_DIR": env("PHOTO_DIR", ""),
        "PHOTO_MAX_BYTES": int(env("PHOTO_MAX_BYTES", str(5 * 1024 * 1024))),
        "S3_BUCKET": env("S3_BUCKET", ""),
        "S3_ENDPOINT_URL": env("S3_ENDPOINT_URL", ""),
        "S3_REGION": env("S3_REGION", ""),
        "S3_ACCESS_KEY_ID": env("S3_ACCESS_KEY_ID", ""),
        "S3_SECRET_ACCESS_KEY": env("S3_SECRET_ACCESS_KEY", ""),
        "S3_ADDRESSING_STYLE": env("S3_ADDRESSING_STYLE", "auto"),  # auto | path | virtual
    }
