"""Poisson single-location functions for base-stock (S-1, S) inventory.

With Poisson demand over the resupply time, the number of units in resupply (the
pipeline) X is Poisson with mean `mean`. A stock level `s` then has

- expected backorders  EBO(s) = E[(X - s)+]   (the first-order loss function n(s));
- expected on hand     E[(s - X)+] = EBO(s) + s - mean  (the complementary loss);
- fill rate            P(X < s)  (the chance that a demand finds a unit on the shelf).

Numerics: every quantity is a sum of non-negative terms. Below the mean the loss is
`mean - s + E[(s - X)+]` (both parts non-negative, the sum running over x < s); at or
above the mean it is the upper tail sum itself. Nothing is ever subtracted from a
nearly equal number, so EBO at s = 40 with mean 2 is as precise (relatively) as at
s = 0. Probabilities come from log-space (lgamma) so means in the thousands neither
underflow nor overflow.
"""

from __future__ import annotations

import math

_TAIL_RELATIVE = 1e-18  # stop summing a tail once terms fall below this share of the sum


def _check(s: int, mean: float) -> None:
    if s < 0:
        raise ValueError(f"stock level must be >= 0, got {s}")
    if not (mean >= 0 and math.isfinite(mean)):
        raise ValueError(f"Poisson mean must be a finite number >= 0, got {mean}")


def poisson_pmf(x: int, mean: float) -> float:
    """P(X = x) for X ~ Poisson(mean), from log-space."""
    if x < 0:
        return 0.0
    if mean == 0:
        return 1.0 if x == 0 else 0.0
    return math.exp(-mean + x * math.log(mean) - math.lgamma(x + 1))


def poisson_loss(s: int, mean: float) -> tuple[float, float]:
    """(E[(X - s)+], E[(s - X)+]) for X ~ Poisson(mean): backorders and on hand.

    The same pair as stockpyl's `poisson_loss(s, mean)` (n(s), n-bar(s)).
    """
    _check(s, mean)
    if mean == 0:
        return 0.0, float(s)
    if s < mean:
        below = _lower_partial(s, mean)
        return (mean - s) + below, below
    above = _upper_partial(s, mean)
    return above, (s - mean) + above


def expected_backorders(s: int, mean: float) -> float:
    """EBO(s) = E[(X - s)+] for a Poisson pipeline with mean `mean` (units)."""
    return poisson_loss(s, mean)[0]


def fill_rate(s: int, mean: float) -> float:
    """P(X < s): the chance that a demand is met from the shelf (FIFO, one unit each)."""
    _check(s, mean)
    if s == 0:
        return 0.0
    if mean == 0:
        return 1.0
    if s - 1 < mean:
        return math.fsum(poisson_pmf(x, mean) for x in range(s))
    return 1.0 - survival(s - 1, mean)


def survival(s: int, mean: float) -> float:
    """P(X > s), summed over the upper tail (precise when small)."""
    _check(s, mean)
    if mean == 0:
        return 0.0
    if s < mean:
        return 1.0 - math.fsum(poisson_pmf(x, mean) for x in range(s + 1))
    terms: list[float] = []
    x = s + 1
    p = poisson_pmf(x, mean)
    while p > 0.0:
        terms.append(p)
        x += 1
        p *= mean / x
        if x > mean and p < _TAIL_RELATIVE * terms[0]:
            break
    return math.fsum(terms)


def backorder_variance(s: int, mean: float) -> float:
    """Var[(X - s)+] for X ~ Poisson(mean) (used by VARI-METRIC)."""
    _check(s, mean)
    if mean == 0:
        return 0.0
    ebo = expected_backorders(s, mean)
    # E[(X - s)+^2] = sum over x > s of (x - s)^2 p(x); below the mean, via the identity
    # E[(X-s)^2] = mean + (mean - s)^2 minus the part below s.
    if s < mean:
        lower = math.fsum((s - x) ** 2 * poisson_pmf(x, mean) for x in range(s))
        second = mean + (mean - s) ** 2 - lower
    else:
        second = _upper_moment(s, mean, power=2)
    return max(second - ebo * ebo, 0.0)


def ebo_table(max_s: int, mean: float) -> list[float]:
    """[EBO(0), ..., EBO(max_s)] for one Poisson pipeline, each to full precision."""
    return [expected_backorders(s, mean) for s in range(max_s + 1)]


def _lower_partial(s: int, mean: float) -> float:
    """E[(s - X)+] = sum over x < s of (s - x) p(x), summed downwards from x = s - 1."""
    if s == 0:
        return 0.0
    terms: list[float] = []
    x = s - 1
    p = poisson_pmf(x, mean)
    while x >= 0:
        term = (s - x) * p
        terms.append(term)
        if x == 0:
            break
        p *= x / mean
        x -= 1
        # (s - x) grows linearly while p falls geometrically (x < mean): stop when spent
        if term < _TAIL_RELATIVE * terms[0] and (s - x) * x < (s - x - 1) * mean:
            break
    return math.fsum(terms)


def _upper_partial(s: int, mean: float) -> float:
    """E[(X - s)+] = sum over x > s of (x - s) p(x)."""
    return _upper_moment(s, mean, power=1)


def _upper_moment(s: int, mean: float, power: int) -> float:
    terms: list[float] = []
    x = s + 1
    p = poisson_pmf(x, mean)
    while p > 0.0:
        term = (x - s) ** power * p
        terms.append(term)
        x += 1
        p *= mean / x
        if x > 2 * mean + 2 and term < _TAIL_RELATIVE * max(terms):
            break
    return math.fsum(terms)


def negative_binomial_backorders(s: int, mean: float, variance: float) -> float:
    """E[(X - s)+] for X negative binomial with the given mean and variance (> mean).

    VARI-METRIC's pipeline when the depot's delay makes a base pipeline over-dispersed;
    falls back to Poisson when `variance <= mean`.
    """
    _check(s, mean)
    if mean == 0 or variance <= mean * (1 + 1e-12):
        return expected_backorders(s, mean)
    q = 1.0 - mean / variance  # failure probability of each trial
    r = mean * mean / (variance - mean)
    p0 = math.exp(r * math.log1p(-q))
    if s < mean:
        terms, p = [], p0
        for x in range(s):
            terms.append((s - x) * p)
            p *= (r + x) / (x + 1) * q
        return (mean - s) + math.fsum(terms)
    # P(X = s + 1) from log-space, then the upper tail
    x = s + 1
    log_p = (
        math.lgamma(r + x)
        - math.lgamma(r)
        - math.lgamma(x + 1)
        + r * math.log1p(-q)
        + x * math.log(q)
    )
    p = math.exp(log_p)
    tail: list[float] = []
    while p > 0.0:
        tail.append((x - s) * p)
        p *= (r + x) / (x + 1) * q
        x += 1
        if x > 2 * mean + 2 and tail[-1] < _TAIL_RELATIVE * max(tail):
            break
    return math.fsum(tail)
