"""Form pieces every domain uses: the base form, text filters and choices."""
from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import ImmutableMultiDict
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectChoice, StringField, TextAreaField
from wtforms.validators import ValidationError

from participation.params import MAX_INT
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
            field = unbound_field.bind(form=form, **options)
            if isinstance(field, IntegerField):
                field.validators = [*field.validators, _within_integer_column]
            return field

        def wrap_formdata(self, form, formdata):
            # A JSON body is read as a browser would send the form: text only. Flask-WTF passes the
            # JSON as is, so a list, an object or a number reached the validators (500s).
            if formdata is _Auto and request.is_json and not request.form and not request.files:
                return ImmutableMultiDict(_form_pairs(request.get_json(silent=True))) \
                    if request.method in ("POST", "PUT", "PATCH", "DELETE") else None
            return super().wrap_formdata(form, formdata)


def _within_integer_column(form, field) -> None:
    # IntegerField takes any size; 10**20 would reach the database and break the write (500).
    if field.data is not None and not -MAX_INT <= field.data <= MAX_INT:
        raise ValidationError(_l("Ce nombre est trop grand."))


def _form_pairs(payload) -> list[tuple[str, str]]:
    """The (name, text) pairs a browser could have sent for this JSON object; nothing else."""
    if not isinstance(payload, dict):
        return []
    pairs = []
    for name, value in payload.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool):
                if item:
                    pairs.append((name, "y"))
            elif isinstance(item, (str, int, float)):
                pairs.append((name, str(item)))
    return pairs


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]
