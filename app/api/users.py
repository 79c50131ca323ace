"""Who am I; users and tokens (admin)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import select

from app.api.common import PageArgs, Str, page_of, page_schema
from app.auth import ALL_ROLES, STAFF, current_user, issue_token, roles_required, set_password
from app.db import get_session
from app.errors import problem
from models import Customer, User

blp = Blueprint("users", __name__, url_prefix="/api", description="Users, roles and API tokens")


class UserSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    username = Str(64, required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.@-]{2,64}$"))
    display_name = Str(120, required=True)
    role = ma.fields.String(required=True, validate=validate.OneOf(ALL_ROLES))
    locale = ma.fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]))
    customer_id = ma.fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    password = ma.fields.String(load_only=True, validate=validate.Length(min=8, max=128))
    active = ma.fields.Boolean(dump_only=True)


class TokenRequest(ma.Schema):
    name = Str(64, load_default="default")


class TokenSchema(ma.Schema):
    token = ma.fields.String()
    name = ma.fields.String()
    note = ma.fields.String()


UserPage = page_schema(UserSchema, "UserPage")


@blp.get("/me")
@blp.response(200, UserSchema)
@roles_required(*ALL_ROLES)
def me():
    """The caller's own user record."""
    return current_user()


@blp.get("/users")
@blp.arguments(PageArgs, location="query")
@blp.response(200, UserPage)
@roles_required("admin")
def list_users(args):
    db = get_session()
    users = list(db.scalars(select(User).order_by(User.id)))
    start = (args["page"] - 1) * args["page_size"]
    return page_of(users[start : start + args["page_size"]], len(users), args)


@blp.post("/users")
@blp.arguments(UserSchema)
@blp.response(201, UserSchema)
@roles_required("admin")
def create_user(data):
    db = get_session()
    if db.scalar(select(User).where(User.username == data["username"])):
        return problem(409, "Conflict", "username taken", errors={"username": ["already exists"]})
    if data.get("customer_id") is not None and db.get(Customer, data["customer_id"]) is None:
        return problem(422, "Unprocessable Entity", "no such customer",
                       errors={"customer_id": [f"no customer with id {data['customer_id']}"]})
    password = data.pop("password", None)
    user = User(**data)
    if password:
        set_password(user, password)
    db.add(user)
    db.commit()
    return user


@blp.post("/users/<username>/tokens")
@blp.arguments(TokenRequest)
@blp.response(201, TokenSchema)
@roles_required("admin")
def create_token(data, username):
    """Issue a bearer token; it is shown once and stored only as a hash."""
    db = get_session()
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        return problem(404, "Not Found", f"no user {username!r}")
    token = issue_token(db, user, data["name"])
    db.commit()
    return {"token": token, "name": data["name"], "note": "store it now; it cannot be shown again"}


__all__ = ["STAFF", "blp"]
