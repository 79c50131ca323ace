"""One unit, one serial: the ways people type, scan or paste a serial all name it."""

from __future__ import annotations

import pytest

from inventory.serials import normalize_optional_serial, normalize_serial


@pytest.mark.parametrize(
    "typed",
    [
        "PSU2026X0001",
        "psu2026x0001",  # typed in lower case
        "  PSU2026X0001\t",  # pasted with whitespace around
        "PSU2026\u200bX0001",  # a zero-width space from a web page
        "\ufeffPSU2026X0001",  # a byte-order mark from a CSV export
        "PSU2026X\u00ad0001",  # a soft hyphen
        "ＰＳＵ２０２６Ｘ０００１",  # full-width, from a Chinese input method
        "PSU2026X0001\r\n",  # a scanner's line end
    ],
)
def test_every_spelling_of_a_serial_normalises_to_the_printed_one(typed):
    assert normalize_serial(typed) == "PSU2026X0001"


def test_a_serial_of_only_invisible_characters_is_no_serial():
    assert normalize_serial("\u200b \u200d") == ""
    assert normalize_optional_serial("\u200b") is None
    assert normalize_optional_serial(None) is None


def test_a_space_inside_a_serial_is_kept():
    assert normalize_serial(" sn 12\u3000ab ") == "SN 12 AB"
