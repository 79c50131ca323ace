"""Human-friendly document numbers such as TRF-2026-000123, allocated by the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import Counter, utcnow


def next_number(session: Session, prefix: str, at: datetime | None = None) -> str:
    """Allocate the next number of the series ``PREFIX-YYYY``; concurrent callers never
    get the same one because the increment is a single conditional write."""
    year = (at or utcnow()).year
    name = f"{prefix}-{year}"
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(Counter).values(name=name, value=0).on_conflict_do_nothing())
    value = session.execute(
        update(Counter)
        .where(Counter.name == name)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    ).scalar_one()
    return f"{name}-{value:06d}"
