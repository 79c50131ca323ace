"""Part supersession on SQLite and PostgreSQL: a part number replaced by another (one-way:
the new one serves the old one's demand; two-way: interchangeable). Availability, the
dispatch ranking and its confirmation, the advance replacement's allocation and the
service-parts plan all treat the stock that can serve a part as one, through one rule
(inventory.supersession); a superseded part's history carries over to its successor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from inventory import queries, rmas, supersession
from inventory.dispatch_service import confirm_dispatch, rank_for_ticket
from inventory.errors import Conflict, InvalidInput
from inventory.planning_data import failure_rates, load_planning_data
from inventory.receiving import receive_from_supplier
from inventory.verify import verify_ledger
from logistics.travel import TravelModel
from models import Event, Part
from tests.builders import make_part
from tests.service_builders import make_world, open_fault

OPENED = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # Tue 10:00 in Shanghai
NEW = "SRV-PSU-V2"


@pytest.fixture
def world(session):
    """The depot holds no unit of the installed SRV-PSU, only two of its successor."""
    w = make_world(session, spares=0)
    make_part(session, NEW)
    for serial in ("V2-001", "V2-002"):
        receive_from_supplier(
            session, depot_code=w.depot, part_number=NEW, actor="wh", serial=serial
        )
    return w


def _ids(session, *numbers):
    return [session.scalar(select(Part.id).where(Part.part_number == n)) for n in numbers]


def _serves(session, number):
    part = session.scalar(select(Part).where(Part.part_number == number))
    return [p.part_number for p in supersession.serving_parts(session, part)]


def test_one_way_the_successor_serves_the_old_part_and_two_way_both_serve_each_other(
    session, world
):
    assert _serves(session, world.part) == [world.part]
    view = supersession.set_supersession(session, world.part, NEW, two_way=False, actor="admin")
    assert view.replaced_by == NEW and view.serves == [NEW]
    assert _serves(session, world.part) == [world.part, NEW]
    assert _serves(session, NEW) == [NEW]  # one-way: the old part does not serve the new one
    supersession.set_supersession(session, world.part, NEW, two_way=True, actor="admin")
    assert _serves(session, NEW) == [NEW, world.part]
    assert supersession.supersession_view(
        session, session.scalar(select(Part).where(Part.part_number == NEW))
    ).replaces == [world.part]
    # a chain: V3 replaces V2, so V3 serves the first part too, after V2
    make_part(session, "SRV-PSU-V3")
    supersession.set_supersession(session, NEW, "SRV-PSU-V3", two_way=False, actor="admin")
    assert _serves(session, world.part) == [world.part, NEW, "SRV-PSU-V3"]
    # the chain never comes back to the part, and a part never replaces itself
    with pytest.raises(Conflict):
        supersession.set_supersession(
            session, "SRV-PSU-V3", world.part, two_way=False, actor="admin"
        )
    with pytest.raises(InvalidInput):
        supersession.set_supersession(session, NEW, NEW, two_way=False, actor="admin")
    kinds = session.scalars(
        select(Event.data).where(Event.kind == "supersession_set").order_by(Event.id)
    ).all()
    assert [k["replaced_by"] for k in kinds] == [NEW, NEW, "SRV-PSU-V3"]
    assert kinds[1]["before"] == {"replaced_by": NEW, "two_way": False}
    supersession.set_supersession(session, world.part, None, two_way=False, actor="admin")
    assert _serves(session, world.part) == [world.part]


def test_availability_counts_the_stock_that_can_serve_the_part(session, world):
    assert queries.availability(session, world.part) == []
    supersession.set_supersession(session, world.part, NEW, two_way=False, actor="admin")
    (row,) = queries.availability(session, world.part)
    assert (row.depot, row.available, row.parts) == (world.depot, 2, {NEW: 2})
    receive_from_supplier(
        session, depot_code=world.depot, part_number=world.part, actor="wh", serial="OLD-1"
    )
    (row,) = queries.availability(session, NEW)  # one-way: the old unit does not count
    assert (row.available, row.parts) == (2, {NEW: 2})
    (row,) = queries.availability(session, world.part)
    assert (row.available, row.parts) == (3, {world.part: 1, NEW: 2})


def _ticket(session, world) -> str:
    return open_fault(session, world, now=OPENED).number


def test_dispatch_offers_the_substitute_and_the_advance_replacement_sends_it(session, world):
    number = _ticket(session, world)
    ranking = rank_for_ticket(session, number, TravelModel(), now=OPENED, limit=5)
    assert all(o.depot_code is None for o in ranking.options)  # no depot holds the part
    supersession.set_supersession(session, world.part, NEW, two_way=False, actor="admin")
    ranking = rank_for_ticket(session, number, TravelModel(), now=OPENED, limit=5)
    top = ranking.options[0]
    assert top.depot_code == world.depot and top.substitute == NEW
    assert f"substitute part {NEW}" in top.explanation
    done = confirm_dispatch(
        session,
        number,
        engineer_code=world.engineer,
        depot_code=world.depot,
        mode=top.mode,
        actor="li.disp",
        now=OPENED,
    )
    rma = rmas.rma_by_ref(session, done.rma_number)
    assert rma.faulty_part.part_number == world.part
    assert rma.replacement_part.part_number == NEW and done.reserved_serial == "V2-001"
    assert verify_ledger(session) == []


def test_an_advance_replacement_allocated_at_a_depot_without_the_part_takes_its_successor(
    session, world
):
    supersession.set_supersession(session, world.part, NEW, two_way=False, actor="admin")
    opened = rmas.open_rma(
        session,
        rmas.RmaRequest(
            kind="advance_replacement",
            site_code=world.site,
            faulty_part_number=world.part,
            fault_symptom="PSU dead",
            faulty_serial=world.equipment_serial,
        ),
        actor="d",
    )
    rmas.move_rma(session, opened.number, "approve", actor="d")
    view = rmas.move_rma(
        session, opened.number, "allocate", actor="wh", given=rmas.MoveInput(depot=world.depot)
    )
    assert view.replacement_part_number == NEW and view.replacement_serial == "V2-001"
    event = session.scalar(
        select(Event).where(Event.subject_ref == opened.number, Event.kind == "allocate")
    )
    assert event.data["substitute"] == NEW
    assert verify_ledger(session) == []


def test_the_plan_plans_the_successor_with_the_old_parts_demand_history_and_stock(session, world):
    for symptom in ("a", "b"):
        open_fault(session, world, severity="P3", symptom=symptom, actor="d", now=OPENED)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    parts = list(session.scalars(select(Part).order_by(Part.part_number)))
    before = failure_rates(session, parts, now=now)
    assert before[NEW].failures == 0 and before[world.part].failures == 2
    supersession.set_supersession(session, world.part, NEW, two_way=False, actor="admin")
    after = failure_rates(session, parts, now=now)
    assert after[NEW].failures == 2  # the old part's failures carried over
    assert after[NEW].unit_years == pytest.approx(before[world.part].unit_years)
    data = load_planning_data(session, TravelModel(), now=now)
    assert [p.id for p in data.network.parts] == [NEW]  # the old part is planned as NEW
    assert {(d.site, d.part, d.units) for d in data.network.demands} == {(world.site, NEW, 1)}
    assert data.current == {(NEW, world.depot): 2}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_supersession_migration_goes_down_and_up(kind, tmp_path):
    from models.migrate import downgrade, upgrade
    from tests.conftest import migrated_database, schema_of, session_at

    with migrated_database(kind, tmp_path, "sup16_mig", "the supersession test") as url:
        with session_at(url) as session:
            make_part(session, "OLD-1")
            make_part(session, "NEW-1")
            supersession.set_supersession(session, "OLD-1", "NEW-1", two_way=True, actor="a")
        downgrade(url, "0019_complaints")
        assert "part_supersessions" not in schema_of(url)
        upgrade(url)
        with session_at(url) as session:
            assert _serves(session, "OLD-1") == ["OLD-1"]
            supersession.set_supersession(session, "OLD-1", "NEW-1", two_way=False, actor="a")
            assert _serves(session, "OLD-1") == ["OLD-1", "NEW-1"]
