"""Signing in and out of the web pages (a session cookie; API tokens stay for the API),
the viewer's language and zone, and the role gate of every page."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

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
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import TooManyRequests

from app.auth import authenticate, current_user, end_sessions, signed_in_user, start_session
from app.db import get_session
from app.documents.access import engineer_id
from app.extensions import limiter
from app.ratelimit import SignInKey, sign_in_failed, sign_in_wait
from app.web.i18n import LANGS, is_valid_zone, t
from inventory.transaction import transaction
from models import User
from models.enums import Role

bp = Blueprint("web_auth", __name__)

# The start page of each role after signing in.
HOME_OF_ROLE = {
    Role.WAREHOUSE.value: "warehouse.console",
    Role.DISPATCHER.value: "dispatch.board",
    Role.ENGINEER.value: "engineer.jobs",
    Role.CUSTOMER.value: "customer.overview",
    Role.ADMIN.value: "admin.home",
}


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (the caller goes to the role's
    start page): no open redirect. Browsers drop tabs and newlines from a URL and read a
    backslash as a slash, so ``/<TAB>/evil.example`` or ``/\\evil.example`` would leave the
    site: a control character, a space or a backslash anywhere, a scheme, a host, or a path
    starting with two slashes is refused."""
    if not target or len(target) > 2048 or not target.startswith("/"):
        return None
    if any(ord(c) <= 0x20 or ord(c) == 0x7F or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


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


def not_found_page():
    """The 404 page, in the viewer's language: what a page answers for a number, code or
    name that does not exist (or is not the viewer's to see)."""
    return render_template("error.html", code=404, message=t("error.not_found")), 404


def engineer_filter() -> int | None:
    """Whose jobs an engineer's page shows: the signed-in engineer's id; None for an admin
    (every job); -1 for an account no engineer is linked to (none)."""
    user = signed_in_user()
    if user.role == Role.ADMIN.value:
        return None
    found = engineer_id(get_session(), user)
    return found if found is not None else -1


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


# A browser that has signed in as a user before carries this cookie (signed, per user
# name, 90 days); the per-user backoff does not hold it up, so an attacker guessing a
# user's password slows down everyone but that user's own browsers.
KNOWN_BROWSER_COOKIE = "sparelog_known"
KNOWN_BROWSER_DAYS = 90


def _known_browser_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="known-browser")


def _known_users() -> list[str]:
    """The user names (lower case) this browser has signed in as."""
    cookie = request.cookies.get(KNOWN_BROWSER_COOKIE)
    if not cookie:
        return []
    try:
        names = _known_browser_serializer().loads(cookie, max_age=KNOWN_BROWSER_DAYS * 24 * 3600)
    except BadSignature:
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _remember_browser(response, username: str) -> None:
    names = [username] + [n for n in _known_users() if n != username][:4]
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        _known_browser_serializer().dumps(names),
        max_age=KNOWN_BROWSER_DAYS * 24 * 3600,
        path=url_for("web_auth.login"),
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


def _sign_in_keys(username: str) -> list[SignInKey]:
    """Failed sign-ins are counted per address, and per user name unless this browser
    has signed in as that user before."""
    config = current_app.config
    keys = [
        SignInKey(f"address:{request.remote_addr or '-'}", config["LOGIN_ADDRESS_FREE_FAILURES"])
    ]
    name = username.lower()[:64]
    if name and name not in _known_users():
        keys.append(SignInKey(f"user:{name}", config["LOGIN_USER_FREE_FAILURES"]))
    return keys


# Every sign-in attempt counts against the address (each costs a password hash); failed
# ones slow the address and the user name down with a doubling wait (app/ratelimit.py).
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    user = current_user()
    target = safe_next(request.values.get("next"))
    if request.method == "GET" and user is not None:
        return redirect(target or home_url(user))
    error = None
    username = ""
    if request.method == "POST":
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        username = request.form.get("username", "").strip()
        keys = _sign_in_keys(username)
        wait = sign_in_wait(app, keys)
        if wait:
            raise TooManyRequests(f"too many failed sign-ins; retry in {wait} s", retry_after=wait)
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
            response = redirect(target or home_url(found))
            _remember_browser(response, found.username.lower())
            return response
        sign_in_failed(app, keys)
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
    """Sign out: the account's session version moves on, so this session cookie (and any
    copy of it) is refused from now on, on pages and on the API alike."""
    user = current_user()
    if user is not None and g.get("auth_via") == "session":
        with transaction(get_session()):
            end_sessions(user)
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


# --- invitations and password-reset links -----------------------------------------------------
# An admin hands a person a link (shown once on the user page) with which they choose their
# own password. The link is signed with the app's secret, lapses after PASSWORD_LINK_HOURS,
# and names the user's current password hash and session epoch: once a password is set
# through it (or any other way, or the account's sessions are ended) it no longer works.

PASSWORD_LINK_HOURS = 72


def _password_link_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="set-password")


def _link_fingerprint(user: User) -> str:
    state = f"{user.id}|{user.password_hash or ''}|{user.session_epoch}"
    return hashlib.sha256(state.encode()).hexdigest()[:24]


def password_link(user: User) -> str:
    """The link with which ``user`` sets their own password (absolute, PUBLIC_BASE_URL)."""
    token = _password_link_serializer().dumps({"u": user.id, "f": _link_fingerprint(user)})
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return base + url_for("web_auth.set_password", token=token)


def _user_of_link(token: str) -> User | None:
    """The active user a link is good for now, or None (forged, lapsed, used up)."""
    try:
        data = _password_link_serializer().loads(token, max_age=PASSWORD_LINK_HOURS * 3600)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = get_session().get(User, data["u"])
    if user is None or not user.active or data.get("f") != _link_fingerprint(user):
        return None
    return user


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """A person invited (or asked to reset) chooses their password, checked by the users
    API's own rule (``UserUpdate``); then they sign in with it."""
    import marshmallow as ma

    from app.api.users import UserUpdate
    from app.auth import hash_password
    from inventory import accounts

    user = _user_of_link(token)
    if user is None:
        return render_template("error.html", code=404, message=t("a14.link.invalid")), 404
    errors: list[str] = []
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("password_again", ""):
            errors.append(t("a14.link.mismatch"))
        else:
            try:
                UserUpdate().load({"password": password})
            except ma.ValidationError as error:
                messages = error.messages if isinstance(error.messages, dict) else {}
                errors += [" ".join(map(str, v)) for v in messages.values()]
        if not errors:
            accounts.update_user(
                get_session(),
                user,
                {},
                password_hash=hash_password(password),
                actor=user.username,
                acting_user_id=user.id,
            )
            flash(t("a14.link.done", name=user.username), "success")
            return redirect(url_for("web_auth.login"))
    return render_template("set_password.html", person=user, token=token, errors=errors), (
        422 if errors else 200
    )
