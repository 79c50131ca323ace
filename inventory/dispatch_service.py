"""Dispatch from the database: who can go, which depots hold the part, and confirming.

Reads the candidates (engineers on shift, with the skill, below their job limit; depots
holding the part in good condition), hands them to the pure ranking of
``logistics.dispatch`` with the travel model the caller passes (the app's, or a bench's),
and confirms a choice in one transaction: the ticket moves to dispatched (compare-and-set),
the engineer is assigned, the spare is reserved (compare-and-set: the database decides
which of two dispatchers gets the last unit) and an advance-replacement RMA is opened.
Engineers are placed at their base, or at the site they are on site at right now.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from inventory.contracts import contract_by_code, contract_calendar, sla_policy
from inventory.errors import Conflict, InvalidInput
from inventory.lookups import depot_by_code, engineer_by_code, part_by_number
from inventory.rmas import (
    MoveInput,
    RmaRequest,
    RmaStatus,
    move_rma_in_session,
    open_rma_in_session,
)
from inventory.serials import normalize_optional_serial
from inventory.supersession import free_good_units, part_to_send, serving_parts
from inventory.tickets import (
    ENGINEER_BUSY_STATUSES,
    WAITING_FOR_DISPATCH,
    TicketView,
    assign_engineer_in_session,
    move_ticket_in_session,
    open_ticket_in_session,
    ticket_by_ref,
    ticket_view,
)
from inventory.transaction import transaction
from inventory.vans import van_free_by_part, van_free_units
from logistics.calendars import require_utc
from logistics.dispatch import (
    DepotStock,
    DispatchRanking,
    EngineerCandidate,
    FaultRequest,
    Mode,
    nearest_drive_minutes,
    rank_dispatch_options,
)
from logistics.geocoding import city_radius_at
from logistics.sla import Channel
from logistics.travel import TravelEstimator
from models import Depot, Engineer, Equipment, Part, Site, Ticket, utcnow
from models.enums import TicketStatus


def is_on_shift(engineer: Engineer, now: datetime) -> bool:
    """On a working weekday of theirs, inside their shift, in their own time zone."""
    local = require_utc(now, "now").astimezone(ZoneInfo(engineer.timezone))
    minute = local.hour * 60 + local.minute
    return (
        str(local.isoweekday()) in engineer.work_days
        and engineer.shift_start_min <= minute < engineer.shift_end_min
    )


def _candidate(session: Session, engineer: Engineer, now: datetime) -> EngineerCandidate:
    """One engineer as the ranking sees them (for checking a dispatcher's choice)."""
    return EngineerCandidate(
        id=engineer.id,
        name=engineer.name,
        lat=engineer.home_lat,
        lon=engineer.home_lon,
        skills=frozenset(engineer.skills or ()),
        on_shift=is_on_shift(engineer, now),
        open_jobs=open_jobs_by_engineer(session).get(engineer.id, 0),
        max_jobs=engineer.max_open_jobs,
        code=engineer.code,
    )


def open_jobs_by_engineer(session: Session) -> dict[int, int]:
    """Tickets each engineer is dispatched to or on site at."""
    rows = session.execute(
        select(Ticket.engineer_id, func.count())
        .where(Ticket.engineer_id.is_not(None), Ticket.status.in_(ENGINEER_BUSY_STATUSES))
        .group_by(Ticket.engineer_id)
    )
    return {engineer_id: n for engineer_id, n in rows}


@lru_cache(maxsize=1024)
def _skills(raw: str | None) -> frozenset[str]:
    """Skills from their stored JSON text; the few distinct skill sets are parsed once."""
    return frozenset(json.loads(raw)) if raw else frozenset()


def engineers_on_site(session: Session) -> dict[int, tuple[float, float, str, float]]:
    """Where engineers on site at a ticket are now: (lat, lon, precision, radius km) of the
    site of their latest arrival among the tickets they are on site at."""
    rows = session.execute(
        select(Ticket.engineer_id, Site.lat, Site.lon, Site.precision, Site.uncertainty_km)
        .join(Site, Site.id == Ticket.site_id)
        .where(Ticket.status == TicketStatus.ON_SITE.value, Ticket.engineer_id.is_not(None))
        .order_by(Ticket.onsite_at)
    )
    return {eid: (lat, lon, precision, radius) for eid, lat, lon, precision, radius in rows}


def engineer_candidates(
    session: Session, now: datetime, *, eligible_for: str | None | Literal[False] = False
) -> list[EngineerCandidate]:
    """Every active engineer as the ranking sees them (shift, skills, load); with
    ``eligible_for`` (a part category, or None for "no part"), only those who could take
    such a job now — the rest would be filtered by the ranking anyway.

    An engineer on site at a ticket right now is placed at that site; everyone else at
    their base. Read as plain columns (no ORM objects) and with the local time computed
    once per time zone: at national scale (thousands of engineers) this is most of a
    dispatch request."""
    load = open_jobs_by_engineer(session)
    on_site = engineers_on_site(session)
    now = require_utc(now, "now")
    local_by_zone: dict[str, tuple[str, int]] = {}
    out = []
    rows = session.execute(
        select(
            Engineer.id,
            Engineer.code,
            Engineer.name,
            Engineer.home_lat,
            Engineer.home_lon,
            Engineer.home_precision,
            Engineer.home_uncertainty_km,
            cast(Engineer.skills, String),
            Engineer.timezone,
            Engineer.work_days,
            Engineer.shift_start_min,
            Engineer.shift_end_min,
            Engineer.max_open_jobs,
        )
        .where(Engineer.active)
        .order_by(Engineer.id)
    )
    for (
        eid,
        code,
        name,
        lat,
        lon,
        precision,
        radius,
        skills,
        tz,
        days,
        start,
        end,
        max_jobs,
    ) in rows:
        if tz not in local_by_zone:
            local = now.astimezone(ZoneInfo(tz))
            local_by_zone[tz] = (str(local.isoweekday()), local.hour * 60 + local.minute)
        weekday, minute = local_by_zone[tz]
        if eid in on_site:
            lat, lon, precision, radius = on_site[eid]
        candidate = EngineerCandidate(
            id=eid,
            name=name,
            lat=lat,
            lon=lon,
            skills=_skills(skills),
            on_shift=weekday in days and start <= minute < end,
            open_jobs=load.get(eid, 0),
            max_jobs=max_jobs,
            code=code,
            precision=precision,
            uncertainty_km=radius,
        )
        if eligible_for is False or candidate.can_take(eligible_for):
            out.append(candidate)
    return out


def depot_stock(session: Session, part: Part) -> list[DepotStock]:
    """Active depots holding free good units of `part` or of a part number that can serve
    its demand (``inventory.supersession``), with how many; a depot holding none of `part`
    itself names the substitute it would send."""
    parts = serving_parts(session, part)
    free = free_good_units(session, [p.id for p in parts])
    by_location: dict[int, dict[int, int]] = {}
    for (loc, pid), n in free.items():
        by_location.setdefault(loc, {})[pid] = n
    if not by_location:
        return []
    rows = session.execute(
        select(
            Depot.id,
            Depot.code,
            Depot.name,
            Depot.lat,
            Depot.lon,
            Depot.location_id,
            Depot.precision,
            Depot.uncertainty_km,
        )
        .where(Depot.active, Depot.location_id.in_(by_location))
        .order_by(Depot.id)
    )
    out = []
    for i, c, n, la, lo, loc, p, r in rows:
        held = by_location[loc]
        sent = next(x for x in parts if held.get(x.id, 0) > 0)
        out.append(
            DepotStock(
                i,
                c,
                n,
                la,
                lo,
                sum(held.values()),
                precision=p,
                uncertainty_km=r,
                substitute=None if sent.id == part.id else sent.part_number,
            )
        )
    return out


def nearest_engineer_minutes(
    session: Session,
    lat: float,
    lon: float,
    part_category: str | None,
    travel: TravelEstimator,
    now: datetime,
    site_uncertainty_km: float = 0.0,
) -> float | None:
    """The travel of the "travel + 1 h" promise: drive minutes of the nearest engineer who
    could take the job now, rounded as the ranking rounds it
    (`logistics.dispatch.nearest_drive_minutes`); None if nobody can."""
    staff = engineer_candidates(session, now, eligible_for=part_category)
    return nearest_drive_minutes(
        staff, (lat, lon), part_category, travel, site_uncertainty_km=site_uncertainty_km
    )


def open_ticket_with_promise(
    session: Session,
    travel: TravelEstimator,
    *,
    site_code: str,
    part_number: str | None = None,
    equipment_serial: str | None = None,
    now: datetime | None = None,
    **fields,
) -> TicketView:
    """Open a ticket whose on-site promise is the drive of the nearest engineer who could
    take it now + the contract's 1 h (see `open_ticket_in_session`); commits."""
    now = require_utc(now or utcnow(), "now")
    with transaction(session):
        site = session.scalar(select(Site).where(Site.code == site_code))
        travel_minutes = None
        if site is not None:
            part = (
                session.scalar(select(Part).where(Part.part_number == part_number))
                if part_number
                else None
            )
            equipment_serial = normalize_optional_serial(equipment_serial)
            if part is None and equipment_serial:
                part = session.scalar(
                    select(Part)
                    .join(Equipment, Equipment.part_id == Part.id)
                    .where(Equipment.serial == equipment_serial, Equipment.site_id == site.id)
                )
            travel_minutes = nearest_engineer_minutes(
                session,
                site.lat,
                site.lon,
                part.category if part else None,
                travel,
                now,
                site_uncertainty_km=site.uncertainty_km,
            )
        ticket = open_ticket_in_session(
            session,
            site_code=site_code,
            part_number=part_number,
            equipment_serial=equipment_serial,
            travel_minutes=travel_minutes,
            now=now,
            **fields,
        )
        view = ticket_view(ticket)
        return view


def rank_for_ticket(
    session: Session,
    ref: str | int,
    travel: TravelEstimator,
    *,
    now: datetime | None = None,
    limit: int = 10,
) -> DispatchRanking:
    """Ranked (engineer, depot) options for an open ticket, against its stored clocks."""
    ticket = ticket_by_ref(session, ref)
    if ticket.status not in WAITING_FOR_DISPATCH:
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}; it is not waiting for dispatch",
            field="status",
            key="ticket_cannot",
            params={"ref": ticket.number, "ticket_status": ticket.status},
        )
    return _rank(
        session,
        ticket.site.lat,
        ticket.site.lon,
        ticket.severity,
        ticket.channel,
        ticket.part,
        ticket.contract,
        ticket.site.timezone,
        travel,
        now=now,
        opened_at=ticket.opened_at,
        onsite_due=ticket.onsite_due,
        limit=limit,
        site_name=ticket.site.name,
        site_precision=ticket.site.precision,
        site_uncertainty_km=ticket.site.uncertainty_km,
    )


def rank_for_fault(
    session: Session,
    *,
    site_lat: float,
    site_lon: float,
    severity: str,
    travel: TravelEstimator,
    channel: str = Channel.PHONE.value,
    part_number: str | None = None,
    contract_code: str | None = None,
    timezone: str = "Asia/Shanghai",
    now: datetime | None = None,
    limit: int = 10,
    site_name: str = "site",
    site_precision: str = "exact",
    site_uncertainty_km: float = 0.0,
) -> DispatchRanking:
    """Ranked options for a fault described by hand (coordinates in degrees, known to
    `site_precision`), as if the ticket were opened now."""
    part = part_by_number(session, part_number) if part_number else None
    contract = contract_by_code(session, contract_code) if contract_code else None
    return _rank(
        session,
        site_lat,
        site_lon,
        severity,
        channel,
        part,
        contract,
        timezone,
        travel,
        now=now,
        limit=limit,
        site_name=site_name,
        site_precision=site_precision,
        site_uncertainty_km=site_uncertainty_km,
    )


def _rank(
    session,
    lat,
    lon,
    severity,
    channel,
    part,
    contract,
    tz,
    travel,
    *,
    now,
    limit,
    site_name,
    opened_at=None,
    onsite_due=None,
    site_precision="exact",
    site_uncertainty_km=0.0,
) -> DispatchRanking:
    now = require_utc(now or utcnow(), "now")
    try:
        request = FaultRequest(
            site_lat=lat,
            site_lon=lon,
            severity=severity,
            now_utc=now,
            part_category=part.category if part else None,
            opened_at_utc=opened_at,
            channel=channel,
            policy=sla_policy(contract),
            calendar=contract_calendar(contract, tz, session=session),
            onsite_due=onsite_due,
            site_name=site_name,
            site_precision=site_precision,
            site_uncertainty_km=site_uncertainty_km,
            site_city_radius_km=city_radius_at(lat, lon),
        )
    except ValueError as error:
        raise InvalidInput(
            str(error), key="dispatch_failed", params={"error": str(error)}
        ) from None
    depots = depot_stock(session, part) if part else []
    staff = engineer_candidates(session, now, eligible_for=part.category if part else None)
    if part is not None:
        carried = van_free_units(session, part)
        if carried:
            held = van_free_by_part(session, part)
            numbers = {p.id: p.part_number for p in serving_parts(session, part)}

            def substitute(eid: int) -> str | None:
                first = next(iter(held.get(eid, {})), part.id)
                return None if first == part.id else numbers[first]

            staff = [
                replace(
                    e,
                    van_qty=carried.get(int(e.id), 0),
                    van_substitute=substitute(int(e.id)) if int(e.id) in carried else None,
                )
                for e in staff
            ]
    return rank_dispatch_options(request, staff, depots, travel, limit=limit)


@dataclass(frozen=True)
class DispatchConfirmation:
    ticket_number: str
    ticket_status: str
    engineer_code: str
    engineer_name: str
    mode: str
    depot: str | None
    reserved_serial: str | None
    rma_number: str | None
    tracking_code: str | None


def confirm_dispatch(
    session: Session,
    ref: str | int,
    *,
    engineer_code: str,
    actor: str,
    depot_code: str | None = None,
    mode: str = Mode.PICKUP.value,
    serial: str | None = None,
    faulty_serial: str | None = None,
    now: datetime | None = None,
) -> DispatchConfirmation:
    """Send `engineer_code` to the ticket and, when the fault needs a part, reserve one at
    `depot_code` and open an advance replacement — all in one transaction, committed at the
    end. Conflict (nothing written) when the ticket was dispatched by someone else, the
    engineer cannot take it, or the depot has no free good unit left."""
    now = require_utc(now or utcnow(), "now")
    with transaction(session):
        ticket = ticket_by_ref(session, ref)
        engineer = engineer_by_code(session, engineer_code)
        try:
            mode = Mode(mode).value
        except ValueError:
            raise InvalidInput(
                "mode must be pickup, courier, engineer or van", field="mode", key="mode_choice"
            ) from None
        part = ticket.part
        candidate = _candidate(session, engineer, now)
        category = part.category if part else None
        refusal = candidate.refusal(category, need_shift=False)
        if refusal:
            raise Conflict(
                refusal,
                field="engineer",
                key="engineer_cannot_take",
                params={
                    "engineer": engineer.code,
                    "why": candidate.refusal_code(category, need_shift=False),
                },
            )
        # van: the part rides in the engineer's van, no depot and no reservation; the van's
        # unit is taken (compare-and-set) when the job records it used
        if mode == Mode.VAN.value and (
            part is None or van_free_units(session, part).get(engineer.id, 0) < 1
        ):
            raise Conflict(
                f"the van of {engineer.code} holds no free good part for this fault",
                field="engineer",
                key="van_no_part",
                params={"engineer": engineer.code},
            )
        move_ticket_in_session(
            session,
            ticket,
            "dispatch",
            actor=actor,
            now=now,
            data={"engineer": engineer.code, "mode": mode, "depot": depot_code},
        )
        assign_engineer_in_session(session, ticket, engineer, actor=actor, now=now)
        ticket.dispatch_mode = mode
        rma = None
        if part is not None and mode not in (Mode.ENGINEER.value, Mode.VAN.value):
            if not depot_code:
                raise InvalidInput(
                    "the fault needs a part: say which depot it comes from",
                    field="depot",
                    key="fault_needs_depot",
                )
            depot = depot_by_code(session, depot_code, field="depot")
            ticket.source_depot_id = depot.id
            # the part itself when the depot holds one, else the substitute it holds
            sent = part_to_send(session, part, depot.location_id) or part
            rma = open_rma_in_session(
                session,
                RmaRequest(
                    kind="advance_replacement",
                    site_code=ticket.site.code,
                    faulty_part_number=part.part_number,
                    replacement_part_number=sent.part_number,
                    fault_symptom=ticket.symptom,
                    faulty_serial=faulty_serial or ticket.equipment_serial,
                    ticket=ticket.number,
                    contact_name=ticket.contact_name,
                    phone=ticket.contact_phone,
                ),
                actor=actor,
                now=now,
            )
            rma.engineer_id = engineer.id
            move_rma_in_session(session, rma, "approve", actor=actor, now=now)
            move_rma_in_session(
                session,
                rma,
                "allocate",
                actor=actor,
                given=MoveInput(depot=depot.code, serial=serial),
                now=now,
            )
            assert rma.status == RmaStatus.ALLOCATED
        result = DispatchConfirmation(
            ticket_number=ticket.number,
            ticket_status=ticket.status,
            engineer_code=engineer.code,
            engineer_name=engineer.name,
            mode=mode,
            depot=depot_code if rma else None,
            reserved_serial=rma.replacement_serial if rma else None,
            rma_number=rma.number if rma else None,
            tracking_code=rma.tracking_code if rma else None,
        )
        return result
