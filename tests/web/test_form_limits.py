"""The pages' forms take no more text than the API does (models/limits.py): an over-long
field is refused with a message naming it, and nothing is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.api.tickets import TicketCreate
from models import Ticket, limits
from tests.web.conftest import post_form


@pytest.fixture
def dispatcher(app, as_role):
    with app.app_context():
        return as_role("dispatcher")


def _fault_report(symptom: str, **extra: str) -> dict[str, str]:
    return {"site": "C001-S1", "severity": "P3", "channel": "phone", "symptom": symptom, **extra}


def _tickets(db) -> int:
    count = db.scalar(select(func.count()).select_from(Ticket))
    db.rollback()
    return count


def test_the_api_and_the_dispatchers_form_take_the_same_longest_symptom() -> None:
    (length,) = [v for v in TicketCreate().fields["symptom"].validators if hasattr(v, "max")]
    assert length.max == limits.SYMPTOM


def test_a_symptom_longer_than_the_api_accepts_is_refused_by_the_form_naming_the_field(
    dispatcher, db
) -> None:
    before = _tickets(db)

    response = post_form(
        dispatcher,
        "/dispatch/tickets",
        _fault_report("电源" * 50_000),  # 100,000 characters, as the attack stored
        page="/dispatch/",
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert f"故障现象最多 {limits.SYMPTOM} 个字符（收到 100000 个）" in page
    assert _tickets(db) == before


def test_an_over_long_contact_is_named_in_english_too(dispatcher, db) -> None:
    post_form(dispatcher, "/prefs", {"lang": "en"}, page="/dispatch/")
    before = _tickets(db)

    response = post_form(
        dispatcher,
        "/dispatch/tickets",
        _fault_report("PSU alarm", contact_name="x" * (limits.PERSON_NAME + 1)),
        page="/dispatch/",
        follow_redirects=True,
    )

    assert f"Contact: at most {limits.PERSON_NAME} characters" in response.get_data(as_text=True)
    assert _tickets(db) == before


def test_a_symptom_of_exactly_the_longest_length_is_taken(dispatcher, db) -> None:
    symptom = ("风扇告警" * limits.SYMPTOM)[: limits.SYMPTOM]

    response = post_form(dispatcher, "/dispatch/tickets", _fault_report(symptom), page="/dispatch/")

    assert response.status_code == 302 and "/dispatch/tickets/TKT-" in response.location
    stored = db.scalar(select(Ticket.symptom).order_by(Ticket.id.desc()).limit(1))
    assert stored == symptom


def test_the_form_tells_the_browser_the_same_limit(dispatcher) -> None:
    page = dispatcher.get("/dispatch/").get_data(as_text=True)
    assert f'name="symptom" required rows="3" maxlength="{limits.SYMPTOM}"' in page
