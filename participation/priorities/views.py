"""Routes of the priorities domain: aggregation, projet de quartier, review, dashboard, restitution."""
from __future__ import annotations

from flask import (
    Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from participation import auth
from participation.accounts.models import Role
from participation.evidence import AGE_BANDS, GENDERS
from participation.extensions import db, limiter
from participation.forms import choices
from participation.params import parse_int
from participation.priorities import dashboard as dashboard_queries
from participation.priorities import exports, services, versions
from participation.priorities.forms import (
    ChangesForm, CommentForm, CsrfOnlyForm, ItemForm, PeriodForm, PopulationForm, ProjetForm, ProjetNewForm,
    AGE_LABELS, GENDER_LABELS, POPULATION_FIELDS, ProposalLinkForm, ReceiptForm, ValidateForm,
)
from participation.priorities.models import (
    LinkKind, ObjectiveLink, OperationalObjective, PriorityTheme, ProjetDeQuartier, ProjetState,
    StrategicObjective,
)
from participation.quartiers import services as territory
from participation.quartiers.models import ContratDeVille, Quartier, Theme

bp = Blueprint("priorities", __name__)

SOURCE_LABELS = {
    "questionnaire_ranking": _l("Questionnaires : classements des thèmes"),
    "questionnaire_choices": _l("Questionnaires : réponses rattachées à un thème"),
    "questionnaire_texts": _l("Questionnaires : expression libre"),
    "workshop_notes": _l("Ateliers : notes"),
    "workshop_dots": _l("Ateliers : gommettes"),
    "proposal_votes": _l("Propositions : soutiens (pour moins contre)"),
    "proposal_dots": _l("Gommettes en réunion"),
}
CHANNEL_LABELS = {"online": _l("En ligne"), "paper": _l("Papier"), "in_person": _l("En présence")}
STATE_LABELS = {
    ProjetState.DRAFT: _l("Brouillon"),
    ProjetState.SUBMITTED_TECHNIQUE: _l("Soumis au comité technique"),
    ProjetState.SUBMITTED_PILOTAGE: _l("Soumis au comité de pilotage"),
    ProjetState.VALIDATED: _l("Validé"),
}
KIND_LABELS = {
    "response": _l("réponse"), "answer": _l("réponse"), "note": _l("note d'atelier"),
    "proposal": _l("proposition"), "dot_vote": _l("gommettes"),
}

@bp.app_template_global("projets_changes_requested")
def projets_changes_requested() -> list:
    """For a facilitator's space: the projets an official sent back with requested changes."""
    return dashboard_queries.changes_requested(current_user)


@bp.context_processor
def labels():
    return {
        "SOURCE_LABELS": SOURCE_LABELS, "CHANNEL_LABELS": CHANNEL_LABELS, "STATE_LABELS": STATE_LABELS,
        "KIND_LABELS": KIND_LABELS, "GENDER_LABELS": GENDER_LABELS, "AGE_LABELS": AGE_LABELS,
        "GENDERS": GENDERS, "AGE_BANDS": AGE_BANDS, "ProjetState": ProjetState,
        "source_label": lambda s: SOURCE_LABELS.get(s, s),
    }


def _quartier_or_404(code: str) -> Quartier:
    quartier = territory.quartier_by_code(code)
    if quartier is None:
        abort(404)
    return quartier


def _period_arg(quartier: Quartier):
    raw = request.args.get("periode")
    period_id = parse_int(raw)
    if raw and period_id is None:
        abort(404)
    try:
        return services.period_for(quartier, period_id)
    except services.PrioritiesError:
        abort(404)


def _projet_or_404(projet_id: int, allowed=auth.STAFF_AND_OFFICIALS) -> ProjetDeQuartier:
    projet = services.load_projet(projet_id)
    if projet is None:
        abort(404)
    auth.require_quartier(projet.quartier, allowed)
    return projet


def _refused(error: services.PrioritiesError, projet: ProjetDeQuartier, **forms):
    """A refused operation on a projet: its page again, with the reason and the error's status
    (the request then rolls back: nothing is stored); `forms` keep what was typed in them."""
    return _render_projet(projet, errors=[error.message], **forms), error.status


def _form_errors(form) -> list[str]:
    return [f"{field.label.text} : {message}" for field in form if field.errors for message in field.errors]


def _back(projet: ProjetDeQuartier, anchor: str = "") -> Response:
    return redirect(url_for("priorities.projet", projet_id=projet.id) + (f"#{anchor}" if anchor else ""))


# --- public ---------------------------------------------------------------------------------

@bp.route("/priorites/methode")
@auth.public
def method():
    return render_template("priorities/method.html", sources=SOURCE_LABELS)


@bp.route("/restitution", methods=["GET", "POST"])
@auth.public
@limiter.limit("20/minute", methods=["POST"])
def receipt_form():
    """A resident types their receipt or voting code in a POST form (with CSRF) and sees the
    result on the response itself: the code never appears in a URL, so never in access logs,
    proxies or the browser history."""
    if request.method == "GET" and request.args:  # an old link or bookmark with a code: drop it
        return redirect(url_for("priorities.receipt_form"))
    form = ReceiptForm()
    if request.method == "GET":
        return render_template("priorities/receipt_form.html", form=form)
    if not form.validate_on_submit():
        return render_template("priorities/receipt_form.html", form=form), 400
    view = services.restitution_for_receipt(form.code.data)
    response = Response(render_template("priorities/receipt.html", view=view), status=200 if view else 404)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/projets/<int:projet_id>/versions/<int:number>.<fmt>")
@auth.public
def export(projet_id: int, number: int, fmt: str):
    """A version as PDF, DOCX or JSON: anyone for a validated version, the scope otherwise."""
    projet = services.load_projet(projet_id)
    if projet is None or fmt not in ("pdf", "docx", "json"):
        abort(404)
    version = versions.version_of(projet, number)
    if version is None:
        abort(404)
    if version.decision.value != "validated" and not auth.can_act_on_quartier(projet.quartier, auth.STAFF_AND_OFFICIALS):
        abort(404)
    filename = f"projet-de-quartier-{projet.quartier.qpv_code}-v{version.number}.{fmt}"
    if fmt == "json":
        body, mimetype = exports.as_json(version), "application/json"
    elif fmt == "pdf":
        body, mimetype = exports.as_pdf(version), "application/pdf"
    else:
        body, mimetype = exports.as_docx(version), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = Response(body, mimetype=mimetype)
    disposition = "inline" if fmt == "json" else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@bp.route("/projets/<int:projet_id>/brouillon.<fmt>")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def draft_export(projet_id: int, fmt: str):
    """The projet as it stands, as PDF or DOCX marked "brouillon": nothing submitted, nothing locked."""
    projet = _projet_or_404(projet_id)
    if fmt not in ("pdf", "docx"):
        abort(404)
    snap = services.snapshot(projet)
    if fmt == "pdf":
        body, mimetype = exports.draft_pdf(snap), "application/pdf"
    else:
        body, mimetype = exports.draft_docx(snap), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = Response(body, mimetype=mimetype)
    filename = f"projet-de-quartier-{projet.quartier.qpv_code}-brouillon.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- aggregation (staff and officials of the quartier) ---------------------------------------

@bp.route("/quartiers/<code>/priorites")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def aggregation(code: str):
    quartier = _quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF_AND_OFFICIALS)
    period = _period_arg(quartier)
    result = services.aggregate(quartier, period)
    return render_template(
        "priorities/aggregation.html", quartier=quartier, period=period, result=result,
        periods=services.periods_for_quartier(quartier),
    )


@bp.route("/quartiers/<code>/priorites/themes/<int:theme_id>")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def theme_detail(code: str, theme_id: int):
    quartier = _quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF_AND_OFFICIALS)
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.contrat_id != quartier.commune.contrat_id:
        abort(404)
    period = _period_arg(quartier)
    result = services.aggregate(quartier, period)
    return render_template(
        "priorities/theme.html", quartier=quartier, period=period, theme=theme, result=result,
        score=result.ranking.get(theme_id), contributions=services.drill_down(quartier, period, theme_id),
    )


@bp.route("/quartiers/<code>/priorites/representativite")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def representativeness(code: str):
    quartier = _quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF_AND_OFFICIALS)
    period = _period_arg(quartier)
    result = services.aggregate(quartier, period)
    return render_template(
        "priorities/representativeness.html", quartier=quartier, period=period, result=result,
        profile=services.participant_profile(result), population=services.population_bands(quartier.id),
        periods=services.periods_for_quartier(quartier),
    )


@bp.route("/quartiers/<code>/priorites/evolution")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def evolution(code: str):
    quartier = _quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF_AND_OFFICIALS)
    return render_template("priorities/evolution.html", quartier=quartier, results=services.compare_periods(quartier))


@bp.route("/quartiers/<code>/population", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def population(code: str):
    quartier = _quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    current = services.population_bands(quartier.id)
    form = PopulationForm()
    if request.method == "GET":
        for dimension, key, name in POPULATION_FIELDS:
            form[name].data = current.get(dimension, {}).get(key)
    if form.validate_on_submit():
        for dimension, counts in form.counts().items():  # a refusal is rendered by web.py, nothing stored
            services.set_population_bands(quartier, dimension, counts)
        flash(_("La population de référence a été enregistrée."), "success")
        return redirect(url_for("priorities.representativeness", code=quartier.qpv_code))
    return render_template("priorities/population.html", quartier=quartier, form=form), (400 if form.is_submitted() else 200)


@bp.route("/contrats/<int:contrat_id>/priorites")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def contrat_compare(contrat_id: int):
    contrat = db.get_or_404(ContratDeVille, contrat_id)
    auth.require_contrat(contrat, auth.STAFF_AND_OFFICIALS)
    periods = services.periods_for_contrat(contrat.id)
    raw = request.args.get("periode")
    period_id = parse_int(raw)
    if raw and period_id is None:
        abort(404)
    period = next((p for p in periods if p.id == period_id), None) if period_id else (periods[0] if periods else None)
    if period_id and period is None:
        abort(404)
    # Only the reader's quartiers are aggregated: the others are neither shown nor computed.
    visible = [q for q in services.contrat_quartiers(contrat.id) if current_user.covers_quartier(q)]
    results = services.compare_quartiers(contrat, period, visible)
    return render_template("priorities/compare.html", contrat=contrat, period=period, periods=periods, results=results)


# --- administration of a contrat: periods and weights ----------------------------------------

@bp.route("/contrats/<int:contrat_id>/concertations", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def periods(contrat_id: int):
    contrat = db.get_or_404(ContratDeVille, contrat_id)
    auth.require_contrat(contrat, auth.ADMIN_ONLY, whole=True)
    form = PeriodForm()
    form.quartier_id.choices = choices(
        [(0, _("Tout le contrat de ville"))] + [(q.id, q.name) for q in services.contrat_quartiers(contrat.id)]
    )
    if form.validate_on_submit():
        quartier = db.session.get(Quartier, form.quartier_id.data) if form.quartier_id.data else None
        try:
            services.create_period(contrat, name=form.name.data, starts_on=form.starts_on.data,
                                   ends_on=form.ends_on.data, quartier=quartier)
        except services.PrioritiesError as error:
            form.name.errors.append(error.message)
        else:
            flash(_("La concertation a été créée."), "success")
            return redirect(url_for("priorities.periods", contrat_id=contrat.id))
    return render_template("priorities/periods.html", contrat=contrat, form=form,
                           periods=services.periods_for_contrat(contrat.id)), (400 if form.is_submitted() else 200)


@bp.route("/contrats/<int:contrat_id>/ponderations", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def weights(contrat_id: int):
    contrat = db.get_or_404(ContratDeVille, contrat_id)
    auth.require_contrat(contrat, auth.ADMIN_ONLY, whole=True)
    sources = services.known_sources(contrat.id)
    current = services.weights_for(contrat.id)
    form = CsrfOnlyForm()
    values = {s: request.form.get(f"weight-{s}", "") if request.method == "POST" else _fmt(current.get(s, 1)) for s in sources}
    error = error_source = None
    if form.validate_on_submit():
        try:
            parsed = {s: v.strip().replace(",", ".") for s, v in values.items()}
            services.set_weights(contrat, parsed)
        except services.PrioritiesError as exc:
            error, error_source = exc.message, exc.details.get("source")
        else:
            flash(_("Les poids des sources ont été enregistrés."), "success")
            return redirect(url_for("priorities.weights", contrat_id=contrat.id))
    elif form.is_submitted():
        error = _("Le formulaire a expiré. Rechargez la page et réessayez.")
    return render_template(
        "priorities/weights.html", contrat=contrat, sources=sources, values=values, form=form,
        error=error, error_source=error_source,
    ), (400 if error else 200)


def _fmt(value: float) -> str:
    return f"{value:g}"


# --- officials' dashboard --------------------------------------------------------------------

@bp.route("/tableau-de-bord")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def dashboard():
    return render_template("priorities/dashboard.html", rows=dashboard_queries.dashboard(current_user))


# --- projet de quartier ---------------------------------------------------------------------

@bp.route("/quartiers/<code>/projet-de-quartier")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def projets(code: str):
    quartier = _quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF_AND_OFFICIALS)
    return render_template("priorities/projets.html", quartier=quartier, projets=services.projets_for_quartier(quartier.id),
                           periods=services.periods_for_quartier(quartier))


@bp.route("/quartiers/<code>/projet-de-quartier/nouveau", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def projet_new(code: str):
    quartier = _quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    periods = services.periods_for_quartier(quartier)
    form = ProjetNewForm()
    form.period_id.choices = choices([(p.id, p.name) for p in periods])
    period = _period_arg(quartier) if request.method == "GET" else next((p for p in periods if p.id == form.period_id.data), None)
    if period is not None and request.method == "GET":
        form.period_id.data = period.id
    result = services.aggregate(quartier, period) if period is not None else None
    ranked = result.rows if result else []
    form.themes.choices = choices([(score.theme_id, theme.label if theme else str(score.theme_id)) for score, theme in ranked])
    if request.method == "GET":
        form.themes.data = [score.theme_id for score, _theme in ranked if score.heard][:5]
        form.title.data = _("Projet de quartier — %(name)s", name=quartier.name)
    if period is not None and form.validate_on_submit():
        try:
            projet = services.create_projet(quartier, period, title=form.title.data, theme_ids=form.themes.data)
        except services.PrioritiesError as error:
            form.themes.errors.append(error.message)
        else:
            flash(_("Le brouillon du projet de quartier a été créé."), "success")
            return redirect(url_for("priorities.projet", projet_id=projet.id))
    return render_template("priorities/projet_new.html", quartier=quartier, form=form, period=period,
                           ranked=ranked, periods=periods), (400 if form.is_submitted() else 200)


def _render_projet(projet: ProjetDeQuartier, errors: list[str] | None = None, proposal_form=None):
    editable = projet.editable and auth.can_act_on_quartier(projet.quartier, auth.STAFF)
    is_official = auth.can_act_on_quartier(projet.quartier, auth.OFFICIALS)
    comment_form = CommentForm(prefix="comment")
    comment_form.target.choices = choices(_targets(projet))
    contributions = {}
    if editable:
        for priority in projet.priorities:
            if priority.theme_id:
                contributions[priority.id] = services.drill_down(projet.quartier, projet.period, priority.theme_id, limit=15)
    return render_template(
        "priorities/projet.html", projet=projet, quartier=projet.quartier, editable=editable,
        is_official=is_official, is_staff=auth.can_act_on_quartier(projet.quartier, auth.STAFF),
        comments=services.comments_for(projet.id), comment_form=comment_form,
        projet_form=ProjetForm(obj=projet), proposal_form=proposal_form or ProposalLinkForm(formdata=None, prefix="proposal"),
        changes_form=ChangesForm(formdata=None, prefix="changes"), validate_form=ValidateForm(formdata=None, prefix="validation"),
        contributions=contributions, errors=errors or [],
        themes=territory.active_themes(projet.quartier.commune.contrat_id),
    )


def _targets(projet: ProjetDeQuartier) -> list[tuple[str, str]]:
    targets = [("projet", _("Le projet dans son ensemble"))]
    for priority in projet.priorities:
        targets.append((f"priority:{priority.id}", priority.title))
        for s in priority.strategic:
            targets.append((f"strategic:{s.id}", "— " + s.title))
            for o in s.operational:
                targets.append((f"operational:{o.id}", "—— " + o.title))
    return targets


@bp.route("/projets/<int:projet_id>")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def projet(projet_id: int):
    return _render_projet(_projet_or_404(projet_id))


@bp.route("/projets/<int:projet_id>/modifier", methods=["POST"])
@auth.roles(auth.STAFF)
def projet_edit(projet_id: int):
    projet = _projet_or_404(projet_id, auth.STAFF)
    form = ProjetForm()
    if not form.validate_on_submit():
        return _render_projet(projet, _form_errors(form)), 400
    try:
        services.update_item(projet, projet, title=form.title.data, introduction=form.introduction.data or "")
    except services.PrioritiesError as error:
        return _refused(error, projet)
    flash(_("Le projet a été modifié."), "success")
    return _back(projet)


def _item(projet: ProjetDeQuartier, kind: str, item_id: int):
    model = {"priorites": PriorityTheme, "objectifs": StrategicObjective, "actions": OperationalObjective}.get(kind)
    item = db.session.get(model, item_id) if model else None
    if item is None or services.projet_of(item).id != projet.id:
        abort(404)
    return item


@bp.route("/projets/<int:projet_id>/ajouter", methods=["POST"])
@auth.roles(auth.STAFF)
def item_add(projet_id: int):
    """Adds a priority theme (no parent), a strategic objective (parent: a priority) or an
    operational objective (parent: a strategic objective)."""
    projet = _projet_or_404(projet_id, auth.STAFF)
    form = ItemForm()
    level = request.form.get("level", "")
    parent_id = parse_int(request.form.get("parent_id"))
    if level not in ("priority", "strategic", "operational"):
        abort(400, _("Élément inconnu."))
    if not form.validate_on_submit():
        return _render_projet(projet, _form_errors(form)), 400
    try:
        if level == "priority":
            theme_id = parse_int(request.form.get("theme_id")) or None
            item = services.add_priority(projet, title=form.title.data, theme_id=theme_id)
            anchor = f"priorite-{item.id}"
        elif level == "strategic":
            parent = _item(projet, "priorites", parent_id or 0)
            item = services.add_strategic(parent, title=form.title.data)
            anchor = f"objectif-{item.id}"
        else:
            parent = _item(projet, "objectifs", parent_id or 0)
            item = services.add_operational(parent, title=form.title.data, description=form.description.data or "")
            anchor = f"action-{item.id}"
    except services.PrioritiesError as error:
        return _refused(error, projet)
    flash(_("« %(title)s » a été ajouté.", title=form.title.data), "success")
    return _back(projet, anchor)


@bp.route("/projets/<int:projet_id>/<kind>/<int:item_id>", methods=["POST"])
@auth.roles(auth.STAFF)
def item_update(projet_id: int, kind: str, item_id: int):
    """Saves (action=save), moves (up, down) or deletes (delete) a priority, objective or action."""
    projet = _projet_or_404(projet_id, auth.STAFF)
    item = _item(projet, kind, item_id)
    action = request.form.get("action", "save")
    try:
        if action in ("up", "down"):
            if not CsrfOnlyForm().validate_on_submit():
                abort(400, _("Le formulaire a expiré. Rechargez la page et réessayez."))
            services.move_item(item, projet, -1 if action == "up" else 1)
            return _back(projet)
        if action == "delete":
            if not CsrfOnlyForm().validate_on_submit():
                abort(400, _("Le formulaire a expiré. Rechargez la page et réessayez."))
            services.delete_item(item, projet)
            flash(_("« %(title)s » a été supprimé.", title=item.title), "success")
            return _back(projet)
        form = ItemForm()
        if not form.validate_on_submit():
            return _render_projet(projet, _form_errors(form)), 400
        values = {"title": form.title.data}
        if isinstance(item, OperationalObjective):
            values["description"] = form.description.data or ""
        if isinstance(item, PriorityTheme):
            values["evidence_summary"] = form.evidence_summary.data or ""
        services.update_item(item, projet, **values)
    except services.PrioritiesError as error:
        return _refused(error, projet)
    flash(_("« %(title)s » a été enregistré.", title=item.title), "success")
    return _back(projet)


def _objective_from(projet: ProjetDeQuartier, value: str):
    kind, _sep, raw_id = (value or "").partition(":")
    item_id = parse_int(raw_id)
    if kind not in ("strategic", "operational") or item_id is None:
        abort(400, _("Choisissez un objectif."))
    return _item(projet, "objectifs" if kind == "strategic" else "actions", item_id)


@bp.route("/projets/<int:projet_id>/liens", methods=["POST"])
@auth.roles(auth.STAFF)
def link_add(projet_id: int):
    """Links an objective to a theme's evidence, a contribution, or a proposal (retained)."""
    projet = _projet_or_404(projet_id, auth.STAFF)
    kind = request.form.get("kind", "")
    if kind == "proposal":
        form = ProposalLinkForm(prefix="proposal")
        if not form.validate_on_submit():
            return _render_projet(projet, _form_errors(form), proposal_form=form), 400
    elif not CsrfOnlyForm().validate_on_submit():
        abort(400, _("Le formulaire a expiré. Rechargez la page et réessayez."))
    objective = _objective_from(projet, request.form.get("objective", ""))
    try:
        if kind == "proposal":
            services.link_proposal(objective, proposal_id=form.proposal_id.data, answer=form.answer.data, actor=current_user)
        elif kind == "theme":
            services.link_theme(objective, theme_id=parse_int(request.form.get("theme_id"), 0))
        elif kind == "contribution":
            source, ckind, ref_id, theme_id = (request.form.get("contribution", "").split("|") + ["", "", "", ""])[:4]
            ref_number, theme_number = parse_int(ref_id), parse_int(theme_id)
            if ref_number is None or theme_number is None:
                abort(400, _("Choisissez une contribution."))
            services.link_contribution(objective, source=source, kind=ckind, ref_id=ref_number, theme_id=theme_number)
        else:
            abort(400, _("Élément inconnu."))
    except services.PrioritiesError as error:
        return _refused(error, projet, proposal_form=form if kind == "proposal" else None)
    flash(_("Le lien a été ajouté."), "success")
    return _back(projet)


@bp.route("/projets/<int:projet_id>/liens/<int:link_id>/supprimer", methods=["POST"])
@auth.roles(auth.STAFF)
def link_delete(projet_id: int, link_id: int):
    projet = _projet_or_404(projet_id, auth.STAFF)
    link = db.session.get(ObjectiveLink, link_id)
    if link is None or services.projet_of(link).id != projet.id:
        abort(404)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400, _("Le formulaire a expiré. Rechargez la page et réessayez."))
    try:
        services.delete_item(link, projet)
    except services.PrioritiesError as error:
        return _refused(error, projet)
    flash(_("Le lien a été retiré."), "success")
    return _back(projet)


# --- workflow -------------------------------------------------------------------------------

def _transition(projet: ProjetDeQuartier, operation, message: str):
    if not CsrfOnlyForm().validate_on_submit():
        abort(400, _("Le formulaire a expiré. Rechargez la page et réessayez."))
    try:
        operation()
    except services.PrioritiesError as error:
        return _refused(error, projet)
    flash(message, "success")
    return _back(projet)


@bp.route("/projets/<int:projet_id>/soumettre", methods=["POST"])
@auth.roles(auth.STAFF)
def submit(projet_id: int):
    projet = _projet_or_404(projet_id, auth.STAFF)
    return _transition(projet, lambda: services.submit(projet, current_user),
                       _("Le projet a été soumis au comité technique. Une version a été enregistrée."))


@bp.route("/projets/<int:projet_id>/transmettre", methods=["POST"])
@auth.roles(auth.STAFF_AND_OFFICIALS)
def forward(projet_id: int):
    projet = _projet_or_404(projet_id, auth.STAFF_AND_OFFICIALS)
    return _transition(projet, lambda: services.forward_to_pilotage(projet, current_user),
                       _("Le projet a été transmis au comité de pilotage."))


@bp.route("/projets/<int:projet_id>/reviser", methods=["POST"])
@auth.roles(auth.STAFF)
def reopen(projet_id: int):
    projet = _projet_or_404(projet_id, auth.STAFF)
    return _transition(projet, lambda: services.reopen(projet),
                       _("Un nouveau brouillon est ouvert ; la version validée reste publiée."))


@bp.route("/projets/<int:projet_id>/demander-des-modifications", methods=["POST"])
@auth.roles(auth.OFFICIALS)
def request_changes(projet_id: int):
    projet = _projet_or_404(projet_id, auth.OFFICIALS)
    form = ChangesForm(prefix="changes")
    if not form.validate_on_submit():
        return _render_projet(projet, _form_errors(form)), 400
    try:
        services.request_changes(projet, current_user, body=form.body.data)
    except services.PrioritiesError as error:
        return _refused(error, projet)
    flash(_("Le projet est renvoyé en brouillon avec vos demandes de modification."), "success")
    return _back(projet)


@bp.route("/projets/<int:projet_id>/valider", methods=["GET", "POST"])
@auth.roles(auth.OFFICIALS)
def validate(projet_id: int):
    """GET: what validating will do, and the meeting date; POST: validates and publishes. A
    confirmation that needs no JavaScript."""
    projet = _projet_or_404(projet_id, auth.OFFICIALS)
    form = ValidateForm(prefix="validation")
    if request.method == "GET" or not form.validate_on_submit():
        pending = projet.latest_version
        if projet.state is not ProjetState.SUBMITTED_PILOTAGE or pending is None:
            return _render_projet(projet, [str(services.NOT_SUBMITTED)]), 409
        return render_template("priorities/validate_confirm.html", projet=projet, quartier=projet.quartier,
                               version=pending, form=form), (400 if form.is_submitted() else 200)
    try:
        version = services.validate(projet, current_user, meeting_on=form.meeting_on.data,
                                    version_number=parse_int(request.form.get("version")))
    except services.PrioritiesError as error:
        return _refused(error, projet)
    flash(_("La version %(n)s est validée : elle est publiée sur la page du quartier.", n=version.number), "success")
    return _back(projet)


@bp.route("/projets/<int:projet_id>/commentaires", methods=["POST"])
@auth.roles(auth.OFFICIALS)
def comment(projet_id: int):
    projet = _projet_or_404(projet_id, auth.OFFICIALS)
    form = CommentForm(prefix="comment")
    form.target.choices = choices(_targets(projet))
    if not form.validate_on_submit():
        return _render_projet(projet, _form_errors(form)), 400
    kind, _sep, raw_id = form.target.data.partition(":")
    try:
        services.comment(projet, current_user, body=form.body.data, target_kind=kind,
                         target_id=parse_int(raw_id))
    except services.PrioritiesError as error:
        return _refused(error, projet)
    flash(_("Votre commentaire a été ajouté."), "success")
    return _back(projet, "commentaires")


@bp.route("/projets/<int:projet_id>/versions/<int:number>")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def version(projet_id: int, number: int):
    projet = _projet_or_404(projet_id)
    found = versions.version_of(projet, number)
    if found is None:
        abort(404)
    previous = versions.version_of(projet, number - 1)
    return render_template("priorities/version.html", projet=projet, quartier=projet.quartier, version=found,
                           diff=versions.diff(previous.snapshot, found.snapshot) if previous else None,
                           previous=previous)


@bp.route("/projets/<int:projet_id>/comparer")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def diff(projet_id: int):
    projet = _projet_or_404(projet_id)
    numbers = [v.number for v in projet.versions]
    old_n = parse_int(request.args.get("de")) or (numbers[-2] if len(numbers) > 1 else None)
    new_n = parse_int(request.args.get("a")) or (numbers[-1] if numbers else None)
    old, new = versions.version_of(projet, old_n or 0), versions.version_of(projet, new_n or 0)
    if request.args and (old is None or new is None):
        abort(404)
    result = versions.diff(old.snapshot, new.snapshot) if old and new else None
    return render_template("priorities/diff.html", projet=projet, quartier=projet.quartier, old=old, new=new,
                           result=result, numbers=numbers)


# --- the quartier page --------------------------------------------------------------------

def quartier_section(quartier: Quartier):
    """« Vous avez dit, nous avons retenu »: the validated projet, from its immutable version."""
    from participation.quartiers.services import QuartierSection

    validated = services.validated_projets(quartier.id)
    if not validated:
        return None
    projet, version = validated[0]
    return QuartierSection(
        template="priorities/_quartier_section.html",
        context={"restitution": version.snapshot, "restitution_version": version, "restitution_projet": projet,
                 "proposal_outcomes": services.proposal_outcomes(quartier.id)},
        order=50,
    )


def staff_section(quartier: Quartier):
    """For facilitators and officials of the quartier: the way to its priorities and projet."""
    from participation.quartiers.services import QuartierSection

    if not auth.can_act_on_quartier(quartier, auth.STAFF_AND_OFFICIALS):
        return None
    return QuartierSection(template="priorities/_quartier_staff.html", context={}, order=90)
