"""Solomon-format VRPTW instances: VRPLIB `.vrp` files and the plain Solomon `.txt` layout.

Node 0 is the depot, customers are 1..n (the numbering of the CVRPLIB `.sol` files).
Coordinates, demands, windows and service times are kept as given (Solomon units).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from logistics.routing.model import RoutingProblem, Stop, Vehicle


class InstanceFormatError(ValueError):
    """The file is not a readable Solomon/VRPLIB VRPTW instance; the message says why."""


@dataclass(frozen=True)
class SolomonInstance:
    """A VRPTW instance; arrays are indexed by node, node 0 is the depot."""

    name: str
    coords: np.ndarray  # (n+1, 2) float
    demand: np.ndarray  # (n+1,) int
    ready: np.ndarray  # (n+1,) float, earliest start of service
    due: np.ndarray  # (n+1,) float, latest start of service (depot: latest return)
    service: np.ndarray  # (n+1,) float
    vehicles: int
    capacity: int

    @property
    def customers(self) -> int:
        return len(self.coords) - 1


def read_instance(path: str | Path) -> SolomonInstance:
    """Read a `.vrp` (VRPLIB) or plain Solomon `.txt` instance; InstanceFormatError if bad."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InstanceFormatError(f"{path}: cannot read file ({exc.strerror})") from exc
    if re.search(r"^\s*NODE_COORD_SECTION", text, re.M) or re.search(
        r"^\s*DIMENSION\s*:", text, re.M
    ):
        return _read_vrplib(path.stem, text)
    if re.search(r"^\s*CUSTOMER\s*$", text, re.M) or re.search(r"^\s*VEHICLE\s*$", text, re.M):
        return _read_solomon_txt(path.stem, text)
    raise InstanceFormatError(f"{path}: neither a VRPLIB nor a Solomon instance")


_SECTIONS = (
    "NODE_COORD_SECTION",
    "DEMAND_SECTION",
    "TIME_WINDOW_SECTION",
    "SERVICE_TIME_SECTION",
    "DEPOT_SECTION",
)


def _read_vrplib(name: str, text: str) -> SolomonInstance:
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        word = line.split()[0].rstrip(":")
        if word in _SECTIONS or word.endswith("_SECTION"):
            current = word
            sections[current] = []
            continue
        if ":" in line and not line[0].isdigit() and not line[0] == "-":
            key, value = line.split(":", 1)
            header[key.strip().upper()] = value.strip()
            current = None
            continue
        if current is None:
            raise InstanceFormatError(f"{name}: unexpected line outside any section: {line!r}")
        sections[current].append(line.split())
    name = header.get("NAME", name)
    for key in ("DIMENSION", "CAPACITY"):
        if key not in header:
            raise InstanceFormatError(f"{name}: missing {key} in the header")
    for sec in ("NODE_COORD_SECTION", "DEMAND_SECTION", "TIME_WINDOW_SECTION"):
        if sec not in sections:
            raise InstanceFormatError(f"{name}: missing {sec}")
    if "SERVICE_TIME" not in header and "SERVICE_TIME_SECTION" not in sections:
        raise InstanceFormatError(f"{name}: missing SERVICE_TIME or SERVICE_TIME_SECTION")
    try:
        dim = int(header["DIMENSION"])
        capacity = int(float(header["CAPACITY"]))
        ids = _ids(sections, dim, name)
        coords = _column(sections["NODE_COORD_SECTION"], ids, name, "NODE_COORD_SECTION", 2)
        demand = _column(sections["DEMAND_SECTION"], ids, name, "DEMAND_SECTION", 1)[:, 0]
        tw = _column(sections["TIME_WINDOW_SECTION"], ids, name, "TIME_WINDOW_SECTION", 2)
        if "SERVICE_TIME_SECTION" in sections:
            service = _column(
                sections["SERVICE_TIME_SECTION"], ids, name, "SERVICE_TIME_SECTION", 1
            )[:, 0]
        else:
            service = np.full(dim, float(header["SERVICE_TIME"]))
        depot_rows = [r for r in sections.get("DEPOT_SECTION", [["1"]]) if r[0] != "-1"]
        depot = ids[int(depot_rows[0][0])] if depot_rows else 0
        vehicles = int(header.get("VEHICLES", dim - 1))
    except (KeyError, IndexError, ValueError) as exc:
        if isinstance(exc, InstanceFormatError):
            raise
        raise InstanceFormatError(f"{name}: malformed number or node id ({exc})") from exc
    order = [depot] + [i for i in range(dim) if i != depot]
    service = service.copy()
    service[depot] = 0.0
    return SolomonInstance(
        name,
        coords[order],
        demand[order].astype(np.int64),
        tw[order, 0],
        tw[order, 1],
        service[order],
        vehicles,
        capacity,
    )


def _ids(sections: dict[str, list[list[str]]], dim: int, name: str) -> dict[int, int]:
    rows = sections["NODE_COORD_SECTION"]
    if len(rows) != dim:
        raise InstanceFormatError(
            f"{name}: NODE_COORD_SECTION has {len(rows)} rows, DIMENSION {dim}"
        )
    return {int(r[0]): k for k, r in enumerate(rows)}


def _column(
    rows: list[list[str]], ids: dict[int, int], name: str, sec: str, width: int
) -> np.ndarray:
    if len(rows) != len(ids):
        raise InstanceFormatError(f"{name}: {sec} has {len(rows)} rows, expected {len(ids)}")
    out = np.zeros((len(ids), width))
    for r in rows:
        if len(r) < width + 1 or int(r[0]) not in ids:
            raise InstanceFormatError(f"{name}: bad row in {sec}: {' '.join(r)!r}")
        out[ids[int(r[0])]] = [float(x) for x in r[1 : width + 1]]
    return out


def _read_solomon_txt(name: str, text: str) -> SolomonInstance:
    lines = [ln.strip() for ln in text.splitlines()]
    try:
        v_at = next(i for i, ln in enumerate(lines) if ln.upper() == "VEHICLE")
    except StopIteration:
        raise InstanceFormatError(f"{name}: missing VEHICLE section") from None
    try:
        c_at = next(i for i, ln in enumerate(lines) if ln.upper() == "CUSTOMER")
    except StopIteration:
        raise InstanceFormatError(f"{name}: missing CUSTOMER section") from None
    first = next((ln for ln in lines if ln), name)
    numbers = [ln.split() for ln in lines[v_at + 1 : c_at] if ln and ln.split()[0].isdigit()]
    if not numbers or len(numbers[0]) < 2:
        raise InstanceFormatError(f"{name}: VEHICLE section has no NUMBER and CAPACITY line")
    rows = [ln.split() for ln in lines[c_at + 1 :] if ln and ln.split()[0].isdigit()]
    if not rows:
        raise InstanceFormatError(f"{name}: CUSTOMER section has no rows")
    try:
        data = np.array([[float(x) for x in r[:7]] for r in rows])
        vehicles, capacity = int(numbers[0][0]), int(numbers[0][1])
    except ValueError as exc:
        raise InstanceFormatError(f"{name}: malformed number ({exc})") from exc
    if data.shape[1] != 7:
        raise InstanceFormatError(f"{name}: CUSTOMER rows need 7 columns")
    service = data[:, 6].copy()
    service[0] = 0.0
    return SolomonInstance(
        first,
        data[:, 1:3],
        data[:, 3].astype(np.int64),
        data[:, 4],
        data[:, 5],
        service,
        vehicles,
        capacity,
    )


def dimacs_tenths(coords: np.ndarray) -> np.ndarray:
    """Euclidean distances truncated to one decimal (DIMACS convention), in integer tenths."""
    diff = coords[:, None, :] - coords[None, :, :]
    return np.floor(np.sqrt(100.0 * (diff**2).sum(axis=2))).astype(np.int64)


#: Solomon times and distances are kept in integer tenths (DIMACS truncation is exact).
TENTHS = 10


def routing_problem(instance: SolomonInstance) -> RoutingProblem:
    """The instance as a RoutingProblem in integer tenths of Solomon units: distance and
    travel time are the DIMACS truncated lengths, every customer is mandatory, stop ids
    are the customer numbers and all `instance.vehicles` vehicles start and end at 0."""
    tenths = dimacs_tenths(instance.coords)

    def t(x: float) -> int:
        return int(round(x * TENTHS))

    stops = [
        Stop(
            id=str(c),
            location=c,
            service_minutes=t(instance.service[c]),
            window=(t(instance.ready[c]), t(instance.due[c])),
            demand=int(instance.demand[c]),
        )
        for c in range(1, instance.customers + 1)
    ]
    shift = (t(instance.ready[0]), t(instance.due[0]))
    vehicles = [
        Vehicle(id=f"v{k + 1}", start=0, end=0, shift=shift, capacity=instance.capacity)
        for k in range(instance.vehicles)
    ]
    return RoutingProblem(tenths, tenths, stops, vehicles)
