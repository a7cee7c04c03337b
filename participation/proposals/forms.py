"""Forms and labels of the proposals domain."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from flask_wtf.file import FileField
from wtforms import (
    BooleanField, DateField, DecimalField, HiddenField, IntegerField, SelectField, StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from participation.forms import Form, choices, strip
from participation.proposals.models import (
    ANSWER_MAX, BODY_MAX, COMMENT_MAX, REASON_MAX, TITLE_MAX, TRANSITIONS, ProposalSource, ProposalState, VoteChoice,
)

STATE_LABELS = {
    ProposalState.SUBMITTED: _l("Déposée"),
    ProposalState.UNDER_STUDY: _l("À l'étude"),
    ProposalState.RETAINED: _l("Retenue dans le projet de quartier"),
    ProposalState.NOT_RETAINED: _l("Non retenue"),
    ProposalState.DONE: _l("Réalisée"),
}

SOURCE_LABELS = {
    ProposalSource.RESIDENT: _l("Habitant·e"),
    ProposalSource.CONSEIL_CITOYEN: _l("Conseil citoyen"),
    ProposalSource.WORKSHOP: _l("Atelier"),
    ProposalSource.POLIS: _l("Consultation Pol.is"),
    ProposalSource.DECIDIM: _l("Plateforme Decidim"),
}

CHOICE_LABELS = {
    VoteChoice.POUR: _l("Pour"),
    VoteChoice.CONTRE: _l("Contre"),
    VoteChoice.SANS_AVIS: _l("Sans avis"),
}

SORT_LABELS = {
    "supported": _l("Les plus soutenues"),
    "recent": _l("Les plus récentes"),
    "debated": _l("Les plus débattues"),
}


class ProposalForm(Form):
    title = StringField(
        _l("Titre"), description=_l("Une phrase courte : ce que vous proposez (%(n)s caractères au plus).", n=TITLE_MAX),
        validators=[DataRequired(_l("Indiquez un titre.")),
                    Length(max=TITLE_MAX, message=_l("Le titre est trop long (%(n)s caractères au plus).", n=TITLE_MAX))],
        filters=[strip],
    )
    theme_id = SelectField(_l("Thème"), coerce=int, validators=[DataRequired(_l("Choisissez un thème."))])
    body = TextAreaField(
        _l("Votre proposition"),
        description=_l("Expliquez ce qui changerait pour le quartier. Une ligne vide sépare deux paragraphes."),
        validators=[DataRequired(_l("Décrivez votre proposition.")),
                    Length(max=BODY_MAX, message=_l("Le texte est trop long (%(n)s caractères au plus).", n=BODY_MAX))],
        filters=[strip],
    )
    place_text = StringField(
        _l("Lieu concerné (facultatif)"), description=_l("Une rue, une place, un bâtiment."),
        validators=[Length(max=200)], filters=[strip],
    )
    latitude = DecimalField(_l("Latitude (facultatif)"), places=None,
                            validators=[Optional(), NumberRange(-90, 90, _l("Latitude entre -90 et 90."))])
    longitude = DecimalField(_l("Longitude (facultatif)"), places=None,
                             validators=[Optional(), NumberRange(-180, 180, _l("Longitude entre -180 et 180."))])
    as_conseil = BooleanField(_l("Déposer au nom du conseil citoyen"))

    def validate_longitude(self, field):
        if (self.latitude.data is None) != (field.data is None):
            raise ValidationError(_l("Indiquez la latitude et la longitude, ou aucune des deux."))


class StateForm(Form):
    state = SelectField(_l("Nouvel état"), validators=[DataRequired(_l("Choisissez un état."))])
    answer = TextAreaField(
        _l("Réponse officielle (publique)"),
        validators=[DataRequired(_l("La réponse officielle est obligatoire.")),
                    Length(max=ANSWER_MAX)],
        filters=[strip],
    )
    reason = TextAreaField(
        _l("Motif (obligatoire si la proposition n'est pas retenue)"),
        validators=[Length(max=REASON_MAX)], filters=[strip],
    )

    def validate_reason(self, field):
        if self.state.data == ProposalState.NOT_RETAINED.value and not field.data:
            raise ValidationError(_l("Indiquez le motif pour lequel la proposition n'est pas retenue."))


class CommentForm(Form):
    body = TextAreaField(
        _l("Votre commentaire"),
        validators=[DataRequired(_l("Écrivez un commentaire.")),
                    Length(max=COMMENT_MAX, message=_l("Le commentaire est trop long (%(n)s caractères au plus).", n=COMMENT_MAX))],
        filters=[strip],
    )


class ReasonForm(Form):
    reason = TextAreaField(
        _l("Motif"),
        validators=[DataRequired(_l("Indiquez un motif.")), Length(max=REASON_MAX)],
        filters=[strip],
    )
    comment_id = HiddenField()


class CodeForm(Form):
    code = StringField(
        _l("Code de vote"), description=_l("Le code imprimé sur votre ticket, par exemple ABCDE-23456."),
        validators=[DataRequired(_l("Saisissez votre code de vote.")), Length(max=40)],
        filters=[strip], render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class PeriodForm(Form):
    label = StringField(_l("Nom de la période de vote"), description=_l("Par exemple : Votes de printemps 2026."),
                        validators=[DataRequired(_l("Indiquez un nom.")), Length(max=120)], filters=[strip])


class CodesForm(Form):
    count = IntegerField(_l("Nombre de codes à imprimer"), default=30,
                         validators=[DataRequired(_l("Indiquez un nombre.")),
                                     NumberRange(1, 500, _l("Entre 1 et 500 codes par feuille."))])
    max_votes = IntegerField(_l("Nombre de propositions sur lesquelles chaque code peut voter"), default=20,
                             validators=[DataRequired(_l("Indiquez un nombre.")),
                                         NumberRange(1, 1000, _l("Entre 1 et 1000."))])


class RevokeForm(Form):
    number = IntegerField(_l("Numéro du code (imprimé sous le code)"), validators=[Optional(), NumberRange(min=1)])
    batch = IntegerField(_l("ou numéro de la feuille entière"), validators=[Optional(), NumberRange(min=1)])

    def validate_batch(self, field):
        if self.number.data is None and field.data is None:
            raise ValidationError(_l("Indiquez un numéro de code ou de feuille."))


class DotMeetingForm(Form):
    label = StringField(_l("Réunion"), description=_l("Par exemple : Café QPV du 12 mars, salle des fêtes."),
                        validators=[DataRequired(_l("Indiquez la réunion.")), Length(max=200)], filters=[strip])
    held_on = DateField(_l("Date de la réunion"), validators=[DataRequired(_l("Indiquez la date."))])
    participants = IntegerField(_l("Nombre de participants (facultatif)"),
                                validators=[Optional(), NumberRange(0, 100000, _l("Un nombre positif."))])


class ImportForm(Form):
    kind = SelectField(_l("Format"), choices=choices([
        ("polis", _l("Pol.is : comments.csv et votes.csv d'une conversation")),
        ("decidim", _l("Decidim : export CSV des propositions")),
        ("json", _l("Parlons Quartier : export JSON")),
    ]))
    conversation = StringField(_l("Nom de la conversation Pol.is (dossier de l'export)"),
                               validators=[Length(max=100)], filters=[strip])
    theme_id = SelectField(_l("Thème des propositions importées (facultatif)"), coerce=int)
    file = FileField(_l("Fichier (comments.csv, export Decidim ou JSON)"))
    votes_file = FileField(_l("votes.csv (Pol.is seulement)"))


def state_choices(current: ProposalState):
    return choices((state.value, STATE_LABELS[state]) for state in ProposalState if state in TRANSITIONS[current])

