"""An SVG map drawn from coordinates: no tiles, no third-party code.

Equirectangular projection with the x axis shrunk by cos(mid-latitude), so shapes near
the frame's middle keep their proportions. A frame is China's bounding box for the
board, or the box around a ticket's site, engineers and depots for its page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

CHINA_BOX = (73.0, 18.0, 135.5, 54.0)  # lon min, lat min, lon max, lat max

# A deliberately coarse outline (lon, lat) of mainland China, Hainan and Taiwan: enough
# to place cities by eye; borders here are a sketch, not a statement.
OUTLINES: tuple[tuple[tuple[float, float], ...], ...] = (
    (
        (135.0, 48.4),
        (131.0, 42.9),
        (129.5, 42.4),
        (126.0, 41.5),
        (124.3, 39.9),
        (121.6, 38.9),
        (122.2, 40.5),
        (121.0, 40.9),
        (119.5, 39.8),
        (117.8, 39.0),
        (118.9, 37.6),
        (120.7, 37.8),
        (122.6, 37.4),
        (120.3, 36.0),
        (119.2, 34.6),
        (120.9, 32.6),
        (121.9, 31.7),
        (121.9, 30.9),
        (121.9, 29.9),
        (121.4, 28.4),
        (120.6, 27.0),
        (119.6, 26.0),
        (118.1, 24.5),
        (116.7, 23.3),
        (114.2, 22.3),
        (113.5, 22.2),
        (111.0, 21.5),
        (110.4, 21.2),
        (109.7, 21.5),
        (108.0, 21.5),
        (106.7, 22.4),
        (103.9, 22.5),
        (101.8, 21.2),
        (99.5, 22.1),
        (97.7, 24.0),
        (98.7, 27.5),
        (97.5, 28.3),
        (95.3, 29.0),
        (91.6, 27.8),
        (88.9, 27.3),
        (86.0, 28.0),
        (82.0, 30.3),
        (79.0, 32.5),
        (79.5, 35.6),
        (75.0, 37.0),
        (73.6, 39.5),
        (76.5, 40.4),
        (80.2, 42.2),
        (80.3, 44.2),
        (82.6, 45.2),
        (85.5, 47.0),
        (87.3, 49.1),
        (90.9, 45.3),
        (96.0, 42.7),
        (105.0, 41.6),
        (111.9, 43.6),
        (117.4, 46.6),
        (116.0, 49.5),
        (117.5, 49.6),
        (120.0, 52.5),
        (122.5, 53.4),
        (125.5, 53.1),
        (127.5, 49.7),
        (130.9, 47.7),
        (132.5, 47.7),
    ),
    ((108.6, 19.2), (109.6, 18.2), (110.5, 18.4), (111.0, 19.6), (110.5, 20.1), (109.3, 20.0)),
    ((120.1, 23.0), (120.7, 22.0), (121.6, 24.0), (121.9, 25.1), (121.0, 25.1), (120.2, 23.8)),
)


@dataclass(frozen=True)
class Frame:
    lon_min: float
    lat_min: float
    lon_max: float
    lat_max: float
    width: float = 480.0

    @property
    def x_scale(self) -> float:
        return math.cos(math.radians((self.lat_min + self.lat_max) / 2))

    @property
    def height(self) -> float:
        span_x = (self.lon_max - self.lon_min) * self.x_scale
        return round(self.width * (self.lat_max - self.lat_min) / span_x, 1)

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        """SVG coordinates of a point (degrees in)."""
        x = (lon - self.lon_min) / (self.lon_max - self.lon_min) * self.width
        y = (self.lat_max - lat) / (self.lat_max - self.lat_min) * self.height
        return round(x, 1), round(y, 1)

    def points(self, coords: list[tuple[float, float]]) -> str:
        """``x,y x,y ...`` of (lat, lon) pairs, for a polyline."""
        return " ".join("{},{}".format(*self.xy(lat, lon)) for lat, lon in coords)

    def outlines(self) -> list[str]:
        return [
            " ".join("{},{}".format(*self.xy(lat, lon)) for lon, lat in shape) for shape in OUTLINES
        ]

    @property
    def marker(self) -> float:
        """A marker radius that stays readable whatever the zoom."""
        return 5.0


def china() -> Frame:
    return Frame(*CHINA_BOX)


def frame_around(
    points: list[tuple[float, float]],
    *,
    pad: float = 0.15,
    min_span: float = 1.2,
    aspect: float = 4 / 3,
) -> Frame:
    """The box around (lat, lon) points, padded, at least ``min_span`` degrees tall, widened
    or heightened to ``aspect`` (width / height on screen)."""
    if not points:
        return china()
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    lat_c, lon_c = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    shrink = math.cos(math.radians(lat_c))
    lat_span = max(max(lats) - min(lats), min_span) * (1 + 2 * pad)
    lon_span = max(max(lons) - min(lons), 0.01) * (1 + 2 * pad)
    # on screen: width ∝ lon_span·cos(lat), height ∝ lat_span
    if lon_span * shrink < aspect * lat_span:
        lon_span = aspect * lat_span / shrink
    else:
        lat_span = lon_span * shrink / aspect
    return Frame(
        lon_c - lon_span / 2, lat_c - lat_span / 2, lon_c + lon_span / 2, lat_c + lat_span / 2
    )


@dataclass
class MapPoint:
    kind: str  # depot | engineer | site
    label: str
    lat: float
    lon: float
    title: str = ""
    highlight: bool = False


@dataclass
class MapLine:
    kind: str  # route | day-route
    coords: list[tuple[float, float]]
    title: str = ""
    colour: str | None = None


@dataclass
class MapData:
    frame: Frame
    points: list[MapPoint] = field(default_factory=list)
    lines: list[MapLine] = field(default_factory=list)
    label_kinds: tuple[str, ...] = ("depot", "site")


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
