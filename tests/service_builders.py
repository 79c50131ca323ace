"""Builders for the service-flow tests: a customer with a site, a contract and installed
equipment, a depot with spares, and an engineer who can take the job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory import complaints, part_returns, vans
from inventory.contracts import create_contract
from inventory.installed_base import create_customer, create_site, register_equipment
from inventory.receiving import receive_from_supplier
from inventory.tickets import TicketView, open_ticket
from inventory.transfers import receive_transfer
from models import Depot, Engineer, Part
from tests.builders import make_depot, make_part


@dataclass(frozen=True)
class World:
    depot: str
    part: str
    spares: tuple[str, ...]
    customer: str
    site: str
    contract: str
    equipment_serial: str
    engineer: str


def repair_request(world: World, **changes: Any) -> dict[str, Any]:
    """The body of ``POST /api/rmas`` sending the world's installed unit back for repair
    (its fan is noisy), with ``changes``."""
    return {
        "kind": "return_for_repair",
        "site": world.site,
        "faulty_part_number": world.part,
        "faulty_serial": world.equipment_serial,
        "fault_symptom": "fan noise",
        **changes,
    }


def make_customer(
    session: Session,
    code: str = "C001",
    city: str = "Beijing",
    lat: float = 39.95,
    lon: float = 116.45,
    coverage: str = "7x24",
    late_charge: str = "800.00",
) -> tuple[str, str, str]:
    """A customer with one site and one contract; returns (customer, site, contract) codes."""
    create_customer(
        session, code=code, name=f"{code} Power Grid", contact_name="Li Lei", phone="010-1"
    )
    create_site(
        session,
        customer_code=code,
        code=f"{code}-S1",
        name=f"{code} machine room",
        city=city,
        address=f"8 Jianguo Rd, {city}",
        lat=lat,
        lon=lon,
        postcode="100020",
        contact_name="Han Mei",
    )
    create_contract(
        session,
        customer_code=code,
        code=f"K-{code}",
        name=f"{code} {coverage}",
        coverage=coverage,
        late_return_charge=late_charge,
    )
    return code, f"{code}-S1", f"K-{code}"


def make_engineer(
    session: Session,
    code: str = "ENG-1",
    *,
    skills=("server",),
    lat: float = 39.91,
    lon: float = 116.40,
    max_jobs: int = 3,
    name: str = "王伟",
) -> str:
    session.add(
        Engineer(
            code=code,
            name=name,
            home_city="Beijing",
            home_lat=lat,
            home_lon=lon,
            skills=list(skills),
            shift_start_min=0,
            shift_end_min=24 * 60,
            work_days="1234567",
            max_open_jobs=max_jobs,
        )
    )
    session.commit()
    return code


def make_world(session: Session, *, spares: int = 2, coverage: str = "7x24") -> World:
    depot = make_depot(session, "BJ01").code
    part = make_part(session, "SRV-PSU").part_number
    serials = tuple(f"PSU-{i:03d}" for i in range(1, spares + 1))
    for serial in serials:
        receive_from_supplier(
            session, depot_code=depot, part_number=part, actor="wh", serial=serial
        )
    customer, site, contract = make_customer(session, coverage=coverage)
    register_equipment(
        session,
        site_code=site,
        part_number=part,
        serial="EQ-0001",
        acceptance_date=date(2025, 3, 1),
        actor="admin",
        contract_code=contract,
    )
    engineer = make_engineer(session)
    return World(depot, part, serials, customer, site, contract, "EQ-0001", engineer)


def open_fault(
    session: Session,
    world: World,
    *,
    severity: str = "P2",
    symptom: str = "PSU alarm",
    actor: str = "li.disp",
    **fields: Any,
) -> TicketView:
    """A fault phoned in for the world's site, on its installed unit unless ``fields`` say
    otherwise (``equipment_serial=None``); ``fields`` are the rest of open_ticket's."""
    fields.setdefault("equipment_serial", world.equipment_serial)
    return open_ticket(
        session,
        site_code=world.site,
        severity=severity,
        channel="phone",
        symptom=symptom,
        actor=actor,
        **fields,
    )


def make_van_world(session: Session, *, spares: int = 3) -> World:
    """make_world + the engineer based at the depot, a stocking list of 2 PSUs, a vendor
    hub and the two demo-style return rules."""
    world = make_world(session, spares=spares)
    engineer = session.scalar(select(Engineer).where(Engineer.code == world.engineer))
    engineer.base_depot_id = session.scalar(select(Depot.id).where(Depot.code == world.depot))
    session.scalar(select(Part).where(Part.part_number == world.part)).vendor = "Huawei"
    session.commit()
    vans.set_level(
        session, engineer_code=world.engineer, part_number=world.part, level=2, actor="admin"
    )
    part_returns.create_vendor_location(
        session, code="VND-HW-SH", name="华为上海备件中心", vendor="Huawei", city="上海",
        actor="admin",
    )  # fmt: skip
    part_returns.create_rule(
        session, name="faulty Huawei PSUs to the vendor's Shanghai hub", condition="faulty",
        deadline_hours=72, actor="admin", category="server", vendor="huawei",
        destination="VND-HW-SH",
    )  # fmt: skip
    part_returns.create_rule(
        session, name="unused good parts to the home depot", condition="good",
        deadline_hours=48, actor="admin", to_home_depot=True,
    )  # fmt: skip
    return world


def stock_van(session: Session, world: World) -> str:
    """Replenish the engineer's van from the depot's pick list and receive the transfer;
    returns the transfer number."""
    sent = vans.replenish_van(
        session, depot_code=world.depot, engineer_code=world.engineer, actor="wh"
    )
    engineer = session.scalar(select(Engineer).where(Engineer.code == world.engineer))
    receive_transfer(
        session, number=sent.number, received=None, actor="wang", engineer_id=engineer.id
    )
    return sent.number


def file_late_engineer_complaint(
    session: Session,
    customer_code: str,
    at: datetime,
    *,
    kind: str = "complaint",
    urgency: str = "urgent",
    **more: Any,
) -> Any:
    """The customer phones at ``at`` (UTC) to say the engineer came two hours late: the
    complaint as filed (its number, its clocks)."""
    return complaints.file_complaint(
        session,
        customer_code=customer_code,
        kind=kind,
        urgency=urgency,
        subject="工程师迟到",
        description="约定九点到场，十一点才到。",
        actor="li.disp",
        channel="phone",
        received_at=at,
        now=at,
        **more,
    )
