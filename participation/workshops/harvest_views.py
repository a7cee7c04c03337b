"""Routes of the workshops domain for what comes out of a workshop: walk observations and photos,
the harvest of notes (edit, flag, promote, merge)."""
from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from participation import auth
from participation.confirmation import confirmation, confirmed
from participation.extensions import db
from participation.forms import choices
from participation.params import parse_int
from participation.proposals.services import NoteSource
from participation.workshops import public, walks
from participation.workshops import harvesting, live_capture, queries
from participation.workshops.errors import WorkshopError, merged_error
from participation.workshops.blueprint import (
    CAPTURE, bp, form_status, question_choices, theme_choices, workshop_or_404,
)
from participation.workshops.forms import NoteEditForm, ObservationForm
from participation.workshops.models import Workshop, WorkshopNote


# --- diagnostic en marchant ----------------------------------------------------------------

def _observation_form(workshop: Workshop) -> ObservationForm:
    form = ObservationForm()
    form.stop_id.choices = choices([(0, _("— hors étape —"))] + [(s.id, f"{s.position}. {s.name}") for s in workshop.stops])
    form.theme_id.choices = theme_choices(workshop)
    return form


@bp.route("/ateliers/<int:workshop_id>/observations", methods=["GET", "POST"])
@auth.roles(CAPTURE)
def observations(workshop_id: int):
    workshop = workshop_or_404(workshop_id, CAPTURE)
    form = _observation_form(workshop)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            files = [f for f in (form.photos.data or []) if f and f.filename]
            limit = current_app.config["WORKSHOP_PHOTOS_PER_OBSERVATION"]
            try:
                if len(files) > limit:
                    raise walks.too_many_photos_error(limit)
                max_bytes = current_app.config["WORKSHOP_PHOTO_MAX_BYTES"]
                photos = [walks.clean_photo(f.read(max_bytes + 1), max_bytes) for f in files]
                walks.add_observation(
                    workshop, stop_id=form.stop_id.data or None, theme_id=form.theme_id.data,
                    text=form.text.data, latitude=form.latitude.data, longitude=form.longitude.data,
                    photos=photos, author=current_user, upload_dir=_upload_dir(),
                )
            except WorkshopError as error:
                status, message = error.status, error.message
                field = form.photos if error.code.startswith(("photo", "too_many")) else (
                    form.latitude if error.code.startswith("position") else form.text)
                field.errors = list(field.errors) + [message]
            else:
                flash(_("Observation enregistrée."), "success")
                return redirect(url_for("workshops.observations", workshop_id=workshop.id, _anchor="observation-form"))
        else:
            status = 400
    return render_template(
        "workshops/observations.html", workshop=workshop, form=form,
        observations=queries.observations_of(workshop),
    ), status


def _upload_dir() -> Path:
    return Path(current_app.config["WORKSHOP_UPLOAD_FOLDER"])


@bp.route("/ateliers/<int:workshop_id>/photos/<int:photo_id>")
@auth.roles(CAPTURE)
def photo(workshop_id: int, photo_id: int):
    workshop = workshop_or_404(workshop_id, CAPTURE)
    found = walks.photo_of(workshop, photo_id)
    if found is None:
        abort(404)
    path = _upload_dir() / found.filename
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=found.content_type, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- harvest -------------------------------------------------------------------------------

@bp.route("/ateliers/<int:workshop_id>/recolte")
@auth.roles(auth.STAFF)
def harvest(workshop_id: int):
    workshop = workshop_or_404(workshop_id)
    return render_template(
        "workshops/harvest.html", workshop=workshop, harvest=harvesting.harvest(workshop),
        absorbed=harvesting.absorbed_ids(workshop),
        total=live_capture.note_count(workshop, include_merged=False),
    )


def _note(workshop: Workshop, note_id: int):
    note = harvesting.note_of(workshop, note_id)
    if note is None:
        abort(404)
    return note


@bp.route("/ateliers/<int:workshop_id>/notes/<int:note_id>/modifier", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def note_edit(workshop_id: int, note_id: int):
    workshop = workshop_or_404(workshop_id)
    note = _note(workshop, note_id)
    form = NoteEditForm(obj=note)
    form.theme_id.choices = theme_choices(workshop)
    form.question_id.choices = question_choices(workshop)
    if request.method == "GET":
        form.question_id.data = note.question_id or 0
    if note.merged_into_id is not None:
        if request.method == "POST":
            raise merged_error()
    elif form.validate_on_submit():
        harvesting.edit_note(
            note, text=form.text.data, theme_id=form.theme_id.data, question_id=form.question_id.data or None,
            dot_votes=form.dot_votes.data, to_propose=form.to_propose.data,
        )
        flash(_("La note a été modifiée ; l'original reste dans le journal des modifications."), "success")
        return redirect(url_for("workshops.harvest", workshop_id=workshop.id, _anchor=f"note-{note.id}"))
    return render_template("workshops/note_edit.html", workshop=workshop, note=note, form=form), form_status(form)


@bp.route("/ateliers/<int:workshop_id>/notes/<int:note_id>/a-proposer", methods=["POST"])
@auth.roles(auth.STAFF)
def note_flag(workshop_id: int, note_id: int):
    workshop = workshop_or_404(workshop_id)
    note = _note(workshop, note_id)
    harvesting.set_to_propose(note, request.form.get("flag") == "1")
    return redirect(url_for("workshops.harvest", workshop_id=workshop.id, _anchor=f"note-{note.id}"))


@bp.route("/ateliers/<int:workshop_id>/notes/<int:note_id>/proposer", methods=["POST"])
@auth.roles(auth.STAFF)
def note_promote(workshop_id: int, note_id: int):
    workshop = workshop_or_404(workshop_id)
    note = _note(workshop, note_id)
    proposal, created = harvesting.promote_note(note, current_user)
    if created:
        flash(_("La note est devenue la proposition n°%(id)d : les habitants peuvent la voir et voter.", id=proposal.id), "success")
    else:
        flash(_("Cette note est déjà la proposition n°%(id)d.", id=proposal.id), "info")
    return redirect(url_for("workshops.harvest", workshop_id=workshop.id, _anchor=f"note-{note.id}"))


def note_source(note_id: int, staff: bool):
    """For the proposal page: the note's workshop, with its harvest (staff) or published compte-rendu."""
    note = db.session.get(WorkshopNote, note_id)
    if note is None:
        return None
    workshop = note.workshop
    if staff:
        anchor = f"note-{note.merged_into_id or note.id}"
        return NoteSource(workshop.title, url_for("workshops.harvest", workshop_id=workshop.id, _anchor=anchor))
    report = public.latest_published_report(workshop.id)
    return NoteSource(workshop.title, url_for("workshops.public_report", report_id=report.id) if report else None)


@bp.route("/ateliers/<int:workshop_id>/fusion", methods=["POST"])
@auth.roles(auth.STAFF)
def merge(workshop_id: int):
    workshop = workshop_or_404(workshop_id)
    ids = [i for i in (parse_int(value) for value in request.form.getlist("note")) if i is not None]
    target_id = parse_int(request.form.get("target"))
    if not confirmed():
        target, notes = harvesting.notes_to_merge(workshop, target_id, ids)
        return confirmation(
            title=ngettext("Fusionner %(num)d note ?", "Fusionner %(num)d notes ?", len(notes)),
            message=_("Ces notes deviendront la note n°%(id)d, avec %(dots)s. Une fusion ne se défait pas.",
                      id=target.id, dots=ngettext("%(num)d gommette", "%(num)d gommettes",
                                                   sum(n.dot_votes for n in notes))),
            items=[note.text for note in notes],
            fields=[("note", note.id) for note in notes] + [("target", target.id)],
            confirm_label=_("Confirmer la fusion"),
            back_url=url_for("workshops.harvest", workshop_id=workshop.id, _anchor=f"note-{target.id}"),
        )
    merged = harvesting.merge_notes(workshop, target_id, ids)
    flash(_("Les notes ont été fusionnées : les gommettes sont additionnées."), "success")
    return redirect(url_for("workshops.harvest", workshop_id=workshop.id, _anchor=f"note-{merged.id}"))
