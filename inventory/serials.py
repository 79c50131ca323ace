"""What a serial number is, once: the one normalisation every serial goes through on its
way in (receipts, delivery files, counts, tickets, RMAs, look-ups).

A serial is printed on a label and typed, scanned or pasted from a spreadsheet, so the same
unit arrives as ``psu2026x0001``, ``PSU2026X0001 ``, ``ＰＳＵ２０２６Ｘ０００１`` (full-width,
from a Chinese input method) or with a zero-width space from a web page. They are one unit:

1. NFKC (full-width letters and digits become ASCII, compatibility forms fold);
2. control and format characters are removed (Unicode categories Cc and Cf: zero-width
   spaces and joiners, the byte-order mark, soft hyphens, tabs and line breaks);
3. surrounding whitespace is trimmed (whitespace inside is kept: it is part of the label);
4. letters are upper-cased: serials are case-insensitive, stored and shown in capitals
   (vendors print them so; no vendor issues two units differing only in case).

The database holds only normalised serials (migration 0011_imports normalised the rows before it),
so the unique keys on (part, serial) hold for what users see as one unit.
"""

from __future__ import annotations

import unicodedata

_DROPPED = ("Cc", "Cf")


def normalize_serial(text: str) -> str:
    """The canonical form of a serial (see the module docstring); may be empty."""
    folded = unicodedata.normalize("NFKC", text)
    kept = "".join(c for c in folded if unicodedata.category(c) not in _DROPPED)
    return kept.strip().upper()


def normalize_optional_serial(text: str | None) -> str | None:
    """``normalize_serial``, with None or a serial that normalises to nothing as None."""
    if text is None:
        return None
    return normalize_serial(text) or None
