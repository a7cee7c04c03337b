"""Public quartier pages, and the administration of territories, conseils citoyens and themes."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from participation import auth
from participation.extensions import db
from participation.forms import choices
from participation.quartiers import services
from participation.quartiers.forms import (
    COLLEGE_LABELS, CommuneForm, ConseilForm, ContratForm, MemberForm, QuartierForm, ThemeForm,
    pictogram_choices,
)
from participation.quartiers.models import College, Commune, ConseilMember, ContratDeVille, Quartier, Theme

bp = Blueprint("quartiers", __name__)

def _status(form) -> int:
    return 400 if form.is_submitted() else 200


def _quartier_or_404(code: str) -> Quartier:
    quartier = services.quartier_by_code(code)
    if quartier is None:
        abort(404)
    return quartier


# --- public -------------------------------------------------------------------------------

@bp.route("/quartiers/<code>")
@auth.public
def show(code: str):
    quartier = _quartier_or_404(code)
    return render_template(
        "quartiers/show.html",
        quartier=quartier,
        sections=services.quartier_sections(quartier),
        college_labels=COLLEGE_LABELS,
        College=College,
    )


# --- territories (admins) -----------------------------------------------------------------

@bp.route("/admin/territoires")
@auth.roles(auth.ADMIN_ONLY)
def admin_index():
    return render_template("quartiers/admin_index.html", contrats=services.territories_overview())


@bp.route("/admin/contrats/nouveau", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def contrat_new():
    form = ContratForm()
    if form.validate_on_submit():
        contrat = services.create_contrat(
            name=form.name.data, epci=form.epci.data,
            start_year=form.start_year.data, end_year=form.end_year.data,
        )
        services.seed_default_themes(contrat)
        flash(_("Le contrat de ville « %(name)s » a été créé.", name=contrat.name), "success")
        return redirect(url_for("quartiers.admin_index"))
    return render_template("quartiers/contrat_form.html", form=form, contrat=None), _status(form)


@bp.route("/admin/contrats/<int:contrat_id>/modifier", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def contrat_edit(contrat_id: int):
    contrat = db.get_or_404(ContratDeVille, contrat_id)
    form = ContratForm(obj=contrat)
    if form.validate_on_submit():
        form.populate_obj(contrat)
        flash(_("Le contrat de ville a été modifié."), "success")
        return redirect(url_for("quartiers.admin_index"))
    return render_template("quartiers/contrat_form.html", form=form, contrat=contrat), _status(form)


@bp.route("/admin/contrats/<int:contrat_id>/communes/nouvelle", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def commune_new(contrat_id: int):
    contrat = db.get_or_404(ContratDeVille, contrat_id)
    form = CommuneForm()
    if form.validate_on_submit():
        services.create_commune(contrat, name=form.name.data, insee_code=form.insee_code.data)
        flash(_("La commune a été ajoutée."), "success")
        return redirect(url_for("quartiers.admin_index"))
    return render_template("quartiers/commune_form.html", form=form, contrat=contrat, commune=None), _status(form)


@bp.route("/admin/communes/<int:commune_id>/modifier", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def commune_edit(commune_id: int):
    commune = db.get_or_404(Commune, commune_id)
    form = CommuneForm(obj=commune)
    if form.validate_on_submit():
        commune.name = form.name.data
        commune.insee_code = form.insee_code.data or None
        flash(_("La commune a été modifiée."), "success")
        return redirect(url_for("quartiers.admin_index"))
    return render_template("quartiers/commune_form.html", form=form, contrat=commune.contrat, commune=commune), _status(form)


def _quartier_values(form: QuartierForm) -> dict:
    return {
        "name": form.name.data, "qpv_code": form.qpv_code.data, "population": form.population.data,
        "en_veille": form.en_veille.data, "description": form.description.data or "",
    }


@bp.route("/admin/communes/<int:commune_id>/quartiers/nouveau", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def quartier_new(commune_id: int):
    commune = db.get_or_404(Commune, commune_id)
    form = QuartierForm()
    if form.validate_on_submit():
        try:
            quartier = services.create_quartier(commune, **_quartier_values(form))
        except services.TerritoryError as error:
            form.qpv_code.errors.append(error.message)
        else:
            flash(_("Le quartier « %(name)s » a été créé.", name=quartier.name), "success")
            return redirect(url_for("quartiers.show", code=quartier.qpv_code))
    return render_template("quartiers/quartier_form.html", form=form, commune=commune, quartier=None), _status(form)


@bp.route("/admin/quartiers/<code>/modifier", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def quartier_edit(code: str):
    quartier = _quartier_or_404(code)
    form = QuartierForm(obj=quartier)
    if form.validate_on_submit():
        try:
            services.update_quartier(quartier, **_quartier_values(form))
        except services.TerritoryError as error:
            form.qpv_code.errors.append(error.message)
        else:
            flash(_("Le quartier a été modifié."), "success")
            return redirect(url_for("quartiers.show", code=quartier.qpv_code))
    return render_template("quartiers/quartier_form.html", form=form, commune=quartier.commune, quartier=quartier), _status(form)


# --- conseil citoyen (admins, and facilitators of the quartier) -----------------------------

@bp.route("/quartiers/<code>/conseil-citoyen/modifier", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def conseil_edit(code: str):
    quartier = _quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    conseil = quartier.conseil
    form = ConseilForm(obj=conseil)
    if form.validate_on_submit():
        form.populate_obj(conseil)
        flash(_("Le conseil citoyen a été modifié."), "success")
        return redirect(url_for("quartiers.conseil_edit", code=quartier.qpv_code))
    return render_template(
        "quartiers/conseil_form.html", form=form, quartier=quartier, conseil=conseil,
        college_labels=COLLEGE_LABELS,
    ), _status(form)


def _member_of(quartier: Quartier, member_id: int) -> ConseilMember:
    member = db.get_or_404(ConseilMember, member_id)
    if member.conseil_id != quartier.conseil.id:
        abort(404)
    return member


@bp.route("/quartiers/<code>/conseil-citoyen/membres/nouveau", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def member_new(code: str):
    quartier = _quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    form = MemberForm()
    if form.validate_on_submit():
        services.add_member(
            quartier.conseil, display_name=form.display_name.data, college=College(form.college.data),
            organisation=form.organisation.data or "", is_referent=form.is_referent.data,
            drawn_by_lot=form.drawn_by_lot.data, joined_on=form.joined_on.data,
        )
        flash(_("Le membre a été ajouté."), "success")
        return redirect(url_for("quartiers.conseil_edit", code=quartier.qpv_code))
    return render_template("quartiers/member_form.html", form=form, quartier=quartier, member=None), _status(form)


@bp.route("/quartiers/<code>/conseil-citoyen/membres/<int:member_id>/modifier", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def member_edit(code: str, member_id: int):
    quartier = _quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    member = _member_of(quartier, member_id)
    form = MemberForm(obj=member)
    if request.method == "GET":
        form.college.data = member.college.value
    if form.validate_on_submit():
        form.populate_obj(member)
        member.college = College(form.college.data)
        flash(_("Le membre a été modifié."), "success")
        return redirect(url_for("quartiers.conseil_edit", code=quartier.qpv_code))
    return render_template("quartiers/member_form.html", form=form, quartier=quartier, member=member), _status(form)


@bp.route("/quartiers/<code>/conseil-citoyen/membres/<int:member_id>/supprimer", methods=["POST"])
@auth.roles(auth.STAFF)
def member_delete(code: str, member_id: int):
    quartier = _quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    services.remove_member(_member_of(quartier, member_id))
    flash(_("Le membre a été retiré du conseil citoyen."), "success")
    return redirect(url_for("quartiers.conseil_edit", code=quartier.qpv_code))


# --- theme référentiel (admins) -------------------------------------------------------------

def _theme_form(contrat: ContratDeVille, theme: Theme | None = None) -> ThemeForm:
    form = ThemeForm(obj=theme)
    form.pictogram.choices = pictogram_choices()
    parents = [t for t in services.theme_tree(contrat) if theme is None or t.id != theme.id]
    form.parent_id.choices = choices([(0, _("— aucun (thème principal) —"))] + [(t.id, t.label) for t in parents])
    if request.method == "GET" and theme is not None:
        form.parent_id.data = theme.parent_id or 0
    return form


@bp.route("/admin/contrats/<int:contrat_id>/themes")
@auth.roles(auth.ADMIN_ONLY)
def themes_index(contrat_id: int):
    contrat = db.get_or_404(ContratDeVille, contrat_id)
    return render_template(
        "quartiers/themes_index.html", contrat=contrat,
        themes=services.theme_tree(contrat, include_archived=True),
    )


@bp.route("/admin/contrats/<int:contrat_id>/themes/nouveau", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def theme_new(contrat_id: int):
    contrat = db.get_or_404(ContratDeVille, contrat_id)
    form = _theme_form(contrat)
    if form.validate_on_submit():
        parent = db.session.get(Theme, form.parent_id.data) if form.parent_id.data else None
        services.create_theme(
            contrat, label_fr=form.label_fr.data, label_en=form.label_en.data,
            label_ar=form.label_ar.data, pictogram=form.pictogram.data, parent=parent,
        )
        flash(_("Le thème a été ajouté."), "success")
        return redirect(url_for("quartiers.themes_index", contrat_id=contrat.id))
    return render_template("quartiers/theme_form.html", form=form, contrat=contrat, theme=None), _status(form)


@bp.route("/admin/themes/<int:theme_id>/modifier", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def theme_edit(theme_id: int):
    theme = db.get_or_404(Theme, theme_id)
    form = _theme_form(theme.contrat, theme)
    if theme.children:
        form.parent_id.choices = choices([(0, _("— aucun (thème principal) —"))])
    if form.validate_on_submit():
        theme.label_fr, theme.label_en, theme.label_ar = form.label_fr.data, form.label_en.data, form.label_ar.data
        theme.pictogram = form.pictogram.data
        theme.parent_id = form.parent_id.data or None
        flash(_("Le thème a été modifié."), "success")
        return redirect(url_for("quartiers.themes_index", contrat_id=theme.contrat_id))
    return render_template("quartiers/theme_form.html", form=form, contrat=theme.contrat, theme=theme), _status(form)


@bp.route("/admin/themes/<int:theme_id>/deplacer", methods=["POST"])
@auth.roles(auth.ADMIN_ONLY)
def theme_move(theme_id: int):
    theme = db.get_or_404(Theme, theme_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400, _("Indiquez s'il faut monter ou descendre le thème."))
    services.move_theme(theme, -1 if direction == "up" else 1)
    return redirect(url_for("quartiers.themes_index", contrat_id=theme.contrat_id, _anchor=f"theme-{theme.id}"))


@bp.route("/admin/themes/<int:theme_id>/archiver", methods=["POST"])
@auth.roles(auth.ADMIN_ONLY)
def theme_archive(theme_id: int):
    theme = db.get_or_404(Theme, theme_id)
    services.archive_theme(theme)
    flash(_("Le thème « %(label)s » a été archivé.", label=theme.label), "success")
    return redirect(url_for("quartiers.themes_index", contrat_id=theme.contrat_id))


@bp.route("/admin/themes/<int:theme_id>/restaurer", methods=["POST"])
@auth.roles(auth.ADMIN_ONLY)
def theme_restore(theme_id: int):
    theme = db.get_or_404(Theme, theme_id)
    services.restore_theme(theme)
    flash(_("Le thème « %(label)s » a été restauré.", label=theme.label), "success")
    return redirect(url_for("quartiers.themes_index", contrat_id=theme.contrat_id))


@bp.route("/admin/themes/<int:theme_id>/supprimer", methods=["POST"])
@auth.roles(auth.ADMIN_ONLY)
def theme_delete(theme_id: int):
    theme = db.get_or_404(Theme, theme_id)
    contrat_id, label = theme.contrat_id, theme.label
    outcome = services.delete_or_archive_theme(theme)
    if outcome == "archived":
        flash(_("Le thème « %(label)s » est utilisé : il a été archivé plutôt que supprimé.", label=label), "info")
    else:
        flash(_("Le thème « %(label)s » a été supprimé.", label=label), "success")
    return redirect(url_for("quartiers.themes_index", contrat_id=contrat_id))
