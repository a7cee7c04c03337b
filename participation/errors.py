"""The one error type of the domain: what went wrong, for whom, and with which HTTP status.

A service raises DomainError (or a domain's subclass) with a stable `code`, the translated
message as a lazy string (translated when shown, in the reader's language) and a status.
`participation.web` renders every one of them, as HTML or JSON; a view that re-renders a form
shows `error.message` beside the field instead.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext


class DomainError(Exception):
    """A refused operation: nothing is stored (the request rolls back) and the reader is told why."""

    status: int = 400

    def __init__(self, code: str, message: Any = None, status: int | None = None, **details: Any):
        super().__init__(code)
        self.code = code
        self._message = message
        if status is not None:
            self.status = status
        self.details = details

    @property
    def message(self) -> str:
        """The translated message, formatted with the details (`%(n)s` and the like)."""
        if self._message is None:
            return gettext("La demande n'a pas pu être traitée.")
        text = str(self._message)
        if self.details:
            try:
                text = text % self.details
            except (KeyError, TypeError, ValueError):
                pass
        return text

    def __str__(self) -> str:  # logs and tests read the code
        return self.code
