"""Forms of sign-in, password reset and account administration."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from participation.accounts.models import Role
from participation.forms import Form, choices, strip

ROLE_LABELS = {
    Role.RESIDENT: _l("Habitant·e"),
    Role.CONSEIL_MEMBER: _l("Membre du conseil citoyen"),
    Role.FACILITATOR: _l("Animateur·rice"),
    Role.OFFICIAL: _l("Élu·e"),
    Role.ADMIN: _l("Administrateur·rice"),
}


class LoginForm(Form):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(_l("Indiquez votre adresse e-mail.")), Length(max=254)],
        filters=[strip],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(_l("Indiquez votre mot de passe.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Rester connecté·e sur cet appareil"))


class ResetRequestForm(Form):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[
            DataRequired(_l("Indiquez votre adresse e-mail.")),
            Email(_l("Cette adresse e-mail n'est pas valide."), check_deliverability=False),
            Length(max=254),
        ],
        filters=[strip],
        render_kw={"autocomplete": "email"},
    )


def _new_password_field(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Choisissez un mot de passe.")),
            Length(min=10, max=200, message=_l("Le mot de passe doit compter au moins 10 caractères.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ResetPasswordForm(Form):
    password = _new_password_field(_l("Nouveau mot de passe"))
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[EqualTo("password", _l("Les deux mots de passe ne sont pas identiques."))],
        render_kw={"autocomplete": "new-password"},
    )


class UserForm(Form):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[
            DataRequired(_l("Indiquez une adresse e-mail.")),
            Email(_l("Cette adresse e-mail n'est pas valide."), check_deliverability=False),
            Length(max=254),
        ],
        filters=[strip],
    )
    display_name = StringField(
        _l("Nom affiché"),
        validators=[DataRequired(_l("Indiquez un nom.")), Length(max=120)],
        filters=[strip],
    )
    role = SelectField(
        _l("Rôle"),
        choices=choices((role.value, label) for role, label in ROLE_LABELS.items()),
        validators=[DataRequired()],
    )
    quartiers = SelectMultipleField(_l("Quartiers"), coerce=int, validate_choice=True)
    contrats = SelectMultipleField(_l("Contrats de ville entiers"), coerce=int, validate_choice=True)
    active = BooleanField(_l("Compte actif"), default=True)
    password = PasswordField(
        _l("Mot de passe initial"),
        validators=[Length(max=200)],
        description=_l("10 caractères au moins. Laisser vide pour ne pas le changer."),
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field):
        from wtforms.validators import ValidationError

        if field.data and len(field.data) < 10:
            raise ValidationError(_l("Le mot de passe doit compter au moins 10 caractères."))

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if self.role.data != Role.ADMIN.value and not (self.quartiers.data or self.contrats.data):
            self.quartiers.errors.append(
                _l("Choisissez au moins un quartier ou un contrat de ville pour ce rôle.")
            )
            return False
        return True


class ChangePasswordForm(Form):
    current = PasswordField(
        _l("Mot de passe actuel"),
        validators=[DataRequired(_l("Indiquez votre mot de passe actuel."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password_field(_l("Nouveau mot de passe"))
    confirm = PasswordField(
        _l("Confirmez le nouveau mot de passe"),
        validators=[EqualTo("password", _l("Les deux mots de passe ne sont pas identiques."))],
        render_kw={"autocomplete": "new-password"},
    )
