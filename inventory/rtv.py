"""Return to vendor (RTV): faulty units shipped back to their vendor under the vendor's
RMA number as a warranty claim, what the vendor did with each, and the money.

- **Create** (status ``open``): the units are faulty serials on the RTV depot's shelf, or
  already at one of the vendor's sites (a removed part the return rules sent to the
  vendor's hub, ``inventory.part_returns``). Each is held for the RTV (its
  ``reserved_ref``, a compare-and-set: a unit is on one open claim at a time) and checked
  against the vendor's warranty terms on the claim date (``inventory.warranty``): the
  line says in / out / unknown and why, and claims the unit's value (the part's unit
  cost) unless it is out of warranty.
- **Ship** (``open`` → ``shipped``): units on a depot shelf move to the vendor's site
  (the RTV's vendor location: a site of that vendor, else the repair-vendor account);
  units already there stay.
- **Receive** (per serial; ``shipped`` → ``received`` once every unit is back): repaired
  and no-fault-found units come back good to the depot's shelf; rejected ones (out of
  warranty, damaged) come back faulty; a replaced unit stays with the vendor (booked to
  scrap) and the replacement serial enters stock good at the depot.
- **Settle** (``received`` → ``credited``, or ``closed`` when the vendor credits nothing):
  the credit received and the vendor's credit note. Cost not recovered = claimed − credit.

Every status change and every line's outcome is a compare-and-set; every unit's move is a
ledger movement referencing the RTV number.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.events import record_on
from inventory.ledger import Stamp, move_serial, rows_matched
from inventory.lookups import depot_by_code, item_by_serial, one_by, virtual_location
from inventory.numbering import next_number
from inventory.serials import normalize_serial
from inventory.status import update_if_status
from inventory.transaction import transaction
from inventory.views import view_of
from inventory.warranty import check_warranty, vendor_key
from logistics.calendars import require_utc
from models import Location, Rtv, RtvLine, SerialItem, utcnow
from models.enums import VIRTUAL_LOCATIONS, Condition, ItemStatus, LocationKind, MovementReason
from models.rtv import RtvOutcome, RtvStatus, WarrantyVerdict

SHANGHAI_DAY_OFFSET_HOURS = 8  # the claim date is the Shanghai calendar day
OPEN_STATUSES = (RtvStatus.OPEN.value, RtvStatus.SHIPPED.value, RtvStatus.RECEIVED.value)
OUTCOMES = tuple(o.value for o in RtvOutcome if o is not RtvOutcome.PENDING)
AGEING_BUCKETS = ((0, 30, "0-30"), (31, 60, "31-60"), (61, 90, "61-90"), (91, None, "90+"))
ZERO = Decimal("0.00")


# --- views ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RtvLineView:
    part_number: str
    serial: str
    warranty: str
    warranty_reason: str
    warranty_start: date | None
    warranty_end: date | None
    unit_value: Decimal
    claim_amount: Decimal
    outcome: str
    replacement_serial: str | None
    returned_at: datetime | None


@dataclass(frozen=True)
class RtvView:
    number: str
    vendor: str
    vendor_rma: str
    failure: str
    depot: str
    vendor_location: str
    vendor_location_name: str
    status: str
    created_by: str
    created_at: datetime
    shipped_at: datetime | None
    waybill: str | None
    received_at: datetime | None
    claim_amount: Decimal
    credit_amount: Decimal | None
    credit_note: str | None
    cost_not_recovered: Decimal | None
    settled_at: datetime | None
    age_days: int
    lines: list[RtvLineView]


def rtv_view(rtv: Rtv, now: datetime | None = None) -> RtvView:
    now = now or utcnow()
    claim = sum((ln.claim_amount for ln in rtv.lines), ZERO)
    settled = rtv.status in (RtvStatus.CREDITED.value, RtvStatus.CLOSED.value)
    credit = rtv.credit_amount
    end = rtv.settled_at if settled and rtv.settled_at else now
    return view_of(
        RtvView,
        rtv,
        depot=rtv.depot.code,
        vendor_location=rtv.vendor_location.code,
        vendor_location_name=rtv.vendor_location.name,
        claim_amount=claim,
        credit_amount=credit,
        cost_not_recovered=max(claim - (credit or ZERO), ZERO) if settled else None,
        age_days=max(0, (end - rtv.created_at).days),
        lines=[
            RtvLineView(
                ln.part.part_number,
                ln.serial,
                ln.warranty,
                ln.warranty_reason,
                ln.warranty_start,
                ln.warranty_end,
                ln.unit_value,
                ln.claim_amount,
                ln.outcome,
                ln.replacement_serial,
                ln.returned_at,
            )
            for ln in rtv.lines
        ],
    )


def rtv_by_number(session: Session, number: str) -> Rtv:
    return one_by(session, Rtv.number, number, "rtv", field="number", noun="return to vendor")


def list_rtvs(
    session: Session, *, status: str | None = None, vendor: str | None = None, limit: int = 200
) -> list[RtvView]:
    stmt = select(Rtv).order_by(Rtv.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Rtv.status == status)
    if vendor:
        stmt = stmt.where(Rtv.vendor_key == vendor_key(vendor))
    now = utcnow()
    return [rtv_view(r, now) for r in session.scalars(stmt)]


@dataclass(frozen=True)
class Candidate:
    """A faulty unit that could go on an RTV: on a depot's shelf or at a vendor's site."""

    serial: str
    part_number: str
    vendor: str | None
    location: str
    location_kind: str


def candidates(session: Session, *, depot_location_id: int | None = None) -> list[Candidate]:
    """Faulty units not on any claim: at vendors' sites, and on one depot's shelf."""
    kinds = [Location.kind == LocationKind.VENDOR.value]
    stmt = (
        select(SerialItem, Location)
        .join(Location, Location.id == SerialItem.location_id)
        .where(
            SerialItem.condition == Condition.FAULTY.value,
            SerialItem.reserved_ref.is_(None),
            SerialItem.status.in_((ItemStatus.IN_STOCK.value, ItemStatus.AT_VENDOR.value)),
        )
        .order_by(Location.code, SerialItem.serial)
        .limit(500)
    )
    if depot_location_id is not None:
        kinds.append(Location.id == depot_location_id)
    stmt = stmt.where(or_(*kinds))
    return [
        Candidate(item.serial, item.part.part_number, item.part.vendor, loc.code, loc.kind)
        for item, loc in session.execute(stmt)
    ]


# --- the claim ------------------------------------------------------------------------------


def _claim_day(now: datetime) -> date:
    return (now + timedelta(hours=SHANGHAI_DAY_OFFSET_HOURS)).date()


def _vendor_site(session: Session, vendor: str, code: str | None) -> Location:
    if code == VIRTUAL_LOCATIONS[LocationKind.REPAIR_VENDOR]:
        return virtual_location(session, LocationKind.REPAIR_VENDOR)
    if code:
        site = one_by(session, Location.code, code, "location", field="vendor_location")
        if site.kind not in (LocationKind.VENDOR.value, LocationKind.REPAIR_VENDOR.value):
            raise InvalidInput(
                f"{code} is not a vendor's site",
                field="vendor_location",
                key="rtv.not_vendor_site",
                params={"code": code},
            )
        if site.kind == LocationKind.VENDOR.value and vendor_key(site.vendor or "") != vendor_key(
            vendor
        ):
            raise InvalidInput(
                f"{code} is not a site of {vendor}",
                field="vendor_location",
                key="rtv.other_vendor_site",
                params={"code": code, "vendor": vendor},
            )
        return site
    for site in session.scalars(
        select(Location).where(Location.kind == LocationKind.VENDOR.value).order_by(Location.id)
    ):
        if vendor_key(site.vendor or "") == vendor_key(vendor):
            return site
    return virtual_location(session, LocationKind.REPAIR_VENDOR)


def _event(session: Session, rtv: Rtv, kind: str, actor: str, at: datetime, was: str | None,
           data: dict) -> None:  # fmt: skip
    record_on(
        session,
        "rtv",
        rtv,
        kind,
        actor=actor,
        from_state=was,
        to_state=rtv.status,
        at=at,
        data=data,
    )


def _vendor_rma_taken(vendor: str, vendor_rma: str) -> Conflict:
    return Conflict(
        f"{vendor} RMA {vendor_rma} is on another RTV",
        field="vendor_rma",
        key="rtv.vendor_rma_taken",
        params={"vendor": vendor, "vendor_rma": vendor_rma},
    )


def create_rtv(
    session: Session,
    *,
    vendor: str,
    vendor_rma: str,
    failure: str,
    depot_code: str,
    serials: list[str],
    actor: str,
    vendor_location: str | None = None,
    now: datetime | None = None,
) -> RtvView:
    """Open a claim for faulty units (module docstring); commits. A unit that is not faulty,
    not at the depot or one of this vendor's sites, or already on a claim refuses the
    whole RTV."""
    now = require_utc(now or utcnow(), "now")
    vendor, vendor_rma, failure = vendor.strip(), vendor_rma.strip(), failure.strip()
    if not vendor:
        raise InvalidInput("name the vendor", field="vendor", key="name_vendor")
    if not vendor_rma:
        raise InvalidInput(
            "give the vendor's RMA number", field="vendor_rma", key="rtv.vendor_rma_required"
        )
    if not failure:
        raise InvalidInput(
            "say what failure is reported", field="failure", key="rtv.failure_required"
        )
    if not serials:
        raise InvalidInput("an RTV needs at least one unit", field="serials", key="rtv.no_units")
    normalized = [normalize_serial(s) for s in serials]
    if len(set(normalized)) != len(normalized):
        raise InvalidInput("a serial is listed twice", field="serials", key="serial_listed_twice")
    with transaction(session):
        depot = depot_by_code(session, depot_code, field="depot")
        if session.scalar(
            select(Rtv.id).where(Rtv.vendor_key == vendor_key(vendor), Rtv.vendor_rma == vendor_rma)
        ):
            raise _vendor_rma_taken(vendor, vendor_rma)
        items = [item_by_serial(session, s, field=f"serials.{i}") for i, s in enumerate(normalized)]
        hubs = {
            it.location_id for it in items if it.location_id != depot.location_id
        }  # units already at a vendor's site
        site_code = vendor_location
        if hubs and not site_code:
            if len(hubs) > 1:
                raise InvalidInput(
                    "the units are at different vendor sites: one RTV per site",
                    field="serials",
                    key="rtv.several_sites",
                )
            site_code = session.get_one(Location, next(iter(hubs))).code
        site = _vendor_site(session, vendor, site_code)
        rtv = Rtv(
            number=next_number(session, "RTV", now),
            vendor=vendor,
            vendor_key=vendor_key(vendor),
            vendor_rma=vendor_rma,
            failure=failure,
            depot_id=depot.id,
            vendor_location_id=site.id,
            status=RtvStatus.OPEN.value,
            created_by=actor,
            created_at=now,
        )
        session.add(rtv)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:
            raise _vendor_rma_taken(vendor, vendor_rma) from None
        day = _claim_day(now)
        for index, item in enumerate(items):
            field = f"serials.{index}"
            at_depot = item.location_id == depot.location_id
            if item.condition != Condition.FAULTY.value or not (
                at_depot or item.location_id == site.id
            ):
                raise Conflict(
                    f"{item.serial} is not a faulty unit at {depot.code} or {site.code}",
                    field=field,
                    key="rtv.not_faulty_here",
                    params={"serial": item.serial, "depot": depot.code, "site": site.code},
                )
            was = ItemStatus.IN_STOCK if at_depot else ItemStatus.AT_VENDOR
            held = session.execute(
                update(SerialItem)
                .where(
                    SerialItem.id == item.id,
                    SerialItem.location_id == item.location_id,
                    SerialItem.status == was.value,
                    SerialItem.reserved_ref.is_(None),
                )
                .values(
                    status=ItemStatus.RESERVED.value if at_depot else was.value,
                    reserved_ref=rtv.number,
                    updated_at=utcnow(),
                )
                .execution_options(synchronize_session=False)
            )
            if rows_matched(held) != 1:
                raise Conflict(
                    f"{item.serial} is already on a claim or was moved meanwhile",
                    field=field,
                    key="rtv.unit_taken",
                    params={"serial": item.serial},
                )
            check = check_warranty(session, vendor, item, day)
            value = Decimal(item.part.unit_cost or 0).quantize(Decimal("0.01"))
            session.add(
                RtvLine(
                    rtv_id=rtv.id,
                    part_id=item.part_id,
                    serial_item_id=item.id,
                    serial=item.serial,
                    from_location_id=item.location_id,
                    warranty=check.verdict,
                    warranty_reason=check.reason[:500],
                    warranty_start=check.start,
                    warranty_end=check.end,
                    unit_value=value,
                    claim_amount=ZERO if check.verdict == WarrantyVerdict.OUT.value else value,
                )
            )
        session.flush()
        session.refresh(rtv)
        _event(session, rtv, "created", actor, now, None,
               {"vendor": vendor, "vendor_rma": vendor_rma, "units": len(items)})  # fmt: skip
        return rtv_view(rtv, now)


def _cas_status(session: Session, rtv: Rtv, was: RtvStatus, values: dict) -> None:
    if not update_if_status(session, rtv, was.value, values):
        raise Conflict(
            f"RTV {rtv.number} is no longer {was.value}",
            field="number",
            key="changed_meanwhile",
            params={"ref": rtv.number},
        )
    session.expire(rtv)


def ship_rtv(
    session: Session,
    number: str,
    *,
    actor: str,
    waybill: str | None = None,
    now: datetime | None = None,
) -> RtvView:
    """The units leave for the vendor (``open`` → ``shipped``); commits."""
    now = require_utc(now or utcnow(), "now")
    with transaction(session):
        rtv = rtv_by_number(session, number)
        if rtv.status != RtvStatus.OPEN.value:
            raise Conflict(
                f"RTV {number} is {rtv.status}",
                field="number",
                key="rtv.cannot",
                params={"ref": number, "rtv_status": rtv.status},
            )
        site = rtv.vendor_location
        lines = list(rtv.lines)
        _cas_status(session, rtv, RtvStatus.OPEN,
                    {"status": RtvStatus.SHIPPED.value, "shipped_at": now, "waybill": waybill})  # fmt: skip
        stamp = Stamp(actor, MovementReason.RTV_OUT.value, number, waybill)
        for line in lines:
            item = session.get_one(SerialItem, line.serial_item_id)
            session.refresh(item)
            if item.location_id == site.id:
                continue  # already at the vendor's site (sent there by a return rule)
            move_serial(
                session,
                item,
                site,
                to_status=ItemStatus.AT_VENDOR.value,
                stamp=stamp,
                expect_statuses=(ItemStatus.RESERVED.value,),
                reserved_ref=number,
                expect_reserved_ref=number,
            )
        _event(session, rtv, "shipped", actor, now, RtvStatus.OPEN.value, {"waybill": waybill})
        return rtv_view(rtv, now)


@dataclass(frozen=True)
class Outcome:
    outcome: str
    replacement_serial: str | None = None


def receive_rtv(
    session: Session,
    number: str,
    *,
    outcomes: dict[str, Outcome],
    actor: str,
    now: datetime | None = None,
) -> RtvView:
    """Record what the vendor did with some or all units (module docstring); commits. A unit
    recorded already (by anyone) refuses the whole call."""
    now = require_utc(now or utcnow(), "now")
    if not outcomes:
        raise InvalidInput("say what came back", field="outcomes", key="say_what_came_back")
    with transaction(session):
        rtv = rtv_by_number(session, number)
        if rtv.status != RtvStatus.SHIPPED.value:
            raise Conflict(
                f"RTV {number} is {rtv.status}; units come back after it is shipped",
                field="number",
                key="rtv.not_shipped",
                params={"ref": number, "rtv_status": rtv.status},
            )
        depot_location = rtv.depot.location
        site = rtv.vendor_location
        by_serial = {ln.serial: ln for ln in rtv.lines}
        counts: dict[str, int] = {}
        for raw_serial, got in outcomes.items():
            serial = normalize_serial(raw_serial)
            field = f"outcomes.{raw_serial}"
            if got.outcome not in OUTCOMES:
                raise InvalidInput(
                    f"outcome is one of {', '.join(OUTCOMES)}",
                    field=field,
                    key="rtv_bad_outcome",
                )
            line = by_serial.get(serial)
            if line is None:
                raise NotFound(
                    f"{serial} is not on RTV {number}",
                    field=field,
                    key="rtv.not_on_rtv",
                    params={"serial": serial, "ref": number},
                )
            replacement = None
            if got.outcome == RtvOutcome.REPLACED.value:
                if not got.replacement_serial or not got.replacement_serial.strip():
                    raise InvalidInput(
                        "a replaced unit needs the replacement's serial",
                        field=f"{field}.replacement_serial",
                        key="rtv.replacement_required",
                    )
                replacement = normalize_serial(got.replacement_serial)
            elif got.replacement_serial:
                raise InvalidInput(
                    "only a replaced unit has a replacement serial",
                    field=f"{field}.replacement_serial",
                    key="rtv.replacement_only_replaced",
                )
            won = session.execute(
                update(RtvLine)
                .where(RtvLine.id == line.id, RtvLine.outcome == RtvOutcome.PENDING.value)
                .values(outcome=got.outcome, replacement_serial=replacement, returned_at=now)
                .execution_options(synchronize_session=False)
            )
            if rows_matched(won) != 1:
                raise Conflict(
                    f"{serial} already came back",
                    field=field,
                    key="already_came_back",
                    params={"serial": serial},
                )
            item = session.get_one(SerialItem, line.serial_item_id)
            session.refresh(item)
            at_vendor = (ItemStatus.AT_VENDOR.value,)
            if got.outcome == RtvOutcome.REPLACED.value:
                assert replacement is not None
                move_serial(
                    session, item, virtual_location(session, LocationKind.SCRAP),
                    to_status=ItemStatus.SCRAPPED.value, condition=Condition.SCRAPPED.value,
                    stamp=Stamp(actor, MovementReason.RTV_REPLACED.value, number,
                                f"kept by {rtv.vendor}, replaced by {replacement}"),
                    expect_statuses=at_vendor,
                    expect_reserved_ref=number,
                )  # fmt: skip
                new = SerialItem(
                    part_id=item.part_id,
                    serial=replacement,
                    location_id=site.id,
                    status=ItemStatus.AT_VENDOR.value,
                    condition=Condition.GOOD.value,
                )
                try:
                    with session.begin_nested():
                        session.add(new)
                        session.flush()
                except IntegrityError:
                    raise Conflict(
                        f"serial {replacement} already exists for {line.part.part_number}",
                        field=f"{field}.replacement_serial",
                        key="serial_exists",
                        params={"serial": replacement, "part": line.part.part_number},
                    ) from None
                move_serial(
                    session, new, depot_location, to_status=ItemStatus.IN_STOCK.value,
                    stamp=Stamp(actor, MovementReason.RTV_IN.value, number,
                                f"replacement for {serial}"),
                    expect_statuses=(ItemStatus.AT_VENDOR.value,),
                )  # fmt: skip
                session.execute(
                    update(RtvLine)
                    .where(RtvLine.id == line.id)
                    .values(replacement_item_id=new.id)
                    .execution_options(synchronize_session=False)
                )
            else:
                good = got.outcome in (RtvOutcome.REPAIRED.value, RtvOutcome.NO_FAULT_FOUND.value)
                move_serial(
                    session, item, depot_location, to_status=ItemStatus.IN_STOCK.value,
                    condition=(Condition.GOOD if good else Condition.FAULTY).value,
                    stamp=Stamp(actor, MovementReason.RTV_IN.value, number, got.outcome),
                    expect_statuses=at_vendor,
                    expect_reserved_ref=number,
                )  # fmt: skip
            counts[got.outcome] = counts.get(got.outcome, 0) + 1
        session.expire(rtv)
        pending = session.scalar(
            select(RtvLine.id).where(
                RtvLine.rtv_id == rtv.id, RtvLine.outcome == RtvOutcome.PENDING.value
            )
        )
        if pending is None:
            _cas_status(session, rtv, RtvStatus.SHIPPED,
                        {"status": RtvStatus.RECEIVED.value, "received_at": now})  # fmt: skip
        _event(session, rtv, "units_back", actor, now, RtvStatus.SHIPPED.value, counts)
        return rtv_view(rtv, now)


def settle_rtv(
    session: Session,
    number: str,
    *,
    credit_amount: Decimal,
    actor: str,
    credit_note: str | None = None,
    now: datetime | None = None,
) -> RtvView:
    """Record the vendor's credit once every unit is back (``received`` → ``credited``, or
    ``closed`` when the credit is zero); commits."""
    now = require_utc(now or utcnow(), "now")
    if credit_amount < 0:
        raise InvalidInput("the credit is not negative", field="credit_amount", key="not_negative")
    if credit_amount > 0 and not (credit_note or "").strip():
        raise InvalidInput(
            "give the vendor's credit note number",
            field="credit_note",
            key="rtv.credit_note_required",
        )
    with transaction(session):
        rtv = rtv_by_number(session, number)
        if rtv.status != RtvStatus.RECEIVED.value:
            raise Conflict(
                f"RTV {number} is {rtv.status}; the credit is recorded once every unit is back",
                field="number",
                key="rtv.not_received",
                params={"ref": number, "rtv_status": rtv.status},
            )
        to = RtvStatus.CREDITED if credit_amount > 0 else RtvStatus.CLOSED
        _cas_status(
            session, rtv, RtvStatus.RECEIVED,
            {"status": to.value, "credit_amount": credit_amount,
             "credit_note": (credit_note or "").strip() or None,
             "settled_at": now, "settled_by": actor},
        )  # fmt: skip
        _event(session, rtv, to.value, actor, now, RtvStatus.RECEIVED.value,
               {"credit": str(credit_amount), "credit_note": credit_note})  # fmt: skip
        return rtv_view(rtv, now)


# --- ageing and the vendor report -------------------------------------------------------------


@dataclass(frozen=True)
class AgeingRow:
    """Unsettled claims of one vendor by age (days since the claim was made)."""

    vendor: str
    buckets: dict[str, int]
    open_claims: int
    claimed: Decimal
    oldest_days: int


def ageing(session: Session, now: datetime | None = None) -> list[AgeingRow]:
    now = now or utcnow()
    rows: dict[str, dict] = {}
    for rtv in session.scalars(select(Rtv).where(Rtv.status.in_(OPEN_STATUSES))):
        age = max(0, (now - rtv.created_at).days)
        row = rows.setdefault(
            rtv.vendor_key,
            {"vendor": rtv.vendor, "buckets": {b[2]: 0 for b in AGEING_BUCKETS}, "n": 0,
             "claimed": ZERO, "oldest": 0},
        )  # fmt: skip
        label = next(
            lbl for lo, hi, lbl in AGEING_BUCKETS if age >= lo and (hi is None or age <= hi)
        )
        row["buckets"][label] += 1
        row["n"] += 1
        row["claimed"] += sum((ln.claim_amount for ln in rtv.lines), ZERO)
        row["oldest"] = max(row["oldest"], age)
    return [
        AgeingRow(r["vendor"], r["buckets"], r["n"], r["claimed"], r["oldest"])
        for _k, r in sorted(rows.items())
    ]


@dataclass(frozen=True)
class VendorReport:
    vendor: str
    rtvs: int
    units: int
    units_back: int
    turnaround_mean_days: float | None
    turnaround_median_days: float | None
    repaired: int
    replaced: int
    no_fault_found: int
    rejected: int
    no_fault_found_rate: float | None  # of the units back
    repair_yield: float | None  # repaired or replaced, of the units back with a fault
    claimed: Decimal  # on every RTV
    claimed_settled: Decimal  # on the settled ones
    credited: Decimal
    not_recovered: Decimal  # settled claims minus their credit
    recovery_rate: float | None  # credited / claimed on the settled RTVs


def vendor_report(session: Session) -> list[VendorReport]:
    """Per vendor: turnaround (shipped → each unit back), no-fault-found rate, repair yield
    and money recovered against money claimed."""
    per: dict[str, list[Rtv]] = {}
    for rtv in session.scalars(select(Rtv).order_by(Rtv.id)):
        per.setdefault(rtv.vendor_key, []).append(rtv)
    out = []
    for _key, rtvs in sorted(per.items()):
        lines = [(rtv, ln) for rtv in rtvs for ln in rtv.lines]
        back = [(rtv, ln) for rtv, ln in lines if ln.outcome != RtvOutcome.PENDING.value]
        days = [
            (ln.returned_at - rtv.shipped_at).total_seconds() / 86400.0
            for rtv, ln in back
            if ln.returned_at and rtv.shipped_at
        ]

        def n(outcome: RtvOutcome, back=back) -> int:
            return sum(1 for _r, ln in back if ln.outcome == outcome.value)

        nff = n(RtvOutcome.NO_FAULT_FOUND)
        fixed = n(RtvOutcome.REPAIRED) + n(RtvOutcome.REPLACED)
        settled = [
            r for r in rtvs if r.status in (RtvStatus.CREDITED.value, RtvStatus.CLOSED.value)
        ]
        claimed_settled = sum((ln.claim_amount for r in settled for ln in r.lines), ZERO)
        credited = sum((r.credit_amount or ZERO for r in settled), ZERO)
        out.append(
            VendorReport(
                vendor=rtvs[-1].vendor,
                rtvs=len(rtvs),
                units=len(lines),
                units_back=len(back),
                turnaround_mean_days=round(statistics.fmean(days), 2) if days else None,
                turnaround_median_days=round(statistics.median(days), 2) if days else None,
                repaired=n(RtvOutcome.REPAIRED),
                replaced=n(RtvOutcome.REPLACED),
                no_fault_found=nff,
                rejected=n(RtvOutcome.REJECTED_OUT_OF_WARRANTY) + n(RtvOutcome.REJECTED_DAMAGED),
                no_fault_found_rate=round(nff / len(back), 4) if back else None,
                repair_yield=round(fixed / (len(back) - nff), 4) if len(back) > nff else None,
                claimed=sum((ln.claim_amount for _r, ln in lines), ZERO),
                claimed_settled=claimed_settled,
                credited=credited,
                not_recovered=max(claimed_settled - credited, ZERO),
                recovery_rate=round(float(credited / claimed_settled), 4)
                if claimed_settled
                else None,
            )
        )
    return out
