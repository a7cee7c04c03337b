"""The one place rich text meets bleach: the allowlist on the way in, and the Jinja filter on the way out.

Plain text never comes here: see participation.text."""
from __future__ import annotations

import bleach
from flask import Flask
from markupsafe import Markup

# Limited formatting for bodies of proposals and similar long texts.
RICH_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote"})
RICH_ATTRIBUTES = {"a": ["href", "title"]}
RICH_PROTOCOLS = frozenset({"http", "https", "mailto"})


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


def _nofollow(attrs, new=False):
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


def rich_filter(text: str | None) -> Markup:
    # Re-sanitized on output as well: defence in depth if a row was written around the services.
    return Markup(sanitize_rich(text))


def init_app(app: Flask) -> None:
    app.jinja_env.filters["rich"] = rich_filter
