"""Times along a fixed route: earliest start of service at every stop (minutes)."""

from __future__ import annotations

from collections.abc import Sequence

from logistics.routing.model import Route, RoutingProblem, Visit


def timed_route(problem: RoutingProblem, vehicle: int, stops: Sequence[int]) -> Route | None:
    """Route of `vehicle` through `stops` (indices into problem.stops) started as early as
    the shift allows and departing home as late as the first stop allows; None when a
    window, the shift end or the capacity cannot be met."""
    v = problem.vehicles[vehicle]
    t_mat, d_mat = problem.travel_minutes, problem.distance
    t = v.shift[0]
    here = v.start
    load = 0
    peak = 0
    visits: list[Visit] = []
    distance = travel = 0
    left = dict(v.stock)
    for i in stops:
        s = problem.stops[i]
        if not v.can_serve(s):
            return None
        for resource, units in s.consumes:
            left[resource] = left.get(resource, 0) - units
            if left[resource] < 0:
                return None
        leg = int(t_mat[here, s.location])
        arrival = t + leg
        start = max(arrival, s.window[0])
        if start > s.window[1]:
            return None
        visits.append(Visit(s.id, arrival, start, start + s.service_minutes))
        distance += int(d_mat[here, s.location])
        travel += leg
        load += s.demand
        peak = max(peak, load)
        if load < 0:
            return None
        t = start + s.service_minutes
        here = s.location
    leg = int(t_mat[here, v.end])
    back = t + leg
    distance += int(d_mat[here, v.end])
    travel += leg
    if back > v.shift[1] or (v.capacity is not None and peak > v.capacity):
        return None
    depart = v.shift[0]
    if visits:
        first = problem.stops[stops[0]]
        latest = visits[0].start - int(t_mat[v.start, first.location])
        depart = max(depart, latest)
        visits[0] = Visit(
            first.id, depart + int(t_mat[v.start, first.location]), visits[0].start, visits[0].end
        )
    return Route(v.id, tuple(visits), depart, back, distance, travel)
