"""Flask application factory."""

from __future__ import annotations

import logging

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

from app.config import check_config, load_config
from app.db import init_db
from app.errors import ProblemApi, register_error_handlers


class _JsonProvider(DefaultJSONProvider):
    ensure_ascii = False  # Chinese names stay readable in API responses
    sort_keys = False


class DatabaseInt(IntegerConverter):
    """`<int:...>` in a path matches only what a database id column can hold (a signed
    64-bit integer); a longer number is an unknown path (404), never a driver error."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)

    @staticmethod
    def param_schema(converter) -> dict:
        return {"type": "integer", "minimum": 0, "maximum": converter.max}


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` overrides the environment (tests pass DATABASE_URL etc.).
    Raises ``app.config.ConfigError`` on a configuration unsafe to serve (no SECRET_KEY in
    production)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path, (config or {}).get("SPARELOG_ENV")))
    if config:
        app.config.update(config)
    check_config(app.config)
    app.json = _JsonProvider(app)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    init_db(app)
    app.url_map.converters["int"] = DatabaseInt
    api = ProblemApi()
    api.init_app(app, spec_kwargs=_spec_kwargs())
    api.register_converter(DatabaseInt, DatabaseInt.param_schema)
    app.extensions["sparelog.api"] = api
    register_error_handlers(app)

    from app import extensions

    extensions.init_app(app)

    from app.api import register_api

    register_api(app, api)

    from app.jobs import init_jobs

    init_jobs(app)  # notification settings for sessions; in-process sweep/outbox runner

    from app.cli import register_cli

    register_cli(app)

    from app.web import register_web

    register_web(app)
    return app


def _spec_kwargs() -> dict:
    return {
        "info": {
            "description": "Depot stock ledger, SLA clocks, dispatch, routing and RMAs. "
            "Send `Authorization: Bearer <token>`; errors are problem+json."
        },
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    }
