"""``Idempotency-Key`` on POSTs that create things.

The first request with a key claims it (a row unique per user and key, committed before
the work starts); its response is stored when the work ends. A retry with the same key
and the same request gets that stored response back (header ``Idempotent-Replayed: true``)
and creates nothing; the same key with a different request is 422; a retry while the
first is still running is 409 with ``Retry-After``. Server errors (5xx) are not stored, so
the request can be retried. Place the decorator between ``@blp.arguments`` and
``@blp.response`` so that it sees the serialized response.
"""

from __future__ import annotations

import hashlib
import json
from functools import wraps

from flask import Response, current_app, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth import current_user
from app.db import get_session
from app.errors import PROBLEM, problem
from models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY = 255
IDEMPOTENCY_PARAM = {
    "in": "header", "name": HEADER, "required": False, "schema": {"type": "string", "maxLength": MAX_KEY},
    "description": "Any unique string (a UUID). A retry with the same key returns the first response "
                   "and creates nothing twice; the same key with a different body is 422.",
}


def _request_hash(method_path: str) -> str:
    body = request.get_json(silent=True)
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{method_path}\n{canonical}".encode()).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    mimetype = PROBLEM if record.status_code >= 400 else "application/json"
    response = Response(record.body or "", status=record.status_code, mimetype=mimetype)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _run(view, args, kwargs) -> Response:
    """The view's response, errors included (rendered by the app's error handlers)."""
    try:
        return current_app.make_response(view(*args, **kwargs))
    except Exception as error:  # the registered handlers turn it into problem+json
        return current_app.make_response(current_app.handle_user_exception(error))


def idempotent(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        key = key.strip()
        if not 0 < len(key) <= MAX_KEY or "\x00" in key:
            return problem(400, "Bad Request", f"{HEADER} must be 1 to {MAX_KEY} characters, no NUL",
                           errors={HEADER: [f"1 to {MAX_KEY} characters, no NUL (U+0000)"]})
        user = current_user()
        if user is None:
            return view(*args, **kwargs)  # the role check answers 401
        user_id = user.id
        method_path = f"{request.method} {request.path}"[:300]
        digest = _request_hash(method_path)
        db = get_session()
        db.rollback()  # no read transaction may stay open under the claim (SQLite snapshots)
        claim = IdempotencyRecord(user_id=user_id, key=key, method_path=method_path, request_hash=digest)
        db.add(claim)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            first = db.scalar(select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id,
                                                              IdempotencyRecord.key == key))
            db.rollback()
            if first is None:  # the first request failed with a server error meanwhile
                return problem(409, "Conflict", "retry the request", headers={"Retry-After": "1"})
            if first.request_hash != digest or first.method_path != method_path:
                return problem(422, "Unprocessable Entity",
                               f"this {HEADER} was already used for a different request",
                               errors={HEADER: ["already used for a different request; use a new key"]})
            if first.status_code is None:
                return problem(409, "Conflict", f"the first request with this {HEADER} is still running",
                               headers={"Retry-After": "1"})
            return _replay(first)
        claim_id = claim.id
        response = _run(view, args, kwargs)
        db.rollback()
        record = db.get(IdempotencyRecord, claim_id)
        if response.status_code >= 500:
            db.delete(record)
        else:
            record.status_code = response.status_code
            record.body = response.get_data(as_text=True)
        db.commit()
        return response

    return wrapper
