"""User accounts and their access: creating and changing users, issuing and revoking API
tokens. The rule that matters: taking access away (deactivating, a new password) revokes
every token and ends every web session at once. Every change is an event (subject
``user``, ref the username, actor the admin). Passwords arrive already hashed (the web
layer owns the hashing scheme); tokens are stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.events import record_on
from inventory.transaction import transaction
from models import ApiToken, Customer, Depot, User, UserDepot, utcnow

EDITABLE = ("display_name", "role", "locale", "customer_id")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(db: Session, user: User, name: str = "default", token: str | None = None) -> str:
    """Create a token for ``user`` and return it in clear text (shown once); no commit."""
    token = token or "slg_" + secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, token_hash=hash_token(token), name=name))
    db.flush()
    return token


def end_sessions(user: User) -> None:
    """End every web session of ``user`` signed in so far (no commit)."""
    user.session_epoch = (user.session_epoch or 0) + 1


def revoke_tokens(db: Session, user: User) -> int:
    """Revoke every live token of ``user`` (no commit); returns how many."""
    live = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    tokens = list(db.scalars(live))
    now = utcnow()
    for token in tokens:
        token.revoked_at = now
    return len(tokens)


def user_by_name(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound.unknown("user", username, message=f"no user {username!r}")
    return user


def _event(db: Session, user: User, kind: str, actor: str, **kw) -> None:
    record_on(db, "user", user, kind, actor=actor, ref=user.username, **kw)


def record_password_link(db: Session, user: User, *, actor: str, invitation: bool) -> None:
    """An invitation or a password-reset link was issued for ``user`` (the link itself is
    never stored or recorded). Commits."""
    with transaction(db):
        _event(db, user, "invited" if invitation else "reset_link_issued", actor)


def _check_customer(db: Session, customer_id: int | None) -> None:
    if customer_id is not None and db.get(Customer, customer_id) is None:
        raise InvalidInput.unknown(
            "customer",
            customer_id,
            message="no such customer",
            field="customer_id",
            details={"errors": {"customer_id": [f"no customer with id {customer_id}"]}},
        )


def create_user(db: Session, fields: dict, *, password_hash: str | None, actor: str) -> User:
    """A new active user from `fields` (username, display_name, role, locale,
    customer_id); Conflict when the username is taken. Commits."""
    with transaction(db):
        if db.scalar(select(User).where(User.username == fields["username"])):
            raise Conflict(
                "username taken",
                field="username",
                details={"errors": {"username": ["already exists"]}},
                key="taken",
                params={"what": "user", "value": fields["username"]},
            )
        _check_customer(db, fields.get("customer_id"))
        fields = dict(fields)
        codes, all_depots = fields.pop("depot_codes", None), fields.pop("all_depots", False)
        user = User(**fields)
        if password_hash:
            user.password_hash = password_hash
        db.add(user)
        db.flush()
        _event(db, user, "created", actor, to_state="active", data={"role": user.role})
        assign_depots(db, user, codes or [], all_depots=all_depots, actor=actor)
        return user


def update_user(
    db: Session,
    user: User,
    changes: dict,
    *,
    password_hash: str | None,
    actor: str,
    acting_user_id: int | None,
) -> User:
    """Change `user`: the `EDITABLE` fields in `changes`, a new password (by its hash) and
    ``active``. Deactivating or a new password revokes every token and ends every web
    session (reactivating brings none back). Nobody locks themselves out: no deactivating
    one's own account or changing one's own role (Conflict). Commits."""
    with transaction(db):
        deactivate = changes.get("active") is False
        if user.id == acting_user_id and (
            deactivate or changes.get("role", user.role) != user.role
        ):
            field = "active" if deactivate else "role"
            raise Conflict(
                "an admin cannot lock themselves out; ask another admin",
                field=field,
                details={"errors": {field: ["not on your own account"]}},
                key="admin_self_lockout",
            )
        _check_customer(db, changes.get("customer_id"))
        changed = {}
        for field in EDITABLE:
            if field in changes and changes[field] != getattr(user, field):
                changed[field] = [getattr(user, field), changes[field]]
                setattr(user, field, changes[field])
        if changed:
            _event(db, user, "updated", actor, data={"changes": changed})
        if "depot_codes" in changes or "all_depots" in changes:
            assign_depots(
                db,
                user,
                changes.get("depot_codes", user.depot_codes),
                all_depots=changes.get("all_depots", user.all_depots),
                actor=actor,
            )
        if password_hash:
            user.password_hash = password_hash
            revoked = revoke_tokens(db, user)
            end_sessions(user)
            _event(db, user, "password_set", actor, data={"tokens_revoked": revoked})
        if "active" in changes and changes["active"] != user.active:
            user.active = changes["active"]
            if user.active:
                _event(db, user, "reactivated", actor, from_state="inactive", to_state="active")
            else:
                revoked = revoke_tokens(db, user)
                end_sessions(user)
                _event(
                    db,
                    user,
                    "deactivated",
                    actor,
                    from_state="active",
                    to_state="inactive",
                    data={"tokens_revoked": revoked},
                )
        return user


def issue_user_token(db: Session, user: User, name: str, *, actor: str) -> tuple[int, str]:
    """A new bearer token for `user`: (its id, the token in clear, shown once). Commits."""
    with transaction(db):
        token = issue_token(db, user, name)
        token_id = db.scalars(
            select(ApiToken.id).where(ApiToken.token_hash == hash_token(token))
        ).one()
        _event(db, user, "token_issued", actor, data={"token_id": token_id, "name": name})
        return token_id, token


def revoke_token(db: Session, token: ApiToken, *, actor: str) -> None:
    """Revoke one token; revoking a revoked token changes nothing. Commits."""
    with transaction(db):
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            data = {"token_id": token.id, "name": token.name}
            _event(db, token.user, "token_revoked", actor, data=data)


def assign_depots(
    session: Session, user: User, codes: list[str], *, all_depots: bool, actor: str
) -> list[str]:
    """Set the depots ``user`` works at (no commit); returns the codes assigned."""
    wanted = sorted(set(codes))
    depots = list(session.scalars(select(Depot).where(Depot.code.in_(wanted))))
    unknown = sorted(set(wanted) - {d.code for d in depots})
    if unknown:
        raise InvalidInput.unknown(
            "depot",
            ", ".join(unknown),
            message=f"unknown depot {', '.join(unknown)}",
            field="depots",
        )
    before = sorted(d.code for d in user.depots) if user.id else []
    session.execute(delete(UserDepot).where(UserDepot.user_id == user.id))
    session.add_all(UserDepot(user_id=user.id, depot_id=d.id) for d in depots)
    changed = before != wanted or user.all_depots != all_depots
    user.all_depots = all_depots
    session.flush()
    session.expire(user, ["depots"])
    if changed:
        record_on(
            session,
            "user",
            user,
            "depots_assigned",
            actor=actor,
            ref=user.username,
            data={"before": before, "after": wanted, "all_depots": all_depots},
        )
    return wanted
