"""Numbers read from URLs, query strings and forms: ASCII digits only, within a column's range.

"²" passes str.isdigit() and breaks int(); "--1" or 10**20 break the database. Every id, page
or count a request carries is read here, or by the `int` URL converter built on the same rule.
"""
from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter

# PostgreSQL's INTEGER: ids and counts never go past it.
MAX_INT = 2**31 - 1

_DIGITS = re.compile(r"[0-9]{1,10}")
_SIGNED = re.compile(r"-?[0-9]{1,10}")


def parse_int(value: object, default: int | None = None, *, minimum: int = 0, maximum: int = MAX_INT,
              signed: bool = False) -> int | None:
    """The integer written in `value` when it is one within [minimum, maximum]; else `default`."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not (_SIGNED if signed else _DIGITS).fullmatch(text):
            return default
        number = int(text)
    else:
        return default
    return number if minimum <= number <= maximum else default


class BoundedIntConverter(IntegerConverter):
    """The `int` URL converter, refusing (404) what no row can have as id: beyond MAX_INT."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_INT if max is None else max,
                         signed=signed)
