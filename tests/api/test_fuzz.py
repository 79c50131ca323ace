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
from sqlalchemy import select, update

from inventory.rmas import ACTIONS as RMA_ACTIONS
from models import (
    ApiToken,
    Contract,
    Customer,
    Depot,
    Engineer,
    Equipment,
    Part,
    Rma,
    SerialItem,
    Site,
    Ticket,
    User,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
SEED = int(os.environ.get("FUZZ_SEED", "20261122"))
ROLES = ("admin", "warehouse", "dispatcher", "engineer", "customer")
TOKENS = {role: f"demo-{role}-token" for role in ROLES}


@pytest.fixture(scope="session")
def demo_app(sqlite_template, tmp_path_factory):
    """The app on a SQLite copy of the demo data set, seeded once per test session."""
    from app import create_app
    from app.demo.seed import seed_demo
    from app.demo.service_flow import seed_service_flow

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
    with app.app_context(), app.extensions["sparelog.db"].sessions() as session:
        seed_demo(session, items_per_depot=20)
        seed_service_flow(session, seed=20261122)
    yield app
    app.extensions["sparelog.db"].engine.dispose()


def _known_identifiers(app) -> dict[str, list]:
    with app.extensions["sparelog.db"].sessions() as db:

        def first(column, n=8):
            return list(db.scalars(select(column).order_by(column).limit(n)))

        depots, customers, sites = first(Depot.code), first(Customer.code), first(Site.code)
        serials = first(SerialItem.serial, 6) + list(
            db.scalars(select(SerialItem.serial).where(SerialItem.condition != "good").limit(4))
        )
        return {
            "depot": depots,
            "from_depot": depots,
            "to_depot": depots,
            "pickup_depot": depots,
            "return_depot": depots,
            "depot_code": depots,
            "part_number": first(Part.part_number),
            "faulty_part_number": first(Part.part_number),
            "replacement_part_number": first(Part.part_number),
            "serial": serials,
            "faulty_serial": serials,
            "serials": serials,
            "equipment_serial": first(Equipment.serial),
            "customer": customers,
            "customer_code": customers,
            "site": sites,
            "site_code": sites,
            "contract": first(Contract.code),
            "contract_code": first(Contract.code),
            "engineer": first(Engineer.code),
            "engineers": first(Engineer.code),
            "username": first(User.username),
            "ticket": first(Ticket.number),
            "tickets.ref": first(Ticket.number),
            "rmas.ref": first(Rma.number),
            "track.code": first(Rma.tracking_code),
            "depots.code": depots,
            "tickets.action": ["acknowledge", "arrive", "resolve"],
            "rmas.action": sorted(RMA_ACTIONS),
            "customers.code": customers,
            "contracts.code": first(Contract.code),
        }


def _credentials(app) -> tuple[list[tuple], list[tuple]]:
    """Users (role, customer, active) and tokens (revoked?) as seeded."""
    with app.extensions["sparelog.db"].sessions() as db:
        users = [(u.id, u.role, u.customer_id, u.active) for u in db.scalars(select(User))]
        tokens = [(t.id, t.revoked_at) for t in db.scalars(select(ApiToken))]
    return users, tokens


def _restore_credentials(app, seeded: tuple[list[tuple], list[tuple]]) -> None:
    """Undo what the fuzzer did to accounts (it may revoke its own token, deactivate a user
    or change a role: all legitimate calls), so the next operation runs as the same role."""
    users, tokens = seeded
    with app.extensions["sparelog.db"].sessions() as db:
        for user_id, role, customer_id, active in users:
            db.execute(
                update(User)
                .where(User.id == user_id)
                .values(role=role, customer_id=customer_id, active=active)
            )
        for token_id, revoked_at in tokens:
            db.execute(
                update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=revoked_at)
            )
        db.commit()


def _maybe_known(value, pool: list) -> st.SearchStrategy:
    """The generated value, or one (a few, for a list) that exists."""
    if not pool:
        return st.just(value)
    known = (
        st.lists(st.sampled_from(pool), min_size=1, max_size=3)
        if isinstance(value, list)
        else st.sampled_from(pool)
    )
    return st.one_of(st.just(value), known)


def _with_known(value, known: dict[str, list], depth: int = 0) -> st.SearchStrategy:
    if isinstance(value, dict):
        return st.fixed_dictionaries(
            {
                key: _maybe_known(item, known[key])
                if key in known
                else _with_known(item, known, depth + 1)
                if depth < 2
                else st.just(item)
                for key, item in value.items()
            }
        )
    if isinstance(value, list) and value and depth < 2:
        return st.tuples(*(_with_known(item, known, depth + 1) for item in value)).map(list)
    return st.just(value)


def _resource(path: str) -> str:
    return path.removeprefix("/api/").split("/")[0]


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
    known = _known_identifiers(demo_app)
    config = schemathesis.config.SchemathesisConfig.from_dict({"generation": {"database": "none"}})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", demo_app, config=config)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        resource = _resource(context.operation.path)
        return st.fixed_dictionaries(
            {
                name: _maybe_known(value, known.get(f"{resource}.{name}", known.get(name, [])))
                for name, value in (path_parameters or {}).items()
            }
        )

    @schema.hook
    def flatmap_query(context, query):
        return _with_known(query or {}, known)

    @schema.hook
    def flatmap_body(context, body):
        return _with_known(body, known)

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
