"""Reading a supplier delivery from CSV or Excel into row dicts."""

from __future__ import annotations

import csv
import io

from inventory.errors import InvalidInput

COLUMNS = ("depot", "part_number", "serial", "qty", "condition")
REQUIRED = ("depot", "part_number")
MAX_ROWS = 200_000


def read_delivery(data: bytes, filename: str) -> list[dict[str, str]]:
    """Rows keyed by lower-case header. Raises InvalidInput (field ``file``) when the file
    cannot be read or lacks a required column."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        rows = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name:
        rows = _read_csv(data)
    else:
        raise InvalidInput("the delivery must be a .csv or .xlsx file", field="file")
    if not rows:
        raise InvalidInput("the file has no header row", field="file")
    header = [str(h or "").strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInput(f"missing column(s): {', '.join(missing)}", field="file")
    if len(rows) - 1 > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} rows per file", field="file")
    out = []
    for number, raw in enumerate(rows[1:], start=2):
        if not any(str(v or "").strip() for v in raw):
            continue
        cells = ["" if v is None else str(v).strip() for v in raw]
        if any("\x00" in c for c in cells):  # binary, or UTF-16 text read as GB18030
            raise InvalidInput(
                f"row {number} holds NUL characters: save the delivery as UTF-8 CSV or .xlsx",
                field="file",
            )
        cells += [""] * (len(header) - len(cells))
        row = {h: cells[i] for i, h in enumerate(header) if h}
        if len(raw) > len(header) and any(cells[len(header) :]):
            row["__extra__"] = "yes"
        out.append(row)
    return out


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # Excel on Chinese Windows saves CSV in GBK
        except UnicodeDecodeError:
            raise InvalidInput("the CSV is neither UTF-8 nor GB18030 text", field="file") from None
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise InvalidInput(f"unreadable CSV: {error}", field="file") from None


def _read_xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:  # read-only sheets are parsed row by row, so a broken one fails while iterating
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise InvalidInput(f"unreadable Excel file: {error}", field="file") from None
    for r in rows:
        for i, v in enumerate(r):
            if isinstance(v, float) and v.is_integer():
                r[i] = int(v)
    return rows
