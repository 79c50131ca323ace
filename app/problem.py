"""The one problem+json (RFC 9457) response builder, for the error handlers and the views."""

from __future__ import annotations

from flask import Response, json

PROBLEM = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    errors: dict | None = None,
    headers: dict | None = None,
    **extra,
) -> Response:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
