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

An e-mail is queued as plain data (``OutboxMessage.mail``): message keys of the catalogue
and their params (times as ISO text, money as decimal text, codes), the recipient's
language and zone. The app words it when it sends it (``app.jobs.mails``), so this
package holds no words. The customer reads the language of their portal accounts
(``User.locale``, when they agree), else the deployment's ``DEFAULT_LOCALE``; staff
read ``DEFAULT_LOCALE``. Times are in the site's zone for the customer and in
``DEFAULT_TIMEZONE`` for staff. Webhooks stay machine data (JSON, ISO times).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.outbox import enqueue
from models import Complaint, Customer, Event, Rma, Site, Ticket, User, WebhookEndpoint

SETTINGS_KEY = "sparelog.notification_settings"
LANGS = ("zh", "en")  # the languages an e-mail is written in


@dataclass(frozen=True)
class NotificationSettings:
    """Where staff notifications go; empty means nobody on that list."""

    dispatcher_emails: tuple[str, ...] = ()
    escalation_emails: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    webhook_url: str = ""
    public_base_url: str = "http://localhost:5000"
    staff_timezone: str = "Asia/Shanghai"  # DEFAULT_TIMEZONE: staff mail, a site without one
    staff_lang: str = "zh"  # DEFAULT_LOCALE: staff mail, a customer without a preference

    @classmethod
    def from_config(cls, config: Mapping) -> NotificationSettings:
        return cls(
            dispatcher_emails=_addresses(config.get("DISPATCHER_EMAILS", "")),
            escalation_emails=parse_escalation_emails(config.get("ESCALATION_EMAILS", "")),
            webhook_url=config.get("WEBHOOK_URL", "") or "",
            public_base_url=(config.get("PUBLIC_BASE_URL") or "http://localhost:5000").rstrip("/"),
            staff_timezone=config.get("DEFAULT_TIMEZONE", "Asia/Shanghai"),
            staff_lang=config.get("DEFAULT_LOCALE", "zh") or "zh",
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
        lang = customer_language(session, customer.id, settings.staff_lang)
        zone = _site_timezone(subject, settings.staff_timezone)
        mail = _customer_email(event, key, subject, lang, zone, settings)
        _email(session, event, customer.email, mail)
    staff: list[str] = list(settings.dispatcher_emails) if audience.dispatchers else []
    if audience.ladder:
        staff += settings.escalation_emails.get(int(event.data.get("level", 0)), ())
    if audience.department_head and isinstance(subject, Complaint) and subject.department:
        staff += [subject.department.head_email] if subject.department.head_email else []
    if staff:
        mail = _staff_email(event, key, subject, customer, settings)
        for address in dict.fromkeys(staff):  # each address once, in order
            _email(session, event, address, mail)
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


def _email(session: Session, event: Event, to: str, mail: dict) -> None:
    """Queue one e-mail as its message keys and params (``mail``); the app words it in
    ``mail["lang"]`` when it sends it (``app.jobs.mails``). ``body`` stays empty."""
    enqueue(
        session,
        dedupe_key=f"event:{event.id}:email:{to.lower()}",
        channel="email",
        recipient=to,
        body="",
        event_id=event.id,
        mail=mail,
    )


def _subject(session: Session, event: Event) -> Rma | Ticket | Complaint | None:
    if event.subject_type == "complaint":
        return session.get(Complaint, event.subject_id)
    if event.subject_type == "rma":
        return session.get(Rma, event.subject_id)
    if event.subject_type == "ticket":
        return session.get(Ticket, event.subject_id)
    return None


def N_(key: str) -> str:
    """Marks a message key of the catalogue for ``pybabel extract``; returns it."""
    return key


# A mail is plain data, worded by the app at send time (``app.jobs.mails``):
# {"v": 1, "lang": "zh"|"en", "zone": "Asia/Shanghai", "subject": [key, params],
#  "lines": [[key, params] | None (a blank line), ...]}. A param is text or a number, or a
# typed value: {"deadline": iso}, {"moment": iso}, {"money": "880.50", "currency": "CNY"},
# {"code": [prefix, code]} (the catalogue's ``prefix.code``), {"key": key}, {"who": role}
# (an escalation target), {"names": {"zh": .., "en": ..}}.
MAIL_VERSION = 1
Line = list | None

_HEADLINES = {
    "→shipped": N_("mail.rma.shipped"),
    "→delivered": N_("mail.rma.delivered"),
    "return_due": N_("mail.rma.return_due"),
    "overdue": N_("mail.rma.overdue"),
    "issued": N_("mail.service_file.issued"),
    "received": N_("mail.complaint.received"),
    "responded": N_("mail.complaint.responded"),
    "resolved": N_("mail.complaint.resolved"),
}
_REPAIR_HEADLINES = {  # return for repair: what ships is the customer's own unit
    "→shipped": N_("mail.repair.shipped"),
    "→delivered": N_("mail.repair.delivered"),
}


def _mail(lang: str, zone: str, subject: list, lines: list[Line]) -> dict:
    return {"v": MAIL_VERSION, "lang": lang, "zone": zone, "subject": subject, "lines": lines}


def _iso(at: datetime | str | None) -> dict | None:
    if at is None or at == "":
        return None
    return {"moment": at.isoformat() if isinstance(at, datetime) else str(at)}


def _deadline(at: datetime | str | None) -> dict | None:
    moment = _iso(at)
    return None if moment is None else {"deadline": moment["moment"]}


def _money(amount, currency: str | None) -> dict:
    return {"money": str(amount), "currency": currency or "CNY"}


def customer_language(session: Session, customer_id: int, default: str) -> str:
    """The language the customer reads: their portal accounts' locale when they agree,
    else ``default`` (the deployment's ``DEFAULT_LOCALE``)."""
    found = set(
        session.scalars(
            select(User.locale).where(User.customer_id == customer_id, User.active).distinct()
        )
    )
    found &= set(LANGS)
    return found.pop() if len(found) == 1 else (default if default in LANGS else "zh")


def _site_timezone(subject: Rma | Ticket | Complaint | None, default: str) -> str:
    site: Site | None = getattr(subject, "site", None)
    return site.timezone if site is not None and site.timezone else default


def _headline(key: str, subject) -> str:
    if (
        isinstance(subject, Rma)
        and subject.kind == "return_for_repair"
        and key in _REPAIR_HEADLINES
    ):
        return _REPAIR_HEADLINES[key]
    return _HEADLINES.get(key, N_("mail.news"))


def _customer_email(
    event: Event, key: str, subject, lang: str, zone: str, settings: NotificationSettings
) -> dict:
    ref = event.subject_ref or f"{event.subject_type} {event.subject_id}"
    headline = _headline(key, subject)
    lines: list[Line] = [[headline, {}], None, [N_("mail.line.reference"), {"ref": ref}]]
    if isinstance(subject, Rma):
        if subject.replacement_serial and key in ("→shipped", "→delivered"):
            lines.append([N_("mail.line.part_serial"), {"serial": subject.replacement_serial}])
        if subject.carrier or subject.waybill:
            carrier = f"{subject.carrier or '-'} {subject.waybill or ''}".rstrip()
            lines.append([N_("mail.line.waybill"), {"waybill": carrier}])
        if subject.return_due_at and key in ("→delivered", "return_due", "overdue"):
            lines.append(
                [N_("mail.line.return_by"), {"deadline": _deadline(subject.return_due_at)}]
            )
        if key == "overdue" and subject.late_charge is not None:
            charge = _money(subject.late_charge, subject.charge_currency)
            lines.append([N_("mail.line.late_charge"), {"amount": charge}])
        url = f"{settings.public_base_url}/track/{subject.tracking_code}"
        lines += [None, [N_("mail.line.follow"), {"url": url}]]
    if isinstance(subject, Complaint):
        lines.append([N_("mail.line.subject"), {"subject": subject.subject}])
        url = f"{settings.public_base_url}/my/complaints/{subject.number}"
        lines += [None, [N_("mail.line.follow"), {"url": url}]]
    if event.subject_type == "service_file":
        quarterly = event.data.get("kind") == "quarterly"
        kind = {"key": N_("sf.kind.quarterly") if quarterly else N_("sf.kind.annual")}
        lines.append(
            [N_("mail.line.service_file"), {"kind": kind, "period": event.data.get("period")}]
        )
        url = f"{settings.public_base_url}/my/service-files"
        lines += [None, [N_("mail.line.download"), {"url": url}]]
    lines.append([N_("mail.line.time"), {"time": _iso(event.at)}])
    return _mail(
        lang, zone, [N_("mail.subject"), {"ref": ref, "headline": {"key": headline}}], lines
    )


def _staff_email(
    event: Event, key: str, subject, customer: Customer | None, settings: NotificationSettings
) -> dict:
    ref = event.subject_ref or f"{event.subject_type} {event.subject_id}"
    data = event.data or {}
    if event.kind == "escalated" and isinstance(subject, Complaint):
        who = {"who": data.get("who") or "department head"}
        title = [N_("mail.staff.complaint_escalated.subject"), {"ref": ref, "who": who}]
        what = [
            N_("mail.staff.complaint_escalated"),
            {
                "clock": {"code": ["clock", data.get("clock")]},
                "urgency": {"code": ["cpl.urgency", subject.urgency]},
                "kind": {"code": ["cpl.kind", subject.kind]},
                "due": _iso(data.get("due_at")),
            },
        ]
    elif event.kind == "escalated":
        level = data.get("level")
        title = (
            [
                N_("mail.staff.escalated.subject"),
                {"ref": ref, "level": level, "who": {"who": data["who"]}},
            ]
            if data.get("who")
            else [N_("mail.staff.escalated.subject_level"), {"ref": ref, "level": level}]
        )
        what = [
            N_("mail.staff.escalated"),
            {
                "since": _iso(data.get("last_progress_at")),
                "level": level,
                "due": _iso(data.get("due_at")),
            },
        ]
    elif event.kind == "sla_breached":
        clock = {"code": ["clock", data.get("clock")]}
        title = [N_("mail.staff.breached.subject"), {"ref": ref, "clock": clock}]
        what = [N_("mail.staff.breached"), {"clock": clock, "due": _iso(data.get("due_at"))}]
    else:
        headline = _headline(key, subject)
        what = [headline, {}]
        title = [N_("mail.subject"), {"ref": ref, "headline": {"key": headline}}]
    lines: list[Line] = [what, None, [N_("mail.line.reference"), {"ref": ref}]]
    if customer is not None:
        names = {"names": {"zh": customer.name, "en": customer.name_en or customer.name}}
        lines.append([N_("mail.line.customer"), {"code": customer.code, "name": names}])
    if isinstance(subject, Complaint):
        lines.append([N_("mail.line.subject"), {"subject": subject.subject}])
        lines.append([N_("mail.line.status"), {"status": {"code": ["cpl.status", subject.status]}}])
    if isinstance(subject, Ticket):
        lines.append(
            [
                N_("mail.line.severity_status"),
                {
                    "severity": {"code": ["severity", subject.severity]},
                    "status": {"code": ["ticket_status", subject.status]},
                },
            ]
        )
    if isinstance(subject, Rma):
        lines.append([N_("mail.line.status"), {"status": {"code": ["rma_status", subject.status]}}])
        if subject.return_due_at:
            lines.append(
                [N_("mail.line.return_due"), {"deadline": _deadline(subject.return_due_at)}]
            )
        if subject.late_charge is not None:
            charge = _money(subject.late_charge, subject.charge_currency)
            lines.append([N_("mail.line.late_charge"), {"amount": charge}])
    if event.note:
        lines.append([N_("mail.line.note"), {"note": event.note}])
    lines.append([N_("mail.line.recorded"), {"time": _iso(event.at), "actor": event.actor}])
    return _mail(settings.staff_lang, settings.staff_timezone, title, lines)


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
