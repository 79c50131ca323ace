"""Deadlines print the way people read them, on the pages and in the documents alike, and
the engineer is named the way customers address him."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.formatting import format_deadline
from inventory.tracking import engineer_title

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "zone", "zh", "en"),
    [
        # midnight is the end of the day before, never "27日 00:00"
        (datetime(2026, 12, 26, 16, 0, tzinfo=UTC), "Asia/Shanghai", "12月26日 24:00前",
         "by end of 26 Dec"),
        (datetime(2026, 12, 26, 10, 30, tzinfo=UTC), "Asia/Shanghai", "12月26日 18:30前",
         "by 18:30 on 26 Dec"),
        # the same moment in another zone is another wall-clock time
        (datetime(2026, 12, 26, 16, 0, tzinfo=UTC), "Europe/Berlin", "12月26日 17:00前",
         "by 17:00 on 26 Dec"),
        # another year says so
        (datetime(2027, 1, 1, 16, 0, tzinfo=UTC), "Asia/Shanghai", "2027年1月1日 24:00前",
         "by end of 1 Jan 2027"),
        (datetime(2026, 12, 31, 16, 0, tzinfo=UTC), "Asia/Shanghai", "12月31日 24:00前",
         "by end of 31 Dec"),
    ],
)  # fmt: skip
def test_a_deadline_reads_as_by_a_time_on_a_day(
    moment: datetime, zone: str, zh: str, en: str
) -> None:
    assert format_deadline(moment, zone, "zh", now=NOW) == zh
    assert format_deadline(moment, zone, "en", now=NOW) == en


def test_no_deadline_prints_a_dash_and_a_naive_one_is_refused() -> None:
    assert format_deadline(None, "Asia/Shanghai", "zh") == "—"
    with pytest.raises(ValueError, match="naive"):
        format_deadline(datetime(2026, 12, 26, 16, 0), "Asia/Shanghai", "zh")


@pytest.mark.parametrize(
    ("name", "zh", "en"),
    [
        ("罗明", "罗工", "罗工"),
        ("欧阳明华", "欧阳工", "欧阳工"),
        ("张工 Zhang (engineer)", "张工", "张工"),
        ("Wei Wang", "Wang工", "Engineer Wang"),
        ("", None, None),
        (None, None, None),
    ],
)
def test_customers_address_the_engineer_by_family_name_and_gong(
    name: str | None, zh: str | None, en: str | None
) -> None:
    assert engineer_title(name, "zh") == zh
    assert engineer_title(name, "en") == en
