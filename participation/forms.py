"""Form pieces every domain uses: the base form, text filters and choices."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField, TextAreaField

from participation.text import plain_text


def strip(value):
    return value.strip() if isinstance(value, str) else value


def _plain(value):
    return plain_text(value) if isinstance(value, str) else value


class Form(FlaskForm):
    """Every form of the app: CSRF (FlaskForm), and plain text kept as typed in every text field.

    Browsers send textarea line breaks as CRLF; every StringField and TextAreaField gets them
    normalised to LF and control characters removed, before any validator runs. Nothing else is
    changed: "<", "&" and quotes are kept, and escaped on output.
    """

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, (StringField, TextAreaField)):
                options = dict(options, filters=(_plain, *unbound_field.kwargs.get("filters", ())))
            return unbound_field.bind(form=form, **options)


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]
