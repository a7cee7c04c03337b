"""Forms of the priorities domain."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from participation.forms import NoMarkup, strip


class CsrfOnlyForm(FlaskForm):
    """For buttons that only post (submit, forward, reopen...) and hand-parsed forms."""


class PeriodForm(FlaskForm):
    name = StringField(_l("Nom de la concertation"), description=_l("Par exemple « Concertation 2023 »."),
                       validators=[DataRequired(_l("Indiquez un nom.")), Length(max=120), NoMarkup()], filters=[strip])
    starts_on = DateField(_l("Premier jour"), validators=[InputRequired(_l("Indiquez une date (jj/mm/aaaa ou aaaa-mm-jj)."))])
    ends_on = DateField(_l("Dernier jour"), validators=[InputRequired(_l("Indiquez une date (jj/mm/aaaa ou aaaa-mm-jj)."))])
    quartier_id = SelectField(_l("Quartier concerné"), coerce=int)

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Le dernier jour ne peut pas précéder le premier."))


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ProjetNewForm(FlaskForm):
    period_id = SelectField(_l("Concertation"), coerce=int)
    title = StringField(_l("Titre du projet de quartier"), validators=[DataRequired(_l("Indiquez un titre.")), Length(max=200), NoMarkup()], filters=[strip])
    themes = MultiCheckboxField(_l("Thèmes prioritaires retenus"), coerce=int,
                                description=_l("Cochez les thèmes à mettre en dynamique, en général environ cinq."),
                                validators=[DataRequired(_l("Cochez au moins un thème."))])


class ProjetForm(FlaskForm):
    title = StringField(_l("Titre du projet de quartier"), validators=[DataRequired(_l("Indiquez un titre.")), Length(max=200), NoMarkup()], filters=[strip])
    introduction = TextAreaField(_l("Introduction"), validators=[Length(max=4000), NoMarkup()], filters=[strip])


class ItemForm(FlaskForm):
    """A priority theme, a strategic or an operational objective: a title (and a description)."""

    title = StringField(_l("Intitulé"), validators=[DataRequired(_l("Indiquez un intitulé.")), Length(max=300), NoMarkup()], filters=[strip])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000), NoMarkup()], filters=[strip])
    evidence_summary = TextAreaField(_l("Ce que les habitants ont dit"), validators=[Optional(), Length(max=4000), NoMarkup()], filters=[strip])


class _Prefixed(FlaskForm):
    """Forms that share the projet page with others get a prefix, so their ids stay unique;
    the app-wide CSRFProtect checks their token (the field name differs with the prefix)."""

    class Meta:
        csrf = False


class ProposalLinkForm(_Prefixed):
    proposal_id = IntegerField(_l("Numéro de la proposition"), validators=[InputRequired(_l("Indiquez le numéro de la proposition.")), NumberRange(min=1, message=_l("Indiquez le numéro de la proposition."))])
    answer = TextAreaField(_l("Réponse officielle"), validators=[DataRequired(_l("Écrivez la réponse officielle donnée à la proposition.")), Length(max=4000), NoMarkup()], filters=[strip])


class CommentForm(_Prefixed):
    target = SelectField(_l("Sur"), default="projet")
    body = TextAreaField(_l("Commentaire"), validators=[DataRequired(_l("Écrivez un commentaire.")), Length(max=4000), NoMarkup()], filters=[strip])


class ChangesForm(_Prefixed):
    body = TextAreaField(_l("Modifications demandées"), validators=[DataRequired(_l("Expliquez les modifications demandées.")), Length(max=4000), NoMarkup()], filters=[strip])


class ValidateForm(_Prefixed):
    meeting_on = DateField(_l("Date du comité de pilotage"), validators=[InputRequired(_l("Indiquez la date du comité de pilotage."))])


class ReceiptForm(FlaskForm):
    class Meta:
        csrf = False

    code = StringField(_l("Votre code de reçu"), validators=[DataRequired(_l("Indiquez votre code.")), Length(max=64)], filters=[strip])


class PopulationForm(FlaskForm):
    age = TextAreaField(_l("Population par tranche d'âge"), description=_l("Une ligne par tranche : « 0-14 : 250 »."),
                        validators=[Length(max=2000), NoMarkup()], filters=[strip])
    gender = TextAreaField(_l("Population par genre"), description=_l("Une ligne par genre : « femmes : 640 »."),
                           validators=[Length(max=2000), NoMarkup()], filters=[strip])


def parse_bands(text: str | None) -> dict[str, int]:
    """'0-14 : 250' lines as {band: count}; raises ValueError on a malformed line."""
    bands: dict[str, int] = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        band, sep, value = line.rpartition(":")
        if not sep or not band.strip():
            raise ValueError(line)
        count = int(value.strip())
        if count < 0:
            raise ValueError(line)
        bands[band.strip()[:40]] = count
    return bands
