"""The TRSP search's incremental route timing agrees with the evaluator's rules."""

from __future__ import annotations

import random
import time
from functools import reduce

import pytest

from logistics.routing.trsp import (
    DEPOT,
    TrspInstance,
    TrspRoute,
    cheapest_route,
    evaluate,
    read_trsp,
    route_duration,
)
from logistics.routing.trsp_segments import WARP_EPS, RouteState, SearchContext, merge
from logistics.routing.trsp_solver import best_insertion, ruined_and_recreated
from tests.conftest import DATA_DIR

CREW25 = DATA_DIR / "trsp/pillac/crew25"


def instance(name: str) -> TrspInstance:
    return read_trsp(CREW25 / f"{name}.100_25-5-5-5.txt")


def random_routes(inst: TrspInstance, rng: random.Random, count: int):
    """(technician, requests it has the skills for, roughly in window order)."""
    for _ in range(count):
        k = rng.choice(list(inst.technician_ids))
        able = [r for r in inst.request_ids if inst.can_serve(k, r)]
        chosen = rng.sample(able, rng.randint(0, 7))
        chosen.sort(key=lambda r: inst.sites[r].window[0] + rng.uniform(0, 300))
        yield k, tuple(chosen)


@pytest.mark.parametrize("name", ["R203", "RC106", "C201"])
def test_joined_segments_give_the_evaluators_working_time_on_random_routes(name):
    inst = instance(name)
    ctx = SearchContext(inst)
    rng = random.Random(7)
    on_time = 0
    for k, requests in random_routes(inst, rng, 300):
        if not requests:
            continue
        stops = list(requests)
        stops.insert(rng.randint(0, len(stops)), DEPOT)
        parts = [ctx.home[k], *(ctx.single[s] for s in stops), ctx.home[k]]
        whole = reduce(lambda a, b: merge(ctx.travel, a, b), parts)
        expected = route_duration(inst, k, stops)
        if expected is None:
            assert whole[3] > WARP_EPS
        else:
            on_time += 1
            assert whole[3] <= WARP_EPS
            assert whole[2] == pytest.approx(expected, abs=1e-9)
    assert on_time > 50  # the sample is not all late routes


@pytest.mark.parametrize("name", ["R203", "RC106"])
@pytest.mark.parametrize("with_resources", [True, False])
def test_the_best_insertion_matches_trying_every_place_and_depot_visit(name, with_resources):
    inst = instance(name)
    ctx = SearchContext(inst, with_resources=with_resources)
    rng = random.Random(3)
    found_some = 0
    for k, requests in random_routes(inst, rng, 300):
        state = RouteState(ctx, k, requests)
        reference = cheapest_route(inst, k, requests, with_resources=with_resources)
        if not requests:
            assert state.cost == 0.0
        elif reference is None:
            assert state.cost is None
        else:
            assert state.cost == pytest.approx(reference[0], abs=1e-9)
        request = rng.choice([r for r in inst.request_ids if r not in requests])
        brute = None
        for at in range(len(requests) + 1):
            option = cheapest_route(
                inst, k, (*requests[:at], request, *requests[at:]), with_resources=with_resources
            )
            if option and (brute is None or option[0] < brute[0]):
                brute = option
        got = state.insertion(request)
        if brute is None:
            assert got is None
            continue
        found_some += 1
        assert got is not None
        assert got[0] == pytest.approx(brute[0], abs=1e-9)
        judged = evaluate(inst, [TrspRoute(k, got[1])], with_resources=with_resources)
        assert not [v for v in judged.violations if "not served" not in v]
        assert judged.objective == pytest.approx(got[0], abs=1e-9)
    assert found_some > 25  # the sample is not all late routes


def test_ruin_and_recreate_keeps_the_rules_and_never_returns_a_worse_plan():
    inst = instance("R203")
    start = best_insertion(inst)
    before = evaluate(inst, start)
    assert before.feasible
    after = ruined_and_recreated(inst, start, time.monotonic() + 1.0)
    judged = evaluate(inst, after)
    assert judged.feasible, judged.violations
    assert judged.objective < before.objective


def test_a_route_with_a_job_the_technician_lacks_the_skills_for_has_no_cost():
    inst = instance("R204")
    ctx = SearchContext(inst)
    k, request = next(
        (k, r) for k in inst.technician_ids for r in inst.request_ids if not inst.can_serve(k, r)
    )
    assert cheapest_route(inst, k, (request,)) is None
    assert RouteState(ctx, k, (request,)).cost is None
    assert RouteState(ctx, k, ()).insertion(request) is None
