"""The confirmation step of an irreversible action, without JavaScript.

The action's form posts once: the view answers with `confirmation(...)`, a page saying what will
happen, whose button posts the same fields again with `confirm=1`; only then does the view act.
"""
from __future__ import annotations

from flask import render_template, request


def confirmed() -> bool:
    return request.form.get("confirm") == "1"


def confirmation(*, title: str, message: str, confirm_label: str, back_url: str, items=(), fields=(),
                 danger: bool = True):
    """The page of the confirmation step; nothing has changed yet."""
    return render_template(
        "confirm.html", title=title, message=message, confirm_label=confirm_label,
        back_url=back_url, items=list(items), fields=list(fields), action=request.path, danger=danger,
    )
