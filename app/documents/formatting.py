"""How values print on the documents: times in the reader's zone, durations, blanks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from app.documents.labels import label

BLANK = "—"


def text_or_blank(value: object | None) -> str:
    """The value as printed; None and empty strings print as "—"."""
    if value is None:
        return BLANK
    text = str(value).strip()
    return text or BLANK


def format_time(moment: datetime | None, timezone: str) -> str:
    """``YYYY-MM-DD HH:MM`` in ``timezone``; "—" for None.

    Raises ValueError for a naive datetime: documents never guess a zone.
    """
    if moment is None:
        return BLANK
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} given to a document; use UTC")
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def format_duration(minutes: float | None, lang: str) -> str:
    """A duration given in minutes, as "2 h 05 min" / "2 小时 5 分钟" (days past 48 h)."""
    if minutes is None:
        return BLANK
    total = round(abs(minutes))
    if total < 60:
        return label("minutes", lang, n=total)
    hours, mins = divmod(total, 60)
    if hours < 48:
        return label("hours_minutes", lang, h=hours, n=mins)
    days, hours = divmod(hours, 24)
    return label("days_hours", lang, d=days, h=hours)


def format_score(score: float | None) -> str:
    """A 0–5 survey mean with one decimal."""
    return BLANK if score is None else f"{score:.1f}"


def format_percent(rate: float | None) -> str:
    """A 0.0–1.0 share as a whole-ish percentage."""
    return BLANK if rate is None else f"{rate * 100:.1f}%"
