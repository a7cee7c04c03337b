"""Routes of the projet de quartier being written: its page, priorities, objectives and links."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from participation import auth
from participation.extensions import db
from participation.forms import choices
from participation.params import parse_int
from participation.priorities import aggregation as aggregations, projet as projet_ops, services, workflow
from participation.priorities.blueprint import (
    PROPOSAL_STATE_LABELS, back, bp, form_errors, period_arg, projet_or_404, quartier_or_404,
)
from participation.priorities.errors import PrioritiesError
from participation.priorities.forms import (
    ChangesForm, CommentForm, CsrfOnlyForm, ItemForm, ProjetForm, ProjetNewForm, ProposalLinkForm,
    ValidateForm,
)
from participation.priorities.models import (
    ObjectiveLink, OperationalObjective, PriorityTheme, ProjetDeQuartier, StrategicObjective,
)
from participation.quartiers import services as territory


def refused(error: PrioritiesError, projet: ProjetDeQuartier, **forms):
    """A refused operation on a projet: its page again, with the reason and the error's status
    (the request then rolls back: nothing is stored); `forms` keep what was typed in them."""
    return render_projet(projet, errors=[error.message], **forms), error.status


# --- projet de quartier ---------------------------------------------------------------------

@bp.route("/quartiers/<code>/projet-de-quartier")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def projets(code: str):
    quartier = quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF_AND_OFFICIALS)
    return render_template("priorities/projets.html", quartier=quartier, projets=projet_ops.projets_for_quartier(quartier.id),
                           periods=aggregations.periods_for_quartier(quartier))


@bp.route("/quartiers/<code>/projet-de-quartier/nouveau", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def projet_new(code: str):
    quartier = quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    periods = aggregations.periods_for_quartier(quartier)
    form = ProjetNewForm()
    form.period_id.choices = choices([(p.id, p.name) for p in periods])
    period = period_arg(quartier) if request.method == "GET" else next((p for p in periods if p.id == form.period_id.data), None)
    if period is not None and request.method == "GET":
        form.period_id.data = period.id
    result = aggregations.aggregate(quartier, period) if period is not None else None
    ranked = result.rows if result else []
    form.themes.choices = choices([(score.theme_id, theme.label if theme else str(score.theme_id)) for score, theme in ranked])
    if request.method == "GET":
        form.themes.data = [score.theme_id for score, _theme in ranked if score.heard][:5]
        form.title.data = _("Projet de quartier — %(name)s", name=quartier.name)
    if period is not None and form.validate_on_submit():
        try:
            projet = projet_ops.create_projet(quartier, period, title=form.title.data, theme_ids=form.themes.data)
        except PrioritiesError as error:
            form.themes.errors.append(error.message)
        else:
            flash(_("Le brouillon du projet de quartier a été créé."), "success")
            return redirect(url_for("priorities.projet", projet_id=projet.id))
    return render_template("priorities/projet_new.html", quartier=quartier, form=form, period=period,
                           ranked=ranked, periods=periods), (400 if form.is_submitted() else 200)


def render_projet(projet: ProjetDeQuartier, errors: list[str] | None = None, proposal_form=None):
    editable = projet.editable and auth.can_act_on_quartier(projet.quartier, auth.STAFF)
    is_official = auth.can_act_on_quartier(projet.quartier, auth.OFFICIALS)
    comment_form = CommentForm(prefix="comment")
    comment_form.target.choices = choices(comment_targets(projet))
    contributions = {}
    proposal_form = proposal_form or ProposalLinkForm(formdata=None, prefix="proposal")
    proposal_form.proposal_id.choices = []
    if editable:
        proposal_form.proposal_id.choices = proposal_choices(projet)
        for priority in projet.priorities:
            if priority.theme_id:
                contributions[priority.id] = aggregations.drill_down(projet.quartier, projet.period, priority.theme_id, limit=15)
    return render_template(
        "priorities/projet.html", projet=projet, quartier=projet.quartier, editable=editable,
        is_official=is_official, is_staff=auth.can_act_on_quartier(projet.quartier, auth.STAFF),
        comments=workflow.comments_for(projet.id), comment_form=comment_form,
        projet_form=ProjetForm(obj=projet), proposal_form=proposal_form,
        changes_form=ChangesForm(formdata=None, prefix="changes"), validate_form=ValidateForm(formdata=None, prefix="validation"),
        contributions=contributions, errors=errors or [],
        themes=territory.active_themes(projet.quartier.commune.contrat_id),
    )


def proposal_choices(projet: ProjetDeQuartier) -> list:
    """The quartier's proposals an objective may retain, retained ones first, each with its state."""
    found = services.linkable_proposals(projet.quartier_id)
    if not found:
        return []
    return choices([("", _("— choisissez une proposition —"))] + [
        (str(p.id), _("%(title)s — %(state)s, n° %(number)s", title=p.title,
                      state=PROPOSAL_STATE_LABELS.get(p.state, p.state), number=p.id))
        for p in found
    ])


def comment_targets(projet: ProjetDeQuartier) -> list[tuple[str, str]]:
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
    return render_projet(projet_or_404(projet_id))


@bp.route("/projets/<int:projet_id>/modifier", methods=["POST"])
@auth.roles(auth.STAFF)
def projet_edit(projet_id: int):
    projet = projet_or_404(projet_id, auth.STAFF)
    form = ProjetForm()
    if not form.validate_on_submit():
        return render_projet(projet, form_errors(form)), 400
    try:
        projet_ops.update_item(projet, projet, title=form.title.data, introduction=form.introduction.data or "")
    except PrioritiesError as error:
        return refused(error, projet)
    flash(_("Le projet a été modifié."), "success")
    return back(projet)


def _item(projet: ProjetDeQuartier, kind: str, item_id: int):
    model = {"priorites": PriorityTheme, "objectifs": StrategicObjective, "actions": OperationalObjective}.get(kind)
    item = db.session.get(model, item_id) if model else None
    if item is None or projet_ops.projet_of(item).id != projet.id:
        abort(404)
    return item


@bp.route("/projets/<int:projet_id>/ajouter", methods=["POST"])
@auth.roles(auth.STAFF)
def item_add(projet_id: int):
    """Adds a priority theme (no parent), a strategic objective (parent: a priority) or an
    operational objective (parent: a strategic objective)."""
    projet = projet_or_404(projet_id, auth.STAFF)
    form = ItemForm()
    level = request.form.get("level", "")
    parent_id = parse_int(request.form.get("parent_id"))
    if level not in ("priority", "strategic", "operational"):
        abort(400, _("Élément inconnu."))
    if not form.validate_on_submit():
        return render_projet(projet, form_errors(form)), 400
    try:
        if level == "priority":
            theme_id = parse_int(request.form.get("theme_id")) or None
            item = projet_ops.add_priority(projet, title=form.title.data, theme_id=theme_id)
            anchor = f"priorite-{item.id}"
        elif level == "strategic":
            parent = _item(projet, "priorites", parent_id or 0)
            item = projet_ops.add_strategic(parent, title=form.title.data)
            anchor = f"objectif-{item.id}"
        else:
            parent = _item(projet, "objectifs", parent_id or 0)
            item = projet_ops.add_operational(parent, title=form.title.data, description=form.description.data or "")
            anchor = f"action-{item.id}"
    except PrioritiesError as error:
        return refused(error, projet)
    flash(_("« %(title)s » a été ajouté.", title=form.title.data), "success")
    return back(projet, anchor)


@bp.route("/projets/<int:projet_id>/<kind>/<int:item_id>", methods=["POST"])
@auth.roles(auth.STAFF)
def item_update(projet_id: int, kind: str, item_id: int):
    """Saves (action=save), moves (up, down) or deletes (delete) a priority, objective or action."""
    projet = projet_or_404(projet_id, auth.STAFF)
    item = _item(projet, kind, item_id)
    action = request.form.get("action", "save")
    try:
        if action in ("up", "down"):
            if not CsrfOnlyForm().validate_on_submit():
                abort(400, _("Le formulaire a expiré. Rechargez la page et réessayez."))
            projet_ops.move_item(item, projet, -1 if action == "up" else 1)
            return back(projet)
        if action == "delete":
            if not CsrfOnlyForm().validate_on_submit():
                abort(400, _("Le formulaire a expiré. Rechargez la page et réessayez."))
            projet_ops.delete_item(item, projet)
            flash(_("« %(title)s » a été supprimé.", title=item.title), "success")
            return back(projet)
        form = ItemForm()
        if not form.validate_on_submit():
            return render_projet(projet, form_errors(form)), 400
        values = {"title": form.title.data}
        if isinstance(item, OperationalObjective):
            values["description"] = form.description.data or ""
        if isinstance(item, PriorityTheme):
            values["evidence_summary"] = form.evidence_summary.data or ""
        projet_ops.update_item(item, projet, **values)
    except PrioritiesError as error:
        return refused(error, projet)
    flash(_("« %(title)s » a été enregistré.", title=item.title), "success")
    return back(projet)


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
    projet = projet_or_404(projet_id, auth.STAFF)
    kind = request.form.get("kind", "")
    if kind == "proposal":
        form = ProposalLinkForm(prefix="proposal")
        if not form.validate_on_submit():
            return render_projet(projet, form_errors(form), proposal_form=form), 400
    elif not CsrfOnlyForm().validate_on_submit():
        abort(400, _("Le formulaire a expiré. Rechargez la page et réessayez."))
    objective = _objective_from(projet, request.form.get("objective", ""))
    try:
        if kind == "proposal":
            services.link_proposal(objective, proposal_id=form.proposal_id.data, answer=form.answer.data, actor=current_user)
        elif kind == "theme":
            projet_ops.link_theme(objective, theme_id=parse_int(request.form.get("theme_id"), 0))
        elif kind == "contribution":
            source, ckind, ref_id, theme_id = (request.form.get("contribution", "").split("|") + ["", "", "", ""])[:4]
            ref_number, theme_number = parse_int(ref_id), parse_int(theme_id)
            if ref_number is None or theme_number is None:
                abort(400, _("Choisissez une contribution."))
            projet_ops.link_contribution(objective, source=source, kind=ckind, ref_id=ref_number, theme_id=theme_number)
        else:
            abort(400, _("Élément inconnu."))
    except PrioritiesError as error:
        return refused(error, projet, proposal_form=form if kind == "proposal" else None)
    flash(_("Le lien a été ajouté."), "success")
    return back(projet)


@bp.route("/projets/<int:projet_id>/liens/<int:link_id>/supprimer", methods=["POST"])
@auth.roles(auth.STAFF)
def link_delete(projet_id: int, link_id: int):
    projet = projet_or_404(projet_id, auth.STAFF)
    link = db.session.get(ObjectiveLink, link_id)
    if link is None or projet_ops.projet_of(link).id != projet.id:
        abort(404)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400, _("Le formulaire a expiré. Rechargez la page et réessayez."))
    try:
        projet_ops.delete_item(link, projet)
    except PrioritiesError as error:
        return refused(error, projet)
    flash(_("Le lien a été retiré."), "success")
    return back(projet)
