"""Every error leaves the API as application/problem+json (RFC 9457), mapped in one place."""

from __future__ import annotations

import logging
from functools import partial

import marshmallow as ma
from flask import Response, g, render_template, render_template_string, request, session
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from app.background import JobQueueUnavailable
from app.photos import PhotoStoreUnavailable
from app.problem import PROBLEM, problem
from app.web.i18n import error_text
from inventory.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, TooLarge

__all__ = [
    "PROBLEM",
    "ProblemApi",
    "ProblemSchema",
    "flatten_messages",
    "problem",
    "register_error_handlers",
    "unavailable",
]

log = logging.getLogger(__name__)


def flatten_messages(messages, prefix: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow nest messages by location and field; clients want
    ``{"lines.0.serial": ["..."]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if not prefix and key in (
                "json",
                "query",
                "form",
                "files",
                "headers",
                "path",
                "view_args",
            ):
                flat.update(flatten_messages(value, ""))
                continue
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_messages(value, name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            flat.update(flatten_messages(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


def _wants_problem() -> bool:
    return request.path.startswith("/api")


_HTML_ERROR = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{{ code }}</title>
<body style="font-family:sans-serif;margin:3rem"><h1>{{ code }} {{ name }}</h1><p>{{ detail }}</p>
<p><a href="/">返回首页 / Home</a></p></body></html>"""


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as every error of this API is answered."""

    class Meta:
        unknown = ma.INCLUDE  # extensions such as ``shortfall`` ride along

    type = ma.fields.String(metadata={"example": "about:blank"})
    title = ma.fields.String(required=True, metadata={"example": "Unprocessable Entity"})
    status = ma.fields.Integer(required=True, metadata={"example": 422})
    detail = ma.fields.String()
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "messages per field, e.g. lines.0.serial"},
    )


class ProblemApi(Api):
    """flask-smorest Api whose HTTP errors are problem documents, and say so in the spec."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        """Every error response in the spec is application/problem+json with ProblemSchema
        (flask-smorest's default says application/json with its own error schema)."""
        import http

        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(
                response,
                self.spec,
                PROBLEM if status >= 400 else self.DEFAULT_RESPONSE_CONTENT_TYPE,
            )
            self.spec.components.response(status.name, response, lazy=True)
        response = {
            "description": "Default error response (problem details)",
            "schema": self.ERROR_SCHEMA,
        }
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error: HTTPException):  # type: ignore[override]
        # the exception's own headers ride along: Allow on a 405, WWW-Authenticate on a 401
        own = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        if not _wants_problem():
            if error.code and error.code >= 500:
                log.exception("server error", exc_info=error)
            return (
                render_template_string(
                    _HTML_ERROR, code=error.code, name=error.name, detail=error.description
                ),
                error.code or 500,
                own,
            )
        data = getattr(error, "data", None) or {}
        errors = None
        if "errors" in data:
            errors = flatten_messages(data["errors"])
        elif "messages" in data:
            errors = flatten_messages(data["messages"])
        detail = data.get("message")
        if errors and not detail:
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in list(errors.items())[:5])
        if not detail and error.code != 500:
            detail = error.description
        return problem(
            error.code or 500,
            error.name,
            detail,
            errors=errors,
            headers=own | (data.get("headers") or {}),
        )


def unavailable(detail: str, *, retry_after_s: int) -> Response:
    """503 with Retry-After: a problem document under /api, a page in the viewer's
    language elsewhere (a plain bilingual one if even that cannot be rendered)."""
    headers = {"Retry-After": str(retry_after_s)}
    if _wants_problem():
        return problem(503, "Service Unavailable", detail, headers=headers)
    try:
        from app.web.i18n import t

        body = render_template("error.html", code=503, message=t("error.unavailable"))
    except Exception:  # the page itself needs what is down: the plain one
        log.exception("the 503 page could not be rendered")
        body = render_template_string(
            _HTML_ERROR,
            code=503,
            name="Service Unavailable",
            detail="服务暂时不可用，请稍后重试。 The service is unavailable for a moment; retry shortly.",
        )
    return Response(body, status=503, headers=headers, mimetype="text/html")


# The HTTP answer to each domain error (NotFound: 404, or 422 when the request body named it).
DOMAIN_STATUS: dict[type[DomainError], tuple[int, str]] = {
    InvalidInput: (422, "Unprocessable Entity"),
    TooLarge: (413, "Content Too Large"),
    Conflict: (409, "Conflict"),
    Forbidden: (403, "Forbidden"),
}


def _domain_problem(error: DomainError, status: int, title: str):
    details = dict(error.details)  # may carry its own per-field messages
    detail = error.message
    if error.key and "Authorization" not in request.headers and session.get("user_id"):
        detail = error_text(error)  # a page's own call: the reader's language
    errors = details.pop("errors", None) or ({error.field: [detail]} if error.field else None)
    return problem(status, title, detail, errors=errors, **details)


def register_error_handlers(app) -> None:
    @app.errorhandler(NotFound)
    def _not_found(error: NotFound):
        # something named in the request body that does not exist is an input error
        in_path = error.field in (request.view_args or {})
        if error.field and not in_path and request.method in ("POST", "PUT", "PATCH", "DELETE"):
            return _domain_problem(error, 422, "Unprocessable Entity")
        return _domain_problem(error, 404, "Not Found")

    for kind, (status, title) in DOMAIN_STATUS.items():
        app.register_error_handler(kind, partial(_domain_problem, status=status, title=title))

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError):
        log.warning("integrity error: %s", error.orig)
        return problem(409, "Conflict", "the request conflicts with existing data")

    @app.errorhandler(DataError)
    def _unstorable(error: DataError):
        # a value the schemas let through that the database rejects (a NUL in a path segment)
        log.warning("data error: %s", error.orig)
        return problem(
            422,
            "Unprocessable Entity",
            "a value in the request is not valid for the database (too long, out of range or holding NUL)",
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def _database_unavailable(error: Exception):
        # locked (SQLite), restarting, unreachable or out of connections (PostgreSQL)
        log.warning("database unavailable: %s", getattr(error, "orig", None) or error)
        g.current_user = None  # the page must not ask the database who is signed in
        return unavailable("the database does not answer; retry shortly", retry_after_s=1)

    @app.errorhandler(JobQueueUnavailable)
    def _queue_unavailable(error: JobQueueUnavailable):
        return unavailable(str(error), retry_after_s=error.retry_after_s)

    @app.errorhandler(PhotoStoreUnavailable)
    def _photos_unavailable(error: PhotoStoreUnavailable):
        log.warning("photo store unavailable: %s", error.__cause__ or error)
        return unavailable(str(error), retry_after_s=error.retry_after_s)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return app.extensions["sparelog.api"].handle_http_exception(error)
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return _database_unavailable(error)
        log.exception("unhandled error")
        if _wants_problem():
            return problem(
                500, "Internal Server Error", "an unexpected error happened; it was logged"
            )
        return render_template_string(
            _HTML_ERROR,
            code=500,
            name="Internal Server Error",
            detail="an unexpected error happened",
        ), 500
