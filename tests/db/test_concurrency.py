"""No oversell with real concurrency: 50 workers, own connections, 10 units."""

from __future__ import annotations

import pytest

from inventory import receiving, reservation
from inventory.verify import verify_ledger
from models.db import make_engine, make_session_factory
from tests.builders import make_depot, make_part
from tests.conftest import MANY_CONNECTIONS
from tests.races import at_once, outcomes

pytestmark = MANY_CONNECTIONS

WORKERS = 50
UNITS = 10


def _race(database_url: str, attempt) -> tuple[list, list, list]:
    """Run ``attempt(session, i)`` in WORKERS threads, each on its own connection,
    released at the same instant: (wins, conflicts, other errors)."""
    engine = make_engine(database_url, pool_size=WORKERS, max_overflow=0)
    results = at_once(
        WORKERS,
        attempt,
        sessions=make_session_factory(engine),
        connect_first=not database_url.startswith("sqlite"),
    )
    engine.dispose()
    return outcomes(results)


def test_fifty_workers_reserving_ten_serialized_units_exactly_ten_win(session, database_url):
    make_depot(session, "BJ01")
    make_part(session, "SRV-PSU")
    for i in range(UNITS):
        receiving.receive_from_supplier(
            session, depot_code="BJ01", part_number="SRV-PSU", serial=f"S{i}", actor="t"
        )

    wins, conflicts, errors = _race(
        database_url,
        lambda s, i: reservation.reserve(
            s, depot_code="BJ01", part_number="SRV-PSU", reference=f"RMA-{i}"
        ),
    )

    assert errors == []
    assert len(wins) == UNITS and len(conflicts) == WORKERS - UNITS
    assert len({w.serial for w in wins}) == UNITS  # no unit promised twice
    session.expire_all()
    assert verify_ledger(session) == []


def test_fifty_workers_taking_counted_stock_never_drive_it_below_zero(session, database_url):
    make_depot(session, "BJ01")
    make_part(session, "NET-SFP", tracking="counted", category="network", kind="consumable")
    receiving.receive_from_supplier(
        session, depot_code="BJ01", part_number="NET-SFP", qty=UNITS, actor="t"
    )

    wins, conflicts, errors = _race(
        database_url,
        lambda s, i: reservation.reserve(
            s, depot_code="BJ01", part_number="NET-SFP", reference=f"R-{i}", qty=1
        ),
    )

    assert errors == []
    assert (len(wins), len(conflicts)) == (UNITS, WORKERS - UNITS)
    session.expire_all()
    assert verify_ledger(session) == []


@pytest.mark.parametrize("units", [3])
def test_concurrent_receipts_of_the_same_serial_book_it_once(session, database_url, units):
    make_depot(session, "BJ01")
    make_part(session, "SRV-PSU")
    wins, conflicts, errors = _race(
        database_url,
        lambda s, i: receiving.receive_from_supplier(
            s, depot_code="BJ01", part_number="SRV-PSU", serial=f"DUP{i % units}", actor="t"
        ),
    )
    assert errors == []
    assert len(wins) == units and len(conflicts) == WORKERS - units
    session.expire_all()
    assert verify_ledger(session) == []
