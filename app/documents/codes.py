"""Machine-readable marks: Code 128 barcodes of RMA numbers and QR codes of links."""

from __future__ import annotations

from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing, String

from app.documents.fonts import LATIN_FONT, register_fonts


def code128_drawing(value: str, *, bar_height: float = 36, bar_width: float = 1.1) -> Drawing:
    """A Code 128 barcode of ``value`` (sizes in points), the value printed under the bars."""
    register_fonts()
    text_band = 12
    drawing = createBarcodeDrawing(
        "Code128",
        value=value,
        barHeight=bar_height,
        barWidth=bar_width,
        humanReadable=False,
        quiet=True,
    )
    drawing.initialFontName = LATIN_FONT  # never reportlab's unembedded default face
    drawing.contents[0].y = text_band
    drawing.height = bar_height + text_band
    drawing.add(
        String(drawing.width / 2, 2, value, fontName=LATIN_FONT, fontSize=9, textAnchor="middle")
    )
    return drawing


def qr_drawing(value: str, *, size: float = 80) -> Drawing:
    """A QR code of ``value``, ``size`` points square (error correction level M)."""
    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.initialFontName = LATIN_FONT
    drawing.add(widget)
    return drawing
