"""Forms of the priorities domain."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from participation.evidence import AGE_BANDS, GENDERS
from participation.forms import Form, strip
from participation.params import parse_int
from participation.proposals.models import ANSWER_MAX


class CsrfOnlyForm(Form):
    """For buttons that only post (submit, forward, reopen...) and hand-parsed forms."""


class PeriodForm(Form):
    name = StringField(_l("Nom de la concertation"), description=_l("Par exemple « Concertation 2023 »."),
                       validators=[DataRequired(_l("Indiquez un nom.")), Length(max=120)], filters=[strip])
    starts_on = DateField(_l("Premier jour"), validators=[InputRequired(_l("Indiquez une date (jj/mm/aaaa ou aaaa-mm-jj)."))])
    ends_on = DateField(_l("Dernier jour"), validators=[InputRequired(_l("Indiquez une date (jj/mm/aaaa ou aaaa-mm-jj)."))])
    quartier_id = SelectField(_l("Quartier concerné"), coerce=int)

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Le dernier jour ne peut pas précéder le premier."))


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ProjetNewForm(Form):
    period_id = SelectField(_l("Concertation"), coerce=int)
    title = StringField(_l("Titre du projet de quartier"), validators=[DataRequired(_l("Indiquez un titre.")), Length(max=200)], filters=[strip])
    themes = MultiCheckboxField(_l("Thèmes prioritaires retenus"), coerce=int,
                                description=_l("Cochez les thèmes à mettre en dynamique, en général environ cinq."),
                                validators=[DataRequired(_l("Cochez au moins un thème."))])


class ProjetForm(Form):
    title = StringField(_l("Titre du projet de quartier"), validators=[DataRequired(_l("Indiquez un titre.")), Length(max=200)], filters=[strip])
    introduction = TextAreaField(_l("Introduction"), validators=[Length(max=4000)], filters=[strip])


class ItemForm(Form):
    """A priority theme, a strategic or an operational objective: a title (and a description)."""

    title = StringField(_l("Intitulé"), validators=[DataRequired(_l("Indiquez un intitulé.")), Length(max=300)], filters=[strip])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)], filters=[strip])
    evidence_summary = TextAreaField(_l("Ce que les habitants ont dit"), validators=[Optional(), Length(max=4000)], filters=[strip])


class _Prefixed(Form):
    """Forms that share the projet page with others get a prefix, so their ids stay unique;
    the app-wide CSRFProtect checks their token (the field name differs with the prefix)."""

    class Meta:
        csrf = False


def _proposal_number(value) -> int | None:
    """The posted option as a proposal id; anything else None (then "choose a proposal")."""
    return parse_int(value, minimum=1)


class ProposalLinkForm(_Prefixed):
    """A proposal of the quartier, picked in a list (the view fills the choices from the proposals'
    desk). What is posted is not checked against the list here: link_proposal refuses, with its own
    message and status, an unknown or hidden proposal, one of another quartier or one answered for
    good, so a stale page or a forged id changes nothing."""

    proposal_id = SelectField(_l("Proposition"), coerce=_proposal_number, validate_choice=False,
                              validators=[DataRequired(_l("Choisissez une proposition."))])
    answer = TextAreaField(_l("Réponse officielle"), validators=[DataRequired(_l("Écrivez la réponse officielle donnée à la proposition.")), Length(max=ANSWER_MAX)], filters=[strip])


class CommentForm(_Prefixed):
    target = SelectField(_l("Sur"), default="projet")
    body = TextAreaField(_l("Commentaire"), validators=[DataRequired(_l("Écrivez un commentaire.")), Length(max=4000)], filters=[strip])


class ChangesForm(_Prefixed):
    body = TextAreaField(_l("Modifications demandées"), validators=[DataRequired(_l("Expliquez les modifications demandées.")), Length(max=4000)], filters=[strip])


class ValidateForm(_Prefixed):
    meeting_on = DateField(_l("Date du comité de pilotage"), validators=[InputRequired(_l("Indiquez la date du comité de pilotage."))])


class ReceiptForm(Form):
    """Posted with its CSRF token: the code never travels in a URL (logs, history, proxies)."""

    code = StringField(_l("Votre code"), description=_l("Le code de votre reçu ou votre code de vote, par exemple ABCDE-23456."),
                       validators=[DataRequired(_l("Indiquez votre code.")), Length(max=64)], filters=[strip])


# Labels of the canonical demographic keys (participation.evidence), for the population form
# and the representativeness panel.
GENDER_LABELS = {"f": _l("Femmes"), "m": _l("Hommes"), "other": _l("Autre")}
AGE_LABELS = {
    "0-17": _l("Moins de 18 ans"), "18-24": _l("18 à 24 ans"), "25-39": _l("25 à 39 ans"),
    "40-59": _l("40 à 59 ans"), "60-74": _l("60 à 74 ans"), "75+": _l("75 ans et plus"),
}


def population_field_name(dimension: str, key: str) -> str:
    """"age", "75+" -> "age_75_plus": a form field name for a canonical key."""
    return f"{dimension}_" + key.replace("+", "_plus").replace("-", "_")


# (dimension, canonical key, field name), in the order of the form.
POPULATION_FIELDS = [("age", key, population_field_name("age", key)) for key in AGE_BANDS] + [
    ("gender", key, population_field_name("gender", key)) for key in GENDERS
]


class PopulationForm(Form):
    """One optional whole number (>= 0) per canonical age band and gender; an empty field means
    the figure is unknown."""

    def counts(self) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {"age": {}, "gender": {}}
        for dimension, key, name in POPULATION_FIELDS:
            value = self[name].data
            if value is not None:
                found[dimension][key] = value
        return found


for _dimension, _key, _name in POPULATION_FIELDS:
    _label = (AGE_LABELS if _dimension == "age" else GENDER_LABELS)[_key]
    setattr(PopulationForm, _name, IntegerField(_label, validators=[
        Optional(), NumberRange(min=0, message=_l("Indiquez un nombre entier positif ou nul.")),
    ]))
