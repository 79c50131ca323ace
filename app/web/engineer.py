"""The engineer's jobs on a phone: the job card (who to call, how to get there, the part to
collect or the courier to meet, the faulty serial to bring back, the SLA clocks) and the
visit recorded step by step. The page sends each step to the visit API
(app/api/visits.py) through a queue kept on the phone (static/js/visit.js), so a visit
recorded offline is sent, once, when the connection returns."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.db import get_session
from app.web.auth import engineer_filter, not_found_page, roles_page
from app.web.dispatcher import ticket_clocks
from app.web.inspections import upcoming_for_engineer
from app.web.knowledge import knowledge_panel
from app.web.maps import MapData, MapLine, MapPoint, around
from app.web.vans import job_parts_context
from inventory import knowledge, tickets, visits
from inventory.errors import NotFound
from logistics.dispatch import Mode
from models import Depot, Rma, Ticket, Visit
from models.enums import RmaStatus

bp = Blueprint("engineer", __name__, url_prefix="/engineer")


@dataclass(frozen=True)
class Place:
    name: str
    address: str
    lat: float
    lon: float

    @property
    def amap(self) -> str:
        """AMap (高德) marker URI: opens the app when installed, the web map otherwise."""
        query = {
            "position": f"{self.lon:.6f},{self.lat:.6f}",
            "name": self.name,
            "coordinate": "wgs84",
            "callnative": "1",
            "src": "sparelog",
        }
        return "https://uri.amap.com/marker?" + urlencode(query, safe=",")

    @property
    def baidu(self) -> str:
        """Baidu Maps (百度地图) marker URI in WGS-84 coordinates."""
        query = {
            "location": f"{self.lat:.6f},{self.lon:.6f}",
            "title": self.name,
            "content": self.address,
            "coord_type": "wgs84",
            "output": "html",
            "src": "sparelog.engineer",
        }
        return "https://api.map.baidu.com/marker?" + urlencode(query, safe=",")


@dataclass(frozen=True)
class JobCard:
    """What the engineer needs to know about one job, decided once for the templates."""

    ticket: Ticket
    site: Place
    mode: str | None  # pickup | courier | engineer
    depot: Depot | None  # where to collect the part (pickup mode only)
    depot_place: Place | None
    rma: Rma | None
    visit: Visit | None


def job_card(db, ticket: Ticket) -> JobCard:
    rma = visits.job_replacement(db, ticket)
    mode = ticket.dispatch_mode or (Mode.PICKUP.value if ticket.source_depot_id else None)
    depot = (
        db.get(Depot, ticket.source_depot_id)
        if ticket.source_depot_id and mode == Mode.PICKUP.value
        else None
    )
    site = ticket.site
    return JobCard(
        ticket=ticket,
        site=Place(site.name, site.address, site.lat, site.lon),
        mode=mode,
        depot=depot,
        depot_place=Place(depot.name, depot.address, depot.lat, depot.lon) if depot else None,
        rma=rma,
        visit=visits.latest_visit(db, ticket),
    )


@bp.get("/")
@roles_page("engineer")
def jobs():
    db = get_session()
    stmt = (
        select(Ticket)
        .options(joinedload(Ticket.site), joinedload(Ticket.part), joinedload(Ticket.engineer))
        .where(Ticket.status.in_(tickets.ENGINEER_JOB_STATUSES))
        .order_by(Ticket.restore_due)
    )
    mine = engineer_filter()
    if mine is not None:
        stmt = stmt.where(Ticket.engineer_id == mine)
    cards = [job_card(db, ticket) for ticket in db.scalars(stmt.limit(100))]
    index = knowledge.knowledge_index(db)  # the parts that fixed each job's symptom elsewhere
    kb_by_job = {
        card.ticket.id: knowledge.search_index(
            index,
            card.ticket.symptom,
            model=card.ticket.part.part_number if card.ticket.part else None,
            limit=3,
        )
        for card in cards
        if card.ticket.symptom.strip()
    }
    return render_template(
        "engineer/jobs.html",
        inspections=upcoming_for_engineer(),
        cards=cards,
        map=_jobs_map(cards),
        clocks_of=ticket_clocks,
        kb_by_job=kb_by_job,
        **knowledge_panel(request.args.get("kq"), "", index=index),
    )


def _jobs_map(cards: list[JobCard]) -> MapData | None:
    """Where to go: each job's site, from the base, by the depot only while a part waits
    there for the engineer to collect it (pickup mode)."""
    if not cards:
        return None
    points, lines = [], []
    for card in cards:
        tk = card.ticket
        site = (card.site.lat, card.site.lon)
        points.append(MapPoint("site", tk.number, *site, f"{tk.number} {card.site.name}", True))
        path = []
        if tk.engineer is not None:
            base = (tk.engineer.home_lat, tk.engineer.home_lon)
            points.append(MapPoint("engineer", tk.engineer.code, *base, tk.engineer.name))
            path.append(base)
        depot = (
            card.depot if card.rma is None or card.rma.status == RmaStatus.ALLOCATED.value else None
        )
        if depot is not None:
            points.append(MapPoint("depot", depot.code, depot.lat, depot.lon, depot.name))
            path.append((depot.lat, depot.lon))
        lines.append(MapLine("route", [*path, site], tk.number))
    fit = [(p.lat, p.lon) for p in points]
    return around(fit, points=points, lines=lines, label_kinds=("site", "depot", "engineer"))


@bp.get("/<ref>")
@roles_page("engineer")
def job(ref: str):
    db = get_session()
    try:
        ticket = visits.ticket_for_engineer(db, ref, engineer_filter())
    except NotFound:
        return not_found_page()
    return render_template(
        "engineer/job.html",
        card=job_card(db, ticket),
        clocks_of=ticket_clocks,
        **job_parts_context(db, ticket),
    )


@bp.get("/csrf")
@roles_page("engineer")
def csrf():
    """A fresh CSRF token for the queue: what was recorded offline may be sent hours later,
    after the page's own token has expired."""
    return jsonify({"csrf_token": generate_csrf()})


# --- working offline ----------------------------------------------------------------------

# What the engineer's pages need to open with no connection, stored when the worker installs;
# everything else they load (the map's scripts, styles and outline) is kept the first time.
OFFLINE_ASSETS = ("css/app.css", "js/app.js", "js/visit.js", "js/offline.js")


def _worker_version() -> str:
    """Changes whenever the worker or a file it stores changes: a new worker installs, with
    a new asset cache, and the old cache is deleted."""
    cached = current_app.extensions.get("sparelog.engineer_sw_version")
    if cached is None:
        digest = hashlib.sha256()
        templates = Path(current_app.root_path) / "templates" / "engineer"
        digest.update((templates / "sw.js").read_bytes())
        for name in OFFLINE_ASSETS:
            digest.update((Path(current_app.static_folder or "") / name).read_bytes())
        cached = digest.hexdigest()[:12]
        current_app.extensions["sparelog.engineer_sw_version"] = cached
    return cached


@bp.get("/sw.js")
def service_worker():
    """The engineer pages' service worker (scope /engineer/): the pages an engineer opened
    stay readable with no connection, and the visit steps recorded there wait in the
    phone's queue (static/js/visit.js). Public: code, no data; never cached by the browser
    so a new version is picked up on the next visit."""
    body = render_template(
        "engineer/sw.js",
        version=_worker_version(),
        scope=url_for("engineer.jobs"),
        precache=[url_for("static", filename=name) for name in OFFLINE_ASSETS],
        asset_prefixes=[url_for("static", filename="")],
        never=[url_for("engineer.csrf"), url_for("engineer.service_worker")],
        signin=url_for("web_auth.login"),
    )
    return Response(
        body,
        mimetype="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": url_for("engineer.jobs")},
    )
