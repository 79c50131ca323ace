"""Backing up and restoring the whole database (no Flask; ``flask db backup/restore`` call it).

SQLite: Python's ``sqlite3`` online backup API copies the live file page by page in one
read transaction, so the copy is consistent while the app keeps writing; the copy is a
single self-contained file (rollback journal, no ``-wal``). A restore copies it back into
the live file through the same API (the database's own locking, no file swapping).

PostgreSQL: ``pg_dump -Fc`` (custom format) and ``pg_restore --clean --if-exists --no-owner
--single-transaction``: a restore that fails half-way rolls back and leaves the database
as it was. The tools come from PATH (or Debian's ``/usr/lib/postgresql/<major>/bin``) and
must not be older than the server. The password travels in ``PGPASSWORD``, never on the
command line.

A file is accepted for restore only if it is a backup of this database's kind (SQLite file
or PostgreSQL custom dump) holding this application's schema (``alembic_version`` and the
ledger tables); everything is checked before anything in the database is touched.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url

from models.db import make_engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# Tables a file must hold to count as a backup of this application.
REQUIRED_TABLES = ("alembic_version", "movements", "serial_items", "stock_quantities", "events")
SKIPPED_TABLES = {"alembic_version"}


class BackupError(Exception):
    """A backup or restore that cannot (or did not) happen; ``str()`` says why, for an operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    kind: str  # "sqlite" | "postgresql"
    size_bytes: int
    revision: str | None  # the Alembic revision the data belongs to
    counts: dict[str, int]  # table -> rows, as held by the backup


@dataclass(frozen=True)
class RestoreResult:
    kind: str
    revision: str | None
    counts: dict[str, int]  # table -> rows, as now in the database


def head_revision() -> str | None:
    """The newest Alembic revision this code base knows."""
    from alembic.script import ScriptDirectory

    from models.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def dialect_of(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def file_kind(path: Path) -> str | None:
    """``"sqlite"``, ``"postgresql"`` (custom-format dump) or None, from the first bytes."""
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    return None


def table_counts(url: str) -> dict[str, int]:
    """Rows per application table in the database at ``url`` (Alembic's own table left out).
    Reads only: on SQLite no write lock is taken (the app's engine begins IMMEDIATE)."""
    if dialect_of(url) == "sqlite":
        return _sqlite_counts(_sqlite_path(url))
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return _counts(conn, sorted(inspect(conn).get_table_names()))
    finally:
        engine.dispose()


def _counts(conn, tables: list[str]) -> dict[str, int]:
    return {
        t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
        for t in tables
        if t not in SKIPPED_TABLES
    }


def backup(url: str, path: Path) -> BackupResult:
    """Write a consistent backup of the database at ``url`` to ``path`` (replaced atomically)."""
    kind = dialect_of(url)
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} is a directory; give a file name")
    if not path.parent.is_dir():
        raise BackupError(f"directory {path.parent} does not exist")
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        revision, counts = (
            _sqlite_backup(url, partial) if kind == "sqlite" else _pg_backup(url, partial)
        )
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path, kind, path.stat().st_size, revision, counts)


def check_backup(url: str, path: Path) -> str | None:
    """Refuse (BackupError) a file that is not a backup of this database's kind and schema;
    return the Alembic revision it holds. Reads the file only."""
    kind = dialect_of(url)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file")
    found = file_kind(path)
    if found is None:
        raise BackupError(
            f"{path} is not a backup: neither an SQLite database nor a PostgreSQL "
            f"custom-format dump (pg_dump -Fc)"
        )
    if found != kind:
        raise BackupError(
            f"{path} is a {_label(found)} backup but this database is {_label(kind)}; "
            f"restore it into a {_label(found)} database"
        )
    return _sqlite_check(path) if kind == "sqlite" else _pg_check(url, path)


def restore(url: str, path: Path) -> RestoreResult:
    """Replace the contents of the database at ``url`` with the backup at ``path``.

    The file is checked first (``check_backup``); a restore that fails part-way leaves the
    database as it was (SQLite: one write transaction; PostgreSQL: ``--single-transaction``).
    """
    revision = check_backup(url, path)
    if dialect_of(url) == "sqlite":
        _sqlite_restore(url, Path(path))
    else:
        _pg_restore(url, Path(path))
    return RestoreResult(dialect_of(url), revision, table_counts(url))


def _label(kind: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]


# --- SQLite ----------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(
            f"cannot back up the SQLite database {database or ':memory:'!r}: "
            "only a database file can be backed up"
        )
    path = Path(database)
    if not path.is_file():
        raise BackupError(f"the SQLite database file {path} does not exist")
    return path


def _sqlite_connect(path: Path, mode: str) -> sqlite3.Connection:
    """Open without ever creating a file (``mode`` is ``ro`` or ``rw``)."""
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=30, isolation_level=None
    )
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _sqlite_backup(url: str, partial: Path) -> tuple[str | None, dict[str, int]]:
    source = _sqlite_connect(_sqlite_path(url), "rw")
    target = sqlite3.connect(partial, isolation_level=None)
    try:
        source.backup(target)  # pages=-1: the whole file in one step, one read transaction
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    except sqlite3.Error as error:
        raise BackupError(f"SQLite backup failed: {error}") from error
    finally:
        target.close()
        source.close()
    return _sqlite_check(partial), _sqlite_counts(partial)


def _sqlite_counts(path: Path) -> dict[str, int]:
    conn = _sqlite_connect(path, "ro")
    try:
        tables = sorted(
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        )
        return {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in tables
            if t not in SKIPPED_TABLES
        }
    finally:
        conn.close()


def _sqlite_check(path: Path) -> str | None:
    try:
        conn = _sqlite_connect(path, "ro")
    except sqlite3.Error as error:
        raise BackupError(f"{path} cannot be opened as an SQLite database: {error}") from error
    try:
        verdict = [r[0] for r in conn.execute("PRAGMA quick_check")]
        if verdict != ["ok"]:
            raise BackupError(f"{path} is damaged (SQLite quick_check: {'; '.join(verdict[:3])})")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        _require_tables(path, tables)
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.Error as error:
        raise BackupError(f"{path} is not a readable SQLite backup: {error}") from error
    finally:
        conn.close()


def _require_tables(path: Path, tables: set[str]) -> None:
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise BackupError(
            f"{path} is not a backup of this application's database (no table {', '.join(missing)})"
        )


def _sqlite_restore(url: str, path: Path) -> None:
    source = _sqlite_connect(path, "ro")
    target = _sqlite_connect(_sqlite_path(url), "rw")
    try:
        source.backup(target)  # replaces every page of the live file under its write lock
    except sqlite3.Error as error:
        raise BackupError(f"SQLite restore failed, the database is unchanged: {error}") from error
    finally:
        target.close()
        source.close()


# --- PostgreSQL ------------------------------------------------------------------------


@dataclass(frozen=True)
class PgCommand:
    """A client tool invocation: argv without secrets, and the environment carrying them."""

    argv: list[str]
    env: dict[str, str]


def libpq_target(url: str | URL) -> tuple[str, dict[str, str]]:
    """(connection URI without the password, environment with ``PGPASSWORD`` if any) for
    libpq tools, from a SQLAlchemy URL such as ``postgresql+psycopg://u:p@h:5432/db``."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "postgresql":
        raise BackupError(f"not a PostgreSQL URL: {parsed.render_as_string()}")
    env: dict[str, str] = {}
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    # URL.set() ignores None, so build the password-less URL afresh
    bare = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    uri = bare.render_as_string(hide_password=False)
    return uri, env


def pg_dump_command(
    url: str, path: Path, *, binary: str = "pg_dump", snapshot: str | None = None
) -> PgCommand:
    uri, env = libpq_target(url)
    argv = [binary, "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"]
    if snapshot:
        argv.append(f"--snapshot={snapshot}")
    return PgCommand([*argv, f"--dbname={uri}"], env)


def pg_restore_command(
    url: str, path: Path, *, binary: str = "pg_restore", lock_timeout_ms: int = 60_000
) -> PgCommand:
    uri, env = libpq_target(url)
    argv = [
        binary,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={uri}",
        str(path),
    ]
    # A session stuck inside a transaction must not make the restore wait for ever.
    options = f"{os.environ.get('PGOPTIONS', '')} -c lock_timeout={lock_timeout_ms}".strip()
    return PgCommand(argv, {**env, "PGOPTIONS": options})


_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


def _tool_major(binary: str) -> int | None:
    try:
        out = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except OSError:
        return None
    match = _VERSION.search(out)
    return int(match.group(1)) if match else None


def find_pg_tool(name: str, server_major: int) -> str:
    """The path of ``name`` (pg_dump / pg_restore) whose major version is at least the
    server's: PATH first, then Debian's versioned directory."""
    candidates = [shutil.which(name), f"/usr/lib/postgresql/{server_major}/bin/{name}"]
    seen: list[str] = []
    for candidate in candidates:
        if not candidate or not os.access(candidate, os.X_OK):
            continue
        major = _tool_major(candidate)
        if major is not None and major >= server_major:
            return candidate
        seen.append(f"{candidate} ({major or 'unknown version'})")
    if not seen:
        raise BackupError(
            f"{name} not found on PATH; install the PostgreSQL client tools "
            f"(version {server_major} or newer)"
        )
    raise BackupError(
        f"the server runs PostgreSQL {server_major} but only an older {name} was found: "
        f"{', '.join(seen)}; install the version {server_major} client tools"
    )


def _run(command: PgCommand, what: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **command.env}
    result = subprocess.run(command.argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what} failed (exit {result.returncode}): " + " / ".join(detail[-5:]))
    return result


def _pg_backup(url: str, partial: Path) -> tuple[str | None, dict[str, int]]:
    """pg_dump inside a snapshot exported by our own repeatable-read transaction, so the
    row counts reported are exactly those of the dump."""
    engine = make_engine(url)
    try:
        with (
            engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
            conn.begin(),
        ):
            server_major = conn.execute(text("SHOW server_version_num")).scalar_one()
            binary = find_pg_tool("pg_dump", int(server_major) // 10000)
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables = sorted(inspect(conn).get_table_names())
            counts = _counts(conn, tables)
            revision = (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if "alembic_version" in tables
                else None
            )
            _run(pg_dump_command(url, partial, binary=binary, snapshot=snapshot), "pg_dump")
    finally:
        engine.dispose()
    return revision, counts


def _server_major(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    finally:
        engine.dispose()


_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?:DATA )?(\S+) (\S+)", re.MULTILINE)


def _pg_check(url: str, path: Path) -> str | None:
    """List the dump's table of contents (pg_restore --list): a damaged or foreign file is
    refused here, before the database is touched."""
    binary = find_pg_tool("pg_restore", _server_major(url))
    try:
        listing = _run(PgCommand([binary, "--list", str(path)], {}), f"reading {path}").stdout
    except BackupError as error:
        raise BackupError(f"{path} is not a readable PostgreSQL dump: {error}") from None
    tables = {name for _schema, name in _TOC_TABLE.findall(listing)}
    _require_tables(path, tables)
    data = _run(
        PgCommand([binary, "--data-only", "--table=alembic_version", "--file=-", str(path)], {}),
        f"reading {path}",
    ).stdout
    match = re.search(r"^COPY \S*alembic_version .*?FROM stdin;\n(\S+)\n", data, re.MULTILINE)
    return match.group(1) if match else None


def _pg_restore(url: str, path: Path) -> None:
    binary = find_pg_tool("pg_restore", _server_major(url))
    try:
        _run(pg_restore_command(url, path, binary=binary), "pg_restore")
    except BackupError as error:
        raise BackupError(
            f"{error} — the restore ran in one transaction and was rolled back; "
            "the database is unchanged"
        ) from None
