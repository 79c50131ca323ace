"""Today's routes are planned from now: engineers leave at the later of now and their shift
start, from where they were last seen, no visit comes before its ticket existed, and a new
plan says what changed since the last one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from inventory.errors import InvalidInput
from inventory.route_planning import (
    PlanRequest,
    StopRequest,
    build_problem,
    plan_changes,
    solve_plan,
    validate_request,
)
from logistics.travel import TravelModel
from models import Engineer, Site, Ticket
from tests.service_builders import make_customer, make_engineer

DAY = date(2026, 3, 9)  # a Monday
NOW = datetime(2026, 3, 9, 2, 15, tzinfo=UTC)  # 10:15 in Shanghai, 1 h 45 min into an 08:30 shift


@pytest.fixture
def places(session):
    _c, site, _k = make_customer(session, lat=39.9068, lon=116.3634)
    make_customer(session, code="C002", lat=39.9706, lon=116.4930)
    engineer = make_engineer(session, lat=39.9706, lon=116.4930)
    session.get(Engineer, 1).shift_start_min = 8 * 60 + 30
    session.get(Engineer, 1).shift_end_min = 17 * 60 + 30
    session.commit()
    return site, engineer


def plan(stops, **kw) -> PlanRequest:
    return PlanRequest(
        day=DAY, engineers=["ENG-1"], stops=stops, time_limit_s=1.0, planned_at=NOW, **kw
    )


def test_todays_route_leaves_now_not_at_the_shift_start(session, places):
    site, _engineer = places
    result = solve_plan(session, plan([StopRequest("T1", 30, site=site)]), TravelModel())
    route = result["routes"][0]
    assert result["planned_at"]["local"] == "2026-03-09 10:15"
    assert route["depart"]["local"] >= "2026-03-09 10:15"  # not 08:30
    assert route["visits"][0]["arrival"]["local"] > "2026-03-09 10:15"
    assert route["start_from"] == {"from": "base", "label": ""}


def test_another_days_route_starts_at_the_shift_start(session, places):
    site, _engineer = places
    tomorrow = PlanRequest(
        day=DAY + timedelta(days=1),
        engineers=["ENG-1"],
        stops=[StopRequest("T1", 30, site=site)],
        time_limit_s=1.0,
        planned_at=NOW,
    )
    result = solve_plan(session, tomorrow, TravelModel())
    assert result["planned_at"] is None
    assert result["routes"][0]["depart"]["local"] == "2026-03-10 08:30"


def test_no_visit_is_planned_before_its_ticket_was_opened(session, places):
    site, _engineer = places
    opened = NOW + timedelta(hours=2)  # 12:15 local
    stop = StopRequest("T1", 30, site=site, not_before=opened)
    visit = solve_plan(session, plan([stop]), TravelModel())["routes"][0]["visits"][0]
    assert datetime.fromisoformat(visit["start"]["utc"]) >= opened


def test_an_engineer_seen_on_site_this_morning_leaves_from_there(session, places):
    site, _engineer = places
    other = session.scalar(select(Site).where(Site.code == "C002-S1"))
    seen = session.scalar(select(Site).where(Site.code == site))
    session.add(
        Ticket(
            number="TKT-2026-000099",
            customer_id=seen.customer_id,
            site_id=seen.id,
            severity="P3",
            channel="phone",
            symptom="fan noise",
            reported_by="li.disp",
            status="resolved",
            engineer_id=1,
            opened_at=NOW - timedelta(hours=2),
            clock_start=NOW - timedelta(hours=2),
            response_due=NOW,
            restore_due=NOW + timedelta(hours=4),
            replacement_due=NOW + timedelta(hours=4),
            spare_request_due=NOW,
            onsite_at=NOW - timedelta(minutes=50),
        )
    )
    session.commit()
    problem, context = build_problem(
        session, plan([StopRequest("T2", 30, site=other.code)]), TravelModel()
    )
    assert context["starts"]["ENG-1"] == {"from": "last_seen", "label": seen.name}
    vehicle = problem.vehicles[0]
    assert vehicle.start != vehicle.end  # leaves from the site, comes home to base
    assert vehicle.shift[0] == 10 * 60 + 15


def test_planning_today_after_every_shift_ended_is_refused_naming_the_date(session, places):
    site, _engineer = places
    late = plan([StopRequest("T1", 30, site=site)])
    late.planned_at = datetime(2026, 3, 9, 11, 0, tzinfo=UTC)  # 19:00 local
    with pytest.raises(InvalidInput) as refused:
        validate_request(session, late)
    assert refused.value.field == "date"


def _plan(*visits: tuple[str, str, str]) -> dict:
    routes: dict[str, list] = {}
    for stop, engineer, local in visits:
        utc = (datetime.fromisoformat(local) - timedelta(hours=8)).isoformat() + "+00:00"
        routes.setdefault(engineer, []).append(
            {"stop": stop, "arrival": {"local": local, "utc": utc}}
        )
    return {"routes": [{"engineer": e, "visits": v} for e, v in routes.items()]}


def test_a_new_plan_says_what_was_added_dropped_reassigned_or_moved():
    before = _plan(
        ("T1", "E1", "2026-03-09 10:30"),
        ("T2", "E1", "2026-03-09 11:30"),
        ("T3", "E2", "2026-03-09 10:45"),
        ("T4", "E2", "2026-03-09 13:00"),
    )
    after = _plan(
        ("T1", "E1", "2026-03-09 10:32"),  # 2 min: not a change
        ("T2", "E2", "2026-03-09 11:30"),
        ("T4", "E2", "2026-03-09 14:00"),
        ("T5", "E1", "2026-03-09 12:00"),
    )
    changes = {c["stop"]: c["change"] for c in plan_changes(before, after)}
    assert changes == {"T2": "reassigned", "T3": "dropped", "T4": "moved", "T5": "added"}
    assert plan_changes(after, after) == []


def test_a_stop_whose_skill_only_an_engineer_off_shift_has_is_unserved_and_the_rest_planned(
    session, places
):
    """The only video engineer's shift has ended: the video stop is reported with a code,
    the server stop is still planned (the plan used to fail as a whole)."""
    site, _engineer = places
    make_engineer(session, "ENG-2", skills=("video",))
    session.get(Engineer, 2).shift_start_min = 7 * 60
    session.get(Engineer, 2).shift_end_min = 10 * 60  # over at 10:15
    session.commit()
    req = plan(
        [
            StopRequest("T1", 30, site=site, skill="server"),
            StopRequest("T2", 30, site=site, skill="video"),
        ]
    )
    req.engineers = ["ENG-1", "ENG-2"]
    validate_request(session, req)  # not refused: reported in the plan instead
    result = solve_plan(session, req, TravelModel())
    assert [v["stop"] for r in result["routes"] for v in r["visits"]] == ["T1"]
    assert [(u["stop"], u["code"], u["skill"]) for u in result["unserved"]] == [
        ("T2", "no_skill", "video")
    ]
