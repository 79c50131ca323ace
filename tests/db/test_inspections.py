"""Preventive inspections (巡检) on SQLite and PostgreSQL: a programme generates the year's
visits on working days (holidays skipped, the customer's weekdays kept), spread over weeks
and engineers, never twice; fault work pre-empts a visit, which moves and is not lost; on
site a finding opens a ticket and the signature starts the report clock."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from inventory import inspections as ins
from inventory.calendar_days import add_exception
from inventory.contracts import contract_by_code, contract_calendar
from inventory.errors import Conflict, InvalidInput
from inventory.installed_base import create_site
from inventory.route_planning import PlanRequest, StopRequest, solve_plan
from logistics.travel import make_travel_model
from models import Engineer, Event, Inspection, Ticket
from tests.builders import signature_png
from tests.service_builders import make_engineer, make_world, open_fault

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # the year before: every 2027 day is ahead


def _programme(session, world, **values):
    values.setdefault("frequency", "quarterly")
    view, created = ins.set_programme(session, world.contract, actor="admin", now=NOW, **values)
    assert created
    return view


def _days(session) -> dict[str, date]:
    return {row.period: row.day for row in session.scalars(select(Inspection))}


def test_a_quarterly_programme_puts_one_visit_per_quarter_on_a_preferred_working_day(session):
    world = make_world(session)
    add_exception(session, day=date(2027, 1, 4), name="公司年会", actor="admin")  # a Monday
    _programme(session, world, preferred_weekdays="1")  # Mondays only

    done = ins.generate_visits(session, world.contract, 2027, actor="admin", now=NOW)

    assert len(done.created) == 4 and done.existing == 0
    days = _days(session)
    assert sorted(days) == ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"]
    assert all(d.isoweekday() == 1 for d in days.values())
    calendar = contract_calendar(contract_by_code(session, world.contract), session=session)
    assert all(calendar.is_working_day(d) for d in days.values())
    # New Year's Monday is the company's day off; the National Day Monday is a holiday
    assert days["2027-Q1"] == date(2027, 1, 11)
    assert days["2027-Q4"] == date(2027, 10, 11)
    row = session.scalar(select(Inspection).where(Inspection.period == "2027-Q1"))
    assert row.engineer.code == world.engineer and row.status == "planned"
    assert (row.window_start_min, row.window_end_min) == (9 * 60, 17 * 60)


def test_generating_the_year_twice_adds_nothing_and_the_database_refuses_a_twin(session):
    world = make_world(session)
    _programme(session, world)
    first = ins.generate_visits(session, world.contract, 2027, actor="admin", now=NOW)
    again = ins.generate_visits(session, world.contract, 2027, actor="admin", now=NOW)

    assert len(first.created) == 4
    assert again.created == [] and again.existing == 4
    assert session.scalar(select(func.count()).select_from(Inspection)) == 4
    row = session.scalar(select(Inspection).limit(1))
    session.add(
        Inspection(
            number="INS-TWIN",
            programme_id=row.programme_id,
            contract_id=row.contract_id,
            customer_id=row.customer_id,
            site_id=row.site_id,
            period=row.period,
            day=row.day,
            first_day=row.day,
            window_start_min=540,
            window_end_min=1020,
            status="planned",
            moves=0,
            results=[],
            training_given=False,
            created_by="test",
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_visits_spread_over_weeks_and_engineers(session):
    world = make_world(session)
    for k in range(2, 5):
        create_site(
            session,
            customer_code=world.customer,
            code=f"{world.customer}-S{k}",
            name=f"machine room {k}",
            city="Beijing",
            address=f"{k} Jianguo Rd",
            lat=39.95,
            lon=116.45,
        )
    make_engineer(session, "ENG-2")  # the same base as ENG-1
    _programme(session, world, site_codes=[f"{world.customer}-S{k}" for k in range(1, 5)])

    ins.generate_visits(session, world.contract, 2027, actor="admin", now=NOW)

    rows = list(session.scalars(select(Inspection)))
    assert len(rows) == 16
    per_engineer = Counter(r.engineer.code for r in rows)
    assert per_engineer == {"ENG-1": 8, "ENG-2": 8}
    for quarter in ("Q1", "Q2", "Q3", "Q4"):
        weeks = [r.day.isocalendar()[:2] for r in rows if r.period.endswith(quarter)]
        assert len(set(weeks)) == 4, f"{quarter}: visits share a week {weeks}"


def test_a_programme_refuses_a_checklist_item_without_a_known_group(session):
    world = make_world(session)
    with pytest.raises(InvalidInput) as error:
        ins.set_programme(
            session,
            world.contract,
            actor="admin",
            frequency="yearly",
            checklists={"server": [{"group": "software", "item": "日志"}, {"item": "温度"}]},
        )
    assert error.value.field == "checklists.server.1.group"


def test_an_urgent_fault_pre_empts_the_inspection_which_moves_to_the_next_working_day(session):
    world = make_world(session)
    _programme(session, world, preferred_weekdays="12345", visit_minutes=120)
    ins.generate_visits(session, world.contract, 2027, actor="admin", now=NOW)
    visit = session.scalar(select(Inspection).where(Inspection.period == "2027-Q2"))
    day = visit.day
    engineer = session.scalar(select(Engineer).where(Engineer.code == world.engineer))
    engineer.shift_start_min, engineer.shift_end_min = 9 * 60, 12 * 60  # room for one job
    session.commit()
    fault = open_fault(
        session, world, severity="P1", symptom="系统宕机", equipment_serial=None, now=NOW
    )

    plan = solve_plan(
        session,
        PlanRequest(
            day=day,
            engineers=[world.engineer],
            stops=[StopRequest(fault.number, 90, site=world.site, severity="P1")],
            inspections=True,
            time_limit_s=2,
        ),
        make_travel_model("geodesic"),
    )

    served = [v["stop"] for r in plan["routes"] for v in r["visits"]]
    assert served == [fault.number], plan
    assert [m["stop"] for m in plan["moved_inspections"]] == [visit.number]
    session.expire_all()
    moved = session.get(Inspection, visit.id)
    calendar = contract_calendar(moved.contract, session=session)
    assert moved.day > day and calendar.is_working_day(moved.day)
    assert moved.day.isoweekday() <= 5 and moved.status == "planned"
    assert moved.moves == 1 and moved.first_day == day
    event = session.scalar(select(Event).where(Event.kind == "inspection_moved"))
    assert event.subject_ref == visit.number and event.data["to"] == moved.day.isoformat()


def _started(session, world, **values):
    _programme(session, world, **values)
    ins.generate_visits(session, world.contract, 2027, actor="admin", now=NOW)
    row = session.scalar(select(Inspection).where(Inspection.period == "2027-Q1"))
    return row.number, row.engineer_id


def _sign(session, number: str, me: int, at: datetime):
    """The customer signs the inspection on the engineer's phone at ``at``."""
    return ins.sign_inspection(
        session,
        number,
        engineer_id=me,
        actor="zhang.eng",
        signer_name="韩梅",
        signature_png=signature_png(),
        now=at,
    )


def test_a_finding_opens_a_ticket_linked_to_the_inspection(session):
    world = make_world(session)
    number, me = _started(session, world)
    at = datetime(2027, 1, 12, 2, 0, tzinfo=UTC)
    ins.record_arrival(session, number, engineer_id=me, actor="zhang.eng", now=at)

    view = ins.record_finding(
        session,
        number,
        engineer_id=me,
        actor="zhang.eng",
        text="电源模块风扇异响",
        severity="P3",
        equipment_serial=world.equipment_serial,
        now=at + timedelta(minutes=20),
    )

    assert len(view.findings) == 1
    ticket = session.scalar(select(Ticket).where(Ticket.number == view.findings[0].ticket_number))
    assert ticket.severity == "P3" and ticket.status == "new"
    assert number in ticket.symptom and ticket.equipment_serial == world.equipment_serial
    kinds = [
        e.kind for e in session.scalars(select(Event).where(Event.subject_ref == ticket.number))
    ]
    assert "inspection_finding" in kinds


def test_the_signature_needs_every_item_and_starts_the_report_clock(session):
    world = make_world(session)
    number, me = _started(session, world, report_days=7)
    at = datetime(2027, 1, 12, 2, 0, tzinfo=UTC)
    row = ins.record_arrival(session, number, engineer_id=me, actor="zhang.eng", now=at)
    with pytest.raises(InvalidInput) as error:
        _sign(session, number, me, at)
    assert error.value.field == "results"
    results = [{"key": item.key, "outcome": "pass", "reading": "ok"} for item in row.checklist]
    ins.record_checklist(session, number, engineer_id=me, actor="zhang.eng", results=results)
    signed = _sign(session, number, me, at + timedelta(hours=2))
    assert signed.status == "done"
    assert signed.report_due == at + timedelta(hours=2, days=7)
    assert [r.number for r in ins.reports_due(session)] == [number]

    issued = ins.issue_report(session, number, engineer_id=None, actor="li.disp", now=at)
    assert issued.report_issued_at is not None and ins.reports_due(session) == []
    with pytest.raises(Conflict):
        ins.record_checklist(session, number, engineer_id=me, actor="zhang.eng", results=[])


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_inspection_migration_goes_down_and_up_over_generated_visits(kind, tmp_path):
    from models.migrate import downgrade, upgrade
    from tests.conftest import migrated_database, schema_of, session_at

    tables = {"inspection_programmes", "inspections", "inspection_findings", "inspection_photos"}
    with migrated_database(kind, tmp_path, "insp17_mig", "the inspection migration test") as url:
        with session_at(url) as session:
            world = make_world(session)
            _programme(session, world)
            ins.generate_visits(session, world.contract, 2027, actor="admin", now=NOW)

        downgrade(url, "0017_rtv_warranty")
        assert not tables & schema_of(url)

        upgrade(url)
        assert tables <= schema_of(url)
        with session_at(url) as session:
            assert session.scalar(select(func.count()).select_from(Inspection)) == 0


def test_a_report_not_issued_by_its_deadline_is_flagged_once_by_the_sweep(session):
    from inventory.sweep import sweep

    world = make_world(session)
    number, me = _started(session, world, report_days=7)
    at = datetime(2027, 1, 12, 2, 0, tzinfo=UTC)
    row = ins.record_arrival(session, number, engineer_id=me, actor="zhang.eng", now=at)
    results = [{"key": item.key, "outcome": "pass"} for item in row.checklist]
    ins.record_checklist(session, number, engineer_id=me, actor="zhang.eng", results=results)
    signed = _sign(session, number, me, at)

    early = sweep(session, now=signed.report_due - timedelta(minutes=1))
    late = sweep(session, now=signed.report_due + timedelta(minutes=1))
    again = sweep(session, now=signed.report_due + timedelta(hours=1))

    assert [b.subject_ref for b in early.breaches] == []
    assert [(b.subject_type, b.subject_ref, b.step) for b in late.breaches] == [
        ("inspection", number, "breach:inspection_report")
    ]
    assert again.breaches == []
    events = session.scalars(select(Event).where(Event.kind == "sla_breached")).all()
    assert [(e.subject_ref, e.data["clock"]) for e in events] == [(number, "inspection_report")]
