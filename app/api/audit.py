"""The audit trail (admin only): every change to one object, newest first."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate

from app.api.common import PageArgs, Str, page_of, page_schema, plain, query_read
from app.db import get_session
from inventory.audit import SUBJECT_TYPES, audit_trail, resolve_subject
from models import limits

blp = Blueprint(
    "audit",
    __name__,
    url_prefix="/api/audit",
    description="Audit trail: who changed what, when (admin only)",
)

SUBJECT_HELP = (
    "part (part number), serial_item (serial), depot / customer / site / contract (code), "
    "equipment (serial), transfer / ticket / rma / repair_batch (number), delivery (reference), "
    "job (id), user (username)"
)


class AuditQuery(PageArgs):
    subject_type = ma.fields.String(
        required=True,
        validate=validate.OneOf(SUBJECT_TYPES),
        metadata={"description": SUBJECT_HELP},
    )
    subject_ref = Str(
        limits.SERIAL,
        required=True,
        metadata={"description": "the object's number, code or serial"},
    )
    part_number = Str(
        limits.PART_NUMBER,
        metadata={"description": "serial_item only: when two parts share the serial"},
    )


class AuditEntrySchema(ma.Schema):
    at = ma.fields.AwareDateTime(metadata={"description": "UTC"})
    source = ma.fields.String(
        metadata={"description": "event, or movement (a serial's ledger line)"}
    )
    kind = ma.fields.String(metadata={"description": "event kind, or the movement's reason"})
    actor = ma.fields.String()
    from_state = ma.fields.String(
        allow_none=True, metadata={"description": "movements: location left"}
    )
    to_state = ma.fields.String(
        allow_none=True, metadata={"description": "movements: location reached"}
    )
    note = ma.fields.String(allow_none=True)
    data = ma.fields.Dict()
    id = ma.fields.Integer(metadata={"description": "id of the event or movement"})


class AuditPage(page_schema(AuditEntrySchema, "AuditEntries")):  # type: ignore[misc]
    subject_type = ma.fields.String()
    subject_ref = ma.fields.String()


@query_read(blp, "", AuditQuery, AuditPage, "admin")
def list_audit(args):
    """Every change to one object with who did it and when (UTC), newest first; for a
    serial item its ledger movements are interleaved with its events."""
    db = get_session()
    subject = resolve_subject(
        db, args["subject_type"], args["subject_ref"], part_number=args.get("part_number")
    )
    trail = audit_trail(db, subject, page=args["page"], page_size=args["page_size"])
    return {
        **page_of([plain(e) for e in trail.entries], trail.total, args),
        "subject_type": subject.type,
        "subject_ref": subject.ref,
    }
