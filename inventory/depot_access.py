"""Which depots a user may act at: warehouse staff at the depots an admin assigned them
(or every depot when ``all_depots`` is set); everybody else is not bound to depots.

The rule is enforced where stock moves: a session carrying a depot scope
(``bind_scope``) refuses, in ``inventory.ledger``, any movement into or out of a depot
outside it, so every service — console, API, import — obeys it without its own check.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.errors import Forbidden
from models import Depot, Location, User, UserDepot
from models.enums import LocationKind, Role

SCOPE_KEY = "depot_scope"  # session.info: frozenset of depot location ids, or absent


def depot_ids_of(session: Session, user: User) -> frozenset[int] | None:
    """The ids of the depots ``user`` may act at; None when not bound (every depot)."""
    if user.role != Role.WAREHOUSE.value or user.all_depots:
        return None
    return frozenset(
        session.scalars(select(UserDepot.depot_id).where(UserDepot.user_id == user.id))
    )


def depots_of(session: Session, user: User) -> list[Depot]:
    """The active depots ``user`` may act at, by code."""
    stmt = select(Depot).where(Depot.active).order_by(Depot.code)
    ids = depot_ids_of(session, user)
    if ids is not None:
        stmt = stmt.where(Depot.id.in_(ids))
    return list(session.scalars(stmt))


def bind_scope(session: Session, user: User | None) -> None:
    """From now on this session moves stock only at the depots ``user`` may act at."""
    ids = depot_ids_of(session, user) if user is not None else None
    if ids is None:
        session.info.pop(SCOPE_KEY, None)
        return
    locations = session.scalars(select(Depot.location_id).where(Depot.id.in_(ids)))
    session.info[SCOPE_KEY] = frozenset(locations)


def may_act_at(session: Session, depot: Depot) -> bool:
    scope = session.info.get(SCOPE_KEY)
    return scope is None or depot.location_id in scope


def check_acts_at(session: Session, depot: Depot, *, field: str = "depot") -> None:
    """Refuse (Forbidden) unless the session's user may act at ``depot``."""
    if not may_act_at(session, depot):
        raise Forbidden(
            f"you are not assigned to depot {depot.code}",
            field=field,
            key="not_your_depot",
            params={"depot": depot.code},
        )


def check_movement(session: Session, from_location_id: int, to_location_id: int) -> None:
    """Refuse a movement that touches a depot outside the session's scope (called by the
    ledger for every movement)."""
    scope = session.info.get(SCOPE_KEY)
    if scope is None:
        return
    outside = {from_location_id, to_location_id} - scope
    if not outside:
        return
    depots = session.execute(
        select(Location.code).where(Location.id.in_(outside), Location.kind == LocationKind.DEPOT)
    ).scalars()
    codes = sorted(depots)
    if codes:
        raise Forbidden(
            f"you are not assigned to depot {', '.join(codes)}",
            field="depot",
            key="not_your_depot",
            params={"depot": ", ".join(codes)},
        )
