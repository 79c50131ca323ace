"""Finding depots, parts, locations and items by the codes people type or scan."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import InstrumentedAttribute, Session

from inventory.errors import Conflict, NotFound
from inventory.serials import normalize_serial
from models import Depot, Engineer, Location, Part, SerialItem, Ticket
from models.enums import VIRTUAL_LOCATIONS, LocationKind


def is_row_id(text: str) -> bool:
    """A reference given as a numeric row id: ASCII digits that fit a 64-bit integer
    (``str.isdigit`` alone also takes "³", and numbers no id column holds)."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def one_by(
    session: Session,
    column: InstrumentedAttribute[str],
    value: str,
    what: str,
    *,
    field: str,
    noun: str | None = None,
):
    """The row whose unique `column` holds `value` (a code people type); NotFound naming
    `field` ("unknown depot 'X'", or `noun` for `what` in words) when there is none."""
    row = session.scalar(select(column.class_).where(column == value))
    if row is None:
        raise NotFound.unknown(what, value, noun=noun, field=field)
    return row


def refuse_taken(
    session: Session, column: InstrumentedAttribute[str], value: str, what: str, *, field: str
) -> None:
    """Conflict naming `field` ("customer 'X' already exists") when a row already holds
    `value` in its unique `column` (the constraint still decides a race)."""
    if session.scalar(select(column).where(column == value)) is not None:
        raise Conflict(
            f"{what} {value} already exists",
            field=field,
            key="taken",
            params={"what": what, "value": value},
        )


def engineer_by_code(session: Session, code: str, *, field: str = "engineer") -> Engineer:
    """An active engineer by code; a former one (inactive) is unknown."""
    engineer = one_by(session, Engineer.code, code, "engineer", field=field)
    if not engineer.active:
        raise NotFound.unknown("engineer", code, field=field)
    return engineer


def depot_by_code(session: Session, code: str, *, field: str = "depot") -> Depot:
    return one_by(session, Depot.code, code, "depot", field=field)


def part_by_number(session: Session, part_number: str, *, field: str = "part_number") -> Part:
    return one_by(session, Part.part_number, part_number, "part", field=field)


def virtual_location(session: Session, kind: LocationKind) -> Location:
    """The one location of a virtual kind (created by the first migration; re-created
    race-free here if someone deleted it)."""
    code = VIRTUAL_LOCATIONS[kind]
    loc = session.scalar(select(Location).where(Location.code == code))
    if loc is None:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(Location)
            .values(code=code, name=code.replace("-", " ").title(), kind=kind.value)
            .on_conflict_do_nothing()
        )
        loc = session.scalars(select(Location).where(Location.code == code)).one()
    return loc


def item_by_serial(
    session: Session, serial: str, part_number: str | None = None, *, field: str = "serial"
) -> SerialItem:
    """The item with this serial; the part number disambiguates when two parts share one."""
    serial = normalize_serial(serial)
    stmt = select(SerialItem).where(SerialItem.serial == serial)
    if part_number:
        stmt = stmt.join(Part).where(Part.part_number == part_number)
    items = list(session.scalars(stmt.limit(2)))
    if not items:
        raise no_serial(serial, field=field)
    if len(items) > 1:
        raise serial_of_several_parts(serial)
    return items[0]


def no_serial(serial: str, *, field: str = "serial") -> NotFound:
    """No item has ``serial``."""
    return NotFound(
        f"no item with serial {serial!r}",
        field=field,
        key="no_serial",
        params={"serial": serial},
    )


def serial_of_several_parts(serial: str) -> NotFound:
    """Items of several parts have ``serial``: the part number must say which."""
    return NotFound(
        f"serial {serial!r} exists for several parts; give part_number",
        field="part_number",
        key="serial_several_parts",
        params={"serial": serial},
    )


def by_ref(
    session: Session,
    model: Any,
    ref: str | int,
    what: str,
    *,
    field: str,
    noun: str | None = None,
    customer_id: int | None = None,
) -> Any:
    """The ``model`` record by its number (TKT-2026-000001) or numeric id; NotFound as
    ``one_by`` when there is none, or when it is not ``customer_id``'s (another customer's
    record is unknown to them)."""
    text = str(ref)
    wanted = model.id == int(text) if is_row_id(text) else model.number == text
    row = session.scalar(select(model).where(wanted))
    if row is None or (customer_id is not None and row.customer_id != customer_id):
        raise NotFound.unknown(what, text, noun=noun, field=field)
    return row


def ticket_by_ref(
    session: Session, ref: str | int, *, field: str = "ref", customer_id: int | None = None
) -> Ticket:
    """A ticket by number (TKT-2026-000001) or numeric id (and ``customer_id``'s, when
    given: another customer's ticket is unknown to them)."""
    return by_ref(session, Ticket, ref, "ticket", field=field, customer_id=customer_id)


_T = TypeVar("_T")


def must_get(session: Session, model: type[_T], ident: int | None) -> _T:
    """A row the data guarantees (a foreign key we hold); NotFound if it is gone."""
    found = session.get(model, ident) if ident is not None else None
    if found is None:
        raise NotFound(
            f"{model.__name__} {ident} no longer exists",
            key="gone",
            params={"what": model.__name__.lower(), "value": ident},
        )
    return found
