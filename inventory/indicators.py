"""The performance indicators a service manager watches, computed in one place.

``performance_indicators(session, start, end, now=…, customer_id=…)`` reads the tickets
**opened** in the half-open UTC interval [start, end) — all customers', or one customer's —
and answers:

* **first-time fix rate** — of those tickets restored (``resolved_at`` set, not cancelled),
  the share fixed at the first attempt: at most one engineer visit and never reopened
  (no ``reopen`` event: the customer did not send it back);
* **mean time to restore, overall and by severity** — opened → restored, wall-clock minutes (the
  monthly report's definition);
* **clock compliance by clock and region** — every clock of the fault handling report
  (``inventory.sla_outcomes.REPORT_CLOCKS``, read through the one clock table) met or
  missed, per clock over all regions and per clock and region (the site's city); a clock
  still running at ``now`` is left out;
* **repeat failures per serial** — a ticket on a unit (equipment serial) that had another
  ticket opened in the 30 (90) days before it; listed per serial;
* **satisfaction by engineer** — the mean "overall" rating (0–5) of the surveys of the
  tickets each engineer held.

Also the tickets by severity and by cause, the parts replaced and the advance replacements
and returns — what the customer's quarterly service file summarises.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from statistics import fmean
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from inventory.errors import InvalidInput
from inventory.knowledge import rmas_that_fixed
from inventory.sla_outcomes import REPORT_CLOCKS, ticket_outcomes
from logistics.calendars import require_utc
from logistics.sla import Severity, Verdict
from models import Engineer, Event, Rma, Survey, Ticket, Visit, VisitPart, utcnow
from models.enums import RmaStatus, TicketStatus

REPEAT_WINDOWS = (30, 90)  # days
SEVERITIES = tuple(s.value for s in Severity)
CLOCKS = tuple(c.value for c in REPORT_CLOCKS)
UNKNOWN_CAUSE = "unknown"


@dataclass(frozen=True)
class Rate:
    """How many of ``total`` were met; every "share met" figure is this one."""

    met: int
    total: int

    @property
    def rate(self) -> float | None:
        """Share met, 0.0–1.0; None when there was nothing to meet."""
        return self.met / self.total if self.total else None


@dataclass(frozen=True)
class RestoreRow:
    severity: str
    tickets: int  # opened in the period
    restored: int
    mean_minutes: float | None


@dataclass(frozen=True)
class ComplianceRow:
    clock: str
    region: str | None  # None: every region
    met: int
    missed: int

    @property
    def total(self) -> int:
        return self.met + self.missed

    @property
    def rate(self) -> float | None:
        return Rate(self.met, self.total).rate


@dataclass(frozen=True)
class RepeatSerial:
    serial: str
    tickets: int
    within_30: int
    within_90: int


@dataclass(frozen=True)
class EngineerScore:
    engineer: str  # code
    name: str
    responses: int
    mean_overall: float | None


@dataclass(frozen=True)
class PartReplaced:
    part_number: str
    description: str
    quantity: int


@dataclass(frozen=True)
class Indicators:
    start: datetime
    end: datetime
    generated_at: datetime
    tickets: int
    tickets_by_severity: dict[str, int]
    tickets_by_cause: dict[str, int]
    first_time_fix: Rate
    restore: tuple[RestoreRow, ...]
    mean_restore_minutes: float | None  # every restored ticket's, whatever its severity
    compliance: tuple[ComplianceRow, ...]
    repeat_tickets: int  # tickets on a known serial
    repeat_30: int
    repeat_90: int
    repeat_serials: tuple[RepeatSerial, ...]
    satisfaction: tuple[EngineerScore, ...]
    satisfaction_overall: float | None
    satisfaction_responses: int
    parts_replaced: tuple[PartReplaced, ...]
    advance_replacements: int
    returns_back: int  # faulty parts received back
    returns_late: int  # faulty parts back after the deadline or not back past it
    extra: dict = field(default_factory=dict)

    def clock_totals(self) -> list[ComplianceRow]:
        """The compliance rows over every region, one per clock."""
        return [r for r in self.compliance if r.region is None]


def _cause(ticket: Ticket, visits: list[Visit], rmas: list[Rma]) -> str:
    """A ticket's cause as recorded: the part model that failed (the faulty part of its
    RMA, else the first part replaced on a visit), else the equipment model, else unknown."""
    for rma in rmas:
        return rma.faulty_part.part_number
    for visit in visits:
        for part in visit.parts:
            return part.part.part_number
    return UNKNOWN_CAUSE


def performance_indicators(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
    customer_id: int | None = None,
) -> Indicators:
    """The indicators of the tickets opened in [start, end) (UTC); see the module."""
    start, end = require_utc(start, "start"), require_utc(end, "end")
    now = require_utc(now, "now") if now else utcnow()
    stmt = (
        select(Ticket)
        .where(Ticket.opened_at >= start, Ticket.opened_at < end)
        .options(selectinload(Ticket.site), selectinload(Ticket.engineer))
        .order_by(Ticket.opened_at, Ticket.id)
    )
    if customer_id is not None:
        stmt = stmt.where(Ticket.customer_id == customer_id)
    tickets = list(session.scalars(stmt))
    ids = [t.id for t in tickets]
    rmas_of: dict[int, list[Rma]] = defaultdict(list)
    visits_of: dict[int, list[Visit]] = defaultdict(list)
    reopened: set[int] = set()
    surveys: dict[int, Survey] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for rma in session.scalars(
            select(Rma).where(Rma.ticket_id.in_(chunk)).options(selectinload(Rma.faulty_part))
            .order_by(Rma.id)
        ):  # fmt: skip
            if rma.ticket_id is not None:
                rmas_of[rma.ticket_id].append(rma)
        for visit in session.scalars(
            select(Visit).where(Visit.ticket_id.in_(chunk))
            .options(selectinload(Visit.parts).selectinload(VisitPart.part)).order_by(Visit.id)
        ):  # fmt: skip
            visits_of[visit.ticket_id].append(visit)
        reopened |= set(
            session.scalars(
                select(Event.subject_id).where(
                    Event.subject_type == "ticket",
                    Event.kind == "reopen",
                    Event.subject_id.in_(chunk),
                )
            )
        )
        for survey in session.scalars(select(Survey).where(Survey.ticket_id.in_(chunk))):
            surveys[survey.ticket_id] = survey

    by_severity = {s: 0 for s in SEVERITIES}
    by_cause: Counter[str] = Counter()
    restored: dict[str, list[float]] = defaultdict(list)
    first_time = fixed = 0
    met: Counter[tuple[str, str | None]] = Counter()
    missed: Counter[tuple[str, str | None]] = Counter()
    parts: dict[str, list] = {}
    advance = back = late = 0
    for t in tickets:
        by_severity[t.severity] = by_severity.get(t.severity, 0) + 1
        rmas, visits = rmas_of[t.id], visits_of[t.id]
        if t.status == TicketStatus.CANCELLED:
            continue
        by_cause[_cause(t, visits, rmas)] += 1
        if t.resolved_at is not None:
            restored[t.severity].append((t.resolved_at - t.opened_at).total_seconds() / 60)
            fixed += 1
            first_time += len(visits) <= 1 and t.id not in reopened
        region: str | None = t.site.city
        for outcome in ticket_outcomes(t, rmas):
            verdict = outcome.verdict(now)
            if verdict is Verdict.PENDING:
                continue
            bucket = met if verdict is Verdict.MET else missed
            bucket[(str(outcome.clock), None)] += 1
            bucket[(str(outcome.clock), region)] += 1
        used = [(p.part, p.qty) for v in visits for p in v.parts]
        if not used:  # no visit recorded its parts: the advance replacements that fixed it
            used = [
                (r.replacement_part or r.faulty_part, r.replacement_qty or 1)
                for r in rmas_that_fixed(rmas)
            ]
        for part, qty in used:
            parts.setdefault(part.part_number, [part, 0])[1] += qty
        for rma in rmas:
            if rma.kind != "advance_replacement" or rma.status in (
                RmaStatus.CANCELLED,
                RmaStatus.REJECTED,
            ):
                continue
            advance += 1
            back += rma.faulty_received_at is not None
            due, came = rma.return_due_at, rma.faulty_received_at
            late += due is not None and (came or now) > due

    regions = sorted({r for (_c, r) in (*met, *missed) if r is not None})
    compliance = []
    for clock in CLOCKS:
        for region in (None, *regions):
            key = (clock, region)
            if met[key] or missed[key]:
                compliance.append(ComplianceRow(clock, region, met[key], missed[key]))

    repeat_tickets, r30, r90, per_serial = _repeats(session, tickets, customer_id)
    by_engineer: dict[int, list[int]] = defaultdict(list)
    engineers: dict[int, Engineer] = {}
    overall: list[int] = []
    for t in tickets:
        answered = surveys.get(t.id)
        if answered is None or answered.overall is None:
            continue
        overall.append(answered.overall)
        if t.engineer is not None:
            by_engineer[t.engineer.id].append(answered.overall)
            engineers[t.engineer.id] = t.engineer
    satisfaction = tuple(
        sorted(
            (
                EngineerScore(e.code, e.name, len(by_engineer[i]), fmean(by_engineer[i]))
                for i, e in engineers.items()
            ),
            key=lambda s: s.engineer,
        )
    )
    every_restore = [m for minutes in restored.values() for m in minutes]
    return Indicators(
        start=start,
        end=end,
        generated_at=now,
        tickets=len(tickets),
        tickets_by_severity=by_severity,
        tickets_by_cause=dict(sorted(by_cause.items(), key=lambda kv: (-kv[1], kv[0]))),
        first_time_fix=Rate(first_time, fixed),
        restore=tuple(
            RestoreRow(
                s,
                by_severity.get(s, 0),
                len(restored[s]),
                fmean(restored[s]) if restored[s] else None,
            )
            for s in SEVERITIES
        ),
        mean_restore_minutes=fmean(every_restore) if every_restore else None,
        compliance=tuple(compliance),
        repeat_tickets=repeat_tickets,
        repeat_30=r30,
        repeat_90=r90,
        repeat_serials=per_serial,
        satisfaction=satisfaction,
        satisfaction_overall=fmean(overall) if overall else None,
        satisfaction_responses=len(overall),
        parts_replaced=tuple(
            PartReplaced(number, part.description_zh or part.description, qty)
            for number, (part, qty) in sorted(parts.items())
        ),
        advance_replacements=advance,
        returns_back=back,
        returns_late=late,
    )


def _repeats(
    session: Session, tickets: list[Ticket], customer_id: int | None
) -> tuple[int, int, int, tuple[RepeatSerial, ...]]:
    """Of the period's tickets on a known serial: how many followed another ticket on the
    same serial (any time before, not cancelled) within 30 and within 90 days."""
    serial_of = {
        t.id: t.equipment_serial
        for t in tickets
        if t.equipment_serial and t.status != TicketStatus.CANCELLED
    }
    serials = sorted(set(serial_of.values()))
    if not serials:
        return 0, 0, 0, ()
    history: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    first = min(t.opened_at for t in tickets if t.id in serial_of)
    for chunk in (serials[i : i + 500] for i in range(0, len(serials), 500)):
        stmt = select(Ticket.equipment_serial, Ticket.opened_at, Ticket.id).where(
            Ticket.equipment_serial.in_(chunk),
            Ticket.status != TicketStatus.CANCELLED,
            Ticket.opened_at >= first - timedelta(days=max(REPEAT_WINDOWS)),
        )
        if customer_id is not None:
            stmt = stmt.where(Ticket.customer_id == customer_id)
        for serial, opened, tid in session.execute(stmt):
            history[serial].append((opened, tid))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    r30 = r90 = 0
    for t in tickets:
        serial = serial_of.get(t.id)
        if serial is None:
            continue
        counts[serial][0] += 1
        before = [o for o, tid in history[serial] if tid != t.id and o <= t.opened_at]
        gap = min(((t.opened_at - o) for o in before), default=None)
        if gap is not None and gap <= timedelta(days=30):
            counts[serial][1] += 1
            r30 += 1
        if gap is not None and gap <= timedelta(days=90):
            counts[serial][2] += 1
            r90 += 1
    listed = tuple(
        RepeatSerial(s, n, a, b)
        for s, (n, a, b) in sorted(counts.items(), key=lambda kv: (-kv[1][2], kv[0]))
        if b
    )
    return len(serial_of), r30, r90, listed


MAX_PERIOD_DAYS = 400


def period_bounds(
    first_day: date | None, last_day: date | None, tz: str, *, today: date | None = None
) -> tuple[datetime, datetime]:
    """The local days ``first_day`` … ``last_day`` (inclusive, in ``tz``) as a half-open
    UTC interval; by default the 90 days that end today. InvalidInput naming the field for
    a period that ends before it starts or is longer than ``MAX_PERIOD_DAYS``."""
    zone = ZoneInfo(tz)
    today = today or utcnow().astimezone(zone).date()
    last_day = last_day or today
    first_day = first_day or last_day - timedelta(days=89)
    if first_day > last_day:
        raise InvalidInput("the period ends before it starts", field="from", key="period_reversed")
    if (last_day - first_day).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput(
            f"a period is at most {MAX_PERIOD_DAYS} days",
            field="from",
            key="period_too_long",
            params={"n": MAX_PERIOD_DAYS},
        )
    start = datetime.combine(first_day, time(0), zone).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end
