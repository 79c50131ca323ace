"""Shared fixtures: real databases (SQLite and PostgreSQL), the app, its client, builders.

PostgreSQL is the server on 127.0.0.1:5432 (override with TEST_PG_ADMIN_URL); each test
run gets its own database, created here and dropped at the end. If the server cannot be
reached the tests that need it FAIL (never skip): CI must notice a missing service.
"""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from models.db import make_engine, make_session_factory
from models.migrate import upgrade

# Most tests run the app in production mode (the default); production needs the address
# customers reach it at (app/config.py). Servers the tests start inherit it.
os.environ.setdefault("PUBLIC_BASE_URL", "http://localhost:5000")

PG_ADMIN_URL = os.environ.get(
    "TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DATA_DIR = Path(
    os.environ.get("SPARELOG_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data")
)


# `make test` runs the suite in one process per core (pytest-xdist, --dist loadgroup). Tests
# that open dozens of PostgreSQL connections at once (the load tests' gunicorn servers, the
# 50-connection races) run in one process, one after another: two side by side could pass the
# server's max_connections (100 by default) and fail on "too many clients".
MANY_CONNECTIONS = pytest.mark.xdist_group("many-postgres-connections")


def in_folder(items, folder: Path, *marks) -> None:
    """Mark every collected test below ``folder`` with ``marks``."""
    for item in items:
        if folder in Path(item.fspath).parents:
            for mark in marks:
                item.add_marker(mark)


def pg_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@contextmanager
def fresh_pg_database(prefix: str, purpose: str = "this test"):
    """A new, migrated PostgreSQL database (its URL), dropped afterwards. The server
    unreachable: the test FAILS (never skips)."""
    import psycopg

    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin = psycopg.connect(pg_dsn(PG_ADMIN_URL), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is required for {purpose} and is unreachable at {PG_ADMIN_URL}: {error}"
        )
    admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid()",
            (name,),
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@contextmanager
def migrated_database(kind: str, tmp_path, prefix: str, purpose: str = "this test"):
    """A new database migrated to the head, by ``kind``: a SQLite file under ``tmp_path``
    or a PostgreSQL database (``fresh_pg_database``); its URL."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / f'{prefix}.db'}"
        upgrade(url)
        yield url
    else:
        with fresh_pg_database(prefix, purpose) as url:
            yield url


@contextmanager
def session_at(url: str):
    """A session on the database at ``url``; its engine is closed afterwards."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def schema_of(url: str, table: str | None = None) -> set[str]:
    """The names of the database's tables, or of ``table``'s columns."""
    engine = make_engine(url)
    try:
        found = inspect(engine)
        if table is None:
            return set(found.get_table_names())
        return {c["name"] for c in found.get_columns(table)}
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_database_url():
    """A fresh, migrated PostgreSQL database for this test run."""
    with fresh_pg_database("sparelog_test") as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def truncate_pg(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            )
        ]
        if tables:
            conn.execute(
                text(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
                )
            )
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, sqlite_template) -> str:
    """An empty, migrated database on each backend in turn."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database_url")
    truncate_pg(url)
    return url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine):
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory):
    with session_factory() as s:
        yield s


@pytest.fixture
def app(database_url, tmp_path):
    from app import create_app

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "TESTING": True,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    yield app
    app.extensions["sparelog.db"].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A session on the app's database, for arranging and checking state."""
    with app.extensions["sparelog.db"].sessions() as s:
        yield s
