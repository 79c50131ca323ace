"""``Idempotency-Key`` on POSTs that create or move things.

A request with a key runs in one database transaction that holds three things: the claim
on the key (a row unique per user and key), the work, and the response. Nothing of it is
visible until all of it commits, so a crash at any moment (a worker killed, the server
killed, the connection cut) leaves either nothing, and the retry does the work, or
everything, and the retry gets the stored response back (header ``Idempotent-Replayed:
true``) and changes nothing. The view's own commits and rollbacks — the service functions'
one boundary, ``inventory.transaction.transaction`` — become savepoints inside that
transaction (SQLAlchemy's ``join_transaction_mode="create_savepoint"``).

A retry that arrives while the first request is still running waits for it on the unique
key (PostgreSQL row lock, SQLite write lock) and then replays its answer; if the wait
exceeds ``IDEMPOTENCY_WAIT_SECONDS`` it is 409 with ``Retry-After``. The same key with a
different request is 422. Server errors (5xx) store nothing, so the request can be
retried. Place the decorator between ``@blp.arguments`` and ``@blp.response`` so that it
sees the serialized response.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from functools import wraps

from flask import Response, current_app, g, request
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.auth import current_user
from app.db import database, get_session
from app.errors import PROBLEM, problem
from models import IdempotencyRecord

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"  # a web form's key: a hidden field, new with every rendering
NOT_HASHED_FORM_FIELDS = ("csrf_token", FORM_FIELD)
MAX_KEY = 255
IDEMPOTENCY_PARAM = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY, "pattern": "\\S"},
    "description": "Any unique string (a UUID). A retry with the same key returns the first response "
    "and creates nothing twice, even after a crash; the same key with a different body "
    "is 422.",
}


def _request_hash(method_path: str) -> str:
    """What makes two requests "the same": path, query, JSON body, form fields and the
    bytes of uploaded files (a delivery file), read in chunks and rewound for the view."""
    digest = hashlib.sha256(f"{method_path}\n".encode())
    parts = [
        sorted(request.args.lists()),
        request.get_json(silent=True),
        sorted((k, v) for k, v in request.form.lists() if k not in NOT_HASHED_FORM_FIELDS),
        sorted(request.files),
    ]
    digest.update(
        json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    )
    for name in sorted(request.files):
        for upload in request.files.getlist(name):
            digest.update(f"\n{upload.filename}\n".encode())
            while chunk := upload.stream.read(1 << 16):
                digest.update(chunk)
            upload.stream.seek(0)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    assert record.status_code is not None  # only an answered request is replayed
    if not record.method_path.startswith("POST /api/"):
        mimetype = "text/html"  # a web page (idempotent_form)
    else:
        mimetype = PROBLEM if record.status_code >= 400 else "application/json"
    response = Response(record.body or "", status=record.status_code, mimetype=mimetype)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _busy() -> Response:
    return problem(
        409,
        "Conflict",
        f"the first request with this {HEADER} is still running; retry",
        headers={"Retry-After": "1"},
    )


def _run(view, args, kwargs) -> Response:
    """The view's response, errors included (rendered by the app's error handlers)."""
    try:
        return current_app.make_response(view(*args, **kwargs))
    except Exception as error:  # the registered handlers turn it into problem+json
        return current_app.make_response(current_app.handle_user_exception(error))


def _limit_lock_wait(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        wait_ms = int(float(current_app.config.get("IDEMPOTENCY_WAIT_SECONDS", 30)) * 1000)
        conn.execute(text(f"SET LOCAL lock_timeout = {wait_ms}"))


def _first(user_id: int, key: str) -> IdempotencyRecord | None:
    with database().sessions() as db:
        return db.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
            )
        )


def _answer_for_existing(user_id: int, key: str, method_path: str, digest: str) -> Response:
    first = _first(user_id, key)
    if first is None or first.status_code is None:
        return _busy()
    if first.request_hash != digest or first.method_path != method_path:
        return problem(
            422,
            "Unprocessable Entity",
            f"this {HEADER} was already used for a different request",
            errors={HEADER: ["already used for a different request; use a new key"]},
        )
    return _replay(first)


def _run_once(
    view, args, kwargs, *, user_id: int, key: str, method_path: str, digest: str
) -> Response:
    """Claim, work and response in one transaction (see the module docstring)."""
    outer = g.get("db_session")
    with database().engine.connect() as conn:
        transaction = conn.begin()
        try:
            _limit_lock_wait(conn)
            session = Session(
                bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
            )
            claim = IdempotencyRecord(
                user_id=user_id, key=key, method_path=method_path, request_hash=digest
            )
            session.add(claim)
            try:
                session.commit()  # a savepoint: waits here while another request holds the key
            except IntegrityError:
                transaction.rollback()
                return _answer_for_existing(user_id, key, method_path, digest)
            except OperationalError:  # lock_timeout / busy timeout
                transaction.rollback()
                return _busy()
            g.db_session = session  # the view's get_session() works inside the transaction
            try:
                response = _run(view, args, kwargs)
            finally:
                g.db_session = outer
            if response.status_code >= 500:
                transaction.rollback()
                return response
            session.rollback()  # nothing half-flushed from the view rides along
            record = session.get_one(IdempotencyRecord, claim.id)
            record.status_code = response.status_code
            record.body = response.get_data(as_text=True)
            session.commit()
            session.close()
            transaction.commit()
            return response
        except DBAPIError:
            if transaction.is_active:
                transaction.rollback()
            return problem(
                503,
                "Service Unavailable",
                "the database did not take the change; retry",
                headers={"Retry-After": "1"},
            )


def idempotent(view):
    return _idempotent(view, form_field=False)


def idempotent_form(view):
    """``idempotent`` for a web form: the key is also taken from the hidden form field
    ``idempotency_key`` (rendered new with the form), so a double-click or a resent form
    runs once and the second request gets the first one's page. Place it under the page's
    role check."""
    return _idempotent(view, form_field=True)


def new_form_key() -> str:
    """A fresh key for a form's hidden ``idempotency_key`` field."""
    return uuid.uuid4().hex


def _idempotent(view, *, form_field: bool):
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None and form_field and request.method == "POST":
            key = request.form.get(FORM_FIELD) or None
        if key is None:
            return view(*args, **kwargs)
        key = key.strip()
        if not 0 < len(key) <= MAX_KEY or "\x00" in key:
            return problem(
                400,
                "Bad Request",
                f"{HEADER} must be 1 to {MAX_KEY} characters, no NUL",
                errors={HEADER: [f"1 to {MAX_KEY} characters, no NUL (U+0000)"]},
            )
        user = current_user()
        if user is None:
            return view(*args, **kwargs)  # the role check answers 401
        method_path = f"{request.method} {request.path}"[:300]
        digest = _request_hash(method_path)
        # End the read transaction of the role check without expiring the caller's user
        # object (a rollback would, and reloading it later would wait on our own lock).
        get_session().commit()
        return _run_once(
            view, args, kwargs, user_id=user.id, key=key, method_path=method_path, digest=digest
        )

    return wrapper
