"""The one transaction boundary of the service functions (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inventory.errors import Conflict
from inventory.transaction import transaction
from models import Location
from models.enums import LocationKind


def _add_location(session, code: str) -> None:
    session.add(Location(code=code, name=code, kind=LocationKind.DEPOT.value))
    session.flush()


def _count(session, code: str) -> int:
    return session.scalar(select(func.count()).select_from(Location).where(Location.code == code))


def test_a_block_that_ends_normally_is_committed(session):
    with transaction(session):
        _add_location(session, "SH01")
    session.rollback()  # nothing left to roll back: it is in the database
    assert _count(session, "SH01") == 1


def test_a_block_that_raises_leaves_nothing_behind_and_the_error_goes_on(session):
    with pytest.raises(Conflict), transaction(session):
        _add_location(session, "SH01")
        raise Conflict("lost a race")
    assert _count(session, "SH01") == 0
