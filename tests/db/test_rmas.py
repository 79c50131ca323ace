"""RMAs in the database: late returns with a frozen clock, the contract's charge, cancelling,
tracking codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inventory import rmas, tickets
from inventory.dispatch_service import confirm_dispatch
from inventory.errors import Conflict
from inventory.overdue import ReturnWindow, is_overdue, overdue_returns
from inventory.tracking import CROCKFORD, track
from inventory.verify import verify_ledger
from models import Event, Rma, SerialItem, Ticket
from models.db import make_engine, make_session_factory
from tests.races import at_once
from tests.service_builders import make_world, open_fault

THURSDAY_10H = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)  # Thu 5 Mar 2026 10:00 CST
FRIDAY_END = datetime(
    2026, 3, 6, 16, 0, tzinfo=UTC
)  # 24:00 CST Fri 6 Mar: end of the next working day


def _delivered(session, *, at=THURSDAY_10H) -> str:
    """An advance replacement delivered at `at`; returns its number."""
    w = make_world(session)
    t = open_fault(session, w, symptom="x", actor="d", now=at)
    number = confirm_dispatch(
        session, t.number, engineer_code=w.engineer, depot_code=w.depot, actor="d", now=at
    ).rma_number
    rmas.move_rma(session, number, "ship", actor="wh", now=at)
    rmas.move_rma(session, number, "deliver", actor="eng", now=at)
    return number


def test_the_return_window_ends_with_the_next_working_day_on_the_contract_calendar(session):
    number = _delivered(session)
    assert rmas.rma_by_ref(session, number).return_due_at == FRIDAY_END


def test_a_faulty_part_not_back_in_time_is_flagged_overdue_once_with_the_contracts_charge(session):
    number = _delivered(session)
    assert (
        rmas.flag_overdue_returns(session, now=FRIDAY_END) == []
    )  # on the deadline is still in time
    late = FRIDAY_END + timedelta(minutes=1)
    assert rmas.flag_overdue_returns(session, now=late) == [number]
    assert rmas.flag_overdue_returns(session, now=late + timedelta(hours=5)) == []  # never twice
    rma = rmas.rma_by_ref(session, number)
    assert rma.overdue and rma.late_charge == Decimal("800.00") and rma.charge_currency == "CNY"
    events = session.scalars(select(Event).where(Event.kind == "overdue")).all()
    assert len(events) == 1 and events[0].customer_visible and events[0].data["charge"] == "800.00"
    view = track(session, rma.tracking_code, now=late)
    assert view.overdue and view.late_charge == Decimal("800.00")
    assert [e.event for e in view.timeline][-1] == "overdue"


def test_a_late_return_received_before_any_sweep_still_records_the_charge(session):
    number = _delivered(session)
    _part_comes_back(
        session, number, at=FRIDAY_END + timedelta(hours=2), received=FRIDAY_END + timedelta(days=1)
    )
    rma = rmas.rma_by_ref(session, number)
    assert rma.overdue and rma.late_charge == Decimal("800.00")
    assert rmas.flag_overdue_returns(session, now=FRIDAY_END + timedelta(days=2)) == []
    assert verify_ledger(session) == []


def test_a_part_back_in_time_is_never_overdue(session):
    number = _delivered(session)
    _part_comes_back(
        session,
        number,
        at=THURSDAY_10H + timedelta(hours=4),
        received=FRIDAY_END - timedelta(hours=1),
    )
    assert rmas.flag_overdue_returns(session, now=FRIDAY_END + timedelta(days=3)) == []
    assert not rmas.rma_by_ref(session, number).overdue


def test_two_sweeps_at_the_same_moment_charge_a_late_return_once(session, database_url):
    number = _delivered(session)
    engine = make_engine(database_url, pool_size=2, max_overflow=0)
    results = at_once(
        2,
        lambda s, i: rmas.flag_overdue_returns(
            s, now=FRIDAY_END + timedelta(hours=1), actor=f"sweep{i}"
        ),
        sessions=make_session_factory(engine),
    )
    engine.dispose()
    assert sorted(results, key=len) == [[], [number]]
    assert (
        session.scalar(select(func.count()).select_from(Event).where(Event.kind == "overdue")) == 1
    )


def test_overdue_rule_on_plain_data():
    due = FRIDAY_END
    on_time = ReturnWindow(1, "RMA-1", due, faulty_received_at=due)
    late_back = ReturnWindow(2, "RMA-2", due, faulty_received_at=due + timedelta(minutes=30))
    still_out = ReturnWindow(3, "RMA-3", due, charge=Decimal("500"))
    flagged = ReturnWindow(4, "RMA-4", due, already_flagged=True)
    no_window = ReturnWindow(5, "RMA-5", None)
    now = due + timedelta(hours=2)
    assert (
        not is_overdue(on_time, now)
        and is_overdue(late_back, now)
        and not is_overdue(no_window, now)
    )
    late = overdue_returns([on_time, late_back, still_out, flagged, no_window], now)
    assert [(r.number, r.late_by_minutes) for r in late] == [("RMA-3", 120.0), ("RMA-2", 30.0)]
    assert late[0].charge == Decimal("500")
    assert overdue_returns([still_out], due) == []
    with pytest.raises(ValueError):
        overdue_returns([still_out], datetime(2026, 3, 7))  # a naive clock is refused


def test_cancelling_before_shipping_releases_the_spare_and_after_shipping_is_refused(session):
    w = make_world(session)
    t1 = open_fault(session, w, symptom="x", actor="d")
    first = confirm_dispatch(
        session, t1.number, engineer_code=w.engineer, depot_code=w.depot, actor="d"
    )
    cancelled = rmas.move_rma(
        session,
        first.rma_number,
        "cancel",
        actor="d",
        given=rmas.MoveInput(reason="fixed by reboot"),
    )
    assert cancelled.status == "cancelled"
    assert (
        session.scalar(select(SerialItem.status).where(SerialItem.serial == first.reserved_serial))
        == "in_stock"
    )
    t2 = open_fault(session, w, symptom="y", actor="d", equipment_serial=None, part_number=w.part)
    second = confirm_dispatch(
        session, t2.number, engineer_code=w.engineer, depot_code=w.depot, actor="d"
    )
    rmas.move_rma(session, second.rma_number, "ship", actor="wh")
    with pytest.raises(Conflict):
        rmas.move_rma(session, second.rma_number, "cancel", actor="d")
    assert session.scalar(select(Rma.status).where(Rma.number == second.rma_number)) == "shipped"
    assert verify_ledger(session) == []


def test_tracking_codes_are_long_random_and_unique(session):
    w = make_world(session)
    for i in range(20):
        rmas.open_rma(
            session,
            rmas.RmaRequest(
                kind="return_for_repair",
                site_code=w.site,
                faulty_part_number=w.part,
                fault_symptom=str(i),
            ),
            actor="d",
        )
    codes = session.scalars(select(Rma.tracking_code)).all()
    assert len(set(codes)) == 20
    # 16 Crockford base-32 characters = 80 random bits, readable out loud (issue 13)
    assert all(len(c) == 16 and set(c) <= set(CROCKFORD) for c in codes)


def test_an_rma_carries_the_repair_request_forms_header_from_the_customer_and_site(session):
    w = make_world(session)
    view = rmas.open_rma(
        session,
        rmas.RmaRequest(
            kind="return_for_repair",
            site_code=w.site,
            faulty_part_number=w.part,
            faulty_serial=w.equipment_serial,
            fault_symptom="no power",
            fax="010-99",
        ),
        actor="d",
    )
    assert (view.customer_unit, view.contact_name, view.phone, view.fax, view.postcode) == (
        "C001 Power Grid",
        "Han Mei",
        "010-1",
        "010-99",
        "100020",
    )
    assert view.in_warranty  # accepted 2025-03-01, warranty to 2028-03-01
    assert view.approve_due == view.requested_at + timedelta(
        hours=1
    )  # spare request answered within 1 h (7x24)


# --- a ticket's RMA closes with it, whichever finishes first (issue 13) -------------------


def _fixed_and_delivered(session) -> tuple[str, str]:
    """A ticket whose engineer fixed it with a delivered spare: (ticket, RMA) numbers; the
    faulty part is still at the customer's."""
    number = _delivered(session)
    ticket = session.scalar(select(Ticket.number).join(Rma).where(Rma.number == number))
    for action in ("arrive", "resolve"):
        tickets.move_ticket(session, ticket, action, actor="eng", now=THURSDAY_10H)
    return ticket, number


def _part_comes_back(
    session, number: str, at=THURSDAY_10H + timedelta(hours=5), received=None
) -> None:
    """The customer sends the faulty part back at ``at``; BJ01 receives it at ``received``
    (the same moment unless given)."""
    rmas.move_rma(session, number, "return_faulty", actor="customer", now=at)
    rmas.move_rma(
        session,
        number,
        "receive_faulty",
        actor="wh",
        given=rmas.MoveInput(depot="BJ01"),
        now=received or at,
    )


def _customer_confirms(session, ticket: str) -> None:
    tickets.close_ticket(session, ticket, actor="customer.sgcc", confirmed=True, ratings={})


def _rma_status(session, number: str) -> str:
    session.expire_all()
    return session.scalar(select(Rma.status).where(Rma.number == number))


def test_closing_a_ticket_closes_its_rma_once_the_faulty_part_is_back(session):
    ticket, number = _fixed_and_delivered(session)
    _part_comes_back(session, number)
    assert _rma_status(session, number) == "faulty_received"  # the ticket is still open

    _customer_confirms(session, ticket)

    assert _rma_status(session, number) == "closed"
    assert verify_ledger(session) == []


def test_an_rma_finishing_after_its_ticket_was_closed_closes_too(session):
    ticket, number = _fixed_and_delivered(session)
    _customer_confirms(session, ticket)
    assert _rma_status(session, number) == "delivered"  # the faulty part is still out

    _part_comes_back(session, number)

    rma = rmas.rma_by_ref(session, number)
    assert rma.status == "closed" and rma.closed_at is not None
    moves = session.scalars(
        select(Event.kind).where(Event.subject_ref == number).order_by(Event.id)
    ).all()
    assert moves[-2:] == ["receive_faulty", "close"]
    assert verify_ledger(session) == []


def test_an_rma_without_a_closed_ticket_waits_for_it(session):
    _ticket, number = _fixed_and_delivered(session)  # resolved, not yet confirmed
    _part_comes_back(session, number)
    assert _rma_status(session, number) == "faulty_received"


def test_a_ticket_closing_while_its_part_is_received_leaves_the_rma_closed(session, database_url):
    """The customer confirms the fix at the moment the warehouse books the faulty part in:
    whichever commits first, the RMA ends closed, once."""
    ticket, number = _fixed_and_delivered(session)
    rmas.move_rma(session, number, "return_faulty", actor="customer", now=THURSDAY_10H)
    engine = make_engine(database_url, pool_size=2, max_overflow=0)
    steps = [
        lambda s: _customer_confirms(s, ticket),
        lambda s: rmas.move_rma(
            s, number, "receive_faulty", actor="wh", given=rmas.MoveInput(depot="BJ01")
        ),
    ]
    results = at_once(2, lambda s, i: steps[i](s), sessions=make_session_factory(engine))
    engine.dispose()
    assert [r for r in results if isinstance(r, Exception)] == []
    assert _rma_status(session, number) == "closed"
    closes = (
        select(func.count())
        .select_from(Event)
        .where(Event.subject_ref == number, Event.kind == "close")
    )
    assert session.scalar(closes) == 1
