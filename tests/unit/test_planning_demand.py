"""Failure rates from history, pooled with a Gamma-Poisson prior within a part group."""

from __future__ import annotations

import pytest

from logistics.planning.demand import DEFAULT_RATE, FailureHistory, estimate_rates


def fleet(*extra: FailureHistory) -> list[FailureHistory]:
    """A server group whose parts fail about 0.1 per unit-year, with some real spread."""
    base = [
        FailureHistory("A", "server", 80, 1000.0),
        FailureHistory("B", "server", 130, 1000.0),
        FailureHistory("C", "server", 90, 1000.0),
        FailureHistory("D", "server", 100, 1000.0),
    ]
    return [*base, *extra]


def test_two_failures_in_one_unit_year_are_pulled_towards_the_group() -> None:
    rates = estimate_rates(fleet(FailureHistory("NEW", "server", 2, 1.0)))
    assert 0.09 < rates["NEW"].rate < 0.3  # not 2.0
    assert rates["NEW"].source == "history"


def test_a_long_history_keeps_close_to_its_own_rate() -> None:
    rates = estimate_rates(fleet(FailureHistory("LONG", "server", 1300, 10_000.0)))
    assert rates["LONG"].rate == pytest.approx(0.13, rel=0.03)
    # a shorter history of the same raw rate is pulled further towards the group
    assert rates["B"].rate < rates["LONG"].rate


def test_an_entered_rate_without_history_is_used_as_entered() -> None:
    rates = estimate_rates(fleet(FailureHistory("E", "server", 0, 0.0, entered_rate=0.4)))
    assert rates["E"].rate == pytest.approx(0.4) and rates["E"].source == "entered"


def test_a_part_with_no_data_anywhere_gets_the_stated_default_and_a_warning() -> None:
    rates = estimate_rates([FailureHistory("LONE", "video", 0, 0.0)])
    assert rates["LONE"].rate == DEFAULT_RATE
    assert "LONE" in (rates["LONE"].warning or "") and str(DEFAULT_RATE) in rates["LONE"].warning


def test_a_group_without_any_failure_is_never_planned_as_failure_free() -> None:
    rates = estimate_rates(
        [FailureHistory("Q1", "fan", 0, 200.0), FailureHistory("Q2", "fan", 0, 50.0)]
    )
    assert rates["Q1"].rate > 0 and rates["Q2"].rate > 0
    assert rates["Q1"].rate == pytest.approx(0.5 / 250, rel=0.5)
