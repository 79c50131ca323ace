"""Stock counts as documents: started (the expected list frozen), counted (by scan or by
quantity, by several people, each line recording who), reviewed (each line's variance and
its value at unit cost; a part whose variance is over the count's limits needs a recount or
a second person's approval), posted (movements written through ``inventory.ledger``).

Every status change is a compare-and-set on ``stock_counts.status`` decided by the
database, so two people cannot submit, approve or post the same count twice.

Stock that moves while a count is open is handled line by line:

* a counted part's line remembers the books at the moment it was counted
  (``book_at_count``); its variance is the shelf against *those* books, and posting applies
  that difference to whatever the books say by then — a shipment between the start and the
  count is not taken for a loss, one after the count is not undone;
* an expected serial that was not found is written off only if the books still have it in
  stock here when the count posts; one shipped, reserved or moved since the start is left
  where the ledger says (outcome ``moved``), and a reserved unit is never written off;
* a serial found that the list did not expect is a finding — written off earlier (posting
  books it back in), booked in here since the start, at another place (shown where), or
  unknown to the books (receive it) — and never makes the count fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from inventory.depot_access import check_acts_at
from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.events import record_on
from inventory.ledger import (
    Stamp,
    move_counted,
    restock,
    rows_matched,
    write_off_missing,
)
from inventory.lookups import depot_by_code, part_by_number, virtual_location
from inventory.numbering import next_number
from inventory.serials import normalize_serial
from inventory.status import update_if_status
from inventory.transaction import transaction
from models import (
    Depot,
    Location,
    Part,
    SerialItem,
    StockCount,
    StockCountLine,
    StockQuantity,
    utcnow,
)
from models.enums import (
    CountFinding,
    CountStatus,
    ItemStatus,
    LocationKind,
    MovementReason,
    Tracking,
)

MAX_SCANS = 5_000  # serials or quantities in one call
SHELF_STATUSES = (ItemStatus.IN_STOCK.value, ItemStatus.RESERVED.value)


@dataclass(frozen=True)
class QuantityCount:
    part_number: str
    qty: int
    condition: str = "good"


@dataclass(frozen=True)
class Limits:
    units: int = 2
    value: Decimal = Decimal("1000")


# --- reading ---------------------------------------------------------------------------------


def count_by_number(session: Session, number: str, *, field: str = "number") -> StockCount:
    found = session.scalar(select(StockCount).where(StockCount.number == number.strip()[:24]))
    if found is None:
        raise NotFound.unknown("count", number, field=field)
    return found


def check_count_scope(session: Session, number: str) -> StockCount:
    """The count, if the session's user may work at its depot (else Forbidden)."""
    count = count_by_number(session, number)
    _scoped(session, count)
    return count


def _scoped(session: Session, count: StockCount) -> Depot:
    depot = session.get_one(Depot, count.depot_id)
    check_acts_at(session, depot)
    return depot


@dataclass
class LineView:
    """One line as the review shows it."""

    id: int
    part_number: str
    description: str
    serial: str | None
    condition: str
    expected: int
    counted: int | None
    counted_by: str | None
    previous_counted: int | None
    previous_counted_by: str | None
    book_at_count: int | None
    moved_since_start: int  # the books' change between the start and the count
    variance: int  # what posting will move (+ book in, - write off)
    variance_value: Decimal
    reserved: bool
    finding: str | None
    finding_where: str | None
    recount: bool
    over_limit: bool  # its part's variance is over the count's limits
    needs_check: bool  # over the limits, neither recounted nor approved
    outcome: str | None


@dataclass
class PartVariance:
    part_number: str
    units: int
    value: Decimal
    over_limit: bool
    recounted: bool


@dataclass
class CountView:
    number: str
    depot: str
    status: str
    started_by: str
    started_at: object
    round: int
    limit_units: int
    limit_value: Decimal
    submitted_by: str | None
    approved_by: str | None
    posted_by: str | None
    posted_at: object
    note: str | None
    lines: list[LineView] = field(default_factory=list)
    parts: list[PartVariance] = field(default_factory=list)
    counters: list[str] = field(default_factory=list)  # everybody who counted a line
    expected_serials: int = 0
    missing_serials: int = 0  # expected serials in stock not found
    findings: int = 0
    variance_value: Decimal = Decimal("0")
    needs_check: bool = False
    needs_confirm: bool = False  # most expected serials not found


def _line_variance(line: StockCountLine) -> tuple[int, int]:
    """(variance, moved since start) of a line."""
    counted = line.counted or 0
    if line.serial is not None:
        if line.finding is None:
            return (0 if line.reserved and not counted else counted - line.expected), 0
        return (1 if line.finding == CountFinding.MISSING.value and counted else 0), 0
    if line.counted is None or line.book_at_count is None:
        return 0, 0
    return line.counted - line.book_at_count, line.book_at_count - line.expected


def view_count(session: Session, number: str) -> CountView:
    """The count with every line's variance and value, and what stands before posting."""
    count = count_by_number(session, number)
    depot = session.get_one(Depot, count.depot_id)
    parts = {
        p.id: p
        for p in session.scalars(
            select(Part).where(Part.id.in_({line.part_id for line in count.lines}))
        )
    }
    view = CountView(
        count.number,
        depot.code,
        count.status,
        count.started_by,
        count.started_at,
        count.round,
        count.limit_units,
        Decimal(count.limit_value),
        count.submitted_by,
        count.approved_by,
        count.posted_by,
        count.posted_at,
        count.note,
    )
    by_part: dict[int, list[tuple[StockCountLine, int, int]]] = {}
    for line in count.lines:
        variance, moved = _line_variance(line)
        by_part.setdefault(line.part_id, []).append((line, variance, moved))
    counters: set[str] = set()
    for part_id, rows in sorted(by_part.items(), key=lambda kv: parts[kv[0]].part_number):
        part = parts[part_id]
        units = sum(v for _l, v, _m in rows)
        value = sum((Decimal(line.unit_cost) * v for line, v, _m in rows), Decimal("0"))
        over = abs(units) > count.limit_units or abs(value) > Decimal(count.limit_value)
        recounted = all(line.recount for line, _v, _m in rows)
        view.parts.append(PartVariance(part.part_number, units, value, over, recounted))
        checked = recounted or count.approved_by is not None
        for line, variance, moved in rows:
            if line.counted_by:
                counters.add(line.counted_by)
            if line.previous_counted_by:
                counters.add(line.previous_counted_by)
            view.lines.append(
                LineView(
                    line.id,
                    part.part_number,
                    part.description,
                    line.serial,
                    line.condition,
                    line.expected,
                    line.counted,
                    line.counted_by,
                    line.previous_counted,
                    line.previous_counted_by,
                    line.book_at_count,
                    moved,
                    variance,
                    Decimal(line.unit_cost) * variance,
                    line.reserved,
                    line.finding,
                    line.finding_where,
                    line.recount,
                    over,
                    over and not checked and variance != 0,
                    line.outcome,
                )
            )
            if line.serial is not None and line.finding is None:
                view.expected_serials += 1
                if not line.counted and not line.reserved:
                    view.missing_serials += 1
            if line.finding is not None:
                view.findings += 1
        view.variance_value += value
    view.counters = sorted(counters)
    view.needs_check = any(line.needs_check for line in view.lines)
    view.needs_confirm = view.expected_serials >= 2 and view.missing_serials * 2 > (
        view.expected_serials
    )
    return view


def list_counts(
    session: Session, *, depot_ids: Iterable[int] | None = None, status: str | None = None
) -> list[tuple[StockCount, str, int]]:
    """Counts newest first with their depot code and number of lines (at most 200)."""
    lines = (
        select(StockCountLine.count_id, func.count().label("n"))
        .group_by(StockCountLine.count_id)
        .subquery()
    )
    stmt = (
        select(StockCount, Depot.code, func.coalesce(lines.c.n, 0))
        .join(Depot, Depot.id == StockCount.depot_id)
        .outerjoin(lines, lines.c.count_id == StockCount.id)
        .order_by(StockCount.id.desc())
        .limit(200)
    )
    if depot_ids is not None:
        stmt = stmt.where(StockCount.depot_id.in_(list(depot_ids)))
    if status:
        stmt = stmt.where(StockCount.status == status)
    return [(c, code, int(n)) for c, code, n in session.execute(stmt)]


# --- starting -------------------------------------------------------------------------------


def start_count(
    session: Session,
    *,
    depot_code: str,
    actor: str,
    part_numbers: Sequence[str] | None = None,
    limits: Limits | None = None,
    note: str | None = None,
) -> StockCount:
    """Open a count at a depot and freeze what the books expect on its shelf: each serial in
    stock or reserved there, each counted part's quantity per condition. Without part
    numbers every part with stock at the depot is counted."""
    limits = limits or Limits()
    with transaction(session):
        depot = depot_by_code(session, depot_code)
        check_acts_at(session, depot)
        if part_numbers:
            wanted = [
                part_by_number(session, p, field=f"part_numbers.{i}")
                for i, p in enumerate(dict.fromkeys(part_numbers))
            ]
        else:
            wanted = _parts_with_stock(session, depot)
            if not wanted:
                raise InvalidInput(
                    f"depot {depot.code} holds no stock; name the parts to count",
                    field="part_numbers",
                    key="cnt.depot_empty",
                    params={"depot": depot.code},
                )
        count = StockCount(
            number=next_number(session, "CNT"),
            depot_id=depot.id,
            status=CountStatus.COUNTING.value,
            started_by=actor,
            note=note,
            limit_units=limits.units,
            limit_value=limits.value,
            round=1,
        )
        session.add(count)
        session.flush()
        lines = 0
        for part in wanted:
            lines += _freeze(session, count, depot, part)
        record_on(
            session,
            "stock_count",
            count,
            "count_started",
            actor=actor,
            to_state=count.status,
            note=note,
            data={
                "depot": depot.code,
                "parts": [p.part_number for p in wanted][:200],
                "lines": lines,
            },
        )
        return count


def _parts_with_stock(session: Session, depot: Depot) -> list[Part]:
    serial = select(SerialItem.part_id).where(
        SerialItem.location_id == depot.location_id, SerialItem.status.in_(SHELF_STATUSES)
    )
    counted = select(StockQuantity.part_id).where(
        StockQuantity.location_id == depot.location_id,
        (StockQuantity.qty + StockQuantity.reserved) > 0,
    )
    return list(
        session.scalars(
            select(Part)
            .where(Part.id.in_(serial.union(counted).scalar_subquery()))
            .order_by(Part.part_number)
        )
    )


def _freeze(session: Session, count: StockCount, depot: Depot, part: Part) -> int:
    """The part's expected lines at the depot; how many."""
    cost = Decimal(part.unit_cost or 0)
    if part.tracking == Tracking.SERIALIZED.value:
        items = session.scalars(
            select(SerialItem)
            .where(
                SerialItem.part_id == part.id,
                SerialItem.location_id == depot.location_id,
                SerialItem.status.in_(SHELF_STATUSES),
            )
            .order_by(SerialItem.serial)
        ).all()
        session.add_all(
            StockCountLine(
                count_id=count.id,
                part_id=part.id,
                serial_item_id=item.id,
                serial=item.serial,
                condition=item.condition,
                reserved=item.status == ItemStatus.RESERVED.value,
                unit_cost=cost,
                expected=1,
                recount=False,
            )
            for item in items
        )
        return len(items)
    rows = session.execute(
        select(StockQuantity.condition, StockQuantity.qty + StockQuantity.reserved).where(
            StockQuantity.part_id == part.id, StockQuantity.location_id == depot.location_id
        )
    ).all()
    books = {condition: int(qty) for condition, qty in rows if qty > 0}
    books.setdefault("good", 0)  # a part named but empty: count its good stock anyway
    for condition, qty in sorted(books.items()):
        session.add(
            StockCountLine(
                count_id=count.id,
                part_id=part.id,
                condition=condition,
                unit_cost=cost,
                expected=qty,
                recount=False,
            )
        )
    return len(books)


# --- counting -------------------------------------------------------------------------------


@dataclass
class Recorded:
    matched: int = 0  # expected serials found
    quantities: int = 0  # quantity lines set
    findings: list[tuple[str, str, str | None]] = field(default_factory=list)  # serial, kind, where


def _transition(
    session: Session, count: StockCount, from_status: str, values: dict, *, what: str
) -> None:
    """Compare-and-set the count's status (and stamps): refused (Conflict on ``status``)
    when someone else moved it first."""
    if not update_if_status(session, count, from_status, values):
        session.rollback()
        current = session.scalar(select(StockCount.status).where(StockCount.id == count.id))
        raise Conflict(
            f"count {count.number} is {current}, not {from_status}: cannot {what} it",
            field="status",
            details={"status": current},
            key="cnt.cannot",
            params={"ref": count.number, "count_status": current},
        )
    session.expire(count)


def record_counts(
    session: Session,
    number: str,
    *,
    actor: str,
    serials: Sequence[str] = (),
    quantities: Sequence[QuantityCount] = (),
    part_number: str | None = None,
) -> Recorded:
    """Record what was found on the shelf: serials scanned (each once is enough; scanning
    again does no harm) and quantities counted (the latest count of a line wins). Every
    line records who counted it. A serial the list does not expect becomes a finding."""
    if len(serials) + len(quantities) > MAX_SCANS:
        raise InvalidInput(
            f"at most {MAX_SCANS} serials and quantities a time",
            field="serials",
            key="cnt.too_many_scans",
            params={"n": MAX_SCANS},
        )
    with transaction(session):
        count = count_by_number(session, number)
        depot = _scoped(session, count)
        # holds the count while lines are written: a submit or post waits, then sees them
        _transition(
            session,
            count,
            CountStatus.COUNTING.value,
            {"status": CountStatus.COUNTING.value},
            what="count",
        )
        now = utcnow()
        result = Recorded()
        lines = list(
            session.scalars(select(StockCountLine).where(StockCountLine.count_id == count.id))
        )
        by_serial = {(line.part_id, line.serial): line for line in lines if line.serial}
        serial_parts = {
            p.id: p
            for p in session.scalars(
                select(Part).where(
                    Part.id.in_({line.part_id for line in lines}),
                    Part.tracking == Tracking.SERIALIZED.value,
                )
            )
        }
        hint = part_by_number(session, part_number) if part_number else None
        for index, raw in enumerate(serials):
            serial = normalize_serial(raw)
            if not serial:
                continue
            line = next(
                (by_serial[(pid, serial)] for pid in serial_parts if (pid, serial) in by_serial),
                None,
            )
            if line is None:
                line = _finding(session, count, depot, serial, serial_parts, hint, index)
                by_serial[(line.part_id, serial)] = line
                result.findings.append((serial, line.finding or "", line.finding_where))
            elif line.finding is None:
                result.matched += 1
            line.counted, line.counted_by, line.counted_at = 1, actor, now
        for index, q in enumerate(quantities):
            if q.qty < 0:
                raise InvalidInput(
                    "a counted quantity is 0 or more",
                    field=f"quantities.{index}.qty",
                    key="not_negative",
                )
            part = part_by_number(session, q.part_number, field=f"quantities.{index}.part_number")
            if part.tracking != Tracking.COUNTED.value:
                raise InvalidInput(
                    f"{part.part_number} is serialized: scan its serials",
                    field=f"quantities.{index}.part_number",
                    key="serialized_scan",
                    params={"part": part.part_number},
                )
            line = next(
                (
                    line
                    for line in lines
                    if line.part_id == part.id
                    and line.serial is None
                    and line.condition == q.condition
                ),
                None,
            )
            if line is None:
                line = StockCountLine(
                    count_id=count.id,
                    part_id=part.id,
                    condition=q.condition,
                    unit_cost=Decimal(part.unit_cost or 0),
                    expected=0,
                    recount=False,
                )
                session.add(line)
                lines.append(line)
            line.book_at_count = _book(session, part.id, depot.location_id, q.condition)
            line.counted, line.counted_by, line.counted_at = q.qty, actor, now
            result.quantities += 1
        return result


def _book(session: Session, part_id: int, location_id: int, condition: str) -> int:
    row = session.execute(
        select(StockQuantity.qty + StockQuantity.reserved).where(
            StockQuantity.part_id == part_id,
            StockQuantity.location_id == location_id,
            StockQuantity.condition == condition,
        )
    ).scalar()
    return int(row or 0)


def _finding(
    session: Session,
    count: StockCount,
    depot: Depot,
    serial: str,
    serial_parts: dict[int, Part],
    hint: Part | None,
    index: int,
) -> StockCountLine:
    """A line for a serial the count did not expect, with what the ledger says about it."""
    items = list(session.scalars(select(SerialItem).where(SerialItem.serial == serial).limit(20)))
    if hint is not None:
        items = [i for i in items if i.part_id == hint.id] or items
    elif len(items) > 1:
        items = [i for i in items if i.part_id in serial_parts] or items
    item = items[0] if len(items) == 1 else None
    if item is None and len(items) > 1:
        raise InvalidInput(
            f"serial {serial} belongs to several parts: give the part number",
            field="part_number",
            key="serial_several_parts",
            params={"serial": serial},
        )
    if item is None:
        part = hint or (next(iter(serial_parts.values())) if len(serial_parts) == 1 else None)
        if part is None:
            raise InvalidInput(
                f"serial {serial} is unknown: give its part number to note it",
                field=f"serials.{index}",
                key="cnt.unknown_serial",
                params={"serial": serial},
            )
        kind, where = CountFinding.UNKNOWN.value, None
    else:
        part = session.get_one(Part, item.part_id)
        location = session.get_one(Location, item.location_id)
        if item.status == ItemStatus.MISSING.value:
            kind = CountFinding.MISSING.value
        elif item.location_id == depot.location_id and item.status in SHELF_STATUSES:
            kind = CountFinding.RECEIVED.value  # booked in here after the count started
        else:
            kind = CountFinding.ELSEWHERE.value
        where = f"{item.status} @ {location.code}"[:120]
    line = StockCountLine(
        count_id=count.id,
        part_id=part.id,
        serial_item_id=item.id if item else None,
        serial=serial,
        condition=item.condition if item else "good",
        unit_cost=Decimal(part.unit_cost or 0),
        expected=0,
        finding=kind,
        finding_where=where,
        recount=False,
    )
    session.add(line)
    session.flush()
    return line


# --- reviewing ------------------------------------------------------------------------------


def submit_count(session: Session, number: str, *, actor: str) -> CountView:
    """Counting is finished: the variances go to review. Every quantity line must have been
    counted (0 when the shelf is empty); serials not scanned count as not found."""
    with transaction(session):
        count = count_by_number(session, number)
        _scoped(session, count)
        uncounted = session.scalars(
            select(StockCountLine)
            .where(
                StockCountLine.count_id == count.id,
                StockCountLine.serial.is_(None),
                StockCountLine.counted.is_(None),
            )
            .limit(1)
        ).first()
        if uncounted is not None:
            part = session.get_one(Part, uncounted.part_id)
            raise InvalidInput(
                f"{part.part_number} ({uncounted.condition}) is not counted yet; give 0 if "
                "the shelf is empty",
                field="quantities",
                key="cnt.not_counted",
                params={"part": part.part_number, "condition": uncounted.condition},
            )
        _transition(
            session,
            count,
            CountStatus.COUNTING.value,
            {
                "status": CountStatus.REVIEW.value,
                "submitted_by": actor,
                "submitted_at": utcnow(),
            },
            what="submit",
        )
        _event(session, count, "count_submitted", actor, CountStatus.COUNTING, CountStatus.REVIEW)
    return view_count(session, number)


def request_recount(
    session: Session, number: str, *, actor: str, part_numbers: Sequence[str]
) -> StockCount:
    """Send the named parts back to the shelf: their lines are cleared for counting again
    (the first count is kept beside each line) and the count reopens for counting."""
    with transaction(session):
        count = count_by_number(session, number)
        _scoped(session, count)
        if not part_numbers:
            raise InvalidInput(
                "name the parts to count again", field="part_numbers", key="cnt.recount_none"
            )
        part_ids = {
            part_by_number(session, p, field=f"part_numbers.{i}").id
            for i, p in enumerate(part_numbers)
        }
        _transition(
            session,
            count,
            CountStatus.REVIEW.value,
            {
                "status": CountStatus.COUNTING.value,
                "round": StockCount.round + 1,
                "approved_by": None,
                "approved_at": None,
            },
            what="recount",
        )
        lines = session.scalars(
            select(StockCountLine).where(
                StockCountLine.count_id == count.id, StockCountLine.part_id.in_(part_ids)
            )
        ).all()
        if not lines:
            raise InvalidInput(
                "none of these parts is in the count",
                field="part_numbers",
                key="cnt.recount_not_in_count",
            )
        for line in lines:
            line.previous_counted = line.counted if line.counted is not None else 0
            line.previous_counted_by = line.counted_by
            line.counted = line.counted_by = line.counted_at = line.book_at_count = None
            line.recount = True
        _event(
            session,
            count,
            "count_recount",
            actor,
            CountStatus.REVIEW,
            CountStatus.COUNTING,
            {"parts": sorted(part_numbers)[:200]},
        )
        return count


def approve_count(session: Session, number: str, *, actor: str) -> CountView:
    """A second person accepts the variances over the limits as counted. Nobody who counted
    a line of the count, nor who submitted it, may approve it."""
    with transaction(session):
        count = count_by_number(session, number)
        _scoped(session, count)
        view = view_count(session, number)
        if actor in view.counters or actor == count.submitted_by:
            raise Conflict(
                "a second person approves: you counted or submitted this count",
                field="approved_by",
                key="cnt.second_person",
            )
        result = session.execute(
            update(StockCount)
            .where(
                StockCount.id == count.id,
                StockCount.status == CountStatus.REVIEW.value,
                StockCount.approved_by.is_(None),
            )
            .values(approved_by=actor, approved_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if rows_matched(result) != 1:
            raise Conflict(
                f"count {count.number} is not waiting for approval",
                field="status",
                key="cnt.not_waiting_approval",
                params={"ref": count.number},
            )
        _event(session, count, "count_approved", actor, CountStatus.REVIEW, CountStatus.REVIEW)
    session.expire_all()
    return view_count(session, number)


def cancel_count(session: Session, number: str, *, actor: str, reason: str) -> StockCount:
    with transaction(session):
        if not reason.strip():
            raise InvalidInput(
                "cancelling a count needs a reason", field="reason", key="cnt.cancel_reason"
            )
        count = count_by_number(session, number)
        _scoped(session, count)
        before = count.status
        if before not in (CountStatus.COUNTING.value, CountStatus.REVIEW.value):
            raise Conflict(
                f"count {count.number} is {before}",
                field="status",
                key="cnt.cannot",
                params={"ref": count.number, "count_status": before},
            )
        _transition(session, count, before, {"status": CountStatus.CANCELLED.value}, what="cancel")
        _event(
            session,
            count,
            "count_cancelled",
            actor,
            CountStatus(before),
            CountStatus.CANCELLED,
            note=reason,
        )
        return count


# --- posting --------------------------------------------------------------------------------


@dataclass
class Posted:
    number: str
    written_off: list[str] = field(default_factory=list)  # serials now missing
    found: list[str] = field(default_factory=list)  # serials booked back in
    moved: list[str] = field(default_factory=list)  # serials moved since the start: left alone
    kept_reserved: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # serials left for someone to sort out
    units_in: int = 0
    units_out: int = 0
    value: Decimal = Decimal("0")
    movements: int = 0


def post_count(
    session: Session, number: str, *, actor: str, confirm_missing: bool = False
) -> Posted:
    """Write the count's variances to the ledger. Refused while a part over the limits is
    neither recounted nor approved, and — unless ``confirm_missing`` — when most of the
    expected serials were not found (Conflict on ``confirm``)."""
    with transaction(session):
        count = count_by_number(session, number)
        depot = _scoped(session, count)
        view = view_count(session, number)
        if count.status != CountStatus.REVIEW.value:
            raise Conflict(
                f"count {count.number} is {count.status}, not review",
                field="status",
                key="cnt.cannot",
                params={"ref": count.number, "count_status": count.status},
            )
        if view.needs_check:
            parts = sorted({line.part_number for line in view.lines if line.needs_check})
            raise Conflict(
                f"the variance of {', '.join(parts[:10])} is over the limits: recount it or "
                "have a second person approve",
                field="approval",
                details={"parts": parts},
                key="cnt.over_limits",
                params={"parts": ", ".join(parts[:10])},
            )
        if view.needs_confirm and not confirm_missing:
            raise Conflict(
                f"{view.missing_serials} of {view.expected_serials} expected serials were not "
                "found; confirm to write them off as missing",
                field="confirm",
                details={"missing": view.missing_serials, "expected": view.expected_serials},
                key="cnt.confirm_missing",
                params={"missing": view.missing_serials, "expected": view.expected_serials},
            )
        _transition(
            session,
            count,
            CountStatus.REVIEW.value,
            {"status": CountStatus.POSTED.value, "posted_by": actor, "posted_at": utcnow()},
            what="post",
        )
        posted = Posted(count.number)
        adjust = virtual_location(session, LocationKind.ADJUSTMENT)
        stamp = Stamp(actor, MovementReason.CYCLE_COUNT.value, count.number, "stock count")
        lines = session.scalars(
            select(StockCountLine)
            .where(StockCountLine.count_id == count.id)
            .order_by(StockCountLine.id)
        ).all()
        part_of = {
            p.id: p
            for p in session.scalars(
                select(Part).where(Part.id.in_({line.part_id for line in lines}))
            )
        }
        items = {
            item.id: item
            for item in session.scalars(
                select(SerialItem).where(
                    SerialItem.id.in_(
                        select(StockCountLine.serial_item_id).where(
                            StockCountLine.count_id == count.id
                        )
                    )
                )
            )
        }
        outcomes = []
        for line in lines:
            item = items.get(line.serial_item_id) if line.serial_item_id else None
            outcomes.append(
                (
                    line,
                    _post_line(
                        session, line, item, part_of[line.part_id], depot, adjust, stamp, posted
                    ),
                )
            )
        with session.no_autoflush:
            for line, outcome in outcomes:
                line.outcome = outcome
        _event(
            session,
            count,
            "count_posted",
            actor,
            CountStatus.REVIEW,
            CountStatus.POSTED,
            {
                "depot": depot.code,
                "written_off": posted.written_off[:200],
                "found": posted.found[:200],
                "moved_since_start": posted.moved[:200],
                "findings": posted.findings[:200],
                "units_in": posted.units_in,
                "units_out": posted.units_out,
                "value": str(posted.value),
            },
        )
        return posted


def _post_line(
    session: Session,
    line: StockCountLine,
    item: SerialItem | None,
    part: Part,
    depot: Depot,
    adjust: Location,
    stamp: Stamp,
    posted: Posted,
) -> str:
    cost = Decimal(line.unit_cost)
    if line.serial is None:
        if line.counted is None or line.book_at_count is None:
            return "not_counted"
        delta = line.counted - line.book_at_count
        if delta == 0:
            return "ok"
        try:
            if delta > 0:
                move_counted(
                    session,
                    part,
                    adjust,
                    depot.location,
                    delta,
                    stamp=stamp,
                    condition=line.condition,
                )
                posted.units_in += delta
            else:
                move_counted(
                    session,
                    part,
                    depot.location,
                    adjust,
                    -delta,
                    stamp=stamp,
                    condition=line.condition,
                )
                posted.units_out += -delta
        except Conflict as short:
            raise Conflict(
                f"{part.part_number} ({line.condition}) moved since it was counted: fewer than "
                f"{-delta} free at {depot.code} now; recount it",
                field="quantities",
                key="cnt.moved_since",
                params={
                    "part": part.part_number,
                    "condition": line.condition,
                    "n": -delta,
                    "depot": depot.code,
                },
            ) from short
        posted.value += cost * delta
        posted.movements += 1
        return "adjusted"
    if line.finding is not None:
        if line.finding == CountFinding.MISSING.value and item is not None:
            if item.status != ItemStatus.MISSING.value:
                posted.moved.append(line.serial)
                return "moved"
            restock(session, item, depot.location, stamp, was=ItemStatus.MISSING)
            posted.found.append(line.serial)
            posted.units_in += 1
            posted.value += cost
            posted.movements += 1
            return "found"
        posted.findings.append(line.serial)
        return "finding"
    if line.counted:
        return "ok"
    if line.reserved:
        posted.kept_reserved.append(line.serial)
        return "reserved"
    if (
        item is None
        or item.location_id != depot.location_id
        or item.status != ItemStatus.IN_STOCK.value
    ):
        posted.moved.append(line.serial)
        return "moved"
    write_off_missing(session, item, adjust, stamp)
    posted.written_off.append(line.serial)
    posted.units_out += 1
    posted.value -= cost
    posted.movements += 1
    return "written_off"


def _event(
    session: Session,
    count: StockCount,
    kind: str,
    actor: str,
    from_state: CountStatus,
    to_state: CountStatus,
    data: dict | None = None,
    *,
    note: str | None = None,
) -> None:
    record_on(
        session,
        "stock_count",
        count,
        kind,
        actor=actor,
        from_state=from_state.value,
        to_state=to_state.value,
        note=note,
        data=data,
    )
