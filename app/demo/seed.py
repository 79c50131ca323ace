"""Load the demo network: depots, catalogue, stock, engineers, customers, users.

Deterministic: the same seed gives the same data. Stock goes in through the same
services warehouse staff use, so the ledger verifies afterwards.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth import issue_token, set_password
from app.demo.catalogue import (
    CUSTOMERS,
    DEPOTS,
    GIVEN,
    PART_TOOLS,
    PARTS,
    SURNAMES,
    engineer_tools,
)
from inventory.accounts import assign_depots
from inventory.ledger import Stamp, move_serial
from inventory.lookups import virtual_location
from inventory.receiving import import_receipts
from inventory.transaction import transaction
from logistics.geocoding import Place, entered_place
from logistics.places import Precision
from models import (
    Customer,
    Depot,
    Engineer,
    Location,
    Part,
    ReturnRule,
    SerialItem,
    Site,
    StockPolicy,
    User,
)
from models.enums import Condition, ItemStatus, LocationKind, MovementReason, Role

DEMO_USERS = [
    # username, display name, role, locale
    ("admin", "系统管理员", Role.ADMIN.value, "zh"),
    ("wang.wh", "王库管", Role.WAREHOUSE.value, "zh"),
    ("zhao.wh", "赵库管（上海）", Role.WAREHOUSE.value, "zh"),
    ("li.disp", "李调度", Role.DISPATCHER.value, "zh"),
    ("zhang.eng", "张工", Role.ENGINEER.value, "zh"),
    ("customer.sgcc", "国网华北 客户", Role.CUSTOMER.value, "zh"),
]

# the depots each demo warehouse clerk works at: the north and the east
DEMO_DEPOTS = {"wang.wh": ("BJ01", "TJ01"), "zhao.wh": ("SH01", "HZ01", "NJ01")}


def demo_token(role: str) -> str:
    """The documented demo token of a role (demo data only; real tokens are random)."""
    return f"demo-{role}-token"


def demo_password(role: str) -> str:
    return f"{role}-demo-pass"


@dataclass
class SeedSummary:
    depots: int
    parts: int
    serial_items: int
    counted_units: int
    engineers: int
    customers: int
    sites: int
    tokens: dict[str, str]


def seed_demo(session: Session, *, seed: int = 20261122, items_per_depot: int = 200) -> SeedSummary:
    rng = random.Random(seed)
    with transaction(session):
        depots = _depots(session)
        parts = _parts(session)
    serial_parts = [p for p in parts if p.tracking == "serialized"]
    counted_parts = [p for p in parts if p.tracking == "counted"]

    rows: list[dict[str, str]] = []
    for d_index, depot in enumerate(depots):
        big = depot.code in ("BJ01", "SH01", "GZ01", "CD01")
        n = items_per_depot * (2 if big else 1)
        stocked = rng.sample(serial_parts, k=min(len(serial_parts), 24 if big else 14))
        for i in range(n):
            part = stocked[i % len(stocked)]
            serial = f"{part.part_number.split('-')[0]}{2026:04d}{d_index:02d}{i:05d}"
            condition = "faulty" if rng.random() < 0.08 else "good"
            rows.append(
                {
                    "depot": depot.code,
                    "part_number": part.part_number,
                    "serial": serial,
                    "qty": "1",
                    "condition": condition,
                }
            )
        for part in counted_parts:
            rows.append(
                {
                    "depot": depot.code,
                    "part_number": part.part_number,
                    "serial": "",
                    "qty": str(rng.randint(5, 60)),
                    "condition": "good",
                }
            )
    report = import_receipts(session, rows, actor="demo-loader", reference="DEMO-OPENING-STOCK")
    assert report.committed and not report.errors, report.errors[:5]

    with transaction(session):
        _send_some_to_repair(session, rng)
        _policies(session, depots, parts, rng)
        engineers = _engineers(session, depots, rng)
        _return_routing(session, depots, parts)
        customers, sites = _customers(session)
        tokens = _users(session, customers[0])
    return SeedSummary(
        depots=len(depots),
        parts=len(parts),
        serial_items=session.scalar(select(func.count()).select_from(SerialItem)) or 0,
        counted_units=sum(int(r["qty"]) for r in rows if not r["serial"]),
        engineers=engineers,
        customers=len(customers),
        sites=sites,
        tokens=tokens,
    )


def _place_columns(place: Place) -> dict[str, object]:
    """What a depot or a site keeps of its place: city, coordinates, precision, zone."""
    return {
        "city": place.city,
        "lat": place.lat,
        "lon": place.lon,
        "precision": place.precision.value,
        "uncertainty_km": place.uncertainty_km,
        "timezone": place.timezone,
    }


def _depots(session: Session) -> list[Depot]:
    out = []
    for code, name, name_en, address, lat, lon in DEPOTS:
        place = entered_place(lat, lon, Precision.STREET, name, address)
        location = Location(code=code, name=name, kind=LocationKind.DEPOT.value)
        session.add(location)
        session.flush()
        depot = Depot(
            location_id=location.id,
            code=code,
            name=name,
            name_en=name_en,
            address=address,
            **_place_columns(place),
        )
        session.add(depot)
        out.append(depot)
    session.flush()
    return out


def _parts(session: Session) -> list[Part]:
    out = []
    for category, pn, desc, desc_zh, tracking, kind, cost in PARTS:
        part = Part(
            part_number=pn,
            description=desc,
            description_zh=desc_zh,
            category=category,
            tracking=tracking,
            kind=kind,
            unit_cost=Decimal(cost),
            tools=PART_TOOLS.get(pn, []),
        )
        session.add(part)
        out.append(part)
    session.flush()
    return out


def _send_some_to_repair(session: Session, rng: random.Random) -> None:
    """A third of the faulty stock is already out at the repair vendor."""
    vendor = virtual_location(session, LocationKind.REPAIR_VENDOR)
    faulty = list(
        session.scalars(
            select(SerialItem)
            .where(SerialItem.condition == Condition.FAULTY.value)
            .order_by(SerialItem.id)
        )
    )
    stamp = Stamp(
        "demo-loader", MovementReason.SEND_TO_REPAIR.value, "VRMA-DEMO-001", "demo repair batch"
    )
    for item in faulty[::3]:
        move_serial(
            session,
            item,
            vendor,
            to_status=ItemStatus.AT_VENDOR.value,
            condition=Condition.IN_REPAIR.value,
            stamp=stamp,
            expect_statuses=(ItemStatus.IN_STOCK.value,),
        )


def _policies(session: Session, depots: list[Depot], parts: list[Part], rng: random.Random) -> None:
    for depot in depots:
        for part in parts:
            reorder = rng.choice([0, 2, 3, 5, 8])
            if reorder:
                session.add(
                    StockPolicy(
                        depot_id=depot.id,
                        part_id=part.id,
                        reorder_point=reorder,
                        target_level=reorder * 2 + rng.randint(0, 4),
                    )
                )
    session.flush()


def _engineers(session: Session, depots: list[Depot], rng: random.Random) -> int:
    categories = ["server", "network", "video", "storage"]
    n = 0
    for depot in depots:
        for k in range(4 if depot.code in ("BJ01", "SH01", "GZ01", "CD01") else 3):
            n += 1
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            skills = sorted(rng.sample(categories, k=rng.choice([2, 2, 3, 4])))
            on_call = k == 0
            # based at their depot: the day starts there (street-level, like the depot)
            session.add(
                Engineer(
                    code=f"ENG-{n:03d}",
                    name=name,
                    phone=f"1390000{n:04d}",
                    home_city=depot.city,
                    home_lat=depot.lat,
                    home_lon=depot.lon,
                    home_precision=depot.precision,
                    home_uncertainty_km=depot.uncertainty_km,
                    base_depot_id=depot.id,
                    skills=skills,
                    tools=engineer_tools(n, skills),
                    timezone=depot.timezone,
                    shift_start_min=0 if on_call else 8 * 60 + 30,
                    shift_end_min=24 * 60 if on_call else 17 * 60 + 30,
                    work_days="1234567" if on_call else "12345",
                    max_open_jobs=3,
                )
            )
    session.flush()
    return n


def _return_routing(session: Session, depots: list[Depot], parts: list[Part]) -> None:
    """A vendor's Shanghai hub and a few return rules: faulty PSUs back to the vendor's hub
    within 3 days, faulty disks to the central repair centre (Shanghai depot) within 5
    days, unused good parts to the engineer's home depot within 2 days."""
    for part in parts:
        if part.category in ("server", "network", "storage"):
            part.vendor = "Huawei"
    hub = Location(
        code="VND-HW-SH",
        name="华为上海备件中心",
        kind=LocationKind.VENDOR.value,
        vendor="Huawei",
        city="上海",
    )
    session.add(hub)
    session.flush()
    central = next(d for d in depots if d.code == "SH01")
    by_number = {p.part_number: p for p in parts}
    rules = [
        ReturnRule(
            name=f"故障电源 {pn} 返厂（厂商上海中心）",
            part_id=by_number[pn].id,
            condition="faulty",
            vendor="Huawei",
            destination_location_id=hub.id,
            deadline_hours=72,
            created_by="seed",
        )
        for pn in ("SRV-2288-PSU", "NET-CE-PSU3K", "STO-PSU-1200")
        if pn in by_number
    ]
    rules.append(
        ReturnRule(
            name="故障硬盘送中心维修",
            category="storage",
            condition="faulty",
            destination_location_id=central.location_id,
            deadline_hours=120,
            created_by="seed",
        )
    )
    rules.append(
        ReturnRule(
            name="未用完好件回主库",
            condition="good",
            to_home_depot=True,
            deadline_hours=48,
            created_by="seed",
        )
    )
    session.add_all(rules)
    session.flush()


def _customers(session: Session) -> tuple[list[Customer], int]:
    customers, sites = [], 0
    for i, (name, name_en, addresses) in enumerate(CUSTOMERS, start=1):
        customer = Customer(
            code=f"C{i:03d}",
            name=name,
            name_en=name_en,
            contact_name=f"联系人{i}",
            phone=f"010-6500{i:04d}",
            fax=f"010-6501{i:04d}",
            email=f"it{i}@customer{i}.example.cn",
        )
        session.add(customer)
        session.flush()
        customers.append(customer)
        for j, (address, lat, lon) in enumerate(addresses, start=1):
            place = entered_place(lat, lon, Precision.STREET, address=address)
            sites += 1
            session.add(
                Site(
                    customer_id=customer.id,
                    code=f"C{i:03d}-S{j}",
                    name=f"{name} 站点{j}",
                    address=address,
                    **_place_columns(place),
                    postcode=f"{100000 + i * 1000 + j}",
                    contact_name=f"机房值班{j}",
                    phone=f"1380000{i:02d}{j:02d}",
                )
            )
    session.flush()
    return customers, sites


def _users(session: Session, first_customer: Customer) -> dict[str, str]:
    tokens = {}
    for username, display, role, locale in DEMO_USERS:
        user = User(
            username=username,
            display_name=display,
            role=role,
            locale=locale,
            customer_id=first_customer.id if role == Role.CUSTOMER.value else None,
        )
        set_password(user, demo_password(role))
        session.add(user)
        session.flush()
        if role not in tokens:  # one demo token per role: the role's first user
            tokens[role] = issue_token(session, user, "demo", token=demo_token(role))
        if username in DEMO_DEPOTS:
            assign_depots(
                session, user, list(DEMO_DEPOTS[username]), all_depots=False, actor="seed"
            )
    engineer = session.scalars(select(Engineer).order_by(Engineer.id)).first()
    assert engineer is not None  # seeded above
    engineer.user_id = session.scalar(select(User.id).where(User.username == "zhang.eng"))
    return tokens


def is_seeded(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(Depot)) or 0) > 0
