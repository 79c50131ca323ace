"""Engineers' van stock, end to end on SQLite and PostgreSQL: a van is a ledger location,
replenished from its depot's pick list by a transfer only its engineer can receive; the
dispatch ranking sends the engineer who carries the part straight to the site; the job
records the part used from the van and the faulty part removed, which a return rule sends
to the vendor's hub by its deadline; the last van unit goes to one job only; and the ledger
still balances."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from inventory import job_parts, part_returns, vans, visits
from inventory.dispatch_service import confirm_dispatch, rank_for_ticket
from inventory.errors import Conflict, Forbidden
from inventory.receiving import receive_from_supplier
from inventory.transfers import LineRequest, receive_transfer
from inventory.verify import verify_ledger
from logistics.travel import TravelModel
from models import Engineer, Equipment, Location, Part, PartReturn, SerialItem, Ticket
from models.db import make_session_factory
from tests.builders import make_part
from tests.races import at_once
from tests.service_builders import make_engineer, make_van_world, open_fault, stock_van

OPENED = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # Tue 10:00 in Shanghai


def test_a_van_is_replenished_from_its_depots_pick_list_and_only_its_engineer_receives_it(
    session,
):
    world = make_van_world(session)
    picks = vans.pick_list(session, world.depot)
    assert [(p.engineer_code, p.part_number, p.short, p.pick) for p in picks] == [
        (world.engineer, world.part, 2, 2)
    ]
    assert picks[0].serials == world.spares[:2]  # oldest first
    sent = vans.replenish_van(
        session, depot_code=world.depot, engineer_code=world.engineer, actor="wh"
    )
    engineer = session.scalar(select(Engineer).where(Engineer.code == world.engineer))
    view = vans.van_view(session, engineer)
    assert view.open_transfers == [sent.number]
    assert view.lines[0].incoming == 2 and view.lines[0].short == 0
    assert vans.pick_list(session, world.depot) == []  # nothing short once on its way

    other = make_engineer(session, "ENG-9", name="赵六")
    other_id = session.scalar(select(Engineer.id).where(Engineer.code == other))
    with pytest.raises(Forbidden):  # the warehouse does not book a van's receipt
        receive_transfer(session, number=sent.number, received=None, actor="wh")
    with pytest.raises(Forbidden):
        receive_transfer(
            session, number=sent.number, received=None, actor="zhao", engineer_id=other_id
        )
    scanned = [LineRequest(world.part, s) for s in world.spares[:2]]
    done = receive_transfer(
        session, number=sent.number, received=scanned, actor="wang", engineer_id=engineer.id
    )
    assert done.status == "received" and not done.discrepancies
    line = vans.van_view(session, engineer).lines[0]
    assert (line.good, line.short, line.serials) == (2, 0, world.spares[:2])
    assert (
        session.scalar(select(SerialItem.location_id).where(SerialItem.serial == world.spares[0]))
        == engineer.van_location_id
    )
    assert verify_ledger(session) == []


def test_a_van_stock_check_writes_off_what_is_not_in_the_van(session):
    world = make_van_world(session)
    stock_van(session, world)
    result = vans.count_van(
        session,
        engineer_code=world.engineer,
        part_number=world.part,
        actor="wang",
        serials=[world.spares[0]],
    )
    assert result.missing == [world.spares[1]] and result.depot.startswith("VAN-")
    assert verify_ledger(session) == []


def test_the_proposed_stocking_list_follows_the_installed_base_near_the_engineer(session):
    world = make_van_world(session)
    proposals = vans.propose_levels(session, world.engineer, now=OPENED, fill_target=0.5)
    assert [p.part_number for p in proposals] == [world.part]
    assert proposals[0].installed_units == 1 and proposals[0].current == 2
    far = make_engineer(session, "ENG-GZ", lat=23.13, lon=113.26, name="广州")
    assert vans.propose_levels(session, far, now=OPENED) == []  # no unit within 100 km
    # plenty of units nearby and a high target propose a deeper stock
    many = vans.propose_levels(session, world.engineer, now=OPENED, fill_target=0.999,
                               interval_days=365)  # fmt: skip
    assert many[0].level >= proposals[0].level


def _ticket(session, world) -> str:
    return open_fault(session, world, now=OPENED).number


def _good_part_removed(session):
    """A van world whose engineer, sent with a pickup, took a good unit out on the job."""
    world = make_van_world(session)
    number = _ticket(session, world)
    confirm_dispatch(
        session, number, engineer_code=world.engineer, depot_code=world.depot, mode="pickup",
        actor="d", now=OPENED,
    )  # fmt: skip
    engineer = session.scalar(select(Engineer).where(Engineer.code == world.engineer))
    visits.record_arrival(session, number, engineer_id=engineer.id, actor="wang", now=OPENED)
    job_parts.record_removed(
        session, number, engineer_id=engineer.id, actor="wang", part_number=world.part,
        condition="good", serial=world.equipment_serial, now=OPENED,
    )  # fmt: skip
    return world, engineer


def test_the_engineer_carrying_the_part_goes_straight_to_the_site_and_the_ranking_says_so(
    session,
):
    world = make_van_world(session, spares=3)
    stock_van(session, world)
    make_engineer(session, "ENG-2", lat=39.80, lon=116.30, name="李娜")  # farther, empty van
    number = _ticket(session, world)
    ranking = rank_for_ticket(session, number, TravelModel(), now=OPENED, limit=5)
    top = ranking.options[0]
    assert top.mode == "van" and top.engineer_code == world.engineer
    assert top.depot_code is None and len(top.legs) == 1  # no depot leg
    assert "no depot leg" in top.explanation and "carries the part" in top.explanation
    assert top.part_eta == top.onsite_eta
    done = confirm_dispatch(
        session, number, engineer_code=world.engineer, mode="van", actor="li.disp", now=OPENED
    )
    assert done.rma_number is None and done.depot is None
    # the van's two units: one now promised to this job
    part = session.scalar(select(Part).where(Part.part_number == world.part))
    engineer_id = session.scalar(select(Engineer.id).where(Engineer.code == world.engineer))
    assert vans.van_free_units(session, part) == {engineer_id: 1}


def test_a_job_uses_the_van_part_and_the_faulty_one_is_routed_to_the_vendor_hub(session):
    world = make_van_world(session)
    stock_van(session, world)
    number = _ticket(session, world)
    confirm_dispatch(
        session, number, engineer_code=world.engineer, mode="van", actor="d", now=OPENED
    )
    engineer = session.scalar(select(Engineer).where(Engineer.code == world.engineer))
    arrived = OPENED + timedelta(minutes=40)
    visits.record_arrival(session, number, engineer_id=engineer.id, actor="wang", now=arrived)
    job_parts.record_consumed(
        session, number, engineer_id=engineer.id, actor="wang", part_number=world.part,
        source="van", serial=world.spares[0], now=arrived,
    )  # fmt: skip
    view = job_parts.record_removed(
        session, number, engineer_id=engineer.id, actor="wang", part_number=world.part,
        condition="faulty", serial=world.equipment_serial, now=arrived,
    )  # fmt: skip
    assert [(p.source, p.installed_serial, p.removed_serial, p.removed_condition)
            for p in view.parts] == [
        ("van", world.spares[0], None, None),
        (None, None, world.equipment_serial, "faulty"),
    ]  # fmt: skip
    # the installed base now holds the van's unit
    assert session.scalar(select(Equipment.serial)) == world.spares[0]
    owed = part_returns.returns(session, engineer_id=engineer.id, now=arrived)
    assert len(owed) == 1
    r = owed[0]
    assert (r.part_number, r.serial, r.condition, r.destination, r.ticket_number) == (
        world.part,
        world.equipment_serial,
        "faulty",
        "VND-HW-SH",
        number,
    )
    assert r.rule == "faulty Huawei PSUs to the vendor's Shanghai hub"
    assert r.due_at == arrived + timedelta(hours=72) and not r.overdue
    late = part_returns.returns(session, now=arrived + timedelta(hours=73))
    assert late[0].overdue
    # the faulty unit rides in the van, held for its return (not a spare for the next job)
    part = session.scalar(select(Part).where(Part.part_number == world.part))
    assert vans.van_free_units(session, part) == {engineer.id: 1}
    parts = job_parts.ticket_parts(session, session.scalar(select(Ticket)))
    assert parts.total_cost == Decimal("100.00") and parts.charged == Decimal("0")  # warranty
    assert all(line.covered for line in parts.lines)

    part_returns.ship_return(session, r.number, engineer_id=engineer.id, actor="wang",
                             waybill="SF123")  # fmt: skip
    with pytest.raises(Conflict):
        part_returns.ship_return(session, r.number, engineer_id=engineer.id, actor="wang")
    got = part_returns.receive_return(session, r.number, actor="wh")
    assert got.status == "received" and got.destination_kind == "vendor"
    item = session.scalar(select(SerialItem).where(SerialItem.serial == world.equipment_serial))
    hub = session.scalar(select(Location).where(Location.code == "VND-HW-SH"))
    assert (item.location_id, item.status, item.condition) == (hub.id, "at_vendor", "faulty")
    record = session.scalar(select(PartReturn))
    assert record.visit_part_id and record.rule_id and record.ticket_id
    assert verify_ledger(session) == []


def test_an_unused_good_part_goes_back_to_the_engineers_home_depot(session):
    world, engineer = _good_part_removed(session)
    owed = part_returns.returns(session, engineer_id=engineer.id, now=OPENED)
    assert [(r.destination, r.rule) for r in owed] == [
        (world.depot, "unused good parts to the home depot")
    ]
    assert owed[0].due_at == OPENED + timedelta(hours=48)


def test_two_jobs_racing_for_the_last_van_unit_one_gets_it(session, engine):
    world = make_van_world(session)
    counted = make_part(session, "FAN-01", tracking="counted", category="server")
    receive_from_supplier(session, depot_code=world.depot, part_number=counted.part_number,
                          actor="wh", qty=1)  # fmt: skip
    vans.set_level(session, engineer_code=world.engineer, part_number=counted.part_number,
                   level=1, actor="admin")  # fmt: skip
    stock_van(session, world)
    engineer = session.scalar(select(Engineer).where(Engineer.code == world.engineer))
    numbers = [_ticket(session, world), _ticket(session, world)]
    for n in numbers:
        confirm_dispatch(
            session, n, engineer_code=world.engineer, mode="engineer", actor="d", now=OPENED
        )
        visits.record_arrival(session, n, engineer_id=engineer.id, actor="wang", now=OPENED)
    session.commit()
    results = at_once(
        2,
        lambda s, i: job_parts.record_consumed(
            s,
            numbers[i],
            engineer_id=engineer.id,
            actor="wang",
            part_number=counted.part_number,
            source="van",
            qty=1,
            now=OPENED,
        ),
        sessions=make_session_factory(engine),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict), results
    session.expire_all()
    line = next(li for li in vans.van_view(session, engineer).lines if li.part_number == "FAN-01")
    assert line.good == 0
    assert verify_ledger(session) == []


def test_the_sweep_flags_a_removed_part_not_sent_back_in_time_once(session):
    from inventory.sweep import sweep
    from models import Event

    _world, engineer = _good_part_removed(session)
    assert sweep(session, now=OPENED + timedelta(hours=47)).parts_overdue == []
    late = OPENED + timedelta(hours=49)
    first = sweep(session, now=late)
    assert len(first.parts_overdue) == 1
    assert sweep(session, now=late + timedelta(minutes=5)).parts_overdue == []
    kinds = session.scalars(select(Event.kind).where(Event.subject_type == "part_return"))
    assert list(kinds) == ["part_return_overdue"]


def test_the_most_specific_matching_rule_routes_a_removed_part_by_part_region_and_vendor(
    session,
):
    """Rules by part number, condition, vendor and region (the engineer's home city): every
    criterion set must match, the rule setting the most wins, none matching: home depot."""
    from tests.builders import make_depot

    world = make_van_world(session)  # faulty Huawei server parts → the vendor's hub, 72 h
    make_depot(session, "SH01")
    make_part(session, "SRV-DISK", category="server")
    part = session.scalar(select(Part).where(Part.part_number == world.part))
    disk = session.scalar(select(Part).where(Part.part_number == "SRV-DISK"))
    engineer = session.scalar(select(Engineer).where(Engineer.code == world.engineer))

    def where(p, condition="faulty"):
        routed = part_returns.route_removed_part(session, p, condition, engineer, OPENED)
        destination = session.get(Location, routed.destination.id).code
        return destination, (routed.due_at - OPENED) // timedelta(hours=1)

    assert where(part) == ("VND-HW-SH", 72)  # category and vendor
    assert where(disk) == (world.depot, 7 * 24)  # no vendor: no rule, home depot in a week
    part_returns.create_rule(
        session, name="faulty PSUs of Shanghai engineers to SH01", condition="faulty",
        deadline_hours=24, actor="admin", part_number=world.part, region="Shanghai",
        destination="SH01",
    )  # fmt: skip
    assert where(part) == ("VND-HW-SH", 72)  # the engineer is in Beijing: not theirs
    part_returns.create_rule(
        session, name="faulty PSUs of Beijing engineers to SH01", condition="faulty",
        deadline_hours=24, actor="admin", part_number=world.part, region="beijing",
        vendor="Huawei", destination="SH01",
    )  # fmt: skip
    assert where(part) == ("SH01", 24)  # part, vendor and region beat category and vendor
    assert where(part, "good") == (world.depot, 48)  # good parts: their own rule
