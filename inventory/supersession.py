"""Part supersession: which part numbers can serve demand for a part (one home for the rule).

A row ``old → new`` (models.PartSupersession) says the new part number replaces the old
one: the new one serves demand for the old (one-way); with ``two_way`` the old one also
serves demand for the new (fully interchangeable). Links chain: when A → B and B → C,
C serves demand for A too. A part has at most one successor and the chain has no cycle.

Callers: stock availability (``inventory.queries.availability``), dispatch ranking and
confirmation (``inventory.dispatch_service``, the van's free units in ``inventory.vans``),
the advance replacement's allocation (``inventory.rmas``) and the service-parts plan
(``inventory.planning_data``: a superseded part's installed base, failure history and
shelf stock count for the newest part of its chain, the one planned).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inventory.errors import Conflict, InvalidInput
from inventory.events import record_on
from inventory.ledger import FREE_GOOD_UNIT
from inventory.lookups import part_by_number
from inventory.transaction import transaction
from models import Part, PartSupersession, SerialItem, StockQuantity, utcnow
from models.enums import Condition


@dataclass(frozen=True)
class Link:
    old: int
    new: int
    two_way: bool


def _links(session: Session) -> list[Link]:
    return [
        Link(int(o), int(n), bool(t))
        for o, n, t in session.execute(
            select(
                PartSupersession.old_part_id,
                PartSupersession.new_part_id,
                PartSupersession.two_way,
            )
        )
    ]


def _servers_by_part(links: list[Link]) -> dict[int, list[int]]:
    """part id → the part ids that directly serve its demand."""
    out: dict[int, list[int]] = defaultdict(list)
    for link in links:
        out[link.old].append(link.new)  # the successor serves the old part's demand
        if link.two_way:
            out[link.new].append(link.old)
    return out


def serving_part_ids(session: Session, part_id: int) -> list[int]:
    """The part ids that can serve demand for ``part_id``: the part itself first, then its
    substitutes nearest first (successors before their successors)."""
    servers = _servers_by_part(_links(session))
    order, frontier = [part_id], [part_id]
    while frontier:
        nxt = []
        for pid in frontier:
            for other in sorted(servers.get(pid, ())):
                if other not in order:
                    order.append(other)
                    nxt.append(other)
        frontier = nxt
    return order


def serving_parts(session: Session, part: Part) -> list[Part]:
    """``serving_part_ids`` as Part rows, the part itself first."""
    ids = serving_part_ids(session, part.id)
    if len(ids) == 1:
        return [part]
    rows = {p.id: p for p in session.scalars(select(Part).where(Part.id.in_(ids)))}
    return [rows[i] for i in ids]


def successor_heads(session: Session) -> dict[int, int]:
    """part id → the newest part at the end of its supersession chain, for every part
    that has a successor (the part the service-parts plan plans in its place)."""
    succ = {link.old: link.new for link in _links(session)}
    out = {}
    for old in succ:
        head, seen = succ[old], {old}
        while head in succ and head not in seen:
            seen.add(head)
            head = succ[head]
        out[old] = head
    return out


def free_good_units(
    session: Session, part_ids: list[int], location_ids: list[int] | None = None
) -> dict[tuple[int, int], int]:
    """(location id, part id) → free good units on the shelf of those parts (serialized
    units in stock, counted quantities), optionally only at ``location_ids``."""
    serial = select(SerialItem.location_id, SerialItem.part_id, func.count()).where(
        SerialItem.part_id.in_(part_ids),
        *FREE_GOOD_UNIT,
    )
    counted = select(StockQuantity.location_id, StockQuantity.part_id, StockQuantity.qty).where(
        StockQuantity.part_id.in_(part_ids),
        StockQuantity.condition == Condition.GOOD.value,
        StockQuantity.qty > 0,
    )
    if location_ids is not None:
        serial = serial.where(SerialItem.location_id.in_(location_ids))
        counted = counted.where(StockQuantity.location_id.in_(location_ids))
    out: dict[tuple[int, int], int] = defaultdict(int)
    for loc, pid, n in session.execute(serial.group_by(SerialItem.location_id, SerialItem.part_id)):
        out[(int(loc), int(pid))] += int(n)
    for loc, pid, n in session.execute(counted):
        out[(int(loc), int(pid))] += int(n)
    return {k: v for k, v in out.items() if v > 0}


def part_to_send(session: Session, part: Part, location_id: int) -> Part | None:
    """The part to take from ``location_id`` for demand of ``part``: the part itself when a
    free good unit is there, else the nearest substitute that has one; None when none."""
    parts = serving_parts(session, part)
    free = free_good_units(session, [p.id for p in parts], [location_id])
    return next((p for p in parts if free.get((location_id, p.id), 0) > 0), None)


# --- setting it ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupersessionView:
    part_number: str
    replaced_by: str | None
    two_way: bool
    replaces: list[str]
    serves: list[str]  # part numbers that can serve this part's demand, itself excluded


def supersession_view(session: Session, part: Part) -> SupersessionView:
    link = session.scalar(select(PartSupersession).where(PartSupersession.old_part_id == part.id))
    new = session.get(Part, link.new_part_id) if link else None
    replaces = session.scalars(
        select(Part.part_number)
        .join(PartSupersession, PartSupersession.old_part_id == Part.id)
        .where(PartSupersession.new_part_id == part.id)
        .order_by(Part.part_number)
    )
    return SupersessionView(
        part.part_number,
        new.part_number if new else None,
        bool(link.two_way) if link else False,
        list(replaces),
        [p.part_number for p in serving_parts(session, part)[1:]],
    )


def set_supersession(
    session: Session, part_number: str, replaced_by: str | None, *, two_way: bool, actor: str
) -> SupersessionView:
    """Say that ``part_number`` is replaced by ``replaced_by`` (None: by no part any more);
    refused when the chain would come back to the part. Audited; commits."""
    with transaction(session):
        part = part_by_number(session, part_number)
        link = session.scalar(
            select(PartSupersession).where(PartSupersession.old_part_id == part.id)
        )
        before = None
        if link is not None:
            old_new = session.get(Part, link.new_part_id)
            before = {
                "replaced_by": old_new.part_number if old_new else None,
                "two_way": link.two_way,
            }
        if replaced_by is None:
            if link is not None:
                session.delete(link)
        else:
            new = part_by_number(session, replaced_by, field="replaced_by")
            if new.id == part.id:
                raise InvalidInput(
                    "a part cannot replace itself", field="replaced_by", key="replaces_itself"
                )
            succ = {x.old: x.new for x in _links(session) if x.old != part.id}
            head, seen = new.id, set()
            while head in succ and head not in seen:
                seen.add(head)
                head = succ[head]
            if head == part.id or part.id in seen:
                raise Conflict(
                    f"{new.part_number} is already replaced, through its chain, by {part.part_number}",
                    field="replaced_by",
                    key="supersession_cycle",
                    params={"part": new.part_number, "by": part.part_number},
                )
            if link is None:
                link = PartSupersession(old_part_id=part.id, new_part_id=new.id, set_by=actor)
                session.add(link)
            link.new_part_id, link.two_way, link.set_by, link.set_at = (
                new.id,
                two_way,
                actor,
                utcnow(),
            )
        session.flush()
        view = supersession_view(session, part)
        record_on(
            session,
            "part",
            part,
            "supersession_set",
            actor=actor,
            ref=part.part_number,
            data={"before": before, "replaced_by": view.replaced_by, "two_way": view.two_way},
        )
        return view
