"""Parts used on a job: what the engineer consumed and removed, as the ticket's parts list.

Consumed — from the van (the van's unit moves to the customer: a compare-and-set, so of
two jobs taking the van's last unit one gets a Conflict), or from a depot pickup or a
courier delivery (the job's advance replacement carries it: ``inventory.visits``).
Removed — faulty, or unused and still good: the unit moves from the customer into the
van, set aside (held) for its return, and a ``PartReturn`` records where it goes and by
when (``inventory.part_returns``). A faulty unit that the job's advance replacement is
waiting for goes back on that RMA instead, as before.

The installed base follows: a serial removed from the ticket's site and a serial of the
same part installed on the same ticket swap places in the equipment record. Each line
carries the part's cost and whether the contract pays for it (``visits.part_terms``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.errors import Conflict, InvalidInput
from inventory.events import record_about
from inventory.installed_base import enter_installed_unit
from inventory.ledger import Stamp, hold_counted, move_counted, move_serial
from inventory.lookups import part_by_number, virtual_location
from inventory.numbering import next_number
from inventory.part_returns import route_removed_part
from inventory.serials import normalize_serial
from inventory.vans import van_location
from inventory.visits import (
    VisitPartView,
    VisitView,
    job_replacement,
    part_terms,
    record_part,
    ticket_for_engineer,
    visit_step,
    visit_view,
    written_view,
)
from logistics.calendars import require_utc
from models import (
    Engineer,
    Equipment,
    Part,
    PartReturn,
    SerialItem,
    Ticket,
    Visit,
    VisitPart,
    utcnow,
)
from models.enums import (
    Condition,
    ItemStatus,
    LocationKind,
    MovementReason,
    PartSource,
    RemovedCondition,
    Tracking,
)


def _engineer(session: Session, ticket: Ticket) -> Engineer:
    engineer = session.get(Engineer, ticket.engineer_id) if ticket.engineer_id else None
    if engineer is None:
        raise Conflict(
            f"ticket {ticket.number} has no engineer",
            field="ref",
            key="ticket_no_engineer",
            params={"ref": ticket.number},
        )
    return engineer


def _scanned_serial(part: Part, serial: str | None) -> str | None:
    """The serial scanned for ``part`` on the job: required (and normalized) when the part
    is serialized; None for a counted part, which takes no serial."""
    if part.tracking == Tracking.SERIALIZED.value:
        if not serial:
            raise InvalidInput(
                f"{part.part_number} is serialized: scan it",
                field="serial",
                key="serialized_scan",
                params={"part": part.part_number},
            )
        return normalize_serial(serial)
    if serial:
        raise InvalidInput(
            f"{part.part_number} is counted",
            field="serial",
            key="row.no_serials",
            params={"part": part.part_number},
        )
    return None


def record_consumed(
    session: Session,
    ref: str,
    *,
    engineer_id: int | None,
    actor: str,
    part_number: str,
    source: str,
    serial: str | None = None,
    qty: int = 1,
    now: datetime | None = None,
) -> VisitView:
    """A part consumed on the job (module docstring); commits, or changes nothing."""
    now = require_utc(now or utcnow(), "now")
    try:
        source = PartSource(source).value
    except ValueError:
        raise InvalidInput(
            "source is van, depot_pickup or courier", field="source", key="part_source_choice"
        ) from None
    if source != PartSource.VAN.value:  # the job's advance replacement carries it
        if not serial:
            raise InvalidInput(
                "scan the serial of the spare installed", field="serial", key="scan_installed"
            )
        return record_part(
            session, ref, engineer_id=engineer_id, actor=actor, installed_serial=serial, now=now
        )
    if qty <= 0:
        raise InvalidInput("quantity must be positive", field="qty", key="qty_positive")

    with visit_step(session, ref, engineer_id, actor=actor, now=now) as (ticket, visit):
        engineer = _engineer(session, ticket)
        van = van_location(session, engineer)
        part = part_by_number(session, part_number)
        customer = virtual_location(session, LocationKind.CUSTOMER_SITE)
        stamp = Stamp(actor, MovementReason.USED_ON_JOB.value, ticket.number)
        installed = _scanned_serial(part, serial)
        count = qty
        if installed is not None:
            item = session.scalar(
                select(SerialItem).where(
                    SerialItem.part_id == part.id, SerialItem.serial == installed
                )
            )
            if item is None or item.location_id != van.id:
                raise Conflict(
                    f"{installed} is not in the van of {engineer.code}",
                    field="serial",
                    key="not_in_van",
                    params={"serial": installed, "engineer": engineer.code},
                )
            move_serial(
                session,
                item,
                customer,
                to_status=ItemStatus.AT_CUSTOMER.value,
                stamp=stamp,
                expect_statuses=(ItemStatus.IN_STOCK.value,),
            )
            if item.condition != Condition.GOOD.value:
                raise Conflict(
                    f"{installed} in the van is {item.condition}",
                    field="serial",
                    key="van_unit_condition",
                    params={"serial": installed, "condition": item.condition},
                )
            count = 1
        else:
            move_counted(
                session, part, van, customer, qty, stamp=stamp, condition=Condition.GOOD.value
            )
        cost, covered = part_terms(session, ticket, part, now)
        session.add(
            VisitPart(
                visit_id=visit.id,
                part_id=part.id,
                qty=count,
                installed_serial=installed,
                source=source,
                consumed_qty=count,
                unit_cost=cost,
                covered=covered,
                recorded_by=actor,
                recorded_at=now,
            )
        )
        session.flush()
        _follow_installed_base(session, ticket, part, actor, now)
        _event(session, ticket, "part_used", actor, now, {
            "visit": visit.number, "part_number": part.part_number, "source": source,
            "installed": installed, "qty": count,
        })  # fmt: skip
        return written_view(session, visit)


def record_removed(
    session: Session,
    ref: str,
    *,
    engineer_id: int | None,
    actor: str,
    part_number: str,
    condition: str,
    serial: str | None = None,
    qty: int = 1,
    now: datetime | None = None,
) -> VisitView:
    """A part taken out on the job (module docstring); commits, or changes nothing."""
    now = require_utc(now or utcnow(), "now")
    try:
        condition = RemovedCondition(condition).value
    except ValueError:
        raise InvalidInput(
            "condition is faulty or good", field="condition", key="condition_choice"
        ) from None
    if qty <= 0:
        raise InvalidInput("quantity must be positive", field="qty", key="qty_positive")
    ticket = ticket_for_engineer(session, ref, engineer_id)
    rma = job_replacement(session, ticket)
    part = part_by_number(session, part_number)
    if (
        rma is not None
        and condition == RemovedCondition.FAULTY.value
        and rma.faulty_part_id == part.id
        and rma.faulty_shipped_at is None
        and serial
    ):  # the advance replacement waits for this faulty unit: it goes back on the RMA
        return record_part(
            session, ref, engineer_id=engineer_id, actor=actor, removed_serial=serial, now=now
        )

    with visit_step(session, ref, engineer_id, actor=actor, now=now) as (ticket, visit):
        engineer = _engineer(session, ticket)
        van = van_location(session, engineer)
        number = next_number(session, "RET", now)
        stamp = Stamp(actor, MovementReason.REMOVED_ON_JOB.value, ticket.number, number)
        removed = _scanned_serial(part, serial)
        item_id, count = None, qty
        if removed is not None:
            item = enter_installed_unit(session, part, removed, actor, ticket.number)
            session.refresh(item)
            if item.status != ItemStatus.AT_CUSTOMER.value:
                raise Conflict(
                    f"{removed} is not installed at a customer (it is {item.status})",
                    field="serial",
                    key="not_installed",
                    params={"serial": removed, "item_status": item.status},
                )
            move_serial(
                session,
                item,
                van,
                to_status=ItemStatus.RESERVED.value,
                condition=condition,
                stamp=stamp,
                expect_statuses=(ItemStatus.AT_CUSTOMER.value,),
                reserved_ref=number,
            )
            item_id, count = item.id, 1
        else:
            # counted units were never tracked at the customer: they enter the ledger here
            supplier = virtual_location(session, LocationKind.SUPPLIER)
            move_counted(session, part, supplier, van, qty, stamp=stamp, condition=condition)
            hold_counted(session, part, van, condition, qty)
        cost, covered = part_terms(session, ticket, part, now)
        line = VisitPart(
            visit_id=visit.id,
            part_id=part.id,
            qty=count,
            removed_serial=removed,
            removed_qty=count,
            removed_condition=condition,
            unit_cost=cost,
            covered=covered,
            recorded_by=actor,
            recorded_at=now,
        )
        session.add(line)
        session.flush()
        routing = route_removed_part(session, part, condition, engineer, now)
        owed = PartReturn(
            number=number,
            part_id=part.id,
            serial=removed,
            serial_item_id=item_id,
            qty=count,
            condition=condition,
            ticket_id=ticket.id,
            visit_part_id=line.id,
            engineer_id=engineer.id,
            rule_id=routing.rule.id if routing.rule else None,
            destination_location_id=routing.destination.id,
            due_at=routing.due_at,
            status="owed",
            created_at=now,
        )
        session.add(owed)
        session.flush()
        _follow_installed_base(session, ticket, part, actor, now)
        _event(session, ticket, "part_removed", actor, now, {
            "visit": visit.number, "part_number": part.part_number, "removed": removed,
            "qty": count, "condition": condition, "return": number,
            "destination": routing.destination.code, "due_at": routing.due_at.isoformat(),
            "rule": routing.rule.name if routing.rule else None,
        })  # fmt: skip
        return written_view(session, visit)


def _ticket_lines(session: Session, ticket: Ticket) -> list[VisitPart]:
    return list(
        session.scalars(
            select(VisitPart)
            .join(Visit, Visit.id == VisitPart.visit_id)
            .where(Visit.ticket_id == ticket.id)
            .order_by(VisitPart.id)
        )
    )


def _follow_installed_base(
    session: Session, ticket: Ticket, part: Part, actor: str, now: datetime
) -> None:
    """Swap each serial removed from the ticket's site for a serial of the same part
    installed on the ticket (in the order recorded) in the equipment record."""
    if part.tracking != Tracking.SERIALIZED.value:
        return
    lines = [line for line in _ticket_lines(session, ticket) if line.part_id == part.id]
    installed = [line.installed_serial for line in lines if line.installed_serial]
    removed = [line.removed_serial for line in lines if line.removed_serial]
    in_base = {
        e.serial: e
        for e in session.scalars(
            select(Equipment).where(
                Equipment.part_id == part.id,
                Equipment.serial.in_(installed + removed),
            )
        )
    }
    waiting = [s for s in installed if s not in in_base]
    for serial in removed:
        equipment = in_base.get(serial)
        if equipment is None or equipment.site_id != ticket.site_id or not waiting:
            continue
        new = waiting.pop(0)
        equipment.serial = new
        equipment.serial_item_id = session.scalar(
            select(SerialItem.id).where(SerialItem.part_id == part.id, SerialItem.serial == new)
        )
        if ticket.equipment_serial == serial:
            ticket.equipment_serial = new
        _event(session, ticket, "installed_base_changed", actor, now, {
            "part_number": part.part_number, "removed_serial": serial, "installed_serial": new,
        })  # fmt: skip


def _event(session: Session, ticket: Ticket, kind: str, actor: str, now: datetime, data: dict):
    record_about(session, ticket, kind, actor=actor, at=now, customer_visible=False, data=data)


@dataclass(frozen=True)
class TicketParts:
    """The ticket's parts list over all its visits, with what it costs and who pays."""

    lines: list[VisitPartView]
    total_cost: Decimal  # consumed parts at their unit cost
    charged: Decimal  # the part of it the contract does not cover


def ticket_parts(session: Session, ticket: Ticket) -> TicketParts:
    views = []
    total = charged = Decimal(0)
    for visit in session.scalars(
        select(Visit).where(Visit.ticket_id == ticket.id).order_by(Visit.id)
    ):
        for line in visit_view(visit).parts:
            views.append(line)
            if line.consumed_qty and line.unit_cost is not None:
                amount = line.unit_cost * line.consumed_qty
                total += amount
                if not line.covered:
                    charged += amount
    return TicketParts(views, total, charged)
