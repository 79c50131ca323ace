"""Deadlines and promises on the pages read as on paper: "12月26日 24:00前", never
"27日 00:00"; the promised time is the engineer's arrival, said so."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from models import Rma
from tests.web.conftest import delivered_rma, post_form

MIDNIGHT_IN_SHANGHAI = datetime(2026, 12, 26, 16, 0, tzinfo=UTC)  # 27 Dec 00:00 local


def _due_at_midnight(db, number: str) -> str:
    rma = db.scalar(select(Rma).where(Rma.number == number))
    rma.return_due_at = MIDNIGHT_IN_SHANGHAI
    code = rma.tracking_code
    db.commit()
    return code


def test_a_return_due_at_midnight_reads_as_the_end_of_the_day_before(client, db) -> None:
    code = _due_at_midnight(db, delivered_rma(db, "WORD-0001").number)

    page = client.get(f"/track/{code}").get_data(as_text=True)

    assert "12月26日 24:00前" in page
    assert "12月27日" not in page and "2026-12-27 00:00" not in page


def test_the_english_page_says_by_end_of_the_day(client, db) -> None:
    code = _due_at_midnight(db, delivered_rma(db, "WORD-0002").number)
    post_form(client, "/prefs", {"lang": "en"}, page="/track")

    page = client.get(f"/track/{code}").get_data(as_text=True)

    assert "by end of 26 Dec" in page and "27 Dec" not in page


def test_the_warehouse_sees_the_same_deadline_when_scanning_the_rma(as_role, db) -> None:
    number = delivered_rma(db, "WORD-0003").number
    _due_at_midnight(db, number)
    staff = as_role("warehouse")

    page = staff.get(f"/warehouse/?q={number}").get_data(as_text=True)

    assert number in page and "12月26日 24:00前" in page
