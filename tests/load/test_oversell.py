"""No oversell under real load: 200 requests at the same instant against gunicorn with 4
workers (8 threads each, so up to 32 transactions in flight) on PostgreSQL.

Twenty rounds each: the last 10 units of a part raced for by reservations and dispatch
confirmations together, and 200 confirmations of the same RMA move. Every round starts
from a new part or RMA, so every round is a fresh race.
"""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select

from inventory import rmas
from inventory.receiving import receive_from_supplier
from inventory.tickets import open_ticket
from inventory.verify import verify_ledger
from models import Event, Movement, Rma, SerialItem, Ticket
from tests.builders import bearer, make_depot, make_part, make_user
from tests.load.conftest import Call, Reply, fire_at_once, flask_verify
from tests.service_builders import make_customer, make_engineer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROUNDS = 20
REQUESTS = 200
UNITS = 10
DISPATCHES = 40  # of the 200 requests for the last units, the rest are plain reservations


@pytest.fixture(scope="module")
def world(arrange):
    with arrange() as s:
        make_depot(s, "BJ01")
        make_depot(s, "SH01")  # holds stock of every part too: a unit there is no unit at BJ01
        _customer, site, _contract = make_customer(s)
        engineer = make_engineer(s, "ENG-LOAD", max_jobs=1_000_000)
        _, warehouse = make_user(s, "warehouse", "wh.load")
        _, dispatcher = make_user(s, "dispatcher", "disp.load")
    return {
        "site": site,
        "engineer": engineer,
        "warehouse": bearer(warehouse),
        "dispatcher": bearer(dispatcher),
    }


def _tally(replies: list[Reply]) -> Counter:
    return Counter("2xx" if 200 <= r.status < 300 else str(r.status) for r in replies)


def _no_event_twice(s) -> list:
    """(subject, kind) pairs recorded more than once: every subject here makes each move once."""
    return s.execute(
        select(Event.subject_type, Event.subject_id, Event.kind, func.count())
        .group_by(Event.subject_type, Event.subject_id, Event.kind)
        .having(func.count() > 1)
    ).all()


def _assert_ledger_sound(s) -> None:
    """After a round: no move recorded twice and the ledger adds up."""
    assert _no_event_twice(s) == []
    assert verify_ledger(s) == []


def _assert_verified_and_print(database_url: str, race: str, tallies: list[Counter]) -> None:
    """After every round: ``flask verify`` passes on the whole database; the replies of all
    rounds, counted by status, are printed."""
    verified = flask_verify(database_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    print(
        f"\n{race}, {ROUNDS} rounds of {REQUESTS}: "
        + ", ".join(
            f"{k}: {sum(t[k] for t in tallies)}" for k in sorted({k for t in tallies for k in t})
        )
    )


def test_two_hundred_requests_for_the_last_ten_units_exactly_ten_win_twenty_rounds(
    server, arrange, world, load_database_url
):
    tallies = []
    for round_no in range(ROUNDS):
        part = f"LAST-{round_no:02d}"
        with arrange() as s:
            make_part(s, part)
            spares = [f"{part}-U{i:02d}" for i in range(UNITS)]
            for serial in spares:
                receive_from_supplier(
                    s, depot_code="BJ01", part_number=part, actor="wh", serial=serial
                )
            for i in range(3):  # not spares: faulty ones on the shelf, good ones elsewhere
                receive_from_supplier(
                    s,
                    depot_code="BJ01",
                    part_number=part,
                    actor="wh",
                    serial=f"{part}-F{i}",
                    condition="faulty",
                )
                receive_from_supplier(
                    s, depot_code="SH01", part_number=part, actor="wh", serial=f"{part}-SH{i}"
                )
            tickets = [
                open_ticket(
                    s,
                    site_code=world["site"],
                    severity="P2",
                    channel="phone",
                    symptom=f"r{round_no}",
                    actor="disp.load",
                    part_number=part,
                ).number
                for _ in range(DISPATCHES)
            ]
        calls = [
            Call(
                "POST",
                f"/api/tickets/{t}/dispatch",
                {**world["dispatcher"], "Idempotency-Key": str(uuid.uuid4())},
                {"engineer": world["engineer"], "depot": "BJ01", "mode": "pickup"},
            )
            for t in tickets
        ]
        calls += [
            Call(
                "POST",
                "/api/stock/reservations",
                world["warehouse"],
                {"depot": "BJ01", "part_number": part, "reference": f"{part}-R{i:03d}"},
            )
            for i in range(REQUESTS - DISPATCHES)
        ]

        replies = fire_at_once(server, calls)

        tally = _tally(replies)
        tallies.append(tally)
        assert tally == Counter({"2xx": UNITS, "409": REQUESTS - UNITS}), (
            round_no,
            tally,
            _odd(replies),
        )
        assert all(
            r.headers.get("content-type") == "application/problem+json"
            for r in replies
            if r.status == 409
        )
        won_dispatch = [r.body for r in replies[:DISPATCHES] if r.status == 200]
        won_reservations = [r.body for r in replies[DISPATCHES:] if r.status == 201]
        with arrange() as s:
            held = dict(
                s.execute(
                    select(SerialItem.serial, SerialItem.reserved_ref).where(
                        SerialItem.serial.like(f"{part}-%"), SerialItem.status == "reserved"
                    )
                ).all()
            )
            # the ten good units at BJ01 are taken, each by exactly one winner, and nothing else is
            assert sorted(held) == spares
            promised = sorted(
                [d["reserved_serial"] for d in won_dispatch]
                + [r["serial"] for r in won_reservations]
            )
            assert promised == spares
            assert sorted(held.values()) == sorted(
                [d["rma_number"] for d in won_dispatch] + [r["reference"] for r in won_reservations]
            )
            statuses = Counter(s.scalars(select(Ticket.status).where(Ticket.number.in_(tickets))))
            assert statuses == Counter(
                {"dispatched": len(won_dispatch), "new": DISPATCHES - len(won_dispatch)}
            )
            assert s.scalar(
                select(func.count())
                .select_from(Rma)
                .join(Ticket, Rma.ticket_id == Ticket.id)
                .where(Ticket.number.in_(tickets))
            ) == len(won_dispatch)
            assert (
                s.scalar(
                    select(func.count())
                    .select_from(Movement)
                    .join(SerialItem)
                    .where(SerialItem.serial.like(f"{part}-%"))
                )
                == UNITS + 6
            )  # the receipts only
            _assert_ledger_sound(s)
    _assert_verified_and_print(load_database_url, "last-units race", tallies)


def test_two_hundred_confirmations_of_the_same_rma_move_exactly_one_wins_twenty_rounds(
    server, arrange, world, load_database_url
):
    with arrange() as s:
        make_part(s, "RMA-PSU")
        for i in range(ROUNDS):
            receive_from_supplier(
                s, depot_code="BJ01", part_number="RMA-PSU", actor="wh", serial=f"RMA-PSU-{i:02d}"
            )
    tallies = []
    for round_no in range(ROUNDS):
        # even rounds race "allocate" (reserves a spare), odd rounds race "ship" (moves it)
        action = "allocate" if round_no % 2 == 0 else "ship"
        with arrange() as s:
            number = rmas.open_rma(
                s,
                rmas.RmaRequest(
                    kind="advance_replacement",
                    site_code=world["site"],
                    faulty_part_number="RMA-PSU",
                    fault_symptom=f"r{round_no}",
                    faulty_serial=f"FAULTY-{round_no}",
                ),
                actor="disp.load",
            ).number
            rmas.move_rma(s, number, "approve", actor="disp.load")
            if action == "ship":
                rmas.move_rma(
                    s, number, "allocate", actor="disp.load", given=rmas.MoveInput(depot="BJ01")
                )
        calls = [
            Call(
                "POST",
                f"/api/rmas/{number}/{action}",
                world["warehouse"],
                {"depot": "BJ01"}
                if action == "allocate"
                else {"carrier": "SF", "waybill": f"SF{i:04d}"},
            )
            for i in range(REQUESTS)
        ]

        replies = fire_at_once(server, calls)

        tally = _tally(replies)
        tallies.append(tally)
        assert tally == Counter({"2xx": 1, "409": REQUESTS - 1}), (
            round_no,
            action,
            tally,
            _odd(replies),
        )
        winner = next(r.body for r in replies if r.status == 200)
        with arrange() as s:
            rma = s.scalar(select(Rma).where(Rma.number == number))
            assert rma.status == ("allocated" if action == "allocate" else "shipped")
            assert (
                s.scalar(
                    select(func.count())
                    .select_from(Event)
                    .where(
                        Event.subject_type == "rma",
                        Event.subject_id == rma.id,
                        Event.kind == action,
                    )
                )
                == 1
            )
            reserved = s.scalars(
                select(SerialItem.serial).where(SerialItem.reserved_ref == number)
            ).all()
            assert reserved == [rma.replacement_serial] == [winner["replacement_serial"]]
            shipped = s.scalar(
                select(func.count())
                .select_from(Movement)
                .where(
                    Movement.reason == "ship_to_customer",
                    Movement.serial_item_id == rma.replacement_item_id,
                )
            )
            if action == "ship":
                assert (shipped, rma.waybill) == (1, winner["waybill"])
            else:
                assert shipped == 0
            _assert_ledger_sound(s)
    _assert_verified_and_print(load_database_url, "same-RMA-move race", tallies)


def _odd(replies: list[Reply]) -> list:
    """The first few replies that are neither a win nor a 409, for the failure message."""
    return [(r.status, r.error or r.body) for r in replies if r.status not in (200, 201, 409)][:5]
