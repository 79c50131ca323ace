"""The engineer's jobs: the site, the part to carry (and where to pick it up), the return
deadline of the faulty part; arrive and resolve in one click."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth import actor_name, current_user, signed_in_user
from app.db import get_session
from app.web.auth import roles_page
from app.web.dispatcher import ticket_clocks
from app.web.i18n import t
from app.web.knowledge import knowledge_panel
from app.web.maps import MapData, MapLine, MapPoint, around
from inventory import knowledge, tickets
from inventory.errors import DomainError
from models import Depot, Engineer, Rma, Ticket
from models.enums import Role

bp = Blueprint("engineer", __name__, url_prefix="/engineer")


@bp.get("/")
@roles_page("engineer")
def jobs():
    db = get_session()
    user = current_user()
    stmt = (
        select(Ticket)
        .options(joinedload(Ticket.site), joinedload(Ticket.part), joinedload(Ticket.engineer))
        .where(Ticket.status.in_(tickets.ENGINEER_JOB_STATUSES))
        .order_by(Ticket.restore_due)
    )
    if user.role != Role.ADMIN.value:
        engineer = db.scalar(select(Engineer).where(Engineer.user_id == user.id))
        stmt = stmt.where(Ticket.engineer_id == (engineer.id if engineer else -1))
    rows = list(db.scalars(stmt.limit(100)))
    rmas = {
        r.ticket_id: r
        for r in db.scalars(select(Rma).where(Rma.ticket_id.in_([tk.id for tk in rows])))
    }
    depots = {d.id: d for d in db.scalars(select(Depot))}
    index = knowledge.knowledge_index(db)  # the parts that fixed each job's symptom elsewhere
    kb_by_job = {
        tk.id: knowledge.search_index(
            index, tk.symptom, model=tk.part.part_number if tk.part else None, limit=3
        )
        for tk in rows
        if tk.symptom.strip()
    }
    return render_template(
        "engineer/jobs.html",
        jobs=rows,
        map=_jobs_map(rows, depots),
        rmas=rmas,
        depots=depots,
        clocks_of=ticket_clocks,
        can_move=tickets.can_move,
        kb_by_job=kb_by_job,
        **knowledge_panel(request.args.get("kq"), "", index=index),
    )


def _jobs_map(rows: list[Ticket], depots: dict[int, Depot]) -> MapData | None:
    """Where to go: each job's site, the depot to pick its part up at, from the base."""
    if not rows:
        return None
    points, lines = [], []
    for tk in rows:
        site = (tk.site.lat, tk.site.lon)
        points.append(MapPoint("site", tk.number, *site, f"{tk.number} {tk.site.name}", True))
        path = []
        if tk.engineer is not None:
            base = (tk.engineer.home_lat, tk.engineer.home_lon)
            points.append(MapPoint("engineer", tk.engineer.code, *base, tk.engineer.name))
            path.append(base)
        depot = depots.get(tk.source_depot_id) if tk.source_depot_id else None
        if depot is not None:
            points.append(MapPoint("depot", depot.code, depot.lat, depot.lon, depot.name))
            path.append((depot.lat, depot.lon))
        lines.append(MapLine("route", [*path, site], tk.number))
    fit = [(p.lat, p.lon) for p in points]
    return around(fit, points=points, lines=lines, label_kinds=("site", "depot", "engineer"))


@bp.post("/<ref>/<any(arrive, resolve):action>")
@roles_page("engineer")
def move(ref: str, action: str):
    db = get_session()
    user = signed_in_user()
    try:
        ticket = tickets.ticket_by_ref(db, ref)
        engineer = db.scalar(select(Engineer).where(Engineer.user_id == user.id))
        if user.role != Role.ADMIN.value and (
            engineer is None or ticket.engineer_id != engineer.id
        ):
            return render_template("error.html", code=403, message=t("error.forbidden")), 403
        db.rollback()
        tickets.move_ticket(db, ref, action, actor=actor_name())
    except DomainError as error:
        db.rollback()
        flash(t("wh.failed", message=error.message), "error")
    else:
        flash(t(f"eng.done.{action}", ticket=ref), "success")
    return redirect(url_for("engineer.jobs"))
