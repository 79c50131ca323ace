"""Who is calling: bearer tokens for the API (stored as SHA-256), sessions for the web;
passwords stored as Argon2id hashes."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort as flask_abort
from flask import g, request, session
from sqlalchemy import func, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from app.db import get_session
from app.problem import problem
from inventory.accounts import end_sessions, hash_token, issue_token, revoke_tokens
from inventory.depot_access import bind_scope
from inventory.transaction import transaction
from models import ApiToken, User, utcnow
from models.enums import Role

ALL_ROLES = tuple(r.value for r in Role)
STAFF = (Role.ADMIN.value, Role.WAREHOUSE.value, Role.DISPATCHER.value, Role.ENGINEER.value)


# Argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 3 passes over
# 64 MiB, 4 lanes). A hash made with weaker parameters is redone at the next sign-in.
_hasher = PasswordHasher()
_unknown_user_hash: str | None = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)


def check_password(user: User, password: str) -> bool:
    """Whether ``password`` is the user's. On success a hash in an older scheme (werkzeug's
    scrypt or pbkdf2 of the first releases) or with outdated Argon2 parameters is replaced
    by a fresh Argon2id hash: the caller commits."""
    stored = user.password_hash
    if not stored:
        _verify_nothing(password)
        return False
    if stored.startswith("$argon2"):
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher.check_needs_rehash(stored):
            set_password(user, password)
        return True
    try:
        matches = check_password_hash(stored, password)
    except ValueError:  # a hash no scheme here knows
        return False
    if matches:
        set_password(user, password)
    return matches


def _verify_nothing(password: str) -> None:
    """Spend the time of one verification, so an unknown user answers as slowly as a
    wrong password (nobody learns which usernames exist from the timing)."""
    global _unknown_user_hash
    if _unknown_user_hash is None:
        _unknown_user_hash = _hasher.hash(secrets.token_hex(16))
    try:
        _hasher.verify(_unknown_user_hash, password)
    except VerificationError:
        pass


def authenticate(db: Session, username: str, password: str) -> User | None:
    """The active user ``username`` (any letter case) if ``password`` is theirs; an
    upgraded hash is committed."""
    user = (
        db.scalar(
            select(User).where(func.lower(User.username) == username.strip().lower(), User.active)
        )
        if username.strip()
        else None
    )
    if user is None:
        _verify_nothing(password)
        return None
    with transaction(db):  # the check may upgrade the stored hash
        if not check_password(user, password):
            return None
    return user


def start_session(user: User) -> None:
    """Sign ``user`` in on this browser: the session remembers the user and their epoch."""
    session["user_id"] = user.id
    session["epoch"] = user.session_epoch
    g.pop("current_user", None)


def signed_in_user() -> User:
    """The caller of a view that `roles_required` / `roles_page` let through."""
    user = current_user()
    if user is None:  # pragma: no cover - the role check ran first
        raise RuntimeError("no signed-in user behind a role check")
    return user


def current_user() -> User | None:
    """The caller, from ``Authorization: Bearer`` or the web session; cached per request."""
    if "current_user" in g:
        return g.current_user
    user = None
    db = get_session()
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        row = db.execute(
            select(User, ApiToken.id)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(
                ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None), User.active
            )
        ).first()
        if row is not None:
            user, g.token_id = row
        g.auth_via = "token"
    elif session.get("user_id"):
        user = db.get(User, session["user_id"])
        if user is not None and (not user.active or session.get("epoch", 0) != user.session_epoch):
            user = None
        g.auth_via = "session"
    g.current_user = user
    if user is not None:
        bind_scope(db, user)  # warehouse staff move stock only at their own depots
    return user


def viewer_for_page() -> User | None:
    """``current_user()`` for drawing a page: None when the database does not answer, so
    that an error page (the 503 of an outage, a CSRF refusal) still renders."""
    try:
        return current_user()
    except (OperationalError, InterfaceError, PoolTimeout):
        g.current_user = None
        return None


def _check_session_csrf() -> None:
    """Session-authenticated writes (the web pages' fetch calls) must carry the CSRF token."""
    from flask_wtf.csrf import CSRFError, validate_csrf

    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except CSRFError as error:
        flask_abort(problem(400, "Bad Request", f"CSRF check failed: {error.description}"))
    except Exception as error:  # wtforms ValidationError
        flask_abort(problem(400, "Bad Request", f"CSRF check failed: {error}"))


def _deny(allowed: set[str]):
    """The problem response for a caller outside ``allowed``, or None to let them through."""
    user = current_user()
    if user is None:
        return problem(
            401,
            "Unauthorized",
            "send a valid token: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if user.role not in allowed:
        return problem(
            403,
            "Forbidden",
            f"role {user.role!r} may not do this; needs one of {', '.join(sorted(allowed))}",
        )
    if g.get("auth_via") == "session" and request.method in ("POST", "PUT", "PATCH", "DELETE"):
        _check_session_csrf()
    return None


def roles_required(*roles: str) -> Callable:
    """Only callers holding one of ``roles`` (admin always may) get through: 401 without
    valid credentials, 403 with the wrong role."""
    allowed = set(roles) | {Role.ADMIN.value}

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            denied = _deny(allowed)
            return denied if denied is not None else view(*args, **kwargs)

        wrapper._roles = tuple(sorted(allowed))  # copied onto outer wrappers by functools.wraps
        return wrapper

    return decorator


def roles_per_action(table: dict[str, tuple[str, ...]], variable: str = "action") -> Callable:
    """Who may call depends on the action named by the path variable ``variable``: only the
    roles ``table`` gives it (admin always may) get through, 403 for the others. An action
    the table does not know is left to the view (its 404)."""

    def allowed_for(action: str | None) -> set[str] | None:
        roles = table.get(action or "")
        return None if roles is None else set(roles) | {Role.ADMIN.value}

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            allowed = allowed_for(kwargs.get(variable))
            denied = _deny(allowed) if allowed is not None else None
            return denied if denied is not None else view(*args, **kwargs)

        wrapper._action_roles = (
            variable,
            allowed_for,
        )  # copied onto outer wrappers by functools.wraps
        return wrapper

    return decorator


def check_roles_before_parsing():
    """before_request: who may call is decided before the body is validated, so a caller
    without rights learns nothing about the input schema (401/403 before 422)."""
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint or "")
    roles = getattr(view, "_roles", None)
    if roles and (denied := _deny(set(roles))) is not None:
        return denied
    per_action = getattr(view, "_action_roles", None)
    if per_action:
        variable, allowed_for = per_action
        allowed = allowed_for((request.view_args or {}).get(variable))
        return _deny(allowed) if allowed is not None else None
    return None


def actor_name() -> str:
    user = current_user()
    return user.username if user else "system"


__all__ = [
    "ALL_ROLES",
    "STAFF",
    "actor_name",
    "authenticate",
    "check_password",
    "current_user",
    "end_sessions",
    "hash_token",
    "issue_token",
    "revoke_tokens",
    "roles_per_action",
    "roles_required",
    "signed_in_user",
    "hash_password",
    "set_password",
    "start_session",
    "utcnow",
]
