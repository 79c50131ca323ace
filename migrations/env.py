"""Alembic environment: the URL comes from the caller (models.migrate) or DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context

import models
from models.db import make_engine

config = context.config
target_metadata = models.Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or os.environ["DATABASE_URL"]


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # SQLite's recipe for rebuilding a table (what batch mode does): foreign keys off
            # while the schema changes, or dropping the old copy of a referenced table fails
            # (on the driver's connection, before SQLAlchemy's BEGIN IMMEDIATE: inside a
            # transaction SQLite ignores this pragma)
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
