"""Service-parts plans through the API and the CLI: 202 + job, the plan, accepting it."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from inventory.installed_base import register_equipment
from inventory.receiving import receive_from_supplier
from inventory.reservation import reserve
from models import Contract, Event, Part, StockPolicy
from tests.builders import bearer, make_depot, make_user, wait_for_job
from tests.service_builders import make_world


@pytest.fixture
def planned_world(db):
    """Beijing customer with 30 PSUs installed; 3 spares in Beijing, 6 in Guangzhou."""
    world = make_world(db, spares=3)
    make_depot(db, "GZ01")
    for i in range(6):
        receive_from_supplier(
            db, depot_code="GZ01", part_number=world.part, actor="wh", serial=f"GZ-{i:03d}"
        )
    for i in range(2, 31):
        register_equipment(
            db,
            site_code=world.site,
            part_number=world.part,
            serial=f"EQ-{i:04d}",
            acceptance_date=date.today() - timedelta(days=30),  # little history yet
            actor="admin",
            contract_code=world.contract,
        )
    db.scalar(select(Part).where(Part.part_number == world.part)).failure_rate = 1.0
    db.commit()
    return world


@pytest.fixture
def admin(db):
    return bearer(make_user(db, "admin")[1])


def run_plan(client, headers, body=None):
    r = client.post("/api/planning/runs", json=body or {}, headers=headers)
    assert r.status_code == 202, r.json
    assert r.headers["Location"].endswith(r.json["id"])
    return wait_for_job(client, r.json["href"], headers)


def test_a_run_recommends_beijing_stock_and_a_transfer_from_guangzhou_surplus(
    client, db, planned_world, admin
):
    reserve(db, depot_code="BJ01", part_number=planned_world.part, reference="RMA-X", qty=1)
    job = run_plan(client, admin, {"targets": {"7x24": 0.99}})
    assert job["status"] == "succeeded", job
    plan = job["result"]
    lines = {(x["part"], x["depot"]): x for x in plan["lines"]}
    bj, gz = lines[(planned_world.part, "BJ01")], lines[(planned_world.part, "GZ01")]
    assert bj["current"] == 2  # the reserved spare is not counted: it is promised
    assert bj["recommended"] > bj["current"] and gz["recommended"] < gz["current"]
    assert bj["fill_rate_after"] > bj["fill_rate_before"]
    klass = {c["class"]: c for c in plan["classes"]}["7x24"]
    assert klass["replacement_after"] >= 0.99 > klass["replacement_before"]
    # one part at one site: its rates and the site's are the class's, before and after
    rates = {k: v for k, v in klass.items() if k != "class"}
    assert [{k: v for k, v in x.items() if k != "part"} for x in plan["parts"]] == [rates]
    assert plan["site_rates"] == [{"site": planned_world.site, **rates}]
    moved = sum(t["qty"] for t in plan["transfers"] if t["to_depot"] == "BJ01")
    assert moved + sum(p["qty"] for p in plan["purchases"]) == bj["recommended"] - 2
    assert all(t["from_depot"] == "GZ01" for t in plan["transfers"])
    # never more leaves Guangzhou than its free surplus
    out_of_gz = moved + sum(r["qty"] for r in plan["returns"] if r["depot"] == "GZ01")
    assert out_of_gz == 6 - gz["recommended"]
    assert plan["current_position"]["fill_rate"] < plan["curve"][-1]["fill_rate"]


def test_accepting_a_plan_sets_reorder_points_and_targets_with_an_audit_entry(
    client, db, planned_world, admin
):
    job = run_plan(client, admin)
    r = client.post(f"/api/planning/runs/{job['id']}/accept", headers=admin)
    assert r.status_code == 200, r.json
    recommended = {x["depot"]: x["recommended"] for x in job["result"]["lines"] if x["recommended"]}
    policies = {
        p.depot_id: (p.reorder_point, p.target_level) for p in db.scalars(select(StockPolicy))
    }
    assert sorted(t for _r, t in policies.values() if t) == sorted(recommended.values())
    assert all(r_ == t - 1 for r_, t in policies.values() if t)
    event = db.scalar(select(Event).where(Event.kind == "plan_accepted"))
    assert event is not None and event.actor.startswith("admin")
    db.rollback()  # end this test's read transaction: SQLite would keep the writer waiting
    pdf = client.get(f"/api/planning/runs/{job['id']}/plan.pdf?lang=en", headers=admin)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")


def test_a_contract_without_a_replacement_clock_fails_the_run_naming_it(
    client, db, planned_world, admin
):
    contract = db.scalar(select(Contract).where(Contract.code == planned_world.contract))
    contract.replacement_unit_minutes = 0
    db.commit()
    job = run_plan(client, admin)
    assert job["status"] == "failed"
    assert planned_world.contract in job["error"] and "replacement" in job["error"]
    assert client.get(f"/api/planning/runs/{job['id']}/plan.pdf", headers=admin).status_code == 409


def test_bad_targets_are_refused_with_the_field_named(client, planned_world, admin):
    for field in ("targets", "other_clock_targets"):
        r = client.post("/api/planning/runs", json={field: {"7x24": 1.5}}, headers=admin)
        assert r.status_code == 422
        assert field in json.dumps(r.json)


def test_targets_on_the_two_day_clock_too_are_met_with_the_six_hour_ones(
    client, runner, db, planned_world, admin, tmp_path
):
    six_hours = run_plan(client, admin, {"targets": {"7x24": 0.6}})["result"]
    klass = {c["class"]: c for c in six_hours["classes"]}["7x24"]
    assert klass["replacement_after"] >= 0.6 and klass["spare_after"] < 0.99
    both = run_plan(
        client, admin, {"targets": {"7x24": 0.6}, "other_clock_targets": {"7x24": 0.99}}
    )["result"]
    assert both["settings"]["other_clock_targets"] == {"7x24": 0.99}
    klass = {c["class"]: c for c in both["classes"]}["7x24"]
    assert klass["replacement_after"] >= 0.6 and klass["spare_after"] >= 0.99
    assert (
        both["summary"]["stock_value_recommended"] > six_hours["summary"]["stock_value_recommended"]
    )
    # the same from the command line
    out = tmp_path / "plan.json"
    args = ["planning", "recommend", "--target", "7x24=0.6", "--output", str(out)]
    result = runner.invoke(args=[*args, "--other-clock-target", "7x24=0.99"])
    assert result.exit_code == 0, result.output
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert {c["class"]: c for c in plan["classes"]}["7x24"]["spare_after"] >= 0.99


def test_warehouse_staff_read_runs_but_only_the_admin_starts_or_accepts_one(
    client, db, planned_world, admin
):
    warehouse = bearer(make_user(db, "warehouse")[1])
    assert client.post("/api/planning/runs", json={}, headers=warehouse).status_code == 403
    job = run_plan(client, admin)
    assert client.get(job["href"], headers=warehouse).status_code == 200
    r = client.post(f"/api/planning/runs/{job['id']}/accept", headers=warehouse)
    assert r.status_code == 403


def test_cli_recommend_prints_the_plan_and_names_a_negative_lead_time(
    runner, db, planned_world, tmp_path
):
    out = tmp_path / "plan.json"
    result = runner.invoke(args=["planning", "recommend", "--output", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["installed_units"] == 30
    assert json.loads(out.read_text(encoding="utf-8"))["lines"]
    db.scalar(select(Part).where(Part.part_number == planned_world.part)).lead_time_days = -3
    db.commit()
    result = runner.invoke(args=["planning", "recommend"])
    assert result.exit_code == 2
    assert f"part {planned_world.part}: lead_time_days" in result.output


def test_a_what_if_with_a_hypothetical_depot_plans_it_but_cannot_be_accepted(
    client, db, planned_world, admin
):
    job = run_plan(client, admin, {"extra_depots": [{"city": "上海"}], "label": "SH"})
    assert job["status"] == "succeeded", job
    plan = job["result"]
    hypo = [d for d in plan["depots"] if d["hypothetical"]]
    assert [d["depot"] for d in hypo] == ["WHATIF-1"] and hypo[0]["city"] == "上海"
    assert 30 < hypo[0]["lat"] < 32 and 121 < hypo[0]["lon"] < 122
    assert plan["settings"]["extra_depots"][0]["city"] == "上海"
    # the depot is not saved, and a plan that relies on it cannot become reorder points
    assert client.get("/api/depots", headers=admin).json  # still answers
    assert "WHATIF-1" not in json.dumps(client.get("/api/depots", headers=admin).json)
    r = client.post(f"/api/planning/runs/{job['id']}/accept", headers=admin)
    assert r.status_code == 422 and "hypothetical" in r.json["detail"]
    assert "extra_depots" in json.dumps(r.json)
    assert db.scalar(select(StockPolicy)) is None


def test_a_what_if_depot_in_an_unknown_city_is_refused_naming_the_entry(
    client, planned_world, admin
):
    r = client.post(
        "/api/planning/runs", json={"extra_depots": [{"city": "火星城"}]}, headers=admin
    )
    assert r.status_code == 422
    assert "extra_depots.0.city" in json.dumps(r.json)


def test_a_part_with_no_failure_data_is_planned_on_the_stated_default_with_a_warning(
    client, db, planned_world, admin
):
    from logistics.planning.demand import DEFAULT_RATE
    from tests.builders import make_part

    new = make_part(db, "OPT-NEW", category="optical-new").part_number  # no rate entered
    register_equipment(
        db,
        site_code=planned_world.site,
        part_number=new,
        serial="EQ-NEW-1",
        acceptance_date=date.today(),  # installed today: no unit-year of history anywhere
        actor="admin",
        contract_code=planned_world.contract,
    )
    job = run_plan(client, admin)
    assert job["status"] == "succeeded", job
    plan = job["result"]
    rate = {r["part"]: r for r in plan["failure_rates"]}[new]
    assert rate["rate"] == pytest.approx(DEFAULT_RATE) and rate["source"] == "default"
    warning = next(w for w in plan["warnings"] if new in w)
    assert str(DEFAULT_RATE) in warning and "default" in warning
    assert plan["warning_items"] == [
        {"kind": "default_rate", "part": new, "rate": pytest.approx(DEFAULT_RATE)}
    ]
    assert plan["summary"]["installed_units"] == 31  # its failures are planned for


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (lambda db, w: setattr(_depot(db, "GZ01"), "resupply_days", -1), "depot GZ01"),
        (lambda db, w: setattr(_part(db, w.part), "repair_turnaround_days", -1), "turnaround"),
        (lambda db, w: setattr(_contract(db, w.contract), "spare_delivery_days", 0), "spare"),
    ],
)
def test_bad_records_fail_the_run_with_a_message_naming_the_record(
    client, db, planned_world, admin, spoil, words
):
    spoil(db, planned_world)
    db.commit()
    job = run_plan(client, admin)
    assert job["status"] == "failed"
    assert words in job["error"]
    named = {"spare": planned_world.contract, "depot GZ01": "GZ01"}.get(words, planned_world.part)
    assert named in job["error"]


def test_units_in_transit_and_reserved_counted_stock_are_never_counted_nor_moved(
    client, db, planned_world, admin
):
    from inventory.transfers import LineRequest, ship_transfer
    from tests.builders import make_part

    ship_transfer(
        db,
        from_depot="GZ01",
        to_depot="BJ01",
        lines=[LineRequest(planned_world.part, f"GZ-{i:03d}") for i in range(2)],
        actor="wh",
    )
    fan = make_part(db, "FAN-9", tracking="counted").part_number
    receive_from_supplier(db, depot_code="GZ01", part_number=fan, actor="wh", qty=5)
    reserve(db, depot_code="GZ01", part_number=fan, reference="RMA-F", qty=3)
    job = run_plan(client, admin)
    assert job["status"] == "succeeded", job
    plan = job["result"]
    lines = {(x["part"], x["depot"]): x for x in plan["lines"]}
    assert lines[(planned_world.part, "GZ01")]["current"] == 4  # 2 of 6 are on the road
    assert lines[(planned_world.part, "BJ01")]["current"] == 3  # not yet arrived
    assert lines[(fan, "GZ01")]["current"] == 2  # 3 of 5 are promised
    out_of_gz = sum(t["qty"] for t in plan["transfers"] if t["from_depot"] == "GZ01")
    out_of_gz += sum(r["qty"] for r in plan["returns"] if r["depot"] == "GZ01")
    assert out_of_gz <= 4 + 2
    assert sum(r["qty"] for r in plan["returns"] if r["part"] == fan) <= 2


def _depot(db, code):
    from models import Depot

    return db.scalar(select(Depot).where(Depot.code == code))


def _part(db, number):
    return db.scalar(select(Part).where(Part.part_number == number))


def _contract(db, code):
    return db.scalar(select(Contract).where(Contract.code == code))
