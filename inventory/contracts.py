"""Service contracts: turning the stored policy (data) into the SLA module's policy and
calendar, and creating contracts with DESIGN.md §2's defaults written out as data."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from inventory.calendar_days import exceptions_for
from inventory.errors import InvalidInput, NotFound
from inventory.events import created_view, record_updated
from inventory.lookups import one_by, refuse_taken
from inventory.transaction import transaction
from inventory.views import view_of
from logistics.calendars import CoverageCalendar, CoverageKind
from logistics.sla import (
    DEFAULT_COMPLAINT_RESOLUTION_HOURS,
    DEFAULT_COMPLAINT_RESPONSE_HOURS,
    DEFAULT_ESCALATION,
    DEFAULT_RESPONSE_MINUTES,
    DEFAULT_RESTORE_MINUTES,
    Basis,
    Channel,
    Clock,
    EscalationStep,
    Severity,
    SlaPolicy,
    Urgency,
)
from models import Contract, Customer, Equipment

CONTRACT_KINDS = ("warranty", "per_incident", "yearly")
WARRANTY_YEARS = 3
DEFAULT_LATE_RETURN_CHARGE = Decimal("500.00")


def default_policy_data() -> dict:
    """The shipped defaults of DESIGN.md §2 as the settings a contract stores."""
    p = SlaPolicy()
    return {
        "kind": "warranty",
        "coverage": str(p.coverage),
        "coverage_start_min": 9 * 60,
        "coverage_end_min": 17 * 60,
        "timezone": "Asia/Shanghai",
        "country": "CN",
        "system_down_response_minutes": p.system_down_response_minutes,
        "onsite_promise_minutes": p.onsite_promise_minutes,
        "replacement_unit_minutes": p.replacement_unit_minutes,
        "spare_request_answer_minutes": p.spare_request_answer_minutes,
        "spare_delivery_days": p.spare_delivery_days,
        "last_mile_minutes": p.last_mile_minutes,
        "return_window_days": p.return_window_days,
        "bases": {},
        "late_return_charge": DEFAULT_LATE_RETURN_CHARGE,
        "currency": "CNY",
        "active": True,
        "response_minutes": {c.value: m for c, m in DEFAULT_RESPONSE_MINUTES.items()},
        "restore_minutes": {s.value: m for s, m in DEFAULT_RESTORE_MINUTES.items()},
        "escalation": [
            {"level": s.level, "after_minutes": s.after_minutes, "who": s.who}
            for s in DEFAULT_ESCALATION
        ],
    }


def _minutes_to_time(minutes: int) -> time:
    if minutes >= 24 * 60:
        return time(23, 59, 59, 999999)
    return time(minutes // 60, minutes % 60)


def sla_policy(contract: Contract | None) -> SlaPolicy:
    """The SLA policy a contract promises; no contract → the shipped defaults on 7×24."""
    if contract is None:
        return SlaPolicy()
    defaults = default_policy_data()
    response = {**defaults["response_minutes"], **(contract.response_minutes or {})}
    restore = {**defaults["restore_minutes"], **(contract.restore_minutes or {})}
    ladder = contract.escalation if contract.escalation else defaults["escalation"]
    complaint = contract.complaint_hours or {}
    try:
        complaint_hours = {
            which: {Urgency(k): float(v) for k, v in (complaint.get(which) or {}).items()}
            for which in ("response", "resolution")
        }
        return SlaPolicy(
            coverage=contract.coverage,
            coverage_start=_minutes_to_time(contract.coverage_start_min),
            coverage_end=_minutes_to_time(contract.coverage_end_min),
            response_minutes={Channel(k): float(v) for k, v in response.items()},
            system_down_response_minutes=contract.system_down_response_minutes,
            restore_minutes={Severity(k): float(v) for k, v in restore.items()},
            onsite_promise_minutes=contract.onsite_promise_minutes,
            replacement_unit_minutes=contract.replacement_unit_minutes,
            spare_request_answer_minutes=contract.spare_request_answer_minutes,
            spare_delivery_days=contract.spare_delivery_days,
            last_mile_minutes=contract.last_mile_minutes,
            return_window_days=contract.return_window_days,
            escalation=tuple(
                EscalationStep(int(s["level"]), float(s["after_minutes"]), str(s["who"]))
                for s in ladder
            ),
            bases={Clock(k): Basis(v) for k, v in (contract.bases or {}).items()},
            complaint_response_hours={
                **DEFAULT_COMPLAINT_RESPONSE_HOURS,
                **complaint_hours["response"],
            },
            complaint_resolution_hours={
                **DEFAULT_COMPLAINT_RESOLUTION_HOURS,
                **complaint_hours["resolution"],
            },
        )
    except (KeyError, ValueError, TypeError) as error:
        raise InvalidInput(
            f"contract {contract.code} has an invalid SLA policy: {error}",
            field="contract",
            key="bad_sla_policy",
            params={"ref": contract.code, "error": str(error)},
        ) from None


def contract_calendar(
    contract: Contract | None, tz: str | None = None, *, session: Session | None = None
) -> CoverageCalendar:
    """The calendar the contract's clocks run on (its coverage, zone and country), with the
    company's own days off and days worked in that country (``inventory.calendar_days``),
    read through ``session`` (default: the contract's own session)."""
    policy = sla_policy(contract)
    zone = tz or (contract.timezone if contract else "Asia/Shanghai")
    country = contract.country if contract else "CN"
    db = session or (object_session(contract) if contract is not None else None)
    days_off, days_on = (
        exceptions_for(db, country) if db is not None else (frozenset(), frozenset())
    )
    return policy.calendar(tz=zone, country=country, days_off=days_off, days_on=days_on)


@dataclass(frozen=True)
class LadderStep:
    """One rung of a contract's escalation ladder as people read it."""

    level: int
    after_minutes: float  # without progress on the ticket
    who: str
    contact: str | None


def escalation_ladder(contract: Contract | None) -> list[LadderStep]:
    """The ladder a ticket on ``contract`` escalates along: the contract's own, else the
    shipped default (DESIGN.md §2), with the contact stored for each level."""
    ladder = contract.escalation if contract is not None and contract.escalation else None
    if not ladder:
        return [LadderStep(s.level, s.after_minutes, s.who, None) for s in DEFAULT_ESCALATION]
    return [
        LadderStep(int(s["level"]), float(s["after_minutes"]), str(s["who"]), s.get("contact"))
        for s in ladder
    ]


def warranty_end_for(acceptance: date, years: int = WARRANTY_YEARS) -> date:
    """Acceptance date + `years` (29 Feb accepted → 28 Feb)."""
    try:
        return acceptance.replace(year=acceptance.year + years)
    except ValueError:
        return acceptance.replace(year=acceptance.year + years, day=28)


@dataclass(frozen=True)
class ContractView:
    code: str
    customer_code: str
    name: str
    kind: str
    coverage: str
    coverage_start_min: int
    coverage_end_min: int
    timezone: str
    response_minutes: dict
    system_down_response_minutes: float
    restore_minutes: dict
    onsite_promise_minutes: float
    replacement_unit_minutes: float
    spare_request_answer_minutes: float
    spare_delivery_days: int
    last_mile_minutes: float
    return_window_days: int
    escalation: list
    bases: dict
    late_return_charge: Decimal
    currency: str
    valid_from: date | None
    valid_to: date | None
    active: bool
    # a customer problem's clocks in hours by urgency; missing ones: logistics.sla's defaults
    complaint_hours: dict | None = None


POLICY_FIELDS = (
    "coverage",
    "coverage_start_min",
    "coverage_end_min",
    "timezone",
    "country",
    "response_minutes",
    "system_down_response_minutes",
    "restore_minutes",
    "onsite_promise_minutes",
    "replacement_unit_minutes",
    "spare_request_answer_minutes",
    "spare_delivery_days",
    "last_mile_minutes",
    "return_window_days",
    "escalation",
    "bases",
    "complaint_hours",
    "late_return_charge",
    "currency",
    "valid_from",
    "valid_to",
    "active",
    "name",
    "kind",
)


def contract_view(contract: Contract) -> ContractView:
    return view_of(
        ContractView,
        contract,
        customer_code=contract.customer.code,
        response_minutes=dict(contract.response_minutes or {}),
        restore_minutes=dict(contract.restore_minutes or {}),
        escalation=list(contract.escalation or []),
        bases=dict(contract.bases or {}),
        complaint_hours=dict(contract.complaint_hours or {}),
    )


def contract_by_code(session: Session, code: str, *, field: str = "contract") -> Contract:
    return one_by(session, Contract.code, code, "contract", field=field)


def _apply(contract: Contract, values: dict) -> None:
    for key, value in values.items():
        if key not in POLICY_FIELDS:
            raise InvalidInput(
                f"{key} is not a contract setting",
                field=key,
                key="not_changeable",
                params={"name": key},
            )
        setattr(contract, key, value)
    if contract.kind not in CONTRACT_KINDS:
        raise InvalidInput(
            f"kind must be one of {', '.join(CONTRACT_KINDS)}",
            field="kind",
            key="row.condition",
            params={"choices": ", ".join(CONTRACT_KINDS)},
        )
    try:
        CoverageKind(contract.coverage)
    except ValueError:
        raise InvalidInput(
            "coverage must be 5x8, 7x8 or 7x24", field="coverage", key="coverage_choice"
        ) from None
    if not 0 <= contract.coverage_start_min < contract.coverage_end_min <= 24 * 60:
        raise InvalidInput(
            "the coverage window must start before it ends, within one day",
            field="coverage_end_min",
            key="coverage_window",
        )
    sla_policy(contract)  # refuse a policy the clocks cannot run on
    try:
        ZoneInfo(contract.timezone)
    except (
        Exception
    ):  # not found (KeyError), malformed (ValueError), a folder such as "America" (OSError)
        raise InvalidInput.unknown(
            "timezone", contract.timezone, noun="time zone", field="timezone"
        ) from None
    try:
        contract_calendar(contract)
    except ValueError as error:  # the zone is known: it is the country's holiday calendar
        raise InvalidInput(
            str(error), field="country", key="no_calendar", params={"country": contract.country}
        ) from None


def create_contract(
    session: Session, *, customer_code: str, code: str, actor: str = "system", **values
) -> ContractView:
    """A contract with the shipped defaults for anything not given; commits."""
    with transaction(session):
        customer = one_by(session, Customer.code, customer_code, "customer", field="customer_code")
        refuse_taken(session, Contract.code, code, "contract", field="code")
        contract = Contract(
            code=code,
            customer_id=customer.id,
            name=values.pop("name", None) or code,
            **default_policy_data(),
        )
        session.add(contract)
        contract.customer = customer
        _apply(contract, {k: v for k, v in values.items() if v is not None})
        return created_view(
            session, "contract", contract, contract_view, actor=actor, ref=code, customer=customer
        )


def update_contract(
    session: Session, code: str, *, actor: str = "system", **values
) -> ContractView:
    """Change the settings given (None leaves a setting alone); commits. Tickets already
    open keep the clocks they were given when they were opened. The settings that changed
    are recorded as one event (``data.changes``: setting → {from, to})."""
    with transaction(session):
        contract = contract_by_code(session, code)
        before = {k: deepcopy(getattr(contract, k)) for k in POLICY_FIELDS}
        _apply(contract, {k: v for k, v in values.items() if v is not None})
        view = contract_view(contract)
        changes = {
            k: {"from": before[k], "to": getattr(contract, k)}
            for k in POLICY_FIELDS
            if getattr(contract, k) != before[k]
        }
        record_updated(
            session,
            "contract",
            contract,
            changes,
            actor=actor,
            ref=code,
            customer_id=contract.customer_id,
        )
        return view


def contract_for(
    session: Session, site_customer_id: int, equipment: Equipment | None, contract_code: str | None
) -> Contract | None:
    """The contract a ticket or RMA runs on: the one named (it must be the customer's),
    else the equipment's, else the customer's first active contract, else None."""
    if contract_code:
        contract = session.scalar(select(Contract).where(Contract.code == contract_code))
        if contract is None or contract.customer_id != site_customer_id:
            # another customer's contract answers exactly as one that does not exist: nobody
            # learns from the wording which contract codes other customers hold
            raise NotFound(
                f"no contract {contract_code!r} for this site's customer",
                field="contract_code",
                key="no_contract_for_customer",
                params={"ref": contract_code},
            )
        return contract
    if equipment is not None and equipment.contract_id:
        return session.get(Contract, equipment.contract_id)
    return session.scalar(
        select(Contract)
        .where(Contract.customer_id == site_customer_id, Contract.active)
        .order_by(Contract.id)
    )


def parts_covered(contract: Contract | None, equipment: Equipment | None, today: date) -> bool:
    """Whether the contract pays for parts used on a job: a warranty contract while the
    equipment's warranty runs (to its ``warranty_end``), a yearly service contract while it
    is active; a per-incident contract, an inactive one or none: the customer is charged."""
    if contract is None or not contract.active:
        return False
    if contract.kind == "yearly":
        return True
    if contract.kind == "warranty":
        return equipment is None or equipment.warranty_end >= today
    return False
