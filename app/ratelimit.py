"""A lean per-address limit for the public hot path (tracking lookups), and the doubling
wait after failed sign-ins.

Counting, windows and storage are the ``limits`` library's (the one Flask-Limiter is built
on), with the same storage as Flask-Limiter (``RATELIMIT_STORAGE_URI``: Redis in production,
shared by every worker and host) and the same key prefix. What is left out is Flask-Limiter's
per-request machinery (limit resolution, exemption scopes, request context bookkeeping),
which cost more than the tracking lookup itself. One storage call per request; the client
address comes from ``request.remote_addr`` (ProxyFix applies TRUSTED_PROXY_HOPS).

Over the limit: 429 with Retry-After (the window's length). Storage unreachable: counted in
this worker's memory until it answers again, logged once, so an outage of Redis does not
turn every lookup into an error.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import TypeVar

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from app.config import redis_options

log = logging.getLogger(__name__)
EXTENSION = "sparelog.ratelimit"
PROBE_SECONDS = 5.0
T = TypeVar("T")


class Counters:
    """Counters in the shared storage (Redis in production), or in this worker's memory
    while the shared storage does not answer."""

    def __init__(self, storage_uri: str, prefix: str, options: dict | None = None):
        self.prefix = prefix
        self.shared = FixedWindowRateLimiter(storage_from_string(storage_uri, **(options or {})))
        self.local = FixedWindowRateLimiter(MemoryStorage())
        self.storage_down = False
        self.next_probe = 0.0

    def hit(self, item: RateLimitItem, scope: str, address: str) -> bool:
        """Count one request of ``address`` against ``item``; False once over the limit."""
        return self._call(lambda limiter: limiter.hit(item, self.prefix, scope, address))

    def incr(self, key: str, expiry_s: int) -> int:
        """Add one to ``key`` (made with a lifetime of ``expiry_s`` seconds); the new value."""
        return self._call(lambda limiter: limiter.storage.incr(self._key(key), expiry_s))

    def seconds_left(self, key: str) -> int:
        """Whole seconds until ``key`` expires, 0 when it does not exist."""

        def left(limiter: FixedWindowRateLimiter) -> int:
            if not limiter.storage.get(self._key(key)):
                return 0
            return max(1, math.ceil(limiter.storage.get_expiry(self._key(key)) - time.time()))

        return self._call(left)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}"

    def _call(self, operation: Callable[[FixedWindowRateLimiter], T]) -> T:
        if not self.storage_down:
            try:
                return operation(self.shared)
            except Exception as error:  # redis.ConnectionError, TimeoutError, ...
                log.warning("rate-limit storage unreachable (%s); counting in memory", error)
                self.storage_down = True
                self.next_probe = time.monotonic() + PROBE_SECONDS
        result = operation(self.local)
        self._probe()
        return result

    def _probe(self) -> None:
        """Go back to the shared storage once it answers again (asked every few seconds)."""
        if time.monotonic() < self.next_probe:
            return
        self.next_probe = time.monotonic() + PROBE_SECONDS
        try:
            self.storage_down = not self.shared.storage.check()
        except Exception:
            self.storage_down = True


@lru_cache(maxsize=32)
def _item(limit: str) -> RateLimitItem:
    return parse(limit)


def counters(app: Flask) -> Counters:
    limiter = app.extensions.get(EXTENSION)
    if limiter is None:
        uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        limiter = app.extensions[EXTENSION] = Counters(
            uri, app.config.get("RATELIMIT_KEY_PREFIX", "sparelog"), redis_options(app.config)
        )
    return limiter


def per_address(config_key: str) -> Callable:
    """Limit a view to ``app.config[config_key]`` (e.g. "60 per minute") per client address.
    Every view limited by the same setting draws on one budget per address (the tracking
    API, page and label together)."""

    def decorator(view):
        scope = config_key

        @wraps(view)
        def wrapper(*args, **kwargs):
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            if app.config.get("RATELIMIT_ENABLED", True):
                item = _item(app.config[config_key])
                if not counters(app).hit(item, scope, request.remote_addr or "-"):
                    raise TooManyRequests(
                        f"too many requests; retry in {item.get_expiry()} s",
                        retry_after=item.get_expiry(),
                    )
            return view(*args, **kwargs)

        return wrapper

    return decorator


# --- failed sign-ins: backoff instead of lockout -------------------------------------------


def backoff_seconds(failures: int, free: int, cap_s: int) -> int:
    """How long a key is held after its ``failures``-th failed sign-in: not at all for the
    first ``free``, then 1, 2, 4, 8 … seconds, never more than ``cap_s``."""
    if failures <= free:
        return 0
    return min(cap_s, 2 ** min(failures - free - 1, 30))


@dataclass(frozen=True)
class SignInKey:
    """Whose failures are counted (``address:…`` or ``user:…``) and how many are free."""

    name: str
    free: int


def sign_in_wait(app: Flask, keys: list[SignInKey]) -> int:
    """Seconds before another sign-in attempt for ``keys`` is heard (0: now)."""
    store = counters(app)
    return max((store.seconds_left(f"signin-hold/{key.name}") for key in keys), default=0)


def sign_in_failed(app: Flask, keys: list[SignInKey]) -> None:
    """Count a failed sign-in against each key; past its free failures the key is held
    for a doubling time (LOGIN_BACKOFF_MAX_SECONDS at most). Failures are forgotten
    LOGIN_FAILURE_WINDOW_SECONDS after the first one."""
    store = counters(app)
    window = int(app.config.get("LOGIN_FAILURE_WINDOW_SECONDS", 3600))
    cap = int(app.config.get("LOGIN_BACKOFF_MAX_SECONDS", 300))
    for key in keys:
        failures = store.incr(f"signin-failures/{key.name}", window)
        hold = backoff_seconds(failures, key.free, cap)
        if hold:
            store.incr(f"signin-hold/{key.name}", hold)
