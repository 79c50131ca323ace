"""Plain data the PDF renderers take: no database rows, no request context.

Every datetime is timezone-aware (UTC as stored); the documents show it in
``timezone`` (an IANA zone name, Asia/Shanghai unless the customer's differs).
Optional values left as ``None`` print as "—".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from inventory.indicators import ComplianceRow
from logistics.sla import ClockOutcome

DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Address:
    """A postal destination as printed on a slip or label."""

    name: str  # customer unit, site or depot name
    street: str  # full address line(s), as the courier reads it
    postcode: str | None = None
    contact: str | None = None
    phone: str | None = None


# --- Repair request form (设备维修申请表), DESIGN.md §2 ----------------------


@dataclass(frozen=True)
class FaultyItem:
    """One faulty product sent in for repair."""

    model: str
    serial: str
    quantity: int = 1
    received_at: datetime | None = None
    returned_to_bonded_warehouse_at: datetime | None = None
    fault_symptom: str | None = None
    analysis_and_action: str | None = None


@dataclass(frozen=True)
class ReplacementItem:
    """One replacement part sent to the user."""

    model: str
    serial: str
    quantity: int = 1
    arrived_at: datetime | None = None
    returned_to_user_at: datetime | None = None


@dataclass(frozen=True)
class RepairFormData:
    service_number: str  # the RMA number, e.g. RMA-2026-000123
    customer_unit: str
    contact: str | None = None
    phone: str | None = None
    fax: str | None = None
    recipient: str | None = None
    address: str | None = None
    postcode: str | None = None
    faulty_items: tuple[FaultyItem, ...] = ()
    replacement_items: tuple[ReplacementItem, ...] = ()
    issued_at: datetime | None = None
    timezone: str = DEFAULT_TIMEZONE


# --- Packing slip and return label (advance replacement, 备件先行) -----------


@dataclass(frozen=True)
class PackingSlipData:
    rma_number: str
    part_number: str
    part_description: str
    replacement_serial: str  # the good unit in this parcel
    faulty_serial: str | None  # the unit the customer must send back
    ship_from: Address  # the depot shipping the replacement
    ship_to: Address  # the customer's site
    tracking_url: str  # public tracking link, encoded in the QR code
    return_deadline: datetime | None = None
    return_to: Address | None = None  # return label destination; ship_from if None
    quantity: int = 1
    ticket_number: str | None = None
    shipped_at: datetime | None = None
    carrier: str | None = None  # the good part's way out: on the packing slip
    waybill_number: str | None = None
    return_carrier: str | None = None  # the faulty part's way back: on the return label
    return_waybill_number: str | None = None
    timezone: str = DEFAULT_TIMEZONE

    @property
    def return_destination(self) -> Address:
        return self.return_to or self.ship_from


# --- Fault handling report (故障处理报告) -------------------------------------


@dataclass(frozen=True)
class TimelineEvent:
    """One step of a ticket's history.

    ``event`` is an event code known to the documents (``created``, ``acknowledged``,
    ``dispatched``, ``on_site``, ``restored``, ``closed`` …, translated) or free text
    printed as given. ``actor`` is the person's first name only.
    """

    at: datetime
    event: str
    actor: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class PartUsed:
    part_number: str
    description: str
    quantity: int = 1
    installed_serial: str | None = None
    removed_serial: str | None = None


@dataclass(frozen=True)
class FaultReportData:
    ticket_number: str
    customer: str
    site: str
    equipment_model: str
    equipment_serial: str
    severity: str  # P1 | P2 | P3 | P4
    opened_at: datetime
    closed_at: datetime | None
    symptom: str | None = None
    channel: str | None = None  # hotline | fax | email | web
    rma_number: str | None = None
    events: tuple[TimelineEvent, ...] = ()
    clocks: tuple[ClockOutcome, ...] = ()
    actions: tuple[str, ...] = ()
    parts_used: tuple[PartUsed, ...] = ()
    root_cause: str | None = None
    confirmed_by: str | None = None  # the customer who confirmed closure
    timezone: str = DEFAULT_TIMEZONE


# --- Technical service sheet (技术服务单) --------------------------------------


@dataclass(frozen=True)
class ServiceSheetData:
    """One engineer visit, signed by the customer on the engineer's phone."""

    sheet_number: str  # TSS-YYYY-NNNNNN
    ticket_number: str
    customer: str
    site: str
    contact: str | None
    engineer: str | None
    equipment_model: str
    equipment_serial: str
    severity: str
    symptom: str | None
    reported_at: datetime
    arrived_at: datetime  # received by the server
    arrived_device_at: datetime | None  # the phone's clock
    signed_at: datetime | None
    diagnosis: str | None
    actions: str | None
    open_issues: str | None
    parts: tuple[PartUsed, ...] = ()
    photo_count: int = 0
    observation_until: datetime | None = None
    signer_name: str | None = None
    signature_png: bytes | None = None
    timezone: str = DEFAULT_TIMEZONE


# --- Monthly service report -------------------------------------------------


@dataclass(frozen=True)
class OverdueReturn:
    rma_number: str
    part_number: str
    serial: str | None
    return_deadline: datetime
    returned_at: datetime | None = None  # None: still outstanding


@dataclass(frozen=True)
class SatisfactionScores:
    """Mean survey answers on the 0–5 scale; None where nobody answered."""

    response_time: float | None = None
    quality_of_work: float | None = None
    attitude: float | None = None
    overall: float | None = None
    responses: int = 0


@dataclass(frozen=True)
class MonthlyReportData:
    customer: str
    year: int
    month: int  # 1–12
    tickets_by_severity: dict[str, int] = field(default_factory=dict)  # P1..P4 → count
    tickets_closed: int | None = None
    sla_attainment: tuple[ComplianceRow, ...] = ()  # one per clock, every region
    mean_time_to_restore_minutes: float | None = None
    restore_minutes_by_severity: dict[str, float] = field(default_factory=dict)
    overdue_returns: tuple[OverdueReturn, ...] = ()
    satisfaction: SatisfactionScores = field(default_factory=SatisfactionScores)
    generated_at: datetime | None = None
    timezone: str = DEFAULT_TIMEZONE

    @property
    def tickets_total(self) -> int:
        return sum(self.tickets_by_severity.values())


@dataclass(frozen=True)
class PlanMove:
    """One move of a stock plan: a transfer, a purchase or a return."""

    kind: str  # transfer | purchase | return
    part_number: str
    origin: str  # depot code, or "" for the supplier
    destination: str  # depot code, or "" for the central warehouse
    qty: int


@dataclass(frozen=True)
class PlanClassRow:
    service_class: str
    replacement_before: float
    replacement_after: float
    spare_before: float
    spare_after: float


@dataclass(frozen=True)
class PlanReportData:
    """A service-parts plan for management: the curve, the classes, the map, top moves."""

    run_id: str
    label: str
    generated_at: datetime
    stock_value_current: float
    stock_value_recommended: float
    fill_before: float  # network, replacement clock
    fill_after: float
    curve: tuple[tuple[float, float], ...]  # (stock value, fill rate)
    current: tuple[float, float]
    classes: tuple[PlanClassRow, ...]
    sites: tuple[tuple[float, float, float], ...]  # (lat, lon, 6 h fill rate after)
    moves: tuple[PlanMove, ...]
    moves_total: int
    timezone: str = DEFAULT_TIMEZONE
    depots: tuple[tuple[float, float], ...] = ()  # (lat, lon) of depots stocking after the plan
    spare_before: float | None = None  # network, 2-working-day clock
    spare_after: float | None = None


# --- Papers for the shelf: labels, a transfer's pick list and delivery note ------------------


@dataclass(frozen=True)
class ShelfLabel:
    """One 60×40 mm thermal label: a heading, a big title, a few small lines and a Code 128
    barcode of ``code`` (what the console's scanner reads: a depot code, a part number or
    a serial number)."""

    heading: str  # "库位 · BJ01", "备件 · TRF-2026-000012"
    title: str
    code: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class TransferPaperLine:
    part_number: str
    description: str
    serial: str | None  # None: a counted part
    condition: str  # as printed ("良品", "good")
    qty_shipped: int
    qty_received: int | None  # None: not received yet


@dataclass(frozen=True)
class TransferPaperData:
    """What a transfer's pick list and delivery note print."""

    number: str
    status: str  # as printed
    ship_from: Address
    ship_to: Address
    from_code: str
    to_code: str
    shipped_at: datetime
    shipped_by: str
    received_at: datetime | None
    received_by: str | None
    note: str | None
    lines: tuple[TransferPaperLine, ...]
    timezone: str = DEFAULT_TIMEZONE


@dataclass(frozen=True)
class ServiceMonth:
    """One month of the annual summary's trends."""

    year: int
    month: int
    tickets: int
    restored: int
    clocks_met: int
    clocks_missed: int
    mean_restore_minutes: float | None
    satisfaction: float | None


@dataclass(frozen=True)
class InspectionRow:
    number: str
    day: date
    site: str
    status: str
    findings: int
    tickets: int
    report_issued_at: datetime | None


@dataclass(frozen=True)
class ServiceFileData:
    """The summary of a customer's quarterly service file (季度服务档案) or annual service
    summary (年度服务总结); the figures are ``inventory.indicators``'."""

    customer: str
    kind: str  # quarterly | annual
    period: str  # 2026Q4 | 2026
    first_day: date
    last_day: date
    tickets: int
    restored: int
    first_time_fix: tuple[int, int]  # (fixed at the first attempt, restored)
    by_severity: tuple[tuple[str, int, float | None], ...]  # severity, tickets, mean minutes
    by_cause: tuple[tuple[str, int], ...]
    clocks: tuple[tuple[str, int, int], ...]  # clock, met, missed
    parts: tuple[tuple[str, str, int], ...]  # part number, description, quantity
    advance_replacements: int
    returns_back: int
    returns_late: int
    satisfaction: float | None
    satisfaction_responses: int
    complaints: int
    complaints_closed: int
    reports: tuple[str, ...]  # the ticket numbers whose fault handling reports follow
    months: tuple[ServiceMonth, ...] = ()  # annual: the year's trends
    inspections: tuple[InspectionRow, ...] = ()  # annual: the inspections of the year
    generated_at: datetime | None = None
    timezone: str = DEFAULT_TIMEZONE
