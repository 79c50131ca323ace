"""Tracking codes a person can read out on the phone: Crockford base 32, 80 random bits,
grouped by four, typed in any case."""

from __future__ import annotations

from inventory.tracking import CROCKFORD, code_candidates, grouped, new_tracking_code


def test_a_new_code_is_16_crockford_characters_carrying_80_random_bits():
    codes = {new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 16 and set(c) <= set(CROCKFORD) for c in codes)
    assert not set("ILOU") & set("".join(codes))
    assert len(CROCKFORD) ** 16 == 2**80
    # every position takes every symbol: no bit is wasted on a fixed character
    for position in range(16):
        assert len({c[position] for c in codes}) == 32


def test_a_code_is_shown_in_groups_of_four_and_read_back_in_any_case_and_grouping():
    code = "7K3M9Q2XHD4TPR8A"
    assert grouped(code) == "7K3M-9Q2X-HD4T-PR8A"
    for typed in ("7k3m-9q2x-hd4t-pr8a", " 7K3M 9Q2X HD4T PR8A ", "7k3m9q2xhd4tpr8a"):
        assert code_candidates(typed)[0] == code


def test_look_alike_letters_read_as_the_digits_they_resemble():
    assert code_candidates("O1LI-0000-0000-0000")[0] == "0111000000000000"


def test_codes_issued_before_are_matched_exactly_and_nonsense_matches_nothing():
    old = "Zx-3_q9PLmN0aB7cD2eFgH"
    assert code_candidates(old) == [old]
    assert grouped(old) == old
    assert code_candidates("nope") == [] and code_candidates("") == []
    assert code_candidates("'; drop table rmas; --") == []
