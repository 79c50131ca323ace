"""Turning recorded events into outbox messages (e-mail, webhooks).

``notify_event`` runs inside the transaction that records the event (called by
``inventory.events.record_event``), so the event and its messages commit together.
Which events notify whom is the table ``NOTIFY``:

| event | customer e-mail | dispatchers' e-mail | escalation ladder's e-mail |
|---|---|---|---|
| RMA shipped, delivered (either kind) | yes | | |
| RMA return due (reminder before the deadline) | yes | | |
| RMA overdue (faulty part not back in time) | yes | yes | |
| ticket escalated (no progress; level N) | | yes | level N's addresses |
| clock breached (ticket or RMA) | | yes | |
| customer problem received, answered, resolved | yes | | |
| service file issued (quarterly file, annual summary) | yes | | |
| customer problem's clock ran out (escalated) | | yes | level 1's addresses and the department head |

Every one of them also goes to each active webhook endpoint an administrator keeps
(``inventory/webhooks.py``, signed with its own secret) and to ``WEBHOOK_URL`` when set. The customer's
address is ``Customer.email``; staff addresses come from the configuration
(``DISPATCHER_EMAILS``, ``ESCALATION_EMAILS``), handed over as ``NotificationSettings``
in ``session.info`` (the app does this for its sessions). Customer e-mails carry no
internal notes and no staff names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.outbox import enqueue
from models import Complaint, Customer, Event, Rma, Site, Ticket, WebhookEndpoint

SETTINGS_KEY = "sparelog.notification_settings"


@dataclass(frozen=True)
class NotificationSettings:
    """Where staff notifications go; empty means nobody on that list."""

    dispatcher_emails: tuple[str, ...] = ()
    escalation_emails: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    webhook_url: str = ""
    public_base_url: str = "http://localhost:5000"
    staff_timezone: str = "Asia/Shanghai"

    @classmethod
    def from_config(cls, config: Mapping) -> NotificationSettings:
        return cls(
            dispatcher_emails=_addresses(config.get("DISPATCHER_EMAILS", "")),
            escalation_emails=parse_escalation_emails(config.get("ESCALATION_EMAILS", "")),
            webhook_url=config.get("WEBHOOK_URL", "") or "",
            public_base_url=(config.get("PUBLIC_BASE_URL") or "http://localhost:5000").rstrip("/"),
            staff_timezone=config.get("DEFAULT_TIMEZONE", "Asia/Shanghai"),
        )


def _addresses(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in (text or "").split(",") if a.strip())


def parse_escalation_emails(text: str) -> dict[int, tuple[str, ...]]:
    """``"1=pm@x,head@x;2=gm@x;3=vp@x"`` → {1: (pm@x, head@x), 2: (gm@x,), 3: (vp@x,)}."""
    out: dict[int, tuple[str, ...]] = {}
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        level, sep, addresses = part.partition("=")
        if not sep or not level.strip().isdigit():
            raise ValueError(f"ESCALATION_EMAILS: expected LEVEL=addr,addr, got {part!r}")
        out[int(level)] = _addresses(addresses)
    return out


@dataclass(frozen=True)
class Audience:
    customer: bool = False
    dispatchers: bool = False
    ladder: bool = False  # the escalation level's addresses (event.data["level"])
    department_head: bool = False  # a customer problem's department head


CUSTOMER = Audience(customer=True)
# (subject type, event kind) → who is told; "→state" matches a move into that state.
NOTIFY: Mapping[tuple[str, str], Audience] = MappingProxyType(
    {
        ("rma", "→shipped"): CUSTOMER,
        ("rma", "→delivered"): CUSTOMER,
        ("rma", "return_due"): CUSTOMER,
        ("rma", "overdue"): Audience(customer=True, dispatchers=True),
        ("ticket", "escalated"): Audience(dispatchers=True, ladder=True),
        ("ticket", "sla_breached"): Audience(dispatchers=True),
        ("rma", "sla_breached"): Audience(dispatchers=True),
        ("service_file", "issued"): CUSTOMER,
        ("complaint", "received"): CUSTOMER,
        ("complaint", "responded"): CUSTOMER,
        ("complaint", "resolved"): CUSTOMER,
        ("complaint", "escalated"): Audience(dispatchers=True, ladder=True, department_head=True),
    }
)

_CUSTOMER_LINES = {
    "→shipped": "Your replacement part has been shipped.",
    "→delivered": "Your replacement part has been delivered.",
    "return_due": "Reminder: the faulty part is due back soon.",
    "overdue": "The faulty part was not returned in time; the return is now overdue.",
    "issued": "Your service file is ready; download it from your service pages.",
    "received": "We have received your feedback and will answer it within the promised time.",
    "responded": "Your feedback has been passed to the department that handles it.",
    "resolved": "Your feedback has been resolved; please tell us what you think of it.",
}
_REPAIR_LINES = {  # return for repair: what ships is the customer's own unit, repaired or exchanged
    "→shipped": "Your repaired unit has been shipped back to you.",
    "→delivered": "Your repaired unit has been delivered.",
}


def audience_for(event: Event) -> tuple[str, Audience] | None:
    """The rule of ``NOTIFY`` this event matches, if any (its key and its audience)."""
    for key in (event.kind, f"→{event.to_state}" if event.to_state else None):
        if key and (event.subject_type, key) in NOTIFY:
            return key, NOTIFY[(event.subject_type, key)]
    return None


def notify_event(session: Session, event: Event) -> None:
    """Write the notifications this event calls for to the outbox (same transaction)."""
    match = audience_for(event)
    if match is None:
        return
    key, audience = match
    settings = session.info.get(SETTINGS_KEY) or NotificationSettings()
    subject = _subject(session, event)
    customer = session.get(Customer, event.customer_id) if event.customer_id else None

    if audience.customer and customer is not None and customer.email:
        title, body = _customer_email(event, key, subject, settings)
        _email(session, event, customer.email, title, body)
    staff: list[str] = list(settings.dispatcher_emails) if audience.dispatchers else []
    if audience.ladder:
        staff += settings.escalation_emails.get(int(event.data.get("level", 0)), ())
    if audience.department_head and isinstance(subject, Complaint) and subject.department:
        staff += [subject.department.head_email] if subject.department.head_email else []
    if staff:
        title, body = _staff_email(event, key, subject, customer, settings)
        for address in dict.fromkeys(staff):  # each address once, in order
            _email(session, event, address, title, body)
    body = _webhook_body(event, subject, customer)
    for endpoint_id, url in active_endpoints(session):
        enqueue(
            session,
            dedupe_key=f"event:{event.id}:webhook:{endpoint_id}",
            channel="webhook",
            recipient=url,
            body=body,
            event_id=event.id,
            endpoint_id=endpoint_id,
        )
    if settings.webhook_url:
        enqueue(
            session,
            dedupe_key=f"event:{event.id}:webhook",
            channel="webhook",
            recipient=settings.webhook_url,
            body=body,
            event_id=event.id,
        )


def active_endpoints(session: Session) -> list[tuple[int, str]]:
    """(id, url) of the administered webhook endpoints that receive events now
    (``inventory/webhooks.py`` keeps them)."""
    rows = session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.url)
        .where(WebhookEndpoint.active)
        .order_by(WebhookEndpoint.id)
    )
    return [(int(i), str(url)) for i, url in rows]


def _email(session: Session, event: Event, to: str, title: str, body: str) -> None:
    enqueue(
        session,
        dedupe_key=f"event:{event.id}:email:{to.lower()}",
        channel="email",
        recipient=to,
        subject=title,
        body=body,
        event_id=event.id,
    )


def _subject(session: Session, event: Event) -> Rma | Ticket | Complaint | None:
    if event.subject_type == "complaint":
        return session.get(Complaint, event.subject_id)
    if event.subject_type == "rma":
        return session.get(Rma, event.subject_id)
    if event.subject_type == "ticket":
        return session.get(Ticket, event.subject_id)
    return None


def _local(at: datetime | None, tz: str) -> str:
    if at is None:
        return "-"
    return at.astimezone(ZoneInfo(tz)).strftime(f"%Y-%m-%d %H:%M ({tz})")


def _site_timezone(subject: Rma | Ticket | None) -> str:
    site: Site | None = getattr(subject, "site", None)
    return site.timezone if site is not None else "Asia/Shanghai"


def _headline(key: str, subject) -> str:
    if isinstance(subject, Rma) and subject.kind == "return_for_repair" and key in _REPAIR_LINES:
        return _REPAIR_LINES[key]
    return _CUSTOMER_LINES.get(key, "There is news about your service request.")


def _customer_email(
    event: Event, key: str, subject, settings: NotificationSettings
) -> tuple[str, str]:
    ref = event.subject_ref or f"{event.subject_type} {event.subject_id}"
    tz = _site_timezone(subject)
    headline = _headline(key, subject)
    lines = [headline, ""]
    lines.append(f"Reference: {ref}")
    if isinstance(subject, Rma):
        if subject.replacement_serial and key in ("→shipped", "→delivered"):
            lines.append(f"Part serial: {subject.replacement_serial}")
        if subject.carrier or subject.waybill:
            lines.append(
                f"Carrier / waybill: {subject.carrier or '-'} {subject.waybill or ''}".rstrip()
            )
        if subject.return_due_at and key in ("→delivered", "return_due", "overdue"):
            lines.append(f"Return the faulty part by: {_local(subject.return_due_at, tz)}")
        if key == "overdue" and subject.late_charge is not None:
            lines.append(
                f"Late-return charge: {subject.late_charge} {subject.charge_currency or ''}".rstrip()
            )
        lines += ["", f"Follow it here: {settings.public_base_url}/track/{subject.tracking_code}"]
    if isinstance(subject, Complaint):
        lines.append(f"Subject: {subject.subject}")
        lines += ["", f"Follow it here: {settings.public_base_url}/my/complaints/{subject.number}"]
    if event.subject_type == "service_file":
        kind = (
            "Quarterly service file"
            if event.data.get("kind") == "quarterly"
            else ("Annual service summary")
        )
        lines.append(f"{kind}: {event.data.get('period')}")
        lines += ["", f"Download it here: {settings.public_base_url}/my/service-files"]
    lines.append(f"Time: {_local(event.at, tz)}")
    return f"[{ref}] {headline.rstrip('.')}", "\n".join(lines) + "\n"


def _staff_email(
    event: Event, key: str, subject, customer: Customer | None, settings: NotificationSettings
) -> tuple[str, str]:
    ref = event.subject_ref or f"{event.subject_type} {event.subject_id}"
    data = event.data or {}
    if event.kind == "escalated" and isinstance(subject, Complaint):
        title = f"[{ref}] Customer problem escalated to {data.get('who', 'the department head')}"
        what = (
            f"The {data.get('clock')} clock of this {subject.urgency} {subject.kind} ran out at "
            f"{_local(_parse(data.get('due_at')), settings.staff_timezone)}."
        )
    elif event.kind == "escalated":
        title = f"[{ref}] Escalation level {data.get('level')}: {data.get('who', '')}".rstrip(": ")
        what = (
            f"No progress since {_local(_parse(data.get('last_progress_at')), settings.staff_timezone)}; "
            f"level {data.get('level')} was due at {_local(_parse(data.get('due_at')), settings.staff_timezone)}."
        )
    elif event.kind == "sla_breached":
        title = f"[{ref}] SLA clock breached: {data.get('clock')}"
        what = f"The {data.get('clock')} clock ran out at {_local(_parse(data.get('due_at')), settings.staff_timezone)}."
    else:
        what = _headline(key, subject)
        title = f"[{ref}] {what.rstrip('.')}"
    lines = [what, "", f"Reference: {ref}"]
    if customer is not None:
        lines.append(f"Customer: {customer.code} {customer.name}")
    if isinstance(subject, Complaint):
        lines.append(f"Subject: {subject.subject}")
        lines.append(f"Status: {subject.status}")
    if isinstance(subject, Ticket):
        lines.append(f"Severity: {subject.severity}, status: {subject.status}")
    if isinstance(subject, Rma):
        lines.append(f"Status: {subject.status}")
        if subject.return_due_at:
            lines.append(f"Return due: {_local(subject.return_due_at, settings.staff_timezone)}")
        if subject.late_charge is not None:
            lines.append(
                f"Late-return charge: {subject.late_charge} {subject.charge_currency or ''}".rstrip()
            )
    if event.note:
        lines.append(f"Note: {event.note}")
    lines.append(f"Recorded: {_local(event.at, settings.staff_timezone)} by {event.actor}")
    return title, "\n".join(lines) + "\n"


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _webhook_body(event: Event, subject, customer: Customer | None) -> str:
    payload = {
        "id": f"event:{event.id}",
        "event": {
            "id": event.id,
            "kind": event.kind,
            "subject_type": event.subject_type,
            "subject_ref": event.subject_ref,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "at": event.at.isoformat(),
            "data": event.data or {},
        },
        "customer": customer.code if customer is not None else None,
        "status": getattr(subject, "status", None),
    }
    if isinstance(subject, Rma):
        payload["rma"] = {
            "number": subject.number,
            "kind": subject.kind,
            "return_due_at": subject.return_due_at.isoformat() if subject.return_due_at else None,
            "overdue": subject.overdue,
            "late_charge": str(subject.late_charge) if subject.late_charge is not None else None,
            "currency": subject.charge_currency,
        }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
