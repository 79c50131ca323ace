"""The PDFs print the same on a customer's machine with no Chinese font installed: every
font is embedded (poppler's pdffonts says so) and poppler, given a font configuration
that knows no font at all, draws every glyph of a Chinese page and reads its text back.

poppler-utils comes with `make test` (scripts/ensure-browser); without it these fail."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.documents import render_shelf_labels
from app.documents.labels import doc_label
from tests.unit.test_documents import DOCUMENTS
from tests.unit.test_shelf_labels import LABELS

# Every kind of paper the service prints: the A4 documents and the 60×40 mm labels (a
# depot's bin labels and a transfer's item labels are the same kind of page).
PAPERS = {**DOCUMENTS, "shelf labels": lambda lang: render_shelf_labels(LABELS, lang)}
# Chinese text each paper carries on its first page: the footer of every A4 document, the
# location line of a label.
CHINESE_ON_PAGE_1 = {name: doc_label("doc.generated_by", "zh") for name in DOCUMENTS} | {
    "shelf labels": "库房"
}

EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""


@pytest.fixture(scope="module")
def no_fonts_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment in which fontconfig knows no font: a machine without Chinese fonts
    (and without any other)."""
    folder = tmp_path_factory.mktemp("fontconfig")
    config = folder / "fonts.conf"
    config.write_text(EMPTY_FONTCONFIG.format(cache=folder / "cache"))
    return {**os.environ, "FONTCONFIG_FILE": str(config), "FONTCONFIG_PATH": str(folder)}


def run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env=env, check=True, timeout=60)


def fonts_of(pdf: Path) -> list[dict[str, str]]:
    """pdffonts' table: one row per font with its name and whether it is embedded."""
    header, _rule, *lines = run(["pdffonts", str(pdf)]).stdout.splitlines()
    emb = header.index("emb")
    return [{"name": line.split()[0], "emb": line[emb : emb + 3]} for line in lines if line]


def rendered(pdf: Path, tmp: Path, env: dict[str, str] | None, tag: str) -> tuple[Image.Image, str]:
    """Page 1 as poppler draws it at 72 dpi, and what poppler complained about."""
    done = run(
        ["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp / tag)], env
    )
    (page,) = tmp.glob(f"{tag}*.png")
    return Image.open(page).convert("L"), done.stderr


def test_every_kind_of_paper_the_service_prints_is_checked() -> None:
    from app import documents

    renderers = {n for n in documents.__all__ if n.startswith("render_")}
    # the labels: one renderer for bin and item labels; the service file's renderer prints
    # two papers (the quarterly file and the annual summary); the rest one document each
    assert len(renderers) == len(PAPERS) - 1, sorted(renderers)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(PAPERS))
def test_every_font_of_every_document_is_embedded(name: str, lang: str, tmp_path: Path) -> None:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(PAPERS[name](lang))

    fonts = fonts_of(pdf)

    assert fonts
    assert [f["name"] for f in fonts if f["emb"] != "yes"] == []


@pytest.mark.parametrize("name", sorted(PAPERS))
def test_a_chinese_document_renders_on_a_machine_without_chinese_fonts(
    name: str, tmp_path: Path, no_fonts_env: dict[str, str]
) -> None:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(PAPERS[name]("zh"))

    bare, complaints = rendered(pdf, tmp_path, no_fonts_env, "bare")
    with_fonts, _ = rendered(pdf, tmp_path, None, "fonts")
    text = run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], no_fonts_env).stdout

    assert "font" not in complaints.lower()  # "Couldn't find a font for 'STSong-Light'"
    # Chinese is on the page as text and as ink (an A4 page's footer, a label's top line).
    assert CHINESE_ON_PAGE_1[name] in text
    band = np.asarray(bare)[-60:, :] if name in DOCUMENTS else np.asarray(bare)
    assert np.count_nonzero(band < 200) > (150 if name in DOCUMENTS else 30)
    # Not boxes in place of glyphs: the page is drawn exactly as on a machine with fonts.
    assert np.array_equal(np.asarray(bare), np.asarray(with_fonts))
