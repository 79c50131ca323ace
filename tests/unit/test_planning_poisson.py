"""Single-location Poisson functions match published values and a 60-digit reference."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import pytest

from logistics.planning.poisson import (
    backorder_variance,
    expected_backorders,
    fill_rate,
    negative_binomial_backorders,
    poisson_loss,
    survival,
)


def reference_moments(s: int, mean: float) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(E[(X-s)+], E[(X-s)+^2], P(X < s), P(X > s)) summed term by term, 60 digits."""
    with localcontext() as ctx:
        ctx.prec = 60
        m = Decimal(mean)
        p = (-m).exp()
        first = second = below = above = Decimal(0)
        for x in range(0, s + int(20 * mean) + 400):
            if x > s:
                first += (x - s) * p
                second += (x - s) ** 2 * p
                above += p
            elif x < s:
                below += p
            p = p * m / (x + 1)
        return first, second, below, above


def relative_error(value: float, exact: Decimal) -> float:
    if exact == 0:
        return abs(value)
    return abs(float((Decimal(value) - exact) / exact))


def test_poisson_loss_reproduces_stockpyl_published_pair() -> None:
    n, n_bar = poisson_loss(18, 15)
    assert n == pytest.approx(0.5176095282584724, abs=1e-12)
    assert n_bar == pytest.approx(3.5176095282584723, abs=1e-12)


@pytest.mark.parametrize(
    ("s", "mean"),
    [
        (0, 0.3),
        (3, 2.348768),
        (18, 15.0),
        (10, 15.0),
        (40, 2.0),
        (60, 2.0),
        (120, 80.0),
        (5, 40.0),
        (1, 1e-6),
    ],
)
def test_expected_backorders_keep_twelve_digits_even_in_deep_tails(s: int, mean: float) -> None:
    first, second, below, above = reference_moments(s, mean)
    assert relative_error(expected_backorders(s, mean), first) < 1e-12
    variance = second - first * first
    assert relative_error(backorder_variance(s, mean), variance) < 1e-10
    assert relative_error(fill_rate(s, mean), below) < 1e-12 or s == 0
    assert relative_error(survival(s, mean), above) < 1e-12


def test_on_hand_and_backorders_differ_by_stock_minus_pipeline() -> None:
    for s in range(0, 30):
        n, n_bar = poisson_loss(s, 12.5)
        assert n_bar - n == pytest.approx(s - 12.5, abs=1e-12)


def test_large_pipelines_neither_underflow_nor_overflow() -> None:
    assert expected_backorders(4000, 4000.0) == pytest.approx(
        math.sqrt(4000 / (2 * math.pi)), rel=1e-3
    )
    assert expected_backorders(0, 4000.0) == 4000.0


def test_negative_binomial_backorders_match_a_term_by_term_sum() -> None:
    mean, variance = 3.0, 5.0
    q, r = 1 - mean / variance, mean * mean / (variance - mean)
    for s in (0, 2, 3, 7, 25):
        with localcontext() as ctx:
            ctx.prec = 50
            p = Decimal(1 - q) ** Decimal(r)
            exact = Decimal(0)
            for x in range(0, 600):
                if x > s:
                    exact += (x - s) * p
                p = p * (Decimal(r) + x) / (x + 1) * Decimal(q)
        assert relative_error(negative_binomial_backorders(s, mean, variance), exact) < 1e-11


def test_negative_binomial_without_extra_variance_is_poisson() -> None:
    assert negative_binomial_backorders(4, 3.0, 3.0) == expected_backorders(4, 3.0)
    assert negative_binomial_backorders(4, 3.0, 4.5) > expected_backorders(4, 3.0)
