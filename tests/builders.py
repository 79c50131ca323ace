"""Small builders for tests: a depot, a part, a user with a token, an engineer on a day
shift, and waiting for a background job through the API."""

from __future__ import annotations

import time
from decimal import Decimal

from sqlalchemy.orm import Session

from app.auth import issue_token
from inventory.accounts import assign_depots
from models import Depot, Engineer, Location, Part, User
from models.enums import LocationKind

CITIES = {
    "BJ": ("Beijing", 39.9042, 116.4074),
    "SH": ("Shanghai", 31.2304, 121.4737),
    "GZ": ("Guangzhou", 23.1291, 113.2644),
    "CD": ("Chengdu", 30.5728, 104.0668),
    "WH": ("Wuhan", 30.5928, 114.3055),
}


def make_depot(session: Session, code: str = "BJ01", city_key: str | None = None) -> Depot:
    city, lat, lon = CITIES[city_key or code[:2]]
    loc = Location(code=code, name=f"{city} depot", kind=LocationKind.DEPOT.value)
    session.add(loc)
    session.flush()
    depot = Depot(
        location_id=loc.id,
        code=code,
        name=f"{city} depot",
        address=f"1 Main Rd, {city}",
        city=city,
        lat=lat,
        lon=lon,
        timezone="Asia/Shanghai",
    )
    session.add(depot)
    session.commit()
    return depot


def make_part(
    session: Session,
    part_number: str = "SRV-PSU",
    *,
    tracking: str = "serialized",
    category: str = "server",
    kind: str = "repairable",
) -> Part:
    part = Part(
        part_number=part_number,
        description=f"{part_number} test part",
        category=category,
        tracking=tracking,
        kind=kind,
        unit_cost=Decimal("100.00"),
    )
    session.add(part)
    session.commit()
    return part


def make_user(
    session: Session, role: str, username: str | None = None, depots: tuple[str, ...] | None = None
) -> tuple[User, str]:
    """A user and their token. A warehouse user acts at every depot unless ``depots`` names
    the ones they are assigned to."""
    user = User(
        username=username or f"{role}1",
        display_name=role.title(),
        role=role,
        all_depots=role == "warehouse" and depots is None,
    )
    session.add(user)
    session.flush()
    if depots is not None:
        assign_depots(session, user, list(depots), all_depots=False, actor="test")
    token = issue_token(session, user, "test")
    session.commit()
    return user, token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def day_shift_engineer(
    depot: Depot,
    code: str = "E1",
    *,
    name: str = "王伟",
    lat: float = 39.95,
    lon: float = 116.30,
    **fields,
) -> Engineer:
    """An engineer based at ``depot`` in Beijing on the weekday 08:00–18:00 shift (to add
    to the session); ``fields`` sets any other column (skills, max_open_jobs …)."""
    return Engineer(
        code=code,
        name=name,
        home_city="Beijing",
        home_lat=lat,
        home_lon=lon,
        base_depot_id=depot.id,
        shift_start_min=8 * 60,
        shift_end_min=18 * 60,
        work_days="12345",
        **fields,
    )


def wait_for_job(client, href: str, headers: dict[str, str], limit_s: float = 60) -> dict:
    """Poll a background job's ``href`` until it succeeds or fails; its last answer."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        job = client.get(href, headers=headers).json
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job did not finish in {limit_s}s: {job}")
