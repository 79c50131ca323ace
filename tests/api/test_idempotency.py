"""Idempotency-Key on the warehouse's writes: a retry never books twice, a failure books nothing.

The claim on the key, the work and the stored response share one transaction, so a request
that dies half-way leaves no trace and its retry does the work once. (Killing real gunicorn
processes mid-stream is tests/load/test_crash_safety.py; this file pins the contract.)
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from models import IdempotencyRecord, Movement, SerialItem, Transfer
from tests.builders import bearer, make_depot, make_part, make_user


def _warehouse(db) -> dict[str, str]:
    make_depot(db, "BJ01")
    make_depot(db, "SH01")
    make_part(db, "SRV-PSU")
    make_part(db, "NET-SFP", tracking="counted", category="network", kind="consumable")
    _user, token = make_user(db, "warehouse")
    db.commit()
    return bearer(token)


@pytest.fixture
def wh(db):
    return _warehouse(db)


def _count(db, model, *where) -> int:
    db.expire_all()
    n = db.scalar(select(func.count()).select_from(model).where(*where))
    db.rollback()
    return n


def _receipt(serial: str) -> dict:
    return {"depot": "BJ01", "part_number": "SRV-PSU", "serial": serial}


def test_a_retried_receipt_is_booked_once_and_answered_the_same(client, db, wh):
    key = {**wh, "Idempotency-Key": "rcpt-1"}
    first = client.post("/api/stock/receipts", json=_receipt("PSU-1"), headers=key)
    again = client.post("/api/stock/receipts", json=_receipt("PSU-1"), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert _count(db, Movement, Movement.reference.is_(None)) == 1
    assert _count(db, SerialItem, SerialItem.serial == "PSU-1") == 1


def test_the_same_key_for_a_different_receipt_is_refused_and_books_nothing(client, db, wh):
    key = {**wh, "Idempotency-Key": "rcpt-2"}
    assert (
        client.post("/api/stock/receipts", json=_receipt("PSU-2"), headers=key).status_code == 201
    )
    other = client.post("/api/stock/receipts", json=_receipt("PSU-3"), headers=key)
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]
    assert _count(db, SerialItem, SerialItem.serial == "PSU-3") == 0


def test_a_transfer_retried_after_its_answer_was_lost_ships_once(client, db, wh):
    client.post(
        "/api/stock/receipts",
        json={"depot": "BJ01", "part_number": "NET-SFP", "qty": 5},
        headers=wh,
    )
    body = {
        "from_depot": "BJ01",
        "to_depot": "SH01",
        "lines": [{"part_number": "NET-SFP", "qty": 3}],
    }
    key = {**wh, "Idempotency-Key": "ship-1"}
    first = client.post("/api/transfers", json=body, headers=key)
    again = client.post("/api/transfers", json=body, headers=key)
    assert first.status_code == again.status_code == 201 and again.json == first.json
    assert _count(db, Transfer) == 1
    stock = client.get("/api/availability?part_number=NET-SFP", headers=wh).json
    assert {row["depot"]: row["available"] for row in stock["items"]}.get("BJ01") == 2


def test_a_request_that_fails_after_its_work_leaves_nothing_and_its_retry_books_once(
    client, db, wh, monkeypatch
):
    """The work commits inside the view, then the view dies: the key, the receipt and the
    movement all vanish together, and the retry with the same key does the work."""
    import app.api.stock as stock_api

    real_plain = stock_api.plain

    def dies_after_commit(value):
        raise RuntimeError("worker lost after the work committed")

    monkeypatch.setattr(stock_api, "plain", dies_after_commit)
    key = {**wh, "Idempotency-Key": "rcpt-crash"}
    failed = client.post("/api/stock/receipts", json=_receipt("PSU-9"), headers=key)
    assert failed.status_code == 500
    assert _count(db, SerialItem, SerialItem.serial == "PSU-9") == 0
    assert _count(db, Movement) == 0 and _count(db, IdempotencyRecord) == 0

    monkeypatch.setattr(stock_api, "plain", real_plain)
    retried = client.post("/api/stock/receipts", json=_receipt("PSU-9"), headers=key)
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert _count(db, SerialItem, SerialItem.serial == "PSU-9") == 1 and _count(db, Movement) == 1


@pytest.fixture
def pg_app(pg_database_url):
    from app import create_app
    from tests.conftest import truncate_pg

    truncate_pg(pg_database_url)
    app = create_app(
        {
            "DATABASE_URL": pg_database_url,
            "TESTING": True,
            "SECRET_KEY": "test",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    yield app
    app.extensions["sparelog.db"].engine.dispose()


@pytest.mark.postgres
def test_concurrent_retries_with_one_key_book_once_and_all_get_the_first_answer(pg_app):
    with pg_app.extensions["sparelog.db"].sessions() as db:
        wh = _warehouse(db)
    answers: list = []
    barrier = threading.Barrier(12)

    def send():
        client = pg_app.test_client()
        barrier.wait()
        r = client.post(
            "/api/stock/receipts",
            json=_receipt("PSU-RACE"),
            headers={**wh, "Idempotency-Key": "rcpt-race"},
        )
        answers.append((r.status_code, r.json, r.headers.get("Idempotent-Replayed")))

    threads = [threading.Thread(target=send) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(answers) == 12
    assert {status for status, _body, _replayed in answers} == {201}
    assert len({str(body) for _status, body, _replayed in answers}) == 1
    assert sum(1 for *_rest, replayed in answers if replayed is None) == 1
    with pg_app.extensions["sparelog.db"].sessions() as db:
        assert _count(db, SerialItem, SerialItem.serial == "PSU-RACE") == 1
