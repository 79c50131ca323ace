"""Day routes respect what each engineer carries (issue 16): a job needing a part or a tool
goes to an engineer whose van holds the part and who has the tool; one who lacks either
collects it at a depot on the way (a pickup stop in the plan), or is not sent; a job no
engineer can be equipped for is reported unserved with a code, the rest still planned."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from inventory import tickets, vans
from inventory.route_planning import (
    PlanRequest,
    StopRequest,
    solve_plan,
    stop_from_params,
    ticket_stop,
    validate_request,
)
from logistics.travel import TravelModel
from models import Engineer, Part, Ticket
from tests.builders import make_part
from tests.service_builders import make_engineer, make_van_world, stock_van

DAY = date(2026, 3, 10)  # a Tuesday, planned from the shifts' start


def _plan(session, engineers, stops) -> dict:
    req = PlanRequest(day=DAY, engineers=engineers, stops=stops, time_limit_s=1.0)
    validate_request(session, req)
    return solve_plan(session, req, TravelModel())


def _route(result, engineer) -> list[dict]:
    return next(r["visits"] for r in result["routes"] if r["engineer"] == engineer)


def test_the_engineer_carrying_the_part_goes_straight_and_one_without_collects_it(session):
    world = make_van_world(session, spares=3)
    stock_van(session, world)  # two units in ENG-1's van, one left on the depot's shelf
    make_engineer(session, "ENG-2", name="李娜")
    job = StopRequest("T1", 45, site=world.site, skill="server", parts=[world.part])

    carried = _plan(session, [world.engineer], [job])
    assert [v["stop"] for v in _route(carried, world.engineer)] == ["T1"]  # no depot leg

    collected = _plan(session, ["ENG-2"], [job])
    visits = _route(collected, "ENG-2")
    assert [v["stop"] for v in visits] == ["T1@pickup", "T1"]  # the depot first, shown
    assert visits[0]["collect_at"] == world.depot and collected["unserved"] == []


def test_a_missing_tool_is_collected_at_a_depot_and_an_engineer_with_it_goes_straight(session):
    world = make_van_world(session, spares=1)
    make_engineer(session, "ENG-2", name="李娜")
    session.scalar(select(Engineer).where(Engineer.code == "ENG-2")).tools = ["torque-wrench"]
    session.commit()
    job = StopRequest("T1", 30, site=world.site, skill="server", tools=["torque-wrench"])
    with_tool = _plan(session, ["ENG-2"], [job])
    assert [v["stop"] for v in _route(with_tool, "ENG-2")] == ["T1"]
    without = _plan(session, [world.engineer], [job])
    assert [v["stop"] for v in _route(without, world.engineer)] == ["T1@pickup", "T1"]


def test_a_part_nobody_carries_and_no_depot_holds_is_unserved_and_the_rest_planned(session):
    world = make_van_world(session, spares=1)
    make_part(session, "GPU-X")
    stops = [
        StopRequest("T1", 30, site=world.site, skill="server", parts=["GPU-X"]),
        StopRequest("T2", 30, site=world.site, skill="server", parts=[world.part]),
    ]
    result = _plan(session, [world.engineer], stops)
    assert [v["stop"] for v in _route(result, world.engineer)] == ["T2@pickup", "T2"]
    assert [(u["stop"], u["code"]) for u in result["unserved"]] == [("T1", "no_part")]


def test_with_both_kinds_of_engineer_the_job_is_done_once(session):
    world = make_van_world(session, spares=3)
    stock_van(session, world)
    make_engineer(session, "ENG-2", name="李娜")
    job = StopRequest("T1", 45, site=world.site, skill="server", parts=[world.part])
    result = _plan(session, [world.engineer, "ENG-2"], [job])
    done = [v["stop"] for r in result["routes"] for v in r["visits"] if v["stop"] == "T1"]
    assert done == ["T1"] and result["unserved"] == []


def test_a_job_no_one_can_reach_through_its_pickup_is_reported_once_by_its_own_id(session):
    world = make_van_world(session, spares=1)
    req = PlanRequest(
        day=DAY,
        engineers=[world.engineer],
        stops=[StopRequest("T1", 30, lat=43.8, lon=87.6, skill="server", parts=[world.part],
                           window_start=datetime(2026, 3, 10, 1, 0, tzinfo=UTC),
                           window_end=datetime(2026, 3, 10, 1, 30, tzinfo=UTC))],
        time_limit_s=1.0,
    )  # fmt: skip
    result = solve_plan(session, req, TravelModel())
    assert [u["stop"] for u in result["unserved"]] == ["T1"] and result["routes"] == []


def test_a_van_with_one_unit_is_not_planned_straight_to_two_jobs_needing_it(session):
    world = make_van_world(session, spares=3)
    vans.set_level(session, engineer_code=world.engineer, part_number=world.part, level=1,
                   actor="admin")  # fmt: skip
    stock_van(session, world)  # one unit in the van, two on the depot's shelf
    stops = [
        StopRequest(f"T{k}", 30, site=world.site, skill="server", parts=[world.part])
        for k in (1, 2)
    ]
    result = _plan(session, [world.engineer], stops)
    visits = [v["stop"] for v in _route(result, world.engineer)]
    assert sorted(v for v in visits if not v.endswith("@pickup")) == ["T1", "T2"]
    # the van's one unit cannot serve both: a depot is visited (both straight would be shorter)
    assert [v for v in visits if v.endswith("@pickup")]
    assert result["unserved"] == []


TORQUE = "扭力螺丝刀"


def _open(session, world, **kwargs) -> Ticket:
    view = tickets.open_ticket(
        session, site_code=world.site, severity="P2", channel="phone", symptom="down",
        actor="li.disp", now=datetime(2026, 3, 9, 8, 0, tzinfo=UTC), **kwargs,
    )  # fmt: skip
    return session.scalar(select(Ticket).where(Ticket.number == view.number))


def test_a_tickets_stop_asks_for_its_part_and_the_tools_a_job_on_that_part_needs(session):
    world = make_van_world(session, spares=1)
    assert vans.set_part_tools(session, world.part, [f" {TORQUE} ", TORQUE], actor="admin") == [
        TORQUE
    ]
    by_part = ticket_stop(session, _open(session, world, part_number=world.part))
    assert (by_part["parts"], by_part["tools"], by_part["skill"]) == (
        [world.part],
        [TORQUE],
        "server",
    )
    # the engineer lacks the tool and the van the part: both are collected at the depot
    result = _plan(session, [world.engineer], [stop_from_params(by_part)])
    first, job = _route(result, world.engineer)
    assert (first["stop"], job["stop"]) == (f"{by_part['id']}@pickup", by_part["id"])
    assert first["collect_at"] == world.depot
    assert first["collect"] == {"parts": [world.part], "tools": [TORQUE], "spare": False}


def test_a_spare_waiting_at_its_depot_is_collected_there_even_by_one_carrying_the_tool(session):
    world = make_van_world(session, spares=1)
    make_engineer(session, "ENG-2", name="李娜")
    vans.set_tools(session, "ENG-2", [TORQUE], actor="admin")
    job = StopRequest("T1", 30, site=world.site, skill="server", tools=[TORQUE],
                      pickup_depot=world.depot)  # fmt: skip
    with_tool = _route(_plan(session, ["ENG-2"], [job]), "ENG-2")
    assert [v["stop"] for v in with_tool] == ["T1@pickup", "T1"]  # not straight past the spare
    assert with_tool[0]["collect"] == {"parts": [], "tools": [], "spare": True}
    without = _route(_plan(session, [world.engineer], [job]), world.engineer)
    assert without[0]["collect"] == {"parts": [], "tools": [TORQUE], "spare": True}


# a tools column each: what it is on, how a row is made and its tools set, the revision before
TOOLS_COLUMNS = {
    "engineers": (Engineer, Engineer.code, make_engineer, vans.set_tools, "0021_service_files"),
    "parts": (Part, Part.part_number, make_part, vans.set_part_tools, "0022_engineer_tools"),
}


@pytest.mark.parametrize("table", TOOLS_COLUMNS)
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_tools_migrations_go_down_and_up(kind, table, tmp_path):
    from models.migrate import downgrade, upgrade
    from tests.conftest import migrated_database, schema_of, session_at

    model, key, make, set_tools, before = TOOLS_COLUMNS[table]
    with migrated_database(kind, tmp_path, f"tools_{table}_mig", f"the {table} tools test") as url:
        with session_at(url) as session:
            make(session, "X-T")
            set_tools(session, "X-T", ["multimeter"], actor="admin")
        downgrade(url, before)
        assert "tools" not in schema_of(url, table)
        upgrade(url)
        with session_at(url) as session:
            row = session.scalar(select(model).where(key == "X-T"))
            assert row.tools == []  # the column comes back empty
            assert set_tools(session, "X-T", [" a ", "b", "a"], actor="x") == ["a", "b"]
