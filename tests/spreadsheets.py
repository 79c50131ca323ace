"""Hand-made .xlsx files, honest or hostile, written part by part (no spreadsheet library):
fast enough for 200,000 rows, and able to say what openpyxl would never write (a declared
range of the whole grid, a cell in column XFD, a part that unpacks to 100+ MB)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _column(index: int) -> str:
    """1 -> A, 16384 -> XFD."""
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, value) -> str:
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def xlsx(
    rows: Iterable[Sequence],
    *,
    dimension: str | None = None,
    stray_column: int | None = None,
    last_row_number: int | None = None,
    shared_strings_mb: int = 0,
) -> bytes:
    """A workbook of one sheet holding ``rows`` (row 1 the header). Hostile options:
    ``dimension`` declares a range (e.g. "A1:XFD1048576"); ``stray_column`` puts one more
    cell in that column of every row; ``last_row_number`` adds a row with one cell at that
    row number; ``shared_strings_mb`` adds a shared-strings part that unpacks to that many
    megabytes of two-letter strings (a zip bomb: it compresses about 1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'.encode()
            )
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            number = 0
            for number, values in enumerate(rows, start=1):
                cells = "".join(
                    _cell(f"{_column(i)}{number}", v)
                    for i, v in enumerate(values, start=1)
                    if v is not None
                )
                if stray_column:
                    cells += _cell(f"{_column(stray_column)}{number}", "x")
                sheet.write(f'<row r="{number}">{cells}</row>'.encode())
            if last_row_number:
                ref = f"A{last_row_number}"
                sheet.write(f'<row r="{last_row_number}">{_cell(ref, "BJ01")}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w") as strings:
            strings.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}">'.encode())
            block = b"<si><t>ab</t></si>" * 58_255  # about 1 MB
            for _ in range(shared_strings_mb):
                strings.write(block)
            strings.write(b"</sst>")
    return out.getvalue()


def delivery_rows(count: int, part_number: str = "SRV-PSU", depot: str = "BJ01") -> list[list]:
    """A header and ``count`` serialized rows, serials ``<part>-0000001`` …"""
    return [["depot", "part_number", "serial", "qty", "condition"]] + [
        [depot, part_number, f"{part_number}-{i:07d}", 1, "good"] for i in range(1, count + 1)
    ]
