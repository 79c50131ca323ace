"""Small builders for tests: a depot, a part, a user with a token, an engineer on a day
shift, waiting for a background job through the API, a retried POST, a photo, a free
port."""

from __future__ import annotations

import base64
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import issue_token
from inventory.accounts import assign_depots
from inventory.receiving import receive_from_supplier
from inventory.transfers import LineRequest, ship_transfer
from models import Customer, Depot, Engineer, Location, Part, User
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


def stock_bj01(session: Session, *, psus: int, sfps: int) -> None:
    """Depots BJ01 and SH01, a serialized PSU (SRV-PSU) and a counted SFP (NET-SFP), and
    at BJ01 ``psus`` PSUs (PSU0, PSU1 …) and ``sfps`` SFPs received from the supplier."""
    make_depot(session, "BJ01")
    make_depot(session, "SH01")
    make_part(session, "SRV-PSU")
    make_part(session, "NET-SFP", tracking="counted", category="network", kind="consumable")
    for i in range(psus):
        receive_from_supplier(
            session, depot_code="BJ01", part_number="SRV-PSU", serial=f"PSU{i}", actor="wh"
        )
    receive_from_supplier(session, depot_code="BJ01", part_number="NET-SFP", qty=sfps, actor="wh")


def ship_bj01_to_sh01(session: Session, actor: str):
    """BJ01 (stocked by ``stock_bj01``) ships PSU0, PSU1 and 4 SFPs to SH01; the transfer."""
    psus = [LineRequest("SRV-PSU", "PSU0"), LineRequest("SRV-PSU", "PSU1")]
    sfps = LineRequest("NET-SFP", qty=4)
    return ship_transfer(
        session, from_depot="BJ01", to_depot="SH01", actor=actor, lines=[*psus, sfps]
    )


def make_user(
    session: Session,
    role: str,
    username: str | None = None,
    depots: tuple[str, ...] | None = None,
    *,
    customer: str | None = None,
    engineer: str | None = None,
) -> tuple[User, str]:
    """A user and their token. A warehouse user acts at every depot unless ``depots`` names
    the ones they are assigned to; a customer user is of the customer coded ``customer``;
    an engineer user signs in as the engineer coded ``engineer``."""
    user = User(
        username=username or f"{role}1",
        display_name=role.title(),
        role=role,
        all_depots=role == "warehouse" and depots is None,
    )
    session.add(user)
    session.flush()
    if customer is not None:
        user.customer_id = session.scalar(select(Customer.id).where(Customer.code == customer))
    if engineer is not None:
        session.scalar(select(Engineer).where(Engineer.code == engineer)).user_id = user.id
    if depots is not None:
        assign_depots(session, user, list(depots), all_depots=False, actor="test")
    token = issue_token(session, user, "test")
    session.commit()
    return user, token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def app_in(environment: str, database_url: str) -> Iterator:
    """The app as it is configured in ``environment`` (production, development), with no
    background jobs; its database engine is closed afterwards."""
    from app import create_app

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "SPARELOG_ENV": environment,
            "RATELIMIT_STORAGE_URI": "memory://",
            "JOBS_BACKEND": "none",
        }
    )
    try:
        yield app
    finally:
        app.extensions["sparelog.db"].engine.dispose()


def post_with_key(client, url: str, body: dict, headers: dict[str, str], key: str):
    """POST ``body`` as JSON with an Idempotency-Key, as the phone's queue sends it."""
    return client.post(url, json=body, headers={**headers, "Idempotency-Key": key})


def jpeg_data_url(side: int, noise: bool = False) -> str:
    """A ``side``-pixel square JPEG as a data URL: flat red, or noise (large, hard to
    compress) with ``noise``."""
    image = (
        Image.effect_noise((side, side), 120).convert("RGB")
        if noise
        else Image.new("RGB", (side, side), (200, 30, 30))
    )
    out = BytesIO()
    image.save(out, "JPEG", quality=95)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def signature_png(*, ink: bool = True) -> bytes:
    """A customer's signature as a PNG: a stroke of ink on a transparent 300 x 120 canvas
    (``ink=False``: the canvas left blank)."""
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    if ink:
        ImageDraw.Draw(image).line([(20, 90), (120, 30), (280, 80)], fill=(0, 0, 0, 255), width=4)
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(
    server: subprocess.Popen, url: str, what: str, log: Path, limit_s: float = 60
) -> None:
    """Poll ``url`` until it answers 200, while the process ``server`` runs; if the process
    ends or ``limit_s`` seconds pass first, fail saying ``what`` did not start, with the
    end of its ``log``."""
    deadline = time.monotonic() + limit_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{what} did not start:\n" + log.read_text()[-4000:])
        time.sleep(0.2)


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
