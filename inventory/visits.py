"""The engineer's visit (上门服务): arrival, diagnosis and actions, the parts swapped, photos,
and the customer's signature that completes the technical service sheet (技术服务单).

Steps, each one transaction (the phone may send them hours later, each with its own
``Idempotency-Key``):

1. **Arrive** — the ticket moves dispatched → on_site (stamped with the server's time) and
   a visit opens; the phone's own clock is kept beside it.
2. **Work** — diagnosis, actions taken and open issues, editable until the signature.
3. **Parts** — the serial installed must be the spare reserved for the job (its advance
   replacement): the RMA ships it (pickup mode: the engineer carries it) and delivers it,
   which moves the ledger to the customer and the installed base to the new serial. The
   faulty serial removed must be the unit on record; the RMA's ``return_faulty`` move puts
   it in transit with the engineer. The stock rules stay in ``inventory/rmas.py``.
4. **Photos** — checked here (type, size), stored by the app's photo store.
5. **Signature** — a drawn PNG and the signer's name; the ticket moves to resolved with the
   visit's actions as its resolution, and a P1/P2 fault starts the observation that
   ``logistics.sla.observation_until`` defines (72 h by default).

``engineer_id`` is the caller's engineer (None: an admin or dispatcher acting for them);
another engineer's ticket answers like an unknown one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.contracts import contract_calendar, parts_covered, sla_policy
from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.events import record_about
from inventory.numbering import next_number
from inventory.rmas import MoveInput, RmaKind, RmaStatus, move_rma_in_session
from inventory.tickets import (
    RATING_QUESTIONS,
    TicketStatus,
    move_ticket_in_session,
    ticket_by_ref,
)
from inventory.transaction import transaction
from inventory.views import view_of
from logistics.calendars import require_utc
from logistics.sla import observation_until
from models import (
    Engineer,
    Equipment,
    Part,
    Rma,
    Ticket,
    Visit,
    VisitPart,
    VisitPhoto,
    utcnow,
)
from models.enums import PartSource, RemovedCondition

PHOTO_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG"}
MAX_SIGNATURE_BYTES = 256 * 1024
MAX_IMAGE_SIDE = 8000  # pixels; larger claims are refused before decoding


@dataclass(frozen=True)
class VisitPartView:
    part_number: str
    qty: int
    installed_serial: str | None
    removed_serial: str | None
    rma_number: str | None
    recorded_at: datetime
    source: str | None = None  # van | depot_pickup | courier (consumed)
    consumed_qty: int = 0
    removed_qty: int = 0
    removed_condition: str | None = None  # faulty | good
    unit_cost: Decimal | None = None
    covered: bool | None = None


@dataclass(frozen=True)
class VisitView:
    number: str
    ticket_number: str
    ticket_status: str
    engineer: str | None
    arrived_at: datetime
    arrived_device_at: datetime | None
    diagnosis: str | None
    actions: str | None
    open_issues: str | None
    signer_name: str | None
    signed_at: datetime | None
    observation_until: datetime | None
    parts: list[VisitPartView]
    photos: list[int]


def visit_view(visit: Visit) -> VisitView:
    return view_of(
        VisitView,
        visit,
        ticket_number=visit.ticket.number,
        ticket_status=visit.ticket.status,
        engineer=visit.engineer.name if visit.engineer else None,
        parts=[
            VisitPartView(
                p.part.part_number,
                p.qty,
                p.installed_serial,
                p.removed_serial,
                p.rma.number if p.rma else None,
                p.recorded_at,
                p.source,
                p.consumed_qty,
                p.removed_qty,
                p.removed_condition,
                p.unit_cost,
                p.covered,
            )
            for p in visit.parts
        ],
        photos=[p.id for p in visit.photos],
    )


# --- lookups ---------------------------------------------------------------------------


def ticket_for_engineer(session: Session, ref: str, engineer_id: int | None) -> Ticket:
    """The ticket ``ref`` if ``engineer_id`` (None: anyone) is the one sent to it."""
    ticket = ticket_by_ref(session, ref)
    if engineer_id is not None and ticket.engineer_id != engineer_id:
        raise NotFound.unknown("ticket", ref, field="ref")
    return ticket


def latest_visit(session: Session, ticket: Ticket) -> Visit | None:
    return session.scalar(
        select(Visit).where(Visit.ticket_id == ticket.id).order_by(Visit.id.desc()).limit(1)
    )


def job_replacement(session: Session, ticket: Ticket) -> Rma | None:
    """The advance replacement that carries the job's spare (the newest still alive)."""
    return session.scalar(
        select(Rma)
        .where(
            Rma.ticket_id == ticket.id,
            Rma.kind == RmaKind.ADVANCE_REPLACEMENT.value,
            Rma.status.not_in([RmaStatus.CANCELLED.value, RmaStatus.REJECTED.value]),
        )
        .order_by(Rma.id.desc())
        .limit(1)
    )


def open_visit(session: Session, ticket: Ticket, *, actor: str, now: datetime) -> Visit:
    """The visit being recorded: the ticket must be on site and its visit not yet signed.
    A ticket moved on site without a visit (the plain ``arrive`` call) gets one here."""
    if ticket.status != TicketStatus.ON_SITE:
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}; record the arrival first",
            field="status",
            details={"current_status": ticket.status},
            key="visit.not_on_site",
            params={"ref": ticket.number, "ticket_status": ticket.status},
        )
    visit = latest_visit(session, ticket)
    if visit is not None and visit.signed_at is None:
        return visit
    return _new_visit(session, ticket, arrived_at=ticket.onsite_at or now, device=None, actor=actor)


@contextmanager
def visit_step(
    session: Session, ref: str, engineer_id: int | None, *, actor: str, now: datetime
) -> Iterator[tuple[Ticket, Visit]]:
    """One step at the job in the transaction boundary: the engineer's ticket and its open
    visit (opened now if there is none); commits when the block ends."""
    with transaction(session):
        ticket = ticket_for_engineer(session, ref, engineer_id)
        yield ticket, open_visit(session, ticket, actor=actor, now=now)


def _new_visit(
    session: Session, ticket: Ticket, *, arrived_at: datetime, device: datetime | None, actor: str
) -> Visit:
    visit = Visit(
        number=next_number(session, "TSS", arrived_at),
        ticket_id=ticket.id,
        engineer_id=ticket.engineer_id,
        arrived_at=arrived_at,
        arrived_device_at=device,
        created_by=actor,
    )
    session.add(visit)
    session.flush()
    return visit


def _event(session: Session, ticket: Ticket, kind: str, actor: str, now: datetime, data: dict):
    record_about(session, ticket, kind, actor=actor, at=now, customer_visible=False, data=data)


def written_view(session: Session, visit: Visit) -> VisitView:
    """The visit as its rows stand after this step's writes (read before the commit)."""
    session.flush()
    session.refresh(visit)
    return visit_view(visit)


# --- the steps ---------------------------------------------------------------------------


def record_arrival(
    session: Session,
    ref: str,
    *,
    engineer_id: int | None,
    actor: str,
    device_time: datetime | None = None,
    now: datetime | None = None,
) -> VisitView:
    """The engineer is on site: the ticket moves to on_site at the server's time, a visit
    opens with the phone's time beside it; commits."""
    now = require_utc(now or utcnow(), "now")
    if device_time is not None:
        device_time = require_utc(device_time, "device_time")

    with transaction(session):
        ticket = ticket_for_engineer(session, ref, engineer_id)
        data = {"device_time": device_time.isoformat() if device_time else None}
        move_ticket_in_session(session, ticket, "arrive", actor=actor, now=now, data=data)
        visit = _new_visit(session, ticket, arrived_at=now, device=device_time, actor=actor)
        return written_view(session, visit)


def record_work(
    session: Session,
    ref: str,
    *,
    engineer_id: int | None,
    actor: str,
    diagnosis: str | None = None,
    actions: str | None = None,
    open_issues: str | None = None,
    now: datetime | None = None,
) -> VisitView:
    """What the engineer found and did (a field left None keeps its text); commits."""
    now = require_utc(now or utcnow(), "now")

    with visit_step(session, ref, engineer_id, actor=actor, now=now) as (ticket, visit):
        changed = {}
        for name, value in (
            ("diagnosis", diagnosis),
            ("actions", actions),
            ("open_issues", open_issues),
        ):
            if value is not None:
                setattr(visit, name, value.strip() or None)
                changed[name] = True
        _event(session, ticket, "work_recorded", actor, now, {"visit": visit.number, **changed})
        return written_view(session, visit)


def record_part(
    session: Session,
    ref: str,
    *,
    engineer_id: int | None,
    actor: str,
    installed_serial: str | None = None,
    removed_serial: str | None = None,
    now: datetime | None = None,
) -> VisitView:
    """A part swapped: the spare installed and/or the faulty unit removed (see the module
    docstring for the stock moves); commits, or changes nothing."""
    now = require_utc(now or utcnow(), "now")
    installed = (installed_serial or "").strip() or None
    removed = (removed_serial or "").strip() or None
    if installed is None and removed is None:
        raise InvalidInput(
            "scan the serial installed or the serial removed",
            field="installed_serial",
            key="visit.scan_serial",
        )

    with visit_step(session, ref, engineer_id, actor=actor, now=now) as (ticket, visit):
        rma = job_replacement(session, ticket)
        if rma is None:
            raise InvalidInput(
                f"ticket {ticket.number} has no spare reserved; ask the dispatcher",
                field="installed_serial" if installed else "removed_serial",
                key="visit.no_spare",
                params={"ref": ticket.number},
            )
        carrier = _engineer_name(session, ticket)
        if installed is not None:
            _install(session, rma, installed, actor=actor, carrier=carrier, now=now)
        if removed is not None:
            _remove(session, rma, removed, actor=actor, carrier=carrier, now=now)
        part = rma.replacement_part or rma.faulty_part
        qty = rma.replacement_qty or 1
        cost, covered = part_terms(session, ticket, part, now)
        session.add(
            VisitPart(
                visit_id=visit.id,
                part_id=part.id,
                qty=qty,
                installed_serial=installed,
                removed_serial=removed,
                rma_id=rma.id,
                source=(
                    PartSource.COURIER
                    if ticket.dispatch_mode == "courier"
                    else PartSource.DEPOT_PICKUP
                ).value
                if installed
                else None,
                consumed_qty=qty if installed else 0,
                removed_qty=qty if removed else 0,
                removed_condition=RemovedCondition.FAULTY.value if removed else None,
                unit_cost=cost,
                covered=covered,
                recorded_by=actor,
                recorded_at=now,
            )
        )
        _event(
            session,
            ticket,
            "part_used",
            actor,
            now,
            {"visit": visit.number, "rma": rma.number, "installed": installed, "removed": removed},
        )
        return written_view(session, visit)


def part_terms(session: Session, ticket: Ticket, part: Part, now: datetime) -> tuple[Decimal, bool]:
    """A part line's unit cost (the catalogue's, when recorded) and whether the ticket's
    contract pays for it (``inventory.contracts.parts_covered``)."""
    equipment = None
    if ticket.equipment_serial:
        equipment = session.scalar(
            select(Equipment).where(
                Equipment.serial == ticket.equipment_serial, Equipment.site_id == ticket.site_id
            )
        )
    today = now.astimezone(ZoneInfo(ticket.site.timezone)).date()
    return Decimal(part.unit_cost or 0), parts_covered(ticket.contract, equipment, today)


def _engineer_name(session: Session, ticket: Ticket) -> str | None:
    engineer = session.get(Engineer, ticket.engineer_id) if ticket.engineer_id else None
    return engineer.name if engineer else None


def _install(
    session: Session, rma: Rma, serial: str, *, actor: str, carrier: str | None, now: datetime
) -> None:
    if rma.replacement_serial is not None and serial.upper() != rma.replacement_serial.upper():
        raise InvalidInput(
            f"{serial} is not the spare reserved for this job ({rma.replacement_serial})",
            field="installed_serial",
            key="visit.not_reserved_spare",
            params={"serial": serial, "expected": rma.replacement_serial},
        )
    if rma.status == RmaStatus.ALLOCATED:  # pickup: the engineer carries it from the depot
        given = MoveInput(carrier=carrier, note="collected by the engineer")
        move_rma_in_session(session, rma, "ship", actor=actor, given=given, now=now)
    if rma.status == RmaStatus.SHIPPED:
        move_rma_in_session(session, rma, "deliver", actor=actor, now=now)
    elif rma.status != RmaStatus.DELIVERED and rma.delivered_at is None:
        raise Conflict(
            f"RMA {rma.number} is {rma.status}; its spare cannot be installed now",
            field="installed_serial",
            details={"current_status": rma.status},
            key="visit.cannot_install",
            params={"ref": rma.number, "rma_status": rma.status},
        )


def _remove(
    session: Session, rma: Rma, serial: str, *, actor: str, carrier: str | None, now: datetime
) -> None:
    if rma.faulty_serial is not None and serial.upper() != rma.faulty_serial.upper():
        raise InvalidInput(
            f"{serial} is not the faulty unit on record ({rma.faulty_serial})",
            field="removed_serial",
            key="visit.not_faulty_unit",
            params={"serial": serial, "expected": rma.faulty_serial},
        )
    rma.faulty_serial = rma.faulty_serial or serial
    if rma.status != RmaStatus.DELIVERED:
        raise Conflict(
            f"RMA {rma.number} is {rma.status}; install the spare before removing the faulty unit",
            field="removed_serial",
            details={"current_status": rma.status},
            key="visit.install_first",
            params={"ref": rma.number, "rma_status": rma.status},
        )
    given = MoveInput(carrier=carrier, note="carried back by the engineer")
    move_rma_in_session(session, rma, "return_faulty", actor=actor, given=given, now=now)


# --- photos and the signature ------------------------------------------------------------


@dataclass(frozen=True)
class CheckedImage:
    content_type: str
    size_bytes: int
    sha256: str
    width: int
    height: int


def check_image(data: bytes, *, max_bytes: int, field: str, types: dict[str, str]) -> CheckedImage:
    """An image the product accepts: one of ``types`` by its content (not its name), at
    most ``max_bytes``, decodable, sides within MAX_IMAGE_SIDE. InvalidInput otherwise."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise InvalidInput("the image is empty", field=field, key="image.empty")
    if len(data) > max_bytes:
        raise InvalidInput(
            f"the image is larger than {max_bytes // 1024} KB",
            field=field,
            key="image.too_large",
            params={"kb": max_bytes // 1024},
        )
    try:
        with Image.open(BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
                raise InvalidInput(
                    f"the image is over {MAX_IMAGE_SIDE} pixels wide",
                    field=field,
                    key="image.too_wide",
                    params={"px": MAX_IMAGE_SIDE},
                )
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInput(
            "the file is not a readable image", field=field, key="image.unreadable"
        ) from None
    content_type = next((t for t, fmt in types.items() if fmt == kind), None)
    if content_type is None:
        raise InvalidInput(
            f"images must be {' or '.join(types.values())}",
            field=field,
            key="image.type",
            params={"types": " / ".join(types.values())},
        )
    return CheckedImage(content_type, len(data), hashlib.sha256(data).hexdigest(), width, height)


def stored_photo(
    storage_key: str, image: CheckedImage, *, actor: str, now: datetime
) -> dict[str, Any]:
    """The columns every photo row has (a visit's, an inspection's): where the photo store
    keeps it, what it is, who uploaded it and when."""
    return {
        "storage_key": storage_key,
        "content_type": image.content_type,
        "size_bytes": image.size_bytes,
        "sha256": image.sha256,
        "uploaded_by": actor,
        "uploaded_at": now,
    }


def add_photo(
    session: Session,
    ref: str,
    *,
    engineer_id: int | None,
    actor: str,
    storage_key: str,
    image: CheckedImage,
    caption: str | None = None,
    now: datetime | None = None,
) -> VisitView:
    """Record a photo already written to the photo store under ``storage_key``; commits."""
    now = require_utc(now or utcnow(), "now")

    with visit_step(session, ref, engineer_id, actor=actor, now=now) as (ticket, visit):
        session.add(
            VisitPhoto(
                visit_id=visit.id,
                caption=(caption or "").strip() or None,
                **stored_photo(storage_key, image, actor=actor, now=now),
            )
        )
        _event(session, ticket, "photo_added", actor, now, {"visit": visit.number})
        return written_view(session, visit)


def has_ink(png: bytes) -> bool:
    """Whether anything was drawn: some pixel differs from the blank (transparent/white)."""
    from PIL import Image

    with Image.open(BytesIO(png)) as image:
        gray = image.convert("RGBA")
        alpha_box = gray.getchannel("A").getbbox()
        if alpha_box is None:
            return False
        flat = Image.new("RGBA", gray.size, (255, 255, 255, 255))
        flat.alpha_composite(gray)
        return flat.convert("L").point(lambda v: 255 if v < 200 else 0).getbbox() is not None


def checked_signature(signer_name: str | None, signature_png: bytes, *, field: str) -> str:
    """The signer's name, once the signature is a PNG of at most MAX_SIGNATURE_BYTES with
    something drawn on it (``field`` names the image in the errors); InvalidInput if not."""
    name = (signer_name or "").strip()
    if not name:
        raise InvalidInput(
            "the person signing gives their name", field="signer_name", key="signer_name"
        )
    check_image(
        signature_png, max_bytes=MAX_SIGNATURE_BYTES, field=field, types={"image/png": "PNG"}
    )
    if not has_ink(signature_png):
        raise InvalidInput(
            "the signature is empty: sign in the box", field=field, key="signature_empty"
        )
    return name


def sign_visit(
    session: Session,
    ref: str,
    *,
    engineer_id: int | None,
    actor: str,
    signer_name: str,
    signature_png: bytes,
    now: datetime | None = None,
) -> VisitView:
    """The customer signs the service sheet: the visit is complete, the ticket moves to
    resolved with the visit's actions as its resolution (the customer then confirms
    closure), and a P1/P2 fault starts its observation; commits."""
    now = require_utc(now or utcnow(), "now")
    name = checked_signature(signer_name, signature_png, field="signature")

    with visit_step(session, ref, engineer_id, actor=actor, now=now) as (ticket, visit):
        if not visit.actions:
            raise InvalidInput(
                "record the actions taken before the signature",
                field="actions",
                key="visit.actions_first",
            )
        watch = observation_until(
            now,
            ticket.severity,
            sla_policy(ticket.contract),
            contract_calendar(ticket.contract, ticket.site.timezone, session=session),
        )
        visit.signer_name, visit.signature_png, visit.signed_at = name, signature_png, now
        visit.observation_until = watch
        session.flush()
        move_ticket_in_session(
            session,
            ticket,
            "resolve",
            actor=actor,
            now=now,
            values={"resolution": visit.actions},
            data={
                "confirmation_requested": True,
                "survey": list(RATING_QUESTIONS),
                "service_sheet": visit.number,
                "observation_until": watch.isoformat() if watch else None,
            },
        )
        return written_view(session, visit)


# --- what the board and the documents read ------------------------------------------------


@dataclass(frozen=True)
class Observation:
    """A restored P1/P2 fault the engineer is still watching."""

    ticket_number: str
    severity: str
    site_name: str
    engineer: str | None
    restored_at: datetime
    until: datetime


def running_observations(session: Session, now: datetime | None = None) -> list[Observation]:
    """The observations not yet ended at ``now``, the soonest to end first."""
    now = require_utc(now or utcnow(), "now")
    rows = session.scalars(
        select(Visit)
        .where(Visit.observation_until.is_not(None), Visit.observation_until > now)
        .order_by(Visit.observation_until)
        .limit(200)
    )
    return [
        Observation(
            v.ticket.number,
            v.ticket.severity,
            v.ticket.site.name,
            v.engineer.name if v.engineer else None,
            v.signed_at or v.arrived_at,
            v.observation_until,
        )
        for v in rows
        if v.observation_until is not None
    ]


def signed_visits(session: Session, ticket: Ticket) -> list[Visit]:
    """A ticket's signed visits, oldest first (each one a technical service sheet)."""
    return list(
        session.scalars(
            select(Visit)
            .where(Visit.ticket_id == ticket.id, Visit.signed_at.is_not(None))
            .order_by(Visit.id)
        )
    )
