"""The plain views the service functions return, built from their database rows, and the
plain values an edit writes back.

A view (a frozen dataclass) mostly repeats the row's columns under the same names; what
it shows otherwise (a related record's code, a derived flag, a copy of a JSON column) is
named where the view is built, so that is all a reader of ``ticket_view`` has to read.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

from inventory.errors import InvalidInput

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

V = TypeVar("V", bound="DataclassInstance")


def view_of(view: type[V], row: object, **shown: Any) -> V:
    """``view`` of ``row``: every field from the row's attribute of the same name, but
    those in ``shown``, which the view shows otherwise (TypeError for a name ``view``
    does not have)."""
    names = [f.name for f in fields(view)]
    unknown = shown.keys() - set(names)
    if unknown:
        raise TypeError(f"{view.__name__} has no field {', '.join(sorted(unknown))}")
    return view(**{n: shown[n] if n in shown else getattr(row, n) for n in names})


def apply_changes(row: object, values: dict, allowed: tuple[str, ...]) -> dict:
    """Set the values given on ``row`` (None clears an optional one); InvalidInput naming a
    field not in ``allowed``. What changed, as {field: {"from", "to"}}."""
    changes = {}
    for key, value in values.items():
        if key not in allowed:
            raise InvalidInput(
                f"{key} cannot be changed here",
                field=key,
                key="not_changeable",
                params={"name": key},
            )
        before = getattr(row, key)
        if before != value:
            changes[key] = {"from": before, "to": value}
            setattr(row, key, value)
    return changes
