"""SLA clocks: every deadline of the service commitments (DESIGN.md §2), in one place.

Each clock is one row of `CLOCK_RULES`: which policy amount it uses, in which unit,
and on which basis time is counted (see docs/sla.md):

* ``coverage``     – minutes count only while the contract's coverage window is open;
                     a clock started outside the window starts at the next opening.
* ``elapsed``      – wall-clock minutes, nights and holidays included.
* ``working_days`` – whole working days of the country calendar (make-up workdays
                     included), counted after the start's local date; due at 24:00 local.

All datetimes are timezone-aware UTC; naive datetimes raise ValueError.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType

from logistics.calendars import CoverageCalendar, CoverageKind, require_utc


class Severity(StrEnum):
    """Fault severity as defined in DESIGN.md §2."""

    P1 = "P1"  # system down / data loss
    P2 = "P2"  # severe, degraded
    P3 = "P3"  # significant, still running
    P4 = "P4"  # question / minor


def severity_rank(severity: str) -> int:
    """Sort key, most severe first (P1 = 0); an unknown code after every known one."""
    ranks = {s.value: i for i, s in enumerate(Severity)}
    return ranks.get(severity, len(ranks))


class Channel(StrEnum):
    """How a fault was reported."""

    PHONE = "phone"
    FAX = "fax"
    EMAIL = "email"
    WEB = "web"


class Urgency(StrEnum):
    """How urgent a customer problem or complaint is (客户问题记录表: 一般 / 紧急 / 非常紧急)."""

    NORMAL = "normal"
    URGENT = "urgent"
    VERY_URGENT = "very_urgent"


class Basis(StrEnum):
    """How a clock counts time (module docstring)."""

    COVERAGE = "coverage"
    ELAPSED = "elapsed"
    WORKING_DAYS = "working_days"


class Clock(StrEnum):
    """Every deadline the product computes."""

    RESPONSE = "response"  # first response to the fault report
    ONSITE = "onsite"  # engineer on site: travel + promise (1 h)
    RESTORE = "restore"  # service restored, by severity
    REPLACEMENT = "replacement"  # replacement unit on site
    SPARE_REQUEST = "spare_request"  # spare service request answered
    SPARE_DELIVERY = "spare_delivery"  # spare reaches the covered city, from shipping
    LAST_MILE = "last_mile"  # good part handed over, from reaching the local depot
    FAULTY_RETURN = "faulty_return"  # faulty part back, from the replacement's delivery
    ESCALATION = "escalation"  # ladder steps, from the last progress on a ticket
    OBSERVATION = "observation"  # the engineer watches the system after a serious fault
    INSPECTION_REPORT = "inspection_report"  # the inspection report, from the signed visit
    COMPLAINT_RESPONSE = "complaint_response"  # a customer problem answered, by urgency
    COMPLAINT_RESOLUTION = "complaint_resolution"  # a customer problem resolved, by urgency


@dataclass(frozen=True)
class EscalationStep:
    """One rung of the escalation ladder: `after_minutes` without progress → `who`."""

    level: int
    after_minutes: float
    who: str


def _frozen(mapping: Mapping) -> Callable[[], Mapping]:
    return lambda: MappingProxyType(dict(mapping))


DEFAULT_RESPONSE_MINUTES = {
    Channel.PHONE: 10.0,
    Channel.FAX: 15.0,
    Channel.EMAIL: 120.0,
    # A web form is read from the same queue as e-mail, so it gets the e-mail promise.
    Channel.WEB: 120.0,
}
DEFAULT_RESTORE_MINUTES = {
    Severity.P1: 60.0,
    Severity.P2: 180.0,
    Severity.P3: 360.0,
    Severity.P4: 480.0,
}
# A customer problem's clocks in wall-clock hours (elapsed), by urgency.
DEFAULT_COMPLAINT_RESPONSE_HOURS = {
    Urgency.NORMAL: 24.0,
    Urgency.URGENT: 4.0,
    Urgency.VERY_URGENT: 1.0,
}
DEFAULT_COMPLAINT_RESOLUTION_HOURS = {
    Urgency.NORMAL: 120.0,
    Urgency.URGENT: 48.0,
    Urgency.VERY_URGENT: 24.0,
}
DEFAULT_ESCALATION = (
    EscalationStep(1, 15.0, "project manager / department head"),
    EscalationStep(2, 30.0, "regional technical VP / general manager"),
    EscalationStep(3, 60.0, "VP / president"),
)


@dataclass(frozen=True)
class SlaPolicy:
    """A contract's service commitments; defaults are the shipped ones of DESIGN.md §2.

    Minutes are minutes of the clock's basis (`bases`), days are working days unless a
    clock's basis is changed to ``elapsed``/``coverage`` (then a day is 1,440 minutes).
    """

    coverage: CoverageKind | str = CoverageKind.SEVEN_BY_TWENTYFOUR
    coverage_start: time = time(9, 0)
    coverage_end: time = time(17, 0)
    response_minutes: Mapping[Channel, float] = field(
        default_factory=_frozen(DEFAULT_RESPONSE_MINUTES)
    )
    system_down_response_minutes: float = 5.0  # P1 on any channel, if shorter
    restore_minutes: Mapping[Severity, float] = field(
        default_factory=_frozen(DEFAULT_RESTORE_MINUTES)
    )
    onsite_promise_minutes: float = 60.0  # the "+1 h" of "travel time + 1 hour"
    replacement_unit_minutes: float = 360.0
    spare_request_answer_minutes: float = 60.0
    spare_delivery_days: int = 2
    last_mile_minutes: float = 300.0
    return_window_days: int = 1
    observation_minutes: float = 72 * 60.0  # after a P1/P2 restore, wall-clock
    inspection_report_days: int = 7  # the programme's report deadline (days, wall-clock)
    escalation: tuple[EscalationStep, ...] = DEFAULT_ESCALATION
    complaint_response_hours: Mapping[Urgency, float] = field(
        default_factory=_frozen(DEFAULT_COMPLAINT_RESPONSE_HOURS)
    )
    complaint_resolution_hours: Mapping[Urgency, float] = field(
        default_factory=_frozen(DEFAULT_COMPLAINT_RESOLUTION_HOURS)
    )
    bases: Mapping[Clock, Basis] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "coverage", CoverageKind(self.coverage))
        missing = [c.value for c in Channel if c not in self.response_minutes]
        missing += [s.value for s in Severity if s not in self.restore_minutes]
        for hours in (self.complaint_response_hours, self.complaint_resolution_hours):
            missing += [u.value for u in Urgency if u not in hours]
            if any(h <= 0 for h in hours.values()):
                raise ValueError("a customer problem's clock needs more than 0 hours")
        if missing:
            raise ValueError(f"SLA policy has no amount for: {', '.join(missing)}")
        levels = [step.after_minutes for step in self.escalation]
        if levels != sorted(levels):
            raise ValueError("escalation steps must be in increasing order of minutes")

    def basis(self, clock: Clock) -> Basis:
        """The basis this contract counts `clock` on (override, else the table's)."""
        return Basis(self.bases.get(clock, CLOCK_RULES[clock].basis))

    def calendar(
        self,
        tz: str = "Asia/Shanghai",
        country: str = "CN",
        *,
        days_off: frozenset[date] = frozenset(),
        days_on: frozenset[date] = frozenset(),
    ) -> CoverageCalendar:
        """The contract's coverage calendar in a local time zone, with the company's own
        days off and days worked."""
        return CoverageCalendar(
            kind=self.coverage,
            start=self.coverage_start,
            end=self.coverage_end,
            tz=tz,
            country=country,
            days_off=days_off,
            days_on=days_on,
        )


@dataclass(frozen=True)
class ClockRule:
    """One row of the clock table: default basis, unit and where the amount comes from.

    A fault's clock takes its amount from the severity and the channel (`amount`); a
    customer problem's from its urgency (`per_urgency`, in the rule's unit)."""

    basis: Basis
    unit: str  # "minutes" or "days"
    amount: Callable[[SlaPolicy, Severity, Channel], float] | None
    starts_at: str  # the event that starts the clock, for docs and explanations
    per_urgency: Callable[[SlaPolicy, Urgency], float] | None = None


# After a serious fault is fixed the engineer watches the system (DESIGN.md §2: 72 h).
OBSERVED_SEVERITIES = frozenset({Severity.P1, Severity.P2})


def _response_minutes(p: SlaPolicy, sev: Severity, ch: Channel) -> float:
    by_channel = p.response_minutes[ch]
    return min(by_channel, p.system_down_response_minutes) if sev is Severity.P1 else by_channel


CLOCK_RULES: Mapping[Clock, ClockRule] = MappingProxyType(
    {
        Clock.RESPONSE: ClockRule(Basis.COVERAGE, "minutes", _response_minutes, "ticket opened"),
        Clock.ONSITE: ClockRule(
            Basis.COVERAGE, "minutes", lambda p, s, c: p.onsite_promise_minutes, "ticket opened"
        ),
        Clock.RESTORE: ClockRule(
            Basis.COVERAGE, "minutes", lambda p, s, c: p.restore_minutes[s], "ticket opened"
        ),
        Clock.REPLACEMENT: ClockRule(
            Basis.COVERAGE, "minutes", lambda p, s, c: p.replacement_unit_minutes, "ticket opened"
        ),
        Clock.SPARE_REQUEST: ClockRule(
            Basis.COVERAGE,
            "minutes",
            lambda p, s, c: p.spare_request_answer_minutes,
            "spare request made",
        ),
        Clock.SPARE_DELIVERY: ClockRule(
            Basis.WORKING_DAYS, "days", lambda p, s, c: p.spare_delivery_days, "spare shipped"
        ),
        Clock.LAST_MILE: ClockRule(
            Basis.COVERAGE,
            "minutes",
            lambda p, s, c: p.last_mile_minutes,
            "spare reached the local depot",
        ),
        Clock.FAULTY_RETURN: ClockRule(
            Basis.WORKING_DAYS,
            "days",
            lambda p, s, c: p.return_window_days,
            "replacement delivered",
        ),
        Clock.ESCALATION: ClockRule(
            Basis.COVERAGE,
            "minutes",
            lambda p, s, c: p.escalation[0].after_minutes if p.escalation else 0.0,
            "last progress on the ticket",
        ),
        Clock.OBSERVATION: ClockRule(
            Basis.ELAPSED,
            "minutes",
            lambda p, s, c: p.observation_minutes if s in OBSERVED_SEVERITIES else 0.0,
            "service restored",
        ),
        Clock.INSPECTION_REPORT: ClockRule(
            Basis.ELAPSED,
            "days",
            lambda p, s, c: p.inspection_report_days,
            "inspection visit signed",
        ),
        Clock.COMPLAINT_RESPONSE: ClockRule(
            Basis.ELAPSED,
            "minutes",
            None,
            "customer problem received",
            lambda p, u: p.complaint_response_hours[u] * 60.0,
        ),
        Clock.COMPLAINT_RESOLUTION: ClockRule(
            Basis.ELAPSED,
            "minutes",
            None,
            "customer problem received",
            lambda p, u: p.complaint_resolution_hours[u] * 60.0,
        ),
    }
)
# The clocks of a customer problem (complaint or request), in the order they are shown.
COMPLAINT_CLOCKS = (Clock.COMPLAINT_RESPONSE, Clock.COMPLAINT_RESOLUTION)


def clock_due(
    clock: Clock,
    start_utc: datetime,
    policy: SlaPolicy,
    calendar: CoverageCalendar,
    severity: Severity | str = Severity.P4,
    channel: Channel | str = Channel.PHONE,
    extra_minutes: float = 0.0,
    urgency: Urgency | str = Urgency.NORMAL,
) -> datetime:
    """Deadline (UTC) of one clock started at `start_utc`.

    `extra_minutes` is added to a minutes amount before counting (the travel time of the
    on-site clock); `urgency` picks a customer problem's amount. Raises ValueError for a
    naive start or a calendar that does not match the policy's coverage.
    """
    start_utc = require_utc(start_utc, "start_utc")
    _check_calendar(policy, calendar)
    rule = CLOCK_RULES[clock]
    if rule.per_urgency is not None:
        amount = rule.per_urgency(policy, Urgency(urgency))
    else:
        assert rule.amount is not None
        amount = rule.amount(policy, Severity(severity), Channel(channel))
    basis = policy.basis(clock)
    if basis is Basis.WORKING_DAYS:
        if rule.unit != "days" or extra_minutes:
            raise ValueError(f"clock {clock.value} is in minutes; it cannot count working days")
        return calendar.add_working_days(start_utc, int(amount))
    minutes = (amount * 1440.0 if rule.unit == "days" else amount) + extra_minutes
    return _after_minutes(basis, start_utc, minutes, calendar)


def _after_minutes(
    basis: Basis, start_utc: datetime, minutes: float, calendar: CoverageCalendar
) -> datetime:
    if basis is Basis.ELAPSED:
        return start_utc + timedelta(minutes=minutes)
    return calendar.add_working_minutes(start_utc, minutes)


@dataclass(frozen=True)
class SlaClocks:
    """The deadlines a fault ticket gets when it is opened (all UTC).

    `clock_start` is when the contract's clocks begin to run (the next coverage opening
    for a ticket opened outside hours). `onsite_due` is None until a travel time is known.
    """

    opened_at: datetime
    clock_start: datetime
    response_due: datetime
    onsite_due: datetime | None
    restore_due: datetime
    replacement_due: datetime
    spare_request_due: datetime

    def due(self) -> dict[Clock, datetime]:
        """The ticket's deadlines keyed by clock (on-site left out while unknown)."""
        out = {
            Clock.RESPONSE: self.response_due,
            Clock.ONSITE: self.onsite_due,
            Clock.RESTORE: self.restore_due,
            Clock.REPLACEMENT: self.replacement_due,
            Clock.SPARE_REQUEST: self.spare_request_due,
        }
        return {clock: due for clock, due in out.items() if due is not None}


def compute_clocks(
    opened_at_utc: datetime,
    severity: Severity | str,
    channel: Channel | str,
    policy: SlaPolicy,
    calendar: CoverageCalendar | None = None,
    travel_minutes: float | None = None,
) -> SlaClocks:
    """All deadlines that start when a fault ticket is opened.

    `travel_minutes` is the drive time of the nearest suitable engineer to the site; the
    on-site promise is that travel plus `policy.onsite_promise_minutes`. `calendar`
    defaults to the policy's coverage in Asia/Shanghai.
    """
    calendar = calendar or policy.calendar()
    opened_at_utc = require_utc(opened_at_utc, "opened_at_utc")
    if travel_minutes is not None and travel_minutes < 0:
        raise ValueError(f"travel_minutes must be >= 0, got {travel_minutes}")

    def due(clock: Clock, extra: float = 0.0) -> datetime:
        return clock_due(clock, opened_at_utc, policy, calendar, severity, channel, extra)

    return SlaClocks(
        opened_at=opened_at_utc,
        clock_start=calendar.next_open(opened_at_utc),
        response_due=due(Clock.RESPONSE),
        onsite_due=None if travel_minutes is None else due(Clock.ONSITE, travel_minutes),
        restore_due=due(Clock.RESTORE),
        replacement_due=due(Clock.REPLACEMENT),
        spare_request_due=due(Clock.SPARE_REQUEST),
    )


def spare_delivery_due(
    shipped_at_utc: datetime, policy: SlaPolicy, calendar: CoverageCalendar
) -> datetime:
    """When a shipped spare must have reached the covered city (default: end of the 2nd
    working day after the shipping date, local to `calendar`)."""
    return clock_due(Clock.SPARE_DELIVERY, shipped_at_utc, policy, calendar)


def last_mile_due(
    at_local_depot_utc: datetime, policy: SlaPolicy, calendar: CoverageCalendar
) -> datetime:
    """When a part that reached the local depot must be in the customer's hands (5 h)."""
    return clock_due(Clock.LAST_MILE, at_local_depot_utc, policy, calendar)


def return_deadline(
    delivered_at_utc: datetime, policy: SlaPolicy, calendar: CoverageCalendar
) -> datetime:
    """When the faulty part must be back after its replacement was delivered (default:
    end of the next working day after the delivery date, local to `calendar`)."""
    return clock_due(Clock.FAULTY_RETURN, delivered_at_utc, policy, calendar)


def observation_until(
    restored_at_utc: datetime,
    severity: Severity | str,
    policy: SlaPolicy,
    calendar: CoverageCalendar,
) -> datetime | None:
    """Until when the engineer watches the system after restoring a P1/P2 fault (default:
    72 h of wall-clock time); None for a severity that needs no observation."""
    if Severity(severity) not in OBSERVED_SEVERITIES or policy.observation_minutes <= 0:
        return None
    return clock_due(Clock.OBSERVATION, restored_at_utc, policy, calendar, severity)


def complaint_clocks(
    received_at_utc: datetime,
    urgency: Urgency | str,
    policy: SlaPolicy,
    calendar: CoverageCalendar,
) -> dict[Clock, datetime]:
    """A customer problem's deadlines (UTC) from when it was received, by its urgency."""
    return {
        clock: clock_due(clock, received_at_utc, policy, calendar, urgency=urgency)
        for clock in COMPLAINT_CLOCKS
    }


@dataclass(frozen=True)
class EscalationDue:
    """An escalation step that fires at `due_at` (UTC) unless progress is recorded."""

    level: int
    due_at: datetime
    who: str


def escalation_due_steps(
    last_progress_at_utc: datetime, policy: SlaPolicy, calendar: CoverageCalendar
) -> list[EscalationDue]:
    """The escalation ladder counted from the last progress on a ticket, on coverage time."""
    last_progress_at_utc = require_utc(last_progress_at_utc, "last_progress_at_utc")
    _check_calendar(policy, calendar)
    basis = policy.basis(Clock.ESCALATION)
    if basis is Basis.WORKING_DAYS:
        raise ValueError("escalation steps are in minutes; they cannot count working days")
    return [
        EscalationDue(
            step.level,
            _after_minutes(basis, last_progress_at_utc, step.after_minutes, calendar),
            step.who,
        )
        for step in policy.escalation
    ]


class Verdict(StrEnum):
    MET = "met"
    MISSED = "missed"
    PENDING = "pending"


@dataclass(frozen=True)
class ClockVerdict:
    """Whether a clock was met; `margin_minutes` is due − actual in wall-clock minutes
    (positive: early by that much; negative: late by that much)."""

    verdict: Verdict
    margin_minutes: float

    @property
    def met(self) -> bool:
        return self.verdict is Verdict.MET


def shown_margin(minutes: float) -> float:
    """A clock's margin (due − estimate or due − actual, minutes) as every answer shows it:
    down to the whole minute, never roomier than it is; a missed clock shows at least
    1 minute late (docs/sla.md "Rounding")."""
    return float(math.floor(round(minutes, 6)))


def clock_verdict(
    due_utc: datetime, actual_utc: datetime | None, now_utc: datetime | None = None
) -> ClockVerdict:
    """Met if the event happened at or before its deadline.

    With no event yet (`actual_utc` None) the clock is missed once `now_utc` is past the
    deadline and pending before that; the margin is then measured to `now_utc`.
    """
    due_utc = require_utc(due_utc, "due_utc")
    if actual_utc is None:
        if now_utc is None:
            raise ValueError("an open clock needs now_utc to be judged")
        now_utc = require_utc(now_utc, "now_utc")
        margin = (due_utc - now_utc).total_seconds() / 60.0
        return ClockVerdict(Verdict.PENDING if margin >= 0 else Verdict.MISSED, margin)
    actual_utc = require_utc(actual_utc, "actual_utc")
    margin = (due_utc - actual_utc).total_seconds() / 60.0
    return ClockVerdict(Verdict.MET if margin >= 0 else Verdict.MISSED, margin)


@dataclass(frozen=True)
class ClockStop:
    """Where a clock's deadline is kept and what stops it: `due` is the deadline field of
    the `due_on` record, `stopped_by` the moments (fields of the `stopped_on` record) that
    satisfy it — the earliest recorded one counts. Records are "ticket", "rma" (for a
    ticket's replacement clock: the ticket's advance replacement), "inspection" and
    "complaint" (a customer problem)."""

    due_on: str
    due: str
    stopped_on: str
    stopped_by: tuple[str, ...]


# Which event stops which clock: the one table the board, the documents and the sweep read
# (``inventory.sla_outcomes`` reads a ticket or an RMA through it).
CLOCK_STOPS: Mapping[Clock, ClockStop] = MappingProxyType(
    {
        Clock.RESPONSE: ClockStop(
            "ticket", "response_due", "ticket", ("acknowledged_at", "dispatched_at")
        ),
        Clock.ONSITE: ClockStop("ticket", "onsite_due", "ticket", ("onsite_at",)),
        Clock.RESTORE: ClockStop("ticket", "restore_due", "ticket", ("resolved_at",)),
        Clock.REPLACEMENT: ClockStop("ticket", "replacement_due", "rma", ("delivered_at",)),
        Clock.SPARE_REQUEST: ClockStop("rma", "approve_due", "rma", ("approved_at",)),
        Clock.SPARE_DELIVERY: ClockStop("rma", "delivery_due", "rma", ("delivered_at",)),
        Clock.FAULTY_RETURN: ClockStop("rma", "return_due_at", "rma", ("faulty_received_at",)),
        Clock.INSPECTION_REPORT: ClockStop(
            "inspection", "report_due", "inspection", ("report_issued_at",)
        ),
        Clock.COMPLAINT_RESPONSE: ClockStop(
            "complaint", "response_due", "complaint", ("responded_at", "resolved_at")
        ),
        Clock.COMPLAINT_RESOLUTION: ClockStop(
            "complaint", "resolution_due", "complaint", ("resolved_at",)
        ),
    }
)


@dataclass(frozen=True)
class ClockOutcome:
    """One clock of a ticket or RMA: its deadline and the moment that stopped it (None
    while it runs); `started_at` is when it began counting, where shown. Times UTC."""

    clock: Clock | str
    due_at: datetime
    completed_at: datetime | None  # None: not (yet) satisfied
    started_at: datetime | None = None

    @property
    def stopped(self) -> bool:
        return self.completed_at is not None

    @property
    def met(self) -> bool:
        """Stopped at or before its deadline (`clock_verdict`)."""
        return self.completed_at is not None and clock_verdict(self.due_at, self.completed_at).met

    @property
    def margin_minutes(self) -> int | None:
        """Whole minutes to spare (positive) or late (negative), as `shown_margin` shows
        them; None while running."""
        if self.completed_at is None:
            return None
        return int(shown_margin(clock_verdict(self.due_at, self.completed_at).margin_minutes))

    def verdict(self, now_utc: datetime) -> Verdict:
        """Met, missed, or pending (still running before its deadline) as of `now_utc`."""
        return clock_verdict(self.due_at, self.completed_at, now_utc).verdict


def _check_calendar(policy: SlaPolicy, calendar: CoverageCalendar) -> None:
    """A contract's clocks must run on a calendar with the contract's coverage."""
    same = calendar.kind == policy.coverage and (
        policy.coverage is CoverageKind.SEVEN_BY_TWENTYFOUR
        or (calendar.start, calendar.end) == (policy.coverage_start, policy.coverage_end)
    )
    if not same:
        raise ValueError(
            f"calendar {calendar.kind} {calendar.start}-{calendar.end} does not match the "
            f"contract's coverage {policy.coverage} {policy.coverage_start}-{policy.coverage_end}"
        )
