"""Dispatchers racing for the last spares: the database decides, nobody gets a unit twice,
the loser is told 409 and nothing of the losing attempt is left behind."""

from __future__ import annotations

from sqlalchemy import func, select

from inventory.dispatch_service import confirm_dispatch
from inventory.errors import Conflict
from inventory.receiving import receive_from_supplier
from inventory.verify import verify_ledger
from models import Event, Rma, SerialItem, Ticket
from models.db import make_engine, make_session_factory
from tests.builders import bearer, make_user
from tests.races import at_once
from tests.service_builders import make_engineer, make_world, open_fault


def test_two_dispatchers_confirming_the_last_spare_one_wins_one_gets_409(app, db):
    w = make_world(db, spares=1)
    second_engineer = make_engineer(db, "ENG-2", lat=39.92, lon=116.42, name="李娜")
    first = open_fault(db, w, severity="P1", symptom="a", actor="d").number
    second = open_fault(
        db, w, symptom="b", actor="d", equipment_serial=None, part_number=w.part
    ).number
    tokens = [bearer(make_user(db, "dispatcher", f"disp{i}")[1]) for i in range(2)]
    db.rollback()
    jobs = [(first, w.engineer), (second, second_engineer)]

    def confirm(i: int):
        ticket, engineer = jobs[i]
        with app.test_client() as client:
            return client.post(
                f"/api/tickets/{ticket}/dispatch",
                headers=tokens[i],
                json={"engineer": engineer, "depot": w.depot, "mode": "pickup"},
            )

    responses = at_once(2, confirm)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409], [r.json for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.headers["Content-Type"] == "application/problem+json"
    db.rollback()
    assert (
        db.scalar(select(SerialItem.status).where(SerialItem.serial == w.spares[0])) == "reserved"
    )
    assert db.scalar(select(func.count()).select_from(Rma)) == 1  # the loser opened nothing
    statuses = sorted(db.scalars(select(Ticket.status)))
    assert statuses == ["dispatched", "new"]  # the losing ticket is still waiting, unassigned
    assert (
        db.scalar(select(func.count()).select_from(Ticket).where(Ticket.engineer_id.is_not(None)))
        == 1
    )
    assert verify_ledger(db) == []


def test_twenty_dispatchers_for_twenty_tickets_share_five_spares_without_a_double_promise(
    session, database_url
):
    w = make_world(session, spares=5)
    engineers = [
        make_engineer(session, f"E-{i:02d}", lat=39.9 + i * 0.001, lon=116.4) for i in range(20)
    ]
    for i in range(5, 8):  # faulty units of the same part on the shelf are no spares
        receive_from_supplier(
            session,
            depot_code=w.depot,
            part_number=w.part,
            actor="wh",
            serial=f"OTHER-{i}",
            condition="faulty",
        )
    tickets = [
        open_fault(
            session, w, symptom=str(i), actor="d", equipment_serial=None, part_number=w.part
        ).number
        for i in range(20)
    ]
    engine = make_engine(database_url, pool_size=20, max_overflow=0)
    sessions = make_session_factory(engine)

    def confirm(i: int):
        with sessions() as s:
            return confirm_dispatch(
                s, tickets[i], engineer_code=engineers[i], depot_code=w.depot, actor=f"disp{i}"
            )

    results = at_once(20, confirm)
    engine.dispose()
    wins = [r for r in results if not isinstance(r, Exception)]
    losses = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, Conflict) for e in losses), losses
    assert len(wins) == 5 and len(losses) == 15
    assert sorted(r.reserved_serial for r in wins) == list(w.spares)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Rma)) == 5
    assert (
        session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.status == "dispatched")
        )
        == 5
    )
    assert (
        session.scalar(select(func.count()).select_from(Event).where(Event.kind == "dispatch")) == 5
    )
    assert verify_ledger(session) == []


def test_two_clerks_receiving_one_transfer_at_once_book_it_once(session, database_url):
    from inventory import transfers
    from inventory.queries import availability
    from tests.builders import make_depot, make_part

    make_depot(session, "SH01")
    make_depot(session, "GZ01")
    make_part(session, "NET-SFP", tracking="counted", category="network", kind="consumable")
    receive_from_supplier(session, depot_code="SH01", part_number="NET-SFP", qty=10, actor="wh")

    def ship(qty: int) -> str:
        line = transfers.LineRequest("NET-SFP", qty=qty)
        return transfers.ship_transfer(
            session, from_depot="SH01", to_depot="GZ01", actor="wh", lines=[line]
        ).number

    number, _other = ship(4), ship(4)  # 8 units in transit: enough to book the first twice
    engine = make_engine(database_url, pool_size=4, max_overflow=0)
    sessions = make_session_factory(engine)

    def receive(i: int):
        with sessions() as s:
            return transfers.receive_transfer(s, number=number, received=None, actor=f"clerk{i}")

    results = at_once(2, receive)
    engine.dispose()
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(losses) == 1 and isinstance(losses[0], Conflict), results
    session.expire_all()
    assert {a.depot: a.available for a in availability(session, "NET-SFP")} == {
        "SH01": 2,
        "GZ01": 4,
    }
    received = select(func.count()).select_from(Event).where(Event.kind == "received")
    assert session.scalar(received.where(Event.subject_type == "transfer")) == 1
    assert verify_ledger(session) == []
