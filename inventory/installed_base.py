"""Customers, their sites and the installed base (equipment under contract).

An installed serialized unit is also a serial item of the stock ledger, sitting at the
customer location: when it fails and comes back, its movements continue its history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.contracts import contract_by_code, warranty_end_for
from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.events import created_view, record_on, record_updated
from inventory.ledger import Stamp, move_serial
from inventory.lookups import one_by, part_by_number, refuse_taken, virtual_location
from inventory.serials import normalize_serial
from inventory.transaction import transaction
from inventory.views import apply_changes, view_of
from models import Customer, Equipment, Part, SerialItem, Site
from models.enums import Condition, ItemStatus, LocationKind, MovementReason, Tracking


@dataclass(frozen=True)
class CustomerView:
    code: str
    name: str
    name_en: str | None
    contact_name: str | None
    phone: str | None
    fax: str | None
    email: str | None


@dataclass(frozen=True)
class SiteView:
    code: str
    customer_code: str
    name: str
    address: str
    city: str
    postcode: str | None
    lat: float
    lon: float
    timezone: str
    contact_name: str | None
    phone: str | None
    precision: str
    uncertainty_km: float


@dataclass(frozen=True)
class EquipmentView:
    id: int
    customer_code: str
    site_code: str
    part_number: str
    serial: str
    acceptance_date: date
    warranty_end: date
    contract_code: str | None
    in_warranty_today: bool


def customer_view(c: Customer) -> CustomerView:
    return view_of(CustomerView, c)


def site_view(s: Site) -> SiteView:
    return view_of(SiteView, s, customer_code=s.customer.code)


def equipment_view(e: Equipment, today: date | None = None) -> EquipmentView:
    today = today or date.today()
    return view_of(
        EquipmentView,
        e,
        customer_code=e.site.customer.code,
        site_code=e.site.code,
        part_number=e.part.part_number,
        contract_code=e.contract.code if e.contract else None,
        in_warranty_today=today <= e.warranty_end,
    )


def customer_by_code(session: Session, code: str, *, field: str = "customer_code") -> Customer:
    return one_by(session, Customer.code, code, "customer", field=field)


def site_by_code(session: Session, code: str, *, field: str = "site") -> Site:
    return one_by(session, Site.code, code, "site", field=field)


def create_customer(
    session: Session, *, code: str, name: str, actor: str = "system", **values
) -> CustomerView:
    """A customer unit with its contact details; commits."""
    with transaction(session):
        refuse_taken(session, Customer.code, code, "customer", field="code")
        customer = Customer(code=code, name=name, **values)
        session.add(customer)
        return created_view(
            session, "customer", customer, customer_view, actor=actor, ref=code, customer=customer
        )


def create_site(
    session: Session,
    *,
    customer_code: str,
    code: str,
    name: str,
    address: str,
    city: str,
    lat: float,
    lon: float,
    actor: str = "system",
    **values,
) -> SiteView:
    """A site of a customer with its coordinates (degrees); commits."""
    with transaction(session):
        customer = customer_by_code(session, customer_code)
        refuse_taken(session, Site.code, code, "site", field="code")
        site = Site(
            customer_id=customer.id,
            code=code,
            name=name,
            address=address,
            city=city,
            lat=lat,
            lon=lon,
            **values,
        )
        session.add(site)
        return created_view(
            session, "site", site, site_view, actor=actor, ref=code, customer=customer
        )


def enter_installed_unit(
    session: Session, part: Part, serial: str, actor: str, reference: str | None
) -> SerialItem:
    """The ledger item of a unit installed at a customer: the existing one, or a new one
    entered at the customer location with its first movement (no commit)."""
    serial = normalize_serial(serial)
    item = session.scalar(
        select(SerialItem).where(SerialItem.part_id == part.id, SerialItem.serial == serial)
    )
    if item is not None:
        return item
    source = virtual_location(session, LocationKind.SUPPLIER)
    customer = virtual_location(session, LocationKind.CUSTOMER_SITE)
    item = SerialItem(
        part_id=part.id,
        serial=serial,
        location_id=source.id,
        status=ItemStatus.IN_TRANSIT.value,
        condition=Condition.GOOD.value,
    )
    session.add(item)
    session.flush()
    move_serial(
        session,
        item,
        customer,
        to_status=ItemStatus.AT_CUSTOMER.value,
        stamp=Stamp(
            actor,
            MovementReason.ADJUSTMENT.value,
            reference,
            "installed base unit entered the ledger",
        ),
        expect_statuses=(ItemStatus.IN_TRANSIT.value,),
    )
    return item


def register_equipment_in_session(
    session: Session,
    *,
    site: Site,
    part: Part,
    serial: str,
    acceptance_date: date,
    actor: str,
    warranty_end: date | None = None,
    contract_code: str | None = None,
) -> Equipment:
    """Add a unit to the installed base (no commit). Warranty ends 3 years after
    acceptance unless given."""
    serial = normalize_serial(serial)
    if session.scalar(
        select(Equipment.id).where(Equipment.part_id == part.id, Equipment.serial == serial)
    ):
        raise Conflict(
            f"{part.part_number} {serial} is already installed",
            field="serial",
            key="already_installed",
            params={"part": part.part_number, "serial": serial},
        )
    contract_id = None
    if contract_code:
        contract = contract_by_code(session, contract_code, field="contract_code")
        if contract.customer_id != site.customer_id:
            raise InvalidInput(
                f"contract {contract_code} belongs to another customer",
                field="contract_code",
                key="contract_other_customer",
                params={"ref": contract_code},
            )
        contract_id = contract.id
    end = warranty_end or warranty_end_for(acceptance_date)
    if end < acceptance_date:
        raise InvalidInput(
            "warranty cannot end before acceptance",
            field="warranty_end",
            key="warranty_before_acceptance",
        )
    item = None
    if part.tracking == Tracking.SERIALIZED.value:
        item = enter_installed_unit(session, part, serial, actor, f"EQ {site.code}")
    equipment = Equipment(
        customer_id=site.customer_id,
        site_id=site.id,
        part_id=part.id,
        serial=serial,
        serial_item_id=item.id if item else None,
        contract_id=contract_id,
        acceptance_date=acceptance_date,
        warranty_end=end,
    )
    session.add(equipment)
    session.flush()
    record_on(
        session,
        "equipment",
        equipment,
        "registered",
        actor=actor,
        ref=serial,
        customer_id=site.customer_id,
        data={
            "site": site.code,
            "part_number": part.part_number,
            "contract": contract_code,
            "acceptance_date": acceptance_date,
            "warranty_end": end,
        },
    )
    return equipment


def register_equipment(
    session: Session,
    *,
    site_code: str,
    part_number: str,
    serial: str,
    acceptance_date: date,
    actor: str,
    warranty_end: date | None = None,
    contract_code: str | None = None,
) -> EquipmentView:
    """Register installed equipment and commit."""
    with transaction(session):
        site = site_by_code(session, site_code, field="site_code")
        part = part_by_number(session, part_number)
        equipment = register_equipment_in_session(
            session,
            site=site,
            part=part,
            serial=serial,
            acceptance_date=acceptance_date,
            actor=actor,
            warranty_end=warranty_end,
            contract_code=contract_code,
        )
        view = equipment_view(equipment)
        return view


def equipment_by_serial(
    session: Session, serial: str, *, site: Site | None = None, field: str = "equipment_serial"
) -> Equipment:
    serial = normalize_serial(serial)
    stmt = select(Equipment).where(Equipment.serial == serial)
    if site is not None:
        stmt = stmt.where(Equipment.site_id == site.id)
    found = list(session.scalars(stmt.limit(2)))
    if not found:
        raise NotFound(
            f"no installed equipment with serial {serial!r}" + (f" at {site.code}" if site else ""),
            field=field,
            key=("no_equipment_at_site" if site else "no_equipment"),
            params={"serial": serial, "site": site.code if site else ""},
        )
    if len(found) > 1:
        raise InvalidInput(
            f"serial {serial!r} names several installed units; give the site",
            field=field,
            key="equipment_several_site",
            params={"serial": serial},
        )
    return found[0]


CUSTOMER_FIELDS = ("name", "name_en", "contact_name", "phone", "fax", "email")
SITE_FIELDS = (
    "name",
    "address",
    "city",
    "postcode",
    "lat",
    "lon",
    "precision",
    "uncertainty_km",
    "timezone",
    "contact_name",
    "phone",
)


def update_customer(
    session: Session, code: str, *, actor: str = "system", **values
) -> CustomerView:
    """Change a customer's name or contact details; the event keeps before and after.
    Commits."""
    with transaction(session):
        customer = customer_by_code(session, code, field="code")
        changes = apply_changes(customer, values, CUSTOMER_FIELDS)
        record_updated(
            session, "customer", customer, changes, actor=actor, ref=code, customer_id=customer.id
        )
        return customer_view(customer)


def update_site(
    session: Session,
    code: str,
    *,
    locate: Callable[[dict], None],
    actor: str = "system",
    **values,
) -> SiteView:
    """Change a site. A new address without new coordinates is placed again by ``locate``
    (as a new site is: the geocoder, with its precision); coordinates given are taken as
    entered. Tickets already open keep the travel times they were promised with. Commits."""
    with transaction(session):
        site = site_by_code(session, code, field="code")
        moved = "lat" in values or values.get("address") not in (None, site.address)
        if moved:
            place = {"address": values.get("address", site.address), **values}
            if "city" not in values:
                place.pop("city", None)
            if "timezone" not in values:
                place.pop("timezone", None)
            locate(place)
            values.update(
                {k: place[k] for k in ("lat", "lon", "precision", "uncertainty_km", "city")}
            )
        changes = apply_changes(site, values, SITE_FIELDS)
        record_updated(
            session, "site", site, changes, actor=actor, ref=code, customer_id=site.customer_id
        )
        return site_view(site)
