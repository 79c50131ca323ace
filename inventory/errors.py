"""Domain errors. The web layer maps each class to one HTTP status in one place."""

from __future__ import annotations

from typing import Self


class DomainError(Exception):
    """Base class. ``field`` names the input the error is about, when there is one.

    ``message`` is English (logs, and the reader's words when nothing better is known);
    ``key`` and ``params`` let a page or an API answer say it in the reader's language:
    the catalogue's ``err.<key>`` filled with ``params`` (docs/i18n.md)."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        details: dict | None = None,
        key: str | None = None,
        params: dict | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or {}
        self.key = key
        self.params = params or {}

    @classmethod
    def unknown(
        cls,
        what: str,
        value: object,
        *,
        noun: str | None = None,
        message: str | None = None,
        field: str | None = None,
        details: dict | None = None,
    ) -> Self:
        """The input names a ``what`` (a ``thing.<what>`` word) that does not exist: the
        catalogue's ``err.unknown`` with ``what`` and ``value``. The English message is
        ``unknown <noun> <value!r>`` (``noun`` defaults to ``what`` with spaces for
        underscores) unless ``message`` says it otherwise."""
        if message is None:
            message = f"unknown {noun or what.replace('_', ' ')} {value!r}"
        return cls(
            message,
            field=field,
            details=details,
            key="unknown",
            params={"what": what, "value": value},
        )


class NotFound(DomainError):
    """A referenced thing does not exist (404, or 422 when it was named in the input)."""


class InvalidInput(DomainError):
    """Input that is well-formed but breaks a business rule (422)."""


class Conflict(DomainError):
    """The state of the world forbids it: a lost race, an item not where the request
    says, an illegal state transition, a duplicate (409)."""


class TooLarge(DomainError):
    """Input bigger than a stated limit, such as a spreadsheet that unpacks to more than
    the reader takes (413)."""


class Forbidden(DomainError):
    """The caller may not do this here: a warehouse user acting at a depot they are not
    assigned to (403)."""
