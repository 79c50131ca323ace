"""How dates, times, money and numbers print, on the pages and in the PDFs: Babel's
``format_date`` / ``format_time`` / ``format_decimal`` / ``format_currency`` with the
reader's locale, times converted from UTC into the reader's zone.

The one home of these formats. No Flask: the pages pass the viewer's language and zone
(``app.web.i18n``, the same locale Flask-Babel's selector returns), the PDFs their
``lang`` and ``data.timezone``. The API keeps its machine formats (ISO 8601, decimal
strings) and never calls this module.

English is formatted by the ``en_GB`` conventions — day before month, 24-hour clock:
"7 Dec 2026, 14:30", "by end of 26 Dec" — Chinese by ``zh_CN``: "2026年12月7日 14:30".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, get_datetime_format
from babel.numbers import format_currency, format_decimal
from babel.numbers import format_percent as babel_percent

from app import i18n as catalogue
from app.i18n import N_

BLANK = "—"
CURRENCY = "CNY"  # every price and stock value the service holds is in yuan
# the app's language -> the locale whose conventions format its dates and numbers
FORMAT_LOCALES = {"zh": "zh_CN", "en": "en_GB"}
MOMENT_KINDS = ("datetime", "day_time", "date", "time")


@cache
def locale_of(lang: str) -> Locale:
    """The Babel locale formatting ``lang`` ("zh" or "en")."""
    return Locale.parse(FORMAT_LOCALES[lang])


def _local(moment: datetime, zone: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} given to be shown; use UTC")
    return moment.astimezone(ZoneInfo(zone))


def format_moment(moment: datetime | None, zone: str, lang: str, kind: str = "datetime") -> str:
    """A UTC moment in ``zone``: ``datetime`` "2026年12月7日 14:30" / "7 Dec 2026, 14:30";
    ``day_time`` without the year ("12月7日 14:30" / "7 Dec, 14:30"); ``date``; ``time``
    ("14:30"). "—" for None; ValueError for a naive datetime (never guess a zone)."""
    if moment is None:
        return BLANK
    local = _local(moment, zone)
    locale = locale_of(lang)
    clock = format_time(local, "short", locale=locale)
    if kind == "time":
        return clock
    day = format_skeleton("MMMd" if kind == "day_time" else "yMMMd", local, locale=locale)
    if kind == "date":
        return day
    if kind not in MOMENT_KINDS:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(MOMENT_KINDS)}")
    return str(get_datetime_format("medium", locale=locale)).format(clock, day)


def format_day(day: date | None, lang: str) -> str:
    """A calendar day: "2026年12月7日" / "7 Dec 2026"; "—" for None."""
    return BLANK if day is None else format_date(day, "medium", locale=locale_of(lang))


def format_month(year: int, month: int, lang: str) -> str:
    """A month: "2026年12月" / "December 2026"."""
    return format_skeleton("yMMMM", date(year, month, 1), locale=locale_of(lang))


def format_deadline(
    moment: datetime | None, zone: str, lang: str, *, now: datetime | None = None
) -> str:
    """A deadline the way people read it, in ``zone``: "12月26日 18:30前" / "by 18:30 on
    26 Dec"; one falling on midnight is the end of the day before, "12月26日 24:00前" / "by
    end of 26 Dec" (never "27日 00:00"). The year is added when it is not ``now``'s (default:
    the current time) in that zone. "—" for None; ValueError for a naive datetime.

    The one format of deadlines on the pages and in the documents: Babel's day and time,
    the catalogue's "by …" words around them.
    """
    if moment is None:
        return BLANK
    local = _local(moment, zone)
    end_of_day = local.hour == 0 and local.minute == 0
    day = local - timedelta(days=1) if end_of_day else local
    this_year = (now or datetime.now(UTC)).astimezone(ZoneInfo(zone)).year
    locale = locale_of(lang)
    day_text = format_skeleton("MMMd" if day.year == this_year else "yMMMd", day, locale=locale)
    if end_of_day:
        return catalogue.translate(N_("doc.deadline_end_of_day"), lang, date=day_text)
    clock = format_time(local, "short", locale=locale)
    return catalogue.translate(N_("doc.deadline_by"), lang, date=day_text, time=clock)


def format_number(value: float | Decimal | None, lang: str, places: int = 0) -> str:
    """A quantity with the locale's grouping and exactly ``places`` decimals: "12,346"."""
    if value is None:
        return BLANK
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, pattern, locale=locale_of(lang))


def format_money(
    value: float | Decimal | None, lang: str, *, whole: bool = False, currency: str | None = None
) -> str:
    """An amount in ``currency`` (default yuan): "¥1,234.50" (zh) / "CN¥1,234.50" (en);
    ``whole`` drops the fen (large stock values, chart axes). "—" for None."""
    if value is None:
        return BLANK
    code = currency or CURRENCY
    if whole:
        return format_currency(
            round(value), code, "¤#,##0", locale=locale_of(lang), currency_digits=False
        )
    return format_currency(value, code, locale=locale_of(lang))


def format_percent(rate: float | None, lang: str) -> str:
    """A 0.0–1.0 share with one decimal: "95.1%"; "—" for None."""
    if rate is None:
        return BLANK
    return babel_percent(rate, "#,##0.0%", locale=locale_of(lang))


def format_score(score: float | None, lang: str) -> str:
    """A 0–5 survey mean with one decimal: "4.6"."""
    return format_number(score, lang, places=1)
