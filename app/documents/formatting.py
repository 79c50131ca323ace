"""How values print on the documents: times in the reader's zone, durations, blanks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app.documents.labels import doc_label, short_month_name

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


def format_deadline(
    moment: datetime | None, timezone: str, lang: str, *, now: datetime | None = None
) -> str:
    """A deadline the way people read it, in ``timezone``: "12月26日 18:30前" / "by 18:30 on
    26 Dec"; one falling on midnight is the end of the day before, "12月26日 24:00前" / "by
    end of 26 Dec" (never "27日 00:00"). The year is added when it is not ``now``'s (default:
    the current time) in that zone. "—" for None; ValueError for a naive datetime.

    The one format of deadlines on the pages and in the documents.
    """
    if moment is None:
        return BLANK
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} given as a deadline; use UTC")
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    end_of_day = local.hour == 0 and local.minute == 0
    day = local - timedelta(days=1) if end_of_day else local
    this_year = (now or datetime.now(UTC)).astimezone(zone).year
    with_year = "_year" if day.year != this_year else ""
    date = doc_label(
        f"doc.deadline_date{with_year}", lang, y=day.year, m=day.month, d=day.day,
        mon=short_month_name(day.month),
    )  # fmt: skip
    if end_of_day:
        return doc_label("doc.deadline_end_of_day", lang, date=date)
    return doc_label("doc.deadline_by", lang, date=date, time=local.strftime("%H:%M"))


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


def format_score(score: float | None) -> str:
    """A 0–5 survey mean with one decimal."""
    return BLANK if score is None else f"{score:.1f}"


def format_percent(rate: float | None) -> str:
    """A 0.0–1.0 share as a whole-ish percentage."""
    return BLANK if rate is None else f"{rate * 100:.1f}%"
