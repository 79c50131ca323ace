"""Incremental route timing for the TRSP search: time-window segments (Vidal et al., "A
unified solution framework for multi-attribute vehicle routing problems", 2014).

A segment sums up a run of consecutive stops by its first and last stop, its duration
(travel, service and waiting, departure delayed as far as the windows allow), its time
warp (how late it runs; 0 when every window is kept) and the earliest and latest time it
can start. Two segments join in O(1) (`merge`), and the duration of home + stops + home
is exactly `trsp.route_duration` (the instance objective) when its time warp is 0.

`RouteState` keeps a route's prefix and suffix segments (and those with the depot visit
placed at each allowed place), so the best insertion of a request — every place in the
route and every place of the one depot visit the route then needs — costs O(1) per
candidate instead of a walk along the route. The kit rule (before the first depot visit
only the technician's own tools and van stock) is a prefix property: the stock left after
each prefix is kept too. These are a search device only; plans are judged by `trsp.evaluate`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from logistics.routing.trsp import DEPOT, TrspInstance

#: first stop, last stop, duration, time warp, earliest start, latest start
Segment = tuple[int, int, float, float, float, float]
#: Time warp still counted as on time (well inside `trsp.EPS`).
WARP_EPS = 1e-7
#: Route states `SearchContext.state` keeps before it starts afresh.
STATE_CACHE = 5_000


def merge(travel: list[list[float]], a: Segment, b: Segment) -> Segment:
    """The segment of `a` followed by `b` (Vidal et al.'s concatenation)."""
    f1, l1, d1, w1, e1, s1 = a
    f2, l2, d2, w2, e2, s2 = b
    t = travel[l1][f2]
    delta = d1 - w1 + t
    wait = e2 - delta - s1
    if wait < 0.0:
        wait = 0.0
    warp = e1 + delta - s2
    if warp < 0.0:
        warp = 0.0
    early = e2 - delta if e2 - delta > e1 else e1
    late = s2 - delta if s2 - delta < s1 else s1
    return (f1, l2, d1 + d2 + t + wait, w1 + w2 + warp, early - wait, late + warp)


class SearchContext:
    """What the search reads of an instance, laid out for speed."""

    def __init__(self, instance: TrspInstance, *, with_resources: bool = True) -> None:
        self.instance = instance
        self.with_resources = with_resources
        self.travel = instance.travel_table
        self.single: list[Segment] = [
            (s.id, s.id, s.service, 0.0, s.window[0], s.window[1]) for s in instance.sites
        ]
        # a technician's home as the start and the end of their route (no service)
        self.home: list[Segment] = [
            (s.id, s.id, 0.0, 0.0, s.window[0], s.window[1]) for s in instance.sites
        ]
        sites = instance.sites
        self.stock = [s.parts for s in sites]
        # the parts a request consumes, as (part type, count) pairs
        self.needs = [tuple((p, n) for p, n in enumerate(s.parts) if n) for s in sites]
        self.serves = {
            k: frozenset(r for r in instance.request_ids if instance.can_serve(k, r))
            for k in instance.technician_ids
        }
        self.own_tools = {
            k: frozenset(r for r in instance.request_ids if sites[r].tools <= sites[k].tools)
            for k in instance.technician_ids
        }
        #: who can serve each request (has its skills)
        self.servers = {
            r: tuple(k for k in instance.technician_ids if r in self.serves[k])
            for r in instance.request_ids
        }
        self._states: dict[tuple[int, tuple[int, ...]], RouteState] = {}

    def state(self, technician: int, requests: Sequence[int]) -> RouteState:
        """`RouteState(self, technician, requests)`, kept for when the search asks again."""
        key = (technician, tuple(requests))
        found = self._states.get(key)
        if found is None:
            if len(self._states) >= STATE_CACHE:
                self._states.clear()
            found = self._states[key] = RouteState(self, technician, key[1])
        return found


class RouteState:
    """One technician's route through `requests` (in that order) with the one depot
    visit, if the kit rule needs it, where it costs least: `cost` (working time; None when
    the technician lacks a skill or no such route keeps the windows and shift) and `stops`. `insertion(r)` prices adding
    a request anywhere."""

    __slots__ = (
        "ctx",
        "technician",
        "requests",
        "own",
        "left",
        "prefix",
        "suffix",
        "joins",
        "cost",
        "stops",
        "_with_depot",
    )

    def __init__(self, ctx: SearchContext, technician: int, requests: Sequence[int]) -> None:
        self.ctx = ctx
        self.technician = technician
        p = self.requests = tuple(requests)
        n = len(p)
        travel = ctx.travel
        single = ctx.single
        # own-kit prefix: how many requests the van serves before the depot; the stock
        # left after each of those prefixes
        left = [list(ctx.stock[technician])]
        own = n
        if ctx.with_resources:
            tools_ok = ctx.own_tools[technician]
            for i, r in enumerate(p):
                if r not in tools_ok:
                    own = i
                    break
                now = left[-1][:]
                short = False
                for part, need in ctx.needs[r]:
                    now[part] -= need
                    if now[part] < 0:
                        short = True
                if short:
                    own = i
                    break
                left.append(now)
        self.own = own
        self.left = left
        home = ctx.home[technician]
        prefix = [home]
        for r in p:
            prefix.append(merge(travel, prefix[-1], single[r]))
        suffix = [home]
        for r in reversed(p):
            suffix.append(merge(travel, single[r], suffix[-1]))
        suffix.reverse()
        self.prefix = prefix
        self.suffix = suffix
        # per place i: the stops either side and the two parts' durations
        self.joins = [(a[1], b[0], a[2] + b[2]) for a, b in zip(prefix, suffix, strict=True)]
        self._with_depot: tuple[list[list[Segment]], list[list[Segment]]] | None = None
        self.cost: float | None = None
        self.stops: tuple[int, ...] = p
        if n == 0:
            self.cost = 0.0
        elif not ctx.serves[technician].issuperset(p):
            pass  # a skill is missing: no route
        elif own == n:  # a detour to the depot never shortens a Euclidean route
            whole = prefix[n]
            whole = merge(travel, whole, home)
            if whole[3] <= WARP_EPS:
                self.cost = whole[2]
        else:
            depot = single[DEPOT]
            for j in range(own + 1):
                whole = merge(travel, merge(travel, prefix[j], depot), suffix[j])
                if whole[3] <= WARP_EPS and (self.cost is None or whole[2] < self.cost):
                    self.cost = whole[2]
                    self.stops = (*p[:j], DEPOT, *p[j:])

    def _depot_segments(self) -> tuple[list[list[Segment]], list[list[Segment]]]:
        """`head[j][k]` = home, requests[:j], depot, requests[j:k] (j <= own, k >= j);
        `tail[j][i]` = requests[i:j], depot, requests[j:], home (i <= j <= own)."""
        if self._with_depot is None:
            travel = self.ctx.travel
            single = self.ctx.single
            depot = single[DEPOT]
            p = self.requests
            n = len(p)
            head: list[list[Segment]] = []
            tail: list[list[Segment]] = []
            for j in range(self.own + 1):
                seg = merge(travel, self.prefix[j], depot)
                row = [seg] * (j + 1)  # positions below j unused
                for k in range(j, n):
                    seg = merge(travel, seg, single[p[k]])
                    row.append(seg)
                head.append(row)
                seg = merge(travel, depot, self.suffix[j])
                back = [seg]
                for i in range(j - 1, -1, -1):
                    seg = merge(travel, single[p[i]], seg)
                    back.append(seg)
                back.reverse()
                tail.append(back)
            self._with_depot = head, tail
        return self._with_depot

    def insertion(
        self, request: int, below: float = math.inf
    ) -> tuple[float, tuple[int, ...]] | None:
        """The cheapest route with `request` added (working time, stops), or None when the
        technician lacks a skill, no place keeps the windows, or none works less than
        `below`."""
        ctx = self.ctx
        k = self.technician
        if request not in ctx.serves[k]:
            return None
        travel = ctx.travel
        rseg = ctx.single[request]
        p = self.requests
        n = len(p)
        own = self.own
        prefix, suffix = self.prefix, self.suffix
        # last = the largest j such that request, placed anywhere in requests[:j], and
        # requests[:j] are served from the van (-1: the request needs the depot first)
        last = -1
        if not ctx.with_resources:
            last = n
        elif request in ctx.own_tools[k]:
            last = own
            for part, need in ctx.needs[request]:  # the stock left only falls along the route
                while last >= 0 and self.left[last][part] < need:
                    last -= 1
        best = below
        # (i, j, kind): kind 0 no depot visit, 1 the depot at j before the request at i,
        # 2 the request at i before the depot at j
        where = (-1, 0, 0)
        # Below, `whole` = a + b inlined (duration and time warp only), a and b on time.
        # lower bounds: the route with the request at i and without a depot visit takes
        # at least the two parts' shortest durations, the service and the travel between
        service = rseg[2]
        tr = travel[request]  # travel is symmetric (Euclidean)
        bound = [d + service + tr[x] + tr[y] for x, y, d in self.joins]
        if last == n:  # no depot visit needed
            for i in range(n + 1):
                if bound[i] >= best:
                    continue
                a = merge(travel, prefix[i], rseg)
                if a[3] > WARP_EPS:
                    break  # later places only arrive later
                _, l1, d1, _, e1, s1 = a
                f2, _, d2, w2, e2, s2 = suffix[i]
                t = travel[l1][f2]
                base = d1 + d2 + t
                if base >= best or w2 > WARP_EPS or e1 + d1 + t - s2 > WARP_EPS:
                    continue
                wait = e2 - d1 - t - s1
                if wait > 0.0:
                    base += wait
                if base < best:
                    best = base
                    where = (i, 0, 0)
        else:
            head, tail = self._depot_segments()
            # the request before the depot visit: at i, the depot at j (i <= j <= last)
            for i in range(last + 1):
                if bound[i] >= best:
                    continue
                a = merge(travel, prefix[i], rseg)
                if a[3] > WARP_EPS:
                    break
                _, l1, d1, _, e1, s1 = a
                from_a = travel[l1]
                for j in range(i, last + 1):
                    f2, _, d2, w2, e2, s2 = tail[j][i]
                    t = from_a[f2]
                    base = d1 + d2 + t
                    if base >= best or w2 > WARP_EPS or e1 + d1 + t - s2 > WARP_EPS:
                        continue
                    wait = e2 - d1 - t - s1
                    if wait > 0.0:
                        base += wait
                    if base < best:
                        best = base
                        where = (i, j, 2)
            # the depot visit first, at j <= i
            for i in range(n, -1, -1):
                if bound[i] >= best:
                    continue
                b = merge(travel, rseg, suffix[i])
                if b[3] > WARP_EPS:
                    break  # earlier places only have more to do after
                f2, _, d2, _, e2, s2 = b
                for j in range(min(i, own) + 1):
                    _, l1, d1, w1, e1, s1 = head[j][i]
                    t = travel[l1][f2]
                    base = d1 + d2 + t
                    if base >= best or w1 > WARP_EPS or e1 + d1 + t - s2 > WARP_EPS:
                        continue
                    wait = e2 - d1 - t - s1
                    if wait > 0.0:
                        base += wait
                    if base < best:
                        best = base
                        where = (i, j, 1)
        i, j, kind = where
        if i < 0:
            return None
        if kind == 0:
            stops = (*p[:i], request, *p[i:])
        elif kind == 1:
            stops = (*p[:j], DEPOT, *p[j:i], request, *p[i:])
        else:
            stops = (*p[:i], request, *p[i:j], DEPOT, *p[j:])
        return best, stops
