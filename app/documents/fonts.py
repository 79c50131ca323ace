"""Fonts: every PDF embeds the subset of the glyphs it uses, so it prints the same on a
machine with no Chinese font installed.

- Latin text: Bitstream Vera Sans (regular and bold), shipped inside reportlab itself.
- Chinese: WenQuanYi Micro Hei (文泉驿微米黑, Apache License 2.0; TrueType outlines, which
  reportlab can subset), from the ``paperang-p2-fonts-cjk`` package on PyPI (a required
  project dependency, so ``make run`` has it).

Mixed text ("北京 Haidian, RMA-2026-000123") is split into runs so each run gets a font
that has its glyphs: the Latin face draws what it has, the CJK face everything else.
There is no bold Chinese face: Chinese runs of a bold line are set in the regular one.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

CJK_FONT = "WenQuanYiMicroHei"
LATIN_FONT = "Vera"
LATIN_BOLD_FONT = "VeraBd"

_REPORTLAB_FONTS = Path(reportlab.__file__).parent / "fonts"


class FontMissing(RuntimeError):
    """No file of the Chinese face was found: install the project's dependencies."""


def cjk_font_file() -> Path:
    """The file the Chinese face is read from, in the ``paperang-p2-fonts-cjk`` package."""
    path = Path(str(files("paperang_p2_fonts_cjk"))) / "fonts" / "wqy-microhei.ttc"
    if not path.is_file():
        raise FontMissing(
            f"no WenQuanYi Micro Hei font file at {path}: reinstall paperang-p2-fonts-cjk "
            "(a dependency in pyproject.toml)"
        )
    return path


@cache
def register_fonts() -> None:
    """Make the embedded fonts known to reportlab (once per process)."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    if LATIN_FONT not in registered:
        pdfmetrics.registerFont(TTFont(LATIN_FONT, str(_REPORTLAB_FONTS / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(LATIN_BOLD_FONT, str(_REPORTLAB_FONTS / "VeraBd.ttf")))
        for bold, italic, name in ((0, 0, LATIN_FONT), (1, 0, LATIN_BOLD_FONT)):
            addMapping(LATIN_FONT, bold, italic, name)
            addMapping(LATIN_FONT, bold, 1, name)
    if CJK_FONT not in registered:
        pdfmetrics.registerFont(TTFont(CJK_FONT, str(cjk_font_file()), subfontIndex=0))


@cache
def _latin_chars() -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(LATIN_FONT)
    return frozenset(font.face.charToGlyph)  # type: ignore[attr-defined]


def _latin_can_draw(char: str) -> bool:
    """Vera draws Latin letters, digits and the usual punctuation; the rest is Chinese."""
    return ord(char) in _latin_chars() or char in "\n\r\t"


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
    """One font for a whole string (chart labels cannot switch fonts mid-string); the
    Chinese face has Latin glyphs too."""
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
