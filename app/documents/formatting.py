"""How words print on the documents: blanks and durations. Dates, times, money and numbers
are formatted per locale by ``app.formatting`` (Babel), the same as on the pages."""

from __future__ import annotations

from app.documents.labels import doc_label
from app.formatting import BLANK


def text_or_blank(value: object | None) -> str:
    """The value as printed; None and empty strings print as "—"."""
    if value is None:
        return BLANK
    text = str(value).strip()
    return text or BLANK


def format_duration(minutes: float | None, lang: str) -> str:
    """A duration given in minutes, as "2 h 05 min" / "2 小时 5 分钟" (days past 48 h)."""
    if minutes is None:
        return BLANK
    total = round(abs(minutes))
    if total < 60:
        return doc_label("doc.minutes", lang, n=total)
    hours, mins = divmod(total, 60)
    if hours < 48:
        return doc_label("doc.hours_minutes", lang, h=hours, n=mins)
    days, hours = divmod(hours, 24)
    return doc_label("doc.days_hours", lang, d=days, h=hours)
