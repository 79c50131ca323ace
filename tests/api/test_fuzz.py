"""Property-based fuzzing of the whole JSON API with schemathesis, on the demo data set.

Whatever a client sends, valid or not (generated from /api/openapi.json in positive and
negative modes), the answer is never a 5xx and every 4xx is application/problem+json.
About half the identifiers (depot codes, part numbers, serials, ticket references, ...)
are swapped for ones that exist, so requests get past "not found" into the services.

Deeper runs by hand (FUZZ_SHRINK=1 shrinks a failure to its smallest request):
FUZZ_EXAMPLES=200 FUZZ_SEED=7 pytest -q tests/api/test_fuzz.py

Hypothesis drives each operation here rather than schemathesis' ``@schema.parametrize``,
whose pytest plugin renames test nodes through an attribute pytest 9.2 no longer has.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from bench.fuzz_known import (
    known_identifiers,
    path_parameters_with_known,
    restore_accounts,
    seed_fuzz_demo,
    seeded_accounts,
    with_known,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
SEED = int(os.environ.get("FUZZ_SEED", "20261122"))
ROLES = ("admin", "warehouse", "dispatcher", "engineer", "customer")
TOKENS = {role: f"demo-{role}-token" for role in ROLES}


@pytest.fixture(scope="session")
def demo_app(sqlite_template, tmp_path_factory):
    """The app on a SQLite copy of the demo data set, seeded once per test session."""
    from app import create_app

    path = tmp_path_factory.mktemp("fuzz") / "demo.db"
    shutil.copy(sqlite_template, path)
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "TESTING": True,
            "SECRET_KEY": "test",
            "RATELIMIT_STORAGE_URI": "memory://",
            "TRACKING_RATE_LIMIT": "100000 per minute",
        }
    )
    seed_fuzz_demo(app)
    yield app
    app.extensions["sparelog.db"].engine.dispose()


def _credentials(app):
    """Users (role, customer, active) and tokens (revoked?) as seeded."""
    with app.extensions["sparelog.db"].sessions() as db:
        return seeded_accounts(db)


def _restore_credentials(app, seeded) -> None:
    """Undo what the fuzzer did to accounts (it may revoke its own token, deactivate a user
    or change a role: all legitimate calls), so the next operation runs as the same role."""
    with app.extensions["sparelog.db"].sessions() as db:
        restore_accounts(db, seeded)
        db.commit()


def error_is_problem_json(ctx, response, case) -> None:
    """DESIGN.md §8: every error answer is application/problem+json."""
    if response.status_code >= 400:
        content_type = (response.headers.get("content-type") or [""])[0]
        assert content_type.startswith("application/problem+json"), (
            f"{response.status_code} answered as {content_type!r}: {response.content[:200]!r}"
        )


# Every answer must match the spec: no 5xx, a documented status, the documented media type
# and a body valid against the documented schema; every error is problem+json.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_is_problem_json,
]


@pytest.fixture(scope="session")
def api_schema(demo_app):
    """The app's own OpenAPI document, with hooks that swap in identifiers that exist."""
    with demo_app.extensions["sparelog.db"].sessions() as db:
        known = known_identifiers(db)
    config = schemathesis.config.SchemathesisConfig.from_dict({"generation": {"database": "none"}})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", demo_app, config=config)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        return path_parameters_with_known(context.operation.path, path_parameters, known)

    @schema.hook
    def flatmap_query(context, query):
        return with_known(query or {}, known)

    @schema.hook
    def flatmap_body(context, body):
        return with_known(body, known)

    return schema


def _fuzz(operation, headers: dict[str, str], tally: dict[str, int]) -> str | None:
    """Run one operation's cases, valid and invalid; the failure, or None."""
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink]
        if os.environ.get("FUZZ_SHRINK")
        else [Phase.generate],
    )
    @given(case=strategy)
    def run(case):
        response = case.call(headers=headers)
        tally["examples"] += 1
        tally[f"status {response.status_code}"] = tally.get(f"status {response.status_code}", 0) + 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        run()
    except (
        AssertionError,
        FailureGroup,
    ) as error:  # report it with the operation, go on with the next
        return f"{operation.label}: {error}"
    return None


def _report(role: str, tally: dict[str, int], failures: int) -> None:
    """FUZZ_REPORT=path appends one JSON line per role (the totals in BENCHMARKS.md)."""
    path = os.environ.get("FUZZ_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(
                json.dumps({"role": role, "seed": SEED, "failures": failures, **tally}) + "\n"
            )


@pytest.mark.slow
@pytest.mark.parametrize("role", sorted(TOKENS))
def test_no_client_input_gets_a_5xx_and_every_error_is_problem_json(api_schema, demo_app, role):
    headers = {"Authorization": f"Bearer {TOKENS[role]}"}
    failures = []
    tally = {"operations": 0, "examples": 0}
    seeded = _credentials(demo_app)
    for result in api_schema.get_all_operations():
        tally["operations"] += 1
        _restore_credentials(demo_app, seeded)
        failure = _fuzz(result.ok(), headers, tally)
        if failure:
            failures.append(failure)
    _report(role, tally, len(failures))
    assert not failures, "\n\n".join(failures)
