"""Dispatcher board (调度看板): open tickets with live SLA countdowns, a ticket's ranked
dispatch options confirmed with one click, a map, engineers' day routes, overdue returns
and escalations. Ranking, clocks and confirmation are the services of ``inventory/`` and
``logistics/``; this module reads them and draws."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth import actor_name
from app.db import get_session
from app.documents import access
from app.geo import travel_model
from app.web import documents
from app.web.auth import roles_page
from app.web.forms import form_text
from app.web.i18n import current_zone, error_text, local_time, minutes_text, t, t_code
from app.web.knowledge import knowledge_panel
from app.web.maps import ROUTE_COLOURS, MapData, MapLine, MapPoint, around, china
from inventory import (
    contracts,
    dispatch_service,
    inspections,
    job_parts,
    route_planning,
    tickets,
    visits,
)
from inventory.errors import DomainError, InvalidInput, NotFound
from inventory.sla_flags import WITHDRAWALS
from inventory.sla_outcomes import BOARD_CLOCKS, inspection_outcome, ticket_outcomes
from logistics.dispatch import DispatchOption
from logistics.sla import Channel, ClockOutcome, Severity, severity_rank
from models import Customer, Depot, Engineer, Event, Rma, Site, Ticket, utcnow

bp = Blueprint("dispatch", __name__, url_prefix="/dispatch")
DISPATCHER = ("dispatcher",)
OPEN = sorted(s.value for s in tickets.OPEN_STATUSES)


def ticket_clocks(ticket: Ticket) -> list[ClockOutcome]:
    """The clocks a dispatcher watches, each stopped by the step it waits for."""
    return ticket_outcomes(ticket, clocks=BOARD_CLOCKS)


def urgency(ticket: Ticket) -> tuple:
    """Sort key: tickets with a running clock first, the nearest deadline first; then by
    severity. Tickets whose clocks all stopped (resolved, waiting for the customer) last."""
    running = [c.due_at for c in ticket_clocks(ticket) if not c.stopped]
    return (0, min(running)) if running else (1, ticket.restore_due)


def _open_tickets(status: str | None) -> list[Ticket]:
    stmt = (
        select(Ticket)
        .options(
            joinedload(Ticket.site),
            joinedload(Ticket.customer),
            joinedload(Ticket.engineer),
            joinedload(Ticket.part),
        )
        .where(Ticket.status.in_([status] if status in OPEN else OPEN))
    )
    rows = list(get_session().scalars(stmt.limit(500)))
    rows.sort(key=lambda tk: (*urgency(tk), severity_rank(tk.severity)))
    return rows


def _network_map(tickets_shown: list[Ticket]) -> MapData:
    db = get_session()
    data = china(label_kinds=("depot",))
    for d in db.scalars(select(Depot).where(Depot.active).order_by(Depot.code)):
        data.points.append(MapPoint("depot", d.code, d.lat, d.lon, f"{d.code} {d.name}"))
    for e in db.scalars(select(Engineer).where(Engineer.active).order_by(Engineer.code)):
        data.points.append(
            MapPoint("engineer", e.code, e.home_lat, e.home_lon, f"{e.code} {e.name}")
        )
    for tk in tickets_shown:
        data.points.append(
            MapPoint(
                "site",
                tk.number,
                tk.site.lat,
                tk.site.lon,
                f"{tk.number} {tk.severity} {tk.site.name}",
                highlight=tk.severity == "P1",
            )
        )
    return data


@bp.get("/")
@roles_page(*DISPATCHER)
def board():
    status = request.args.get("status") or ""
    shown = _open_tickets(status or None)
    db = get_session()
    sites = list(db.scalars(select(Site).options(joinedload(Site.customer)).order_by(Site.code)))
    return render_template(
        "dispatch/board.html",
        customers=list(db.scalars(select(Customer).order_by(Customer.code))),
        pick_map=china(),
        tickets=shown,
        status=status,
        statuses=OPEN,
        clocks_of=ticket_clocks,
        map=_network_map(shown),
        sites=sites,
        severities=[s.value for s in Severity],
        channels=[c.value for c in Channel],
        observations=visits.running_observations(db),
        reports_due=[(row, inspection_outcome(row)) for row in inspections.reports_due(db)],
    )


@bp.post("/tickets")
@roles_page(*DISPATCHER)
def open_ticket():
    """A fault report taken by the dispatcher (phone, e-mail, fax, web)."""
    form = request.form
    db = get_session()
    try:
        view = dispatch_service.open_ticket_with_promise(
            db,
            travel_model(),
            site_code=form.get("site", ""),
            severity=form.get("severity", ""),
            channel=form.get("channel", ""),
            symptom=form_text(form, "symptom") or "",
            actor=actor_name(),
            part_number=form_text(form, "part_number"),
            equipment_serial=form_text(form, "equipment_serial"),
            contact_name=form_text(form, "contact_name"),
            contact_phone=form_text(form, "contact_phone"),
        )
    except DomainError as error:
        flash(t("dsp.open_failed", message=error_text(error)), "error")
        return redirect(url_for("dispatch.board"))
    flash(t("dsp.opened_ticket", ticket=view.number), "success")
    return redirect(url_for("dispatch.ticket", ref=view.number))


@bp.post("/sites")
@roles_page(*DISPATCHER)
def new_site():
    """A customer's new site: where it is comes from the point picked on the map (or typed
    as lat/lon), else from the address through the configured geocoder; the flash says how
    well it is known."""
    from app.geo import locate
    from inventory.installed_base import create_site

    form = request.form
    db = get_session()
    try:
        data: dict = {"address": form_text(form, "site_address") or ""}
        if not data["address"]:
            raise InvalidInput(
                t("dsp.site_address_needed"), field="site_address", key="site_address_needed"
            )
        lat, lon = _coordinate(form, "lat", 90), _coordinate(form, "lon", 180)
        if (lat is None) != (lon is None):
            raise InvalidInput(t("dsp.site_point_half"), field="lat", key="site_point_half")
        if lat is not None:
            data.update(lat=lat, lon=lon, precision=form.get("precision") or "exact")
            if data["precision"] not in ("exact", "street"):
                raise InvalidInput(
                    t("dsp.site_bad_precision"), field="precision", key="site_bad_precision"
                )
        locate(data)
        view = create_site(
            db,
            customer_code=form.get("customer", ""),
            code=form_text(form, "site_code") or "",
            name=form_text(form, "site_name") or "",
            actor=actor_name(),
            **data,
        )
    except DomainError as error:
        flash(t("dsp.site_failed", message=error_text(error)), "error")
        return redirect(url_for("dispatch.board"))
    flash(
        t(
            "dsp.site_created",
            site=view.code,
            precision=t_code("precision", view.precision),
            lat=f"{view.lat:.5f}",
            lon=f"{view.lon:.5f}",
        ),
        "success",
    )
    return redirect(url_for("dispatch.board"))


def _coordinate(form, name: str, bound: float) -> float | None:
    text = (form.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(
            t("dsp.site_bad_coordinate", field=name),
            field=name,
            key="bad_coordinate",
            params={"field": name},
        ) from None
    if not -bound <= value <= bound:
        raise InvalidInput(
            t("dsp.site_bad_coordinate", field=name),
            field=name,
            key="bad_coordinate",
            params={"field": name},
        )
    return value


def _ticket_or_404(ref: str) -> Ticket:
    try:
        return tickets.ticket_by_ref(get_session(), ref)
    except NotFound:
        abort(404)


@dataclass
class OptionShown:
    option: DispatchOption
    engineer_code: str
    engineer: Engineer | None
    depot: Depot | None
    why: str = ""


def explain(option: DispatchOption, above: DispatchOption | None) -> str:
    """Why the option ranks where it does, in the reader's language: what happens, which
    clocks it meets, and what sets it below the option ranked just above it (the same facts
    as the solver's English ``explanation``)."""
    o = option
    km = round(sum(leg.km for leg in o.legs if leg.kind == "engineer_drive"))
    arrive = local_time(o.onsite_eta)
    mode = str(o.mode)
    if mode in ("pickup", "van"):
        what = t(f"dsp.x.{mode}", engineer=o.engineer_name, depot=o.depot_code, km=km, at=arrive)
    else:
        what = t("dsp.x.direct", engineer=o.engineer_name, km=km, at=arrive)
    if mode == "courier" and o.part_eta is not None:
        leg = o.legs[-1]
        what += t(
            "dsp.x.part_follows",
            depot=o.depot_code,
            leg=t_code("leg_kind", str(leg.kind)),
            km=round(leg.km),
            at=local_time(o.part_eta),
        )
    if o.missed == 0:
        clocks = t("dsp.x.meets_all", n=len(o.checks))
    else:
        late = [
            t(
                "dsp.x.late_by",
                clock=t_code("clock", str(c.clock)),
                late=minutes_text(c.margin_minutes),
            )
            for c in o.checks
            if not c.met
        ]
        clocks = t("dsp.x.misses", clocks=t("dsp.x.list_sep").join(late))
    if above is None:
        why = t("dsp.x.first")
    elif o.missed > above.missed:
        why = t("dsp.x.more_missed", above=above.rank, n=o.missed, m=above.missed)
    elif (later := (o.onsite_eta - above.onsite_eta).total_seconds() / 60.0) >= 0.5:
        why = t("dsp.x.later", above=above.rank, late=minutes_text(later))
    elif (more := o.travel_minutes - above.travel_minutes) >= 0.5:
        why = t("dsp.x.longer", above=above.rank, more=minutes_text(more))
    else:
        why = t("dsp.x.tie", above=above.rank)
    return t("dsp.x.sentence", what=what, clocks=clocks, why=why)


def _options(ticket: Ticket) -> tuple[list[OptionShown], str]:
    db = get_session()
    ranking = dispatch_service.rank_for_ticket(db, ticket.number, travel_model(), limit=5)
    engineers = {
        e.id: e
        for e in db.scalars(
            select(Engineer).where(Engineer.id.in_([o.engineer_id for o in ranking.options]))
        )
    }
    depots = {
        d.id: d
        for d in db.scalars(
            select(Depot).where(
                Depot.id.in_([o.depot_id for o in ranking.options if o.depot_id is not None])
            )
        )
    }
    shown = [
        OptionShown(
            o,
            o.engineer_code,
            engineers.get(int(o.engineer_id)),
            depots.get(int(o.depot_id)) if o.depot_id is not None else None,
            explain(o, ranking.options[i - 1] if i else None),
        )
        for i, o in enumerate(ranking.options)
    ]
    return shown, ranking.reason


def _route_of(option: OptionShown, site: Site) -> list[tuple[float, float]]:
    """The option's path: engineer → (depot →) site; a courier's parcel joins at the site."""
    e, d = option.engineer, option.depot
    path = [(e.home_lat, e.home_lon)] if e else []
    if d is not None and option.option.mode == "pickup":
        path.append((d.lat, d.lon))
    path.append((site.lat, site.lon))
    return path


def _ticket_map(ticket: Ticket, options: list[OptionShown]) -> MapData:
    db = get_session()
    site = ticket.site
    points = [
        MapPoint(
            "site",
            ticket.number,
            site.lat,
            site.lon,
            f"{ticket.number} {site.name}",
            highlight=True,
        )
    ]
    lines: list[MapLine] = []
    for i, shown in enumerate(options):
        if shown.engineer is not None:
            points.append(
                MapPoint(
                    "engineer",
                    shown.engineer_code,
                    shown.engineer.home_lat,
                    shown.engineer.home_lon,
                    f"#{shown.option.rank} {shown.engineer_code} {shown.engineer.name}",
                    highlight=i == 0,
                )
            )
        if shown.depot is not None:
            points.append(
                MapPoint(
                    "depot",
                    shown.depot.code,
                    shown.depot.lat,
                    shown.depot.lon,
                    f"{shown.depot.code} {shown.depot.name}",
                )
            )
    if options:
        top = options[0]
        lines.append(MapLine("route", _route_of(top, site), f"#1 {top.engineer_code}"))
        if top.depot is not None and top.option.mode != "pickup":
            lines.append(
                MapLine(
                    "route",
                    [(top.depot.lat, top.depot.lon), (site.lat, site.lon)],
                    f"{top.depot.code} → {ticket.number}",
                )
            )
    elif ticket.engineer is not None:  # dispatched: show the assignment as it was confirmed
        e = ticket.engineer
        points.append(
            MapPoint(
                "engineer", e.code, e.home_lat, e.home_lon, f"{e.code} {e.name}", highlight=True
            )
        )
        depot = db.get(Depot, ticket.source_depot_id) if ticket.source_depot_id else None
        dispatched = db.scalar(
            select(Event)
            .where(
                Event.subject_type == "ticket",
                Event.subject_id == ticket.id,
                Event.kind == "dispatch",
            )
            .order_by(Event.id.desc())
        )
        mode = (dispatched.data or {}).get("mode") if dispatched else None
        if depot is not None:
            points.append(
                MapPoint("depot", depot.code, depot.lat, depot.lon, f"{depot.code} {depot.name}")
            )
        if depot is not None and mode == "pickup":
            lines.append(
                MapLine(
                    "route",
                    [(e.home_lat, e.home_lon), (depot.lat, depot.lon), (site.lat, site.lon)],
                    e.code,
                )
            )
        else:
            lines.append(MapLine("route", [(e.home_lat, e.home_lon), (site.lat, site.lon)], e.code))
            if depot is not None:
                lines.append(
                    MapLine("route", [(depot.lat, depot.lon), (site.lat, site.lon)], depot.code)
                )
    # frame the site and the route that matters (the top option, or the assignment);
    # the other options' places show when they fall inside it
    focus = [(site.lat, site.lon)] + [c for line in lines for c in line.coords]
    return around(focus, points=points, lines=lines, label_kinds=("depot", "site", "engineer"))


@bp.get("/tickets/<ref>")
@roles_page(*DISPATCHER)
def ticket(ref: str):
    tk = _ticket_or_404(ref)
    options: list[OptionShown] = []
    reason, error = "", None
    if tickets.can_move(tk.status, "dispatch"):
        try:
            options, reason = _options(tk)
        except DomainError as failure:
            error = failure.message
    rma = get_session().scalar(select(Rma).where(Rma.ticket_id == tk.id).order_by(Rma.id.desc()))
    return render_template(
        "dispatch/ticket.html",
        ticket=tk,
        clocks=ticket_clocks(tk),
        ladder=contracts.escalation_ladder(tk.contract),
        options=options,
        reason=reason,
        error=error,
        map=_ticket_map(tk, options),
        rma=rma,
        ticket_parts=job_parts.ticket_parts(get_session(), tk),
        can_acknowledge=tickets.can_move(tk.status, "acknowledge"),
        can_dispatch=tickets.can_move(tk.status, "dispatch"),
        packing_slip=access.packing_slip_available(rma),
        fault_report=access.fault_report_available(tk),
        report_months=documents.report_months(get_session(), tk.customer),
        **knowledge_panel(
            request.args.get("kq"), tk.symptom, model=tk.part.part_number if tk.part else None
        ),
    )


@bp.post("/tickets/<ref>/dispatch")
@roles_page(*DISPATCHER)
def confirm(ref: str):
    """Confirm one ranked option: engineer assigned, spare reserved, RMA opened — or a
    message saying who was faster."""
    form = request.form
    db = get_session()
    try:
        result = dispatch_service.confirm_dispatch(
            db,
            ref,
            engineer_code=form.get("engineer", ""),
            actor=actor_name(),
            depot_code=form.get("depot") or None,
            mode=form.get("mode") or "pickup",
        )
    except DomainError as error:
        flash(t("dsp.confirm_failed", message=error_text(error)), "error")
    else:
        flash(
            t(
                "dsp.confirmed",
                ticket=result.ticket_number,
                engineer=f"{result.engineer_code} {result.engineer_name}",
                rma=result.rma_number or t("common.none"),
            ),
            "success",
        )
    return redirect(url_for("dispatch.ticket", ref=ref))


@bp.post("/tickets/<ref>/acknowledge")
@roles_page(*DISPATCHER)
def acknowledge(ref: str):
    db = get_session()
    try:
        tickets.move_ticket(db, ref, "acknowledge", actor=actor_name())
    except DomainError as error:
        flash(t("dsp.confirm_failed", message=error_text(error)), "error")
    else:
        flash(t("dsp.acknowledged"), "success")
    return redirect(url_for("dispatch.ticket", ref=ref))


# --- engineers' day routes -----------------------------------------------------------------


@bp.route("/routes", methods=["GET", "POST"])
@roles_page(*DISPATCHER)
def routes():
    """Plan a depot's engineers' day over the open tickets near it (OR-Tools, in the
    background); the page polls the job and then shows each route with its stop times."""
    db = get_session()
    depots = list(db.scalars(select(Depot).where(Depot.active).order_by(Depot.code)))
    depot_code = request.values.get("depot") or (depots[0].code if depots else "")
    depot = next((d for d in depots if d.code == depot_code), None)
    zone = ZoneInfo(current_zone())
    day = _parse_day(request.values.get("date")) or utcnow().astimezone(zone).date()
    candidates = route_planning.route_candidates(get_session(), depot, depots) if depot else []
    if request.method == "POST":
        chosen = set(request.form.getlist("ticket"))
        try:
            job_id = _submit_plan(depot, day, [tk for tk in candidates if tk.number in chosen])
        except DomainError as error:
            flash(t("dsp.plan_failed", message=error_text(error)), "error")
            return redirect(url_for("dispatch.routes", depot=depot_code, date=day.isoformat()))
        return redirect(
            url_for("dispatch.routes", depot=depot_code, date=day.isoformat(), job=job_id)
        )
    job = None
    job_id = request.args.get("job")
    if job_id:
        from inventory.jobs import get_job, progress_percent
        from inventory.route_planning import changes_since_last_plan

        try:
            found = get_job(db, job_id, "route_plan")
            job = {
                "id": found.id,
                "status": found.status,
                "progress": progress_percent(found),
                "result": found.result,
                "error": found.error,
                "changes": changes_since_last_plan(db, found),
            }
        except DomainError:
            job = None
    plan_map = _plan_map(job["result"], candidates, depot) if job and job.get("result") else None
    return render_template(
        "dispatch/routes.html",
        depots=depots,
        depot=depot,
        day=day,
        candidates=candidates,
        job=job,
        plan_map=plan_map,
        colours=ROUTE_COLOURS,
        pickups=pickup_depots(candidates),
        pickup_suffix=PICKUP_SUFFIX,
    )


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _submit_plan(depot: Depot | None, day: date, chosen: list[Ticket]) -> str:
    from inventory.errors import InvalidInput

    if depot is None:
        raise InvalidInput("choose a depot", field="depot", key="choose_depot")
    if not chosen:
        raise InvalidInput("choose at least one ticket", field="ticket", key="choose_ticket")
    from app.background import submit_route_plan
    from inventory.jobs import create_job
    from inventory.route_planning import request_from_params, validate_request

    db = get_session()
    params = {
        "date": day.isoformat(),
        "planned_at": utcnow().isoformat(),  # today's routes are planned from now
        "timezone": current_zone(),
        "depot": depot.code,
        "time_limit_s": 5.0,
        "inspections": True,  # the day's inspection visits join the fault work
        "stops": [route_planning.ticket_stop(db, tk) for tk in chosen],
    }
    validate_request(db, request_from_params(params))
    job = create_job(db, "route_plan", params, actor=actor_name(), time_limit_s=5.0)
    submit_route_plan(job.id)
    return job.id


PICKUP_SUFFIX = "@pickup"  # inventory.route_planning names a spare's pickup stop <ticket>@pickup


def pickup_depots(candidates: list[Ticket]) -> dict[str, Depot]:
    """Ticket number → the depot its spare is picked up at (when it has one)."""
    db = get_session()
    return {
        tk.number: db.get_one(Depot, tk.source_depot_id) for tk in candidates if tk.source_depot_id
    }


def _plan_map(result: dict, candidates: list[Ticket], depot: Depot) -> MapData:
    db = get_session()
    sites = {tk.number: tk.site for tk in candidates}
    pickups = pickup_depots(candidates)
    engineers = {
        e.code: e for e in db.scalars(select(Engineer).where(Engineer.base_depot_id == depot.id))
    }
    points = [MapPoint("depot", depot.code, depot.lat, depot.lon, depot.name)]
    lines = []
    for i, route in enumerate(result.get("routes", [])):
        e = engineers.get(route["engineer"])
        if e is None:
            continue
        path = [(e.home_lat, e.home_lon)]
        for visit in route["visits"]:
            site = sites.get(visit["stop"])
            if site is not None:
                path.append((site.lat, site.lon))
            elif visit["stop"].endswith(PICKUP_SUFFIX):
                source = pickups.get(visit["stop"][: -len(PICKUP_SUFFIX)], depot)
                if visit.get("collect_at"):  # a part or tool collected on the way
                    source = db.scalars(
                        select(Depot).where(Depot.code == visit["collect_at"])
                    ).one()
                path.append((source.lat, source.lon))
                if source.id != depot.id:
                    points.append(
                        MapPoint("depot", source.code, source.lat, source.lon, source.name)
                    )
        path.append((e.home_lat, e.home_lon))
        colour = ROUTE_COLOURS[i % len(ROUTE_COLOURS)]
        lines.append(MapLine("day-route", path, f"{e.code} {e.name}", colour))
        points.append(
            MapPoint(
                "engineer", e.code, e.home_lat, e.home_lon, f"{e.code} {e.name}", highlight=True
            )
        )
    for number, site in sites.items():
        points.append(MapPoint("site", number, site.lat, site.lon, f"{number} {site.name}"))
    fit = [(p.lat, p.lon) for p in points] + [c for line in lines for c in line.coords]
    return around(fit, points=points, lines=lines, label_kinds=("depot", "site", "engineer"))


# --- overdue returns and escalations ----------------------------------------------------------


@bp.get("/alerts")
@roles_page(*DISPATCHER)
def alerts():
    db = get_session()
    now = utcnow()
    late = list(
        db.scalars(
            select(Rma)
            .options(joinedload(Rma.customer), joinedload(Rma.faulty_part))
            .where(
                Rma.faulty_received_at.is_(None),
                Rma.status.notin_(["closed", "cancelled", "rejected"]),
                (Rma.overdue.is_(True)) | (Rma.return_due_at < now),
            )
            .order_by(Rma.return_due_at)
            .limit(300)
        )
    )
    since = now - timedelta(days=7)
    escalations = list(
        db.scalars(
            select(Event)
            .where(
                Event.kind.in_(["escalated", "sla_breached", "overdue", *WITHDRAWALS]),
                Event.at >= since,
            )
            .order_by(Event.id.desc())
            .limit(300)
        )
    )
    customers = {c.id: c for c in db.scalars(select(Customer))}
    return render_template(
        "dispatch/alerts.html", late=late, escalations=escalations, customers=customers, now=now
    )
