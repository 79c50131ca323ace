"""The compare-and-set every change of a record's status is made of.

The row is written only while its status is still the one the caller read; of two
people changing it at once the database lets one through, and the other hears that it
was changed meanwhile (the caller raises its own Conflict, naming the record).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from inventory.ledger import rows_matched


def update_if_status(session: Session, row: Any, was: str | tuple[str, ...], values: dict) -> bool:
    """Write ``values`` on ``row`` (a record with an ``id`` and a ``status``) only while its
    status is ``was`` (or one of them); whether it did. The loaded ``row`` is not
    refreshed: the caller expires or refreshes it."""
    model = type(row)
    still = model.status == was if isinstance(was, str) else model.status.in_(was)
    result = session.execute(
        update(model)
        .where(model.id == row.id, still)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return rows_matched(result) == 1
