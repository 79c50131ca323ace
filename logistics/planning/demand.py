"""Failure rates from the installed base's own history, pooled with a Gamma-Poisson prior.

A part model with n failures over E unit-years of installed base has a raw rate n / E;
two failures in one year of a small fleet say little. Each part's rate is therefore the
posterior mean of a Gamma(α, β) prior updated with its Poisson count:

    rate = (α + n) / (β + E)        (failures per installed unit per year)

The prior comes from the part's *group* (similar parts: the same category): its mean is
the group's pooled rate Σn / ΣE, its variance the between-part variance of the raw
rates left after removing the Poisson noise (method of moments). A group without any
failure yet counts half a failure over its exposure (a rate is never planned as zero). A part with an entered
rate uses that rate as the prior mean, with the weight of `ENTERED_WEIGHT_UNIT_YEARS`
unit-years of experience. A part with no history, no entered rate and no group data
gets `DEFAULT_RATE` and a warning: never a silent zero.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from logistics.planning.metric import PlanningInputError

DEFAULT_RATE = 0.05  # failures per unit-year when nothing is known (stated in the plan)
ENTERED_WEIGHT_UNIT_YEARS = 20.0  # an entered rate counts as this much experience
_MAX_PRIOR_WEIGHT = 1e6  # unit-years: "all parts of the group fail alike"


@dataclass(frozen=True)
class FailureHistory:
    """One part model's history: failures observed over unit-years of installed base."""

    part: str
    group: str
    failures: int
    unit_years: float
    entered_rate: float | None = None

    def __post_init__(self) -> None:
        if self.failures < 0:
            raise PlanningInputError(f"part {self.part}: negative failure count")
        if not (math.isfinite(self.unit_years) and self.unit_years >= 0):
            raise PlanningInputError(f"part {self.part}: unit_years must be >= 0")
        if self.entered_rate is not None and not (
            math.isfinite(self.entered_rate) and self.entered_rate >= 0
        ):
            raise PlanningInputError(f"part {self.part}: entered failure rate must be >= 0")


@dataclass(frozen=True)
class RateEstimate:
    part: str
    rate: float  # failures per installed unit per year
    prior_mean: float
    prior_weight: float  # β, unit-years
    failures: int
    unit_years: float
    source: str  # "history", "entered", "group", "default"
    warning: str | None = None


@dataclass(frozen=True)
class GroupPrior:
    mean: float
    weight: float  # β (unit-years); α = mean × β


def group_prior(histories: Sequence[FailureHistory]) -> GroupPrior | None:
    """Method-of-moments Gamma prior of a group of parts; None without any exposure."""
    exposed = [h for h in histories if h.unit_years > 0]
    total_e = math.fsum(h.unit_years for h in exposed)
    if total_e <= 0:
        return None
    failures = math.fsum(h.failures for h in exposed)
    if failures == 0:  # no failure yet: half a failure over the exposure, never a silent zero
        return GroupPrior(0.5 / total_e, total_e)
    mean = failures / total_e
    if len(exposed) < 2:
        return GroupPrior(mean, total_e)
    # exposure-weighted variance of raw rates, less the Poisson part (mean / E on average)
    raw_var = (
        math.fsum(h.unit_years * (h.failures / h.unit_years - mean) ** 2 for h in exposed) / total_e
    )
    poisson_part = mean * len(exposed) / total_e
    between = raw_var - poisson_part
    if between <= 0:
        return GroupPrior(mean, _MAX_PRIOR_WEIGHT)
    return GroupPrior(mean, min(mean / between, _MAX_PRIOR_WEIGHT))


def estimate_rates(histories: Sequence[FailureHistory]) -> dict[str, RateEstimate]:
    """Posterior-mean failure rate of every part, pooled within its group."""
    groups: dict[str, list[FailureHistory]] = defaultdict(list)
    for h in histories:
        groups[h.group].append(h)
    priors: Mapping[str, GroupPrior | None] = {g: group_prior(hs) for g, hs in groups.items()}
    out: dict[str, RateEstimate] = {}
    for h in histories:
        prior = priors[h.group]
        warning = None
        if h.entered_rate is not None:
            mean, weight, source = h.entered_rate, ENTERED_WEIGHT_UNIT_YEARS, "entered"
        elif prior is not None:
            mean, weight = prior.mean, prior.weight
            source = "history" if h.unit_years > 0 else "group"
        else:
            mean, weight, source = DEFAULT_RATE, ENTERED_WEIGHT_UNIT_YEARS, "default"
            if h.unit_years == 0:
                warning = (
                    f"part {h.part}: no failure data and no entered rate; "
                    f"planned with the default {DEFAULT_RATE} failures per unit-year"
                )
        if h.unit_years > 0 and source == "entered":
            source = "entered+history"
        rate = (mean * weight + h.failures) / (weight + h.unit_years)
        out[h.part] = RateEstimate(
            h.part, rate, mean, weight, h.failures, h.unit_years, source, warning
        )
    return out
