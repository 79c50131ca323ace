"""Who is calling: bearer tokens for the API (stored as SHA-256), sessions for the web."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from functools import wraps

from flask import abort as flask_abort
from flask import g, request, session
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.db import get_session
from app.errors import problem
from models import ApiToken, User, utcnow
from models.enums import Role

ALL_ROLES = tuple(r.value for r in Role)
STAFF = (Role.ADMIN.value, Role.WAREHOUSE.value, Role.DISPATCHER.value, Role.ENGINEER.value)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(db: Session, user: User, name: str = "default", token: str | None = None) -> str:
    """Create a token for ``user`` and return it in clear text (shown once)."""
    token = token or "slg_" + secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, token_hash=hash_token(token), name=name))
    db.flush()
    return token


def set_password(user: User, password: str) -> None:
    user.password_hash = generate_password_hash(password)


def check_password(user: User, password: str) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash, password)


def current_user() -> User | None:
    """The caller, from ``Authorization: Bearer`` or the web session; cached per request."""
    if "current_user" in g:
        return g.current_user
    user = None
    db = get_session()
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        user = db.scalar(
            select(User)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None), User.active)
        )
        g.auth_via = "token"
    elif session.get("user_id"):
        user = db.get(User, session["user_id"])
        if user is not None and not user.active:
            user = None
        g.auth_via = "session"
    g.current_user = user
    return user


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
        return problem(401, "Unauthorized", "send a valid token: Authorization: Bearer <token>",
                       headers={"WWW-Authenticate": "Bearer"})
    if user.role not in allowed:
        return problem(403, "Forbidden",
                       f"role {user.role!r} may not do this; needs one of {', '.join(sorted(allowed))}")
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


def check_roles_before_parsing():
    """before_request: who may call is decided before the body is validated, so a caller
    without rights learns nothing about the input schema (401/403 before 422)."""
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint or "")
    roles = getattr(view, "_roles", None)
    if roles:
        return _deny(set(roles))
    return None


def actor_name() -> str:
    user = current_user()
    return user.username if user else "system"



__all__ = ["ALL_ROLES", "STAFF", "actor_name", "check_password", "current_user", "hash_token",
           "issue_token", "roles_required", "set_password", "utcnow"]
