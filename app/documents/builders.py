"""The documents' data, read from the database: plain functions over a SQLAlchemy session
that return app/documents/data.py's dataclasses (no request context, no rendering).

Who may fetch which document is app/documents/access.py's question; these functions are
handed rows the caller may see, and ``for_customer`` says whether the reader is the
customer (then the timeline holds the customer-visible events only, and people appear by
their given name). Internal notes never reach a document. Times stay UTC; each document
names the zone it prints them in (the site's, or the customer's).
"""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import fmean
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import i18n as catalogue
from app.documents.data import (
    DEFAULT_TIMEZONE,
    Address,
    FaultReportData,
    FaultyItem,
    InspectionRow,
    MonthlyReportData,
    OverdueReturn,
    PackingSlipData,
    PartUsed,
    PlanClassRow,
    PlanMove,
    PlanReportData,
    RepairFormData,
    ReplacementItem,
    SatisfactionScores,
    ServiceFileData,
    ServiceMonth,
    ServiceSheetData,
    ShelfLabel,
    TimelineEvent,
    TransferPaperData,
    TransferPaperLine,
)
from app.documents.labels import coded_label, doc_label
from inventory.errors import InvalidInput
from inventory.events import events_of
from inventory.indicators import performance_indicators
from inventory.knowledge import rmas_that_fixed
from inventory.lookups import part_by_number
from inventory.service_files import Period
from inventory.sla_flags import withdrawn_event_ids
from inventory.sla_outcomes import (
    advance_replacement,
    clock_outcome,
    ticket_outcomes,
)
from inventory.tracking import engineer_title, given_name
from inventory.transfers import destination
from inventory.visits import signed_visits
from logistics.sla import Clock, Verdict
from models import (
    Complaint,
    Customer,
    Depot,
    Event,
    Part,
    Rma,
    SerialItem,
    Site,
    StockPolicy,
    StockQuantity,
    Survey,
    Ticket,
    Transfer,
    User,
    Visit,
    VisitPart,
    utcnow,
)
from models.enums import ItemStatus, Role, TransferStatus

# Event kinds of the Event table → the documents' timeline codes (labels.py "evt_*").
TICKET_EVENTS = {
    "opened": "created",
    "acknowledge": "acknowledged",
    "dispatch": "dispatched",
    "assigned": "assigned",
    "reassigned": "reassigned",
    "arrive": "on_site",
    "part_used": "part_installed",
    "work_recorded": "work_recorded",
    "photo_added": "photo_added",
    "resolve": "restored",
    "reopen": "reopened",
    "close": "closed",
    "cancel": "cancelled",
    "severity_changed": "severity_changed",
    "escalated": "escalated",
    "sla_breached": "sla_breached",
    "sla_breach_withdrawn": "sla_breach_withdrawn",
}
RMA_EVENTS = {
    "opened": "rma_opened",
    "approve": "rma_approved",
    "reject": "rma_rejected",
    "allocate": "part_reserved",
    "ship": "part_shipped",
    "deliver": "part_delivered",
    "return_faulty": "faulty_shipped",
    "receive_faulty": "faulty_returned",
    "return_due": "return_reminder",
    "overdue": "return_overdue",
    "overdue_withdrawn": "return_overdue_withdrawn",
    "sla_breached": "sla_breached",
    "sla_breach_withdrawn": "sla_breach_withdrawn",
    "close": "rma_closed",
    "cancel": "rma_cancelled",
}


# --- shared pieces ----------------------------------------------------------------------


def _part_text(part: Part, lang: str) -> str:
    return (part.description_zh or part.description) if lang == "zh" else part.description


def _category_text(category: str | None, lang: str) -> str:
    """A part category code (``server``) in words when the catalogue has them."""
    if not category:
        return ""
    key = f"category.{category}"
    return catalogue.translate(key, lang) if catalogue.has_key(key) else category


def _customer_name(customer: Customer, lang: str) -> str:
    return (customer.name_en or customer.name) if lang == "en" else customer.name


def _depot_address(depot: Depot, lang: str) -> Address:
    return Address(
        name=(depot.name_en or depot.name) if lang == "en" else depot.name, street=depot.address
    )


def tracking_url(public_base_url: str, code: str) -> str:
    """The customer's tracking page of an RMA (the same link the notifications send)."""
    return f"{public_base_url.rstrip('/')}/track/{code}"


# --- repair request form and packing slip ------------------------------------------------


def repair_form_for(session: Session, rma: Rma) -> RepairFormData:
    """The repair request form (设备维修申请表) of an RMA: every field of DESIGN.md §2."""
    faulty = FaultyItem(
        model=rma.faulty_part.part_number,
        serial=rma.faulty_serial or "—",
        quantity=rma.faulty_qty,
        received_at=rma.faulty_received_at,
        returned_to_bonded_warehouse_at=rma.faulty_to_bonded_at,
        fault_symptom=rma.fault_symptom,
        analysis_and_action=" / ".join(x for x in (rma.fault_analysis, rma.fault_action) if x)
        or None,
    )
    replacements: tuple[ReplacementItem, ...] = ()
    if rma.replacement_serial or rma.replacement_qty:
        part = rma.replacement_part or rma.faulty_part
        replacements = (
            ReplacementItem(
                model=part.part_number,
                serial=rma.replacement_serial or "—",
                quantity=rma.replacement_qty or 1,
                arrived_at=rma.replacement_arrived_at,
                returned_to_user_at=rma.replacement_to_user_at,
            ),
        )
    return RepairFormData(
        service_number=rma.number,
        customer_unit=rma.customer_unit,
        contact=rma.contact_name,
        phone=rma.phone,
        fax=rma.fax,
        recipient=rma.recipient,
        address=rma.address,
        postcode=rma.postcode,
        faulty_items=(faulty,),
        replacement_items=replacements,
        issued_at=rma.requested_at,
        timezone=rma.site.timezone,
    )


def packing_slip_for(
    session: Session, rma: Rma, public_base_url: str, *, lang: str = "zh"
) -> PackingSlipData:
    """The packing slip and return label of an RMA: the good part out, the faulty part back
    to the return depot (the shipping depot when none is set)."""
    source = session.get(Depot, rma.source_depot_id) if rma.source_depot_id else None
    back = session.get(Depot, rma.return_depot_id) if rma.return_depot_id else source
    ship_to = Address(
        name=rma.customer_unit,
        street=rma.address,
        postcode=rma.postcode,
        contact=rma.recipient or rma.contact_name,
        phone=rma.phone,
    )
    part = rma.replacement_part or rma.faulty_part
    return PackingSlipData(
        rma_number=rma.number,
        part_number=part.part_number,
        part_description=_part_text(part, lang),
        replacement_serial=rma.replacement_serial or "—",
        faulty_serial=rma.faulty_serial,
        ship_from=_depot_address(source, lang) if source else ship_to,
        ship_to=ship_to,
        tracking_url=tracking_url(public_base_url, rma.tracking_code),
        return_deadline=rma.return_due_at,
        return_to=_depot_address(back, lang) if back else None,
        quantity=rma.replacement_qty or rma.faulty_qty,
        ticket_number=rma.ticket.number if rma.ticket else None,
        shipped_at=rma.shipped_at,
        carrier=rma.carrier,
        waybill_number=rma.waybill,
        return_carrier=rma.return_carrier,
        return_waybill_number=rma.return_waybill,
        timezone=rma.site.timezone,
    )


# --- fault handling report ---------------------------------------------------------------


def ticket_rmas(session: Session, ticket: Ticket) -> list[Rma]:
    """The RMAs a ticket opened, oldest first."""
    return list(session.scalars(select(Rma).where(Rma.ticket_id == ticket.id).order_by(Rma.id)))


class _People:
    """Who an event's actor is, as the reader may see them: staff read display names,
    customers the engineer as they address him ("罗工") and anyone else by given name only
    (nobody for a username the users table does not know)."""

    def __init__(self, session: Session, for_customer: bool, lang: str = "zh"):
        self.session, self.for_customer, self.lang = session, for_customer, lang
        self.cache: dict[str, str | None] = {}

    def __call__(self, username: str | None) -> str | None:
        if not username:
            return None
        if username not in self.cache:
            row = self.session.execute(
                select(User.display_name, User.role).where(User.username == username)
            ).first()
            name, role = row if row else (None, None)
            if not self.for_customer:
                shown = name or username
            elif role == Role.ENGINEER.value:
                shown = engineer_title(name, self.lang)
            else:
                shown = given_name(name)
            self.cache[username] = shown
        return self.cache[username]


def _public_note(event: Event) -> str | None:
    """What an event may say beside its code: the courier and waybill, a severity change.
    The event's own note is staff text and never printed."""
    data = event.data or {}
    if event.kind == "severity_changed" and data.get("from") and data.get("to"):
        return f"{data['from']} → {data['to']}"
    shipped = " ".join(str(data[k]) for k in ("carrier", "waybill") if data.get(k))
    return shipped or None


def timeline_for(
    session: Session, ticket: Ticket, rmas: list[Rma], *, for_customer: bool, lang: str = "zh"
) -> tuple[TimelineEvent, ...]:
    """The ticket's events and its RMAs', in time order; customers get the customer-visible
    ones only."""
    person = _People(session, for_customer, lang)
    rows = [
        (e, TICKET_EVENTS)
        for e in events_of(session, "ticket", ticket.id, customer_visible_only=for_customer)
    ]
    for rma in rmas:
        rows += [
            (e, RMA_EVENTS)
            for e in events_of(session, "rma", rma.id, customer_visible_only=for_customer)
        ]
    if for_customer:  # a flag the facts withdrew never held: the customer sees neither
        hidden = withdrawn_event_ids(e for e, _codes in rows)
        rows = [row for row in rows if row[0].id not in hidden]
    rows.sort(key=lambda row: (row[0].at, row[0].id))
    return tuple(
        TimelineEvent(
            at=e.at, event=codes.get(e.kind, e.kind), actor=person(e.actor), note=_public_note(e)
        )
        for e, codes in rows
    )


def fault_report_for(
    session: Session, ticket: Ticket, *, for_customer: bool, lang: str = "zh"
) -> FaultReportData:
    """The fault handling report (故障处理报告) of a resolved or closed ticket: timeline,
    clocks met or missed, actions, parts used (replacement installed, faulty unit removed)."""
    rmas = ticket_rmas(session, ticket)
    replacement = advance_replacement(rmas)
    visits = signed_visits(session, ticket)
    recorded = [part for visit in visits for part in visit.parts]
    parts = (
        _visit_parts(recorded, lang)
        if recorded
        else tuple(
            PartUsed(
                part_number=(r.replacement_part or r.faulty_part).part_number,
                description=_part_text(r.replacement_part or r.faulty_part, lang),
                quantity=r.replacement_qty or 1,
                installed_serial=r.replacement_serial,
                removed_serial=r.faulty_serial,
            )
            for r in rmas_that_fixed(rmas)
        )
    )
    # the engineer's own words first (each signed visit), then what the RMAs recorded
    said = [v.actions for v in visits] or [ticket.resolution]
    actions = tuple(dict.fromkeys(x for x in (*said, *(r.fault_action for r in rmas)) if x))
    diagnosis = next((v.diagnosis for v in reversed(visits) if v.diagnosis), None)
    survey = session.scalar(select(Survey).where(Survey.ticket_id == ticket.id))
    equipment = ticket.equipment
    model = ticket.part or (equipment.part if equipment else None)
    return FaultReportData(
        ticket_number=ticket.number,
        customer=_customer_name(ticket.customer, lang),
        site=f"{ticket.site.name} · {ticket.site.address}",
        equipment_model=model.part_number if model else "—",
        equipment_serial=ticket.equipment_serial or (equipment.serial if equipment else "—"),
        severity=ticket.severity,
        opened_at=ticket.opened_at,
        closed_at=ticket.closed_at,
        symptom=ticket.symptom,
        channel=ticket.channel,
        rma_number=replacement.number if replacement else None,
        events=timeline_for(session, ticket, rmas, for_customer=for_customer, lang=lang),
        clocks=tuple(ticket_outcomes(ticket, rmas)),
        actions=actions,
        parts_used=parts,
        root_cause=diagnosis
        or next((r.fault_analysis for r in reversed(rmas) if r.fault_analysis), None),
        confirmed_by=_People(session, for_customer, lang)(survey.submitted_by)
        if survey and survey.confirmed
        else None,
        timezone=ticket.site.timezone,
    )


def _visit_parts(parts: list[VisitPart], lang: str) -> tuple[PartUsed, ...]:
    return tuple(
        PartUsed(
            part_number=p.part.part_number,
            description=_part_text(p.part, lang),
            quantity=p.qty,
            installed_serial=p.installed_serial,
            removed_serial=p.removed_serial,
        )
        for p in parts
    )


# --- technical service sheet -------------------------------------------------------------


def service_sheet_for(
    session: Session, visit: Visit, *, for_customer: bool = False, lang: str = "zh"
) -> ServiceSheetData:
    """The technical service sheet (技术服务单) of one visit; customers read their engineer
    as they address them ('罗工')."""
    ticket = visit.ticket
    equipment = ticket.equipment
    model = ticket.part or (equipment.part if equipment else None)
    contact = " ".join(x for x in (ticket.contact_name, ticket.contact_phone) if x) or None
    return ServiceSheetData(
        sheet_number=visit.number,
        ticket_number=ticket.number,
        customer=_customer_name(ticket.customer, lang),
        site=f"{ticket.site.name} · {ticket.site.address}",
        contact=contact,
        engineer=(
            engineer_title(visit.engineer.name, lang) if for_customer else visit.engineer.name
        )
        if visit.engineer
        else None,
        equipment_model=model.part_number if model else "—",
        equipment_serial=ticket.equipment_serial or (equipment.serial if equipment else "—"),
        severity=ticket.severity,
        symptom=ticket.symptom,
        reported_at=ticket.opened_at,
        arrived_at=visit.arrived_at,
        arrived_device_at=visit.arrived_device_at,
        signed_at=visit.signed_at,
        diagnosis=visit.diagnosis,
        actions=visit.actions,
        open_issues=visit.open_issues,
        parts=_visit_parts(list(visit.parts), lang),
        photo_count=len(visit.photos),
        observation_until=visit.observation_until,
        signer_name=visit.signer_name,
        signature_png=visit.signature_png,
        timezone=ticket.site.timezone,
    )


# --- monthly service report --------------------------------------------------------------


def customer_timezone(session: Session, customer: Customer) -> str:
    """The zone a customer's reports are written in: its first site's (Asia/Shanghai if none)."""
    zone = session.scalar(
        select(Site.timezone).where(Site.customer_id == customer.id).order_by(Site.id).limit(1)
    )
    return zone or DEFAULT_TIMEZONE


def month_bounds(year: int, month: int, tz: str) -> tuple[datetime, datetime]:
    """The month in ``tz`` as a half-open UTC interval [start, end)."""
    zone = ZoneInfo(tz)
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def check_report_month(year: int, month: int, tz: str, now: datetime | None = None) -> None:
    """A report covers a month that has begun (in the customer's zone); InvalidInput otherwise."""
    if not 1 <= month <= 12:
        raise InvalidInput("month must be 1 to 12", field="month", key="month_range")
    start, _end = month_bounds(year, month, tz)
    if start > (now or utcnow()):
        raise InvalidInput(
            f"{year}-{month:02d} has not begun yet",
            field="month",
            key="month_not_begun",
            params={"month": f"{year}-{month:02d}"},
        )


def _returned_late(rma: Rma, now: datetime) -> bool:
    """The faulty part came back after its deadline, or had not come back by ``now``: the
    facts through the clock table, as the fault report reads them (never the ``overdue``
    flag, which a sweep raised as of its own ``now``)."""
    outcome = clock_outcome(Clock.FAULTY_RETURN, rma=rma)
    return outcome is not None and outcome.verdict(now) is Verdict.MISSED


def _mean(values: list[float]) -> float | None:
    return fmean(values) if values else None


def monthly_report_for(
    session: Session,
    customer: Customer,
    year: int,
    month: int,
    tz: str,
    *,
    lang: str = "zh",
    now: datetime | None = None,
) -> MonthlyReportData:
    """One customer's month (calendar month in ``tz``): the tickets opened by severity, the
    clocks of those tickets met or missed (a clock still running at ``now`` is left out) and
    the mean time to restore (opened → resolved, wall-clock minutes), all three read off
    ``inventory.indicators``, where they are computed; the returns due that month that came
    back late or not at all; and the survey answers given that month."""
    now = now or utcnow()
    start, end = month_bounds(year, month, tz)
    ind = performance_indicators(session, start, end, now=now, customer_id=customer.id)
    tickets_closed = session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.customer_id == customer.id, Ticket.closed_at >= start, Ticket.closed_at < end)
    )
    late = [
        OverdueReturn(
            rma_number=rma.number,
            part_number=rma.faulty_part.part_number,
            serial=rma.faulty_serial,
            return_deadline=rma.return_due_at,
            returned_at=rma.faulty_received_at,
        )
        for rma in session.scalars(
            select(Rma)
            .where(
                Rma.customer_id == customer.id,
                Rma.return_due_at >= start,
                Rma.return_due_at < end,
                Rma.status.not_in(("cancelled", "rejected")),
            )
            .order_by(Rma.return_due_at)
        )
        if rma.return_due_at is not None and _returned_late(rma, now)
    ]
    surveys = list(
        session.scalars(
            select(Survey)
            .join(Ticket, Ticket.id == Survey.ticket_id)
            .where(
                Ticket.customer_id == customer.id,
                Survey.submitted_at >= start,
                Survey.submitted_at < end,
            )
        )
    )

    def answers(question: str) -> float | None:
        return _mean([float(v) for v in (getattr(s, question) for s in surveys) if v is not None])

    return MonthlyReportData(
        customer=_customer_name(customer, lang),
        year=year,
        month=month,
        tickets_by_severity=ind.tickets_by_severity,
        tickets_closed=tickets_closed,
        sla_attainment=tuple(ind.clock_totals()),
        mean_time_to_restore_minutes=ind.mean_restore_minutes,
        restore_minutes_by_severity={
            r.severity: r.mean_minutes for r in ind.restore if r.mean_minutes is not None
        },
        overdue_returns=tuple(late),
        satisfaction=SatisfactionScores(
            response_time=answers("response_time"),
            quality_of_work=answers("quality"),
            attitude=answers("attitude"),
            overall=answers("overall"),
            responses=len(surveys),
        ),
        generated_at=now,
        timezone=tz,
    )


def plan_report_for(run_id: str, plan: dict, *, top_moves: int = 25) -> PlanReportData:
    """The management report's data from a plan (a planning job's result)."""
    moves = [
        PlanMove("transfer", m["part"], m["from_depot"], m["to_depot"], m["qty"])
        for m in sorted(plan["transfers"], key=lambda m: -m["qty"])
    ]
    moves += [
        PlanMove("purchase", p["part"], "", p["depot"], p["qty"])
        for p in sorted(plan["purchases"], key=lambda p: -p.get("value", 0))
    ]
    moves += [PlanMove("return", r["part"], r["depot"], "", r["qty"]) for r in plan["returns"]]
    summary = plan["summary"]
    stocking = {line["depot"] for line in plan["lines"] if line["recommended"] > 0}
    return PlanReportData(
        run_id=run_id[:8],
        label=plan.get("settings", {}).get("label", ""),
        generated_at=datetime.fromisoformat(plan["generated_at"]),
        stock_value_current=summary["stock_value_current"],
        stock_value_recommended=summary["stock_value_recommended"],
        fill_before=summary["fill_rate_before"]["replacement"],
        fill_after=summary["fill_rate_after"]["replacement"],
        spare_before=summary["fill_rate_before"]["spare"],
        spare_after=summary["fill_rate_after"]["spare"],
        curve=tuple((p["stock_value"], p["fill_rate"]) for p in plan["curve"]),
        current=(
            plan["current_position"]["stock_value"],
            plan["current_position"]["fill_rate"],
        ),
        classes=tuple(
            PlanClassRow(
                c["class"],
                c["replacement_before"],
                c["replacement_after"],
                c["spare_before"],
                c["spare_after"],
            )
            for c in plan["classes"]
        ),
        sites=tuple(
            (s["lat"], s["lon"], s["fill_rate_after"]["replacement"]) for s in plan["sites"]
        ),
        moves=tuple(moves[:top_moves]),
        moves_total=len(moves),
        depots=tuple(
            (d["lat"], d["lon"]) for d in plan.get("depots", []) if d["depot"] in stocking
        ),
    )


# --- the shelf's papers ----------------------------------------------------------------------


def _depot_name(depot: Depot, lang: str) -> str:
    return (depot.name_en or depot.name) if lang == "en" else depot.name


def bin_labels_for(
    session: Session, depot: Depot, lang: str, part_numbers: list[str] | None = None
) -> list[ShelfLabel]:
    """The depot's location label, then one bin label per part: the parts named, else
    every part with a stock policy or stock on hand there, by part number. Each barcode
    holds what the console's scanner field takes (the depot code, a part number)."""
    where = _depot_name(depot, lang)
    labels = [
        ShelfLabel(
            heading=doc_label("doc.location_label", lang),
            title=depot.code,
            code=depot.code,
            lines=(where, depot.address),
        )
    ]
    if part_numbers:
        parts = list(
            session.scalars(
                select(Part).where(Part.part_number.in_(part_numbers)).order_by(Part.part_number)
            )
        )
        unknown = sorted(set(part_numbers) - {p.part_number for p in parts})
        if unknown:
            names = ", ".join(unknown)
            raise InvalidInput.unknown("part", names, message=f"unknown part {names}", field="part")
    else:
        held = (
            select(SerialItem.part_id)
            .where(
                SerialItem.location_id == depot.location_id,
                SerialItem.status.in_((ItemStatus.IN_STOCK.value, ItemStatus.RESERVED.value)),
            )
            .union(
                select(StockQuantity.part_id).where(
                    StockQuantity.location_id == depot.location_id,
                    StockQuantity.qty + StockQuantity.reserved > 0,
                ),
                select(StockPolicy.part_id).where(StockPolicy.depot_id == depot.id),
            )
        )
        parts = list(
            session.scalars(select(Part).where(Part.id.in_(held)).order_by(Part.part_number))
        )
    for part in parts:
        labels.append(
            ShelfLabel(
                heading=f"{doc_label('doc.bin_label', lang)} · {depot.code} {where}",
                title=part.part_number,
                code=part.part_number,
                lines=(_part_text(part, lang), _category_text(part.category, lang)),
            )
        )
    return labels


def transfer_paper_for(session: Session, transfer: Transfer, lang: str) -> TransferPaperData:
    """A transfer's lines as its pick list and delivery note print them."""
    source = session.get_one(Depot, transfer.from_depot_id)
    target = destination(session, transfer)
    if target.depot is not None:
        ship_to = _depot_address(target.depot, lang)
    else:
        ship_to = Address(name=target.location.name, street=target.location.city or "")
    received = transfer.status != TransferStatus.SHIPPED.value
    lines = []
    for line in transfer.lines:
        part = session.get_one(Part, line.part_id)
        item = session.get(SerialItem, line.serial_item_id) if line.serial_item_id else None
        lines.append(
            TransferPaperLine(
                part_number=part.part_number,
                description=_part_text(part, lang),
                serial=item.serial if item is not None else None,
                condition=coded_label("condition", line.condition, lang),
                qty_shipped=line.qty_shipped,
                qty_received=line.qty_received if received else None,
            )
        )
    return TransferPaperData(
        number=transfer.number,
        status=coded_label("transfer_status", transfer.status, lang),
        ship_from=_depot_address(source, lang),
        ship_to=ship_to,
        from_code=source.code,
        to_code=target.code,
        shipped_at=transfer.shipped_at,
        shipped_by=transfer.shipped_by,
        received_at=transfer.received_at,
        received_by=transfer.received_by,
        note=transfer.note,
        lines=tuple(lines),
        timezone=source.timezone or DEFAULT_TIMEZONE,
    )


def item_labels_for(session: Session, transfer: Transfer, lang: str) -> list[ShelfLabel]:
    """One label per unit a transfer carries: a serialized unit's serial, a counted line's
    part number with its quantity."""
    heading = f"{doc_label('doc.item_label', lang)} · {transfer.number}"
    out = []
    for line in transfer_paper_for(session, transfer, lang).lines:
        if line.serial:
            out.append(
                ShelfLabel(
                    heading,
                    line.serial,
                    line.serial,
                    (f"{line.part_number} · {line.condition}", line.description),
                )
            )
        else:
            qty = doc_label("doc.qty_times", lang, n=line.qty_shipped)
            out.append(
                ShelfLabel(
                    heading,
                    line.part_number,
                    line.part_number,
                    (f"{line.description}", f"{qty} · {line.condition}"),
                )
            )
    return out


# --- the customer's service files ------------------------------------------------------------


def service_report_tickets(
    session: Session, customer: Customer, start: datetime, end: datetime
) -> list[Ticket]:
    """The tickets whose fault handling report belongs to the period: restored in it (and
    not cancelled), oldest first."""
    return list(
        session.scalars(
            select(Ticket)
            .where(
                Ticket.customer_id == customer.id,
                Ticket.resolved_at >= start,
                Ticket.resolved_at < end,
                Ticket.status.in_(("resolved", "closed")),
            )
            .order_by(Ticket.resolved_at, Ticket.id)
        )
    )


def service_file_for(
    session: Session,
    customer: Customer,
    period: Period,
    tz: str,
    *,
    lang: str = "zh",
    now: datetime | None = None,
) -> ServiceFileData:
    """The summary of a quarterly file or an annual summary: the period's indicators for
    this customer (``inventory.indicators``, the one place they are computed), its
    complaints, and for a year the months' trends and the year's inspections."""
    now = now or utcnow()
    start, end = period.bounds(tz)
    ind = performance_indicators(session, start, end, now=now, customer_id=customer.id)
    months: list[ServiceMonth] = []
    if period.kind == "annual":
        for year, month in period.months():
            m_start, m_end = month_bounds(year, month, tz)
            if m_start > now:
                break
            m = performance_indicators(session, m_start, m_end, now=now, customer_id=customer.id)
            totals = m.clock_totals()
            months.append(
                ServiceMonth(
                    year,
                    month,
                    m.tickets,
                    sum(r.restored for r in m.restore),
                    sum(r.met for r in totals),
                    sum(r.missed for r in totals),
                    m.mean_restore_minutes,
                    m.satisfaction_overall,
                )  # fmt: skip
            )
    complaints = list(
        session.execute(
            select(Complaint.status).where(
                Complaint.customer_id == customer.id,
                Complaint.received_at >= start,
                Complaint.received_at < end,
            )
        ).scalars()
    )
    first_day, last_day = period.first_and_last_day()
    return ServiceFileData(
        customer=_customer_name(customer, lang),
        kind=period.kind,
        period=period.code,
        first_day=first_day,
        last_day=last_day,
        tickets=ind.tickets,
        restored=sum(r.restored for r in ind.restore),
        first_time_fix=(ind.first_time_fix.met, ind.first_time_fix.total),
        by_severity=tuple((r.severity, r.tickets, r.mean_minutes) for r in ind.restore),
        by_cause=tuple(ind.tickets_by_cause.items()),
        clocks=tuple((r.clock, r.met, r.missed) for r in ind.clock_totals()),
        parts=tuple(
            (
                p.part_number,
                _part_text(part_by_number(session, p.part_number), lang),
                p.quantity,
            )
            for p in ind.parts_replaced
        ),  # fmt: skip
        advance_replacements=ind.advance_replacements,
        returns_back=ind.returns_back,
        returns_late=ind.returns_late,
        satisfaction=ind.satisfaction_overall,
        satisfaction_responses=ind.satisfaction_responses,
        complaints=len(complaints),
        complaints_closed=sum(s == "closed" for s in complaints),
        reports=tuple(t.number for t in service_report_tickets(session, customer, start, end))
        if period.kind == "quarterly"
        else (),
        months=tuple(months),
        inspections=_inspections(session, customer, period, tz) if period.kind == "annual" else (),
        generated_at=now,
        timezone=tz,
    )


def _inspections(
    session: Session, customer: Customer, period: Period, tz: str
) -> tuple[InspectionRow, ...]:
    """The customer's inspections of the year (issue 17's inspection programmes)."""
    from models.inspections import Inspection, InspectionFinding

    first_day, last_day = period.first_and_last_day()
    rows = session.scalars(
        select(Inspection)
        .where(
            Inspection.customer_id == customer.id,
            Inspection.day >= first_day,
            Inspection.day <= last_day,
        )
        .order_by(Inspection.day, Inspection.id)
    )
    out = []
    for i in rows:
        findings = list(
            session.scalars(
                select(InspectionFinding).where(InspectionFinding.inspection_id == i.id)
            )
        )
        out.append(
            InspectionRow(
                i.number,
                i.day,
                i.site.name,
                i.status,
                len(findings),
                sum(f.ticket_id is not None for f in findings),
                i.report_issued_at,
            )  # fmt: skip
        )
    return tuple(out)
