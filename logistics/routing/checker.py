"""Independent feasibility check of VRPTW routes against a Solomon instance.

DIMACS convention (the one of the CVRPLIB `.sol` best-known solutions): each arc's
Euclidean length is truncated to one decimal and travel time equals that length. The
checker works in integer tenths so that no rounding can hide a late arrival; it does not
use the solver's data structures, only the instance and the routes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from logistics.routing.instances import SolomonInstance


def _arc_tenths(coords: np.ndarray) -> list[list[int]]:
    """Arc lengths truncated to one decimal, as integer tenths, computed exactly for
    integer coordinates (isqrt) and with floats otherwise; deliberately not the
    solver's numpy code."""
    pts = [(float(x), float(y)) for x, y in coords]
    exact = all(x.is_integer() and y.is_integer() for x, y in pts)
    out = []
    for ax, ay in pts:
        row = []
        for bx, by in pts:
            if exact:
                row.append(math.isqrt(int(100 * ((ax - bx) ** 2 + (ay - by) ** 2))))
            else:
                row.append(math.floor(10 * math.hypot(ax - bx, ay - by)))
        out.append(row)
    return out


def dimacs_distance(instance: SolomonInstance, routes: Sequence[Sequence[int]]) -> float:
    """Total DIMACS distance of `routes` (customer numbers, depot 0 implied at both ends)."""
    tenths = _arc_tenths(instance.coords)
    total = 0
    for route in routes:
        path = [0, *route, 0]
        total += sum(tenths[a][b] for a, b in zip(path, path[1:], strict=False))
    return total / 10.0


@dataclass
class CheckResult:
    feasible: bool
    distance: float
    violations: list[str] = field(default_factory=list)


def check_routes(instance: SolomonInstance, routes: Sequence[Sequence[int]]) -> CheckResult:
    """Every customer exactly once, at most `instance.vehicles` routes, load ≤ capacity,
    service starts inside each window and every route is back by the depot's due time."""
    tenths = _arc_tenths(instance.coords)
    ready = np.round(instance.ready * 10).astype(np.int64)
    due = np.round(instance.due * 10).astype(np.int64)
    service = np.round(instance.service * 10).astype(np.int64)
    n = instance.customers
    problems: list[str] = []
    used = [r for r in routes if len(r) > 0]
    if len(used) > instance.vehicles:
        problems.append(f"{len(used)} routes but only {instance.vehicles} vehicles")
    seen: dict[int, int] = {}
    for k, route in enumerate(used):
        load = 0
        t = int(ready[0])
        here = 0
        for c in route:
            if not 1 <= c <= n:
                problems.append(f"route {k + 1}: {c} is not a customer number")
                continue
            seen[c] = seen.get(c, 0) + 1
            load += int(instance.demand[c])
            arrival = t + tenths[here][c]
            start = max(arrival, int(ready[c]))
            if start > due[c]:
                problems.append(
                    f"route {k + 1}: customer {c} served at {start / 10} after its due {due[c] / 10}"
                )
            t = start + int(service[c])
            here = c
        back = t + tenths[here][0]
        if back > due[0]:
            problems.append(f"route {k + 1}: back at depot at {back / 10} after {due[0] / 10}")
        if load > instance.capacity:
            problems.append(f"route {k + 1}: load {load} over capacity {instance.capacity}")
    missing = [c for c in range(1, n + 1) if c not in seen]
    if missing:
        problems.append(f"{len(missing)} customers never visited, e.g. {missing[:5]}")
    twice = [c for c, k in seen.items() if k > 1]
    if twice:
        problems.append(f"customers visited more than once: {twice[:5]}")
    return CheckResult(not problems, dimacs_distance(instance, used), problems)
