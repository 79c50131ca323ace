"""Dates, times, money and numbers print by the reader's locale (Babel), in the reader's
zone, the same on the pages and in the PDFs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.formatting import (
    format_day,
    format_moment,
    format_money,
    format_month,
    format_number,
    format_percent,
)

AFTERNOON_IN_SHANGHAI = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai


@pytest.mark.parametrize(
    ("kind", "zh", "en"),
    [
        ("datetime", "2026年12月7日 14:30", "7 Dec 2026, 14:30"),
        ("day_time", "12月7日 14:30", "7 Dec, 14:30"),
        ("date", "2026年12月7日", "7 Dec 2026"),
        ("time", "14:30", "14:30"),
    ],
)
def test_a_moment_reads_in_the_readers_zone_as_their_locale_writes_it(kind, zh, en) -> None:
    assert format_moment(AFTERNOON_IN_SHANGHAI, "Asia/Shanghai", "zh", kind) == zh
    assert format_moment(AFTERNOON_IN_SHANGHAI, "Asia/Shanghai", "en", kind) == en


def test_the_same_moment_in_another_zone_is_another_wall_clock_time() -> None:
    assert format_moment(AFTERNOON_IN_SHANGHAI, "Europe/Berlin", "en") == "7 Dec 2026, 07:30"


def test_a_naive_moment_is_refused_and_none_prints_a_dash() -> None:
    assert format_moment(None, "Asia/Shanghai", "zh") == "—"
    with pytest.raises(ValueError, match="naive"):
        format_moment(datetime(2026, 12, 7, 6, 30), "Asia/Shanghai", "zh")


def test_days_and_months_are_written_the_locales_way() -> None:
    assert format_day(date(2026, 12, 7), "zh") == "2026年12月7日"
    assert format_day(date(2026, 12, 7), "en") == "7 Dec 2026"
    assert format_month(2026, 12, "zh") == "2026年12月"
    assert format_month(2026, 12, "en") == "December 2026"


def test_money_is_yuan_with_grouping_and_fen() -> None:
    assert format_money(1234.5, "zh") == "¥1,234.50"
    assert format_money(1234.5, "en") == "CN¥1,234.50"
    assert format_money(1234567.5, "zh", whole=True) == "¥1,234,568"
    assert format_money(None, "zh") == "—"


def test_numbers_and_shares_are_grouped_and_rounded() -> None:
    assert format_number(12345.6, "zh") == "12,346"
    assert format_number(4.567, "en", places=2) == "4.57"
    assert format_percent(0.9512, "zh") == "95.1%"
