"""Labels for the shelf: 60×40 mm pages a thermal printer feeds, every font embedded, and
a Code 128 that a scanner reads back as exactly the value the console takes."""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.documents import render_shelf_labels
from app.documents.data import ShelfLabel
from app.documents.shelf import DOT, LABEL_SIZE, label_barcode
from models import limits
from tests.unit.test_documents import page_images

LABELS = [
    ShelfLabel("库房", "BJ01", "BJ01", ("北京一号库", "北京市朝阳区酒仙桥路 10 号")),
    ShelfLabel(
        "库位 · BJ01 北京一号库", "SRV-2288-PSU", "SRV-2288-PSU", ("服务器电源模块", "server")
    ),
    ShelfLabel(
        "备件 · TRF-2026-000012",
        "2102311XYZ12345678",
        "2102311XYZ12345678",
        ("SRV-2288-PSU · 良品", "服务器电源模块"),
    ),
]


def test_each_label_is_one_60_by_40_mm_page_in_order() -> None:
    pages = PdfReader(BytesIO(render_shelf_labels(LABELS, "zh"))).pages
    assert len(pages) == 3
    for page in pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - LABEL_SIZE[0]) < 0.01 and abs(height - LABEL_SIZE[1]) < 0.01
        assert round(width / 72 * 25.4) == 60 and round(height / 72 * 25.4) == 40
    assert "服务器电源模块" in pages[1].extract_text()


def test_every_font_of_the_labels_is_embedded(tmp_path: Path) -> None:
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(render_shelf_labels(LABELS, "en"))
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    header, _rule, *rows = out.stdout.splitlines()
    emb = header.index("emb")
    assert rows and all(row[emb : emb + 3] == "yes" for row in rows), out.stdout


def test_a_scanner_reads_each_barcode_as_the_value_the_console_takes() -> None:
    import zxingcpp  # a barcode reader, standing in for the warehouse's scanner

    read = [
        [code.text for code in zxingcpp.read_barcodes(image) if "128" in str(code.format)]
        for image in page_images(render_shelf_labels(LABELS, "zh"), scale=3)
    ]
    assert read == [["BJ01"], ["SRV-2288-PSU"], ["2102311XYZ12345678"]]


def test_bars_are_whole_printer_dots_when_the_value_fits() -> None:
    inner = LABEL_SIZE[0] - 6 * 72 / 25.4
    drawing = label_barcode("SRV-2288-PSU", inner)
    assert drawing.width <= inner
    bar = drawing.contents[0].barWidth
    assert bar / DOT == pytest.approx(round(bar / DOT)) and bar >= 2 * DOT


def test_a_serial_too_long_for_the_label_still_stays_on_it() -> None:
    longest = ("SN-" + "X7" * limits.SERIAL)[: limits.SERIAL]
    pdf = render_shelf_labels([ShelfLabel("备件", longest, longest, ("x" * 300,))], "zh")
    (image,) = page_images(pdf, scale=2)
    assert (
        abs(image.size[0] - LABEL_SIZE[0] * 2) <= 1 and abs(image.size[1] - LABEL_SIZE[1] * 2) <= 1
    )
    inner = LABEL_SIZE[0] - 6 * 72 / 25.4
    assert label_barcode(longest, inner).width <= inner + 0.01


def test_a_value_code_128_cannot_hold_gets_no_barcode_but_its_text() -> None:
    pdf = render_shelf_labels([ShelfLabel("库位", "电源-01", "电源-01", ())], "zh")
    assert "电源-01" in PdfReader(BytesIO(pdf)).pages[0].extract_text()
    with pytest.raises(ValueError):
        render_shelf_labels([], "zh")
