"""Forms of the questionnaire builder (the answering forms are built from the questions)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from participation.forms import Form, choices, strip
from participation.params import parse_int
from participation.questionnaires.models import Kind

KIND_LABELS = {
    Kind.SINGLE: _l("Choix unique"),
    Kind.MULTIPLE: _l("Choix multiple"),
    Kind.SCALE: _l("Échelle de 1 à 5 (pictogrammes)"),
    Kind.YES_NO: _l("Oui / non"),
    Kind.RANKING: _l("Classement des thèmes"),
    Kind.SHORT_TEXT: _l("Texte court"),
    Kind.LONG_TEXT: _l("Texte long"),
    Kind.NUMBER: _l("Nombre"),
    Kind.AGE_BAND: _l("Tranche d'âge (démographie)"),
    Kind.GENDER: _l("Genre (démographie)"),
    Kind.YEARS_LIVED: _l("Ancienneté dans le quartier (démographie)"),
    Kind.HEARD_FROM: _l("Comment la personne a connu le questionnaire (démographie)"),
}

LEVEL_LABELS = {
    "tres_facile": _l("très facile"),
    "facile": _l("facile"),
    "assez_facile": _l("assez facile"),
    "standard": _l("standard"),
    "assez_difficile": _l("assez difficile"),
    "difficile": _l("difficile"),
    "tres_difficile": _l("très difficile"),
    "non_mesure": _l("non mesurée (l'indice ne vaut que pour un texte en français)"),
}


def optional_int(value):
    """An id picked in a list; empty is None. Anything else that is no id becomes -1, which no
    row has, so the service refuses it with its message instead of silently dropping it."""
    if value in (None, "", "None"):
        return None
    number = parse_int(value)
    return -1 if number is None else number


class QuestionnaireForm(Form):
    title = StringField(_l("Titre"), validators=[DataRequired(_l("Indiquez un titre.")), Length(max=200)], filters=[strip])
    introduction = TextAreaField(_l("Introduction"), description=_l("Pourquoi ce questionnaire, qui le lit, ce qui sera fait des réponses."),
                                 validators=[Length(max=5000)], filters=[strip])
    consent_text = TextAreaField(_l("Texte de consentement (facultatif)"),
                                 description=_l("S'il est rempli, la personne doit cocher une case pour commencer."),
                                 validators=[Length(max=5000)], filters=[strip])
    opens_on = DateField(_l("Ouverture (facultatif)"), validators=[Optional()])
    closes_on = DateField(_l("Clôture (facultatif)"), validators=[Optional()])

    def validate_closes_on(self, field):
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("La clôture ne peut pas précéder l'ouverture."))


class NewQuestionnaireForm(QuestionnaireForm):
    shared = BooleanField(_l("Partager avec tous les quartiers du contrat de ville"))


class SectionForm(Form):
    title = StringField(_l("Titre de la section"), validators=[DataRequired(_l("Indiquez un titre.")), Length(max=200)], filters=[strip])


class QuestionForm(Form):
    kind = SelectField(_l("Type de question"), choices=choices((k.value, label) for k, label in KIND_LABELS.items()))
    text = TextAreaField(_l("Question"), description=_l("Les questions démographiques ont un texte proposé si vous laissez vide."),
                         validators=[Length(max=2000)], filters=[strip])
    help_text = TextAreaField(_l("Aide (facultatif)"), validators=[Length(max=2000)], filters=[strip])
    required = BooleanField(_l("Réponse obligatoire (jamais pour les questions démographiques)"))
    max_choices = IntegerField(_l("Nombre maximum de choix, ou de thèmes à classer (facultatif)"),
                               validators=[Optional(), NumberRange(1, 20, _l("Entre 1 et 20."))])
    theme_id = SelectField(_l("Thème de la question (facultatif)"), coerce=optional_int, validate_choice=False)
    condition_choice_id = SelectField(_l("Afficher seulement si… (facultatif)"), coerce=optional_int, validate_choice=False,
                                      description=_l("La condition porte sur une question d'une section précédente."))
    choices_text = TextAreaField(_l("Choix, un par ligne (choix unique ou multiple)"),
                                 validators=[Length(max=5000)], filters=[strip])


class QuestionEditForm(QuestionForm):
    kind = None
    choices_text = None


class ChoiceForm(Form):
    label = StringField(_l("Libellé du choix"), validators=[DataRequired(_l("Indiquez un libellé.")), Length(max=300)], filters=[strip])
    theme_id = SelectField(_l("Thème (facultatif)"), coerce=optional_int, validate_choice=False)


class ImportForm(Form):
    file = FileField(_l("Fichier JSON exporté de Parlons Quartier"))


class DuplicateForm(Form):
    target = SelectField(_l("Quartier du nouveau questionnaire"), validate_choice=False)
