"""Fonts: Helvetica for Latin text, reportlab's built-in CJK font for Chinese.

STSong-Light is one of the Adobe CID fonts reportlab knows by name; it is not
embedded, so no font file is shipped and PDF readers use their own Song/Ming face.
Mixed text ("北京 Haidian, RMA-2026-000123") is split into runs so each run gets a
font that has its glyphs.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD_FONT = "Helvetica-Bold"


def register_fonts() -> None:
    """Make the CJK font known to reportlab (idempotent)."""
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _latin_can_draw(char: str) -> bool:
    """Helvetica draws what WinAnsi (cp1252) encodes; everything else goes to the CJK font."""
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def has_cjk(text: str) -> bool:
    return not all(_latin_can_draw(c) for c in text)


def font_runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """Split ``text`` into (font name, chunk) runs, each drawable in its font."""
    latin = LATIN_BOLD_FONT if bold else LATIN_FONT
    runs: list[tuple[str, str]] = []
    for char in text:
        font = latin if _latin_can_draw(char) else CJK_FONT
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def font_for(text: str, bold: bool = False) -> str:
    """One font for a whole string (chart labels cannot switch fonts mid-string)."""
    if has_cjk(text):
        return CJK_FONT
    return LATIN_BOLD_FONT if bold else LATIN_FONT


def markup(text: str) -> str:
    """Paragraph markup for ``text``: XML-escaped, CJK runs wrapped in the CJK font."""
    parts = []
    for font, chunk in font_runs(text):
        escaped = escape(chunk).replace("\n", "<br/>")
        parts.append(f'<font name="{font}">{escaped}</font>' if font == CJK_FONT else escaped)
    return "".join(parts)
