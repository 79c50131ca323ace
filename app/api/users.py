"""Who am I; users and their API tokens (admin): create, change, deactivate, revoke.

Every change to an account is an event (subject_type ``user``, subject_ref the username,
actor the admin), so the audit trail shows who gave or took which access when."""

from __future__ import annotations

import marshmallow as ma
from flask import abort, g
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import select

from app.api.common import Flag, PageArgs, Str, WholeNumber, page_schema, query_read, scalar_page
from app.auth import (
    ALL_ROLES,
    STAFF,
    actor_name,
    current_user,
    hash_password,
    roles_required,
)
from app.db import get_session
from app.errors import problem
from inventory import accounts
from models import ApiToken, User, limits

blp = Blueprint("users", __name__, url_prefix="/api", description="Users, roles and API tokens")


# the name shown on pages and documents: never empty or only spaces (an empty one broke the
# documented response, where it is required)
SHOWN_NAME = validate.Regexp(r"\s*\S", error="give a name to show (not empty, not only spaces)")


def DEPOTS_FIELD() -> ma.fields.Field:  # noqa: N802 (a field factory, read like a field)
    return ma.fields.List(
        Str(limits.CODE),
        attribute="depot_codes",
        validate=validate.Length(max=1000),
        metadata={"description": "codes of the depots a warehouse user works at (acts only there)"},
    )


def ALL_DEPOTS_FIELD() -> ma.fields.Field:  # noqa: N802
    return Flag(
        metadata={"description": "a warehouse user who acts at every depot (stock controller)"}
    )


class UserSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    username = Str(
        limits.USERNAME, required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.@-]{2,64}$")
    )
    display_name = Str(limits.DISPLAY_NAME, required=True, validate=SHOWN_NAME)
    role = ma.fields.String(required=True, validate=validate.OneOf(ALL_ROLES))
    locale = ma.fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]))
    customer_id = WholeNumber(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    password = ma.fields.String(load_only=True, validate=validate.Length(min=8, max=128))
    active = ma.fields.Boolean(dump_only=True)
    depots = DEPOTS_FIELD()
    all_depots = ALL_DEPOTS_FIELD()


class UserUpdate(ma.Schema):
    """The fields to change; leave a field out to keep it."""

    display_name = Str(limits.DISPLAY_NAME, validate=SHOWN_NAME)
    role = ma.fields.String(validate=validate.OneOf(ALL_ROLES))
    locale = ma.fields.String(validate=validate.OneOf(["zh", "en"]))
    customer_id = WholeNumber(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    password = ma.fields.String(
        load_only=True,
        validate=validate.Length(min=8, max=128),
        metadata={"description": "a new password; revokes every token and ends every web session"},
    )
    active = Flag(metadata={"description": "false revokes every token and ends every web session"})
    depots = DEPOTS_FIELD()
    all_depots = ALL_DEPOTS_FIELD()


class TokenRequest(ma.Schema):
    name = Str(limits.TOKEN_NAME, load_default="default")


class TokenSchema(ma.Schema):
    id = ma.fields.Integer()
    token = ma.fields.String()
    name = ma.fields.String()
    note = ma.fields.String()


class TokenInfo(ma.Schema):
    """A token as listed: never the token itself (only its hash is stored)."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    revoked_at = ma.fields.AwareDateTime(allow_none=True)
    active = ma.fields.Boolean()


UserPage = page_schema(UserSchema, "UserPage")
TokenPage = page_schema(TokenInfo, "TokenPage")


def _user(db, username: str) -> User | None:
    return db.scalar(select(User).where(User.username == username))


def _user_or_404(db, username: str) -> User:
    """The user ``username``, or the 404 problem "no user 'x'" when there is none."""
    user = _user(db, username)
    if user is None:
        abort(problem(404, "Not Found", f"no user {username!r}"))
    return user


def _token_info(token: ApiToken) -> dict:
    return {
        "id": token.id,
        "name": token.name,
        "created_at": token.created_at,
        "revoked_at": token.revoked_at,
        "active": token.revoked_at is None,
    }


@blp.get("/me")
@blp.response(200, UserSchema)
@roles_required(*ALL_ROLES)
def me():
    """The caller's own user record."""
    return current_user()


@blp.delete("/me/token")
@blp.response(204)
@roles_required(*ALL_ROLES)
def revoke_own_token():
    """Revoke the bearer token this request is sent with (signing out an API client); the
    next request with it is 401. A request signed in by a web session has no token: 400."""
    token_id = g.get("token_id")
    if token_id is None:
        return problem(
            400,
            "Bad Request",
            "this request carries no bearer token to revoke; web sessions end with POST /logout",
        )
    db = get_session()
    accounts.revoke_token(db, db.get_one(ApiToken, token_id), actor=actor_name())
    return None


@query_read(blp, "/users", PageArgs, UserPage, "admin")
def list_users(args):
    db = get_session()
    return scalar_page(db, select(User).order_by(User.id), args)


@blp.post("/users")
@blp.arguments(UserSchema)
@blp.response(201, UserSchema)
@roles_required("admin")
def create_user(data):
    password = data.pop("password", None)
    return accounts.create_user(
        get_session(),
        data,
        password_hash=hash_password(password) if password else None,
        actor=actor_name(),
    )


@blp.get("/users/<username>")
@blp.response(200, UserSchema)
@roles_required("admin")
def get_user(username):
    return _user_or_404(get_session(), username)


@blp.patch("/users/<username>")
@blp.arguments(UserUpdate, required=False)  # every field optional
@blp.response(200, UserSchema)
@roles_required("admin")
def update_user(data, username):
    """Change a user. ``active: false`` deactivates: every token is revoked and every web
    session ends at once (reactivating does not bring them back). A new password does the
    same: tokens revoked, web sessions ended. Admins cannot deactivate themselves or drop their own admin role."""
    db = get_session()
    user = _user_or_404(db, username)
    password = data.pop("password", None)
    return accounts.update_user(
        db,
        user,
        data,
        password_hash=hash_password(password) if password else None,
        actor=actor_name(),
        acting_user_id=current_user().id,
    )


@query_read(blp, "/users/<username>/tokens", PageArgs, TokenPage, "admin")
def list_tokens(args, username):
    """The user's tokens, newest first: name, when issued, when revoked (the token itself
    was shown once when issued and is stored only as a hash)."""
    db = get_session()
    user = _user_or_404(db, username)
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return scalar_page(db, stmt, args, _token_info)


@blp.post("/users/<username>/tokens")
@blp.arguments(TokenRequest, required=False)  # every field optional
@blp.response(201, TokenSchema)
@roles_required("admin")
def create_token(data, username):
    """Issue a bearer token; it is shown once and stored only as a hash."""
    db = get_session()
    user = _user_or_404(db, username)
    token_id, token = accounts.issue_user_token(db, user, data["name"], actor=actor_name())
    return {
        "id": token_id,
        "token": token,
        "name": data["name"],
        "note": "store it now; it cannot be shown again",
    }


@blp.delete("/users/<username>/tokens/<int:token_id>")
@blp.response(204)
@roles_required("admin")
def revoke_token(username, token_id):
    """Revoke one of the user's tokens: the next request with it is 401. Revoking a revoked
    token changes nothing (still 204); a token of someone else is 404."""
    db = get_session()
    user = _user(db, username)
    token = db.get(ApiToken, token_id) if user is not None else None
    if token is None or token.user_id != user.id:
        return problem(404, "Not Found", f"user {username!r} has no token {token_id}")
    accounts.revoke_token(db, token, actor=actor_name())
    return None


__all__ = ["STAFF", "blp"]
