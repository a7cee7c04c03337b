"""Safe redirects: only paths on this site are followed."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, default_endpoint: str = "main.index") -> str:
    """`target` when it is a path of this site, printable and on one line; else the default page."""
    if target and target.isprintable() and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for(default_endpoint)
