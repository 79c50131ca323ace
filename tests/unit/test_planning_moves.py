"""From current to recommended stock: cheapest transfers, then purchases and returns."""

from __future__ import annotations

import numpy as np

from logistics.planning.moves import plan_moves

DEPOTS = ["BJ", "TJ", "GZ"]
LANES = np.array([[0, 120, 1500], [120, 0, 1400], [1500, 1400, 0]], dtype=float)


def test_surplus_goes_to_the_nearest_deficit_and_the_rest_is_bought_or_returned() -> None:
    current = {("P", "BJ"): 5, ("P", "GZ"): 2}
    target = {("P", "BJ"): 1, ("P", "TJ"): 3, ("P", "GZ"): 4, ("Q", "GZ"): 1}
    moves = plan_moves(current, target, DEPOTS, LANES)
    assert [(t.from_depot, t.to_depot, t.qty) for t in moves.transfers] == [
        ("BJ", "GZ", 1),
        ("BJ", "TJ", 3),
    ]
    assert [(p.part, p.depot, p.qty) for p in moves.purchases] == [("P", "GZ", 1), ("Q", "GZ", 1)]
    assert moves.returns == []


def test_surplus_nobody_needs_returns_to_the_centre() -> None:
    moves = plan_moves({("P", "TJ"): 4}, {("P", "TJ"): 1}, DEPOTS, LANES)
    assert moves.transfers == [] and moves.purchases == []
    assert [(r.depot, r.qty) for r in moves.returns] == [("TJ", 3)]
