"""Plain text as people type it: line breaks normalised, control characters removed, nothing else.

Plain text is never run through an HTML sanitizer and never refused for holding "<": Jinja
escapes it on output. Only rich-text fields go through `participation.html`.
"""
from __future__ import annotations

import re
import unicodedata

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def _is_removed(char: str) -> bool:
    if char in "\n\t":
        return False
    category = unicodedata.category(char)
    # Cc: control characters (NUL included); Cs: lone surrogates, which no database stores.
    return category in ("Cc", "Cs")


def plain_text(text: str | None) -> str:
    """The text as typed: CRLF and CR become LF, controls other than LF and tab go, ends trimmed."""
    if text is None:
        return ""
    text = _LINE_BREAKS.sub("\n", str(text))
    if any(_is_removed(char) for char in text):
        text = "".join(char for char in text if not _is_removed(char))
    return text.strip()


def one_line(text: str | None) -> str:
    """A title or a name: plain text on one line, inner runs of white space folded."""
    return " ".join(plain_text(text).split())


def has_unsafe_characters(value: str) -> bool:
    """NUL or a lone surrogate: text no database or encoder accepts, refused at the door."""
    return "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value)
