"""A discrete-event simulation of the network, to check the analytic fill rates.

The same operating rules as the model in `service_levels`, played out failure by
failure instead of computed: failures arrive at each (site, part) as a Poisson process;
a failure takes a unit from the nearest of its site's ranked depots that has one on the
shelf (in time when that depot's delivery minutes are within the clock); that depot
orders a replacement that arrives after its constant resupply time. When every ranked
depot is out, the failure waits at its serving depot (the nearest that stocks the part)
for the next unit to arrive there (first come, first served) and the serving depot
orders one too. Each depot starts full. What the simulation does *not* share with the
analytic model: independence between depots, Poisson depot demand, and the fixed point
for overflow — exactly the approximations it is there to test.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from logistics.planning.service_levels import (
    CLOCKS,
    MINUTES_PER_DAY,
    PlanDemand,
    PlanNetwork,
    demands_by_part,
    prepare_part,
)

YEAR_MINUTES = 365.0 * MINUTES_PER_DAY


@dataclass(frozen=True)
class SimulationResult:
    """Per service class and clock: failures counted and failures served in time."""

    failures: Mapping[str, int]
    in_time: Mapping[tuple[str, str], int]

    def fill_rate(self, service_class: str, clock: str) -> float:
        n = self.failures.get(service_class, 0)
        return self.in_time.get((service_class, clock), 0) / n if n else math.nan


def simulate(
    network: PlanNetwork,
    levels: Mapping[tuple[str, str], int],
    *,
    years: float = 1.0,
    warmup_years: float = 0.25,
    seed: int = 0,
    rate_factor: float = 1.0,
) -> SimulationResult:
    """Simulate `years` after a warm-up, with stock `levels` ((part, depot) → base stock)."""
    rng = np.random.default_rng(seed)
    depot_pos = {d.id: i for i, d in enumerate(network.depots)}
    stocked: dict[str, list[int]] = defaultdict(list)
    for (part_id, depot_id), units in levels.items():
        if units > 0:
            stocked[part_id].append(depot_pos[depot_id])
    by_part = demands_by_part(network)
    sites = {s: k for k, s in enumerate(network.sites)}
    failures: dict[str, int] = defaultdict(int)
    in_time: dict[tuple[str, str], int] = defaultdict(int)
    horizon = (warmup_years + years) * YEAR_MINUTES
    start = warmup_years * YEAR_MINUTES
    for part in network.parts:
        rows = by_part.get(part.id, [])
        if not rows:
            continue
        state = prepare_part(
            network, part, extra_depots=stocked.get(part.id, ()), rows=rows, site_index=sites
        )
        base = np.array([levels.get((part.id, network.depots[i].id), 0) for i in state.depot_index])
        resupply = state.resupply_years * YEAR_MINUTES
        events: list[tuple[float, int, int, int]] = []  # (time, kind 0=arrival 1=failure, idx)
        seq = 0
        for j, rate in enumerate(state.rates * rate_factor):
            if rate <= 0:
                continue
            t = rng.exponential(YEAR_MINUTES / rate)
            while t < horizon:
                events.append((t, 1, seq, j))
                seq += 1
                t += rng.exponential(YEAR_MINUTES / rate)
        heapq.heapify(events)
        on_hand = base.copy()
        waiting: dict[int, deque[tuple[float, int]]] = defaultdict(deque)
        while events:
            now, kind, _s, idx = heapq.heappop(events)
            if kind == 0:  # a resupply arrives at depot idx
                queue = waiting[idx]
                if queue:
                    failed_at, j = queue.popleft()
                    if failed_at >= start:
                        waited = now + state.minutes[idx, j] - failed_at
                        _count(in_time, state.demand_rows[j], waited)
                else:
                    on_hand[idx] += 1
                continue
            j = idx
            row = state.demand_rows[j]
            if now >= start:
                failures[row.service_class] += 1
            ranked = state.order[j]
            source = next((int(d) for d in ranked if on_hand[d] > 0), None)
            if source is not None:
                on_hand[source] -= 1
                order_at = source
                if now >= start:
                    _count(in_time, row, state.minutes[source, j])
            else:
                serving = next((int(d) for d in ranked if base[d] > 0), int(ranked[0]))
                waiting[serving].append((now, j))
                order_at = serving
            seq += 1
            heapq.heappush(events, (now + resupply[order_at], 0, seq, order_at))
        # failures still waiting at the horizon never got their part in time
    return SimulationResult(dict(failures), dict(in_time))


def _count(in_time: dict[tuple[str, str], int], row: PlanDemand, minutes: float) -> None:
    clocks = {"replacement": row.replacement_minutes, "spare": row.spare_minutes}
    for clock in CLOCKS:
        if minutes <= clocks[clock]:
            in_time[(row.service_class, clock)] += 1
