"""Transfers between depots: shipped into in-transit, received out of it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from inventory.depot_access import check_acts_at
from inventory.errors import Conflict, Forbidden, InvalidInput, NotFound
from inventory.events import record_on
from inventory.ledger import (
    Stamp,
    move_counted,
    move_serial,
    restock,
)
from inventory.lookups import depot_by_code, one_by, part_by_number, virtual_location
from inventory.numbering import next_number
from inventory.serials import normalize_serial
from inventory.status import update_if_status
from inventory.transaction import transaction
from models import (
    Depot,
    Engineer,
    Location,
    Part,
    SerialItem,
    Transfer,
    TransferDiscrepancy,
    TransferLine,
    utcnow,
)
from models.enums import (
    Condition,
    DiscrepancyStatus,
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
    id: int | None = None  # the TransferDiscrepancy that must be resolved


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
    to_depot: str | None = None,
    lines: list[LineRequest],
    actor: str,
    note: str | None = None,
    to_van: Location | None = None,
) -> TransferResult:
    """Move the listed stock from a depot shelf into in-transit, as one transfer to another
    depot (``to_depot``) or to an engineer's van (``to_van``, its ledger location)."""
    with transaction(session):
        source = depot_by_code(session, from_depot, field="from_depot")
        target = None
        if to_van is None:
            target = depot_by_code(session, to_depot or "", field="to_depot")
            if source.id == target.id:
                raise InvalidInput(
                    "a transfer needs two different depots",
                    field="to_depot",
                    key="transfer_two_depots",
                )
        if not lines:
            raise InvalidInput(
                "a transfer needs at least one line", field="lines", key="trf.no_lines"
            )
        transit = virtual_location(session, LocationKind.IN_TRANSIT)
        transfer = Transfer(
            number=next_number(session, "TRF"),
            from_depot_id=source.id,
            to_depot_id=target.id if target else None,
            to_location_id=to_van.id if to_van else None,
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
                        f"{part.part_number} is counted",
                        field=f"lines.{index}.serial",
                        key="row.no_serials",
                        params={"part": part.part_number},
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
        record_on(
            session,
            "transfer",
            transfer,
            "shipped",
            actor=actor,
            to_state=transfer.status,
            note=note,
            data={
                "from_depot": source.code,
                "to_depot": target.code if target else None,
                "to_van": to_van.code if to_van else None,
                "lines": len(lines),
                "units": sum(line.qty if not line.serial else 1 for line in lines),
            },
        )
        return TransferResult(transfer.number, transfer.status, len(lines))


@dataclass(frozen=True)
class Destination:
    """Where a transfer arrives: a depot's location, or an engineer's van."""

    code: str
    location: Location
    depot: Depot | None


def destination(session: Session, transfer: Transfer) -> Destination:
    if transfer.to_depot_id is not None:
        depot = session.get_one(Depot, transfer.to_depot_id)
        return Destination(depot.code, depot.location, depot)
    assert transfer.to_location_id is not None
    van = session.get_one(Location, transfer.to_location_id)
    return Destination(van.code, van, None)


def check_receiver(session: Session, transfer: Transfer, engineer_id: int | None) -> None:
    """A depot's transfer is received by staff who act at that depot (not by an engineer);
    a van's by the van's own engineer."""
    if transfer.to_location_id is None:
        if engineer_id is not None:
            raise Forbidden(
                "a depot's transfer is received by its warehouse",
                field="number",
                key="trf.depot_receives",
            )
        check_acts_at(session, session.get_one(Depot, transfer.to_depot_id), field="number")
        return
    owner = session.scalar(
        select(Engineer.id).where(Engineer.van_location_id == transfer.to_location_id)
    )
    if engineer_id is None or owner != engineer_id:
        raise Forbidden(
            "a van's transfer is received by the van's engineer",
            field="number",
            key="trf.van_receives",
        )


def _serial_at(
    session: Session, part: Part, serial: str | None, location_id: int, index: int
) -> SerialItem:
    if not serial:
        raise InvalidInput(
            f"{part.part_number} is serialized: give the serial",
            field=f"lines.{index}.serial",
            key="trf.serial_required",
            params={"part": part.part_number},
        )
    serial = normalize_serial(serial)
    item = session.scalar(
        select(SerialItem).where(SerialItem.part_id == part.id, SerialItem.serial == serial)
    )
    if item is None:
        raise NotFound(
            f"no item {part.part_number} / {serial}",
            field=f"lines.{index}.serial",
            key="trf.no_item",
            params={"part": part.part_number, "serial": serial},
        )
    if item.location_id != location_id or item.status != ItemStatus.IN_STOCK.value:
        raise Conflict(
            f"item {serial} is not on the shelf of the shipping depot (it is {item.status} at "
            f"{item.location.code})",
            field=f"lines.{index}.serial",
            key="trf.not_on_shelf",
            params={"serial": serial, "item_status": item.status, "location": item.location.code},
        )
    return item


def receive_transfer(
    session: Session,
    *,
    number: str,
    received: list[LineRequest] | None,
    actor: str,
    note: str | None = None,
    engineer_id: int | None = None,
) -> TransferResult:
    """Book what actually arrived. ``received`` lists the scanned serials and counted
    quantities; ``None`` means "everything as shipped". Anything shipped but not received
    stays in transit and is reported as a discrepancy, as is anything unexpected.

    Received where it arrives: a depot's transfer by that depot's staff, a van's by the
    van's engineer (``engineer_id``, the caller's engineer) and nobody else."""
    with transaction(session):
        transfer = session.scalar(
            select(Transfer).where(Transfer.number == number).options(selectinload(Transfer.lines))
        )
        if transfer is None:
            raise NotFound.unknown("transfer", number)
        # Compare-and-set: of two receipts of one transfer, the database lets one through.
        arrived = {"status": TransferStatus.RECEIVED.value}
        if not update_if_status(session, transfer, TransferStatus.SHIPPED.value, arrived):
            raise Conflict(
                f"transfer {number} was already received",
                field="number",
                key="trf.already_received",
                params={"ref": number},
            )
        transit = virtual_location(session, LocationKind.IN_TRANSIT)
        depot = destination(session, transfer)
        check_receiver(session, transfer, engineer_id)  # received where it arrives
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
        differs = _Differences(session, transfer, result)
        want_serials, want_counts = _arrived(session, received, transfer, items, differs)
        for item_id, line in serial_lines.items():
            item = items[item_id]
            if want_serials.get(item.serial) == item_id:
                restock(session, item, depot.location, stamp, was=ItemStatus.IN_TRANSIT)
                line.qty_received = 1
            else:
                differs.add(
                    parts[line.part_id], "missing", 1, 0, item.serial, item.id, line.condition
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
                differs.add(part, kind, line.qty_shipped, got, condition=line.condition)
        for (part_id, cond), qty in want_counts.items():
            if qty > 0:
                differs.add(session.get_one(Part, part_id), "unexpected", 0, qty, condition=cond)
        session.flush()
        opened = _discrepancy_rows(session, transfer.id)
        for shown, row in zip(result.discrepancies, opened, strict=True):
            shown.id = row.id

        transfer.status = (
            TransferStatus.DISCREPANCY if result.discrepancies else TransferStatus.RECEIVED
        ).value
        transfer.received_by = actor
        transfer.received_at = utcnow()
        result.status = transfer.status
        record_on(
            session,
            "transfer",
            transfer,
            "received",
            actor=actor,
            from_state=TransferStatus.SHIPPED.value,
            to_state=transfer.status,
            note=note,
            at=transfer.received_at,
            data={
                "to_depot": depot.code,
                "discrepancies": [asdict(d) for d in result.discrepancies],
            },
        )
        return result


class _Differences:
    """What a receipt found different: each shown on the result and opened as a
    discrepancy to resolve, in the order found."""

    def __init__(self, session: Session, transfer: Transfer, result: TransferResult) -> None:
        self.session, self.transfer, self.result = session, transfer, result

    def add(
        self,
        part: Part,
        kind: str,
        expected: int,
        got: int,
        serial: str | None = None,
        item_id: int | None = None,
        condition: str = Condition.GOOD.value,
    ) -> None:
        self.result.discrepancies.append(Discrepancy(part.part_number, serial, expected, got, kind))
        qty = abs(got - expected)
        _open(self.session, self.transfer, part.id, kind, qty, serial, item_id, condition)


def _arrived(
    session: Session,
    received: list[LineRequest] | None,
    transfer: Transfer,
    items: dict[int, SerialItem],
    differs: _Differences,
) -> tuple[dict[str, int], dict[tuple[int, str], int]]:
    """What arrived, as (serial -> its item id, (part id, condition) -> quantity): the
    transfer as shipped when ``received`` is None, else the scans and counts given, a
    serial the transfer did not carry reported as unexpected."""
    if received is None:
        want_counts = {
            (line.part_id, line.condition): line.qty_shipped
            for line in transfer.lines
            if not line.serial_item_id
        }
        return {item.serial: item_id for item_id, item in items.items()}, want_counts
    want_serials: dict[str, int] = {}
    counts: dict[tuple[int, str], int] = {}
    by_serial = {(item.part_id, item.serial): item_id for item_id, item in items.items()}
    for index, wanted in enumerate(received):
        part = part_by_number(session, wanted.part_number, field=f"received.{index}.part_number")
        if wanted.serial:
            key = (part.id, wanted.serial)
            if key in by_serial:
                want_serials[wanted.serial] = by_serial[key]
            else:
                differs.add(part, "unexpected", 0, 1, wanted.serial)
        else:
            if wanted.qty < 0:
                raise InvalidInput(
                    "quantity cannot be negative", field=f"received.{index}.qty", key="not_negative"
                )
            k = (part.id, wanted.condition)
            counts[k] = counts.get(k, 0) + wanted.qty
    return want_serials, counts


# --- discrepancies: open until resolved, never a silent loss -------------------------------

UNRESOLVED = (DiscrepancyStatus.OPEN.value, DiscrepancyStatus.WRITE_OFF_REQUESTED.value)
# what may be done about each kind: units that did not arrive are found later or lost in
# transit; units that arrived unannounced are noted (booked by the receipt that explains them)
OUTCOMES = {
    "missing": ("found", "lost"),
    "short": ("found", "lost"),
    "over": ("noted",),
    "unexpected": ("noted",),
}
# what a resolution sets the status to
RESOLVED_AS = {
    "found": DiscrepancyStatus.FOUND.value,
    "lost": DiscrepancyStatus.WRITE_OFF_REQUESTED.value,
    "approve": DiscrepancyStatus.WRITTEN_OFF.value,
    "noted": DiscrepancyStatus.NOTED.value,
}


def outcomes_now(kind: str, status: str) -> tuple[str, ...]:
    """What may be done now about a discrepancy of ``kind`` in ``status``."""
    if status == DiscrepancyStatus.OPEN.value:
        return OUTCOMES[kind]
    if status == DiscrepancyStatus.WRITE_OFF_REQUESTED.value:
        return ("found", "approve")
    return ()


def _open(
    session: Session,
    transfer: Transfer,
    part_id: int,
    kind: str,
    qty: int,
    serial: str | None,
    item_id: int | None = None,
    condition: str = Condition.GOOD.value,
) -> None:
    session.add(
        TransferDiscrepancy(
            transfer_id=transfer.id,
            part_id=part_id,
            serial_item_id=item_id,
            serial=serial,
            condition=condition,
            kind=kind,
            qty=qty,
            status=DiscrepancyStatus.OPEN.value,
        )
    )


def _discrepancy_rows(session: Session, transfer_id: int) -> list[TransferDiscrepancy]:
    return list(
        session.scalars(
            select(TransferDiscrepancy)
            .where(TransferDiscrepancy.transfer_id == transfer_id)
            .order_by(TransferDiscrepancy.id)
        )
    )


@dataclass(frozen=True)
class DiscrepancyView:
    id: int
    part_number: str
    serial: str | None
    kind: str
    qty: int
    status: str
    outcomes: tuple[str, ...]  # what may be done about it now
    requested_by: str | None
    resolved_by: str | None
    resolved_at: datetime | None


def discrepancies_of(session: Session, number: str) -> list[DiscrepancyView]:
    """The differences of transfer ``number``, in the order they were found."""
    transfer = _transfer(session, number)
    rows = _discrepancy_rows(session, transfer.id)
    parts: dict[int, str] = {
        part_id: part_number
        for part_id, part_number in session.execute(
            select(Part.id, Part.part_number).where(Part.id.in_({r.part_id for r in rows}))
        )
    }
    views = []
    for row in rows:
        outcomes = outcomes_now(row.kind, row.status)
        views.append(
            DiscrepancyView(
                row.id,
                parts[row.part_id],
                row.serial,
                row.kind,
                row.qty,
                row.status,
                outcomes,
                row.requested_by,
                row.resolved_by,
                row.resolved_at,
            )
        )
    return views


def _transfer(session: Session, number: str) -> Transfer:
    return one_by(session, Transfer.number, number, "transfer", field="number")


def resolve_discrepancy(
    session: Session,
    *,
    number: str,
    discrepancy_id: int,
    outcome: str,
    actor: str,
    approver_may_approve: bool = False,
    note: str | None = None,
) -> DiscrepancyView:
    """Resolve one difference of transfer ``number``:

    - ``found``: the missing units turned up at the destination; booked in from in-transit.
    - ``lost``: lost in transit; a write-off is requested (the units stay in transit).
    - ``approve``: a second person (``approver_may_approve``, not the requester) approves
      the requested write-off; the units leave in-transit as a transit loss.
    - ``noted``: units that arrived unannounced were looked into.

    The change of status is a compare-and-set: of two people resolving the same difference
    at once, the second gets a Conflict. Commits.
    """
    with transaction(session):
        transfer = _transfer(session, number)
        row = session.get(TransferDiscrepancy, discrepancy_id)
        if row is None or row.transfer_id != transfer.id:
            raise NotFound(
                f"transfer {number} has no discrepancy {discrepancy_id}",
                field="id",
                key="trf.no_discrepancy",
                params={"ref": number, "id": discrepancy_id},
            )
        depot = destination(session, transfer)
        if depot.depot is not None:
            check_acts_at(session, depot.depot, field="number")
        if outcome not in outcomes_now(row.kind, row.status):
            raise Conflict(
                f"discrepancy {discrepancy_id} is {row.status}: cannot {outcome} it",
                field="outcome",
                key="trf.discrepancy_cannot",
                params={"id": discrepancy_id, "discrepancy_status": row.status},
            )
        if outcome == "approve":
            if not approver_may_approve:
                raise Conflict(
                    "a write-off is approved by an administrator",
                    field="outcome",
                    key="trf.writeoff_admin",
                )
            if row.requested_by == actor:
                raise Conflict(
                    "a write-off is approved by someone other than who asked for it",
                    field="outcome",
                    key="trf.writeoff_other",
                )
        new_status = RESOLVED_AS[outcome]
        now = utcnow()
        values: dict = {"status": new_status, "note": note or row.note}
        if outcome == "lost":
            values["requested_by"] = actor
        else:
            values |= {"resolved_by": actor, "resolved_at": now}
        if not update_if_status(session, row, row.status, values):
            raise Conflict(
                f"discrepancy {discrepancy_id} was resolved meanwhile",
                field="id",
                key="trf.resolved_meanwhile",
                params={"id": discrepancy_id},
            )
        if outcome in ("found", "approve"):
            _book_resolution(session, transfer, depot, row, outcome, actor, note)
        from_state = row.status
        session.expire(row)
        still_open = session.scalar(
            select(TransferDiscrepancy.id).where(
                TransferDiscrepancy.transfer_id == transfer.id,
                TransferDiscrepancy.status.in_(UNRESOLVED),
            )
        )
        record_on(
            session,
            "transfer",
            transfer,
            f"discrepancy_{new_status}",
            actor=actor,
            from_state=from_state,
            to_state=new_status,
            note=note,
            data={"discrepancy": discrepancy_id, "serial": row.serial, "qty": row.qty},
        )
        if still_open is None and transfer.status == TransferStatus.DISCREPANCY.value:
            transfer.status = TransferStatus.RECEIVED.value
        return next(v for v in discrepancies_of(session, number) if v.id == discrepancy_id)


def _book_resolution(
    session: Session,
    transfer: Transfer,
    depot: Destination,
    row: TransferDiscrepancy,
    outcome: str,
    actor: str,
    note: str | None,
) -> None:
    """The stock movement of a resolution: found → into the destination; approved loss →
    out of in-transit."""
    transit = virtual_location(session, LocationKind.IN_TRANSIT)
    if outcome == "found":
        to, status = depot.location, ItemStatus.IN_STOCK.value
        stamp = Stamp(actor, MovementReason.TRANSFER_IN.value, transfer.number, note)
    else:
        to, status = virtual_location(session, LocationKind.ADJUSTMENT), ItemStatus.MISSING.value
        stamp = Stamp(actor, MovementReason.TRANSIT_LOSS.value, transfer.number, note)
    if row.serial_item_id is not None:
        item = session.get_one(SerialItem, row.serial_item_id)
        move_serial(
            session,
            item,
            to,
            to_status=status,
            stamp=stamp,
            expect_statuses=(ItemStatus.IN_TRANSIT.value,),
        )
    else:
        part = session.get_one(Part, row.part_id)
        move_counted(session, part, transit, to, row.qty, stamp=stamp, condition=row.condition)
    if outcome == "found":
        line = session.scalar(
            select(TransferLine).where(
                TransferLine.transfer_id == transfer.id,
                TransferLine.part_id == row.part_id,
                TransferLine.condition == row.condition,
                TransferLine.serial_item_id.is_(None)
                if row.serial_item_id is None
                else TransferLine.serial_item_id == row.serial_item_id,
            )
        )
        if line is not None:
            line.qty_received += row.qty


@dataclass(frozen=True)
class OpenTransfer:
    number: str
    from_depot: str
    to_depot: str
    status: str  # shipped (in transit) | discrepancy (received, differences unresolved)
    shipped_at: datetime
    age_hours: int  # whole hours since shipped
    incoming: bool  # towards the depot asked about


def open_transfers(
    session: Session, depot: Depot, now: datetime | None = None
) -> list[OpenTransfer]:
    """Transfers still in transit (or with unresolved differences) from or to ``depot``,
    oldest first: shown on both depots with their age."""
    now = now or utcnow()
    rows = session.scalars(
        select(Transfer)
        .where(
            Transfer.status.in_((TransferStatus.SHIPPED.value, TransferStatus.DISCREPANCY.value)),
            or_(Transfer.from_depot_id == depot.id, Transfer.to_depot_id == depot.id),
        )
        .order_by(Transfer.shipped_at)
        .limit(200)
    )
    codes: dict[int, str] = {
        depot_id: code for depot_id, code in session.execute(select(Depot.id, Depot.code))
    }
    vans: dict[int, str] = {
        location_id: code
        for location_id, code in session.execute(
            select(Location.id, Location.code).where(Location.kind == LocationKind.VAN.value)
        )
    }
    return [
        OpenTransfer(
            t.number,
            codes[t.from_depot_id],
            codes[t.to_depot_id] if t.to_depot_id else vans.get(t.to_location_id or 0, "?"),
            t.status,
            t.shipped_at,
            int((now - t.shipped_at).total_seconds() // 3600),
            t.to_depot_id == depot.id,
        )
        for t in rows
    ]
