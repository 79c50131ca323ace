"""Extensions created unbound and bound in create_app()."""

from __future__ import annotations

from flask import Flask, send_from_directory
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import redis_options

# Only the routes that say so are limited (sign-in, tracking), per client address; the
# counters live in RATELIMIT_STORAGE_URI (Redis in production, shared by every worker).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
csrf = CSRFProtect()


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per key
    instead of on every request (API calls carry no cookie and paid for it anyway)."""

    def get_signing_serializer(self, app: Flask):  # type: ignore[override]
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = app.extensions.get("sparelog.session_serializer")
        if cached is None or cached[0] != keys:
            cached = (keys, super().get_signing_serializer(app))
            app.extensions["sparelog.session_serializer"] = cached
        return cached[1]


def init_app(app: Flask) -> None:
    app.session_interface = SessionCookies()
    # No X-RateLimit-* headers: they cost a second storage round trip (Redis) on every
    # limited request; a 429 still says when to come back (Retry-After, app/web/auth.py).
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", redis_options(app.config))
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops:
        # behind a load balancer: the client address and scheme come from X-Forwarded-*
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    limiter.init_app(app)
    # Only decorated routes are limited (no default or application-wide limits), and the
    # decorator checks them itself: the limiter's before_request pass over every request
    # would find nothing to count, at a cost on every call.
    checks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in checks and not (
        app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION")
    ):
        checks.remove(limiter._check_request_limit)
    csrf.init_app(app)
    _serve_swagger_assets(app)
    _serve_leaflet(app)


def _serve_swagger_assets(app: Flask) -> None:
    """The browsable docs' JavaScript comes from the swagger-ui-bundle package, not a CDN."""
    import swagger_ui_bundle

    @app.get("/api/docs-assets/<path:filename>")
    def swagger_assets(filename: str):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)


def _serve_leaflet(app: Flask) -> None:
    """The maps' Leaflet comes from the xstatic-leaflet package, not a CDN."""
    from xstatic.pkg import leaflet

    @app.get("/static/vendor/leaflet/<path:filename>")
    def leaflet_assets(filename: str):
        return send_from_directory(leaflet.BASE_DIR, filename, max_age=86400)
