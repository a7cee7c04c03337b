"""Form pieces every domain uses: text filters and validators with translated messages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice
from wtforms.validators import ValidationError

from participation.html import contains_markup


def strip(value):
    return value.strip() if isinstance(value, str) else value


class NoMarkup:
    """Refuses HTML tags: residents' text is plain text, and saying so beats silently dropping it."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        if contains_markup(field.data):
            raise ValidationError(
                self.message or _l("Le texte ne doit pas contenir de balises HTML (< >).")
            )


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]
