"""Sign-in, sign-out, password reset, the personal space, and account administration."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from participation import auth
from participation.accounts import services
from participation.accounts.forms import (
    ROLE_LABELS, ChangePasswordForm, LoginForm, ResetPasswordForm, ResetRequestForm, UserForm,
)
from participation.accounts.models import Role, User
from participation.extensions import db, limiter
from participation.forms import choices
from participation.quartiers.models import ContratDeVille, Quartier
from participation.quartiers import services as territory
from participation.urls import safe_next

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _reset_limit() -> str:
    return current_app.config["RATELIMIT_PASSWORD_RESET"]


@bp.route("/connexion", methods=["GET", "POST"])
@auth.public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.space"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(_("Bienvenue, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(request.args.get("next"), "accounts.space"))
        form.password.errors.append(_("Adresse e-mail ou mot de passe incorrect."))
        return render_template("accounts/login.html", form=form), 401
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/deconnexion", methods=["POST"])
@auth.public
def logout():
    if current_user.is_authenticated:
        services.sign_out(current_user)
    logout_user()
    flash(_("Vous êtes déconnecté·e."), "info")
    return redirect(url_for("main.index"))


@bp.route("/mot-de-passe/oubli", methods=["GET", "POST"])
@auth.public
@limiter.limit(_reset_limit, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data)
        link = services.reset_link(services.make_reset_token(user)) if user is not None and user.active else None
        if link is not None:
            services.send_mail(
                user.email,
                _("Parlons Quartier : choisir un nouveau mot de passe"),
                render_template("accounts/reset_mail.txt", user=user, link=link),
            )
        elif user is not None and user.active:
            current_app.logger.error("No reset mail sent: PARTICIPATION_CANONICAL_URL is not set.")
        # The same answer whether the account exists or not.
        flash(_("Si un compte existe pour cette adresse, un lien de réinitialisation vient d'y être envoyé."), "info")
        return redirect(url_for("accounts.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/reset_request.html", form=form), status


@bp.route("/mot-de-passe/reinitialiser/<token>", methods=["GET", "POST"])
@auth.public
@limiter.limit(_reset_limit, methods=["POST"])
def reset(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        abort(400, _("Ce lien de réinitialisation n'est plus valable. Demandez-en un nouveau."))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        flash(_("Votre mot de passe a été changé. Vous pouvez vous connecter."), "success")
        return redirect(url_for("accounts.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/reset.html", form=form), status


@bp.route("/espace")
@auth.roles(auth.ALL_ROLES)
def space():
    return render_template("accounts/space.html", role_labels=ROLE_LABELS)


@bp.route("/espace/mot-de-passe", methods=["GET", "POST"])
@auth.roles(auth.ALL_ROLES)
@limiter.limit(_login_limit, methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("Ce n'est pas votre mot de passe actuel."))
        else:
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            user = current_user._get_current_object()
            services.reset_password(user, form.password.data)
            # Every other session and remembered device is signed out; this one goes on.
            login_user(user, remember=remembered)
            flash(_("Votre mot de passe a été changé."), "success")
            return redirect(url_for("accounts.space"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/change_password.html", form=form), status


def _fill_scope_choices(form: UserForm) -> None:
    form.quartiers.choices = choices((q.id, f"{q.name} ({q.qpv_code})") for q in territory.all_quartiers())
    form.contrats.choices = choices((c.id, c.name) for c in territory.all_contrats())


def _chosen_territories(form: UserForm):
    quartiers = db.session.scalars(select(Quartier).where(Quartier.id.in_(form.quartiers.data or []))).all()
    contrats = db.session.scalars(select(ContratDeVille).where(ContratDeVille.id.in_(form.contrats.data or []))).all()
    return quartiers, contrats


@bp.route("/admin/utilisateurs")
@auth.roles(auth.ADMIN_ONLY)
def users_index():
    return render_template("accounts/users_index.html", users=services.list_users(), role_labels=ROLE_LABELS)


@bp.route("/admin/utilisateurs/nouveau", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def users_new():
    form = UserForm()
    _fill_scope_choices(form)
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("Choisissez un mot de passe initial."))
        else:
            quartiers, contrats = _chosen_territories(form)
            try:
                services.create_user(
                    email=form.email.data, display_name=form.display_name.data,
                    password=form.password.data, role=Role(form.role.data),
                    quartiers=quartiers, contrats=contrats,
                )
            except services.AccountError as error:
                (form.email if error.code == "duplicate_email" else form.quartiers).errors.append(error.message)
            else:
                flash(_("Le compte a été créé."), "success")
                return redirect(url_for("accounts.users_index"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/user_form.html", form=form, user=None), status


@bp.route("/admin/utilisateurs/<int:user_id>/modifier", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def users_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    _fill_scope_choices(form)
    if request.method == "GET":
        form.role.data = user.role.value
        form.quartiers.data = [s.quartier_id for s in user.scopes if s.quartier_id]
        form.contrats.data = [s.contrat_id for s in user.scopes if s.contrat_id]
    if form.validate_on_submit():
        if services.normalise_email(form.email.data) != user.email and services.find_by_email(form.email.data):
            form.email.errors.append(_("Un compte existe déjà avec cette adresse e-mail."))
        else:
            quartiers, contrats = _chosen_territories(form)
            user.email = services.normalise_email(form.email.data)
            try:
                services.update_user(
                    user, display_name=form.display_name.data, role=Role(form.role.data),
                    active=form.active.data, quartiers=quartiers, contrats=contrats,
                )
            except services.AccountError as error:  # the 400 below rolls the e-mail back too
                form.quartiers.errors.append(error.message)
            else:
                if form.password.data:
                    services.reset_password(user, form.password.data)
                flash(_("Le compte a été modifié."), "success")
                return redirect(url_for("accounts.users_index"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/user_form.html", form=form, user=user), status
