"""Customer problems and complaints: clocks by urgency, the steps, and the sweep escalating a
missed clock to the department head once (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from inventory import complaints
from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.notifications import SETTINGS_KEY, NotificationSettings
from inventory.sweep import sweep
from models import Complaint, Contract, Event, OutboxMessage
from tests.service_builders import file_late_engineer_complaint, make_customer

RECEIVED = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Mon 2 Nov 2026 10:00 in Shanghai


@pytest.fixture
def customer(session):
    code, _site, _contract = make_customer(session)
    complaints.create_department(
        session, code="SVC", name="服务部", head_name="周经理", head_email="zhou@example.com",
        actor="admin",
    )  # fmt: skip
    return code


def _file(session, customer, urgency="urgent", **kw):
    return file_late_engineer_complaint(session, customer, RECEIVED, urgency=urgency, **kw)


def test_each_urgency_gets_its_own_clocks_and_a_contract_can_change_the_hours(session, customer):
    normal = _file(session, customer, "normal")
    urgent = _file(session, customer, "urgent")
    very = _file(session, customer, "very_urgent")
    assert normal.number == "CPL-2026-000001" and very.number == "CPL-2026-000003"
    assert (normal.response_due, normal.resolution_due) == (
        RECEIVED + timedelta(hours=24), RECEIVED + timedelta(hours=120))  # fmt: skip
    assert (urgent.response_due, urgent.resolution_due) == (
        RECEIVED + timedelta(hours=4), RECEIVED + timedelta(hours=48))  # fmt: skip
    assert (very.response_due, very.resolution_due) == (
        RECEIVED + timedelta(hours=1), RECEIVED + timedelta(hours=24))  # fmt: skip
    contract = session.scalar(select(Contract))
    contract.complaint_hours = {"response": {"urgent": 2}, "resolution": {"urgent": 8}}
    session.commit()
    again = _file(session, customer, "urgent")
    assert (again.response_due, again.resolution_due) == (
        RECEIVED + timedelta(hours=2), RECEIVED + timedelta(hours=8))  # fmt: skip
    assert [c.verdict for c in again.clocks] == ["pending", "pending"]


def test_bad_input_names_the_field(session, customer):
    with pytest.raises(InvalidInput) as e:
        _file(session, customer, "whenever")
    assert e.value.field == "urgency"
    with pytest.raises(InvalidInput) as e:
        _file(session, customer, kind="praise")
    assert e.value.field == "kind"
    with pytest.raises(NotFound) as e:
        _file(session, customer, ticket_ref="TKT-2026-999999")
    assert e.value.field == "ticket"


def test_answered_in_time_the_response_clock_is_met_and_the_sweep_leaves_it(session, customer):
    filed = _file(session, customer, "urgent")
    answered = complaints.respond(
        session, filed.number, department_code="SVC", planned_measures="约谈工程师，调整排班",
        expected_resolution_date=date(2026, 11, 3), actor="li.disp",
        now=RECEIVED + timedelta(hours=3),
    )  # fmt: skip
    assert answered.status == "in_progress" and answered.department_head == "周经理"
    assert [c.verdict for c in answered.clocks] == ["met", "pending"]
    report = sweep(session, now=RECEIVED + timedelta(hours=5))
    assert report.escalations == []


def test_a_missed_clock_is_escalated_to_the_department_head_once(session, customer):
    session.info[SETTINGS_KEY] = NotificationSettings(
        dispatcher_emails=("dispatch@example.com",), escalation_emails={1: ("pm@example.com",)}
    )
    filed = _file(session, customer, "very_urgent")
    complaints.respond(
        session, filed.number, department_code="SVC", planned_measures="更换工程师",
        actor="li.disp", now=RECEIVED + timedelta(minutes=30),
    )  # fmt: skip
    before = sweep(session, now=RECEIVED + timedelta(hours=23, minutes=59))
    assert before.escalations == []
    late = RECEIVED + timedelta(hours=24, minutes=1)
    first = sweep(session, now=late)
    second = sweep(session, now=late + timedelta(minutes=5))
    assert [(f.subject_ref, f.step) for f in first.escalations] == [
        (filed.number, "breach:complaint_resolution")
    ]
    assert second.escalations == []
    event = session.scalar(select(Event).where(Event.kind == "escalated"))
    assert event.subject_type == "complaint" and not event.customer_visible
    assert event.data["who"] == "周经理" and event.data["clock"] == "complaint_resolution"
    assert session.scalar(select(Complaint)).escalation_level == 1
    told = sorted(
        m.recipient for m in session.scalars(
            select(OutboxMessage).where(OutboxMessage.event_id == event.id))
    )  # fmt: skip
    assert told == ["dispatch@example.com", "pm@example.com", "zhou@example.com"]
    # the customer never sees the escalation, nor the supervision log
    complaints.supervise(session, filed.number, text="已电话督办", actor="boss")
    c = complaints.complaint_by_number(session, filed.number)
    shown = [e.kind for e in complaints.complaint_log(session, c, for_customer=True)]
    staff = [e.kind for e in complaints.complaint_log(session, c, for_customer=False)]
    assert shown == ["received", "responded"]
    assert staff == ["received", "responded", "escalated", "supervision"]


def test_unanswered_both_clocks_escalate_and_resolving_stops_them(session, customer):
    filed = _file(session, customer, "urgent")
    report = sweep(session, now=RECEIVED + timedelta(hours=5))
    assert [f.step for f in report.escalations] == ["breach:complaint_response"]
    complaints.resolve(session, filed.number, resolution="已道歉并补偿一次巡检",
                       actor="li.disp", now=RECEIVED + timedelta(hours=6))  # fmt: skip
    assert sweep(session, now=RECEIVED + timedelta(hours=60)).escalations == []
    view = complaints.complaint_view(complaints.complaint_by_number(session, filed.number))
    assert [c.verdict for c in view.clocks] == ["missed", "met"]


def test_the_customer_gives_an_opinion_once_resolved_and_only_on_their_own(session, customer):
    other, _s, _k = make_customer(session, code="C002")
    filed = _file(session, customer, "normal", kind="request")
    with pytest.raises(Conflict):
        complaints.record_opinion(session, filed.number, opinion="好", satisfaction=5, actor="c")
    complaints.resolve(session, filed.number, resolution="已处理", actor="li.disp",
                       now=RECEIVED + timedelta(hours=1))  # fmt: skip
    other_id = session.scalar(select(Complaint.customer_id).where(Complaint.customer_id != 0))
    with pytest.raises(NotFound):
        complaints.record_opinion(session, filed.number, opinion="好", satisfaction=5,
                                  actor="c", customer_id=other_id + 1)  # fmt: skip
    with pytest.raises(InvalidInput) as e:
        complaints.record_opinion(session, filed.number, opinion=None, satisfaction=6, actor="c")
    assert e.value.field == "satisfaction"
    closed = complaints.record_opinion(session, filed.number, opinion="满意", satisfaction=4,
                                       actor="customer.sgcc")  # fmt: skip
    assert (closed.status, closed.satisfaction, closed.customer_opinion) == ("closed", 4, "满意")
    assert other == "C002"
