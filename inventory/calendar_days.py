"""The working calendar's exceptions, as an administrator keeps them: a company holiday
(a day off the country's calendar does not know) or a day worked that would otherwise be
off. The clocks of every contract in that country count them from the moment they are
saved (``inventory.contracts.contract_calendar``); tickets already open keep the
deadlines they were given.

Each change is an event on the subject ``calendar`` named by the country code, so the
audit trail of "CN" lists every holiday added or removed there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inventory.errors import Conflict, NotFound
from inventory.events import record_on
from inventory.transaction import transaction
from models import CalendarException


@dataclass(frozen=True)
class DayException:
    id: int
    country: str
    day: date
    working: bool  # False: a day off (company holiday); True: a day worked
    name: str
    created_by: str


def exception_view(row: CalendarException) -> DayException:
    return DayException(row.id, row.country, row.day, row.working, row.name, row.created_by)


def exceptions_for(session: Session, country: str) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, days worked) of ``country``'s company calendar."""
    rows = session.execute(
        select(CalendarException.day, CalendarException.working).where(
            CalendarException.country == country
        )
    ).all()
    return (
        frozenset(day for day, working in rows if not working),
        frozenset(day for day, working in rows if working),
    )


def _day_taken(day: date, country: str) -> Conflict:
    return Conflict(
        f"{day.isoformat()} is already an exception in {country}",
        field="day",
        key="day_already_exception",
        params={"day": day.isoformat(), "country": country},
    )


def add_exception(
    session: Session,
    *,
    day: date,
    name: str,
    working: bool = False,
    country: str = "CN",
    actor: str,
) -> DayException:
    """Add a company holiday (or a day worked); Conflict when the day already has one.
    Commits."""
    country = country.upper()
    with transaction(session):
        taken = session.scalar(
            select(CalendarException.id).where(
                CalendarException.country == country, CalendarException.day == day
            )
        )
        if taken is not None:
            raise _day_taken(day, country)
        row = CalendarException(
            country=country, day=day, working=working, name=name, created_by=actor
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # the same day added at the same moment: the database decides
            raise _day_taken(day, country) from None
        view = exception_view(row)
        record_on(
            session,
            "calendar",
            row,
            "day_added",
            actor=actor,
            ref=country,
            data={"day": day, "working": working, "name": name},
        )
        return view


def remove_exception(session: Session, exception_id: int, *, actor: str) -> DayException:
    """Remove one exception (the day goes back to the country's calendar). Commits."""
    with transaction(session):
        row = session.get(CalendarException, exception_id)
        if row is None:
            raise NotFound.unknown(
                "calendar_exception",
                exception_id,
                message=f"no calendar exception {exception_id}",
            )
        view = exception_view(row)
        session.delete(row)
        record_on(
            session,
            "calendar",
            view,
            "day_removed",
            actor=actor,
            ref=view.country,
            data={"day": view.day, "working": view.working, "name": view.name},
        )
        return view
