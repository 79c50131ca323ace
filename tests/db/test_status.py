"""The compare-and-set of a record's status (inventory.status): written only while the
status is still the one read."""

from __future__ import annotations

from sqlalchemy import select

from inventory.status import update_if_status
from models import Ticket
from tests.service_builders import make_world, open_fault


def test_a_status_read_before_someone_else_changed_it_changes_nothing(session):
    number = open_fault(session, make_world(session)).number
    ticket = session.scalar(select(Ticket).where(Ticket.number == number))
    read = ticket.status

    assert update_if_status(session, ticket, read, {"status": "acknowledged"})
    assert not update_if_status(session, ticket, read, {"status": "cancelled"})
    session.expire(ticket)
    assert ticket.status == "acknowledged"


def test_any_of_several_statuses_may_be_the_one_expected(session):
    number = open_fault(session, make_world(session)).number
    ticket = session.scalar(select(Ticket).where(Ticket.number == number))

    assert update_if_status(session, ticket, ("acknowledged", "new"), {"status": "dispatched"})
    assert not update_if_status(session, ticket, ("acknowledged", "new"), {"status": "new"})
    session.expire(ticket)
    assert ticket.status == "dispatched"
