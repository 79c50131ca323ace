"""Reading a supplier delivery from CSV or Excel into row dicts, in bounded memory.

An .xlsx file is a zip of XML parts, and both layers can lie: a sheet may declare the
range A1:XFD1048576 (openpyxl would pad every row to 16,384 cells), number a row
1,048,576 (every row before it would be made), put a cell in column XFD, or be a zip bomb
(a few kilobytes that unpack to gigabytes). So the reader never trusts what the file
declares: the sheet is streamed row by row (openpyxl read-only) with its dimensions reset,
at most ``MAX_COLUMNS`` + 1 columns are read, and the parts'
unpacked sizes are checked before anything is unpacked (Python's zip reader stops at the
declared size, so a part cannot unpack to more than it declares). Blank rows are skipped
at no cost. What exceeds a limit is refused naming it: a non-blank row past ``MAX_ROWS`` or
a cell past ``MAX_COLUMNS`` is InvalidInput (422), a workbook that unpacks to too much is
TooLarge (413).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator

from inventory.errors import InvalidInput, TooLarge

COLUMNS = ("depot", "part_number", "serial", "qty", "condition")
REQUIRED = ("depot", "part_number")
MAX_ROWS = 200_000  # data rows, the header not counted
MAX_COLUMNS = 32  # a delivery has five; a cell past the 33rd column is not read at all
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # the whole workbook, as it unpacks
MAX_PART_BYTES = 16 * 1024 * 1024  # any part other than a worksheet (shared strings, styles…)
MAX_PARTS = 1_000


def read_delivery(data: bytes, filename: str) -> list[dict[str, str]]:
    """Rows keyed by lower-case header. Raises InvalidInput (field ``file``) when the file
    cannot be read, lacks a required column or exceeds ``MAX_ROWS`` / ``MAX_COLUMNS``, and
    TooLarge (field ``file``) when a workbook unpacks to more than the limits."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        rows = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name:
        rows = _read_csv(data)
    else:
        raise InvalidInput(
            "the delivery must be a .csv or .xlsx file", field="file", key="import.file_type"
        )
    return _to_dicts(rows)


def _to_dicts(rows: Iterator[list]) -> list[dict[str, str]]:
    first = next(rows, None)
    if first is None:
        raise InvalidInput("the file has no header row", field="file", key="import.no_header")
    header = [str(h or "").strip().lower() for h in first]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise InvalidInput(
            _too_many_columns(),
            field="file",
            key="import.too_many_columns",
            params={"n": MAX_COLUMNS},
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInput(
            f"missing column(s): {', '.join(missing)}",
            field="file",
            key="import.missing_columns",
            params={"columns": ", ".join(missing)},
        )
    out = []
    same: dict[str, str] = {}  # one object per repeated value (depot, part, qty…) saves memory
    for number, raw in enumerate(rows, start=2):
        if not any(str(v or "").strip() for v in raw):
            continue  # blank rows cost nothing (a sheet may number its last row 1,048,576)
        if number - 1 > MAX_ROWS:
            raise InvalidInput(
                f"at most {MAX_ROWS} rows per file",
                field="file",
                key="import.too_many_rows",
                params={"n": MAX_ROWS},
            )
        if len(raw) > MAX_COLUMNS and any(str(v or "").strip() for v in raw[MAX_COLUMNS:]):
            raise InvalidInput(
                f"row {number}: {_too_many_columns()}",
                field="file",
                key="import.row_too_many_columns",
                params={"row": number, "n": MAX_COLUMNS},
            )
        cells = ["" if v is None else str(v).strip() for v in raw]
        if len(same) < 10_000:
            cells = [same.setdefault(c, c) for c in cells]
        else:
            cells = [same.get(c, c) for c in cells]
        if any("\x00" in c for c in cells):  # binary, or UTF-16 text read as GB18030
            raise InvalidInput(
                f"row {number} holds NUL characters: save the delivery as UTF-8 CSV or .xlsx",
                field="file",
                key="import.nul",
                params={"row": number},
            )
        cells += [""] * (len(header) - len(cells))
        row = {h: cells[i] for i, h in enumerate(header) if h}
        if len(raw) > len(header) and any(cells[len(header) :]):
            row["__extra__"] = "yes"
        out.append(row)
    return out


def _too_many_columns() -> str:
    return f"at most {MAX_COLUMNS} columns per row"


def _read_csv(data: bytes) -> Iterator[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # Excel on Chinese Windows saves CSV in GBK
        except UnicodeDecodeError:
            raise InvalidInput(
                "the CSV is neither UTF-8 nor GB18030 text", field="file", key="import.encoding"
            ) from None
    try:
        # the upload is bounded (MAX_CONTENT_LENGTH), so are its rows; read them now to
        # report a broken CSV before any row is used
        rows: list[list] = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise InvalidInput(f"unreadable CSV: {error}", field="file", key="import.bad_csv") from None
    return iter(rows)


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a workbook whose parts declare more than the limits (before unpacking)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise InvalidInput(
            f"unreadable Excel file: {error}", field="file", key="import.bad_xlsx"
        ) from None
    if len(parts) > MAX_PARTS:
        raise TooLarge(
            f"the workbook holds more than {MAX_PARTS} parts",
            field="file",
            key="import.too_many_parts",
            params={"n": MAX_PARTS},
        )
    mb = 1024 * 1024
    if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise TooLarge(
            f"the workbook unpacks to more than {MAX_UNPACKED_BYTES // mb} MB",
            field="file",
            key="import.too_large",
            params={"mb": MAX_UNPACKED_BYTES // mb},
        )
    for part in parts:
        if part.file_size > MAX_PART_BYTES and not part.filename.startswith("xl/worksheets/"):
            raise TooLarge(
                f"the workbook part {part.filename} unpacks to more than {MAX_PART_BYTES // mb} MB",
                field="file",
                key="import.part_too_large",
                params={"name": part.filename, "mb": MAX_PART_BYTES // mb},
            )


def _read_xlsx(data: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    _check_unpacked_size(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise InvalidInput(
            f"unreadable Excel file: {error}", field="file", key="import.bad_xlsx"
        ) from None
    return _xlsx_rows(book)


def _xlsx_rows(book) -> Iterator[list]:
    """The first sheet's rows, one at a time, at most MAX_COLUMNS + 1 cells wide (enough
    for the caller to see the limit exceeded; cells further right are not read)."""
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the declared range is the attacker's; read what is there
        rows: Iterable = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        for values in rows:
            row = list(values)
            for i, v in enumerate(row):
                if isinstance(v, float) and v.is_integer():
                    row[i] = int(v)
            yield row
    except InvalidInput:
        raise
    except Exception as error:  # a broken sheet fails while it is parsed, row by row
        raise InvalidInput(
            f"unreadable Excel file: {error}", field="file", key="import.bad_xlsx"
        ) from None
    finally:
        book.close()
