"""schemathesis hooks for ``bench/fuzz_live.py`` (loaded by the CLI as SCHEMATHESIS_HOOKS):
about half the generated identifiers are swapped for ones the demo database holds, so that
requests reach the services instead of stopping at "not found"; after every call the
accounts are put back as seeded (the fuzzer may revoke its own token, deactivate a user,
set a password or change a role: legitimate calls that would cut the run off).

The database is FUZZ_DATABASE_URL (the one the live server serves)."""

from __future__ import annotations

import os
from functools import cache

import schemathesis
from sqlalchemy import Engine

from bench.fuzz_known import (
    Accounts,
    known_identifiers,
    path_parameters_with_known,
    restore_accounts,
    seeded_accounts,
    with_known,
)
from models.db import make_engine


@cache
def _engine() -> Engine:
    return make_engine(os.environ["FUZZ_DATABASE_URL"], pool_size=1, max_overflow=0)


@cache
def _known() -> dict[str, list]:
    with _engine().connect() as db:
        return known_identifiers(db)


@cache
def _seeded() -> Accounts:
    with _engine().connect() as db:
        return seeded_accounts(db)


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    return path_parameters_with_known(context.operation.path, path_parameters, _known())


@schemathesis.hook
def flatmap_query(context, query):
    return with_known(query or {}, _known())


@schemathesis.hook
def flatmap_body(context, body):
    return with_known(body, _known())


@schemathesis.hook
def after_call(context, case, response):
    """Put the accounts back as seeded (roles, customers, active, tokens)."""
    with _engine().begin() as db:
        restore_accounts(db, _seeded())


_seeded()  # the accounts as seeded, read before the first call can change them
