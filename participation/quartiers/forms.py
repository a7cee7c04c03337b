"""Forms for territories, conseils citoyens and themes."""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from participation.config import ROOT
from participation.forms import Form, choices, strip
from participation.quartiers.models import QPV_CODE_PATTERN, College


def upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def _required(message):
    return DataRequired(message)


class ContratForm(Form):
    name = StringField(_l("Nom du contrat de ville"), validators=[_required(_l("Indiquez un nom.")), Length(max=200)], filters=[strip])
    epci = StringField(_l("Intercommunalité (EPCI) signataire"), validators=[_required(_l("Indiquez l'EPCI.")), Length(max=200)], filters=[strip])
    start_year = IntegerField(_l("Première année"), default=2024, validators=[_required(_l("Indiquez une année.")), NumberRange(2000, 2100, _l("Année entre 2000 et 2100."))])
    end_year = IntegerField(_l("Dernière année"), default=2030, validators=[_required(_l("Indiquez une année.")), NumberRange(2000, 2100, _l("Année entre 2000 et 2100."))])

    def validate_end_year(self, field):
        if self.start_year.data and field.data and field.data < self.start_year.data:
            raise ValidationError(_l("La dernière année ne peut pas précéder la première."))


class CommuneForm(Form):
    name = StringField(_l("Nom de la commune"), validators=[_required(_l("Indiquez un nom.")), Length(max=200)], filters=[strip])
    insee_code = StringField(
        _l("Code INSEE (facultatif)"),
        validators=[Optional(), Regexp(r"^[0-9][0-9AB][0-9]{3}$", message=_l("Le code INSEE compte 5 caractères, par exemple 30243."))],
        filters=[strip],
    )


class QuartierForm(Form):
    name = StringField(_l("Nom du quartier"), validators=[_required(_l("Indiquez un nom.")), Length(max=200)], filters=[strip])
    qpv_code = StringField(
        _l("Code QPV officiel"),
        description=_l("Forme attendue : QN, cinq caractères, M — par exemple QN03014M."),
        validators=[
            _required(_l("Indiquez le code QPV.")),
            Regexp(QPV_CODE_PATTERN.pattern, message=_l("Code QPV invalide : la forme attendue est QN03014M (QN, cinq caractères, M).")),
        ],
        filters=[upper],
    )
    population = IntegerField(
        _l("Population du quartier (facultatif)"),
        validators=[Optional(), NumberRange(min=0, max=200000, message=_l("Indiquez un nombre d'habitants entre 0 et 200 000."))],
    )
    en_veille = BooleanField(_l("Quartier « en veille »"))
    description = TextAreaField(_l("Présentation (facultatif)"), validators=[Length(max=2000)], filters=[strip])


class ConseilForm(Form):
    name = StringField(_l("Nom du conseil citoyen"), validators=[_required(_l("Indiquez un nom.")), Length(max=200)], filters=[strip])
    contact = StringField(_l("Contact public (facultatif)"), validators=[Length(max=200)], filters=[strip])
    description = TextAreaField(_l("Présentation (facultatif)"), validators=[Length(max=2000)], filters=[strip])


COLLEGE_LABELS = {
    College.HABITANTS: _l("Collège des habitants"),
    College.ACTEURS_LOCAUX: _l("Collège des acteurs locaux et associations"),
}


class MemberForm(Form):
    display_name = StringField(_l("Nom affiché"), validators=[_required(_l("Indiquez un nom.")), Length(max=120)], filters=[strip])
    college = SelectField(_l("Collège"), choices=choices((c.value, label) for c, label in COLLEGE_LABELS.items()))
    organisation = StringField(_l("Association ou structure (acteurs locaux)"), validators=[Length(max=200)], filters=[strip])
    is_referent = BooleanField(_l("Référent·e du conseil citoyen"))
    drawn_by_lot = BooleanField(_l("Tiré·e au sort"))
    joined_on = DateField(_l("Date d'entrée (facultatif)"), validators=[Optional()])


PICTOGRAM_NAMES = {
    "ball": _l("Ballon"), "bike": _l("Vélo"), "book": _l("Livre"), "briefcase": _l("Mallette"),
    "building": _l("Immeuble"), "child": _l("Enfant"), "crane": _l("Grue de chantier"),
    "graduation": _l("Toque de diplômé"), "handshake": _l("Poignée de main"), "health": _l("Croix de santé"),
    "house": _l("Maison"), "leaf": _l("Feuille d’arbre"), "lightbulb": _l("Ampoule"), "music": _l("Note de musique"),
    "people": _l("Groupe de personnes"), "shield": _l("Bouclier"), "tree": _l("Arbre"),
}
"""What each file of static/pictograms/ draws, for the theme form's list, in the reader's language."""


def pictogram_choices() -> list[tuple[str, str]]:
    keys = sorted(path.stem for path in (ROOT / "static" / "pictograms").glob("*.svg"))
    named = [(key, PICTOGRAM_NAMES.get(key, key)) for key in keys]
    return choices(sorted(named, key=lambda pair: str(pair[1]).casefold()))


class ThemeForm(Form):
    label_fr = StringField(_l("Libellé en français"), validators=[_required(_l("Indiquez le libellé en français.")), Length(max=200)], filters=[strip])
    label_en = StringField(_l("Libellé en anglais"), validators=[_required(_l("Indiquez le libellé en anglais.")), Length(max=200)], filters=[strip])
    label_ar = StringField(_l("Libellé en arabe"), validators=[_required(_l("Indiquez le libellé en arabe.")), Length(max=200)], filters=[strip], render_kw={"dir": "rtl", "lang": "ar"})
    pictogram = SelectField(_l("Pictogramme"))
    parent_id = SelectField(_l("Thème parent"), coerce=int)
