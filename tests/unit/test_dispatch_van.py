"""Van options in the dispatch ranking (on the grid of test_dispatch: minutes = km): an
engineer carrying the part drives straight to the site, no depot leg, part and engineer
arrive together; the ranking is still exactly the best over every option."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

from logistics.dispatch import Mode, rank_dispatch_options
from tests.unit.test_dispatch import DEPOTS, ENGINEERS, GridTravel, depot, engineer, fault


def test_the_engineer_carrying_the_part_goes_straight_to_the_site_and_the_ranking_says_so():
    staff = [replace(ENGINEERS[1], van_qty=1), *ENGINEERS[:1], *ENGINEERS[2:]]  # Bo carries
    ranking = rank_dispatch_options(fault(), staff, DEPOTS, GridTravel(), limit=10)
    van = [o for o in ranking.options if o.mode is Mode.VAN]
    assert [o.engineer_name for o in van] == ["Bo"]
    option = van[0]
    assert option.depot_code is None and len(option.legs) == 1
    assert option.legs[0].destination == "site" and option.legs[0].minutes == 60
    assert option.part_eta == option.onsite_eta
    assert "carries the part in the van" in option.explanation
    assert "no depot leg" in option.explanation
    # Bo with the part in the van beats Bo collecting it at X (60 km vs 100+20 km)
    bo = [o for o in ranking.options if o.engineer_name == "Bo"]
    assert bo[0].mode is Mode.VAN


def test_a_van_is_enough_when_no_depot_holds_the_part():
    empty = [depot("Z", 31.01, 121.0, qty=0)]
    staff = [replace(ENGINEERS[0], van_qty=2), *ENGINEERS[1:]]
    ranking = rank_dispatch_options(fault(), staff, empty, GridTravel(), limit=5)
    assert [(o.mode, o.engineer_name) for o in ranking.options] == [(Mode.VAN, "Alice")]
    nobody = rank_dispatch_options(fault(), ENGINEERS, empty, GridTravel(), limit=5)
    assert nobody.options == [] and "no depot holds" in nobody.reason


def test_van_options_rank_exactly_among_all_options():
    rng = random.Random(16)
    for _ in range(20):
        staff = [
            engineer(f"E{i}", 31 + rng.uniform(-1, 1), 121 + rng.uniform(-1, 1),
                     van_qty=rng.choice([0, 0, 1]))
            for i in range(12)
        ]  # fmt: skip
        stock = [
            depot(f"D{j}", 31 + rng.uniform(-2, 2), 121 + rng.uniform(-2, 2)) for j in range(5)
        ]
        full = rank_dispatch_options(fault(), staff, stock, GridTravel(), limit=200)
        top = rank_dispatch_options(fault(), staff, stock, GridTravel(), limit=5)
        key = [(o.missed, o.onsite_eta, o.travel_minutes) for o in full.options]
        assert key == sorted(key)
        assert [(o.mode, o.engineer_name, o.depot_code) for o in top.options] == [
            (o.mode, o.engineer_name, o.depot_code) for o in full.options[:5]
        ]
        carriers = {e.name for e in staff if e.van_qty}
        assert {o.engineer_name for o in full.options if o.mode is Mode.VAN} == carriers
        for a, b in itertools.pairwise(full.options):
            assert a.rank + 1 == b.rank
