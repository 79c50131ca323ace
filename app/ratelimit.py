"""A lean per-address limit for the public hot path: tracking lookups.

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
import time
from collections.abc import Callable
from functools import lru_cache, wraps

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)
EXTENSION = "sparelog.ratelimit"
PROBE_SECONDS = 5.0


class AddressLimiter:
    def __init__(self, storage_uri: str, prefix: str):
        self.prefix = prefix
        self.shared = FixedWindowRateLimiter(storage_from_string(storage_uri))
        self.local = FixedWindowRateLimiter(MemoryStorage())
        self.storage_down = False
        self.next_probe = 0.0

    def hit(self, item: RateLimitItem, scope: str, address: str) -> bool:
        if not self.storage_down:
            try:
                return self.shared.hit(item, self.prefix, scope, address)
            except Exception as error:  # redis.ConnectionError, TimeoutError, ...
                log.warning("rate-limit storage unreachable (%s); counting in memory", error)
                self.storage_down = True
                self.next_probe = time.monotonic() + PROBE_SECONDS
        allowed = self.local.hit(item, self.prefix, scope, address)
        self._probe()
        return allowed

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


def _limiter(app: Flask) -> AddressLimiter:
    limiter = app.extensions.get(EXTENSION)
    if limiter is None:
        uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        limiter = app.extensions[EXTENSION] = AddressLimiter(
            uri, app.config.get("RATELIMIT_KEY_PREFIX", "sparelog")
        )
    return limiter


def per_address(config_key: str) -> Callable:
    """Limit a view to ``app.config[config_key]`` (e.g. "60 per minute") per client address."""

    def decorator(view):
        scope = f"{view.__module__}.{view.__name__}"

        @wraps(view)
        def wrapper(*args, **kwargs):
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            if app.config.get("RATELIMIT_ENABLED", True):
                item = _item(app.config[config_key])
                if not _limiter(app).hit(item, scope, request.remote_addr or "-"):
                    raise TooManyRequests(
                        f"too many requests; retry in {item.get_expiry()} s",
                        retry_after=item.get_expiry(),
                    )
            return view(*args, **kwargs)

        return wrapper

    return decorator
