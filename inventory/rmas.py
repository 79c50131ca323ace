"""RMAs (返修 / 备件先行): both kinds, one table of allowed moves, each move an event with
the stock movements it implies.

advance_replacement: requested → approved (or rejected) → allocated (a good spare
reserved) → shipped (depot → in transit) → delivered (in transit → customer; the return
window starts) → faulty_in_transit (customer → in transit) → faulty_received (in transit
→ depot, condition faulty) → closed.

return_for_repair: requested → approved → awaiting_return → faulty_in_transit →
received (in transit → depot, held for this RMA) → in_repair (depot → repair vendor) →
repaired (back good, or exchanged for a good spare) → shipped → delivered → closed.

Cancel is allowed until something ships and gives a reservation back. A late return is a
flag, not a state: the RMA is marked overdue once, with the contract's charge and an event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from inventory.contracts import contract_calendar, contract_for, sla_policy
from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.events import record_about
from inventory.installed_base import enter_installed_unit
from inventory.ledger import Stamp, move_counted, move_serial, rows_matched
from inventory.lookups import (
    by_ref,
    depot_by_code,
    must_get,
    part_by_number,
    ticket_by_ref,
    virtual_location,
)
from inventory.numbering import next_number
from inventory.overdue import ReturnWindow, overdue_returns
from inventory.reservation import Reservation, release_in_session, reserve_in_session
from inventory.serials import normalize_optional_serial
from inventory.sla_flags import rederive_flags
from inventory.status import update_if_status
from inventory.supersession import part_to_send
from inventory.tracking import new_tracking_code
from inventory.transaction import transaction
from inventory.views import view_of
from logistics.calendars import require_utc
from logistics.sla import Clock, clock_due, return_deadline, spare_delivery_due
from models import Contract, Depot, Equipment, Part, Rma, SerialItem, Site, Ticket, utcnow
from models.enums import (
    Condition,
    ItemStatus,
    LocationKind,
    MovementReason,
    RmaKind,
    RmaStatus,
    TicketStatus,
    Tracking,
)

K, R = RmaKind, RmaStatus


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str
    customer_visible: bool = True


def _m(sources: set[str], target: str, visible: bool = True) -> Move:
    return Move(frozenset(sources), target, visible)


# The one table of allowed RMA moves: (kind, action) → move.
RMA_MOVES: MappingProxyType[tuple[str, str], Move] = MappingProxyType(
    {
        (K.ADVANCE_REPLACEMENT, "approve"): _m({R.REQUESTED}, R.APPROVED),
        (K.ADVANCE_REPLACEMENT, "reject"): _m({R.REQUESTED}, R.REJECTED),
        (K.ADVANCE_REPLACEMENT, "allocate"): _m({R.APPROVED}, R.ALLOCATED),
        (K.ADVANCE_REPLACEMENT, "ship"): _m({R.ALLOCATED}, R.SHIPPED),
        (K.ADVANCE_REPLACEMENT, "deliver"): _m({R.SHIPPED}, R.DELIVERED),
        (K.ADVANCE_REPLACEMENT, "return_faulty"): _m({R.DELIVERED}, R.FAULTY_IN_TRANSIT),
        (K.ADVANCE_REPLACEMENT, "receive_faulty"): _m({R.FAULTY_IN_TRANSIT}, R.FAULTY_RECEIVED),
        (K.ADVANCE_REPLACEMENT, "close"): _m({R.FAULTY_RECEIVED}, R.CLOSED),
        (K.ADVANCE_REPLACEMENT, "cancel"): _m({R.REQUESTED, R.APPROVED, R.ALLOCATED}, R.CANCELLED),
        (K.RETURN_FOR_REPAIR, "approve"): _m({R.REQUESTED}, R.APPROVED),
        (K.RETURN_FOR_REPAIR, "reject"): _m({R.REQUESTED}, R.REJECTED),
        (K.RETURN_FOR_REPAIR, "request_return"): _m({R.APPROVED}, R.AWAITING_RETURN),
        (K.RETURN_FOR_REPAIR, "return_faulty"): _m({R.AWAITING_RETURN}, R.FAULTY_IN_TRANSIT),
        (K.RETURN_FOR_REPAIR, "receive_faulty"): _m({R.FAULTY_IN_TRANSIT}, R.RECEIVED),
        (K.RETURN_FOR_REPAIR, "start_repair"): _m({R.RECEIVED}, R.IN_REPAIR),
        (K.RETURN_FOR_REPAIR, "finish_repair"): _m({R.IN_REPAIR}, R.REPAIRED),
        (K.RETURN_FOR_REPAIR, "ship"): _m({R.REPAIRED}, R.SHIPPED),
        (K.RETURN_FOR_REPAIR, "deliver"): _m({R.SHIPPED}, R.DELIVERED),
        (K.RETURN_FOR_REPAIR, "close"): _m({R.DELIVERED}, R.CLOSED),
        (K.RETURN_FOR_REPAIR, "cancel"): _m(
            {R.REQUESTED, R.APPROVED, R.AWAITING_RETURN}, R.CANCELLED
        ),
    }
)
ACTIONS = tuple(sorted({action for _kind, action in RMA_MOVES}))
TERMINAL = frozenset({R.CLOSED, R.REJECTED, R.CANCELLED})


def allowed_actions(kind: str, status: str) -> list[str]:
    return [a for (k, a), m in RMA_MOVES.items() if k == kind and status in m.sources]


@dataclass(frozen=True)
class RmaView:
    id: int
    number: str
    kind: str
    status: str
    tracking_code: str
    ticket_number: str | None
    customer_code: str
    site_code: str
    service_number: str | None
    customer_unit: str
    contact_name: str | None
    phone: str | None
    fax: str | None
    recipient: str | None
    address: str
    postcode: str | None
    faulty_part_number: str
    faulty_serial: str | None
    faulty_qty: int
    faulty_received_at: datetime | None
    faulty_to_bonded_at: datetime | None
    fault_symptom: str
    fault_analysis: str | None
    fault_action: str | None
    replacement_part_number: str | None
    replacement_serial: str | None
    replacement_qty: int
    replacement_arrived_at: datetime | None
    replacement_to_user_at: datetime | None
    source_depot: str | None
    return_depot: str | None
    carrier: str | None  # the good part's way out
    waybill: str | None
    return_carrier: str | None  # the faulty part's way back
    return_waybill: str | None
    in_warranty: bool
    requested_at: datetime
    approve_due: datetime | None
    approved_at: datetime | None
    shipped_at: datetime | None
    delivery_due: datetime | None
    delivered_at: datetime | None
    return_due_at: datetime | None
    faulty_shipped_at: datetime | None
    closed_at: datetime | None
    cancelled_at: datetime | None
    overdue: bool
    late_charge: Decimal | None
    charge_currency: str | None
    allowed_actions: list[str]


def rma_view(session: Session, r: Rma) -> RmaView:
    def depot_code(depot_id: int | None) -> str | None:
        return must_get(session, Depot, depot_id).code if depot_id else None

    return view_of(
        RmaView,
        r,
        ticket_number=r.ticket.number if r.ticket else None,
        customer_code=r.customer.code,
        site_code=r.site.code,
        faulty_part_number=r.faulty_part.part_number,
        replacement_part_number=r.replacement_part.part_number if r.replacement_part else None,
        source_depot=depot_code(r.source_depot_id),
        return_depot=depot_code(r.return_depot_id),
        allowed_actions=allowed_actions(r.kind, r.status),
    )


def rma_by_ref(
    session: Session, ref: str | int, *, customer_id: int | None = None, field: str = "ref"
) -> Rma:
    """An RMA by number (RMA-2026-000001) or numeric id; another customer's is unknown."""
    return by_ref(session, Rma, ref, "rma", field=field, noun="RMA", customer_id=customer_id)


# -- opening -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RmaRequest:
    """What the repair request form (设备维修申请表) asks for; site and part by code."""

    kind: str
    site_code: str
    faulty_part_number: str
    fault_symptom: str
    faulty_serial: str | None = None
    faulty_qty: int = 1
    ticket: str | None = None
    service_number: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    fax: str | None = None
    recipient: str | None = None
    address: str | None = None
    postcode: str | None = None
    replacement_part_number: str | None = None
    return_depot: str | None = None
    internal_note: str | None = None


def open_rma_in_session(
    session: Session,
    request: RmaRequest,
    *,
    actor: str,
    customer_id: int | None = None,
    now: datetime | None = None,
    status: str = R.REQUESTED,
) -> Rma:
    """Open an RMA in `status` (no commit); the header defaults to the site's and the
    customer's details; `customer_id`, when given, must own the site."""
    now = require_utc(now or utcnow(), "now")
    try:
        kind = RmaKind(request.kind).value
    except ValueError:
        raise InvalidInput(
            "kind must be advance_replacement or return_for_repair", field="kind", key="rma.kind"
        ) from None
    site = session.scalar(select(Site).where(Site.code == request.site_code))
    if site is None or (customer_id is not None and site.customer_id != customer_id):
        raise NotFound.unknown("site", request.site_code, field="site_code")
    faulty_part = part_by_number(session, request.faulty_part_number, field="faulty_part_number")
    replacement_part = (
        part_by_number(session, request.replacement_part_number, field="replacement_part_number")
        if request.replacement_part_number
        else faulty_part
    )
    if request.faulty_qty < 1:
        raise InvalidInput("quantity must be at least 1", field="faulty_qty", key="qty_positive")
    if faulty_part.tracking == Tracking.SERIALIZED.value and request.faulty_qty != 1:
        raise InvalidInput(
            "a serialized part comes back one unit per RMA",
            field="faulty_qty",
            key="rma.serialized_one",
        )
    ticket = None
    if request.ticket:
        ticket = ticket_by_ref(
            session, request.ticket, field="ticket", customer_id=site.customer_id
        )
    equipment = None
    request = replace(request, faulty_serial=normalize_optional_serial(request.faulty_serial))
    if request.faulty_serial:
        equipment = session.scalar(
            select(Equipment).where(
                Equipment.serial == request.faulty_serial, Equipment.part_id == faulty_part.id
            )
        )
        if equipment is not None and equipment.customer_id != site.customer_id:
            if customer_id is not None:
                # a customer asking: another customer's unit is answered exactly as a serial
                # the installed base does not know (the RMA carries the serial, nothing of
                # the other customer's unit or contract)
                equipment = None
            else:
                raise InvalidInput(
                    f"serial {request.faulty_serial} is installed at another customer",
                    field="faulty_serial",
                    key="rma.other_customer_serial",
                    params={"serial": request.faulty_serial},
                )
    contract = (ticket.contract if ticket else None) or (equipment.contract if equipment else None)
    if contract is None:
        contract = contract_for(session, site.customer_id, None, None)
    return_depot = (
        depot_by_code(session, request.return_depot, field="return_depot")
        if request.return_depot
        else None
    )
    policy = sla_policy(contract)
    calendar = contract_calendar(contract, site.timezone, session=session)
    customer = site.customer
    approve_due = clock_due(Clock.SPARE_REQUEST, now, policy, calendar)
    rma = Rma(
        number=next_number(session, "RMA", now),
        kind=kind,
        status=status,
        tracking_code=new_tracking_code(),
        ticket_id=ticket.id if ticket else None,
        customer_id=site.customer_id,
        site_id=site.id,
        equipment_id=equipment.id if equipment else None,
        contract_id=contract.id if contract else None,
        engineer_id=ticket.engineer_id if ticket else None,
        service_number=request.service_number or (ticket.number if ticket else None),
        customer_unit=customer.name,
        contact_name=request.contact_name or site.contact_name or customer.contact_name,
        phone=request.phone or site.phone or customer.phone,
        fax=request.fax or customer.fax,
        recipient=request.recipient or request.contact_name or site.contact_name,
        address=request.address or site.address,
        postcode=request.postcode or site.postcode,
        faulty_part_id=faulty_part.id,
        faulty_serial=request.faulty_serial,
        faulty_qty=request.faulty_qty,
        fault_symptom=request.fault_symptom,
        replacement_part_id=replacement_part.id,
        return_depot_id=return_depot.id if return_depot else None,
        in_warranty=equipment is None or equipment.warranty_end >= calendar.local_date(now),
        requested_at=now,
        approve_due=approve_due,
        internal_note=request.internal_note,
        created_by=actor,
    )
    session.add(rma)
    session.flush()
    _event(
        session,
        rma,
        "opened",
        None,
        status,
        actor,
        now,
        True,
        data={"kind": kind, "approve_due": approve_due.isoformat()},
    )
    return rma


def open_rma(
    session: Session,
    request: RmaRequest,
    *,
    actor: str,
    customer_id: int | None = None,
    now: datetime | None = None,
) -> RmaView:
    """Open an RMA (status requested) and commit."""
    with transaction(session):
        rma = open_rma_in_session(session, request, actor=actor, customer_id=customer_id, now=now)
        view = rma_view(session, rma)
        return view


# -- moving -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoveInput:
    """Optional inputs some moves take: where (depot), which unit (serial), how it travels
    (carrier, waybill), what was found (analysis, action), how a repair ended (outcome:
    repaired | exchanged), the repair vendor, and a staff note (never shown to customers)."""

    depot: str | None = None
    serial: str | None = None
    carrier: str | None = None
    waybill: str | None = None
    analysis: str | None = None
    action_taken: str | None = None
    outcome: str | None = None
    vendor: str | None = None
    reason: str | None = None
    note: str | None = None


@dataclass
class _Ctx:
    session: Session
    rma: Rma
    actor: str
    now: datetime
    given: MoveInput
    data: dict


def _location(session: Session, kind: LocationKind):
    return virtual_location(session, kind)


def _stamp(ctx: _Ctx, reason: MovementReason, note: str | None = None) -> Stamp:
    return Stamp(ctx.actor, reason.value, ctx.rma.number, note)


def _replacement_item(ctx: _Ctx) -> SerialItem | None:
    if ctx.rma.replacement_item_id is None:
        return None
    item = must_get(ctx.session, SerialItem, ctx.rma.replacement_item_id)
    ctx.session.refresh(item)
    return item


def _move_replacement(
    ctx: _Ctx,
    to_kind: LocationKind,
    to_status: str,
    reason: MovementReason,
    expect: tuple[str, ...],
    *,
    keep_ref: bool = False,
) -> None:
    """Move the replacement (serial or counted) one leg."""
    s, rma = ctx.session, ctx.rma
    target = _location(s, to_kind)
    item = _replacement_item(ctx)
    if item is not None:
        move_serial(
            s,
            item,
            target,
            to_status=to_status,
            stamp=_stamp(ctx, reason),
            expect_statuses=expect,
            reserved_ref=rma.number if keep_ref else None,
            expect_reserved_ref=rma.number if ItemStatus.RESERVED.value in expect else None,
        )
        return
    part = must_get(s, Part, rma.replacement_part_id)
    source = _counted_whereabouts(ctx)
    move_counted(
        s,
        part,
        source,
        target,
        rma.replacement_qty,
        stamp=_stamp(ctx, reason),
        condition=Condition.GOOD.value,
        from_reserved=source.kind == LocationKind.DEPOT.value,
    )


def _counted_whereabouts(ctx: _Ctx):
    """Where a counted replacement is now, from the RMA's status."""
    s, rma = ctx.session, ctx.rma
    if rma.status in (R.ALLOCATED, R.REPAIRED):
        return must_get(s, Depot, rma.source_depot_id).location
    if rma.status == R.SHIPPED:
        return _location(s, LocationKind.IN_TRANSIT)
    raise Conflict(
        f"RMA {rma.number}: the replacement is not where this move starts",
        field="status",
        key="rma.replacement_elsewhere",
        params={"ref": rma.number},
    )


def _reserve_replacement(ctx: _Ctx, depot: Depot) -> None:
    s, rma = ctx.session, ctx.rma
    part = must_get(s, Part, rma.replacement_part_id)
    qty = 1 if part.tracking == Tracking.SERIALIZED.value else rma.faulty_qty
    held = reserve_in_session(
        s, depot, part, rma.number, qty=qty, serial=ctx.given.serial, actor=ctx.actor
    )
    rma.source_depot_id = depot.id
    rma.replacement_qty = held.qty
    if held.serial:
        rma.replacement_serial = held.serial
        rma.replacement_item_id = s.scalar(
            select(SerialItem.id).where(
                SerialItem.part_id == part.id, SerialItem.serial == held.serial
            )
        )
    ctx.data.update({"depot": depot.code, "serial": held.serial, "qty": held.qty})


def _release_replacement(ctx: _Ctx) -> None:
    s, rma = ctx.session, ctx.rma
    if rma.source_depot_id is None or not rma.replacement_qty:
        return
    depot = must_get(s, Depot, rma.source_depot_id)
    part = must_get(s, Part, rma.replacement_part_id)
    release_in_session(
        s,
        Reservation(
            rma.number, depot.code, part.part_number, rma.replacement_serial, rma.replacement_qty
        ),
        actor=ctx.actor,
    )
    ctx.data.update({"released": rma.replacement_serial or rma.replacement_qty})


def _faulty_item(ctx: _Ctx) -> SerialItem | None:
    s, rma = ctx.session, ctx.rma
    part = must_get(s, Part, rma.faulty_part_id)
    if part.tracking != Tracking.SERIALIZED.value:
        return None
    if rma.faulty_item_id is None:
        if not rma.faulty_serial:
            raise InvalidInput(
                "give the faulty unit's serial", field="serial", key="rma.faulty_serial_required"
            )
        item = enter_installed_unit(s, part, rma.faulty_serial, ctx.actor, rma.number)
        rma.faulty_item_id = item.id
    item = must_get(s, SerialItem, rma.faulty_item_id)
    s.refresh(item)
    return item


def _depot_for_return(ctx: _Ctx) -> Depot:
    s, rma, given = ctx.session, ctx.rma, ctx.given
    if given.depot:
        depot = depot_by_code(s, given.depot, field="depot")
        rma.return_depot_id = depot.id
        return depot
    depot_id = rma.return_depot_id or rma.source_depot_id
    if depot_id is None:
        raise InvalidInput(
            "say which depot receives the unit", field="depot", key="rma.return_depot_required"
        )
    return must_get(s, Depot, depot_id)


# Side effects of each action; the status change and the event are common to all.


def _approve(ctx: _Ctx) -> None:
    ctx.rma.approved_at = ctx.now


def _allocate(ctx: _Ctx) -> None:
    if not ctx.given.depot:
        raise InvalidInput(
            "say which depot the replacement comes from",
            field="depot",
            key="rma.source_depot_required",
        )
    depot = depot_by_code(ctx.session, ctx.given.depot, field="depot")
    rma = ctx.rma
    if rma.replacement_part_id == rma.faulty_part_id and not ctx.given.serial:
        # the depot holds none of the part itself: a part number serving it goes instead
        asked = must_get(ctx.session, Part, rma.faulty_part_id)
        sent = part_to_send(ctx.session, asked, depot.location_id)
        if sent is not None and sent.id != asked.id:
            rma.replacement_part, rma.replacement_part_id = sent, sent.id
            ctx.data["substitute"] = sent.part_number
    _reserve_replacement(ctx, depot)


def _ship(ctx: _Ctx) -> None:
    rma = ctx.rma
    expect = (ItemStatus.RESERVED.value,)
    _move_replacement(
        ctx,
        LocationKind.IN_TRANSIT,
        ItemStatus.IN_TRANSIT.value,
        MovementReason.SHIP_TO_CUSTOMER,
        expect,
        keep_ref=True,
    )
    rma.shipped_at = ctx.now
    rma.carrier = ctx.given.carrier or rma.carrier
    rma.waybill = ctx.given.waybill or rma.waybill
    policy, calendar = _policy(ctx)
    rma.delivery_due = spare_delivery_due(ctx.now, policy, calendar)
    ctx.data.update(
        {
            "serial": rma.replacement_serial,
            "carrier": rma.carrier,
            "waybill": rma.waybill,
            "delivery_due": rma.delivery_due.isoformat(),
        }
    )


def _deliver(ctx: _Ctx) -> None:
    s, rma = ctx.session, ctx.rma
    _move_replacement(
        ctx,
        LocationKind.CUSTOMER_SITE,
        ItemStatus.AT_CUSTOMER.value,
        MovementReason.DELIVER_TO_CUSTOMER,
        (ItemStatus.IN_TRANSIT.value,),
    )
    rma.delivered_at = rma.replacement_to_user_at = ctx.now
    rma.replacement_arrived_at = rma.replacement_arrived_at or ctx.now
    ctx.data.update({"serial": rma.replacement_serial})
    if rma.kind == K.ADVANCE_REPLACEMENT:
        policy, calendar = _policy(ctx)
        rma.return_due_at = return_deadline(ctx.now, policy, calendar)
        ctx.data["return_due"] = rma.return_due_at.isoformat()
    if rma.equipment_id and rma.replacement_serial and rma.replacement_serial != rma.faulty_serial:
        equipment = must_get(s, Equipment, rma.equipment_id)
        if equipment.serial == rma.faulty_serial:  # the installed base now holds the replacement
            equipment.serial = rma.replacement_serial
            equipment.serial_item_id = rma.replacement_item_id
            ctx.data.update(
                {"installed_serial": rma.replacement_serial, "removed_serial": rma.faulty_serial}
            )


def _return_faulty(ctx: _Ctx) -> None:
    s, rma = ctx.session, ctx.rma
    item = _faulty_item(ctx)
    stamp = _stamp(ctx, MovementReason.RETURN_FROM_CUSTOMER)
    transit = _location(s, LocationKind.IN_TRANSIT)
    if item is not None:
        move_serial(
            s,
            item,
            transit,
            to_status=ItemStatus.IN_TRANSIT.value,
            condition=Condition.FAULTY.value,
            stamp=stamp,
            expect_statuses=(ItemStatus.AT_CUSTOMER.value,),
            reserved_ref=rma.number,
        )
    else:  # faulty counted units were never tracked at the customer: they enter the ledger here
        move_counted(
            s,
            must_get(s, Part, rma.faulty_part_id),
            _location(s, LocationKind.SUPPLIER),
            transit,
            rma.faulty_qty,
            stamp=stamp,
            condition=Condition.FAULTY.value,
        )
    rma.faulty_shipped_at = ctx.now
    rma.return_carrier = ctx.given.carrier or rma.return_carrier
    rma.return_waybill = ctx.given.waybill or rma.return_waybill
    ctx.data.update(
        {"serial": rma.faulty_serial, "carrier": ctx.given.carrier, "waybill": ctx.given.waybill}
    )


def _receive_faulty(ctx: _Ctx) -> None:
    s, rma = ctx.session, ctx.rma
    depot = _depot_for_return(ctx)
    item = _faulty_item(ctx)
    stamp = _stamp(ctx, MovementReason.RETURN_RECEIVED)
    # a unit back for repair stays held for its RMA; an advance replacement's faulty
    # unit joins the depot's faulty stock, ready for a repair batch
    held = rma.kind == K.RETURN_FOR_REPAIR
    if item is not None:
        move_serial(
            s,
            item,
            depot.location,
            to_status=(ItemStatus.RESERVED if held else ItemStatus.IN_STOCK).value,
            condition=Condition.FAULTY.value,
            stamp=stamp,
            expect_statuses=(ItemStatus.IN_TRANSIT.value,),
            reserved_ref=rma.number if held else None,
        )
    else:
        move_counted(
            s,
            must_get(s, Part, rma.faulty_part_id),
            _location(s, LocationKind.IN_TRANSIT),
            depot.location,
            rma.faulty_qty,
            stamp=stamp,
            condition=Condition.FAULTY.value,
        )
    rma.faulty_received_at = rma.faulty_to_bonded_at = ctx.now
    rma.fault_analysis = ctx.given.analysis or rma.fault_analysis
    ctx.data.update({"depot": depot.code, "serial": rma.faulty_serial})
    if rma.return_due_at is not None and ctx.now > rma.return_due_at:
        _flag_overdue(
            s,
            rma,
            actor=ctx.actor,
            now=ctx.now,
            late_by_minutes=(ctx.now - rma.return_due_at).total_seconds() / 60.0,
        )


def _repaired_item(ctx: _Ctx) -> SerialItem:
    """The faulty unit an RMA repair works on; a counted part has none."""
    item = _faulty_item(ctx)
    if item is None:
        raise InvalidInput(
            "counted parts are repaired through repair batches",
            field="kind",
            key="rma.counted_repair",
        )
    return item


def _start_repair(ctx: _Ctx) -> None:
    s, rma = ctx.session, ctx.rma
    item = _repaired_item(ctx)
    move_serial(
        s,
        item,
        _location(s, LocationKind.REPAIR_VENDOR),
        to_status=ItemStatus.AT_VENDOR.value,
        condition=Condition.IN_REPAIR.value,
        stamp=_stamp(ctx, MovementReason.SEND_TO_REPAIR, ctx.given.vendor),
        expect_statuses=(ItemStatus.RESERVED.value,),
        expect_reserved_ref=rma.number,
        reserved_ref=rma.number,
    )
    ctx.data.update({"vendor": ctx.given.vendor})


def _finish_repair(ctx: _Ctx) -> None:
    s, rma, given = ctx.session, ctx.rma, ctx.given
    outcome = given.outcome or "repaired"
    item = _repaired_item(ctx)
    depot = _depot_for_return(ctx)
    if outcome == "repaired":
        move_serial(
            s,
            item,
            depot.location,
            to_status=ItemStatus.RESERVED.value,
            condition=Condition.GOOD.value,
            stamp=_stamp(ctx, MovementReason.RETURN_FROM_REPAIR),
            expect_statuses=(ItemStatus.AT_VENDOR.value,),
            reserved_ref=rma.number,
        )
        rma.replacement_item_id, rma.replacement_serial = item.id, item.serial
        rma.replacement_part_id, rma.replacement_qty, rma.source_depot_id = (
            item.part_id,
            1,
            depot.id,
        )
    elif outcome == "exchanged":
        move_serial(
            s,
            item,
            _location(s, LocationKind.SCRAP),
            to_status=ItemStatus.SCRAPPED.value,
            condition=Condition.SCRAPPED.value,
            stamp=_stamp(ctx, MovementReason.SCRAP, "exchanged"),
            expect_statuses=(ItemStatus.AT_VENDOR.value,),
        )
        _reserve_replacement(ctx, depot)
    else:
        raise InvalidInput(
            "outcome must be repaired or exchanged", field="outcome", key="rma.repair_outcome"
        )
    rma.fault_action = given.action_taken or rma.fault_action or outcome
    rma.replacement_arrived_at = ctx.now
    ctx.data.update({"outcome": outcome, "serial": rma.replacement_serial})


def _cancel(ctx: _Ctx) -> None:
    ctx.rma.cancelled_at = ctx.now
    if ctx.rma.status == R.ALLOCATED:
        _release_replacement(ctx)


def _close(ctx: _Ctx) -> None:
    ctx.rma.closed_at = ctx.now


EFFECTS: dict[str, Callable[[_Ctx], None]] = {
    "approve": _approve,
    "reject": lambda ctx: None,
    "allocate": _allocate,
    "ship": _ship,
    "deliver": _deliver,
    "return_faulty": _return_faulty,
    "receive_faulty": _receive_faulty,
    "request_return": lambda ctx: None,
    "start_repair": _start_repair,
    "finish_repair": _finish_repair,
    "cancel": _cancel,
    "close": _close,
}


def _policy(ctx: _Ctx):
    rma = ctx.rma
    return sla_policy(rma.contract), contract_calendar(
        rma.contract, rma.site.timezone, session=ctx.session
    )


def move_rma_in_session(
    session: Session,
    rma: Rma,
    action: str,
    *,
    actor: str,
    given: MoveInput | None = None,
    now: datetime | None = None,
) -> Rma:
    """Apply one move of `RMA_MOVES` (no commit): check the table, claim the status with
    a compare-and-set, make the stock movements, record the event. Conflict when the
    table forbids the move or someone else moved the RMA first."""
    move = RMA_MOVES.get((rma.kind, action))
    if move is None and action not in ACTIONS:
        raise InvalidInput(
            f"unknown RMA action {action!r}",
            field="action",
            key="rma.unknown_action",
            params={"action": action},
        )
    if move is None or rma.status not in move.sources:
        raise Conflict(
            f"RMA {rma.number} ({rma.kind}) is {rma.status}; it cannot {action}",
            field="status",
            details={"current_status": rma.status, "action": action},
            key="rma_cannot",
            params={"ref": rma.number, "rma_status": rma.status},
        )
    now = require_utc(now or utcnow(), "now")
    previous = rma.status
    if not update_if_status(session, rma, previous, {"status": move.target}):
        raise Conflict(
            f"RMA {rma.number} was changed by someone else; reload it",
            field="status",
            key="changed_meanwhile",
            params={"ref": rma.number},
        )
    ctx = _Ctx(session, rma, actor, now, given or MoveInput(), {})
    EFFECTS[action](ctx)  # sees the status the move started from
    rma.status = move.target
    session.flush()
    _event(
        session,
        rma,
        action,
        previous,
        move.target,
        actor,
        now,
        move.customer_visible,
        note=ctx.given.note or ctx.given.reason,
        data=ctx.data,
    )
    rederive_flags(session, now=now, actor=actor, rma=rma)  # the new fact may clear one
    if action != "close" and _finished_after_its_ticket_closed(session, rma):
        move_rma_in_session(session, rma, "close", actor=actor, now=now)
    return rma


def _finished_after_its_ticket_closed(session: Session, rma: Rma) -> bool:
    """The RMA has nothing left to do and its ticket was closed before it got there: the
    close that would have closed it (close_finished_rmas_of_ticket) has already run.

    The ticket's row is read locked: a ticket closing at the same moment either commits
    first (and is seen closed here) or waits for this RMA's move and then sees it finished."""
    close = RMA_MOVES.get((rma.kind, "close"))
    if rma.ticket_id is None or close is None or rma.status not in close.sources:
        return False
    status = session.scalar(
        select(Ticket.status).where(Ticket.id == rma.ticket_id).with_for_update()
    )
    return status == TicketStatus.CLOSED


def move_rma(
    session: Session,
    ref: str | int,
    action: str,
    *,
    actor: str,
    given: MoveInput | None = None,
    customer_id: int | None = None,
    now: datetime | None = None,
) -> RmaView:
    """One move by action name; commits, or rolls everything back."""
    with transaction(session):
        rma = rma_by_ref(session, ref, customer_id=customer_id)
        move_rma_in_session(session, rma, action, actor=actor, given=given, now=now)
        view = rma_view(session, rma)
        return view


def receive_returned_unit(
    session: Session,
    ref: str | int,
    *,
    actor: str,
    given: MoveInput,
    now: datetime | None = None,
) -> RmaView:
    """The faulty unit is on the warehouse bench: book it in. When the customer never
    announced the shipment (the RMA still says delivered or awaiting return), the parcel's
    arrival proves both moves, which are booked together in one transaction; commits."""
    with transaction(session):
        rma = rma_by_ref(session, ref)
        if "return_faulty" in allowed_actions(rma.kind, rma.status):
            move_rma_in_session(session, rma, "return_faulty", actor=actor, given=given, now=now)
        move_rma_in_session(session, rma, "receive_faulty", actor=actor, given=given, now=now)
        return rma_view(session, rma)


def _open_rmas_of(session: Session, ticket: Ticket) -> list[Rma]:
    """The ticket's RMAs not yet in a terminal status."""
    return list(
        session.scalars(
            select(Rma).where(Rma.ticket_id == ticket.id, Rma.status.not_in(list(TERMINAL)))
        )
    )


def cancel_open_rmas_of_ticket(
    session: Session, ticket: Ticket, *, actor: str, reason: str, now: datetime | None = None
) -> None:
    """Cancel a cancelled ticket's RMAs (no commit); one already on its way is a Conflict."""
    for rma in _open_rmas_of(session, ticket):
        move_rma_in_session(
            session, rma, "cancel", actor=actor, given=MoveInput(reason=reason), now=now
        )


def close_finished_rmas_of_ticket(
    session: Session, ticket: Ticket, *, actor: str, now: datetime | None = None
) -> list[str]:
    """Close the RMAs of a ticket the customer closed that have nothing left to do (the
    faulty part received, the repaired unit delivered); no commit. Returns their numbers;
    an RMA still waiting for its faulty part stays open."""
    closed = []
    for rma in _open_rmas_of(session, ticket):
        move = RMA_MOVES.get((rma.kind, "close"))
        if move is not None and rma.status in move.sources:
            move_rma_in_session(session, rma, "close", actor=actor, now=now)
            closed.append(rma.number)
    return closed


def request_repair_return(
    session: Session,
    *,
    customer_id: int,
    serial: str,
    fault_symptom: str,
    actor: str,
    contact_name: str | None = None,
    phone: str | None = None,
    now: datetime | None = None,
) -> RmaView:
    """A customer asks for one of their installed units to be repaired (返厂维修): a
    return-for-repair RMA for that unit at its site; commits. Another customer's serial
    is unknown."""
    unit = session.scalar(
        select(Equipment).where(Equipment.serial == serial, Equipment.customer_id == customer_id)
    )
    if unit is None:
        raise NotFound(
            f"no installed equipment with serial {serial!r}",
            field="serial",
            key="no_equipment",
            params={"serial": serial},
        )
    if not fault_symptom.strip():
        raise InvalidInput("describe the fault", field="fault_symptom", key="describe_symptom")
    request = RmaRequest(
        kind=RmaKind.RETURN_FOR_REPAIR.value,
        site_code=unit.site.code,
        faulty_part_number=unit.part.part_number,
        faulty_serial=unit.serial,
        fault_symptom=fault_symptom.strip(),
        contact_name=contact_name,
        phone=phone,
    )
    return open_rma(session, request, actor=actor, customer_id=customer_id, now=now)


def _event(
    session: Session,
    rma: Rma,
    kind: str,
    from_state: str | None,
    to_state: str | None,
    actor: str,
    at: datetime,
    visible: bool,
    note: str | None = None,
    data: dict | None = None,
) -> None:
    record_about(
        session,
        rma,
        kind,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        at=at,
        customer_visible=visible,
        note=note,
        data=data,
    )


# -- late returns -------------------------------------------------------------------------


def _flag_overdue(
    session: Session, rma: Rma, *, actor: str, now: datetime, late_by_minutes: float
) -> bool:
    """Mark one RMA overdue with its contract's charge, once (compare-and-set on the
    flag, so two sweeps never charge twice). True if this call flagged it."""
    session.flush()
    contract = rma.contract
    charge = contract.late_return_charge if contract else Decimal("0")
    currency = contract.currency if contract else "CNY"
    won = rows_matched(
        session.execute(
            update(Rma)
            .where(Rma.id == rma.id, Rma.overdue.is_(False))
            .values(overdue=True, overdue_at=now, late_charge=charge, charge_currency=currency)
            .execution_options(synchronize_session=False)
        )
    )
    if won != 1:
        return False
    session.refresh(rma)
    _event(
        session,
        rma,
        "overdue",
        None,
        None,
        actor,
        now,
        True,
        data={
            "return_due": rma.return_due_at.isoformat() if rma.return_due_at else None,
            "late_by_minutes": round(late_by_minutes, 1),
            "charge": str(charge),
            "currency": currency,
        },
    )
    return True


def return_windows(session: Session, now: datetime) -> list[ReturnWindow]:
    """The open return windows that may be late at `now` (not yet flagged)."""
    rows = session.execute(
        select(
            Rma.id,
            Rma.number,
            Rma.return_due_at,
            Rma.faulty_received_at,
            Rma.overdue,
            Contract.late_return_charge,
            Contract.currency,
        )
        .outerjoin(Contract, Contract.id == Rma.contract_id)
        .where(
            Rma.kind == K.ADVANCE_REPLACEMENT,
            Rma.overdue.is_(False),
            Rma.return_due_at.is_not(None),
            Rma.return_due_at < now,
            Rma.faulty_received_at.is_(None),
            Rma.status.not_in(list(TERMINAL)),
        )
    ).all()
    return [
        ReturnWindow(
            r.id,
            r.number,
            r.return_due_at,
            r.faulty_received_at,
            r.overdue,
            r.late_return_charge if r.late_return_charge is not None else Decimal("0"),
            r.currency or "CNY",
        )
        for r in rows
    ]


def flag_overdue_returns(session: Session, *, now: datetime, actor: str = "system") -> list[str]:
    """Flag every RMA whose faulty part is past its return window at `now` (UTC) with the
    contract's charge and an event, and commit; returns the RMA numbers this call flagged
    (none twice, even when two sweeps run at once)."""
    now = require_utc(now, "now")
    with transaction(session):
        flagged = []
        for late in overdue_returns(return_windows(session, now), now):
            rma = must_get(session, Rma, late.rma_id)
            if _flag_overdue(
                session, rma, actor=actor, now=now, late_by_minutes=late.late_by_minutes
            ):
                flagged.append(late.number)
        return flagged
