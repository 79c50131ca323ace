"""Receiving spares from a supplier, one at a time or a whole delivery file."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inventory.errors import Conflict, InvalidInput
from inventory.events import record_event, record_stock_event
from inventory.ledger import Arrival, Stamp, move_counted, receive_many, restock
from inventory.lookups import depot_by_code, part_by_number, virtual_location
from inventory.serials import normalize_optional_serial, normalize_serial
from inventory.transaction import transaction
from models import Delivery, Depot, Movement, Part, SerialItem
from models.enums import Condition, ItemStatus, LocationKind, MovementReason, Tracking

RECEIVABLE_CONDITIONS = (Condition.GOOD.value, Condition.FAULTY.value)


@dataclass(frozen=True)
class Receipt:
    depot: str
    part_number: str
    serial: str | None
    qty: int
    condition: str
    movement_id: int


def _receive(
    session: Session,
    depot: Depot,
    part: Part,
    *,
    serial: str | None,
    qty: int,
    condition: str,
    stamp: Stamp,
) -> Receipt:
    supplier = virtual_location(session, LocationKind.SUPPLIER)
    serial = normalize_optional_serial(serial)
    if condition not in RECEIVABLE_CONDITIONS:
        raise InvalidInput(
            f"cannot receive stock in condition {condition!r}",
            field="condition",
            key="cannot_receive_condition",
            params={"condition": condition},
        )
    if part.tracking == Tracking.SERIALIZED.value:
        if not serial:
            raise InvalidInput(
                f"{part.part_number} is serialized: a serial is required",
                field="serial",
                key="row.serial_required",
            )
        if qty != 1:
            raise InvalidInput(
                "a serialized part is received one serial at a time",
                field="qty",
                key="serialized_one_at_a_time",
            )
        item = SerialItem(
            part_id=part.id,
            serial=serial,
            location_id=supplier.id,
            status=ItemStatus.IN_TRANSIT.value,
            condition=condition,
        )
        try:
            with session.begin_nested():
                session.add(item)
                session.flush()
        except IntegrityError:
            raise Conflict(
                f"serial {serial!r} already exists for {part.part_number}",
                field="serial",
                key="serial_exists",
                params={"serial": serial, "part": part.part_number},
            ) from None
        movement = restock(session, item, depot.location, stamp, was=ItemStatus.IN_TRANSIT)
    else:
        if serial:
            raise InvalidInput(
                f"{part.part_number} is counted: it has no serials",
                field="serial",
                key="row.no_serials",
                params={"part": part.part_number},
            )
        if qty <= 0:
            raise InvalidInput("quantity must be at least 1", field="qty", key="qty_positive")
        movement = move_counted(
            session, part, supplier, depot.location, qty, stamp=stamp, condition=condition
        )
    return Receipt(depot.code, part.part_number, serial, qty, condition, movement.id)


def receive_from_supplier(
    session: Session,
    *,
    depot_code: str,
    part_number: str,
    actor: str,
    serial: str | None = None,
    qty: int = 1,
    condition: str = Condition.GOOD.value,
    reference: str | None = None,
    note: str | None = None,
) -> Receipt:
    """Book one receipt (one serial, or a quantity of a counted part) and commit."""
    with transaction(session):
        depot = depot_by_code(session, depot_code)
        part = part_by_number(session, part_number)
        stamp = Stamp(actor, MovementReason.RECEIPT.value, reference, note)
        receipt = _receive(
            session, depot, part, serial=serial, qty=qty, condition=condition, stamp=stamp
        )
        _receipt_event(session, receipt, part, actor=actor, reference=reference, note=note)
        return receipt


def _receipt_event(
    session: Session,
    receipt: Receipt,
    part: Part,
    *,
    actor: str,
    reference: str | None,
    note: str | None,
) -> None:
    """A serial's receipt is an event of that serial item; a counted receipt one of the part."""
    data = {
        "depot": receipt.depot,
        "part_number": receipt.part_number,
        "qty": receipt.qty,
        "condition": receipt.condition,
        "reference": reference,
        "movement_id": receipt.movement_id,
    }
    item = None
    if receipt.serial:
        item_id = session.get_one(Movement, receipt.movement_id).serial_item_id
        assert item_id is not None
        item = (item_id, receipt.serial)
    record_stock_event(
        session,
        part,
        "received",
        actor=actor,
        item=item,
        to_state=ItemStatus.IN_STOCK.value,
        note=note,
        data=data,
    )


@dataclass
class RowError:
    row: int  # 1-based data row number as shown in a spreadsheet (header is row 1)
    field: str | None
    message: str  # English
    key: str | None = None  # the words in the catalogue: err.<key> with params
    params: dict | None = None


@dataclass
class ImportReport:
    rows: int = 0
    accepted: int = 0
    units: int = 0
    committed: bool = False
    errors: list[RowError] = field(default_factory=list)
    replayed: bool = False  # the answer of an earlier booking with the same idempotency key


MAX_NAMED_SERIALS = 50  # a refusal names at most this many serials


def delivery_digest(rows: list[dict[str, str]], reference: str | None, strict: bool) -> str:
    """A fingerprint of one import request: its rows, reference and mode (SHA-256 hex)."""
    canonical = json.dumps(
        [reference, strict, rows], ensure_ascii=False, separators=(",", ":"), sort_keys=True
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def import_receipts(
    session: Session,
    rows: Iterable[dict[str, str]],
    *,
    actor: str,
    reference: str | None = None,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
    idempotency_key: str | None = None,
) -> ImportReport:
    """Receive a supplier delivery given as rows with ``depot, part_number, serial, qty,
    condition`` (serial or qty as the part requires).

    Every row is checked first; bad rows are rejected with a per-row message. The good
    rows are then booked in ONE transaction, so a failure part-way leaves nothing
    half-done. With ``strict`` any bad row rejects the whole file.

    A delivery is booked once: the booking transaction claims the delivery's row
    (``models.Delivery``), whose unique ``reference`` the database decides between any
    number of concurrent imports; the losers get a Conflict naming the reference. Serials
    another import booked meanwhile are a Conflict naming every one of them, with nothing
    of this file booked. ``idempotency_key`` (the command line's retry key) is claimed the
    same way: a retry gets the first booking's report back (``replayed``) and books nothing.
    """
    report = ImportReport()
    rows = list(rows)
    report.rows = len(rows)
    digest = delivery_digest(rows, reference, strict)
    for raw in rows:  # one unit is one serial however it was typed (inventory/serials.py)
        if raw.get("serial"):
            raw["serial"] = normalize_serial(raw["serial"])
    if idempotency_key is not None:
        earlier = _booked_with_key(session, idempotency_key, digest)
        if earlier is not None:
            return earlier
    if reference:
        _refuse_booked_reference(session, reference)

    depots = {d.code: d for d in session.scalars(select(Depot))}
    part_numbers = {r.get("part_number", "").strip() for r in rows}
    parts = {
        p.part_number: p
        for p in session.scalars(select(Part).where(Part.part_number.in_(part_numbers)))
    }
    seen: set[tuple[int, str]] = set()
    good: list[tuple[int, Depot, Part, str | None, int, str]] = []
    for number, raw in enumerate(rows, start=2):
        errors = _check_row(raw, depots, parts, seen)
        if errors:
            report.errors.extend(RowError(number, *error) for error in errors)
            continue
        part = parts[raw["part_number"].strip()]
        serial = (raw.get("serial") or "").strip() or None
        qty = int((raw.get("qty") or "1").strip() or 1)
        condition = (raw.get("condition") or "good").strip().lower() or "good"
        good.append((number, depots[raw["depot"].strip()], part, serial, qty, condition))
        if serial:
            seen.add((part.id, serial))

    # Serials that already exist in the database are rejected per row, before writing;
    # in a strict import whose only fault they are, that is the conflict a race ends in.
    existing = _existing_serials(session, good)
    if strict and existing and not report.errors:
        raise _serials_taken(existing)
    report.errors += [
        RowError(
            row,
            "serial",
            f"serial {serial!r} already exists",
            "taken",
            {"what": "serial", "value": serial},
        )
        for serial, row in existing.items()
    ]
    good = [g for g in good if g[0] not in {e.row for e in report.errors}]
    report.errors.sort(key=lambda e: e.row)
    if strict and report.errors:
        return report
    # Rows are booked in one order (serials, then counted stock, each by key) so that two
    # imports sharing lines wait for each other instead of deadlocking.
    good.sort(key=lambda g: (g[3] is None, g[2].id, g[3] or "", g[1].id, g[5]))

    try:
        with transaction(session):
            delivery = (
                _claim_delivery(session, reference, idempotency_key, digest, actor)
                if good
                else None
            )
            supplier = virtual_location(session, LocationKind.SUPPLIER)
            stamp = Stamp(actor, MovementReason.RECEIPT.value, reference, None)
            arrivals = [
                Arrival(part.id, depot.location_id, serial, qty, condition)
                for _number, depot, part, serial, qty, condition in good
            ]
            try:
                movement_ids = receive_many(
                    session, supplier, arrivals, stamp=stamp, progress=progress
                )
            except IntegrityError:  # a serial checked free above was booked meanwhile
                raise _SerialTaken() from None
            report.units = sum(a.qty for a in arrivals)
            report.accepted = len(good)
            report.committed = True
            if good:  # one event for the whole delivery, named by its reference
                record_event(
                    session,
                    subject_type="delivery",
                    subject_id=movement_ids[0],
                    subject_ref=reference,
                    kind="imported",
                    actor=actor,
                    data={
                        "rows": report.rows,
                        "accepted": len(good),
                        "units": report.units,
                        "rejected_rows": len({e.row for e in report.errors}),
                        "depots": sorted({g[1].code for g in good}),
                        "first_movement_id": movement_ids[0],
                        "last_movement_id": movement_ids[-1],
                    },
                )
                assert delivery is not None
                delivery.report = {
                    "rows": report.rows,
                    "accepted": report.accepted,
                    "units": report.units,
                    "errors": [[e.row, e.field, e.message, e.key, e.params] for e in report.errors],
                }
    except _SerialTaken:
        raise _serials_taken(_existing_serials(session, good)) from None
    except _KeyTaken:
        earlier = _booked_with_key(session, idempotency_key or "", digest)
        if earlier is None:  # the key's booking was rolled back meanwhile: a plain retry
            raise Conflict(
                "the first import with this key is still running; retry", key="import_running"
            ) from None
        return earlier
    except Exception:
        report.units = 0
        report.accepted = 0
        report.committed = False
        raise
    return report


class _SerialTaken(Exception):
    """A serial of the file was booked by another transaction while this one ran."""


class _KeyTaken(Exception):
    """Another booking holds this idempotency key."""


def _refuse_booked_reference(session: Session, reference: str) -> None:
    """A reference a delivery or a single receipt was booked under is taken."""
    booked = session.scalar(select(exists().where(Delivery.reference == reference))) or (
        session.scalar(
            select(
                exists().where(
                    Movement.reference == reference,
                    Movement.reason == MovementReason.RECEIPT.value,
                )
            )
        )
    )
    if booked:
        raise _already_received(reference)


def _already_received(reference: str | None) -> Conflict:
    return Conflict(
        f"delivery {reference!r} was already received",
        field="reference",
        key="delivery_received",
        params={"ref": reference},
    )


def _claim_delivery(
    session: Session, reference: str | None, key: str | None, digest: str, actor: str
) -> Delivery:
    """Insert the delivery's row first thing in the booking transaction: a concurrent
    import of the same reference (or key) waits here on the unique index, and fails once
    this transaction commits."""
    delivery = Delivery(reference=reference, idempotency_key=key, request_hash=digest, actor=actor)
    try:
        with session.begin_nested():
            session.add(delivery)
            session.flush()
        return delivery
    except IntegrityError:
        if key is not None and session.scalar(
            select(exists().where(Delivery.idempotency_key == key))
        ):
            raise _KeyTaken() from None
        raise _already_received(reference) from None


def _booked_with_key(session: Session, key: str, digest: str) -> ImportReport | None:
    """The report of the delivery booked with this idempotency key, or None."""
    delivery = session.scalar(select(Delivery).where(Delivery.idempotency_key == key))
    if delivery is None:
        return None
    if delivery.request_hash != digest:
        raise InvalidInput(
            "this idempotency key was already used for a different delivery; use a new key",
            field="idempotency_key",
            key="idempotency_key_reused",
        )
    saved = delivery.report or {}
    return ImportReport(
        rows=saved.get("rows", 0),
        accepted=saved.get("accepted", 0),
        units=saved.get("units", 0),
        committed=True,
        errors=[RowError(*e) for e in saved.get("errors", [])],
        replayed=True,
    )


def _existing_serials(session: Session, good) -> dict[str, int]:
    """The file's serials that exist in the database now -> their row numbers."""
    by_part: dict[int, dict[str, int]] = {}
    for number, _depot, part, serial, _qty, _cond in good:
        if serial:
            by_part.setdefault(part.id, {})[serial] = number
    found: dict[str, int] = {}
    for part_id, serials in by_part.items():
        names = list(serials)
        for start in range(0, len(names), 500):
            for existing in session.scalars(
                select(SerialItem.serial).where(
                    SerialItem.part_id == part_id,
                    SerialItem.serial.in_(names[start : start + 500]),
                )
            ):
                found[existing] = serials[existing]
    return found


def _serials_taken(serials: Iterable[str]) -> Conflict:
    """The Conflict naming serials of the file that another booking holds."""
    taken = sorted(serials)
    named = ", ".join(taken[:MAX_NAMED_SERIALS]) + (" …" if len(taken) > MAX_NAMED_SERIALS else "")
    return Conflict(
        f"{len(taken)} serial(s) of this delivery are booked already (by another import); "
        f"nothing of this file was booked: {named}",
        field="serial",
        details={"errors": {"serial": taken[:MAX_NAMED_SERIALS]}},
        key="serials_booked",
        params={"n": len(taken), "serials": named},
    )


MAX_LEN = {"depot": 32, "part_number": 64, "serial": 64, "condition": 12}
MAX_ROW_QTY = (
    1_000_000  # as for one receipt through the API; more is a typo, and overflows the column
)


def _check_row(raw, depots, parts, seen) -> list[tuple[str, str, str, dict]]:
    """A row's faults: (field, English words, catalogue key, its params) each."""
    errors: list[tuple[str, str, str, dict]] = []
    if raw.get("__extra__"):
        errors.append(
            ("_row", "more cells than header columns (a stray comma?)", "row.extra_cells", {})
        )
    for key, limit in MAX_LEN.items():
        value = (raw.get(key) or "").strip()
        if len(value) > limit:
            errors.append((key, f"longer than {limit} characters", "row.too_long", {"n": limit}))
    if errors:
        return errors
    depot = (raw.get("depot") or "").strip()
    pn = (raw.get("part_number") or "").strip()
    serial = (raw.get("serial") or "").strip()
    qty_text = (raw.get("qty") or "").strip()
    condition = (raw.get("condition") or "good").strip().lower() or "good"
    if not depot:
        errors.append(("depot", "missing", "row.missing", {}))
    elif depot not in depots:
        errors.append(
            ("depot", f"unknown depot {depot!r}", "unknown", {"what": "depot", "value": depot})
        )
    part = parts.get(pn)
    if not pn:
        errors.append(("part_number", "missing", "row.missing", {}))
    elif part is None:
        errors.append(
            ("part_number", f"unknown part {pn!r}", "unknown", {"what": "part", "value": pn})
        )
    qty = 1
    if qty_text:
        try:
            qty = int(qty_text)
        except ValueError:
            errors.append(
                ("qty", f"not a whole number: {qty_text!r}", "row.not_whole", {"value": qty_text})
            )
        else:
            if qty <= 0:
                errors.append(("qty", "must be at least 1", "row.at_least_one", {}))
            elif qty > MAX_ROW_QTY:
                errors.append(
                    ("qty", f"at most {MAX_ROW_QTY} per row", "row.at_most", {"n": MAX_ROW_QTY})
                )
    if condition not in RECEIVABLE_CONDITIONS:
        errors.append(
            (
                "condition",
                f"must be one of {', '.join(RECEIVABLE_CONDITIONS)}",
                "row.condition",
                {"choices": ", ".join(RECEIVABLE_CONDITIONS)},
            )
        )
    if part is not None:
        if part.tracking == Tracking.SERIALIZED.value:
            if not serial:
                errors.append(
                    ("serial", "required for a serialized part", "row.serial_required", {})
                )
            elif qty != 1:
                errors.append(
                    ("qty", "a serialized row holds exactly one unit", "row.one_unit", {})
                )
            elif (part.id, serial) in seen:
                errors.append(
                    (
                        "serial",
                        f"serial {serial!r} appears twice in this file",
                        "row.twice",
                        {"serial": serial},
                    )
                )
        elif serial:
            errors.append(
                ("serial", f"{pn} is counted and has no serials", "row.no_serials", {"part": pn})
            )
    return errors
