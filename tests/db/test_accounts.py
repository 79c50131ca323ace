"""Account rules in their inventory home (each test runs on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from inventory import accounts
from inventory.errors import Conflict, InvalidInput
from models import ApiToken, Event
from tests.builders import make_user


def _live_tokens(session, user) -> int:
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    return len(list(rows))


def _deactivate(session, user, *, by, actor: str) -> None:
    """``by`` (an admin, signed in as ``actor``) switches ``user``'s account off."""
    accounts.update_user(
        session, user, {"active": False}, password_hash=None, actor=actor, acting_user_id=by.id
    )


def test_deactivating_a_user_revokes_every_token_and_ends_every_session(session):
    admin, _ = make_user(session, "admin")
    clerk, _ = make_user(session, "warehouse")
    accounts.issue_user_token(session, clerk, "scanner", actor="admin1")
    epoch = clerk.session_epoch
    _deactivate(session, clerk, by=admin, actor="admin1")
    assert not clerk.active and _live_tokens(session, clerk) == 0
    assert clerk.session_epoch == epoch + 1
    event = session.scalars(select(Event).where(Event.kind == "deactivated")).one()
    assert event.data == {"tokens_revoked": 2} and event.actor == "admin1"


def test_an_admin_cannot_deactivate_themselves_and_nothing_changes(session):
    admin, _ = make_user(session, "admin")
    with pytest.raises(Conflict) as refused:
        _deactivate(session, admin, by=admin, actor="a")
    assert refused.value.field == "active"
    session.refresh(admin)
    assert admin.active and _live_tokens(session, admin) == 1


def test_a_user_for_an_unknown_customer_is_refused_naming_the_field(session):
    with pytest.raises(InvalidInput) as refused:
        accounts.create_user(
            session,
            {"username": "c9", "display_name": "C", "role": "customer", "customer_id": 999},
            password_hash=None,
            actor="admin1",
        )
    assert refused.value.field == "customer_id"
