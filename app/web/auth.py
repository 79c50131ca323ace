"""Signing in and out of the web pages (a session cookie; API tokens stay for the API),
the viewer's language and zone, and the role gate of every page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import TooManyRequests

from app.auth import authenticate, current_user, start_session
from app.db import get_session
from app.extensions import limiter
from app.web.i18n import LANGS, is_valid_zone, t
from models import User
from models.enums import Role

bp = Blueprint("web_auth", __name__)

# The start page of each role after signing in.
HOME_OF_ROLE = {
    Role.WAREHOUSE.value: "warehouse.console",
    Role.DISPATCHER.value: "dispatch.board",
    Role.ENGINEER.value: "engineer.jobs",
    Role.CUSTOMER.value: "tracking.my_rmas",
    Role.ADMIN.value: "dispatch.board",
}


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def home_url(user: User | None) -> str:
    if user is None:
        return url_for("web_auth.login")
    return url_for(HOME_OF_ROLE.get(user.role, "tracking.track_form"))


def roles_page(*roles: str) -> Callable:
    """A page for these roles (admin always may): anonymous viewers go to the sign-in
    page, signed-in viewers with another role get a 403 page."""
    allowed = set(roles) | {Role.ADMIN.value}

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None:
                flash(t("login.required"), "info")
                return redirect(url_for("web_auth.login", next=request.full_path.rstrip("?")))
            if user.role not in allowed:
                return render_template("error.html", code=403, message=t("error.forbidden")), 403
            return view(*args, **kwargs)

        wrapper._web_roles = tuple(sorted(allowed))
        return wrapper

    return decorator


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_user_limit() -> str:
    return current_app.config["LOGIN_USER_RATE_LIMIT"]


def _login_username() -> str:
    return "login-user:" + request.form.get("username", "").strip().lower()[:64]


def _failed(response) -> bool:
    return response.status_code == 401


# Sign-in attempts per address (every one counts: each costs a password hash), and failed
# attempts per username from anywhere (guessing one account's password from many addresses).
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(
    _login_user_limit,
    methods=["POST"],
    key_func=_login_username,
    deduct_when=_failed,
    scope="login-user",
)
def login():
    user = current_user()
    target = safe_next(request.values.get("next"))
    if request.method == "GET" and user is not None:
        return redirect(target or home_url(user))
    error = None
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        found = authenticate(get_session(), username, request.form.get("password", ""))
        if found is not None:
            lang = session.get("lang")
            tz = session.get("tz")
            session.clear()  # a fresh session on sign-in (no fixation); keep the viewer's choices
            if lang:
                session["lang"] = lang
            if tz:
                session["tz"] = tz
            start_session(found)
            return redirect(target or home_url(found))
        error = t("login.failed")
    return render_template("login.html", error=error, username=username, next=target or ""), (
        401 if error else 200
    )


@bp.app_errorhandler(TooManyRequests)  # Flask-Limiter's RateLimitExceeded and app.ratelimit's
def _too_many(error: TooManyRequests):
    """429: a problem document under /api, a page (in the viewer's language) elsewhere, with
    Retry-After: the limit's window, the longest the caller may have to wait."""
    limit = getattr(error, "limit", None)
    wait = str(limit.limit.get_expiry() if limit else error.retry_after or 60)
    if request.path.startswith("/api"):
        response = current_app.extensions["sparelog.api"].handle_http_exception(error)
    else:
        response = current_app.make_response(
            (render_template("error.html", code=429, message=t("login.too_many")), 429)
        )
    response.headers["Retry-After"] = wait
    return response


@bp.post("/logout")
def logout():
    lang, tz = session.get("lang"), session.get("tz")
    session.clear()
    if lang:
        session["lang"] = lang
    if tz:
        session["tz"] = tz
    g.pop("current_user", None)
    g.pop("lang", None)
    flash(t("login.logged_out"), "info")
    return redirect(url_for("web_auth.login"))


@bp.post("/prefs")
def prefs():
    """Remember the viewer's language and/or time zone in the session."""
    lang = request.form.get("lang")
    if lang in LANGS:
        session["lang"] = lang
        g.pop("lang", None)
    zone = request.form.get("tz")
    if zone and is_valid_zone(zone):
        session["tz"] = zone
    return redirect(safe_next(request.form.get("next")) or url_for("web_auth.index"))


@bp.get("/")
def index():
    return redirect(home_url(current_user()))
