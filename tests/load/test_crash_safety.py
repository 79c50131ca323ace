"""Crash safety: kill -9 in the middle of a stream of receipts and transfers.

Four warehouse clients each stream serial receipts, counted receipts, transfer shipments
and transfer receipts, every operation with its own Idempotency-Key, retrying with the
SAME key on a cut connection, a 5xx or a 409 with Retry-After until they get a definitive
answer. Meanwhile a killer picks a request in flight, waits a random few milliseconds (so
the kill lands before, during or after the commit) and kill -9s the worker serving it; in
the second test it kill -9s the whole server (master and workers) and starts it again.

Afterwards the ledger verifies (``flask inventory verify``), every operation asked for
happened exactly once (each serial booked once, each counted receipt once, each transfer
shipped once and received once with all of its movements), nothing half-done is visible,
and every answer the clients got was a success.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from bench.live_server import LiveServer
from inventory.receiving import receive_from_supplier
from inventory.verify import verify_ledger
from models import (
    IdempotencyRecord,
    Movement,
    Part,
    SerialItem,
    StockQuantity,
    Transfer,
    TransferLine,
)
from tests.builders import bearer, make_depot, make_part, make_user
from tests.load.conftest import flask_verify

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(420)]

CLIENTS = 4
MIN_CYCLES = (
    5  # per client; a cycle is 4 operations: serial receipt, counted receipt, ship, receive
)
STREAM_LIMIT = 240.0  # seconds the stream may take in all
WORKER_KILLS = 6
SERVER_KILLS = 3
OPENING_STOCK = 1_000  # counted units at BJ01 before the stream
PER_TRANSFER = 2  # counted units on each transfer, beside one serial
OP_DEADLINE = 60.0  # seconds one operation may keep retrying


@pytest.fixture(scope="module")
def depots(arrange):
    with arrange() as s:
        return {code: make_depot(s, code).location_id for code in ("BJ01", "SH01")}


def _world(arrange, tag: str) -> dict:
    """A serialized and a counted part of this test's own, the counted one stocked at BJ01,
    and a warehouse clerk of its own (so its keys can be counted)."""
    with arrange() as s:
        psu, sfp = make_part(s, f"{tag}-PSU").part_number, f"{tag}-SFP"
        make_part(s, sfp, tracking="counted", category="network", kind="consumable")
        receive_from_supplier(s, depot_code="BJ01", part_number=sfp, qty=OPENING_STOCK, actor="wh")
        user, token = make_user(s, "warehouse", f"wh.{tag}")
        return {"tag": tag, "psu": psu, "sfp": sfp, "headers": bearer(token), "user_id": user.id}


@dataclass
class Tally:
    done: list = field(default_factory=list)  # (operation, reply body) for every success
    failed: list = field(
        default_factory=list
    )  # (operation, status, body): definitive non-successes
    cut: int = 0  # attempts that got no HTTP answer (connection cut, refused or timed out)
    retried_5xx: int = 0
    busy: int = 0  # 409 Retry-After: the first attempt with the key still held it
    replayed: int = 0  # answers with Idempotent-Replayed: true


class Client:
    """One warehouse clerk on one keep-alive connection, retrying with the same key."""

    def __init__(
        self, server: LiveServer, headers: dict[str, str], tally: Tally, lock: threading.Lock
    ):
        self.server, self.headers, self.tally, self.lock = server, headers, tally, lock
        self.connection: http.client.HTTPConnection | None = None
        self.in_flight_port: int | None = None  # local port of a request being answered
        self.ops: list[str] = []  # operation ids asked for, in order

    def call(self, name: str, path: str, body: dict) -> dict | None:
        key = str(uuid.uuid4())
        deadline = time.monotonic() + OP_DEADLINE
        attempt = 0
        while True:
            attempt += 1
            status, headers, answer = self._send(path, body, key)
            with self.lock:
                if 200 <= status < 300:
                    self.tally.done.append((name, answer))
                    self.tally.replayed += headers.get("idempotent-replayed") == "true"
                    return answer
                if status == 0:
                    self.tally.cut += 1
                elif status >= 500:
                    self.tally.retried_5xx += 1
                elif status == 409 and "retry-after" in headers:
                    self.tally.busy += 1
                else:
                    self.tally.failed.append((name, status, answer))
                    return None
            if time.monotonic() > deadline:
                with self.lock:
                    self.tally.failed.append(
                        (name, status, f"no definitive answer after {attempt} attempts")
                    )
                return None
            time.sleep(min(1.0, 0.05 * attempt))

    def _send(self, path: str, body: dict, key: str) -> tuple[int, dict, object]:
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.server.port, timeout=60
                )
                self.connection.connect()
            self.in_flight_port = self.connection.sock.getsockname()[1]
            self.connection.request(
                "POST",
                path,
                body=json.dumps(body).encode(),
                headers={
                    **self.headers,
                    "Content-Type": "application/json",
                    "Idempotency-Key": key,
                },
            )
            response = self.connection.getresponse()
            raw = response.read()
            headers = {k.lower(): v for k, v in response.getheaders()}
            return response.status, headers, json.loads(raw) if raw else None
        except (OSError, http.client.HTTPException, ValueError):
            if self.connection is not None:
                self.connection.close()
            self.connection = None
            return 0, {}, None
        finally:
            self.in_flight_port = None


def _stream(client: Client, world: dict, name: str, keep_going: threading.Event) -> None:
    """Cycles of four operations until ``keep_going`` is cleared (at least MIN_CYCLES)."""
    while len(client.ops) < MIN_CYCLES or keep_going.is_set():
        op = f"{name}-{len(client.ops):03d}"
        client.ops.append(op)
        serial = f"S-{op}"
        client.call(
            "serial receipt",
            "/api/stock/receipts",
            {"depot": "BJ01", "part_number": world["psu"], "serial": serial, "reference": op},
        )
        client.call(
            "counted receipt",
            "/api/stock/receipts",
            {"depot": "BJ01", "part_number": world["sfp"], "qty": 1, "reference": op},
        )
        shipped = client.call(
            "ship",
            "/api/transfers",
            {
                "from_depot": "BJ01",
                "to_depot": "SH01",
                "note": op,
                "lines": [
                    {"part_number": world["psu"], "serial": serial},
                    {"part_number": world["sfp"], "qty": PER_TRANSFER},
                ],
            },
        )
        if shipped:
            client.call("receive", f"/api/transfers/{shipped['number']}/receive", {"note": op})


def _run_stream(server: LiveServer, world: dict, killer) -> tuple[Tally, list[str], list[str]]:
    """Stream with CLIENTS clients while ``killer(clients, stop)`` runs, and until it is done;
    returns the tally, the killer's log and the operation ids the clients asked for."""
    tally, lock = Tally(), threading.Lock()
    clients = [Client(server, world["headers"], tally, lock) for _ in range(CLIENTS)]
    keep_going = threading.Event()
    keep_going.set()
    threads = [
        threading.Thread(
            target=_stream, args=(c, world, f"{world['tag']}-{n}", keep_going), daemon=True
        )
        for n, c in enumerate(clients)
    ]
    stop = threading.Event()
    log: list[str] = []

    def kill() -> None:
        try:
            log.extend(killer(clients, stop))
        finally:
            keep_going.clear()

    killing = threading.Thread(target=kill, daemon=True)
    for t in threads:
        t.start()
    killing.start()
    killing.join(STREAM_LIMIT)
    keep_going.clear()
    for t in threads:
        t.join(STREAM_LIMIT)
    stop.set()
    killing.join(60)
    for c in clients:
        if c.connection is not None:
            c.connection.close()
    return tally, log, [op for c in clients for op in c.ops]


def _request_in_flight(
    clients: list[Client], rng: random.Random, stop: threading.Event, wait: float = 5.0
) -> int | None:
    """The local port of some client's request in flight (None if none within ``wait``)."""
    deadline = time.monotonic() + wait
    while not stop.is_set() and time.monotonic() < deadline:
        busy = [p for p in (c.in_flight_port for c in clients) if p is not None]
        if busy:
            return rng.choice(busy)
        time.sleep(0.001)
    return None


def _check_exactly_once(
    arrange, load_database_url: str, depots: dict, world: dict, tally: Tally, ops: list[str]
) -> None:
    assert tally.failed == []
    assert Counter(name for name, _ in tally.done) == Counter(
        {
            "serial receipt": len(ops),
            "counted receipt": len(ops),
            "ship": len(ops),
            "receive": len(ops),
        }
    )
    verified = flask_verify(load_database_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    bj01, sh01 = depots["BJ01"], depots["SH01"]
    with arrange() as s:
        assert verify_ledger(s) == []
        psu, sfp = (
            s.scalar(select(Part.id).where(Part.part_number == world[k])) for k in ("psu", "sfp")
        )
        # each serial exists once and sits, received, at SH01
        items = s.execute(
            select(SerialItem.serial, SerialItem.status, SerialItem.location_id).where(
                SerialItem.part_id == psu
            )
        ).all()
        assert sorted(i.serial for i in items) == sorted(f"S-{op}" for op in ops)
        assert {(i.status, i.location_id) for i in items} == {("in_stock", sh01)}
        # each receipt booked once: one serial and one counted movement per operation id
        receipts = Counter(
            s.execute(
                select(Movement.reference, Movement.part_id).where(
                    Movement.reason == "receipt",
                    Movement.part_id.in_([psu, sfp]),
                    Movement.reference.is_not(None),
                )
            ).all()
        )
        assert receipts == Counter({(op, p): 1 for op in ops for p in (psu, sfp)})
        # each transfer once, received, with both lines moved out and in
        transfers = s.execute(
            select(Transfer.note, Transfer.number, Transfer.status)
            .join(TransferLine, TransferLine.transfer_id == Transfer.id)
            .where(TransferLine.part_id == psu)
        ).all()
        assert sorted(t.note for t in transfers) == sorted(ops)
        assert {t.status for t in transfers} == {"received"}
        numbers = [t.number for t in transfers]
        lines = Counter(
            s.scalars(
                select(Transfer.number)
                .join(TransferLine, TransferLine.transfer_id == Transfer.id)
                .where(Transfer.number.in_(numbers))
            )
        )
        assert lines == Counter({n: 2 for n in numbers})
        moved = Counter(
            s.execute(
                select(Movement.reference, Movement.reason, Movement.part_id).where(
                    Movement.reference.in_(numbers)
                )
            ).all()
        )
        assert moved == Counter(
            {
                (n, r, p): 1
                for n in numbers
                for r in ("transfer_out", "transfer_in")
                for p in (psu, sfp)
            }
        )
        # the counted part adds up to what was asked: nothing twice, nothing lost in transit
        on_hand = dict(
            s.execute(
                select(StockQuantity.location_id, StockQuantity.qty + StockQuantity.reserved).where(
                    StockQuantity.part_id == sfp
                )
            ).all()
        )
        expected = {
            bj01: OPENING_STOCK + len(ops) - PER_TRANSFER * len(ops),
            sh01: PER_TRANSFER * len(ops),
        }
        assert {loc: qty for loc, qty in on_hand.items() if qty} == expected
        # one stored answer per key: every key's operation ran exactly once
        stored = s.scalars(
            select(IdempotencyRecord.status_code).where(
                IdempotencyRecord.user_id == world["user_id"]
            )
        ).all()
        assert sorted(stored) == sorted([201] * 3 * len(ops) + [200] * len(ops))


def test_killing_workers_mid_request_loses_nothing_and_doubles_nothing(
    server, arrange, depots, load_database_url
):
    world = _world(arrange, "KW")
    rng = random.Random(6)

    def killer(clients: list[Client], stop: threading.Event) -> list[str]:
        log = []
        while not stop.is_set() and len(log) < WORKER_KILLS:
            stop.wait(rng.uniform(1.0, 2.0))  # a new worker needs ~1.5 s CPU to load the app
            port = _request_in_flight(clients, rng, stop)
            if port is None:
                continue
            time.sleep(rng.uniform(0, 0.03))  # before, during or after its commit
            pid = server.worker_serving(port)
            if pid is None:
                continue
            server.kill_worker(pid)
            log.append(f"killed worker {pid}")
            server.wait_workers()
        return log

    tally, log, ops = _run_stream(server, world, killer)

    print(
        f"\nworker kills: {len(log)}; cut: {tally.cut}, 5xx: {tally.retried_5xx}, busy: {tally.busy}, "
        f"replayed: {tally.replayed}, successes: {len(tally.done)} of {4 * len(ops)} operations"
    )
    assert len(log) == WORKER_KILLS, log
    assert tally.cut >= 1  # the stream was really interrupted
    _check_exactly_once(arrange, load_database_url, depots, world, tally, ops)


def test_killing_the_whole_server_mid_stream_and_restarting_loses_nothing_and_doubles_nothing(
    server, arrange, depots, load_database_url
):
    world = _world(arrange, "KS")
    rng = random.Random(9)

    def killer(clients: list[Client], stop: threading.Event) -> list[str]:
        log = []
        while not stop.is_set() and len(log) < SERVER_KILLS:
            stop.wait(rng.uniform(1.0, 3.0))
            port = _request_in_flight(clients, rng, stop)
            if port is None:
                continue
            time.sleep(rng.uniform(0, 0.03))
            server.kill_all()
            started = time.monotonic()
            server.start()
            log.append(f"killed the server; up again in {time.monotonic() - started:.1f} s")
        return log

    tally, log, ops = _run_stream(server, world, killer)

    print(
        f"\nserver kills: {log}; cut: {tally.cut}, 5xx: {tally.retried_5xx}, busy: {tally.busy}, "
        f"replayed: {tally.replayed}, successes: {len(tally.done)} of {4 * len(ops)} operations"
    )
    assert len(log) == SERVER_KILLS, log
    assert tally.cut >= SERVER_KILLS
    _check_exactly_once(arrange, load_database_url, depots, world, tally, ops)
