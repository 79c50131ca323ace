"""The JSON API: one blueprint per resource, registered on the flask-smorest Api."""

from __future__ import annotations

import re

from flask import Flask

from app.api.common import require_json, screen_input


def blueprints() -> list:
    from app.api import (
        allocations,
        audit,
        calendar,
        catalogue,
        complaints,
        counts,
        customers,
        depots,
        dispatch,
        documents_api,
        health,
        indicators,
        inspections,
        knowledge,
        planning,
        reorder,
        repairs,
        rmas,
        route_plans,
        rtv,
        service_files,
        stock,
        tickets,
        tracking,
        transfers,
        users,
        vans,
        visits,
        webhooks,
    )

    mods = [health, users, depots, catalogue, stock, counts, transfers, audit]
    mods += [tickets, visits, rmas, tracking, dispatch, route_plans, customers, repairs]
    mods += [documents_api, allocations, planning, knowledge, calendar, webhooks, vans]
    mods += [reorder]
    mods += [rtv]
    mods += [complaints, indicators, service_files]
    mods += [inspections]
    return [m.blp for m in mods]


def register_api(app: Flask, api) -> None:
    from app.extensions import csrf

    for blp in blueprints():
        csrf.exempt(blp)
        api.register_blueprint(blp)
    document_error_answers(app, api)

    @app.before_request
    def _json_bodies_only():
        from flask import request

        if request.path.startswith("/api/"):
            from app.auth import check_roles_before_parsing

            denied = check_roles_before_parsing()
            if denied is not None or (request.method == "GET" and not request.query_string):
                return denied  # a bare GET has no body or query to screen
            return require_json() or screen_input()
        return None


_WRITES = ("post", "put", "patch", "delete")
_PATH_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def error_answers(operation: dict, view, method: str, path: str) -> list[tuple[str, str]]:
    """The error statuses an operation can answer and their response components: 401 when
    it needs credentials, 403 when some role may not call it, 404 when a path variable names
    something, 409 for a write (a lost race, a taken code, a move the status does not
    allow)."""
    from app.auth import ALL_ROLES

    answers = []
    if operation.get("security") != []:
        answers.append(("401", "UNAUTHORIZED"))
        roles = getattr(view, "_roles", None)
        if getattr(view, "_action_roles", None) or (roles and set(ALL_ROLES) - set(roles)):
            answers.append(("403", "FORBIDDEN"))
    if "{" in path:
        answers.append(("404", "NOT_FOUND"))
    if method in _WRITES:
        answers.append(("409", "CONFLICT"))
    return answers


def document_error_answers(app: Flask, api) -> None:
    """Give every operation in the OpenAPI document the 401/403/404/409 answers it can
    give (those a view documents itself keep their own description)."""
    paths = api.spec._paths  # apispec keeps the operations here until the document is built
    for rule in app.url_map.iter_rules():
        path = _PATH_VARIABLE.sub(r"{\1}", rule.rule)
        if path not in paths:
            continue
        view = app.view_functions[rule.endpoint]
        for method in rule.methods or ():
            operation = paths[path].get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status, component in error_answers(operation, view, method.lower(), path):
                if status not in responses:
                    responses[status] = api.spec.components.get_ref("response", component)
