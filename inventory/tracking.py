"""The customer's view of one RMA by its tracking code (no account needed).

Only what the holder of the code should see: the customer-visible events of this RMA, the
promised on-site time, the replacement's progress, the return deadline and whether it is
overdue. No staff names beyond an engineer's given name, no internal notes, no actors,
nothing about any other customer. Unknown and malformed codes fail the same way.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, and_, bindparam, select
from sqlalchemy.orm import Session, aliased

from inventory.errors import NotFound
from inventory.sla_flags import OVERDUE_WITHDRAWN
from logistics.calendars import require_utc
from models import Engineer, Event, Part, Rma, Site, Ticket, utcnow
from models.enums import RmaStatus

CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Codes a person reads out on the phone: 80 random bits in Crockford's base 32 (no I, L, O
# or U to mistake), stored as 16 upper-case characters, shown in groups of four. Typed in
# any case, with or without the hyphens; I and L read as 1, O as 0. Codes issued before
# (22 URL-safe characters) keep working as they were issued.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 16  # 16 × 5 bits = 80 bits
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s-]+")
UNKNOWN = "no RMA has this tracking code"

# What each customer-visible event is called on the page.
LABELS = {
    "opened": "Request received",
    "approve": "Approved",
    "reject": "Not approved",
    "allocate": "Replacement part reserved",
    "request_return": "Please send the faulty unit back",
    "ship": "Shipped",
    "deliver": "Delivered",
    "return_faulty": "Faulty unit on its way back",
    "receive_faulty": "Faulty unit received",
    "start_repair": "In repair",
    "finish_repair": "Repair finished",
    "overdue": "Faulty unit return overdue",
    "cancel": "Cancelled",
    "close": "Closed",
}
# Event data a customer may see; everything else stays internal.
PUBLIC_DATA = ("carrier", "waybill", "delivery_due", "return_due", "outcome")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    event: str
    label: str
    state: str | None
    details: dict


@dataclass(frozen=True)
class ReplacementProgress:
    part_number: str | None
    description: str | None
    serial: str | None
    step: str  # waiting | reserved | shipped | delivered
    shipped_at: datetime | None
    delivery_due: datetime | None
    delivered_at: datetime | None
    carrier: str | None
    waybill: str | None


@dataclass(frozen=True)
class TrackingView:
    number: str
    kind: str
    status: str
    status_label: str
    requested_at: datetime
    city: str
    promised_onsite_at: datetime | None
    engineer_first_name: str | None
    engineer_title: str | None  # how the customer addresses the engineer: "罗工"
    faulty_part_number: str
    faulty_serial: str | None
    replacement: ReplacementProgress
    return_due_at: datetime | None
    returned_at: datetime | None
    overdue: bool
    late_charge: Decimal | None
    charge_currency: str | None
    timeline: list[TimelineEntry]


STATUS_LABELS = {
    "requested": "Requested",
    "approved": "Approved",
    "rejected": "Not approved",
    "allocated": "Replacement reserved",
    "awaiting_return": "Waiting for the faulty unit",
    "shipped": "Shipped",
    "delivered": "Delivered",
    "faulty_in_transit": "Faulty unit on its way back",
    "faulty_received": "Faulty unit received",
    "received": "Received for repair",
    "in_repair": "In repair",
    "repaired": "Repaired",
    "closed": "Closed",
    "cancelled": "Cancelled",
}


def new_tracking_code() -> str:
    """A fresh code: 80 random bits as 16 Crockford base-32 characters."""
    number = int.from_bytes(secrets.token_bytes(CODE_CHARS * 5 // 8), "big")
    return "".join(CROCKFORD[(number >> (5 * i)) & 31] for i in reversed(range(CODE_CHARS)))


def grouped(code: str) -> str:
    """``7K3M9Q2XHD4TPR8A`` → ``7K3M-9Q2X-HD4T-PR8A``; a code of the old kind as it is."""
    if len(code) == CODE_CHARS and all(c in CROCKFORD for c in code):
        return "-".join(code[i : i + 4] for i in range(0, CODE_CHARS, 4))
    return code


def code_candidates(typed: str | None) -> list[str]:
    """The stored codes a typed code may be: the Crockford code it reads as (any case,
    hyphens and spaces ignored) and, for codes issued before, the text exactly as typed."""
    raw = (typed or "").strip()[:80]
    out = []
    squashed = _SEPARATORS.sub("", raw).upper().translate(_READ_AS)
    if len(squashed) == CODE_CHARS and all(c in CROCKFORD for c in squashed):
        out.append(squashed)
    if CODE_PATTERN.fullmatch(raw) and raw not in out:
        out.append(raw)
    return out


def rma_by_tracking_code(session: Session, typed: str | None) -> Rma | None:
    """The RMA a typed tracking code names, if any."""
    codes = code_candidates(typed)
    if not codes:
        return None
    return session.scalar(select(Rma).where(Rma.tracking_code.in_(codes)).limit(1))


def given_name(full_name: str | None) -> str | None:
    """The given name only: 'Wei Wang' → 'Wei'; '王伟' (family name first) → '伟'."""
    if not full_name:
        return None
    name = full_name.strip()
    if " " in name:
        return name.split()[0]
    if all("\u4e00" <= ch <= "\u9fff" for ch in name) and len(name) >= 2:
        return name[1:]  # a one-character family name, by far the most common
    return name


COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙",
                     "司徒", "夏侯", "长孙", "宇文", "端木", "南宫", "独孤", "轩辕", "呼延")  # fmt: skip
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def engineer_title(full_name: str | None, lang: str = "zh") -> str | None:
    """How customers address their engineer: the family name and 工 ('罗明' → '罗工',
    '欧阳明' → '欧阳工', '张工 Zhang' → '张工'); a name in Latin letters by its last word
    ('Wei Wang' → 'Wang工', in English 'Engineer Wang')."""
    if not full_name or not full_name.strip():
        return None
    han = _HAN.search(full_name)
    if han:
        name = han.group()
        if len(name) >= 2 and name.endswith("工"):
            return name
        surname = next((s for s in COMPOUND_SURNAMES if name.startswith(s)), name[0])
        return f"{surname}工"
    surname = full_name.split()[-1]
    return f"Engineer {surname}" if lang == "en" else f"{surname}工"


def _step(rma) -> str:
    if rma.delivered_at:
        return "delivered"
    if rma.shipped_at:
        return "shipped"
    if rma.replacement_serial or (rma.replacement_qty and rma.source_depot_id):
        return "reserved"
    return "waiting"


_faulty_part, _replacement_part = aliased(Part), aliased(Part)
# Built once: the RMA with everything the page shows from other tables, one row per
# customer-visible event (or one row without an event), in one statement.
_PAGE = (
    select(
        Rma.id,
        Rma.number,
        Rma.kind,
        Rma.status,
        Rma.requested_at,
        Site.city,
        Ticket.onsite_due,
        Engineer.name.label("engineer_name"),
        _faulty_part.part_number.label("faulty_part_number"),
        Rma.faulty_serial,
        _replacement_part.part_number.label("replacement_part_number"),
        _replacement_part.description.label("replacement_description"),
        Rma.replacement_serial,
        Rma.replacement_qty,
        Rma.source_depot_id,
        Rma.shipped_at,
        Rma.delivery_due,
        Rma.delivered_at,
        Rma.carrier,
        Rma.waybill,
        Rma.return_due_at,
        Rma.faulty_received_at,
        Rma.overdue,
        Rma.late_charge,
        Rma.charge_currency,
        Event.at.label("event_at"),
        Event.kind.label("event_kind"),
        Event.to_state.label("event_state"),
        Event.data.label("event_data"),
    )
    .join(Site, Site.id == Rma.site_id)
    .join(_faulty_part, _faulty_part.id == Rma.faulty_part_id)
    .outerjoin(_replacement_part, _replacement_part.id == Rma.replacement_part_id)
    .outerjoin(Ticket, Ticket.id == Rma.ticket_id)
    .outerjoin(Engineer, Engineer.id == Rma.engineer_id)
    .outerjoin(
        Event,
        and_(
            Event.subject_type == "rma",
            Event.subject_id == Rma.id,
            Event.customer_visible.is_(True),
        ),
    )
    .where(Rma.tracking_code.in_(bindparam("codes", expanding=True)))
    .order_by(Event.id)
)


def _without_withdrawn(timeline: list[TimelineEntry]) -> list[TimelineEntry]:
    """An overdue flag the facts withdrew never held: neither it nor its withdrawal shows
    (``inventory.sla_flags``)."""
    kept: list[TimelineEntry] = []
    for entry in timeline:
        if entry.event == OVERDUE_WITHDRAWN:
            flagged = [i for i, e in enumerate(kept) if e.event == "overdue"]
            if flagged:
                del kept[flagged[-1]]
            continue
        kept.append(entry)
    return kept


def track(session: Session | Connection, code: str, *, now: datetime | None = None) -> TrackingView:
    """The tracking page's content for `code`; NotFound for unknown and malformed codes alike.

    One statement, plain rows, no ORM objects: this is the public, most frequent read."""
    now = require_utc(now or utcnow(), "now")
    codes = code_candidates(code)
    rows = session.execute(_PAGE, {"codes": codes}).all() if codes else []
    if not rows:
        raise NotFound(UNKNOWN, field="code", key="no_tracking_code")
    rma = rows[0]
    timeline = [
        TimelineEntry(
            r.event_at,
            r.event_kind,
            LABELS.get(r.event_kind, r.event_kind.replace("_", " ").capitalize()),
            r.event_state,
            {k: r.event_data[k] for k in PUBLIC_DATA if (r.event_data or {}).get(k) is not None},
        )
        for r in rows
        if r.event_kind is not None
    ]
    timeline = _without_withdrawn(timeline)
    overdue = rma.overdue or bool(
        rma.return_due_at
        and rma.faulty_received_at is None
        and now > rma.return_due_at
        and rma.status not in (RmaStatus.CLOSED, RmaStatus.CANCELLED)
    )
    return TrackingView(
        number=rma.number,
        kind=rma.kind,
        status=rma.status,
        status_label=STATUS_LABELS.get(rma.status, rma.status),
        requested_at=rma.requested_at,
        city=rma.city,
        promised_onsite_at=rma.onsite_due,
        engineer_first_name=given_name(rma.engineer_name),
        engineer_title=engineer_title(rma.engineer_name),
        faulty_part_number=rma.faulty_part_number,
        faulty_serial=rma.faulty_serial,
        replacement=ReplacementProgress(
            part_number=rma.replacement_part_number,
            description=rma.replacement_description,
            serial=rma.replacement_serial,
            step=_step(rma),
            shipped_at=rma.shipped_at,
            delivery_due=rma.delivery_due,
            delivered_at=rma.delivered_at,
            carrier=rma.carrier,
            waybill=rma.waybill,
        ),
        return_due_at=rma.return_due_at,
        returned_at=rma.faulty_received_at,
        overdue=overdue,
        late_charge=rma.late_charge,
        charge_currency=rma.charge_currency,
        timeline=timeline,
    )
