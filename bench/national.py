"""Build a national-scale data set in PostgreSQL with set-based SQL (for the benches).

200 depots scattered over China, 5,000 part models, 1,000,000 serialized items with a
receipt movement each (plus a transfer for every fifth), 2,000 engineers. Seeded and
deterministic. The schema comes from the real migrations.
"""

from __future__ import annotations

import argparse
import os
import random
import time

import psycopg

from models.migrate import upgrade

ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
CITIES = [  # name, lat, lon — anchors so depots sit near real population centres
    ("Beijing", 39.90, 116.41),
    ("Shanghai", 31.23, 121.47),
    ("Guangzhou", 23.13, 113.26),
    ("Chengdu", 30.57, 104.07),
    ("Wuhan", 30.59, 114.31),
    ("Xi'an", 34.34, 108.94),
    ("Shenyang", 41.81, 123.43),
    ("Kunming", 25.04, 102.71),
    ("Urumqi", 43.83, 87.62),
    ("Harbin", 45.80, 126.53),
    ("Nanjing", 32.06, 118.80),
    ("Changsha", 28.23, 112.94),
    ("Zhengzhou", 34.75, 113.63),
    ("Jinan", 36.65, 117.12),
    ("Fuzhou", 26.07, 119.30),
    ("Lanzhou", 36.06, 103.83),
    ("Nanning", 22.82, 108.32),
    ("Hohhot", 40.84, 111.75),
]


def sqlalchemy_url(dbname: str) -> str:
    return (
        ADMIN_URL.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{dbname}"
    )


def recreate_database(dbname: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (dbname,)
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        admin.execute(f'CREATE DATABASE "{dbname}"')


def build(
    dbname: str = "sparelog_bench",
    *,
    items: int = 1_000_000,
    depots: int = 200,
    parts: int = 5_000,
    engineers: int = 2_000,
    seed: int = 7,
    log=print,
) -> str:
    """(Re)create ``dbname`` and fill it. Returns its SQLAlchemy URL."""
    rng = random.Random(seed)
    t0 = time.perf_counter()
    recreate_database(dbname)
    url = sqlalchemy_url(dbname)
    upgrade(url)
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        depot_rows = []
        for i in range(depots):
            name, lat, lon = CITIES[i % len(CITIES)] if i < len(CITIES) else rng.choice(CITIES)
            if i >= len(CITIES):
                lat, lon = lat + rng.uniform(-3, 3), lon + rng.uniform(-3, 3)
            depot_rows.append(
                (f"D{i:03d}", f"{name} depot {i}", name, round(lat, 5), round(lon, 5))
            )
        with cur.copy("COPY locations (code, name, kind) FROM STDIN") as cp:
            for code, name, *_ in depot_rows:
                cp.write_row((code, name, "depot"))
        cur.execute("SELECT id, code FROM locations WHERE kind = 'depot' ORDER BY id")
        loc_ids = {code: lid for lid, code in cur.fetchall()}
        with cur.copy(
            "COPY depots (location_id, code, name, address, city, lat, lon, timezone, active, created_at) "
            "FROM STDIN"
        ) as cp:
            for code, name, city, lat, lon in depot_rows:
                cp.write_row(
                    (
                        loc_ids[code],
                        code,
                        name,
                        f"{city} logistics park",
                        city,
                        lat,
                        lon,
                        "Asia/Shanghai",
                        True,
                        "2026-01-01T00:00:00Z",
                    )
                )
        categories = ["server", "network", "video", "storage"]
        with cur.copy(
            "COPY parts (part_number, description, category, tracking, kind, unit_cost, active) "
            "FROM STDIN"
        ) as cp:
            for p in range(parts):
                cp.write_row(
                    (
                        f"P{p:05d}",
                        f"Bench part {p}",
                        categories[p % 4],
                        "serialized",
                        "repairable",
                        100 + p % 900,
                        True,
                    )
                )
        conn.commit()
        log(f"depots and parts: {time.perf_counter() - t0:.1f}s")

        cur.execute("SELECT min(id) FROM locations WHERE kind = 'depot'")
        first_loc = cur.fetchone()[0]
        cur.execute("SELECT id FROM locations WHERE code = 'SUPPLIER'")
        supplier = cur.fetchone()[0]
        cur.execute("SELECT min(id) FROM parts")
        first_part = cur.fetchone()[0]
        # Items: part i % parts, depot by a hash of i; 85 % good on the shelf, the rest mixed.
        cur.execute(
            """
            INSERT INTO serial_items (part_id, serial, location_id, status, condition, updated_at)
            SELECT %(p0)s + (i %% %(parts)s),
                   'SN' || lpad(i::text, 8, '0'),
                   %(l0)s + (((i / %(parts)s) * 37 + i * 13) %% %(depots)s),
                   CASE WHEN i %% 20 = 0 THEN 'reserved' ELSE 'in_stock' END,
                   CASE WHEN i %% 10 = 3 THEN 'faulty' ELSE 'good' END,
                   timestamptz '2026-01-01' + (i %% 300) * interval '1 day'
            FROM generate_series(1::bigint, %(items)s::bigint) AS i
            """,
            {"p0": first_part, "parts": parts, "l0": first_loc, "depots": depots, "items": items},
        )
        log(f"items: {time.perf_counter() - t0:.1f}s")
        cur.execute(
            """
            INSERT INTO movements (part_id, serial_item_id, qty, from_location_id, to_location_id,
                                   from_condition, condition, reason, reference, actor, occurred_at)
            SELECT part_id, id, 1, %(sup)s, location_id, condition, condition, 'receipt', 'BENCH-OPENING',
                   'bench', updated_at - interval '30 days'
            FROM serial_items
            """,
            {"sup": supplier},
        )
        cur.execute(
            """
            INSERT INTO movements (part_id, serial_item_id, qty, from_location_id, to_location_id,
                                   from_condition, condition, reason, reference, actor, occurred_at)
            SELECT part_id, id, 1, location_id, location_id, condition, condition, 'cycle_count',
                   'BENCH-COUNT', 'bench', updated_at
            FROM serial_items WHERE id % 5 = 0
            """
        )
        log(f"movements: {time.perf_counter() - t0:.1f}s")
        skills = [
            "{server,network}",
            "{video,storage}",
            "{server,storage}",
            "{network,video}",
            "{server,network,video,storage}",
        ]
        with cur.copy(
            "COPY engineers (code, name, home_city, home_lat, home_lon, skills, timezone, "
            "shift_start_min, shift_end_min, work_days, max_open_jobs, active) FROM STDIN"
        ) as cp:
            for e in range(engineers):
                _code, _name, city, lat, lon = depot_rows[e % depots]
                cp.write_row(
                    (
                        f"E{e:05d}",
                        f"Engineer {e}",
                        city,
                        round(lat + rng.uniform(-0.3, 0.3), 5),
                        round(lon + rng.uniform(-0.3, 0.3), 5),
                        '["' + skills[e % len(skills)].strip("{}").replace(",", '","') + '"]',
                        "Asia/Shanghai",
                        0,
                        1440,
                        "1234567",
                        3,
                        True,
                    )
                )
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # visibility map for index-only scans, fresh statistics
    log(
        f"built {dbname}: {items} items, {depots} depots, {parts} parts, {engineers} engineers "
        f"in {time.perf_counter() - t0:.1f}s"
    )
    return url


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", default="sparelog_bench")
    ap.add_argument("--items", type=int, default=1_000_000)
    args = ap.parse_args()
    build(args.db, items=args.items)
