"""What a page's map shows, as plain data the page script draws with Leaflet.

Leaflet itself comes from the ``xstatic-leaflet`` package (served under
``/static/vendor/leaflet/``, no CDN). The base layer is the configured tile source
(``MAP_TILE_URL``, e.g. an internal tile server or AMap) or, by default and offline, the
bundled outline of China's provinces (``app/static/geo/china-provinces.geojson``, South China
Sea islands included; source and licence in ``app/static/geo/README.md``). The script
(``app/static/js/map.js``) fits the map to ``fit``, draws ``lines`` as routes and places each
label where it overprints no other label or marker, hiding it (the name stays on the
marker's tooltip) when no place is free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app

# (lat, lon) corners that frame the whole country, South China Sea islands included.
CHINA_FIT = ((3.5, 73.5), (53.6, 135.1))
# Label priority when places compete for room: the highlighted, then sites, depots, engineers.
LABEL_PRIORITY = {"site": 1, "depot": 2, "engineer": 3}


@dataclass
class MapPoint:
    kind: str  # depot | engineer | site
    label: str
    lat: float
    lon: float
    title: str = ""
    highlight: bool = False
    band: str = ""  # a colour class for the marker (e.g. a fill-rate band: good | warn | late)
    size: int = 0  # marker size in pixels (0: the default for its kind)


@dataclass
class MapLine:
    kind: str  # route | day-route
    coords: list[tuple[float, float]]
    title: str = ""
    colour: str | None = None


@dataclass
class MapData:
    """Points, lines and the (lat, lon) points the view must fit; ``label_kinds`` are the
    kinds whose labels are shown (highlighted points are always labelled)."""

    fit: list[tuple[float, float]]
    points: list[MapPoint] = field(default_factory=list)
    lines: list[MapLine] = field(default_factory=list)
    label_kinds: tuple[str, ...] = ("depot", "site")

    def unique_points(self) -> list[MapPoint]:
        """Each place once (a depot that serves two options is one marker), highlighted if
        any of its mentions is."""
        seen: dict[tuple[str, str], MapPoint] = {}
        for p in self.points:
            key = (p.kind, p.label)
            if key in seen:
                seen[key].highlight = seen[key].highlight or p.highlight
            else:
                seen[key] = MapPoint(
                    p.kind, p.label, p.lat, p.lon, p.title, p.highlight, p.band, p.size
                )
        return list(seen.values())

    def to_json(self) -> dict:
        return {
            "fit": [list(p) for p in self.fit],
            "points": [
                {
                    "kind": p.kind,
                    "label": p.label,
                    "lat": p.lat,
                    "lon": p.lon,
                    "title": p.title or p.label,
                    "highlight": p.highlight,
                    "band": p.band,
                    "size": p.size,
                    "labelled": p.highlight or p.kind in self.label_kinds,
                    "priority": 0 if p.highlight else LABEL_PRIORITY.get(p.kind, 9),
                }
                for p in self.unique_points()
            ],
            "lines": [
                {
                    "kind": line.kind,
                    "coords": [list(c) for c in line.coords],
                    "title": line.title,
                    "colour": line.colour,
                }
                for line in self.lines
            ],
        }


def china(points: list[MapPoint] | None = None, **kw) -> MapData:
    """A map of the whole country."""
    return MapData(list(CHINA_FIT), points or [], **kw)


def around(fit: list[tuple[float, float]], **kw) -> MapData:
    """A map fitted to some (lat, lon) points (the country when there are none)."""
    return MapData(list(fit) if fit else list(CHINA_FIT), **kw)


def base_layer() -> dict:
    """The configured base layer for the page script: tiles, or the bundled outline."""
    url = current_app.config.get("MAP_TILE_URL") or ""
    if url:
        return {"tiles": url, "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION", "")}
    return {"outline": "geo/china-provinces.geojson"}


def tile_origin() -> str | None:
    """The tile server's origin, for the pages' Content-Security-Policy (img-src)."""
    url = current_app.config.get("MAP_TILE_URL") or ""
    if not url:
        return None
    parts = urlsplit(url.replace("{s}", "*"))  # subdomains a, b, c ... -> *.host
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


# Distinct colours for engineers' day routes.
ROUTE_COLOURS = (
    "#d81b60",
    "#1e88e5",
    "#43a047",
    "#fb8c00",
    "#8e24aa",
    "#00897b",
    "#6d4c41",
    "#3949ab",
)
