"""One page of a select: counted and cut by the database, never in Python. The API's
``scalar_page`` and ``mapping_page`` and the services' paged lists all cut here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def count_and_cut(
    session: Session, stmt: Select[Any], page: int, page_size: int
) -> tuple[int, Select[Any]]:
    """How many rows `stmt` selects, and `stmt` cut to page `page` (from 1) of
    `page_size` rows."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return total or 0, stmt.limit(page_size).offset((page - 1) * page_size)
