"""The reorder list leads to action: a transfer from the nearest depot that can spare the
part and stay at its own level, else a purchase request; accepted once however often it is
clicked. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inventory import receiving, replenishment, transfers
from inventory.errors import Conflict
from logistics.travel import make_travel_model
from models import Depot, Part, PurchaseRequest, StockPolicy, Transfer
from models.db import make_engine, make_session_factory
from tests.builders import make_depot, make_part
from tests.races import at_once, outcomes

TRAVEL = make_travel_model("geodesic")
PSU, SFP = "SRV-PSU", "NET-SFP"


def _policy(session, depot: str, part: str, reorder: int, target: int) -> None:
    session.add(
        StockPolicy(
            depot_id=session.scalar(select(Depot.id).where(Depot.code == depot)),
            part_id=session.scalar(select(Part.id).where(Part.part_number == part)),
            reorder_point=reorder,
            target_level=target,
        )
    )
    session.commit()


@pytest.fixture
def network(session):
    """BJ01 is short of PSUs (0 of 3); Tianjin (near, 4 on hand, keeps 3) can spare 1,
    Guangzhou (far, 6, no policy) can spare 6. Nobody has SFPs to spare for SH01."""
    for code in ("BJ01", "GZ01", "SH01"):
        make_depot(session, code)
    make_depot(session, "TJ01", city_key="BJ")  # Tianjin stands in at Beijing's coordinates
    make_part(session, PSU)
    make_part(session, SFP, tracking="counted", category="network", kind="consumable")
    for i in range(4):
        receiving.receive_from_supplier(
            session, depot_code="TJ01", part_number=PSU, serial=f"TJ-{i}", actor="wh"
        )
    for i in range(6):
        receiving.receive_from_supplier(
            session, depot_code="GZ01", part_number=PSU, serial=f"GZ-{i}", actor="wh"
        )
    receiving.receive_from_supplier(session, depot_code="SH01", part_number=SFP, qty=1, actor="wh")
    _policy(session, "BJ01", PSU, 1, 3)
    _policy(session, "TJ01", PSU, 1, 3)
    _policy(session, "SH01", SFP, 2, 10)
    return session


def test_each_line_gets_a_transfer_from_the_nearest_depot_that_stays_at_its_level(network):
    proposals = {(p.depot, p.part_number): p for p in replenishment.propose(network, TRAVEL)}
    bj = proposals[("BJ01", PSU)]
    assert (bj.kind, bj.source, bj.qty, bj.need) == ("transfer", "TJ01", 1, 3)
    assert bj.source_on_hand == 4 and bj.source_level == 3 and bj.travel_minutes < 60
    assert bj.travel_minutes == int(bj.travel_minutes)  # whole minutes, as the page shows
    sh = proposals[("SH01", SFP)]
    assert (sh.kind, sh.qty, sh.source) == ("purchase", 9, None)


BJ01_FROM_TJ01 = {"depot_code": "BJ01", "part_number": PSU, "kind": "transfer", "source": "TJ01"}


def test_accepting_a_transfer_ships_it_once_however_often_it_is_clicked(network):
    first = replenishment.accept(network, **BJ01_FROM_TJ01, qty=1, actor="wang.wh")
    again = replenishment.accept(network, **BJ01_FROM_TJ01, qty=1, actor="wang.wh")
    assert first.created and not again.created and again.reference == first.reference
    transfer = network.scalar(select(Transfer).where(Transfer.number == first.reference))
    assert transfer.status == "shipped" and len(transfer.lines) == 1
    line = {(p.depot, p.part_number): p for p in replenishment.propose(network, TRAVEL)}[
        ("BJ01", PSU)
    ]
    assert (line.kind, line.accepted_ref) == ("accepted", first.reference)
    # once received, the line may be accepted again (BJ01 now has 1 of 3 and is still low)
    transfers.receive_transfer(network, number=first.reference, received=None, actor="zhao.wh")
    line = {(p.depot, p.part_number): p for p in replenishment.propose(network, TRAVEL)}[
        ("BJ01", PSU)
    ]
    assert (line.kind, line.source, line.qty) == ("transfer", "GZ01", 2)  # Tianjin is at its level


def test_a_source_that_can_no_longer_spare_it_is_refused(network):
    with pytest.raises(Conflict) as refused:
        replenishment.accept(network, **BJ01_FROM_TJ01, qty=2, actor="x")
    assert refused.value.field == "qty" and refused.value.details["spare"] == 1
    assert network.scalar(select(func.count()).select_from(Transfer)) == 0


def test_a_purchase_suggestion_becomes_a_purchase_request(network):
    done = replenishment.accept(
        network, depot_code="SH01", part_number=SFP, kind="purchase", qty=9, actor="zhao.wh"
    )
    assert done.created and done.reference.startswith("PR-")
    request = network.scalar(select(PurchaseRequest))
    assert (request.qty, request.status, request.requested_by) == (9, "open", "zhao.wh")


def test_two_people_accepting_the_same_line_at_once_create_one_purchase_request(
    network, database_url
):
    network.rollback()
    workers = 6
    engine = make_engine(database_url, pool_size=workers, max_overflow=0)
    results = at_once(
        workers,
        lambda s, i: replenishment.accept(
            s, depot_code="SH01", part_number=SFP, kind="purchase", qty=9, actor=f"u{i}"
        ),
        sessions=make_session_factory(engine),
    )
    engine.dispose()
    assert outcomes(results)[2] == []
    network.expire_all()
    assert network.scalar(select(func.count()).select_from(PurchaseRequest)) == 1
    created = [r for r in results if not isinstance(r, Conflict) and r.created]
    assert len(created) == 1
