"""The performance indicators as tables: one sheet per section, for CSV (one file, the
section in the first column) and Excel (.xlsx, one worksheet per section). Codes stay
codes (P1, response, ...); rates are fractions 0-1 and minutes are minutes."""

from __future__ import annotations

import csv
import io

from inventory.indicators import Indicators

SECTIONS = ("summary", "restore", "compliance", "repeats", "satisfaction")


def _r(value: float | None, places: int = 4):
    return "" if value is None else round(value, places)


def indicator_tables(ind: Indicators) -> dict[str, list[list]]:
    """section → rows, the first row the header."""
    return {
        "summary": [
            ["indicator", "value", "count", "of"],
            ["period_start", ind.start.isoformat(), "", ""],
            ["period_end", ind.end.isoformat(), "", ""],
            ["tickets", ind.tickets, "", ""],
            [
                "first_time_fix_rate",
                _r(ind.first_time_fix.rate),
                ind.first_time_fix.met,
                ind.first_time_fix.total,
            ],
            ["repeat_within_30_days", ind.repeat_30, "", ind.repeat_tickets],
            ["repeat_within_90_days", ind.repeat_90, "", ind.repeat_tickets],
            [
                "satisfaction_overall",
                _r(ind.satisfaction_overall, 2),
                ind.satisfaction_responses,
                "",
            ],
        ],  # fmt: skip
        "restore": [["severity", "tickets", "restored", "mean_minutes"]]
        + [[r.severity, r.tickets, r.restored, _r(r.mean_minutes, 1)] for r in ind.restore],
        "compliance": [["clock", "region", "met", "missed", "rate"]]
        + [[c.clock, c.region or "all", c.met, c.missed, _r(c.rate)] for c in ind.compliance],
        "repeats": [["serial", "tickets", "within_30_days", "within_90_days"]]
        + [[s.serial, s.tickets, s.within_30, s.within_90] for s in ind.repeat_serials],
        "satisfaction": [["engineer", "name", "responses", "mean_overall"]]
        + [[s.engineer, s.name, s.responses, _r(s.mean_overall, 2)] for s in ind.satisfaction],
    }


def indicators_csv(ind: Indicators) -> str:
    """One CSV: ``section`` first, then each section's own columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for section, rows in indicator_tables(ind).items():
        writer.writerow(["section", *rows[0]])
        for row in rows[1:]:
            writer.writerow([section, *row])
    return out.getvalue()


def indicators_xlsx(ind: Indicators) -> bytes:
    """An Excel workbook with one worksheet per section."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for section, rows in indicator_tables(ind).items():
        sheet = book.create_sheet(section)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
