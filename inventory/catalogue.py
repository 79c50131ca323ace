"""The network and the catalogue, as an admin sets them up: depots (with their stock
location, coordinates and time zone), parts, and each part's stock policy at a depot.
Every creation or change is an event; each call commits."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.depot_access import check_acts_at
from inventory.events import record_created, record_event
from inventory.lookups import depot_by_code, part_by_number, refuse_taken
from inventory.transaction import transaction
from models import Depot, Location, Part, StockPolicy
from models.enums import LocationKind


def create_depot(db: Session, fields: dict, *, locate: Callable[[dict], None], actor: str) -> Depot:
    """A depot and its stock location. `locate` fills the coordinates, their precision,
    the city and the time zone from what was entered (``app.geo.locate``: the coordinates
    given, else the geocoded address). Conflict on a taken code."""
    data = dict(fields)
    with transaction(db):
        refuse_taken(db, Depot.code, data["code"], "depot", field="code")
        locate(data)
        location = Location(code=data["code"], name=data["name"], kind=LocationKind.DEPOT.value)
        db.add(location)
        db.flush()
        depot = Depot(location_id=location.id, **data)
        db.add(depot)
        db.flush()
        record_created(db, "depot", depot.id, depot.code, actor=actor, data=data)
        return depot


def create_part(db: Session, fields: dict, *, actor: str) -> Part:
    """A catalogue part; Conflict on a taken part number."""
    with transaction(db):
        refuse_taken(db, Part.part_number, fields["part_number"], "part", field="part_number")
        part = Part(**fields)
        db.add(part)
        db.flush()
        record_created(db, "part", part.id, part.part_number, actor=actor, data=fields)
        return part


def set_stock_policy(
    db: Session,
    part_number: str,
    depot_code: str,
    *,
    reorder_point: int,
    target_level: int,
    actor: str,
) -> dict:
    """Set the reorder point and target level of a part at a depot; the event keeps the
    values before. Returns {depot, part_number, reorder_point, target_level}."""
    with transaction(db):
        part = part_by_number(db, part_number)
        depot = depot_by_code(db, depot_code, field="depot_code")
        check_acts_at(db, depot, field="depot_code")  # kept by the depot's own staff
        policy = db.scalar(
            select(StockPolicy).where(
                StockPolicy.part_id == part.id, StockPolicy.depot_id == depot.id
            )
        )
        before = None
        if policy is None:
            policy = StockPolicy(part_id=part.id, depot_id=depot.id)
            db.add(policy)
        else:
            before = {"reorder_point": policy.reorder_point, "target_level": policy.target_level}
        policy.reorder_point = reorder_point
        policy.target_level = target_level
        values = {"reorder_point": reorder_point, "target_level": target_level}
        record_event(
            db,
            subject_type="part",
            subject_id=part.id,
            subject_ref=part.part_number,
            kind="policy_set",
            actor=actor,
            data={"depot": depot.code, **values, "before": before},
        )
        return {"depot": depot.code, "part_number": part.part_number, **values}
