"""How well a place is known, and what that does to a leg between two places.

A place's coordinates carry a precision: ``exact`` (a surveyed or picked point), ``street``
(a door number or street from a geocoder, or entered by hand from a map), ``district`` or
``city`` (only the district or city is known: the point is its centre). The coarser the
place, the larger the radius around the point where it may really be (``uncertainty_km``).

A leg between coarse places must not read "0 km" because both ends sit on the same city
centre. ``spread_km`` turns the two radii into a range of straight-line distances:

    s        = sqrt((r_a² + r_b²) / 2)           the RMS offset of the two unknown ends
    expected = sqrt(d² + s²)                     d: straight-line km between the points
    low      = max(expected − s, 0.3·s)          the optimistic end
    high     = expected + s                      the pessimistic end

With both ends known only as the same city of radius R this gives R expected (two random
points of a disc of radius R are 0.9 R apart on average), 0.3 R at best and 2 R at worst.
The extra straight-line km are driven at city speed (``CoarseLegRule``) on top of what the
travel model says for the points themselves. Pure: plain numbers and arrays, no DB.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class Precision(StrEnum):
    """How well a place's coordinates are known, finest first."""

    EXACT = "exact"
    STREET = "street"
    DISTRICT = "district"
    CITY = "city"

    @property
    def is_estimate(self) -> bool:
        """True when a leg to this place is only an estimate (district or city level)."""
        return self in (Precision.DISTRICT, Precision.CITY)


PRECISION_ORDER = tuple(Precision)  # finest first
STREET_RADIUS_KM = 0.3  # a door number or a street's stretch
DISTRICT_RADIUS_KM = 5.0  # half the width of a typical urban district (区)
CITY_RADIUS_MIN_KM, CITY_RADIUS_MAX_KM = 3.0, 30.0
URBAN_DENSITY_PER_KM2 = 8000.0  # people per km² of built-up area in a Chinese city
DEFAULT_CITY_RADIUS_KM = 15.0  # a city whose population is unknown


def city_radius_km(population: int | None) -> float:
    """Radius of a city's built-up area, km: a disc holding ``population`` at
    ``URBAN_DENSITY_PER_KM2``, kept within 3–30 km (Beijing ≈ 27 km, a 300,000 town ≈ 3.5 km)."""
    if not population or population <= 0:
        return DEFAULT_CITY_RADIUS_KM
    radius = math.sqrt(population / URBAN_DENSITY_PER_KM2 / math.pi)
    return round(min(max(radius, CITY_RADIUS_MIN_KM), CITY_RADIUS_MAX_KM), 1)


def uncertainty_km(precision: Precision | str, city_population: int | None = None) -> float:
    """The radius (km) around a place's point where it may really be."""
    level = Precision(precision)
    if level is Precision.EXACT:
        return 0.0
    if level is Precision.STREET:
        return STREET_RADIUS_KM
    city = city_radius_km(city_population)
    if level is Precision.DISTRICT:
        return min(DISTRICT_RADIUS_KM, city)
    return city


def coarsest(*levels: Precision | str) -> Precision:
    """The coarsest of some precisions (a leg is known as well as its worse end)."""
    return max((Precision(x) for x in levels), key=PRECISION_ORDER.index)


@dataclass(frozen=True)
class Spread:
    """Straight-line km of a leg between coarse places: optimistic, expected, pessimistic."""

    low: np.ndarray
    expected: np.ndarray
    high: np.ndarray


def spread_km(crow_km: np.ndarray, radius_a: np.ndarray, radius_b: np.ndarray) -> Spread:
    """The range of straight-line km between two places whose points are ``crow_km`` apart
    and which may lie anywhere within ``radius_a`` / ``radius_b`` of them (module docstring).
    Broadcasts; with both radii 0 every value is ``crow_km``."""
    d = np.asarray(crow_km, dtype=float)
    s = np.sqrt(
        (np.asarray(radius_a, dtype=float) ** 2 + np.asarray(radius_b, dtype=float) ** 2) / 2
    )
    expected = np.sqrt(d**2 + s**2)
    return Spread(np.maximum(expected - s, 0.3 * s), expected, expected + s)


@dataclass(frozen=True)
class CoarseLegRule:
    """How the extra straight-line km of a coarse leg become road km and minutes.

    circuity: road km per straight-line km inside a city; city_kmh: average urban speed;
    access_minutes: the fixed minutes of any trip between two different places, added when
    the travel model saw the two points as one (both on the same city centre)."""

    circuity: float = 1.35
    city_kmh: float = 25.0
    access_minutes: float = 5.0

    def extra(
        self, crow_km: np.ndarray, radius_a: np.ndarray, radius_b: np.ndarray
    ) -> tuple[Spread, Spread]:
        """(extra road km, extra minutes), each low / expected / high, to add to the travel
        model's figures for the two points."""
        d = np.asarray(crow_km, dtype=float)
        spread = spread_km(d, radius_a, radius_b)
        coarse = spread.expected > d + 1e-9
        same_point = d < 1e-3

        def km(value: np.ndarray) -> np.ndarray:
            return np.where(coarse, (value - d) * self.circuity, 0.0)

        def minutes(extra_km: np.ndarray) -> np.ndarray:
            access = np.where(coarse & same_point, self.access_minutes, 0.0)
            return access + extra_km / self.city_kmh * 60.0

        extra_km = Spread(km(spread.low), km(spread.expected), km(spread.high))
        extra_min = Spread(
            minutes(extra_km.low), minutes(extra_km.expected), minutes(extra_km.high)
        )
        return extra_km, extra_min


COARSE_LEGS = CoarseLegRule()  # the shipped rule


class LegKind(StrEnum):
    """What a leg is, by who moves and how far: the label a dispatcher reads."""

    ENGINEER_DRIVE = "engineer_drive"
    SAME_CITY_COURIER = "same_city_courier"
    INTERCITY_VAN = "intercity_van"
    PARCEL = "parcel"


def courier_leg_kind(crow_km: float, city_radius: float, by_van: bool) -> LegKind:
    """A part sent without the engineer: a parcel when it goes by the parcel service, a
    same-city courier when the depot lies within the site city's radius, else an
    intercity van."""
    if not by_van:
        return LegKind.PARCEL
    return LegKind.SAME_CITY_COURIER if crow_km <= city_radius else LegKind.INTERCITY_VAN
