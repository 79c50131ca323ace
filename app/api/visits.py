"""The engineer's visit on a ticket: arrival, work, parts swapped, photos, the customer's
signature (inventory/visits.py). Every write takes an ``Idempotency-Key``: the phone
queues what it records offline and sends each step once, in order, when it is back online."""

from __future__ import annotations

import base64
import binascii

import marshmallow as ma
from flask import Response, current_app
from flask_smorest import Blueprint

from app.api.common import Choice, Money, Str, idempotent_write, plain
from app.api.scoping import engineer_scope
from app.auth import actor_name, roles_required
from app.db import get_session
from app.photos import new_photo_key, photo_store
from inventory import visits as svc
from inventory.errors import InvalidInput, NotFound
from models import VisitPhoto, limits
from models.enums import TicketStatus

blp = Blueprint(
    "visits",
    __name__,
    url_prefix="/api/tickets",
    description="The engineer's visit: arrival, work, parts, photos and the customer's "
    "signature on the technical service sheet (技术服务单)",
)
# base64 of the largest photo the default limit lets through, and some room
MAX_BASE64_CHARS = 12 * 1024 * 1024


class VisitPartSchema(ma.Schema):
    part_number = ma.fields.String()
    qty = ma.fields.Integer()
    installed_serial = ma.fields.String(allow_none=True)
    removed_serial = ma.fields.String(allow_none=True)
    rma_number = ma.fields.String(allow_none=True)
    recorded_at = ma.fields.AwareDateTime()
    source = ma.fields.String(
        allow_none=True, metadata={"description": "van | depot_pickup | courier"}
    )
    consumed_qty = ma.fields.Integer()
    removed_qty = ma.fields.Integer()
    removed_condition = ma.fields.String(allow_none=True, metadata={"description": "faulty|good"})
    unit_cost = Money(allow_none=True)
    covered = ma.fields.Boolean(allow_none=True)


class VisitSchema(ma.Schema):
    number = ma.fields.String(metadata={"description": "the service sheet number, TSS-…"})
    ticket_number = ma.fields.String()
    ticket_status = Choice(TicketStatus)
    engineer = ma.fields.String(allow_none=True)
    arrived_at = ma.fields.AwareDateTime(metadata={"description": "when the server received it"})
    arrived_device_at = ma.fields.AwareDateTime(
        allow_none=True, metadata={"description": "what the phone's clock said"}
    )
    diagnosis = ma.fields.String(allow_none=True)
    actions = ma.fields.String(allow_none=True)
    open_issues = ma.fields.String(allow_none=True)
    signer_name = ma.fields.String(allow_none=True)
    signed_at = ma.fields.AwareDateTime(allow_none=True)
    observation_until = ma.fields.AwareDateTime(allow_none=True)
    parts = ma.fields.List(ma.fields.Nested(VisitPartSchema))
    photos = ma.fields.List(ma.fields.Integer(), metadata={"description": "photo ids"})


class ArrivalRequest(ma.Schema):
    device_time = ma.fields.AwareDateTime(
        allow_none=True, load_default=None, metadata={"description": "the phone's clock, UTC"}
    )


class WorkRequest(ma.Schema):
    diagnosis = Str(limits.LONG_TEXT, allow_none=True)
    actions = Str(limits.LONG_TEXT, allow_none=True)
    open_issues = Str(limits.LONG_TEXT, allow_none=True)


class PartRequest(ma.Schema):
    installed_serial = Str(
        limits.SERIAL, allow_none=True, metadata={"description": "scanned on the spare"}
    )
    removed_serial = Str(
        64, allow_none=True, metadata={"description": "scanned on the faulty unit"}
    )


class PhotoRequest(ma.Schema):
    data = Str(MAX_BASE64_CHARS, required=True, metadata={"description": "JPEG or PNG, base64"})
    caption = Str(200, allow_none=True)


class SignatureRequest(ma.Schema):
    signer_name = Str(limits.PERSON_NAME, required=True)
    png = Str(
        MAX_BASE64_CHARS,
        required=True,
        metadata={"description": "the signature drawn on the screen: a PNG, base64 or data: URL"},
    )


def decode_base64(text: str, field: str) -> bytes:
    """Bytes from base64, with or without a ``data:…;base64,`` prefix; InvalidInput if not."""
    payload = text.split(",", 1)[1] if text.startswith("data:") and "," in text else text
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("not base64", field=field, key="not_base64") from None


def checked_photo(text: str) -> tuple[bytes, svc.CheckedImage]:
    """A photo sent in base64 in the field ``data``: its bytes and what they are, refused
    (422 naming ``data``) unless JPEG or PNG of at most PHOTO_MAX_BYTES."""
    raw = decode_base64(text, "data")
    image = svc.check_image(
        raw,
        max_bytes=current_app.config["PHOTO_MAX_BYTES"],
        field="data",
        types=svc.PHOTO_TYPES,
    )
    return raw, image


def store_photo(number: str, raw: bytes, image: svc.CheckedImage) -> str:
    """Put a checked photo of the ticket or inspection ``number`` in the photo store; its key."""
    key = new_photo_key(number, "jpg" if image.content_type == "image/jpeg" else "png")
    photo_store().put(key, raw, image.content_type)
    return key


PHOTO_RESPONSES = {
    "200": {"description": "the photo", "content": {"image/jpeg": {}, "image/png": {}}}
}


def photo_response(row) -> Response:
    """A stored photo (a visit's or an inspection's row) as the answer, cached privately."""
    return Response(
        photo_store().get(row.storage_key),
        mimetype=row.content_type,
        headers={"Cache-Control": "private, max-age=3600"},
    )


def _as_engineer(step, ref: str, **fields):
    """One visit step by the caller on a ticket of theirs (an engineer's own; an admin acts
    for any engineer); the visit as it then stands."""
    return plain(
        step(get_session(), ref, engineer_id=engineer_scope(), actor=actor_name(), **fields)
    )


@blp.get("/<ref>/visit")
@blp.response(200, VisitSchema)
@roles_required("engineer", "dispatcher")
def current_visit(ref):
    """The ticket's latest visit (404 before the engineer arrived)."""
    db = get_session()
    ticket = svc.ticket_for_engineer(db, ref, engineer_scope())
    visit = svc.latest_visit(db, ticket)
    if visit is None:
        raise NotFound(
            f"ticket {ticket.number} has no visit yet",
            field="ref",
            key="no_visit_yet",
            params={"ref": ticket.number},
        )
    return plain(svc.visit_view(visit))


@idempotent_write(
    blp,
    "/<ref>/visit/arrival",
    ArrivalRequest,
    VisitSchema,
    "engineer",
    status=201,
    body_required=False,
)
def arrival(data, ref):
    """The engineer is on site: the ticket moves to on_site at the server's time; the
    phone's time is kept beside it (they differ when the arrival was queued offline)."""
    return _as_engineer(svc.record_arrival, ref, device_time=data.get("device_time"))


@idempotent_write(
    blp, "/<ref>/visit/work", WorkRequest, VisitSchema, "engineer", body_required=False
)
def work(data, ref):
    """Diagnosis, actions taken, open issues (a field left out keeps its text)."""
    return _as_engineer(
        svc.record_work,
        ref,
        diagnosis=data.get("diagnosis"),
        actions=data.get("actions"),
        open_issues=data.get("open_issues"),
    )


@idempotent_write(
    blp, "/<ref>/visit/parts", PartRequest, VisitSchema, "engineer", status=201, body_required=False
)
def parts(data, ref):
    """A part swapped: the spare installed (its RMA ships and delivers it; the installed base
    takes its serial) and the faulty unit removed (on its way back with the engineer)."""
    return _as_engineer(
        svc.record_part,
        ref,
        installed_serial=data.get("installed_serial"),
        removed_serial=data.get("removed_serial"),
    )


@idempotent_write(blp, "/<ref>/visit/photos", PhotoRequest, VisitSchema, "engineer", status=201)
def photos(data, ref):
    """A photo of the visit (JPEG or PNG, at most PHOTO_MAX_BYTES), kept in the photo store."""
    raw, image = checked_photo(data["data"])
    ticket = svc.ticket_for_engineer(get_session(), ref, engineer_scope())
    key = store_photo(ticket.number, raw, image)
    return _as_engineer(
        svc.add_photo, ref, storage_key=key, image=image, caption=data.get("caption")
    )


@blp.get("/<ref>/visit/photos/<int:photo_id>")
@blp.doc(responses=PHOTO_RESPONSES)
@roles_required("engineer", "dispatcher")
def photo(ref, photo_id):
    """One photo of the ticket's visits."""
    db = get_session()
    ticket = svc.ticket_for_engineer(db, ref, engineer_scope())
    row = db.get(VisitPhoto, photo_id)
    if row is None or row.visit.ticket_id != ticket.id:
        raise NotFound.unknown("photo", photo_id, field="photo_id")
    return photo_response(row)


@idempotent_write(blp, "/<ref>/visit/signature", SignatureRequest, VisitSchema, "engineer")
def signature(data, ref):
    """The customer signs on the screen: the technical service sheet is complete, the ticket
    is resolved (the customer confirms closure), a P1/P2 fault starts its 72 h observation."""
    return _as_engineer(
        svc.sign_visit,
        ref,
        signer_name=data["signer_name"],
        signature_png=decode_base64(data["png"], "png"),
    )
