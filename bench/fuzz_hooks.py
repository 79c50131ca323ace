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
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update

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
from models.db import make_engine


@cache
def _engine() -> Engine:
    return make_engine(os.environ["FUZZ_DATABASE_URL"], pool_size=1, max_overflow=0)


@cache
def _known() -> dict[str, list]:
    with _engine().connect() as db:

        def first(column, n=8) -> list:
            return list(db.scalars(select(column).order_by(column).limit(n)))

        depots, customers, sites = first(Depot.code), first(Customer.code), first(Site.code)
        parts, contracts = first(Part.part_number), first(Contract.code)
        serials = first(SerialItem.serial, 6) + list(
            db.scalars(select(SerialItem.serial).where(SerialItem.condition != "good").limit(4))
        )
        tickets, rmas = first(Ticket.number), first(Rma.number)
        return {
            **dict.fromkeys(
                ("depot", "from_depot", "to_depot", "pickup_depot", "return_depot"), depots
            ),
            **dict.fromkeys(("depot_code", "depots.code"), depots),
            **dict.fromkeys(
                ("part_number", "faulty_part_number", "replacement_part_number"), parts
            ),
            **dict.fromkeys(("serial", "faulty_serial", "serials"), serials),
            "equipment_serial": first(Equipment.serial),
            **dict.fromkeys(("customer", "customer_code", "customers.code"), customers),
            **dict.fromkeys(("site", "site_code"), sites),
            **dict.fromkeys(("contract", "contract_code", "contracts.code"), contracts),
            **dict.fromkeys(("engineer", "engineers"), first(Engineer.code)),
            "username": first(User.username),
            **dict.fromkeys(("ticket", "tickets.ref"), tickets),
            "rmas.ref": rmas,
            "track.code": first(Rma.tracking_code),
            "tickets.action": ["acknowledge", "arrive", "resolve"],
        }


@cache
def _seeded() -> tuple[list, list]:
    with _engine().connect() as db:
        users = [
            tuple(r) for r in db.execute(select(User.id, User.role, User.customer_id, User.active))
        ]
        tokens = [tuple(r) for r in db.execute(select(ApiToken.id, ApiToken.revoked_at))]
    return users, tokens


def _maybe_known(value, pool: list) -> st.SearchStrategy:
    if not pool:
        return st.just(value)
    known = (
        st.lists(st.sampled_from(pool), min_size=1, max_size=3)
        if isinstance(value, list)
        else st.sampled_from(pool)
    )
    return st.one_of(st.just(value), known)


def _with_known(value, depth: int = 0) -> st.SearchStrategy:
    known = _known()
    if isinstance(value, dict):
        return st.fixed_dictionaries(
            {
                key: _maybe_known(item, known[key])
                if key in known
                else (_with_known(item, depth + 1) if depth < 2 else st.just(item))
                for key, item in value.items()
            }
        )
    if isinstance(value, list) and value and depth < 2:
        return st.tuples(*(_with_known(item, depth + 1) for item in value)).map(list)
    return st.just(value)


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    resource = context.operation.path.removeprefix("/api/").split("/")[0]
    known = _known()
    return st.fixed_dictionaries(
        {
            name: _maybe_known(value, known.get(f"{resource}.{name}", known.get(name, [])))
            for name, value in (path_parameters or {}).items()
        }
    )


@schemathesis.hook
def flatmap_query(context, query):
    return _with_known(query or {})


@schemathesis.hook
def flatmap_body(context, body):
    return _with_known(body)


@schemathesis.hook
def after_call(context, case, response):
    """Put the accounts back as seeded (roles, customers, active, tokens)."""
    users, tokens = _seeded()
    with _engine().begin() as db:
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


_seeded()  # the accounts as seeded, read before the first call can change them
