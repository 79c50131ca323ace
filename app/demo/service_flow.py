"""Demo service flow on top of the demo network: contracts (5×8 / 7×8 / 7×24) for every
customer, installed equipment at their sites, and a handful of tickets and RMAs in various
states — a P1 just reported, an acknowledged and a dispatched ticket, an advance
replacement on its way, one whose faulty part is overdue, one awaiting the customer's
confirmation, and a unit sent back for repair.

Deterministic for a seed: the same contracts, serials, choices of engineer and depot, and
the same offsets from the moment of seeding (clocks must be live in a demo, so times are
relative to now). Everything goes through the services, so the ledger verifies and every
state change is an event.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory import rmas, tickets
from inventory.complaints import create_department
from inventory.contracts import create_contract
from inventory.dispatch_service import confirm_dispatch, depot_stock
from inventory.installed_base import register_equipment_in_session
from inventory.lookups import must_get
from inventory.transaction import transaction
from logistics.dispatch import great_circle_km
from logistics.travel import make_travel_model
from models import Customer, Engineer, Equipment, Part, Site, utcnow

COVERAGES = ("7x24", "5x8", "7x8")
ACTOR_DISPATCHER = "li.disp"
ACTOR_WAREHOUSE = "wang.wh"
ACTOR_ENGINEER = "zhang.eng"
ACTOR_CUSTOMER = "customer.sgcc"


# The departments customer problems are sent to (inventory.complaints).
DEPARTMENTS = (
    ("SVC", "客户服务部", "Customer service", "周敏", "service.head@example.com"),
    ("TECH", "技术支持部", "Technical support", "陈刚", "tech.head@example.com"),
    ("LOG", "备件物流部", "Spare-parts logistics", "刘洋", "logistics.head@example.com"),
)


def seed_service_flow(
    session: Session, *, seed: int = 20261122, now: datetime | None = None
) -> str:
    """Load the demo service flow and commit; returns a summary suffix for the CLI."""
    rng = random.Random(seed + 4)
    now = now or utcnow()
    customers = list(session.scalars(select(Customer).order_by(Customer.code)))
    for index, customer in enumerate(customers):
        coverage = COVERAGES[index % 3]
        create_contract(
            session,
            customer_code=customer.code,
            code=f"SLA-{customer.code}",
            name=f"{customer.name} {coverage}",
            coverage=coverage,
            kind="warranty",
            late_return_charge=str(300 + 100 * (index % 5)),
        )
    for code, name, name_en, head, email in DEPARTMENTS:
        create_department(session, code=code, name=name, name_en=name_en, head_name=head,
                          head_email=email, actor="seed")  # fmt: skip
    with transaction(session):
        equipment = _equipment(session, rng, now)
    travel = make_travel_model("geodesic")
    counts = _tickets_and_rmas(session, now, travel)
    visits = _inspection_programme(session, now)
    return (
        f", {len(customers)} contracts, {equipment} installed units, {counts['tickets']} tickets, "
        f"{counts['rmas']} RMAs ({counts['overdue']} overdue), {visits} inspection visits"
    )


def _inspection_programme(session: Session, now: datetime) -> int:
    """The demo customer's contract carries a quarterly on-site inspection programme with a
    training session, Tuesdays and Thursdays preferred; this year's remaining visits and
    next year's are generated."""
    from inventory.inspections import generate_visits, set_programme
    from models import User

    customer_id = session.scalar(select(User.customer_id).where(User.username == ACTOR_CUSTOMER))
    customer = must_get(session, Customer, customer_id)
    code = f"SLA-{customer.code}"
    set_programme(
        session,
        code,
        actor="demo-loader",
        now=now,
        frequency="quarterly",
        mode="on_site",
        training=True,
        preferred_weekdays="24",
        report_days=7,
    )
    year = now.year
    made = generate_visits(session, code, year, actor="demo-loader", now=now)
    later = generate_visits(session, code, year + 1, actor="demo-loader", now=now)
    return len(made.created) + len(later.created)


def _equipment(session: Session, rng: random.Random, now: datetime) -> int:
    parts = list(
        session.scalars(
            select(Part).where(Part.tracking == "serialized").order_by(Part.part_number)
        )
    )
    n = 0
    for site in session.scalars(select(Site).order_by(Site.code)):
        for k in range(3):
            part = parts[rng.randrange(len(parts))]
            # accepted 0.5–4 years ago: about one unit in eight is out of warranty
            accepted = (now - timedelta(days=rng.randint(180, 1460))).date()
            register_equipment_in_session(
                session,
                site=site,
                part=part,
                serial=f"EQ{site.code.replace('-', '')}{k + 1:02d}",
                acceptance_date=accepted,
                actor="demo-loader",
                contract_code=f"SLA-{site.customer.code}",
            )
            n += 1
    session.flush()
    return n


def _nearest_engineer(session: Session, site: Site, category: str, taken: set[str]) -> str:
    staff = [
        e
        for e in session.scalars(select(Engineer).where(Engineer.active).order_by(Engineer.code))
        if category in (e.skills or []) and e.code not in taken
    ]
    km = great_circle_km(
        np.array([[e.home_lat, e.home_lon] for e in staff]), np.array([[site.lat, site.lon]])
    )[:, 0]
    return staff[int(np.argmin(km))].code


def _nearest_depot(session: Session, site: Site, part: Part) -> str:
    stock = depot_stock(session, part)
    km = great_circle_km(
        np.array([[d.lat, d.lon] for d in stock]), np.array([[site.lat, site.lon]])
    )[:, 0]
    return stock[int(np.argmin(km))].code


def _open(
    session, equipment: Equipment, severity: str, channel: str, symptom: str, at: datetime, travel
) -> str:
    from inventory.dispatch_service import nearest_engineer_minutes

    site = equipment.site
    minutes = nearest_engineer_minutes(
        session, site.lat, site.lon, equipment.part.category, travel, at
    )
    actor = ACTOR_CUSTOMER if channel == "web" else ACTOR_DISPATCHER
    return tickets.open_ticket(
        session,
        site_code=site.code,
        severity=severity,
        channel=channel,
        symptom=symptom,
        actor=actor,
        equipment_serial=equipment.serial,
        travel_minutes=minutes,
        now=at,
    ).number


def _dispatch(
    session, number: str, equipment: Equipment, at: datetime, taken: set[str], with_part=True
):
    engineer = _nearest_engineer(session, equipment.site, equipment.part.category, taken)
    taken.add(engineer)
    depot = _nearest_depot(session, equipment.site, equipment.part) if with_part else None
    return confirm_dispatch(
        session,
        number,
        engineer_code=engineer,
        depot_code=depot,
        actor=ACTOR_DISPATCHER,
        mode="pickup" if with_part else "engineer",
        now=at,
    )


def _tickets_and_rmas(session: Session, now: datetime, travel) -> dict[str, int]:
    units = {e.serial: e for e in session.scalars(select(Equipment).order_by(Equipment.serial))}
    by_customer: dict[str, list[Equipment]] = {}
    for unit in units.values():
        by_customer.setdefault(unit.site.customer.code, []).append(unit)
    c1, c2, c3, c4 = (by_customer[c] for c in ("C001", "C002", "C003", "C004"))
    taken: set[str] = set()
    h = timedelta(hours=1)
    ticket_count = rma_count = 0

    # C001 (the demo customer account): a P1 just reported over the web
    _open(
        session,
        c1[0],
        "P1",
        "web",
        "主站监控系统宕机",
        now - timedelta(minutes=10),
        travel,
    )
    ticket_count += 1

    # C002: a P2 acknowledged by phone; C003: a P3 with an engineer on the way (no part)
    number = _open(
        session,
        c2[0],
        "P2",
        "phone",
        "存储阵列降级",
        now - 0.5 * h,
        travel,
    )
    tickets.move_ticket(session, number, "acknowledge", actor=ACTOR_DISPATCHER, now=now - 0.4 * h)
    number = _open(
        session,
        c3[0],
        "P3",
        "email",
        "网口间歇丢包",
        now - 3 * h,
        travel,
    )
    _dispatch(session, number, c3[0], now - 2.5 * h, taken, with_part=False)
    ticket_count += 2

    # C004: advance replacement shipped, on its way
    number = _open(session, c4[0], "P2", "phone", "电源模块故障", now - 5 * h, travel)
    shipped = _dispatch(session, number, c4[0], now - 4.8 * h, taken)
    rmas.move_rma(
        session,
        shipped.rma_number,
        "ship",
        actor=ACTOR_WAREHOUSE,
        given=rmas.MoveInput(carrier="SF Express", waybill="SF1402260001"),
        now=now - 4 * h,
    )
    ticket_count += 1
    rma_count += 1

    # C001: replacement delivered twelve days ago (longer than any holiday), faulty part
    # never came back → overdue
    number = _open(session, c1[1], "P2", "phone", "RAID卡告警", now - 292 * h, travel)
    late = _dispatch(session, number, c1[1], now - 291 * h, taken)
    rmas.move_rma(session, late.rma_number, "ship", actor=ACTOR_WAREHOUSE, now=now - 290 * h)
    rmas.move_rma(session, late.rma_number, "deliver", actor=ACTOR_ENGINEER, now=now - 288 * h)
    for action, hours in (("arrive", 288.5), ("resolve", 287)):
        tickets.move_ticket(
            session,
            number,
            action,
            actor=ACTOR_ENGINEER,
            now=now - hours * h,
            resolution="更换RAID卡",
        )
    overdue = rmas.flag_overdue_returns(session, now=now)
    ticket_count += 1
    rma_count += 1

    # C001: a resolved ticket waiting for the customer to confirm and rate
    number = _open(session, c1[2], "P3", "fax", "风扇噪音", now - 30 * h, travel)
    _dispatch(session, number, c1[2], now - 29 * h, taken, with_part=False)
    tickets.move_ticket(session, number, "arrive", actor=ACTOR_ENGINEER, now=now - 27 * h)
    tickets.move_ticket(
        session,
        number,
        "resolve",
        actor=ACTOR_ENGINEER,
        now=now - 26 * h,
        resolution="清洁风扇",
    )
    ticket_count += 1

    # C001: a unit sent back for repair, waiting for the customer to ship it
    unit = c1[3]
    rtf = rmas.open_rma(
        session,
        rmas.RmaRequest(
            kind="return_for_repair",
            site_code=unit.site.code,
            faulty_part_number=unit.part.part_number,
            faulty_serial=unit.serial,
            fault_symptom="间歇重启",
            return_depot="BJ01",
        ),
        actor=ACTOR_CUSTOMER,
        now=now - 20 * h,
    ).number
    rmas.move_rma(session, rtf, "approve", actor=ACTOR_DISPATCHER, now=now - 19.5 * h)
    rmas.move_rma(session, rtf, "request_return", actor=ACTOR_DISPATCHER, now=now - 19 * h)
    rma_count += 1
    return {"tickets": ticket_count, "rmas": rma_count, "overdue": len(overdue)}
