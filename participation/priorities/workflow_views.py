"""Routes of the projet de quartier's workflow: submission, decisions, comments, versions and their diff."""
from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from participation import auth
from participation.forms import choices
from participation.params import parse_int
from participation.priorities import versions, workflow
from participation.priorities.blueprint import back, bp, form_errors, projet_or_404
from participation.priorities.errors import PrioritiesError
from participation.priorities.forms import ChangesForm, CommentForm, CsrfOnlyForm, ValidateForm
from participation.priorities.models import ProjetDeQuartier, ProjetState
from participation.priorities.projet_views import comment_targets, refused, render_projet


# --- workflow -------------------------------------------------------------------------------

def _transition(projet: ProjetDeQuartier, operation, message: str):
    if not CsrfOnlyForm().validate_on_submit():
        abort(400, _("Le formulaire a expiré. Rechargez la page et réessayez."))
    try:
        operation()
    except PrioritiesError as error:
        return refused(error, projet)
    flash(message, "success")
    return back(projet)


@bp.route("/projets/<int:projet_id>/soumettre", methods=["POST"])
@auth.roles(auth.STAFF)
def submit(projet_id: int):
    projet = projet_or_404(projet_id, auth.STAFF)
    return _transition(projet, lambda: workflow.submit(projet, current_user),
                       _("Le projet a été soumis au comité technique. Une version a été enregistrée."))


@bp.route("/projets/<int:projet_id>/transmettre", methods=["POST"])
@auth.roles(auth.STAFF_AND_OFFICIALS)
def forward(projet_id: int):
    projet = projet_or_404(projet_id, auth.STAFF_AND_OFFICIALS)
    return _transition(projet, lambda: workflow.forward_to_pilotage(projet, current_user),
                       _("Le projet a été transmis au comité de pilotage."))


@bp.route("/projets/<int:projet_id>/reviser", methods=["POST"])
@auth.roles(auth.STAFF)
def reopen(projet_id: int):
    projet = projet_or_404(projet_id, auth.STAFF)
    return _transition(projet, lambda: workflow.reopen(projet),
                       _("Un nouveau brouillon est ouvert ; la version validée reste publiée."))


@bp.route("/projets/<int:projet_id>/demander-des-modifications", methods=["POST"])
@auth.roles(auth.OFFICIALS)
def request_changes(projet_id: int):
    projet = projet_or_404(projet_id, auth.OFFICIALS)
    form = ChangesForm(prefix="changes")
    if not form.validate_on_submit():
        return render_projet(projet, form_errors(form)), 400
    try:
        workflow.request_changes(projet, current_user, body=form.body.data)
    except PrioritiesError as error:
        return refused(error, projet)
    flash(_("Le projet est renvoyé en brouillon avec vos demandes de modification."), "success")
    return back(projet)


@bp.route("/projets/<int:projet_id>/valider", methods=["GET", "POST"])
@auth.roles(auth.OFFICIALS)
def validate(projet_id: int):
    """GET: what validating will do, and the meeting date; POST: validates and publishes. A
    confirmation that needs no JavaScript."""
    projet = projet_or_404(projet_id, auth.OFFICIALS)
    form = ValidateForm(prefix="validation")
    if request.method == "GET" or not form.validate_on_submit():
        pending = projet.latest_version
        if projet.state is not ProjetState.SUBMITTED_PILOTAGE or pending is None:
            return render_projet(projet, [str(workflow.NOT_SUBMITTED)]), 409
        return render_template("priorities/validate_confirm.html", projet=projet, quartier=projet.quartier,
                               version=pending, form=form), (400 if form.is_submitted() else 200)
    try:
        version = workflow.validate(projet, current_user, meeting_on=form.meeting_on.data,
                                    version_number=parse_int(request.form.get("version")))
    except PrioritiesError as error:
        return refused(error, projet)
    flash(_("La version %(n)s est validée : elle est publiée sur la page du quartier.", n=version.number), "success")
    return back(projet)


@bp.route("/projets/<int:projet_id>/commentaires", methods=["POST"])
@auth.roles(auth.OFFICIALS)
def comment(projet_id: int):
    projet = projet_or_404(projet_id, auth.OFFICIALS)
    form = CommentForm(prefix="comment")
    form.target.choices = choices(comment_targets(projet))
    if not form.validate_on_submit():
        return render_projet(projet, form_errors(form)), 400
    kind, _sep, raw_id = form.target.data.partition(":")
    try:
        workflow.comment(projet, current_user, body=form.body.data, target_kind=kind,
                         target_id=parse_int(raw_id))
    except PrioritiesError as error:
        return refused(error, projet)
    flash(_("Votre commentaire a été ajouté."), "success")
    return back(projet, "commentaires")


@bp.route("/projets/<int:projet_id>/versions/<int:number>")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def version(projet_id: int, number: int):
    projet = projet_or_404(projet_id)
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
    projet = projet_or_404(projet_id)
    numbers = [v.number for v in projet.versions]
    old_n = parse_int(request.args.get("de")) or (numbers[-2] if len(numbers) > 1 else None)
    new_n = parse_int(request.args.get("a")) or (numbers[-1] if numbers else None)
    old, new = versions.version_of(projet, old_n or 0), versions.version_of(projet, new_n or 0)
    if request.args and (old is None or new is None):
        abort(404)
    result = versions.diff(old.snapshot, new.snapshot) if old and new else None
    return render_template("priorities/diff.html", projet=projet, quartier=projet.quartier, old=old, new=new,
                           result=result, numbers=numbers)
