"""What both API fuzzers share (``tests/api/test_fuzz.py`` in process, ``bench/fuzz_live.py``
through ``bench/fuzz_hooks.py`` against a live server): the demo data they run on, the
identifiers that exist in it (about half of the generated ones are swapped for these, so
that requests reach the services instead of stopping at "not found"), and the accounts as
seeded, put back after the fuzzer legitimately revokes its own token or deactivates a user."""

from __future__ import annotations

from hypothesis import strategies as st
from sqlalchemy import select, update

from inventory.rmas import ACTIONS as RMA_ACTIONS
from models import (
    ApiToken,
    Contract,
    Customer,
    Department,
    Depot,
    Engineer,
    Equipment,
    Inspection,
    Part,
    Rma,
    SerialItem,
    Site,
    Ticket,
    User,
)

# (user id, role, customer id, active) and (token id, revoked_at), as seeded
Accounts = tuple[list[tuple], list[tuple]]


def seed_fuzz_demo(app) -> None:
    """The demo data set both fuzzers run on, in ``app``'s (migrated, empty) database."""
    from app.demo.seed import seed_demo
    from app.demo.service_flow import seed_service_flow

    with app.app_context(), app.extensions["sparelog.db"].sessions() as session:
        seed_demo(session, items_per_depot=20)
        seed_service_flow(session, seed=20261122)


def known_identifiers(db) -> dict[str, list]:
    """Identifiers that exist, by the name of the field, query or path parameter that
    takes them (``resource.name`` for a path parameter of /api/<resource>/...).
    ``db``: a Session or a Connection."""

    def first(column, n=8) -> list:
        return list(db.scalars(select(column).order_by(column).limit(n)))

    depots, customers, sites = first(Depot.code), first(Customer.code), first(Site.code)
    parts, contracts = first(Part.part_number), first(Contract.code)
    serials = first(SerialItem.serial, 6) + list(
        db.scalars(select(SerialItem.serial).where(SerialItem.condition != "good").limit(4))
    )
    tickets = first(Ticket.number)
    return {
        **dict.fromkeys(
            ("depot", "from_depot", "to_depot", "pickup_depot", "return_depot"), depots
        ),
        **dict.fromkeys(("depot_code", "depots.code"), depots),
        **dict.fromkeys(("part_number", "faulty_part_number", "replacement_part_number"), parts),
        **dict.fromkeys(("serial", "faulty_serial", "serials"), serials),
        "equipment_serial": first(Equipment.serial),
        **dict.fromkeys(("customer", "customer_code", "customers.code"), customers),
        **dict.fromkeys(("site", "site_code"), sites),
        **dict.fromkeys(("contract", "contract_code", "contracts.code"), contracts),
        **dict.fromkeys(("engineer", "engineers"), first(Engineer.code)),
        "username": first(User.username),
        **dict.fromkeys(("ticket", "tickets.ref"), tickets),
        "rmas.ref": first(Rma.number),
        "inspections.number": first(Inspection.number),
        "department": first(Department.code),
        "customers.period": ["2026Q3", "2025"],
        "track.code": first(Rma.tracking_code),
        "tickets.action": ["acknowledge", "arrive", "resolve"],
        "rmas.action": sorted(RMA_ACTIONS),
    }


def seeded_accounts(db) -> Accounts:
    """The users and tokens as they are now (read before the first fuzzed call)."""
    users = [
        tuple(r) for r in db.execute(select(User.id, User.role, User.customer_id, User.active))
    ]
    tokens = [tuple(r) for r in db.execute(select(ApiToken.id, ApiToken.revoked_at))]
    return users, tokens


def restore_accounts(db, seeded: Accounts) -> None:
    """Put the users and tokens back as ``seeded`` (the caller commits)."""
    users, tokens = seeded
    for user_id, role, customer_id, active in users:
        db.execute(
            update(User)
            .where(User.id == user_id)
            .values(role=role, customer_id=customer_id, active=active)
        )
    for token_id, revoked_at in tokens:
        db.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=revoked_at))


def maybe_known(value, pool: list) -> st.SearchStrategy:
    """The generated value, or one (a few, for a list) that exists."""
    if not pool:
        return st.just(value)
    known = (
        st.lists(st.sampled_from(pool), min_size=1, max_size=3)
        if isinstance(value, list)
        else st.sampled_from(pool)
    )
    return st.one_of(st.just(value), known)


def with_known(value, known: dict[str, list], depth: int = 0) -> st.SearchStrategy:
    """A query or body with the fields ``known`` names (two levels deep) maybe swapped."""
    if isinstance(value, dict):
        return st.fixed_dictionaries(
            {
                key: maybe_known(item, known[key])
                if key in known
                else (with_known(item, known, depth + 1) if depth < 2 else st.just(item))
                for key, item in value.items()
            }
        )
    if isinstance(value, list) and value and depth < 2:
        return st.tuples(*(with_known(item, known, depth + 1) for item in value)).map(list)
    return st.just(value)


def path_parameters_with_known(
    path: str, parameters: dict | None, known: dict[str, list]
) -> st.SearchStrategy:
    """An operation's path parameters, each maybe swapped for an existing identifier."""
    resource = path.removeprefix("/api/").split("/")[0]
    return st.fixed_dictionaries(
        {
            name: maybe_known(value, known.get(f"{resource}.{name}", known.get(name, [])))
            for name, value in (parameters or {}).items()
        }
    )
