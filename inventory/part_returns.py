"""Where removed parts go back, and by when: return routing rules and the parts owed.

A part removed on a job (``inventory.job_parts``) rides in the engineer's van until it is
sent back. Which place it goes to and its deadline come from the most specific active
``ReturnRule`` matching it — part number, part category, condition, vendor and region
(the engineer's home city); each criterion left empty matches anything, the rule with
the most criteria set wins, ties to the oldest rule. No rule matching: the engineer's home
depot within ``DEFAULT_DEADLINE_HOURS``.

A return moves in two ledger legs like a transfer: the engineer sends it (van →
in-transit), the destination books it in (in-transit → the destination's location:
a depot's staff for a depot, the warehouse or an admin recording a vendor's receipt).
Both status changes are compare-and-set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.depot_access import check_acts_at
from inventory.errors import Conflict, Forbidden, InvalidInput, NotFound
from inventory.events import record_about, record_on
from inventory.ledger import Stamp, move_counted, move_serial
from inventory.lookups import one_by, part_by_number, virtual_location
from inventory.status import update_if_status
from inventory.transaction import transaction
from inventory.views import view_of
from models import (
    Depot,
    Engineer,
    Location,
    Part,
    PartReturn,
    ReturnRule,
    SerialItem,
    Ticket,
    utcnow,
)
from models.enums import (
    ItemStatus,
    LocationKind,
    MovementReason,
    RemovedCondition,
    ReturnStatus,
)

DEFAULT_DEADLINE_HOURS = 7 * 24


# --- vendor locations -------------------------------------------------------------------


def create_vendor_location(
    session: Session, *, code: str, name: str, vendor: str, actor: str, city: str | None = None
) -> Location:
    """A vendor's own site that parts go back to (e.g. its Shanghai hub); commits."""
    with transaction(session):
        if session.scalar(select(Location.id).where(Location.code == code)):
            raise Conflict(
                f"location {code} exists already",
                field="code",
                key="taken",
                params={"what": "location", "value": code},
            )
        location = Location(
            code=code, name=name, kind=LocationKind.VENDOR.value, vendor=vendor, city=city
        )
        session.add(location)
        session.flush()
        record_on(
            session,
            "location",
            location,
            "vendor_location_created",
            actor=actor,
            ref=code,
            data={"vendor": vendor, "city": city},
        )
        return location


def return_destinations(session: Session) -> list[Location]:
    """Places a rule can send parts to: depots' locations and vendors' sites, by code."""
    return list(
        session.scalars(
            select(Location)
            .where(Location.kind.in_((LocationKind.DEPOT.value, LocationKind.VENDOR.value)))
            .order_by(Location.kind, Location.code)
        )
    )


# --- rules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleView:
    id: int
    name: str
    part_number: str | None
    category: str | None
    condition: str
    vendor: str | None
    region: str | None
    destination: str | None  # a location code; None with to_home_depot
    destination_name: str | None
    to_home_depot: bool
    deadline_hours: int
    active: bool


def rule_view(rule: ReturnRule) -> RuleView:
    return view_of(
        RuleView,
        rule,
        part_number=rule.part.part_number if rule.part else None,
        destination=rule.destination.code if rule.destination else None,
        destination_name=rule.destination.name if rule.destination else None,
    )


def create_rule(
    session: Session,
    *,
    name: str,
    condition: str,
    deadline_hours: int,
    actor: str,
    part_number: str | None = None,
    category: str | None = None,
    vendor: str | None = None,
    region: str | None = None,
    destination: str | None = None,
    to_home_depot: bool = False,
) -> RuleView:
    """A return routing rule; commits. ``destination`` is a depot's or vendor's location
    code; exactly one of it and ``to_home_depot``."""
    if condition not in {c.value for c in RemovedCondition}:
        raise InvalidInput("condition is faulty or good", field="condition", key="condition_choice")
    if deadline_hours <= 0:
        raise InvalidInput(
            "the deadline is a positive number of hours",
            field="deadline_hours",
            key="deadline_hours_positive",
        )
    if bool(destination) == bool(to_home_depot):
        raise InvalidInput(
            "send the parts to one place: a destination or the engineer's home depot",
            field="destination",
            key="return_one_place",
        )
    with transaction(session):
        target = None
        if destination:
            target = one_by(session, Location.code, destination, "location", field="destination")
            if target.kind not in (LocationKind.DEPOT.value, LocationKind.VENDOR.value):
                raise InvalidInput(
                    "parts go back to a depot or a vendor's site",
                    field="destination",
                    key="return_destination_kind",
                )
        part = part_by_number(session, part_number) if part_number else None
        rule = ReturnRule(
            name=name,
            part_id=part.id if part else None,
            category=category or None,
            condition=condition,
            vendor=vendor or None,
            region=region or None,
            destination_location_id=target.id if target else None,
            to_home_depot=bool(to_home_depot),
            deadline_hours=deadline_hours,
            created_by=actor,
        )
        session.add(rule)
        session.flush()
        record_on(
            session,
            "return_rule",
            rule,
            "created",
            actor=actor,
            ref=name,
            data={"destination": destination, "to_home_depot": to_home_depot},
        )
        session.refresh(rule)
        return rule_view(rule)


def set_rule_active(session: Session, rule_id: int, *, active: bool, actor: str) -> RuleView:
    with transaction(session):
        rule = session.get(ReturnRule, rule_id)
        if rule is None:
            raise NotFound.unknown("return_rule", rule_id, field="id")
        rule.active = active
        record_on(
            session,
            "return_rule",
            rule,
            "activated" if active else "deactivated",
            actor=actor,
            ref=rule.name,
        )
        return rule_view(rule)


def list_rules(session: Session) -> list[RuleView]:
    return [rule_view(r) for r in session.scalars(select(ReturnRule).order_by(ReturnRule.id))]


def _matches(rule: ReturnRule, part: Part, condition: str, region: str | None) -> int | None:
    """How many criteria the rule sets, when all of them match; None otherwise."""
    if rule.condition != condition:
        return None
    checks = [
        (rule.part_id, part.id),
        (rule.category, part.category),
        (rule.vendor and rule.vendor.casefold(), (part.vendor or "").casefold()),
        (rule.region and rule.region.casefold(), (region or "").casefold()),
    ]
    score = 0
    for wanted, actual in checks:
        if wanted:
            if wanted != actual:
                return None
            score += 1
    return score


@dataclass(frozen=True)
class Routing:
    rule: ReturnRule | None
    destination: Location
    due_at: datetime


def route_removed_part(
    session: Session, part: Part, condition: str, engineer: Engineer, now: datetime
) -> Routing:
    """Where a removed part goes and by when (module docstring)."""
    best: tuple[int, int, ReturnRule] | None = None
    for candidate in session.scalars(select(ReturnRule).where(ReturnRule.active)):
        score = _matches(candidate, part, condition, engineer.home_city)
        if score is not None and (best is None or (-score, candidate.id) < (-best[0], best[1])):
            best = (score, candidate.id, candidate)
    rule: ReturnRule | None = best[2] if best else None
    hours = rule.deadline_hours if rule else DEFAULT_DEADLINE_HOURS
    if rule is not None and rule.destination_location_id is not None:
        target = session.get_one(Location, rule.destination_location_id)
    else:
        if engineer.base_depot_id is None:
            raise InvalidInput(
                f"no return rule sends this part anywhere and {engineer.code} has no home "
                "depot; ask an administrator",
                field="part_number",
                key="no_return_destination",
                params={"engineer": engineer.code},
            )
        target = session.get_one(Depot, engineer.base_depot_id).location
    return Routing(rule, target, now + timedelta(hours=hours))


# --- the parts owed back ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnView:
    number: str
    part_number: str
    serial: str | None
    qty: int
    condition: str
    ticket_number: str
    engineer_code: str
    engineer_name: str
    rule: str | None
    destination: str
    destination_name: str
    destination_kind: str
    due_at: datetime
    status: str
    overdue: bool
    shipped_at: datetime | None
    waybill: str | None
    received_at: datetime | None


def return_view(session: Session, r: PartReturn, now: datetime) -> ReturnView:
    ticket = session.get_one(Ticket, r.ticket_id)
    done = r.received_at or r.shipped_at
    return view_of(
        ReturnView,
        r,
        part_number=r.part.part_number,
        ticket_number=ticket.number,
        engineer_code=r.engineer.code,
        engineer_name=r.engineer.name,
        rule=r.rule.name if r.rule else None,
        destination=r.destination.code,
        destination_name=r.destination.name,
        destination_kind=r.destination.kind,
        overdue=(done or now) > r.due_at,
    )


def returns(
    session: Session,
    *,
    engineer_id: int | None = None,
    destination_ids: frozenset[int] | None = None,
    open_only: bool = True,
    now: datetime | None = None,
) -> list[ReturnView]:
    """Removed parts owed back (open: not yet received), soonest deadline first; for one
    engineer, or arriving at some locations."""
    now = now or utcnow()
    stmt = select(PartReturn).order_by(PartReturn.due_at, PartReturn.id).limit(500)
    if open_only:
        stmt = stmt.where(PartReturn.status != ReturnStatus.RECEIVED.value)
    if engineer_id is not None:
        stmt = stmt.where(PartReturn.engineer_id == engineer_id)
    if destination_ids is not None:
        stmt = stmt.where(PartReturn.destination_location_id.in_(destination_ids))
    return [return_view(session, r, now) for r in session.scalars(stmt)]


def _return(session: Session, number: str) -> PartReturn:
    return one_by(session, PartReturn.number, number, "part_return", field="number", noun="return")


def _claim(session: Session, row: PartReturn, was: ReturnStatus, values: dict) -> None:
    if not update_if_status(session, row, was.value, values):
        raise Conflict(
            f"return {row.number} is no longer {was.value}",
            field="number",
            key="return_changed",
            params={"ref": row.number, "return_status": was.value},
        )
    session.expire(row)


def _move(
    session: Session, row: PartReturn, source: Location, target: Location, stamp: Stamp,
    *, to_status: str, expect: tuple[str, ...], expect_ref: str | None, keep_ref: bool,
) -> None:  # fmt: skip
    if row.serial_item_id is not None:
        item = session.get_one(SerialItem, row.serial_item_id)
        session.refresh(item)
        move_serial(
            session,
            item,
            target,
            to_status=to_status,
            stamp=stamp,
            expect_statuses=expect,
            reserved_ref=row.number if keep_ref else None,
            expect_reserved_ref=expect_ref,
        )
    else:
        move_counted(
            session,
            row.part,
            source,
            target,
            row.qty,
            stamp=stamp,
            condition=row.condition,
            from_reserved=source.kind == LocationKind.VAN.value,
        )


def ship_return(
    session: Session,
    number: str,
    *,
    engineer_id: int | None,
    actor: str,
    waybill: str | None = None,
    now: datetime | None = None,
) -> ReturnView:
    """The engineer sends a removed part on its way (van → in-transit); commits."""
    now = now or utcnow()
    with transaction(session):
        row = _return(session, number)
        if engineer_id is not None and row.engineer_id != engineer_id:
            raise NotFound.unknown("part_return", number, noun="return", field="number")
        if row.status != ReturnStatus.OWED.value:
            raise Conflict(
                f"return {number} is {row.status}",
                field="number",
                key="return_cannot",
                params={"ref": number, "return_status": row.status},
            )
        van = session.get_one(Location, row.engineer.van_location_id)
        transit = virtual_location(session, LocationKind.IN_TRANSIT)
        _claim(
            session,
            row,
            ReturnStatus.OWED,
            {"status": ReturnStatus.SHIPPED.value, "shipped_at": now, "waybill": waybill},
        )
        stamp = Stamp(actor, MovementReason.PART_RETURN_OUT.value, row.number, waybill)
        _move(
            session, row, van, transit, stamp, to_status=ItemStatus.IN_TRANSIT.value,
            expect=(ItemStatus.RESERVED.value,), expect_ref=row.number, keep_ref=True,
        )  # fmt: skip
        _event(session, row, "return_shipped", ReturnStatus.OWED, actor, now)
        return return_view(session, row, now)


def receive_return(
    session: Session, number: str, *, actor: str, now: datetime | None = None
) -> ReturnView:
    """The destination books a returned part in (in-transit → its location): a depot's
    own staff for a depot; for a vendor's site, whoever records the vendor's receipt.
    Commits."""
    now = now or utcnow()
    with transaction(session):
        row = _return(session, number)
        if row.status != ReturnStatus.SHIPPED.value:
            raise Conflict(
                f"return {number} is {row.status}; it must be sent first",
                field="number",
                key="return_not_sent",
                params={"ref": number, "return_status": row.status},
            )
        target = row.destination
        if target.depot is not None:
            check_acts_at(session, target.depot, field="number")
        elif target.kind != LocationKind.VENDOR.value:
            raise Forbidden(
                f"nobody receives at {target.code}",
                field="number",
                key="nobody_receives",
                params={"location": target.code},
            )
        transit = virtual_location(session, LocationKind.IN_TRANSIT)
        _claim(
            session,
            row,
            ReturnStatus.SHIPPED,
            {"status": ReturnStatus.RECEIVED.value, "received_at": now, "received_by": actor},
        )
        to_status = (
            ItemStatus.AT_VENDOR
            if target.kind == LocationKind.VENDOR.value
            else ItemStatus.IN_STOCK
        ).value
        stamp = Stamp(actor, MovementReason.PART_RETURN_IN.value, row.number)
        _move(
            session, row, transit, target, stamp, to_status=to_status,
            expect=(ItemStatus.IN_TRANSIT.value,), expect_ref=None, keep_ref=False,
        )  # fmt: skip
        _event(session, row, "return_received", ReturnStatus.SHIPPED, actor, now)
        return return_view(session, row, now)


def _event(
    session: Session, row: PartReturn, kind: str, was: ReturnStatus, actor: str, now: datetime
) -> None:
    ticket = session.get_one(Ticket, row.ticket_id)
    record_about(
        session,
        ticket,
        kind,
        from_state=was.value,
        to_state=row.status,
        actor=actor,
        at=now,
        customer_visible=False,
        data={
            "return": row.number,
            "part_number": row.part.part_number,
            "serial": row.serial,
            "destination": row.destination.code,
        },
    )
