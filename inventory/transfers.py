"""Transfers between depots: shipped into in-transit, received out of it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.events import record_event
from inventory.ledger import Stamp, move_counted, move_serial, rows_matched
from inventory.lookups import depot_by_code, part_by_number, virtual_location
from inventory.numbering import next_number
from inventory.serials import normalize_serial
from inventory.transaction import transaction
from models import Depot, Part, SerialItem, Transfer, TransferLine, utcnow
from models.enums import (
    Condition,
    ItemStatus,
    LocationKind,
    MovementReason,
    Tracking,
    TransferStatus,
)


@dataclass(frozen=True)
class LineRequest:
    part_number: str
    serial: str | None = None
    qty: int = 1
    condition: str = Condition.GOOD.value


@dataclass
class Discrepancy:
    part_number: str
    serial: str | None
    expected: int
    received: int
    kind: str  # missing | short | over | unexpected


@dataclass
class TransferResult:
    number: str
    status: str
    lines: int
    discrepancies: list[Discrepancy] = field(default_factory=list)


def ship_transfer(
    session: Session,
    *,
    from_depot: str,
    to_depot: str,
    lines: list[LineRequest],
    actor: str,
    note: str | None = None,
) -> TransferResult:
    """Move the listed stock from a depot shelf into in-transit, as one transfer."""
    with transaction(session):
        source = depot_by_code(session, from_depot, field="from_depot")
        target = depot_by_code(session, to_depot, field="to_depot")
        if source.id == target.id:
            raise InvalidInput("a transfer needs two different depots", field="to_depot")
        if not lines:
            raise InvalidInput("a transfer needs at least one line", field="lines")
        transit = virtual_location(session, LocationKind.IN_TRANSIT)
        transfer = Transfer(
            number=next_number(session, "TRF"),
            from_depot_id=source.id,
            to_depot_id=target.id,
            status=TransferStatus.SHIPPED.value,
            shipped_by=actor,
            note=note,
        )
        session.add(transfer)
        session.flush()
        stamp = Stamp(actor, MovementReason.TRANSFER_OUT.value, transfer.number, note)
        for index, line in enumerate(lines):
            part = part_by_number(session, line.part_number, field=f"lines.{index}.part_number")
            if part.tracking == Tracking.SERIALIZED.value:
                item = _serial_at(session, part, line.serial, source.location_id, index)
                move_serial(
                    session,
                    item,
                    transit,
                    to_status=ItemStatus.IN_TRANSIT.value,
                    stamp=stamp,
                    expect_statuses=(ItemStatus.IN_STOCK.value,),
                )
                session.add(
                    TransferLine(
                        transfer_id=transfer.id,
                        part_id=part.id,
                        serial_item_id=item.id,
                        condition=item.condition,
                        qty_shipped=1,
                    )
                )
            else:
                if line.serial:
                    raise InvalidInput(
                        f"{part.part_number} is counted", field=f"lines.{index}.serial"
                    )
                move_counted(
                    session,
                    part,
                    source.location,
                    transit,
                    line.qty,
                    stamp=stamp,
                    condition=line.condition,
                )
                session.add(
                    TransferLine(
                        transfer_id=transfer.id,
                        part_id=part.id,
                        condition=line.condition,
                        qty_shipped=line.qty,
                    )
                )
        record_event(
            session,
            subject_type="transfer",
            subject_id=transfer.id,
            subject_ref=transfer.number,
            kind="shipped",
            to_state=transfer.status,
            actor=actor,
            note=note,
            data={
                "from_depot": source.code,
                "to_depot": target.code,
                "lines": len(lines),
                "units": sum(line.qty if not line.serial else 1 for line in lines),
            },
        )
        return TransferResult(transfer.number, transfer.status, len(lines))


def _serial_at(
    session: Session, part: Part, serial: str | None, location_id: int, index: int
) -> SerialItem:
    if not serial:
        raise InvalidInput(
            f"{part.part_number} is serialized: give the serial", field=f"lines.{index}.serial"
        )
    serial = normalize_serial(serial)
    item = session.scalar(
        select(SerialItem).where(SerialItem.part_id == part.id, SerialItem.serial == serial)
    )
    if item is None:
        raise NotFound(f"no item {part.part_number} / {serial}", field=f"lines.{index}.serial")
    if item.location_id != location_id or item.status != ItemStatus.IN_STOCK.value:
        raise Conflict(
            f"item {serial} is not on the shelf of the shipping depot (it is {item.status} at "
            f"{item.location.code})",
            field=f"lines.{index}.serial",
        )
    return item


def receive_transfer(
    session: Session,
    *,
    number: str,
    received: list[LineRequest] | None,
    actor: str,
    note: str | None = None,
) -> TransferResult:
    """Book what actually arrived. ``received`` lists the scanned serials and counted
    quantities; ``None`` means "everything as shipped". Anything shipped but not received
    stays in transit and is reported as a discrepancy, as is anything unexpected."""
    with transaction(session):
        transfer = session.scalar(
            select(Transfer).where(Transfer.number == number).options(selectinload(Transfer.lines))
        )
        if transfer is None:
            raise NotFound(f"unknown transfer {number!r}")
        # Compare-and-set: of two receipts of one transfer, the database lets one through.
        claimed = session.execute(
            update(Transfer)
            .where(Transfer.id == transfer.id, Transfer.status == TransferStatus.SHIPPED.value)
            .values(status=TransferStatus.RECEIVED.value)
            .execution_options(synchronize_session=False)
        )
        if rows_matched(claimed) != 1:
            raise Conflict(f"transfer {number} was already received", field="number")
        transit = virtual_location(session, LocationKind.IN_TRANSIT)
        depot = session.get_one(Depot, transfer.to_depot_id)
        stamp = Stamp(actor, MovementReason.TRANSFER_IN.value, transfer.number, note)
        parts = {
            p.id: p
            for p in session.scalars(
                select(Part).where(Part.id.in_({line.part_id for line in transfer.lines}))
            )
        }
        result = TransferResult(transfer.number, TransferStatus.RECEIVED, len(transfer.lines))

        serial_lines = {line.serial_item_id: line for line in transfer.lines if line.serial_item_id}
        items = {
            i.id: i
            for i in session.scalars(select(SerialItem).where(SerialItem.id.in_(serial_lines)))
        }
        if received is None:
            want_serials = {items[i].serial: i for i in serial_lines}
            want_counts = {
                (line.part_id, line.condition): line.qty_shipped
                for line in transfer.lines
                if not line.serial_item_id
            }
        else:
            want_serials, want_counts = {}, {}
            by_serial = {(items[i].part_id, items[i].serial): i for i in serial_lines}
            for index, wanted in enumerate(received):
                part = part_by_number(
                    session, wanted.part_number, field=f"received.{index}.part_number"
                )
                if wanted.serial:
                    key = (part.id, wanted.serial)
                    if key in by_serial:
                        want_serials[wanted.serial] = by_serial[key]
                    else:
                        result.discrepancies.append(
                            Discrepancy(part.part_number, wanted.serial, 0, 1, "unexpected")
                        )
                else:
                    if wanted.qty < 0:
                        raise InvalidInput(
                            "quantity cannot be negative", field=f"received.{index}.qty"
                        )
                    k = (part.id, wanted.condition)
                    want_counts[k] = want_counts.get(k, 0) + wanted.qty

        for item_id, line in serial_lines.items():
            item = items[item_id]
            if item.serial in want_serials and want_serials[item.serial] == item_id:
                move_serial(
                    session,
                    item,
                    depot.location,
                    to_status=ItemStatus.IN_STOCK.value,
                    stamp=stamp,
                    expect_statuses=(ItemStatus.IN_TRANSIT.value,),
                )
                line.qty_received = 1
            else:
                result.discrepancies.append(
                    Discrepancy(parts[line.part_id].part_number, item.serial, 1, 0, "missing")
                )
        for line in transfer.lines:
            if line.serial_item_id:
                continue
            part = parts[line.part_id]
            got = want_counts.pop((line.part_id, line.condition), 0)
            book = min(got, line.qty_shipped)
            if book:
                move_counted(
                    session,
                    part,
                    transit,
                    depot.location,
                    book,
                    stamp=stamp,
                    condition=line.condition,
                )
            line.qty_received = book
            if got != line.qty_shipped:
                kind = "short" if got < line.qty_shipped else "over"
                result.discrepancies.append(
                    Discrepancy(part.part_number, None, line.qty_shipped, got, kind)
                )
        for (part_id, _cond), qty in want_counts.items():
            pn = session.get_one(Part, part_id).part_number
            result.discrepancies.append(Discrepancy(pn, None, 0, qty, "unexpected"))

        transfer.status = (
            TransferStatus.DISCREPANCY if result.discrepancies else TransferStatus.RECEIVED
        ).value
        transfer.received_by = actor
        transfer.received_at = utcnow()
        result.status = transfer.status
        record_event(
            session,
            subject_type="transfer",
            subject_id=transfer.id,
            subject_ref=transfer.number,
            kind="received",
            from_state=TransferStatus.SHIPPED.value,
            to_state=transfer.status,
            actor=actor,
            note=note,
            at=transfer.received_at,
            data={
                "to_depot": depot.code,
                "discrepancies": [asdict(d) for d in result.discrepancies],
            },
        )
        return result
