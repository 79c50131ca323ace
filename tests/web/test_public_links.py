"""Every link a customer follows from paper or mail starts with PUBLIC_BASE_URL, which
production cannot start without; the demo links to the local address."""

from __future__ import annotations

import pypdfium2
import pytest

from app.config import ConfigError, load_config
from tests.web.conftest import delivered_rma


def test_production_refuses_to_start_without_the_public_address(monkeypatch, database_url) -> None:
    from app import create_app

    monkeypatch.delenv("PUBLIC_BASE_URL")
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL is not set"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "SPARELOG_ENV": "production"})


def test_a_public_address_that_is_not_an_absolute_http_url_is_refused(
    monkeypatch, database_url
) -> None:
    from app import create_app

    monkeypatch.setenv("PUBLIC_BASE_URL", "service.example.com")
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL must be an absolute http"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "SPARELOG_ENV": "production"})


def test_the_demo_links_to_the_local_address(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("PUBLIC_BASE_URL")
    monkeypatch.setenv("PORT", "5123")

    assert load_config(str(tmp_path), "development")["PUBLIC_BASE_URL"] == "http://localhost:5123"
    assert load_config(str(tmp_path), "production")["PUBLIC_BASE_URL"] is None


def test_the_packing_slips_qr_code_opens_the_public_tracking_page(app, as_role, db) -> None:
    import zxingcpp  # a barcode reader, standing in for the customer's phone

    app.config["PUBLIC_BASE_URL"] = "https://rma.example.cn/service"
    rma = delivered_rma(db, "LINK-0001")
    staff = as_role("warehouse")

    pdf = staff.get(f"/documents/rma/{rma.number}/packing-slip.pdf").data

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    links = {code.text for code in zxingcpp.read_barcodes(image) if "QR" in str(code.format)}
    assert links == {f"https://rma.example.cn/service/track/{rma.tracking_code}"}
