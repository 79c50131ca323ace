"""Preventive inspections (巡检): a contract's programme, the year's visits, the visit on
site and the report the customer is promised.

1. **Programme** — one per contract (``set_programme``, admin): frequency, the sites
   covered, on site or by phone, a checklist per equipment kind (software, hardware and
   environment checks with their expected values), the report deadline in days after
   the signed visit, whether a training session is included, the customer's preferred
   weekdays and hours.
2. **Generation** — ``generate_visits`` places the year's visits on working days of the
   contract's calendar (the country's holidays and the company's exceptions), balanced
   over weeks and engineers (``logistics.inspections.schedule_visits``). Running it twice
   adds nothing: (programme, site, period) is unique in the database.
3. **Planning** — the day's on-site visits join the fault work in the engineers' route
   plan (``inventory.route_planning``) with the smallest drop penalty, so urgent faults
   pre-empt them; ``reschedule_displaced`` moves each visit the plan could not serve to
   the next feasible working day and records the move (an ``inspection_moved`` event).
4. **On site** — arrival, checklist results (pass / fail / n.a. and readings), photos,
   findings (each opens a ticket with its severity, linked to the inspection), and the
   customer's signature, which starts the ``inspection_report`` clock.
5. **Report** — ``issue_report`` stops the clock; the PDF (巡检报告) is then the
   customer's to download.

``engineer_id`` is the caller's engineer (None: an admin or dispatcher acting for them);
another engineer's inspection answers like an unknown one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from inventory.contracts import contract_by_code, contract_calendar, sla_policy
from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.events import record_about, record_on
from inventory.lookups import engineer_by_code
from inventory.numbering import next_number
from inventory.tickets import open_ticket_in_session
from inventory.transaction import transaction
from inventory.views import view_of
from inventory.visits import CheckedImage, checked_signature, stored_photo
from logistics.calendars import require_utc
from logistics.inspections import (
    Frequency,
    Inspector,
    VisitNeed,
    Workload,
    next_feasible_day,
    periods,
    schedule_visits,
)
from logistics.sla import Clock, Severity, clock_due
from models import (
    Contract,
    Engineer,
    Equipment,
    Inspection,
    InspectionFinding,
    InspectionPhoto,
    InspectionProgramme,
    Site,
    utcnow,
)

FREQUENCIES = tuple(f.value for f in Frequency)
MODES = ("on_site", "phone")
GROUPS = ("software", "hardware", "environment")
OUTCOMES = ("pass", "fail", "na")


class InspectionStatus(StrEnum):
    """A visit's life: planned, in progress from the arrival (or the first result), done
    when the customer signs; or cancelled."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


STATUSES = tuple(s.value for s in InspectionStatus)
ANY_KIND = "*"  # the checklist of every visit, whatever the equipment
MAX_ITEMS = 60
MAX_TEXT = 200
PLANNER = "route-planner"

# The checklist a programme gets when none is given (the remote-consultation plan's
# software, hardware and environment checks).
DEFAULT_CHECKLIST = {
    ANY_KIND: [
        {"key": "sw-log", "group": "software", "item": "系统日志", "expected": "无告警"},
        {
            "key": "sw-ver",
            "group": "software",
            "item": "软件版本",
            "expected": "最新补丁",
        },
        {
            "key": "hw-led",
            "group": "hardware",
            "item": "指示灯",
            "expected": "全部绿色",
        },
        {
            "key": "hw-psu",
            "group": "hardware",
            "item": "电源冗余",
            "expected": "2/2",
        },
        {
            "key": "env-temp",
            "group": "environment",
            "item": "机房温度",
            "expected": "18–27 °C",
        },
        {
            "key": "env-hum",
            "group": "environment",
            "item": "相对湿度",
            "expected": "40–60 %",
        },
    ]
}
PROGRAMME_FIELDS = (
    "frequency",
    "mode",
    "site_codes",
    "checklists",
    "report_days",
    "training",
    "preferred_weekdays",
    "preferred_start_min",
    "preferred_end_min",
    "visit_minutes",
    "active",
)


# --- views -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeView:
    contract: str
    customer: str
    frequency: str
    mode: str
    site_codes: list[str]
    checklists: dict
    report_days: int
    training: bool
    preferred_weekdays: str
    preferred_start_min: int
    preferred_end_min: int
    visit_minutes: int
    active: bool
    updated_by: str
    updated_at: datetime


def programme_view(p: InspectionProgramme) -> ProgrammeView:
    return view_of(
        ProgrammeView,
        p,
        contract=p.contract.code,
        customer=p.contract.customer.code,
        site_codes=list(p.site_codes or []),
        checklists=dict(p.checklists or {}),
    )


@dataclass(frozen=True)
class ChecklistItem:
    key: str  # "<kind>:<item key>"
    kind: str
    group: str
    item: str
    expected: str


@dataclass(frozen=True)
class FindingView:
    item_key: str | None
    text: str
    severity: str
    equipment_serial: str | None
    ticket_number: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class InspectionView:
    number: str
    contract: str
    customer: str
    site: str
    site_name: str
    period: str
    day: date
    first_day: date
    moves: int
    window_start_min: int
    window_end_min: int
    engineer: str | None
    engineer_name: str | None
    status: str
    mode: str
    training: bool
    training_given: bool
    arrived_at: datetime | None
    arrived_device_at: datetime | None
    checklist: list[ChecklistItem]
    results: list[dict]
    notes: str | None
    recommendations: str | None
    findings: list[FindingView]
    photos: list[int]
    signer_name: str | None
    signed_at: datetime | None
    report_due: datetime | None
    report_issued_at: datetime | None


def inspection_view(session: Session, row: Inspection) -> InspectionView:
    return view_of(
        InspectionView,
        row,
        contract=row.contract.code,
        customer=row.site.customer.code,
        site=row.site.code,
        site_name=row.site.name,
        engineer=row.engineer.code if row.engineer else None,
        engineer_name=row.engineer.name if row.engineer else None,
        mode=row.programme.mode,
        training=row.programme.training,
        checklist=checklist_of(session, row),
        results=list(row.results or []),
        findings=[
            FindingView(
                f.item_key,
                f.text,
                f.severity,
                f.equipment_serial,
                f.ticket.number if f.ticket else None,
                f.recorded_at,
            )
            for f in row.findings
        ],
        photos=[p.id for p in row.photos],
    )


# --- the programme -----------------------------------------------------------------------


def _text(value, field: str, *, required: bool = True) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise InvalidInput("must not be empty", field=field, key="required")
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            f"at most {MAX_TEXT} characters",
            field=field,
            key="text_too_long",
            params={"n": MAX_TEXT},
        )
    return text


def check_checklists(value) -> dict[str, list[dict]]:
    """The checklists as stored: ``{kind: [{"key", "group", "item", "expected"}]}`` with a
    key for every item (unique within its kind). InvalidInput naming the item otherwise."""
    if not isinstance(value, dict) or not value:
        raise InvalidInput(
            "give at least one equipment kind with its items",
            field="checklists",
            key="ins.no_checklists",
        )
    out: dict[str, list[dict]] = {}
    for kind, items in value.items():
        kind_text = _text(kind, "checklists")
        where = f"checklists.{kind_text}"
        if not isinstance(items, list) or not items:
            raise InvalidInput(
                "give at least one item",
                field=where,
                key="ins.no_items",
                params={"kind": kind_text},
            )
        if len(items) > MAX_ITEMS:
            raise InvalidInput(
                f"at most {MAX_ITEMS} items",
                field=where,
                key="ins.too_many_items",
                params={"kind": kind_text, "n": MAX_ITEMS},
            )
        seen: set[str] = set()
        rows = []
        for i, item in enumerate(items):
            at = f"{where}.{i}"
            if not isinstance(item, dict):
                raise InvalidInput("an item is an object", field=at, key="ins.item_not_object")
            group = item.get("group")
            if group not in GROUPS:
                raise InvalidInput(
                    f"group must be one of {', '.join(GROUPS)}",
                    field=f"{at}.group",
                    key="row.condition",
                    params={"choices": ", ".join(GROUPS)},
                )
            key = _text(item.get("key") or f"{group[:3]}-{i + 1}", f"{at}.key")
            if not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", key):
                raise InvalidInput(
                    "letters, digits, - _ . (at most 40)",
                    field=f"{at}.key",
                    key="ins.item_key_format",
                )
            if key in seen:
                raise InvalidInput(
                    f"key {key!r} is used twice",
                    field=f"{at}.key",
                    key="ins.item_key_twice",
                    params={"key": key},
                )
            seen.add(key)
            rows.append(
                {
                    "key": key,
                    "group": group,
                    "item": _text(item.get("item"), f"{at}.item"),
                    "expected": _text(item.get("expected"), f"{at}.expected", required=False),
                }
            )
        out[kind_text] = rows
    return out


def _apply(session: Session, programme: InspectionProgramme, values: dict) -> None:
    for key, value in values.items():
        if key not in PROGRAMME_FIELDS:
            raise InvalidInput(
                f"{key} is not a programme setting",
                field=key,
                key="ins.not_setting",
                params={"key": key},
            )
        if key == "checklists":
            value = check_checklists(value)
        elif key == "site_codes":
            value = _site_codes(session, programme.contract, value)
        elif key == "preferred_weekdays":
            days = str(value or "")
            if not days or not set(days) <= set("1234567"):
                raise InvalidInput("ISO weekdays 1-7, e.g. 24", field=key, key="ins.weekdays")
            value = "".join(sorted(set(days)))
        setattr(programme, key, value)
    if programme.frequency not in FREQUENCIES:
        raise InvalidInput(
            f"frequency must be one of {', '.join(FREQUENCIES)}",
            field="frequency",
            key="ins.frequency",
        )
    if programme.mode not in MODES:
        raise InvalidInput("mode must be on_site or phone", field="mode", key="ins.mode")
    if not 0 <= programme.report_days <= 60:
        raise InvalidInput(
            "between 0 and 60 days",
            field="report_days",
            key="between_days",
            params={"low": 0, "high": 60},
        )
    if not 0 < programme.visit_minutes <= 600:
        raise InvalidInput(
            "between 1 and 600 minutes",
            field="visit_minutes",
            key="between_minutes",
            params={"low": 1, "high": 600},
        )
    if not 0 <= programme.preferred_start_min < programme.preferred_end_min <= 24 * 60:
        raise InvalidInput(
            "the preferred hours must start before they end, within one day",
            field="preferred_end_min",
            key="ins.preferred_hours",
        )


def _site_codes(session: Session, contract: Contract, codes) -> list[str]:
    if not isinstance(codes, list):
        raise InvalidInput("a list of site codes", field="site_codes", key="ins.site_list")
    out = []
    for i, code in enumerate(codes):
        site = session.scalar(select(Site).where(Site.code == str(code)))
        if site is None or site.customer_id != contract.customer_id:
            raise NotFound(
                f"no site {code!r} of this customer",
                field=f"site_codes.{i}",
                key="ins.not_customer_site",
                params={"code": str(code)},
            )
        if site.code not in out:
            out.append(site.code)
    return out


def programme_of(session: Session, contract: Contract) -> InspectionProgramme | None:
    return session.scalar(
        select(InspectionProgramme).where(InspectionProgramme.contract_id == contract.id)
    )


def _programme_required(session: Session, contract_code: str) -> InspectionProgramme:
    """The programme of contract ``contract_code``; NotFound when it has none."""
    programme = programme_of(session, contract_by_code(session, contract_code))
    if programme is None:
        raise NotFound(
            f"contract {contract_code} has no inspection programme",
            field="contract",
            key="ins.no_programme",
            params={"contract": contract_code},
        )
    return programme


def get_programme(session: Session, contract_code: str) -> ProgrammeView:
    return programme_view(_programme_required(session, contract_code))


def set_programme(
    session: Session, contract_code: str, *, actor: str, now: datetime | None = None, **values
) -> tuple[ProgrammeView, bool]:
    """Create the contract's programme or change it (a value left None keeps its setting);
    (the programme, whether it was created). Visits already generated keep their days.
    Commits."""
    now = require_utc(now or utcnow(), "now")
    values = {k: v for k, v in values.items() if v is not None}
    with transaction(session):
        contract = contract_by_code(session, contract_code)
        programme = programme_of(session, contract)
        created = programme is None
        if programme is None:
            if "frequency" not in values:
                raise InvalidInput(
                    "give the frequency", field="frequency", key="ins.frequency_required"
                )
            programme = InspectionProgramme(
                contract_id=contract.id,
                mode="on_site",
                site_codes=[],
                checklists=DEFAULT_CHECKLIST,
                report_days=7,
                training=False,
                preferred_weekdays="12345",
                preferred_start_min=9 * 60,
                preferred_end_min=17 * 60,
                visit_minutes=120,
                active=True,
                updated_by=actor,
            )
            programme.contract = contract
            session.add(programme)
        with session.no_autoflush:  # the new row is flushed once it is whole
            _apply(session, programme, values)
        programme.updated_by, programme.updated_at = actor, now
        session.flush()
        view = programme_view(programme)
        record_on(
            session,
            "contract",
            contract,
            "inspection_programme_set",
            actor=actor,
            ref=contract.code,
            customer_id=contract.customer_id,
            at=now,
            data={k: v for k, v in values.items() if k != "checklists"},
        )
        return view, created


# --- generating the year's visits --------------------------------------------------------


@dataclass(frozen=True)
class Generated:
    year: int
    created: list[str]  # inspection numbers
    existing: int  # visits of the year that were already there
    unplaced: list[str]  # "<site> <period>": no working day left in the period


def covered_sites(session: Session, programme: InspectionProgramme) -> list[Site]:
    """The programme's sites: those listed, else those with units under the contract,
    else every site of the customer."""
    contract = programme.contract
    if programme.site_codes:
        return list(
            session.scalars(
                select(Site).where(Site.code.in_(programme.site_codes)).order_by(Site.code)
            )
        )
    with_units = list(
        session.scalars(
            select(Site)
            .where(
                Site.id.in_(
                    select(Equipment.site_id).where(
                        Equipment.contract_id == contract.id, Equipment.active
                    )
                )
            )
            .order_by(Site.code)
        )
    )
    return with_units or list(
        session.scalars(
            select(Site).where(Site.customer_id == contract.customer_id).order_by(Site.code)
        )
    )


def site_kinds(session: Session, contract: Contract, site: Site) -> list[str]:
    """The equipment kinds (part categories) of the contract's units at the site."""
    from models import Part

    return sorted(
        set(
            session.scalars(
                select(Part.category)
                .join(Equipment, Equipment.part_id == Part.id)
                .where(
                    Equipment.site_id == site.id,
                    Equipment.contract_id == contract.id,
                    Equipment.active,
                )
            )
        )
    )


def _inspectors(session: Session) -> list[Inspector]:
    return [
        Inspector(e.code, e.home_lat, e.home_lon, frozenset(e.skills or ()), e.work_days)
        for e in session.scalars(select(Engineer).where(Engineer.active).order_by(Engineer.code))
    ]


def _workload(session: Session, first: date, last: date) -> Workload:
    load = Workload()
    rows = session.execute(
        select(Engineer.code, Inspection.day)
        .outerjoin(Engineer, Engineer.id == Inspection.engineer_id)
        .where(
            Inspection.day >= first,
            Inspection.day <= last,
            Inspection.status != InspectionStatus.CANCELLED,
        )
    )
    for code, day in rows:
        load.add(code, day)
    return load


def generate_visits(
    session: Session, contract_code: str, year: int, *, actor: str, now: datetime | None = None
) -> Generated:
    """The programme's visits of ``year`` not generated yet, from tomorrow on (module
    docstring, step 2); commits. Idempotent: a visit of the same site and period is never
    added twice, even by two runs at once (the database's unique constraint decides)."""
    now = require_utc(now or utcnow(), "now")
    if not 2000 <= year <= 2199:
        raise InvalidInput("year out of range", field="year", key="year_out_of_range")
    with transaction(session):
        programme = _programme_required(session, contract_code)
        contract = programme.contract
        if not programme.active:
            raise Conflict(
                f"the inspection programme of {contract_code} is paused",
                field="active",
                key="ins.programme_paused",
                params={"contract": contract_code},
            )
        sites = covered_sites(session, programme)
        engineers = {e.code: e for e in session.scalars(select(Engineer))}
        done = {
            (site_id, period)
            for site_id, period in session.execute(
                select(Inspection.site_id, Inspection.period).where(
                    Inspection.programme_id == programme.id
                )
            )
        }
        year_periods = periods(programme.frequency, year)
        existing = sum(1 for s in sites for p in year_periods if (s.id, p.label) in done)
        created: list[str] = []
        unplaced: list[str] = []
        load = _workload(session, date(year, 1, 1), date(year, 12, 31))
        inspectors = _inspectors(session)
        for site in sites:
            calendar = contract_calendar(contract, site.timezone, session=session)
            today = now.astimezone(ZoneInfo(site.timezone)).date()
            kinds = frozenset(site_kinds(session, contract, site))
            needs = [
                VisitNeed(site.code, p, site.lat, site.lon, kinds)
                for p in year_periods
                if (site.id, p.label) not in done
            ]
            planned = schedule_visits(
                needs,
                inspectors,
                is_working_day=calendar.is_working_day,
                preferred_weekdays=programme.preferred_weekdays,
                not_before=today + timedelta(days=1),
                load=load,
            )
            for visit in planned:
                if visit.day is None:
                    unplaced.append(f"{site.code} {visit.period}")
                    continue
                number = _insert_visit(session, programme, site, visit, engineers, actor, now)
                if number is None:
                    existing += 1
                else:
                    created.append(number)
        record_on(
            session,
            "contract",
            contract,
            "inspections_generated",
            actor=actor,
            ref=contract.code,
            customer_id=contract.customer_id,
            at=now,
            data={"year": year, "created": len(created), "existing": existing},
        )
        return Generated(year, created, existing, unplaced)


def _insert_visit(session, programme, site, visit, engineers, actor, now) -> str | None:
    """Insert one visit in a savepoint; None when another run inserted it first."""
    engineer = engineers.get(visit.engineer) if visit.engineer else None
    try:
        with session.begin_nested():
            row = Inspection(
                number=next_number(session, "INS", now),
                programme_id=programme.id,
                contract_id=programme.contract_id,
                customer_id=site.customer_id,
                site_id=site.id,
                period=visit.period,
                day=visit.day,
                first_day=visit.day,
                window_start_min=programme.preferred_start_min,
                window_end_min=programme.preferred_end_min,
                engineer_id=engineer.id if engineer else None,
                status=InspectionStatus.PLANNED.value,
                moves=0,
                results=[],
                training_given=False,
                created_by=actor,
                created_at=now,
            )
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row.number


# --- lookups and lists -------------------------------------------------------------------


def inspection_by_number(session: Session, number: str) -> Inspection:
    row = session.scalar(select(Inspection).where(Inspection.number == (number or "").strip()))
    if row is None:
        raise NotFound.unknown("inspection", number, field="number")
    return row


def inspection_for_engineer(session: Session, number: str, engineer_id: int | None) -> Inspection:
    """The inspection ``number`` if ``engineer_id`` (None: anyone) is the one sent to it."""
    row = inspection_by_number(session, number)
    if engineer_id is not None and row.engineer_id != engineer_id:
        raise NotFound.unknown("inspection", number, field="number")
    return row


def inspections_between(
    session: Session,
    first: date,
    last: date,
    *,
    engineer_id: int | None = None,
    customer_id: int | None = None,
) -> list[Inspection]:
    """Visits planned from ``first`` to ``last`` (local dates, inclusive), by day."""
    stmt = (
        select(Inspection)
        .options(joinedload(Inspection.site), joinedload(Inspection.engineer))
        .where(
            Inspection.day >= first,
            Inspection.day <= last,
            Inspection.status != InspectionStatus.CANCELLED,
        )
        .order_by(Inspection.day, Inspection.window_start_min, Inspection.number)
    )
    if engineer_id is not None:
        stmt = stmt.where(Inspection.engineer_id == engineer_id)
    if customer_id is not None:
        stmt = stmt.where(Inspection.customer_id == customer_id)
    return list(session.scalars(stmt.limit(2000)))


def reports_due(session: Session) -> list[Inspection]:
    """Signed inspections whose report is not issued yet, the nearest deadline first."""
    return list(
        session.scalars(
            select(Inspection)
            .options(joinedload(Inspection.site), joinedload(Inspection.engineer))
            .where(Inspection.signed_at.is_not(None), Inspection.report_issued_at.is_(None))
            .order_by(Inspection.report_due)
            .limit(200)
        )
    )


def checklist_of(session: Session, row: Inspection) -> list[ChecklistItem]:
    """The items to check at this visit: the ``*`` checklist (every visit: the room, the
    power) and the checklist of each equipment kind at the site, software checks first,
    then hardware, then environment."""
    checklists = row.programme.checklists or {}
    kinds = [ANY_KIND, *site_kinds(session, row.contract, row.site)]
    items = []
    for name in kinds:
        for item in checklists.get(name, []):
            items.append(
                ChecklistItem(
                    f"{name}:{item['key']}", name, item["group"], item["item"], item["expected"]
                )
            )
    order = {g: i for i, g in enumerate(GROUPS)}
    return sorted(items, key=lambda i: order.get(i.group, len(order)))


def window_utc(row: Inspection) -> tuple[datetime, datetime]:
    """The visit's preferred hours on its day, as UTC instants."""
    zone = ZoneInfo(row.site.timezone)
    midnight = datetime.combine(row.day, time(0, 0), tzinfo=zone)
    return (
        (midnight + timedelta(minutes=row.window_start_min)).astimezone(ZoneInfo("UTC")),
        (midnight + timedelta(minutes=row.window_end_min)).astimezone(ZoneInfo("UTC")),
    )


# --- the day plan ------------------------------------------------------------------------


def day_stops(session: Session, day: date, engineer_codes: list[str]) -> list[dict]:
    """The planned on-site visits of ``day`` given to these engineers, as route-plan stops
    (``inventory.route_planning.request_from_params``) with the inspection's severity (the
    smallest drop penalty) and the customer's preferred hours as the window."""
    rows = session.scalars(
        select(Inspection)
        .join(Engineer, Engineer.id == Inspection.engineer_id)
        .join(InspectionProgramme, InspectionProgramme.id == Inspection.programme_id)
        .where(
            Inspection.day == day,
            Inspection.status == InspectionStatus.PLANNED,
            InspectionProgramme.mode == "on_site",
            Engineer.code.in_(engineer_codes),
        )
        .order_by(Inspection.number)
    )
    out = []
    for row in rows:
        start, end = window_utc(row)
        out.append(
            {
                "id": row.number,
                "site": row.site.code,
                "service_minutes": row.programme.visit_minutes,
                "severity": "inspection",
                "window_start": start.isoformat(),
                "window_end": end.isoformat(),
            }
        )
    return out


def reschedule_displaced(
    session: Session, plan: dict, day: date, *, actor: str = PLANNER, now: datetime | None = None
) -> list[dict]:
    """Move each inspection of ``day`` that the plan left unserved to its next feasible
    working day, recording the move; commits. Returns ``[{"stop", "from", "to", "reason"}]``
    (dates ISO) — an inspection is never dropped, only moved."""
    now = require_utc(now or utcnow(), "now")
    unserved = {u["stop"]: u.get("reason") for u in plan.get("unserved", [])}
    moved: list[dict] = []
    if not unserved:
        return moved
    with transaction(session):
        rows = session.scalars(
            select(Inspection).where(
                Inspection.number.in_(list(unserved)),
                Inspection.day == day,
                Inspection.status == InspectionStatus.PLANNED,
            )
        )
        for row in rows:
            calendar = contract_calendar(row.contract, row.site.timezone, session=session)
            target = next_feasible_day(
                day,
                is_working_day=calendar.is_working_day,
                preferred_weekdays=row.programme.preferred_weekdays,
                engineer_days=row.engineer.work_days if row.engineer else "1234567",
            )
            row.day, row.moves = target, row.moves + 1
            item = {
                "stop": row.number,
                "from": day.isoformat(),
                "to": target.isoformat(),
                "reason": unserved[row.number],
            }
            _event(session, row, "inspection_moved", actor, now, customer_visible=True, **item)
            moved.append(item)
    return moved


# --- on site -----------------------------------------------------------------------------


def _event(
    session: Session,
    row: Inspection,
    kind: str,
    actor: str,
    now: datetime,
    *,
    customer_visible: bool = False,
    **data,
):
    record_on(
        session,
        "inspection",
        row,
        kind,
        actor=actor,
        customer_id=row.customer_id,
        at=now,
        customer_visible=customer_visible,
        data=data,
    )


def _view(session: Session, row: Inspection) -> InspectionView:
    session.flush()
    session.refresh(row)
    return inspection_view(session, row)


def _cannot(row: Inspection) -> Conflict:
    """The step is not one the inspection's status allows."""
    return Conflict(
        f"inspection {row.number} is {row.status}",
        field="status",
        details={"current_status": row.status},
        key="ins.cannot",
        params={"ref": row.number, "inspection_status": row.status},
    )


def _open(row: Inspection, now: datetime) -> None:
    """The inspection being recorded: a planned one starts now (a phone inspection has no
    arrival); a signed or cancelled one takes nothing more."""
    if row.status == InspectionStatus.PLANNED:
        row.status, row.arrived_at = InspectionStatus.IN_PROGRESS.value, now
    elif row.status != InspectionStatus.IN_PROGRESS:
        raise _cannot(row)


@contextmanager
def inspection_step(
    session: Session, number: str, engineer_id: int | None, *, now: datetime
) -> Iterator[Inspection]:
    """One step on site in the transaction boundary: the engineer's inspection, started
    now if it was planned; commits when the block ends."""
    with transaction(session):
        row = inspection_for_engineer(session, number, engineer_id)
        _open(row, now)
        yield row


def record_arrival(
    session: Session,
    number: str,
    *,
    engineer_id: int | None,
    actor: str,
    device_time: datetime | None = None,
    now: datetime | None = None,
) -> InspectionView:
    """The engineer is on site (the server's time; the phone's beside it); commits."""
    now = require_utc(now or utcnow(), "now")
    with transaction(session):
        row = inspection_for_engineer(session, number, engineer_id)
        if row.status != InspectionStatus.PLANNED:
            raise _cannot(row)
        _open(row, now)
        row.arrived_device_at = require_utc(device_time, "device_time") if device_time else None
        _event(session, row, "inspection_started", actor, now)
        return _view(session, row)


def _not_on_checklist(key: str, *, field: str) -> InvalidInput:
    return InvalidInput(
        f"{key!r} is not on this checklist",
        field=field,
        key="ins.not_on_checklist",
        params={"key": key},
    )


def record_checklist(
    session: Session,
    number: str,
    *,
    engineer_id: int | None,
    actor: str,
    results: list[dict] | None = None,
    notes: str | None = None,
    recommendations: str | None = None,
    training_given: bool | None = None,
    now: datetime | None = None,
) -> InspectionView:
    """Checklist results (``{"key", "outcome": pass|fail|na, "reading"}``; a later result
    of an item replaces the earlier), notes, recommendations, whether the training was
    given (a value left None keeps what was recorded); commits."""
    now = require_utc(now or utcnow(), "now")
    with inspection_step(session, number, engineer_id, now=now) as row:
        keys = {item.key for item in checklist_of(session, row)}
        merged = {r["key"]: r for r in row.results or []}
        for i, result in enumerate(results or []):
            key = str(result.get("key") or "")
            if key not in keys:
                raise _not_on_checklist(key, field=f"results.{i}.key")
            outcome = result.get("outcome")
            if outcome not in OUTCOMES:
                raise InvalidInput(
                    "pass, fail or na", field=f"results.{i}.outcome", key="ins.outcome"
                )
            reading = _text(result.get("reading"), f"results.{i}.reading", required=False)
            merged[key] = {"key": key, "outcome": outcome, "reading": reading or None}
        row.results = [merged[k] for k in sorted(merged)]
        if notes is not None:
            row.notes = notes.strip() or None
        if recommendations is not None:
            row.recommendations = recommendations.strip() or None
        if training_given is not None:
            row.training_given = bool(training_given)
        _event(session, row, "inspection_recorded", actor, now, items=len(results or []))
        return _view(session, row)


def add_photo(
    session: Session,
    number: str,
    *,
    engineer_id: int | None,
    actor: str,
    storage_key: str,
    image: CheckedImage,
    now: datetime | None = None,
) -> InspectionView:
    """A photo already written to the photo store under ``storage_key``; commits."""
    now = require_utc(now or utcnow(), "now")
    with inspection_step(session, number, engineer_id, now=now) as row:
        session.add(
            InspectionPhoto(
                inspection_id=row.id, **stored_photo(storage_key, image, actor=actor, now=now)
            )
        )
        _event(session, row, "inspection_photo_added", actor, now)
        return _view(session, row)


def record_finding(
    session: Session,
    number: str,
    *,
    engineer_id: int | None,
    actor: str,
    text: str,
    severity: str,
    item_key: str | None = None,
    equipment_serial: str | None = None,
    now: datetime | None = None,
) -> InspectionView:
    """A finding that cannot be fixed on the spot: a ticket opens with its severity at the
    inspected site (``inventory.tickets.open_ticket_in_session``, its clocks from now),
    linked to the inspection both ways; commits."""
    now = require_utc(now or utcnow(), "now")
    what = _text(text, "text")
    try:
        Severity(severity)
    except ValueError:
        raise InvalidInput(
            "severity must be P1, P2, P3 or P4", field="severity", key="severity_choice"
        ) from None
    with inspection_step(session, number, engineer_id, now=now) as row:
        if item_key and item_key not in {i.key for i in checklist_of(session, row)}:
            raise _not_on_checklist(item_key, field="item_key")
        ticket = open_ticket_in_session(
            session,
            site_code=row.site.code,
            severity=severity,
            channel="phone",
            symptom=f"{row.number}: {what}",
            actor=actor,
            equipment_serial=equipment_serial or None,
            contract_code=row.contract.code,
            contact_name=row.site.contact_name,
            contact_phone=row.site.phone,
            now=now,
        )
        session.add(
            InspectionFinding(
                inspection_id=row.id,
                item_key=item_key or None,
                text=what,
                severity=ticket.severity,
                equipment_serial=ticket.equipment_serial,
                ticket_id=ticket.id,
                recorded_by=actor,
                recorded_at=now,
            )
        )
        record_about(
            session,
            ticket,
            "inspection_finding",
            actor=actor,
            at=now,
            customer_visible=True,
            data={"inspection": row.number},
        )
        _event(session, row, "inspection_finding", actor, now, ticket=ticket.number)
        return _view(session, row)


def report_policy(row: Inspection):
    """The contract's SLA policy with this programme's report deadline."""
    return dataclasses.replace(
        sla_policy(row.contract), inspection_report_days=row.programme.report_days
    )


def sign_inspection(
    session: Session,
    number: str,
    *,
    engineer_id: int | None,
    actor: str,
    signer_name: str,
    signature_png: bytes,
    now: datetime | None = None,
) -> InspectionView:
    """The customer signs: the inspection is done (every checklist item answered) and the
    ``inspection_report`` clock starts; commits."""
    now = require_utc(now or utcnow(), "now")
    name = checked_signature(signer_name, signature_png, field="png")
    with inspection_step(session, number, engineer_id, now=now) as row:
        answered = {r["key"] for r in row.results or []}
        missing = [i.key for i in checklist_of(session, row) if i.key not in answered]
        if missing:
            raise InvalidInput(
                f"{len(missing)} checklist items have no result: {', '.join(missing[:5])}",
                field="results",
                key="ins.unanswered",
                params={"n": len(missing), "items": ", ".join(missing[:5])},
            )
        calendar = contract_calendar(row.contract, row.site.timezone, session=session)
        row.signer_name, row.signature_png, row.signed_at = name, signature_png, now
        row.status = InspectionStatus.DONE.value
        row.report_due = clock_due(Clock.INSPECTION_REPORT, now, report_policy(row), calendar)
        _event(session, row, "inspection_signed", actor, now, report_due=row.report_due)
        return _view(session, row)


def issue_report(
    session: Session,
    number: str,
    *,
    engineer_id: int | None,
    actor: str,
    now: datetime | None = None,
) -> InspectionView:
    """The inspection report goes to the customer: the clock stops (issuing again changes
    nothing); commits. Conflict before the signature."""
    now = require_utc(now or utcnow(), "now")
    with transaction(session):
        row = inspection_for_engineer(session, number, engineer_id)
        if row.signed_at is None:
            raise Conflict(
                f"inspection {row.number} is not signed yet",
                field="status",
                details={"current_status": row.status},
                key="ins.not_signed",
                params={"ref": row.number},
            )
        if row.report_issued_at is None:
            row.report_issued_at = now
            _event(
                session,
                row,
                "inspection_report_issued",
                actor,
                now,
                customer_visible=True,
                report_due=row.report_due,
            )
        return _view(session, row)


def set_engineer(
    session: Session, number: str, engineer_code: str, *, actor: str, now: datetime | None = None
) -> InspectionView:
    """Give a planned inspection to another engineer, who must work on its weekday;
    commits."""
    now = require_utc(now or utcnow(), "now")
    with transaction(session):
        row = inspection_by_number(session, number)
        engineer = engineer_by_code(session, engineer_code)
        if row.status != InspectionStatus.PLANNED:
            raise _cannot(row)
        if str(row.day.isoweekday()) not in engineer.work_days:
            raise InvalidInput(
                f"{engineer.code} does not work on {row.day.isoformat()}",
                field="engineer",
                key="ins.engineer_off",
                params={"engineer": engineer.code, "day": row.day.isoformat()},
            )
        row.engineer_id = engineer.id
        _event(session, row, "inspection_assigned", actor, now, engineer=engineer.code)
        return _view(session, row)
