"""The one place user text meets bleach: sanitize on the way in, and the Jinja filter for rich text."""
from __future__ import annotations

from html import unescape

import bleach
from flask import Flask
from markupsafe import Markup

# Limited formatting for bodies of proposals and similar long texts.
RICH_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote"})
RICH_ATTRIBUTES = {"a": ["href", "title"]}
RICH_PROTOCOLS = frozenset({"http", "https", "mailto"})


def sanitize(text: str | None) -> str:
    """Plain text: every tag is removed and the text kept. Escaping happens on output."""
    if text is None:
        return ""
    # bleach escapes what it keeps; plain text is stored unescaped (Jinja escapes it once on
    # output), so unescape and clean again until nothing changes: "&lt;b&gt;" cannot smuggle a tag.
    previous = None
    cleaned = text
    while cleaned != previous:
        previous = cleaned
        cleaned = unescape(
            bleach.clean(previous, tags=set(), attributes={}, strip=True, strip_comments=True)
        )
    return cleaned.strip()


def sanitize_rich(text: str | None) -> str:
    """Limited formatting kept (paragraphs, emphasis, lists, links); everything else removed."""
    if text is None:
        return ""
    cleaned = bleach.clean(
        text,
        tags=RICH_TAGS,
        attributes=RICH_ATTRIBUTES,
        protocols=RICH_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return bleach.linkify(cleaned, callbacks=[_nofollow]).strip()


def contains_markup(text: str | None) -> bool:
    """True when the text holds HTML tags or comments that sanitize() would remove."""
    if not text:
        return False
    return sanitize(text) != text.strip()


def _nofollow(attrs, new=False):
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


def rich_filter(text: str | None) -> Markup:
    # Re-sanitized on output as well: defence in depth if a row was written around the services.
    return Markup(sanitize_rich(text))


def init_app(app: Flask) -> None:
    app.jinja_env.filters["rich"] = rich_filter
