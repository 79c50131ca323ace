"""URLs of pages that show one thing from the demo data (for the i18n sweep)."""

from __future__ import annotations


def data_page_urls(client) -> list[str]:
    return []
