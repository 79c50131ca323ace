"""The JSON API: one blueprint per resource, registered on the flask-smorest Api."""

from __future__ import annotations

from flask import Flask

from app.api.common import require_json, screen_input


def blueprints() -> list:
    from app.api import (
        allocations,
        audit,
        calendar,
        catalogue,
        counts,
        customers,
        depots,
        dispatch,
        documents_api,
        health,
        knowledge,
        planning,
        reorder,
        repairs,
        rmas,
        route_plans,
        rtv,
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
    return [m.blp for m in mods]


def register_api(app: Flask, api) -> None:
    from app.extensions import csrf

    for blp in blueprints():
        csrf.exempt(blp)
        api.register_blueprint(blp)

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
