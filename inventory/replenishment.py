"""The reorder list leads to action: for each (depot, part) at or below its reorder point,
a proposed transfer from the nearest depot (by travel time) that can spare it and stay at
its own level, else a purchase suggestion; accepted in one click, idempotently.

The targets are the stock policies' target levels — which an accepted service-parts plan
writes (``inventory.planning.accept_plan``: reorder at S - 1, refill to S), so where a plan
was accepted its recommended levels are what the list refills to.

A source depot "can spare" what it holds (good, free, on the shelf) above its own level:
its target when it has a policy (and always more than its reorder point), nothing when it
has none. Lines are served most urgent first (lowest share of target on hand), each taking
from the spare the lines before it left, so the list proposes what accepting it top to
bottom would do.

Accepting claims the line with a unique ``open_key`` (depot:part) in ``reorder_actions``
before it creates anything, so a double click or two people at once create one transfer or
purchase request; the key is released when its transfer is received or the purchase request
is closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inventory.depot_access import check_acts_at
from inventory.errors import Conflict, InvalidInput
from inventory.events import record_on
from inventory.ledger import FREE_GOOD_UNIT
from inventory.lookups import depot_by_code, part_by_number
from inventory.numbering import next_number
from inventory.queries import BelowReorder, below_reorder_point
from inventory.transaction import transaction
from inventory.transfers import LineRequest, ship_transfer
from logistics.dispatch import shown_minutes
from logistics.travel import TravelEstimator
from models import (
    Depot,
    Event,
    Part,
    PurchaseRequest,
    ReorderAction,
    SerialItem,
    StockPolicy,
    StockQuantity,
    Transfer,
)
from models.enums import Condition, PurchaseRequestStatus, Tracking, TransferStatus

TRANSFER, PURCHASE = "transfer", "purchase"


@dataclass
class Proposal:
    depot: str
    part_number: str
    description: str
    on_hand: int
    reorder_point: int
    target_level: int
    need: int  # up to the target
    kind: str  # transfer | purchase | accepted
    qty: int
    source: str | None = None  # the depot a transfer comes from
    travel_minutes: float | None = None
    source_on_hand: int | None = None
    source_level: int | None = None
    accepted_kind: str | None = None  # an action already under way
    accepted_ref: str | None = None
    accepted_by: str | None = None
    accepted_at: datetime | None = None
    description_zh: str | None = None  # the catalogue's Chinese description, if any

    @property
    def rest(self) -> int:
        """What a transfer leaves short of the target (to buy, or to transfer later)."""
        return max(self.need - self.qty, 0) if self.kind == TRANSFER else 0


@dataclass
class PlanTargets:
    """The accepted plan the targets come from, if any."""

    reference: str
    accepted_at: datetime
    actor: str


@dataclass
class _Stock:
    on_hand: dict[tuple[int, int], int] = field(default_factory=dict)  # (depot, part) -> good free
    level: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # reorder, target


def plan_targets(session: Session) -> PlanTargets | None:
    event = session.scalar(
        select(Event)
        .where(Event.subject_type == "planning", Event.kind == "plan_accepted")
        .order_by(Event.id.desc())
        .limit(1)
    )
    if event is None:
        return None
    return PlanTargets(event.subject_ref or "", event.at, event.actor)


def _stock(session: Session, part_ids: set[int]) -> _Stock:
    stock = _Stock()
    if not part_ids:
        return stock
    depots = {d.location_id: d.id for d in session.scalars(select(Depot).where(Depot.active))}
    for part_id, location_id, n in session.execute(
        select(SerialItem.part_id, SerialItem.location_id, func.count())
        .where(
            SerialItem.part_id.in_(part_ids),
            *FREE_GOOD_UNIT,
        )
        .group_by(SerialItem.part_id, SerialItem.location_id)
    ):
        if location_id in depots:
            key = (depots[location_id], part_id)
            stock.on_hand[key] = stock.on_hand.get(key, 0) + int(n)
    for part_id, location_id, qty in session.execute(
        select(StockQuantity.part_id, StockQuantity.location_id, StockQuantity.qty).where(
            StockQuantity.part_id.in_(part_ids),
            StockQuantity.condition == Condition.GOOD.value,
            StockQuantity.qty > 0,
        )
    ):
        if location_id in depots:
            key = (depots[location_id], part_id)
            stock.on_hand[key] = stock.on_hand.get(key, 0) + int(qty)
    for policy in session.scalars(select(StockPolicy).where(StockPolicy.part_id.in_(part_ids))):
        stock.level[(policy.depot_id, policy.part_id)] = (
            policy.reorder_point,
            policy.target_level,
        )
    return stock


def _keep(stock: _Stock, depot_id: int, part_id: int) -> int:
    """What a source depot keeps for itself: its target, and more than its reorder point."""
    reorder, target = stock.level.get((depot_id, part_id), (0, 0))
    if target <= 0:
        return 0
    return max(target, reorder + 1)


def _minutes(travel: TravelEstimator, depots: Sequence[Depot]) -> dict[tuple[int, int], float]:
    points = np.array([[d.lat, d.lon] for d in depots], dtype=float)
    matrix = travel.minutes_matrix(points, points)
    return {
        (a.id, b.id): float(matrix[i, j])
        for i, a in enumerate(depots)
        for j, b in enumerate(depots)
    }


def _open_actions(session: Session) -> dict[str, ReorderAction]:
    return {
        a.open_key: a
        for a in session.scalars(select(ReorderAction).where(ReorderAction.open_key.is_not(None)))
        if a.open_key and _still_open(session, a)
    }


def _still_open(session: Session, action: ReorderAction) -> bool:
    """A transfer still in transit, or a purchase request still open."""
    if action.transfer_id is not None:
        status = session.scalar(select(Transfer.status).where(Transfer.id == action.transfer_id))
        return status == TransferStatus.SHIPPED.value
    if action.purchase_request_id is not None:
        status = session.scalar(
            select(PurchaseRequest.status).where(PurchaseRequest.id == action.purchase_request_id)
        )
        return status == PurchaseRequestStatus.OPEN.value
    return False


def _ref_of(session: Session, action: ReorderAction) -> str:
    if action.transfer_id is not None:
        return (
            session.scalar(select(Transfer.number).where(Transfer.id == action.transfer_id)) or ""
        )
    return (
        session.scalar(
            select(PurchaseRequest.number).where(PurchaseRequest.id == action.purchase_request_id)
        )
        or ""
    )


def propose(
    session: Session, travel: TravelEstimator, depot_code: str | None = None
) -> list[Proposal]:
    """The reorder list with a proposal per line (in the list's order: depot, part)."""
    rows = below_reorder_point(session, None)
    depots = list(session.scalars(select(Depot).where(Depot.active).order_by(Depot.code)))
    by_code = {d.code: d for d in depots}
    parts = {
        p.part_number: p
        for p in session.scalars(
            select(Part).where(Part.part_number.in_({r.part_number for r in rows}))
        )
    }
    stock = _stock(session, {p.id for p in parts.values()})
    minutes = _minutes(travel, depots) if rows and depots else {}
    actions = _open_actions(session)
    spare = {key: qty - _keep(stock, key[0], key[1]) for key, qty in stock.on_hand.items()}

    def urgency(row: BelowReorder) -> tuple[float, str, str]:
        return (row.on_hand / max(row.target_level, 1), row.depot, row.part_number)

    proposals: dict[tuple[str, str], Proposal] = {}
    for row in sorted(rows, key=urgency):
        depot, part = by_code.get(row.depot), parts[row.part_number]
        need = max(row.target_level - row.on_hand, 0)
        proposal = Proposal(
            row.depot,
            row.part_number,
            row.description,
            row.on_hand,
            row.reorder_point,
            row.target_level,
            need,
            PURCHASE,
            need,
            description_zh=part.description_zh,
        )
        proposals[(row.depot, row.part_number)] = proposal
        if depot is None or need <= 0:
            continue
        action = actions.get(_key(depot.id, part.id))
        if action is not None:
            proposal.kind, proposal.qty = "accepted", action.qty
            proposal.accepted_kind = action.kind
            proposal.accepted_ref = _ref_of(session, action)
            proposal.accepted_by, proposal.accepted_at = action.accepted_by, action.accepted_at
            continue
        sources = sorted(
            (
                (minutes.get((d.id, depot.id), float("inf")), d.code, d)
                for d in depots
                if d.id != depot.id and spare.get((d.id, part.id), 0) > 0
            ),
            key=lambda s: (s[0], s[1]),
        )
        if not sources:
            continue
        travel_min, _code, source = sources[0]
        qty = min(need, spare[(source.id, part.id)])
        spare[(source.id, part.id)] -= qty
        proposal.kind, proposal.qty, proposal.source = TRANSFER, qty, source.code
        proposal.travel_minutes = shown_minutes(travel_min)  # as the page and the API show it
        proposal.source_on_hand = stock.on_hand.get((source.id, part.id), 0)
        proposal.source_level = _keep(stock, source.id, part.id)
    ordered = [proposals[(r.depot, r.part_number)] for r in rows]
    if depot_code:
        ordered = [p for p in ordered if p.depot == depot_code]
    return ordered


def _key(depot_id: int, part_id: int) -> str:
    return f"{depot_id}:{part_id}"


@dataclass
class Accepted:
    kind: str  # transfer | purchase
    reference: str  # TRF-... or PR-...
    qty: int
    created: bool  # False: the line was already accepted (the same action is answered)
    source: str | None = None


def accept(
    session: Session,
    *,
    depot_code: str,
    part_number: str,
    kind: str,
    qty: int,
    actor: str,
    source: str | None = None,
) -> Accepted:
    """Accept a reorder line as proposed: ship a transfer of ``qty`` from ``source`` (it
    must still be able to spare it) or raise a purchase request. A line already accepted
    and still under way answers that action again (``created`` False)."""
    if kind not in (TRANSFER, PURCHASE):
        raise InvalidInput(
            "kind is transfer or purchase", field="kind", key="kind_transfer_or_purchase"
        )
    if qty <= 0:
        raise InvalidInput("quantity must be at least 1", field="qty", key="qty_positive")
    depot = depot_by_code(session, depot_code)
    check_acts_at(session, depot)
    part = part_by_number(session, part_number)
    key = _key(depot.id, part.id)
    existing = _claimed(session, key)
    if existing is not None:
        return existing
    if kind == TRANSFER:
        if not source:
            raise InvalidInput(
                "a transfer needs the depot it comes from",
                field="source",
                key="transfer_needs_source",
            )
        origin = depot_by_code(session, source, field="source")
        if origin.id == depot.id:
            raise InvalidInput(
                "a transfer needs two different depots", field="source", key="transfer_two_depots"
            )
        stock = _stock(session, {part.id})
        spare = stock.on_hand.get((origin.id, part.id), 0) - _keep(stock, origin.id, part.id)
        if spare < qty:
            raise Conflict(
                f"{origin.code} can spare {max(spare, 0)} of {part.part_number} now, not {qty}; "
                "reload the list",
                field="qty",
                details={"spare": max(spare, 0)},
                key="cannot_spare",
                params={
                    "depot": origin.code,
                    "n": max(spare, 0),
                    "part": part.part_number,
                    "qty": qty,
                },
            )
    action = ReorderAction(
        open_key=key,
        depot_id=depot.id,
        part_id=part.id,
        kind=kind,
        qty=qty,
        accepted_by=actor,
    )
    session.add(action)
    try:
        session.flush()  # the claim: a second accept of the line stops here
    except IntegrityError as lost:
        session.rollback()
        again = _claimed(session, key)
        if again is None:
            raise Conflict(
                "someone else is accepting this line; reload",
                field="part_number",
                key="line_being_accepted",
            ) from lost
        return again
    note = f"reorder {depot.code} {part.part_number}"
    if kind == PURCHASE:
        with transaction(session):
            request = PurchaseRequest(
                number=next_number(session, "PR"),
                depot_id=depot.id,
                part_id=part.id,
                qty=qty,
                status=PurchaseRequestStatus.OPEN.value,
                requested_by=actor,
                note=note,
            )
            session.add(request)
            session.flush()
            action.purchase_request_id = request.id
            record_on(
                session,
                "purchase_request",
                request,
                "purchase_requested",
                actor=actor,
                note=note,
                data={"depot": depot.code, "part_number": part.part_number, "qty": qty},
            )
        return Accepted(PURCHASE, request.number, qty, True)
    assert source is not None
    with transaction(session):  # a line that cannot be shipped leaves no claim behind
        lines = _lines(session, part, origin_code=source, qty=qty)
        shipped = ship_transfer(  # commits the claim with the transfer
            session, from_depot=source, to_depot=depot.code, lines=lines, actor=actor, note=note
        )
        action.transfer_id = session.scalar(
            select(Transfer.id).where(Transfer.number == shipped.number)
        )
    return Accepted(TRANSFER, shipped.number, qty, True, source)


def _lines(session: Session, part: Part, *, origin_code: str, qty: int) -> list[LineRequest]:
    if part.tracking == Tracking.COUNTED.value:
        return [LineRequest(part.part_number, None, qty)]
    origin = depot_by_code(session, origin_code, field="source")
    serials = session.scalars(
        select(SerialItem.serial)
        .where(
            SerialItem.part_id == part.id,
            SerialItem.location_id == origin.location_id,
            *FREE_GOOD_UNIT,
        )
        .order_by(SerialItem.updated_at, SerialItem.serial)  # the longest on the shelf first
        .limit(qty)
    ).all()
    return [LineRequest(part.part_number, serial) for serial in serials]


def _claimed(session: Session, key: str) -> Accepted | None:
    """The action holding ``key``, if still under way; a finished one lets the key go."""
    action = session.scalar(select(ReorderAction).where(ReorderAction.open_key == key))
    if action is None:
        return None
    if _still_open(session, action):
        source = None
        if action.transfer_id is not None:
            transfer = session.get_one(Transfer, action.transfer_id)
            source = session.scalar(select(Depot.code).where(Depot.id == transfer.from_depot_id))
        return Accepted(action.kind, _ref_of(session, action), action.qty, False, source)
    with transaction(session):
        action.open_key = None
    return None
