"""A view built from its row: the same-named columns copied, the rest named where it is
built; an edit written back, saying what changed."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from inventory.errors import InvalidInput
from inventory.views import apply_changes, view_of


@dataclass(frozen=True)
class SiteCard:
    code: str
    name: str
    customer_code: str


def test_a_view_copies_the_rows_columns_and_takes_what_it_shows_otherwise():
    row = SimpleNamespace(code="C001-S1", name="机房", customer=SimpleNamespace(code="C001"))

    card = view_of(SiteCard, row, customer_code=row.customer.code)

    assert card == SiteCard("C001-S1", "机房", "C001")


def test_a_shown_value_wins_over_the_rows_column_of_the_same_name():
    row = SimpleNamespace(code="c001-s1", name="机房", customer_code="C001")

    assert view_of(SiteCard, row, code="C001-S1").code == "C001-S1"


def test_a_field_the_view_does_not_have_is_refused():
    row = SimpleNamespace(code="C001-S1", name="机房", customer_code="C001")

    with pytest.raises(TypeError, match="SiteCard has no field customer"):
        view_of(SiteCard, row, customer="C001")


def test_a_column_the_row_lacks_is_an_error_not_a_silent_gap():
    with pytest.raises(AttributeError):
        view_of(SiteCard, SimpleNamespace(code="C001-S1", name="机房"))


def test_an_edit_sets_the_values_and_says_what_changed_from_what():
    row = SimpleNamespace(name="机房", phone="010-1")

    changes = apply_changes(row, {"name": "机房", "phone": "010-2"}, ("name", "phone"))

    assert changes == {"phone": {"from": "010-1", "to": "010-2"}}
    assert (row.name, row.phone) == ("机房", "010-2")


def test_an_edit_of_a_field_not_offered_is_refused_naming_it():
    row = SimpleNamespace(name="机房", code="C001-S1")

    with pytest.raises(InvalidInput) as refused:
        apply_changes(row, {"code": "X"}, ("name",))

    assert refused.value.field == "code" and row.code == "C001-S1"
