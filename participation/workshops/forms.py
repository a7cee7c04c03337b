"""Forms of the workshops domain."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField, DateTimeLocalField, FloatField, HiddenField, IntegerField, SelectField,
    SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from participation.forms import Form, choices, strip
from participation.workshops.models import WorkshopFormat
from participation.workshops.live_capture import MAX_DOT_VOTES, NOTE_MAX_LENGTH, OBSERVATION_MAX_LENGTH

FORMAT_LABELS = {
    WorkshopFormat.WORLD_CAFE: _l("World café"),
    WorkshopFormat.REUNION_PUBLIQUE: _l("Réunion publique"),
    WorkshopFormat.DIAGNOSTIC_EN_MARCHANT: _l("Diagnostic en marchant"),
    WorkshopFormat.TABLE_DE_QUARTIER: _l("Table de quartier"),
    WorkshopFormat.CAFE_QPV: _l("Café QPV"),
    WorkshopFormat.GROUPE_DE_TRAVAIL: _l("Groupe de travail"),
}

ATTENDANCE_LABELS = {
    "habitants": _l("Habitants"),
    "conseil": _l("Conseil citoyen"),
    "associations": _l("Associations"),
    "institutions": _l("Institutions"),
    "elus": _l("Élus"),
}

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _count(label):
    return IntegerField(label, validators=[Optional(), NumberRange(0, 100_000, _l("Indiquez un nombre entre 0 et 100 000."))])


class WorkshopForm(Form):
    title = StringField(_l("Titre"), validators=[DataRequired(_l("Indiquez un titre.")), Length(max=200)], filters=[strip])
    format = SelectField(_l("Format"), choices=choices((f.value, label) for f, label in FORMAT_LABELS.items()))
    starts_at = DateTimeLocalField(_l("Début (date et heure)"), format=DATETIME_FORMAT, validators=[InputRequired(_l("Indiquez la date et l'heure de début."))])
    ends_at = DateTimeLocalField(_l("Fin (facultatif)"), format=DATETIME_FORMAT, validators=[Optional()])
    place = StringField(_l("Lieu"), validators=[Length(max=300)], filters=[strip])
    facilitators = SelectMultipleField(_l("Animateurs et animatrices"), coerce=int, validate_choice=True)
    neutral_facilitator = StringField(
        _l("Tiers facilitateur neutre (facultatif)"), validators=[Length(max=200)], filters=[strip],
        description=_l("Nom et structure d'une personne extérieure qui anime sans prendre parti."),
    )
    rounds = IntegerField(_l("Nombre de tours (world café)"), default=3, validators=[InputRequired(_l("Indiquez un nombre de tours.")), NumberRange(1, 12, _l("Entre 1 et 12 tours."))])
    attendance_total = _count(_l("Participants (total)"))
    attendance_habitants = _count(ATTENDANCE_LABELS["habitants"])
    attendance_conseil = _count(ATTENDANCE_LABELS["conseil"])
    attendance_associations = _count(ATTENDANCE_LABELS["associations"])
    attendance_institutions = _count(ATTENDANCE_LABELS["institutions"])
    attendance_elus = _count(ATTENDANCE_LABELS["elus"])
    plenary_summary = TextAreaField(_l("Synthèse de la plénière"), validators=[Length(max=10_000)], filters=[strip])
    is_template = BooleanField(_l("Modèle réutilisable (n'apparaît pas au calendrier)"))

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("La fin doit suivre le début."))

    def validate_attendance_total(self, field):
        parts = [getattr(self, f"attendance_{key}").data or 0 for key in ATTENDANCE_LABELS]
        if field.data is not None and sum(parts) > field.data:
            raise ValidationError(_l("La répartition dépasse le total des participants."))


class CopyForm(Form):
    source = SelectField(_l("Copier depuis"), coerce=int, validate_choice=True)
    title = StringField(_l("Titre (facultatif : celui de l'atelier copié)"), validators=[Length(max=200)], filters=[strip])
    starts_at = DateTimeLocalField(_l("Début (date et heure)"), format=DATETIME_FORMAT, validators=[InputRequired(_l("Indiquez la date et l'heure de début."))])
    is_template = BooleanField(_l("Modèle réutilisable"))


class QuestionsForm(Form):
    questions = TextAreaField(
        _l("Questions du world café, une par ligne"),
        description=_l("Dans le compte-rendu, la 1re question donne les changements attendus, la 2e les actions prioritaires, la 3e les ressources et acteurs."),
        validators=[DataRequired(_l("Indiquez au moins une question.")), Length(max=5000)],
        filters=[strip],
    )


class TableForm(Form):
    theme_id = SelectField(_l("Thème de la table"), coerce=int, validate_choice=True)
    host_id = SelectField(_l("Hôte de table (compte)"), coerce=int, validate_choice=True)
    host_name = StringField(_l("Ou nom de l'hôte (sans compte)"), validators=[Length(max=120)], filters=[strip])


class StopForm(Form):
    name = StringField(_l("Nom de l'étape"), validators=[DataRequired(_l("Indiquez un nom.")), Length(max=200)], filters=[strip])
    description = TextAreaField(_l("Description (facultatif)"), validators=[Length(max=2000)], filters=[strip])


class CaptureChoiceForm(Form):
    """Pick the table and the round once (a GET form: the choice lives in the address)."""

    class Meta:
        csrf = False

    table = SelectField(_l("Table"), coerce=int, validate_choice=True)
    round = SelectField(_l("Tour"), coerce=int, validate_choice=True)


class NoteForm(Form):
    text = TextAreaField(
        _l("Note"),
        validators=[DataRequired(_l("Écrivez la note avant de l'envoyer.")),
                    Length(max=NOTE_MAX_LENGTH, message=_l("La note dépasse %(max)d caractères.", max=NOTE_MAX_LENGTH))],
        filters=[strip],
    )
    question_id = SelectField(_l("Question"), coerce=int, validate_choice=True)
    dot_votes = IntegerField(
        _l("Gommettes"), default=0,
        validators=[Optional(), NumberRange(0, MAX_DOT_VOTES, _l("Entre 0 et %(max)d gommettes.", max=MAX_DOT_VOTES))],
    )
    theme_id = SelectField(_l("Thème"), coerce=int, validate_choice=True)
    table = HiddenField()
    round = HiddenField()
    client_key = HiddenField()


class NoteEditForm(Form):
    text = TextAreaField(
        _l("Note"),
        validators=[DataRequired(_l("Écrivez la note.")), Length(max=NOTE_MAX_LENGTH)],
        filters=[strip],
    )
    theme_id = SelectField(_l("Thème"), coerce=int, validate_choice=True)
    question_id = SelectField(_l("Question"), coerce=int, validate_choice=True)
    dot_votes = IntegerField(_l("Gommettes"), default=0, validators=[InputRequired(_l("Indiquez un nombre (0 si aucune).")), NumberRange(0, MAX_DOT_VOTES)])
    to_propose = BooleanField(_l("À proposer (deviendra une proposition)"))


class ObservationForm(Form):
    stop_id = SelectField(_l("Étape"), coerce=int, validate_choice=True)
    theme_id = SelectField(_l("Thème"), coerce=int, validate_choice=True)
    text = TextAreaField(
        _l("Observation"),
        validators=[DataRequired(_l("Décrivez ce que vous observez.")), Length(max=OBSERVATION_MAX_LENGTH)],
        filters=[strip],
    )
    latitude = FloatField(
        _l("Latitude (facultatif)"),
        validators=[Optional(), NumberRange(-90, 90, _l("La latitude est comprise entre -90 et 90."))],
        description=_l("En degrés décimaux, par exemple 44.2601."),
    )
    longitude = FloatField(
        _l("Longitude (facultatif)"),
        validators=[Optional(), NumberRange(-180, 180, _l("La longitude est comprise entre -180 et 180."))],
        description=_l("En degrés décimaux, par exemple 4.1981."),
    )
    photos = MultipleFileField(_l("Photos (facultatif)"), render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def validate_longitude(self, field):
        if (field.data is None) != (self.latitude.data is None) and not self.latitude.errors:
            raise ValidationError(_l("Indiquez la latitude et la longitude, ou aucune des deux."))


class ReportForm(Form):
    context = TextAreaField(
        _l("Contexte et objectifs de l'atelier"), validators=[Length(max=10_000)], filters=[strip],
    )


class ValidatorForm(Form):
    user_id = SelectField(_l("Animateur ou animatrice"), coerce=int, validate_choice=True)
