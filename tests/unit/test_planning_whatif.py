"""What-if depots: planned under their own codes, refused by name without coordinates."""

from __future__ import annotations

import pytest

from inventory.planning_data import hypothetical_depots
from logistics.planning.metric import PlanningInputError


def test_what_if_depots_are_numbered_and_marked_hypothetical() -> None:
    depots = hypothetical_depots(
        [{"city": "拉萨", "lat": 29.65, "lon": 91.1}, {"lat": 30, "lon": 104}]
    )
    assert [d.code for d in depots] == ["WHATIF-1", "WHATIF-2"]
    assert all(d.hypothetical for d in depots) and depots[0].city == "拉萨"


@pytest.mark.parametrize("where", [{"lat": float("nan"), "lon": 91.1}, {"lat": 95, "lon": 91.1}])
def test_a_depot_without_valid_coordinates_is_refused_by_name(where) -> None:
    with pytest.raises(PlanningInputError, match="what-if depot 拉萨 has no valid coordinates"):
        hypothetical_depots([{"city": "拉萨", **where}])
