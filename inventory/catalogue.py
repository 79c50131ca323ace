"""The network and the catalogue, as an admin sets them up: depots (with their stock
location, coordinates and time zone), parts, and each part's stock policy at a depot.
Every creation or change is an event; each call commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from inventory.depot_access import check_acts_at
from inventory.errors import Conflict
from inventory.events import record_created, record_on, record_updated
from inventory.lookups import depot_by_code, part_by_number, refuse_taken
from inventory.transaction import transaction
from inventory.views import apply_changes
from models import (
    Depot,
    Location,
    Part,
    SerialItem,
    StockPolicy,
    StockQuantity,
    Transfer,
    User,
    UserDepot,
)
from models.enums import ItemStatus, LocationKind, TransferStatus


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


PART_FIELDS = ("description", "description_zh", "category", "kind", "unit_cost")


def update_part(db: Session, part_number: str, fields: dict, *, actor: str) -> Part:
    """Change a part's words, category, kind or unit cost (its number and tracking stay:
    stock and history hang on them); one event with each change's before and after."""
    with transaction(db):
        part = part_by_number(db, part_number, field="part_number")
        changes = apply_changes(part, fields, PART_FIELDS)
        record_updated(db, "part", part, changes, actor=actor, ref=part.part_number)
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
        record_on(
            db,
            "part",
            part,
            "policy_set",
            actor=actor,
            ref=part.part_number,
            data={"depot": depot.code, **values, "before": before},
        )
        return {"depot": depot.code, "part_number": part.part_number, **values}


DEPOT_FIELDS = ("name", "name_en", "address", "city", "lat", "lon", "precision", "timezone")


def update_depot(
    db: Session, code: str, fields: dict, *, locate: Callable[[dict], None], actor: str
) -> Depot:
    """Change a depot's name, address, place or time zone. A new address without new
    coordinates is placed again by ``locate`` (as a new depot is); coordinates given are
    taken as entered. The event keeps each setting's value before and after."""
    data = {k: v for k, v in fields.items() if k in DEPOT_FIELDS and v is not None}
    with transaction(db):
        depot = depot_by_code(db, code, field="code")
        moved = "lat" in data or (data.get("address") not in (None, depot.address))
        if moved:
            place = {"address": data.get("address", depot.address), **data}
            if "city" not in fields:  # the city follows the new place unless given
                place.pop("city", None)
            locate(place)
            data.update({k: place[k] for k in ("lat", "lon", "precision", "uncertainty_km")})
            if "city" in place:
                data["city"] = place["city"]
        changes = {
            k: {"from": getattr(depot, k), "to": v}
            for k, v in data.items()
            if getattr(depot, k) != v
        }
        for key, value in data.items():
            setattr(depot, key, value)
        if "name" in data:
            depot.location.name = data["name"]
        record_updated(db, "depot", depot, changes, actor=actor, ref=depot.code)
        return depot


@dataclass(frozen=True)
class DepotHoldings:
    """What ties a depot down: units on its shelves, transfers on the road to or from it,
    and the staff assigned to it."""

    serial_units: int
    counted_units: int
    transfers_in_transit: int
    staff: tuple[str, ...]

    @property
    def units(self) -> int:
        return self.serial_units + self.counted_units


def depot_holdings(db: Session, depot: Depot) -> DepotHoldings:
    serial = db.scalar(
        select(func.count(SerialItem.id)).where(
            SerialItem.location_id == depot.location_id,
            SerialItem.status.in_((ItemStatus.IN_STOCK.value, ItemStatus.RESERVED.value)),
        )
    )
    counted = db.scalar(
        select(func.coalesce(func.sum(StockQuantity.qty + StockQuantity.reserved), 0)).where(
            StockQuantity.location_id == depot.location_id
        )
    )
    transfers = db.scalar(
        select(func.count(Transfer.id)).where(
            Transfer.status == TransferStatus.SHIPPED.value,
            or_(Transfer.from_depot_id == depot.id, Transfer.to_depot_id == depot.id),
        )
    )
    staff = db.scalars(
        select(User.username)
        .join(UserDepot, UserDepot.user_id == User.id)
        .where(UserDepot.depot_id == depot.id, User.active)
        .order_by(User.username)
    )
    return DepotHoldings(int(serial or 0), int(counted or 0), int(transfers or 0), tuple(staff))


def set_depot_active(db: Session, code: str, active: bool, *, actor: str) -> DepotHoldings:
    """Deactivate (or reactivate) a depot. A depot with stock on its shelves or a
    transfer on the road is not deactivated (Conflict naming what is there: move it
    first). Its staff keep their assignment, but an inactive depot is offered to nobody
    (``depot_access.depots_of``) until it is reactivated; the event names them."""
    with transaction(db):
        depot = depot_by_code(db, code, field="code")
        holdings = depot_holdings(db, depot)
        if depot.active == active:
            return holdings
        if not active and (holdings.units or holdings.transfers_in_transit):
            raise Conflict(
                f"depot {code} still holds {holdings.units} units "
                f"({holdings.serial_units} serialized, {holdings.counted_units} counted) and "
                f"{holdings.transfers_in_transit} transfers in transit; move them first",
                field="active",
                details={
                    "units": holdings.units,
                    "transfers_in_transit": holdings.transfers_in_transit,
                },
                key="depot_still_holds",
                params={
                    "depot": code,
                    "units": holdings.units,
                    "transfers": holdings.transfers_in_transit,
                },
            )
        depot.active = active
        record_on(
            db,
            "depot",
            depot,
            "reactivated" if active else "deactivated",
            actor=actor,
            ref=depot.code,
            data={"staff": list(holdings.staff)},
        )
        return holdings
