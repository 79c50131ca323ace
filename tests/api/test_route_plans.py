"""Engineers' day plans through the API: 202 + job, routes that respect skills and pickups."""

from __future__ import annotations

import pytest

from models import Site
from tests.builders import bearer, day_shift_engineer, make_depot, make_user, wait_for_job


@pytest.fixture
def plan_world(db):
    depot = make_depot(db, "BJ01")
    db.add_all(
        [
            day_shift_engineer(depot, "E1", skills=["server"]),
            day_shift_engineer(depot, "E2", name="李娜", lat=39.85, lon=116.50, skills=["video"]),
        ]
    )
    from models import Customer

    c = Customer(code="C1", name="Bank")
    db.add(c)
    db.flush()
    db.add(
        Site(
            customer_id=c.id,
            code="S1",
            name="Bank HQ",
            address="Beijing",
            city="Beijing",
            lat=39.91,
            lon=116.45,
        )
    )
    db.commit()
    _u, token = make_user(db, "dispatcher")
    return bearer(token)


def test_day_plan_respects_skills_and_picks_up_the_spare_first(client, plan_world):
    body = {
        "date": "2026-11-23",
        "engineers": ["E1", "E2"],
        "time_limit_s": 1,
        "stops": [
            {
                "id": "fault-server",
                "site": "S1",
                "service_minutes": 60,
                "skill": "server",
                "severity": "P1",
                "pickup_depot": "BJ01",
                "window_start": "2026-11-23T01:00:00Z",
                "window_end": "2026-11-23T06:00:00Z",
            },
            {
                "id": "inspect-video",
                "lat": 39.99,
                "lon": 116.31,
                "service_minutes": 90,
                "skill": "video",
                "severity": "inspection",
            },
        ],
    }
    r = client.post("/api/route-plans", json=body, headers=plan_world)
    assert r.status_code == 202, r.json
    assert r.headers["Location"].endswith(r.json["id"])
    job = wait_for_job(client, r.json["href"], plan_world)
    assert job["status"] == "succeeded", job
    routes = {
        route["engineer"]: [v["stop"] for v in route["visits"]] for route in job["result"]["routes"]
    }
    assert routes["E1"] == ["fault-server@pickup", "fault-server"]
    assert routes["E2"] == ["inspect-video"]
    assert job["result"]["unserved"] == []
    visit = job["result"]["routes"][0]["visits"][-1]
    # window 09:00–14:00 Shanghai time: the service starts inside it
    assert "09:00" <= visit["start"]["local"][-5:] <= "14:00"


def test_a_stop_no_one_can_reach_in_time_is_reported_not_dropped_silently(client, plan_world):
    body = {
        "date": "2026-11-23",
        "engineers": ["E1"],
        "time_limit_s": 1,
        "stops": [
            {
                "id": "far-away",
                "lat": 43.8,
                "lon": 87.6,
                "service_minutes": 60,
                "skill": "server",
                "window_start": "2026-11-23T01:00:00Z",
                "window_end": "2026-11-23T01:30:00Z",
            }
        ],
    }
    job = wait_for_job(
        client,
        client.post("/api/route-plans", json=body, headers=plan_world).json["href"],
        plan_world,
    )
    assert job["status"] == "succeeded"
    assert [u["stop"] for u in job["result"]["unserved"]] == ["far-away"]
    assert job["result"]["unserved"][0]["reason"]


def test_a_stop_needing_a_skill_no_engineer_has_is_unserved_and_the_rest_planned(
    client, plan_world
):
    stop = {"site": "S1", "service_minutes": 30}
    body = {
        "date": "2026-11-23",
        "engineers": ["E1"],
        "time_limit_s": 1,
        "stops": [
            {"id": "fix", "skill": "server", **stop},
            {"id": "cam", "skill": "video", **stop},
        ],
    }
    r = client.post("/api/route-plans", json=body, headers=plan_world)
    assert r.status_code == 202, r.json
    job = wait_for_job(client, r.json["href"], plan_world)
    assert job["status"] == "succeeded", job
    assert [v["stop"] for v in job["result"]["routes"][0]["visits"]] == ["fix"]
    (unserved,) = job["result"]["unserved"]
    assert (unserved["stop"], unserved["code"], unserved["skill"]) == ("cam", "no_skill", "video")


@pytest.mark.parametrize(
    "change, field",
    [
        (
            {
                "stops": [
                    {
                        "id": "x",
                        "site": "S1",
                        "service_minutes": 30,
                        "window_start": "2026-11-23T05:00:00Z",
                        "window_end": "2026-11-23T04:00:00Z",
                    }
                ]
            },
            "stops.0.window_end",
        ),
        ({"date": "2026-11-22"}, "engineers.0"),  # a Sunday: E1 works Monday to Friday
        ({"engineers": ["NOPE"]}, "engineers.0"),
        ({"stops": [{"id": "x", "site": "NOPE", "service_minutes": 30}]}, "stops.0.site"),
        ({"stops": [{"id": "x", "lat": 95, "lon": 10, "service_minutes": 30}]}, "stops.0.lat"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_bad_plan_requests_name_what_is_wrong_and_queue_nothing(
    client, db, plan_world, change, field
):
    body = {
        "date": "2026-11-23",
        "engineers": ["E1"],
        "stops": [{"id": "x", "site": "S1", "service_minutes": 30}],
    }
    body.update(change)
    r = client.post("/api/route-plans", json=body, headers=plan_world)
    assert r.status_code == 422, r.json
    assert field in r.json["errors"], r.json
    from sqlalchemy import func, select

    from models import Job

    assert db.scalar(select(func.count()).select_from(Job)) == 0
    db.rollback()


def test_only_dispatchers_plan_routes(client, db, plan_world):
    _u, wh = make_user(db, "warehouse", "wh9")
    r = client.post(
        "/api/route-plans",
        json={"date": "2026-11-23", "engineers": ["E1"], "stops": []},
        headers=bearer(wh),
    )
    assert r.status_code == 403
    assert client.get("/api/route-plans/unknown", headers=plan_world).status_code == 404


def test_a_second_plan_of_the_day_says_what_changed_since_the_first(client, plan_world):
    stop = {"lat": 39.99, "lon": 116.31, "service_minutes": 30, "severity": "P3"}
    body = {
        "date": "2026-11-23",
        "engineers": ["E1"],
        "time_limit_s": 1,
        "stops": [{"id": "A", **stop}, {"id": "B", **stop, "lat": 39.95}],
    }
    first = wait_for_job(
        client,
        client.post("/api/route-plans", json=body, headers=plan_world).json["href"],
        plan_world,
    )
    assert first["status"] == "succeeded" and first["changes"] is None  # nothing to compare with
    body["stops"] = body["stops"][:1]  # B is no longer planned
    second = client.post("/api/route-plans", json=body, headers=plan_world).json
    second = wait_for_job(client, second["href"], plan_world)
    assert {c["stop"]: c["change"] for c in second["changes"]}.get("B") == "dropped"
    assert next(c for c in second["changes"] if c["stop"] == "B")["before"]["engineer"] == "E1"
