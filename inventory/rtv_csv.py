"""The per-vendor RTV report as CSV (one row per vendor, the figures of
``inventory.rtv.vendor_report``), for the API and the page alike."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, fields

from inventory.rtv import VendorReport

COLUMNS = [f.name for f in fields(VendorReport)]


def vendor_report_csv(rows: list[VendorReport]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        values = asdict(row)
        writer.writerow(["" if values[c] is None else values[c] for c in COLUMNS])
    return out.getvalue()
