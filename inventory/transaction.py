"""The one transaction boundary of the service functions.

``with transaction(session): ...`` commits when the block ends and rolls back (re-raising)
when it raises, so a service call writes all of its rows or none. Inside a request that
carries an ``Idempotency-Key`` (``app/idempotency.py``) the session has joined the
request's outer transaction with ``join_transaction_mode="create_savepoint"``: this
commit and rollback then release or roll back a savepoint, and the outer transaction
commits the work together with the stored response.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit `session` when the block ends, roll it back if the block raises."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
