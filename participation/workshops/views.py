"""Routes of the workshops domain: setup, tables and stops, live capture. The harvest, walks and
comptes-rendus live in `harvest_views` and `report_views`, on the same blueprint."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from participation import auth
from participation.confirmation import confirmation, confirmed
from participation.accounts.models import Role, User
from participation.accounts.services import quartiers_in_scope
from participation.extensions import db
from participation.forms import choices
from participation.params import parse_int
from participation.workshops import harvest_views, report_views, times
from participation.workshops import live_capture, public, queries, setup
from participation.workshops.errors import WorkshopError, closed_error
from participation.workshops.blueprint import (
    CAPTURE, bp, form_status, local_datetime, question_choices, question_text,
    quartier_or_404, stored_question, theme_choices, workshop_or_404, zone_of,
)
from participation.workshops.blueprint import table_form as blueprint_table_form
from participation.workshops.forms import (
    ATTENDANCE_LABELS, CaptureChoiceForm, CopyForm, NoteForm, QuestionsForm, StopForm, TableForm, WorkshopForm,
)
from participation.workshops.models import WalkStop, Workshop, WorkshopFormat, WorkshopTable

__all__ = ["bp"]


# --- setup ---------------------------------------------------------------------------------

@bp.route("/quartiers/<code>/ateliers")
@auth.roles(auth.STAFF)
def index(code: str):
    quartier = quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    workshops = queries.workshops_of(quartier)
    return render_template(
        "workshops/index.html", quartier=quartier, workshops=workshops,
        note_counts=queries.status_counts(workshops),
    )


def _workshop_form(quartier, workshop: Workshop | None = None) -> WorkshopForm:
    form = WorkshopForm(obj=workshop)
    form.facilitators.choices = choices((u.id, u.display_name) for u in queries.facilitator_candidates(quartier))
    if request.method == "GET":
        if workshop is not None:
            form.format.data = workshop.format.value
            form.starts_at.data = times.to_local(workshop.starts_at, workshop.timezone)
            form.ends_at.data = times.to_local(workshop.ends_at, workshop.timezone)
            form.facilitators.data = [u.id for u in workshop.facilitators]
        elif current_user.role is Role.FACILITATOR:
            form.facilitators.data = [current_user.id]
    return form


def _workshop_values(form: WorkshopForm, zone: str) -> dict:
    """The form's values; its times are typed in the contrat's local time (`zone`)."""
    values = {
        "title": form.title.data, "format": WorkshopFormat(form.format.data),
        "starts_at": times.to_utc(form.starts_at.data, zone), "ends_at": times.to_utc(form.ends_at.data, zone),
        "place": form.place.data or "", "neutral_facilitator": form.neutral_facilitator.data or "",
        "rounds": form.rounds.data, "plenary_summary": form.plenary_summary.data or "",
        "is_template": form.is_template.data, "attendance_total": form.attendance_total.data,
    }
    for key in ATTENDANCE_LABELS:
        values[f"attendance_{key}"] = getattr(form, f"attendance_{key}").data
    return values


def _chosen_facilitators(form: WorkshopForm) -> list[User]:
    ids = set(form.facilitators.data or [])  # validated against the candidates of the quartier
    return [db.session.get(User, user_id) for user_id in sorted(ids)]


@bp.route("/quartiers/<code>/ateliers/nouveau", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def new(code: str):
    quartier = quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    form = _workshop_form(quartier)
    copy_form = _copy_form(quartier)
    if form.validate_on_submit():
        try:
            workshop = setup.create_workshop(
                quartier, created_by=current_user, facilitators=_chosen_facilitators(form),
                **_workshop_values(form, zone_of(quartier))
            )
        except WorkshopError as error:
            form.title.errors.append(error.message)
        else:
            flash(_("L'atelier a été créé avec les trois questions du world café."), "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id))
    return render_template("workshops/form.html", form=form, copy_form=copy_form, quartier=quartier, workshop=None), form_status(form)


def _copy_form(quartier) -> CopyForm:
    form = CopyForm(prefix="copy")
    sources = queries.copy_sources(quartier)
    form.source.choices = choices(
        (w.id, (_("Modèle : %(title)s", title=w.title) if w.is_template else f"{w.title} ({local_datetime(w.starts_at, 'short', w.timezone)})"))
        for w in sources
    )
    return form


@bp.route("/quartiers/<code>/ateliers/copier", methods=["POST"])
@auth.roles(auth.STAFF)
def copy(code: str):
    quartier = quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    copy_form = _copy_form(quartier)
    if copy_form.validate_on_submit():
        source = db.session.get(Workshop, copy_form.source.data)
        workshop = setup.copy_workshop(
            source, quartier, starts_at=times.to_utc(copy_form.starts_at.data, zone_of(quartier)), title=copy_form.title.data or None,
            created_by=current_user, is_template=copy_form.is_template.data,
        )
        flash(_("L'atelier a été copié : vérifiez le lieu, les animateurs et les tables."), "success")
        return redirect(url_for("workshops.show", workshop_id=workshop.id))
    form = _workshop_form(quartier)
    return render_template("workshops/form.html", form=form, copy_form=copy_form, quartier=quartier, workshop=None), 400


def _show_page(workshop: Workshop, table_form: TableForm | None = None, questions_form: QuestionsForm | None = None):
    return render_template(
        "workshops/show.html", workshop=workshop, quartier=workshop.quartier,
        table_form=table_form or blueprint_table_form(workshop), stop_form=StopForm(prefix="stop"),
        questions_form=questions_form or QuestionsForm(
            questions="\n".join(question_text(q.text) for q in workshop.questions)),
        note_count=live_capture.note_count(workshop),
    )


@bp.route("/ateliers/<int:workshop_id>")
@auth.roles(auth.STAFF)
def show(workshop_id: int):
    return _show_page(workshop_or_404(workshop_id))


@bp.route("/ateliers/<int:workshop_id>/modifier", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def edit(workshop_id: int):
    workshop = workshop_or_404(workshop_id)
    form = _workshop_form(workshop.quartier, workshop)
    if form.validate_on_submit():
        try:
            setup.update_workshop(workshop, facilitators=_chosen_facilitators(form),
                                    **_workshop_values(form, workshop.timezone))
        except WorkshopError as error:
            form.rounds.errors.append(error.message)
        else:
            flash(_("L'atelier a été modifié."), "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id))
    return render_template("workshops/form.html", form=form, copy_form=None, quartier=workshop.quartier, workshop=workshop), form_status(form)


@bp.route("/ateliers/<int:workshop_id>/questions", methods=["POST"])
@auth.roles(auth.STAFF)
def questions(workshop_id: int):
    workshop = workshop_or_404(workshop_id)
    form = QuestionsForm()
    if not form.validate_on_submit():
        abort(400, " ".join(map(str, form.questions.errors)) or _("Indiquez au moins une question."))
    setup.set_questions(workshop, [stored_question(line) for line in form.questions.data.splitlines()])
    flash(_("Les questions ont été enregistrées."), "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id, _anchor="questions"))


@bp.route("/ateliers/<int:workshop_id>/tables", methods=["POST"])
@auth.roles(auth.STAFF)
def table_add(workshop_id: int):
    workshop = workshop_or_404(workshop_id)
    form = blueprint_table_form(workshop)
    if form.validate_on_submit():
        try:
            setup.add_table(
                workshop, theme_id=form.theme_id.data,
                host=db.session.get(User, form.host_id.data) if form.host_id.data else None,
                host_name=form.host_name.data or "",
            )
        except WorkshopError as error:
            form.theme_id.errors = list(form.theme_id.errors) + [error.message]
        else:
            flash(_("La table a été ajoutée."), "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id, _anchor="tables"))
    elif form.theme_id.errors:
        form.theme_id.errors = [_("Choisissez un thème du référentiel pour la table.")]
    # Refused: the workshop page again, the error next to its field, what was typed kept.
    return _show_page(workshop, table_form=form), 400


def _table_of(workshop: Workshop, table_id: int) -> WorkshopTable:
    table = db.session.get(WorkshopTable, table_id)
    if table is None or table.workshop_id != workshop.id:
        abort(404)
    return table


@bp.route("/ateliers/<int:workshop_id>/tables/<int:table_id>/modifier", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def table_edit(workshop_id: int, table_id: int):
    workshop = workshop_or_404(workshop_id)
    table = _table_of(workshop, table_id)
    form = blueprint_table_form(workshop, obj=table, prefix="")
    if request.method == "GET":
        form.host_id.data = table.host_id or 0
    if form.validate_on_submit():
        setup.update_table(
            table, theme_id=form.theme_id.data, host_name=form.host_name.data or "",
            host=db.session.get(User, form.host_id.data) if form.host_id.data else None,
        )
        flash(_("La table a été modifiée. Les notes déjà prises gardent leur thème."), "success")
        return redirect(url_for("workshops.show", workshop_id=workshop.id, _anchor="tables"))
    return render_template("workshops/table_form.html", workshop=workshop, table=table, form=form), form_status(form)


@bp.route("/ateliers/<int:workshop_id>/tables/<int:table_id>/supprimer", methods=["POST"])
@auth.roles(auth.STAFF)
def table_delete(workshop_id: int, table_id: int):
    workshop = workshop_or_404(workshop_id)
    table = _table_of(workshop, table_id)
    if not confirmed():
        setup.check_table_deletion(table)
        return confirmation(
            title=_("Supprimer la table %(n)d ?", n=table.number),
            message=_("La table %(n)d (%(theme)s) sera supprimée de l'atelier. Cette action est définitive.",
                      n=table.number, theme=table.theme.label),
            confirm_label=_("Confirmer la suppression de la table %(n)d", n=table.number),
            back_url=url_for("workshops.show", workshop_id=workshop.id, _anchor="tables"),
        )
    setup.delete_table(table)
    flash(_("La table a été supprimée."), "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id, _anchor="tables"))


@bp.route("/ateliers/<int:workshop_id>/etapes", methods=["POST"])
@auth.roles(auth.STAFF)
def stop_add(workshop_id: int):
    workshop = workshop_or_404(workshop_id)
    form = StopForm(prefix="stop")
    if not form.validate_on_submit():
        abort(400, " ".join(map(str, form.name.errors + form.description.errors)) or _("Indiquez un nom."))
    setup.add_stop(workshop, name=form.name.data, description=form.description.data or "")
    flash(_("L'étape a été ajoutée."), "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id, _anchor="etapes"))


@bp.route("/ateliers/<int:workshop_id>/etapes/<int:stop_id>/deplacer", methods=["POST"])
@auth.roles(auth.STAFF)
def stop_move(workshop_id: int, stop_id: int):
    workshop = workshop_or_404(workshop_id)
    stop = db.session.get(WalkStop, stop_id)
    if stop is None or stop.workshop_id != workshop.id:
        abort(404)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400, _("Indiquez s'il faut monter ou descendre l'étape."))
    setup.move_stop(stop, -1 if direction == "up" else 1)
    return redirect(url_for("workshops.show", workshop_id=workshop.id, _anchor="etapes"))


@bp.route("/ateliers/<int:workshop_id>/cloture", methods=["POST"])
@auth.roles(auth.STAFF)
def close(workshop_id: int):
    workshop = workshop_or_404(workshop_id)
    closing = request.form.get("closed") != "0"
    setup.set_closed(workshop, closing)
    flash(_("L'atelier est clôturé : la saisie est fermée.") if closing else _("La saisie est rouverte."), "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id))


@bp.route("/ateliers/<int:workshop_id>/heure", methods=["POST"])
@auth.roles(auth.STAFF)
def settle_time(workshop_id: int):
    """The answer to 'was this time stored 9 minutes early?' (workshops/times.py)."""
    workshop = workshop_or_404(workshop_id)
    setup.settle_time(workshop, restore_typed=request.form.get("restore") == "1")
    flash(_("L'heure de l'atelier est maintenant : %(when)s.",
            when=times.format_moment(workshop.starts_at, zone_name=workshop.timezone)), "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id))


# --- live capture --------------------------------------------------------------------------

def _int_arg(name: str) -> int | None:
    return parse_int(request.values.get(name))


def _note_form(workshop: Workshop, table: WorkshopTable | None) -> NoteForm:
    form = NoteForm()
    form.question_id.choices = question_choices(workshop)
    form.theme_id.choices = theme_choices(workshop, (0, _("Thème de la table") + (f" ({table.theme.label})" if table else "")))
    return form


def _choice_form(workshop: Workshop, **values) -> CaptureChoiceForm:
    choice = CaptureChoiceForm(request.args, **values)
    choice.table.choices = choices((t.id, _("Table %(n)d — %(theme)s", n=t.number, theme=t.theme.label)) for t in workshop.tables)
    choice.round.choices = choices((n, str(n)) for n in range(1, workshop.rounds + 1))
    return choice


@bp.app_template_global("workshops_coming_up")
def coming_up() -> list[Workshop]:
    """For a person's space: the workshops of their quartiers they may capture, under way or soon."""
    if not getattr(current_user, "is_authenticated", False) or current_user.role not in CAPTURE:
        return []
    return public.coming_up([q.id for q in quartiers_in_scope(current_user)])


@bp.route("/ateliers/<int:workshop_id>/saisie")
@auth.roles(CAPTURE)
def capture(workshop_id: int):
    workshop = workshop_or_404(workshop_id, CAPTURE)
    choice = _choice_form(workshop)
    table_id, round_number = _int_arg("table"), _int_arg("round")
    table = None
    if table_id is not None or round_number is not None:
        try:
            table = live_capture.check_capture(workshop, table_id, round_number)
        except WorkshopError as error:
            return render_template("workshops/capture.html", workshop=workshop, choice=choice, table=None,
                                   error=error.message), error.status
    if table is None:
        hosted = next((t.id for t in workshop.tables if t.host_id == current_user.id), None)
        if hosted is not None:
            choice.table.data = hosted  # a table host finds their own table already chosen
        return render_template("workshops/capture.html", workshop=workshop, choice=choice, table=None)
    form = _note_form(workshop, table)
    question_id = _int_arg("question")
    if question_id is None or question_id not in {q.id for q in workshop.questions}:
        question_id = workshop.questions[0].id if workshop.questions else 0
    form.question_id.data = question_id
    form.theme_id.data = 0
    form.dot_votes.data = 0
    form.table.data, form.round.data = table.id, round_number
    form.client_key.data = live_capture.new_client_key()
    return render_template(
        "workshops/capture.html", workshop=workshop, choice=choice, table=table, round=round_number,
        form=form, notes=live_capture.table_notes(workshop, table.id),
    )


def _note_json(note) -> dict:
    return {
        "id": note.id, "client_key": note.client_key, "text": note.text, "table_id": note.table_id,
        "round": note.round, "question_id": note.question_id,
        "question_number": note.question.position + 1 if note.question else None,
        "theme": note.theme.label, "dot_votes": note.dot_votes,
        "dots_label": ngettext("%(num)d gommette", "%(num)d gommettes", note.dot_votes) if note.dot_votes else None,
        "created_at": note.created_at.isoformat(),
    }


@bp.route("/ateliers/<int:workshop_id>/notes", methods=["POST"])
@auth.roles(CAPTURE)
def note_create(workshop_id: int):
    """One note, from the capture form (no JavaScript) or as JSON from the offline queue.

    Sending the same note again (same client_key: a double tap, a retry after a lost answer)
    answers as the first time did, with the stored note: a retry is never an error.
    """
    workshop = workshop_or_404(workshop_id, CAPTURE)
    if request.is_json:
        return _note_create_json(workshop)
    table_id, round_number = _int_arg("table"), _int_arg("round")
    table = db.session.get(WorkshopTable, table_id) if table_id else None
    form = _note_form(workshop, table if table and table.workshop_id == workshop.id else None)
    if form.validate_on_submit():
        note, created = live_capture.add_note(
            workshop, table_id=table_id, round_number=round_number,
            question_id=form.question_id.data or None, text=form.text.data,
            client_key=form.client_key.data, author=current_user, dot_votes=form.dot_votes.data or 0,
            theme_id=form.theme_id.data or None,
        )
        flash(_("Note enregistrée."), "success")
        return redirect(url_for("workshops.capture", workshop_id=workshop.id, table=note.table_id, round=note.round,
                                question=note.question_id or 0, _anchor="note-form"))
    # Invalid form: the capture page again, the text kept, the errors shown.
    table = live_capture.check_capture(workshop, table_id, round_number)
    if workshop.closed:
        raise closed_error()
    choice = _choice_form(workshop, table=table_id, round=round_number)
    return render_template(
        "workshops/capture.html", workshop=workshop, choice=choice, table=table, round=round_number,
        form=form, notes=live_capture.table_notes(workshop, table.id),
    ), 400


INVALID_NOTE = _l("Données invalides : la note doit être un objet JSON.")


def _json_id(payload: dict, key: str) -> int | None:
    """None when absent (or 0, or empty); -1, which nothing matches, when it is no number we store."""
    value = payload.get(key)
    if value is None or value == "" or (value == 0 and not isinstance(value, bool)):
        return None
    return parse_int(value, -1)


def _note_create_json(workshop: Workshop):
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise WorkshopError("invalid", INVALID_NOTE)
    text, key = payload.get("text"), payload.get("client_key")
    note, created = live_capture.add_note(
        workshop, table_id=_json_id(payload, "table"), round_number=_json_id(payload, "round"),
        question_id=_json_id(payload, "question_id"),
        text=text if isinstance(text, str) else None, client_key=key if isinstance(key, str) else None,
        author=current_user, dot_votes=_json_id(payload, "dot_votes") or 0,
        theme_id=_json_id(payload, "theme_id"),
    )
    return jsonify(note=_note_json(note), created=created), 201 if created else 200


@bp.route("/ateliers/<int:workshop_id>/notes.json")
@auth.roles(CAPTURE)
def notes_feed(workshop_id: int):
    """New notes since `after` (a note id), for one table or the whole workshop: polled by facilitators."""
    workshop = workshop_or_404(workshop_id, CAPTURE)
    table_id = _int_arg("table")
    if request.args.get("table") is not None:
        live_capture.check_capture(workshop, table_id, 1)
    notes = live_capture.table_notes(workshop, table_id, after_id=_int_arg("after") or 0)
    response = jsonify(notes=[_note_json(note) for note in reversed(notes)], closed=workshop.closed)
    response.headers["Cache-Control"] = "no-store"
    return response
