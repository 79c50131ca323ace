"""A supplier delivery is booked once, however many times and however fast it is sent:
imports raced over HTTP against gunicorn (4 workers) on PostgreSQL."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select

from inventory.verify import verify_ledger
from models import Movement, Part, SerialItem, StockQuantity
from tests.builders import bearer, make_depot, make_part, make_user
from tests.load.conftest import Call, Reply, fire_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

IMPORTS = 20


@pytest.fixture(scope="module")
def world(arrange):
    with arrange() as s:
        make_depot(s, "BJ01")
        _, token = make_user(s, "warehouse", "wh.import")
    return bearer(token)


def _multipart(text: str, filename: str = "delivery.csv") -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
        f"{text}\r\n--{boundary}--\r\n"
    ).encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _import_call(headers: dict[str, str], text: str, reference: str, strict: bool = False) -> Call:
    body, content_type = _multipart(text)
    return Call(
        "POST",
        f"/api/stock/receipts/import?reference={reference}&strict={str(strict).lower()}",
        {**headers, "Content-Type": content_type},
        raw=body,
    )


def _odd(replies: list[Reply]) -> list:
    return [(r.status, r.body, r.error) for r in replies if r.status not in (200, 409)][:5]


def test_twenty_imports_of_one_delivery_at_once_book_its_stock_once(arrange, server, world):
    with arrange() as s:
        make_part(s, "IMP-PSU")
        make_part(s, "IMP-SFP", tracking="counted")
    serials = [f"IMP-PSU-{i:03d}" for i in range(7)]
    text = "depot,part_number,serial,qty\r\n" + "".join(
        f"BJ01,IMP-PSU,{serial},1\r\n" for serial in serials
    )
    text += "BJ01,IMP-SFP,,5\r\n"
    shared_key = str(uuid.uuid4())  # five of the twenty are one client's retries
    calls = [
        _import_call(
            {**world, "Idempotency-Key": shared_key if i < 5 else str(uuid.uuid4())},
            text,
            "DN-2026-0001",
        )
        for i in range(IMPORTS)
    ]

    replies = fire_at_once(server, calls)

    booked = [
        r for r in replies if r.status == 200 and r.headers.get("idempotent-replayed") != "true"
    ]
    replayed = [r for r in replies if r.headers.get("idempotent-replayed") == "true"]
    refused = [r for r in replies if r.status == 409 and r not in replayed]
    assert len(booked) == 1, Counter(r.status for r in replies)
    assert len(booked) + len(replayed) + len(refused) == IMPORTS, _odd(replies)
    assert booked[0].body["units"] == 12
    assert all(r.headers["content-type"] == "application/problem+json" for r in refused)
    assert all("DN-2026-0001" in r.body["detail"] for r in refused)
    # a replay is the answer its key got first: the booking itself, or the same refusal
    first_of_key = replies[0] if replies[0] not in replayed else None
    assert all(r.body == (first_of_key or r).body for r in replayed)
    with arrange() as s:
        part = s.scalar(select(Part).where(Part.part_number == "IMP-PSU"))
        counted = s.scalar(select(Part).where(Part.part_number == "IMP-SFP"))
        assert s.scalars(select(SerialItem.serial).where(SerialItem.part_id == part.id)).all()
        assert (
            s.scalar(
                select(func.count()).select_from(SerialItem).where(SerialItem.part_id == part.id)
            )
            == 7
        )
        assert (
            s.scalar(select(func.sum(StockQuantity.qty)).where(StockQuantity.part_id == counted.id))
            == 5
        )
        receipts = s.scalar(
            select(func.count()).select_from(Movement).where(Movement.reference == "DN-2026-0001")
        )
        assert receipts == 8
        assert verify_ledger(s) == []


def test_imports_racing_for_the_same_serials_refuse_with_409_naming_them_and_half_book_nothing(
    arrange, server, world
):
    with arrange() as s:
        make_part(s, "RACE-PSU")
        make_part(s, "RACE-SFP", tracking="counted")
    shared = ["RACE-PSU-A", "RACE-PSU-B", "RACE-PSU-C"]
    calls = []
    for i in range(10):
        # every file holds the shared serials (in its own order), some of its own, and a
        # counted line: the winner books all of its file, a loser none of its own
        order = shared[i % 3 :] + shared[: i % 3]
        own = [f"RACE-PSU-{i:02d}-{n}" for n in range(3)]
        rows = [f"BJ01,RACE-PSU,{serial},1" for serial in own[:2] + order + own[2:]]
        rows.append(f"BJ01,RACE-SFP,,{i + 1}")
        text = "depot,part_number,serial,qty\r\n" + "\r\n".join(rows) + "\r\n"
        # strict: all or nothing (a lax import books the rows that are free, by design)
        calls.append(_import_call(world, text, f"DN-RACE-{i:02d}", strict=True))

    replies = fire_at_once(server, calls)

    assert Counter(r.status for r in replies) == Counter({200: 1, 409: 9}), _odd(replies)
    winner = next(i for i, r in enumerate(replies) if r.status == 200)
    for reply in replies:
        if reply.status == 409:
            assert reply.headers["content-type"] == "application/problem+json"
            assert sorted(reply.body["errors"]["serial"]) == sorted(shared), reply.body
            assert all(serial in reply.body["detail"] for serial in shared)
    with arrange() as s:
        booked = set(
            s.scalars(select(SerialItem.serial).where(SerialItem.serial.like("RACE-PSU-%")))
        )
        assert booked == set(shared) | {f"RACE-PSU-{winner:02d}-{n}" for n in range(3)}
        counted = s.scalar(select(Part.id).where(Part.part_number == "RACE-SFP"))
        assert (
            s.scalar(select(func.sum(StockQuantity.qty)).where(StockQuantity.part_id == counted))
            == winner + 1
        )
        assert verify_ledger(s) == []
