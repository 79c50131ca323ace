"""Races for the concurrency tests: one step run in several threads released at the same
instant, each on its own connection when given a session factory."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from inventory.errors import Conflict


def at_once(
    n: int,
    attempt: Callable[..., Any],
    *,
    sessions: sessionmaker[Session] | None = None,
    connect_first: bool = False,
    join_seconds: float = 120,
) -> list[Any]:
    """Run ``attempt(i)`` — or ``attempt(session, i)`` with a session of its own from
    ``sessions`` — in ``n`` threads released by one barrier; what each returned, or the
    exception it raised, in thread order. ``connect_first`` opens each session's connection
    (and transaction) before the start line."""
    barrier = threading.Barrier(n, timeout=60)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            if sessions is None:
                barrier.wait()
                results[i] = attempt(i)
                return
            with sessions() as s:
                if connect_first:
                    s.connection()
                barrier.wait()
                results[i] = attempt(s, i)
        except Exception as error:  # noqa: BLE001 - the test inspects what each got
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(join_seconds)
    return results


def outcomes(results: list[Any]) -> tuple[list[Any], list[Conflict], list[str]]:
    """A race's results as (wins, conflicts, anything else as its repr — a bug to show)."""
    wins = [r for r in results if not isinstance(r, Exception)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    errors = [repr(r) for r in results if isinstance(r, Exception) and not isinstance(r, Conflict)]
    return wins, conflicts, errors
