"""Routes of the workshops domain: setup, live capture, walks, harvest, compte-rendu, calendar."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from flask import (
    Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request,
    send_file, url_for,
)
from flask_babel import format_datetime, get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from participation import auth
from participation.accounts.models import Role, User
from participation.extensions import db
from participation.forms import choices
from participation.quartiers.models import ContratDeVille
from participation.quartiers.services import quartier_by_code
from participation.workshops import documents, ics, services
from participation.workshops.forms import (
    ATTENDANCE_LABELS, FORMAT_LABELS, CaptureChoiceForm, CopyForm, NoteEditForm, NoteForm,
    ObservationForm, QuestionsForm, ReportForm, StopForm, TableForm, ValidatorForm, WorkshopForm,
)
from participation.workshops.models import (
    ReportStatus, WalkStop, Workshop, WorkshopFormat, WorkshopNote, WorkshopTable,
)

bp = Blueprint("workshops", __name__)

CAPTURE = services.CAPTURE_ROLES

# error code -> (HTTP status, message)
ERRORS = {
    "workshop_closed": (409, lambda d: _("Cet atelier est clôturé : il ne reçoit plus de notes.")),
    "table_not_in_workshop": (400, lambda d: _("Cette table n'appartient pas à cet atelier.")),
    "question_not_in_workshop": (400, lambda d: _("Cette question n'appartient pas à cet atelier.")),
    "invalid_round": (400, lambda d: _("Choisissez un tour entre 1 et %(n)d.", n=d.get("maximum", 1))),
    "empty_text": (400, lambda d: _("La note est vide : écrivez-la avant de l'envoyer.")),
    "text_too_long": (400, lambda d: _("Le texte dépasse %(n)d caractères.", n=d.get("maximum", 0))),
    "invalid_dot_votes": (400, lambda d: _("Le nombre de gommettes doit être entre 0 et %(n)d.", n=d.get("maximum", 0))),
    "invalid_theme": (400, lambda d: _("Ce thème n'existe pas dans le référentiel de ce contrat de ville.")),
    "invalid_client_key": (400, lambda d: _("Identifiant de note invalide. Rechargez la page.")),
    "photo_not_image": (400, lambda d: _("Ce fichier n'est pas une image (JPEG, PNG, WebP ou GIF).")),
    "photo_too_large": (413, lambda d: _("Photo trop lourde : %(n)s Mo au plus.", n=f"{d.get('maximum', 0) / 1048576:.1f}")),
    "too_many_photos": (400, lambda d: _("Au plus %(n)d photos par observation.", n=d.get("maximum", 0))),
    "position_out_of_range": (400, lambda d: _("Coordonnées hors limites : latitude entre -90 et 90, longitude entre -180 et 180.")),
    "position_incomplete": (400, lambda d: _("Indiquez la latitude et la longitude, ou aucune des deux.")),
    "stop_not_in_workshop": (400, lambda d: _("Cette étape n'appartient pas à cet atelier.")),
    "invalid_attendance": (400, lambda d: _("Les effectifs doivent être positifs.")),
    "attendance_breakdown_exceeds_total": (400, lambda d: _("La répartition dépasse le total des participants.")),
    "ends_before_start": (400, lambda d: _("La fin doit suivre le début.")),
    "rounds_in_use": (409, lambda d: _("Des notes existent pour des tours au-delà de ce nombre.")),
    "no_questions": (400, lambda d: _("Indiquez au moins une question.")),
    "question_too_long": (400, lambda d: _("Une question dépasse 500 caractères.")),
    "question_in_use": (409, lambda d: _("Une question retirée a déjà des notes : reformulez-la plutôt que de la supprimer.")),
    "table_in_use": (409, lambda d: _("Cette table a des notes : elle ne peut pas être supprimée.")),
    "note_merged": (409, lambda d: _("Cette note a été fusionnée dans une autre.")),
    "merge_needs_two": (400, lambda d: _("Cochez au moins deux notes à fusionner.")),
    "note_not_in_workshop": (400, lambda d: _("Une des notes n'appartient pas à cet atelier.")),
    "note_not_flagged": (409, lambda d: _("Marquez d'abord la note « à proposer ».")),
    "note_elsewhere": (403, lambda d: _("Cette note vient d'un atelier d'un autre quartier : elle ne peut pas devenir une proposition ici.")),
    "promotion_refused": (400, lambda d: _("Cette note n'a pas pu devenir une proposition. Modifiez son texte puis réessayez.")),
    "report_not_draft": (409, lambda d: _("Seul un brouillon peut être soumis.")),
    "report_not_submitted": (409, lambda d: _("Le compte-rendu doit d'abord être soumis à validation.")),
    "report_not_validated": (409, lambda d: _("Le compte-rendu doit d'abord être validé.")),
    "no_validation_right": (403, lambda d: _("Vous n'avez pas le droit de valider les comptes-rendus de ce contrat de ville.")),
    "not_a_facilitator": (400, lambda d: _("Seul un animateur ou une animatrice du contrat de ville peut recevoir ce droit.")),
    "validator_not_found": (404, lambda d: _("Ce droit de validation n'existe pas.")),
}


def _error(error: services.WorkshopError) -> tuple[int, str]:
    status, message = ERRORS.get(error.code, (400, lambda d: _("Données invalides.")))
    return status, message(error.details)


def _abort(error: services.WorkshopError):
    status, message = _error(error)
    db.session.rollback()
    if status == 403:  # the generic 403 page would hide why (e.g. no validation right)
        abort(Response(render_template("errors/error.html", status=403, title=_("Accès refusé"), message=message), 403))
    abort(status, message)


def _status(form) -> int:
    return 400 if form.is_submitted() else 200


def _quartier_or_404(code: str):
    quartier = quartier_by_code(code)
    if quartier is None:
        abort(404)
    return quartier


def _workshop(workshop_id: int, allowed=auth.STAFF) -> Workshop:
    workshop = db.get_or_404(Workshop, workshop_id)
    auth.require_quartier(workshop.quartier, allowed)
    return workshop


def _to_utc(local: datetime | None) -> datetime | None:
    if local is None:
        return None
    return local.replace(tzinfo=get_timezone()).astimezone(timezone.utc)


def _to_local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(get_timezone()).replace(tzinfo=None)


def _theme_choices(workshop: Workshop, first=None):
    themes = services.themes_for(workshop)
    pairs = [(t.id, ("— " if t.parent_id else "") + t.label) for t in themes]
    return choices(([first] if first else []) + pairs)


def _question_choices(workshop: Workshop):
    return choices([(0, _("— sans question —"))] + [(q.id, f"{q.position + 1}. {q.text}") for q in workshop.questions])


@bp.app_template_filter("local_datetime")
def local_datetime(moment: datetime | None, style: str = "medium") -> str:
    return format_datetime(moment, style) if moment else ""


def status_label(status: ReportStatus) -> str:
    return {
        ReportStatus.DRAFT: _("Brouillon"), ReportStatus.SUBMITTED: _("Soumis à validation"),
        ReportStatus.VALIDATED: _("Validé"), ReportStatus.PUBLISHED: _("Publié"),
    }[status]


def _report_format(value: str | None) -> str:
    try:
        return str(FORMAT_LABELS[WorkshopFormat(value)])
    except ValueError:
        return ""


def _report_section(section: dict) -> str:
    kinds = {
        "changes": _("Changements attendus"), "actions": _("Actions prioritaires"),
        "resources": _("Ressources et acteurs à mobiliser"),
        "observations": _("Observations du diagnostic en marchant"),
    }
    return kinds.get(section.get("kind")) or section.get("question") or _("Autres notes")


@bp.app_context_processor
def labels():
    return {
        "FORMAT_LABELS": FORMAT_LABELS, "ATTENDANCE_LABELS": ATTENDANCE_LABELS, "ReportStatus": ReportStatus,
        "status_label": status_label, "report_format": _report_format, "report_section": _report_section,
        "report_theme": documents.theme_label, "report_date": datetime.fromisoformat,
    }


# --- setup ---------------------------------------------------------------------------------

@bp.route("/quartiers/<code>/ateliers")
@auth.roles(auth.STAFF)
def index(code: str):
    quartier = _quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    workshops = services.workshops_of(quartier)
    return render_template(
        "workshops/index.html", quartier=quartier, workshops=workshops,
        note_counts=services.status_counts(workshops),
    )


def _workshop_form(quartier, workshop: Workshop | None = None) -> WorkshopForm:
    form = WorkshopForm(obj=workshop)
    form.facilitators.choices = choices((u.id, u.display_name) for u in services.facilitator_candidates(quartier))
    if request.method == "GET":
        if workshop is not None:
            form.format.data = workshop.format.value
            form.starts_at.data = _to_local(workshop.starts_at)
            form.ends_at.data = _to_local(workshop.ends_at)
            form.facilitators.data = [u.id for u in workshop.facilitators]
        elif current_user.role is Role.FACILITATOR:
            form.facilitators.data = [current_user.id]
    return form


def _workshop_values(form: WorkshopForm) -> dict:
    values = {
        "title": form.title.data, "format": WorkshopFormat(form.format.data),
        "starts_at": _to_utc(form.starts_at.data), "ends_at": _to_utc(form.ends_at.data),
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
    quartier = _quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    form = _workshop_form(quartier)
    copy_form = _copy_form(quartier)
    if form.validate_on_submit():
        try:
            workshop = services.create_workshop(
                quartier, created_by=current_user, facilitators=_chosen_facilitators(form), **_workshop_values(form)
            )
        except services.WorkshopError as error:
            form.title.errors.append(_error(error)[1])
        else:
            db.session.commit()
            flash(_("L'atelier a été créé avec les trois questions du world café."), "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id))
    return render_template("workshops/form.html", form=form, copy_form=copy_form, quartier=quartier, workshop=None), _status(form)


def _copy_form(quartier) -> CopyForm:
    form = CopyForm(prefix="copy")
    sources = services.copy_sources(quartier)
    form.source.choices = choices(
        (w.id, (_("Modèle : %(title)s", title=w.title) if w.is_template else f"{w.title} ({local_datetime(w.starts_at, 'short')})"))
        for w in sources
    )
    return form


@bp.route("/quartiers/<code>/ateliers/copier", methods=["POST"])
@auth.roles(auth.STAFF)
def copy(code: str):
    quartier = _quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    copy_form = _copy_form(quartier)
    if copy_form.validate_on_submit():
        source = db.session.get(Workshop, copy_form.source.data)
        workshop = services.copy_workshop(
            source, quartier, starts_at=_to_utc(copy_form.starts_at.data), title=copy_form.title.data or None,
            created_by=current_user, is_template=copy_form.is_template.data,
        )
        db.session.commit()
        flash(_("L'atelier a été copié : vérifiez le lieu, les animateurs et les tables."), "success")
        return redirect(url_for("workshops.show", workshop_id=workshop.id))
    form = _workshop_form(quartier)
    return render_template("workshops/form.html", form=form, copy_form=copy_form, quartier=quartier, workshop=None), 400


@bp.route("/ateliers/<int:workshop_id>")
@auth.roles(auth.STAFF)
def show(workshop_id: int):
    workshop = _workshop(workshop_id)
    table_form = TableForm(prefix="table")
    table_form.theme_id.choices = _theme_choices(workshop)
    table_form.host_id.choices = choices([(0, _("— aucun compte —"))] + [(u.id, u.display_name) for u in services.host_candidates(workshop.quartier)])
    return render_template(
        "workshops/show.html", workshop=workshop, quartier=workshop.quartier,
        table_form=table_form, stop_form=StopForm(prefix="stop"),
        questions_form=QuestionsForm(questions="\n".join(q.text for q in workshop.questions)),
        note_count=services.note_count(workshop),
    )


@bp.route("/ateliers/<int:workshop_id>/modifier", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def edit(workshop_id: int):
    workshop = _workshop(workshop_id)
    form = _workshop_form(workshop.quartier, workshop)
    if form.validate_on_submit():
        try:
            services.update_workshop(workshop, facilitators=_chosen_facilitators(form), **_workshop_values(form))
        except services.WorkshopError as error:
            db.session.rollback()
            form.rounds.errors.append(_error(error)[1])
        else:
            db.session.commit()
            flash(_("L'atelier a été modifié."), "success")
            return redirect(url_for("workshops.show", workshop_id=workshop.id))
    return render_template("workshops/form.html", form=form, copy_form=None, quartier=workshop.quartier, workshop=workshop), _status(form)


@bp.route("/ateliers/<int:workshop_id>/questions", methods=["POST"])
@auth.roles(auth.STAFF)
def questions(workshop_id: int):
    workshop = _workshop(workshop_id)
    form = QuestionsForm()
    if not form.validate_on_submit():
        abort(400, " ".join(map(str, form.questions.errors)) or _("Indiquez au moins une question."))
    try:
        services.set_questions(workshop, form.questions.data.splitlines())
    except services.WorkshopError as error:
        _abort(error)
    db.session.commit()
    flash(_("Les questions ont été enregistrées."), "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id, _anchor="questions"))


@bp.route("/ateliers/<int:workshop_id>/tables", methods=["POST"])
@auth.roles(auth.STAFF)
def table_add(workshop_id: int):
    workshop = _workshop(workshop_id)
    form = TableForm(prefix="table")
    form.theme_id.choices = _theme_choices(workshop)
    hosts = services.host_candidates(workshop.quartier)
    form.host_id.choices = choices([(0, "—")] + [(u.id, u.display_name) for u in hosts])
    if not form.validate_on_submit():
        abort(400, _("Choisissez un thème du référentiel pour la table."))
    try:
        services.add_table(
            workshop, theme_id=form.theme_id.data,
            host=db.session.get(User, form.host_id.data) if form.host_id.data else None,
            host_name=form.host_name.data or "",
        )
    except services.WorkshopError as error:
        _abort(error)
    db.session.commit()
    flash(_("La table a été ajoutée."), "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id, _anchor="tables"))


def _table_of(workshop: Workshop, table_id: int) -> WorkshopTable:
    table = db.session.get(WorkshopTable, table_id)
    if table is None or table.workshop_id != workshop.id:
        abort(404)
    return table


@bp.route("/ateliers/<int:workshop_id>/tables/<int:table_id>/modifier", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def table_edit(workshop_id: int, table_id: int):
    workshop = _workshop(workshop_id)
    table = _table_of(workshop, table_id)
    form = TableForm(obj=table)
    form.theme_id.choices = _theme_choices(workshop)
    form.host_id.choices = choices([(0, _("— aucun compte —"))] + [(u.id, u.display_name) for u in services.host_candidates(workshop.quartier)])
    if request.method == "GET":
        form.host_id.data = table.host_id or 0
    if form.validate_on_submit():
        try:
            services.update_table(
                table, theme_id=form.theme_id.data, host_name=form.host_name.data or "",
                host=db.session.get(User, form.host_id.data) if form.host_id.data else None,
            )
        except services.WorkshopError as error:
            _abort(error)
        db.session.commit()
        flash(_("La table a été modifiée. Les notes déjà prises gardent leur thème."), "success")
        return redirect(url_for("workshops.show", workshop_id=workshop.id, _anchor="tables"))
    return render_template("workshops/table_form.html", workshop=workshop, table=table, form=form), _status(form)


@bp.route("/ateliers/<int:workshop_id>/tables/<int:table_id>/supprimer", methods=["POST"])
@auth.roles(auth.STAFF)
def table_delete(workshop_id: int, table_id: int):
    workshop = _workshop(workshop_id)
    table = _table_of(workshop, table_id)
    try:
        services.delete_table(table)
    except services.WorkshopError as error:
        _abort(error)
    db.session.commit()
    flash(_("La table a été supprimée."), "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id, _anchor="tables"))


@bp.route("/ateliers/<int:workshop_id>/etapes", methods=["POST"])
@auth.roles(auth.STAFF)
def stop_add(workshop_id: int):
    workshop = _workshop(workshop_id)
    form = StopForm(prefix="stop")
    if not form.validate_on_submit():
        abort(400, " ".join(map(str, form.name.errors + form.description.errors)) or _("Indiquez un nom."))
    services.add_stop(workshop, name=form.name.data, description=form.description.data or "")
    db.session.commit()
    flash(_("L'étape a été ajoutée."), "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id, _anchor="etapes"))


@bp.route("/ateliers/<int:workshop_id>/etapes/<int:stop_id>/deplacer", methods=["POST"])
@auth.roles(auth.STAFF)
def stop_move(workshop_id: int, stop_id: int):
    workshop = _workshop(workshop_id)
    stop = db.session.get(WalkStop, stop_id)
    if stop is None or stop.workshop_id != workshop.id:
        abort(404)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400, _("Indiquez s'il faut monter ou descendre l'étape."))
    services.move_stop(stop, -1 if direction == "up" else 1)
    db.session.commit()
    return redirect(url_for("workshops.show", workshop_id=workshop.id, _anchor="etapes"))


@bp.route("/ateliers/<int:workshop_id>/cloture", methods=["POST"])
@auth.roles(auth.STAFF)
def close(workshop_id: int):
    workshop = _workshop(workshop_id)
    closing = request.form.get("closed") != "0"
    services.set_closed(workshop, closing)
    db.session.commit()
    flash(_("L'atelier est clôturé : la saisie est fermée.") if closing else _("La saisie est rouverte."), "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id))


# --- live capture --------------------------------------------------------------------------

def _int_arg(name: str) -> int | None:
    value = request.values.get(name, "")
    return int(value) if value.strip().lstrip("-").isdigit() else None


def _note_form(workshop: Workshop, table: WorkshopTable | None) -> NoteForm:
    form = NoteForm()
    form.question_id.choices = _question_choices(workshop)
    form.theme_id.choices = _theme_choices(workshop, (0, _("Thème de la table") + (f" ({table.theme.label})" if table else "")))
    return form


@bp.route("/ateliers/<int:workshop_id>/saisie")
@auth.roles(CAPTURE)
def capture(workshop_id: int):
    workshop = _workshop(workshop_id, CAPTURE)
    choice = CaptureChoiceForm(request.args)
    choice.table.choices = choices((t.id, _("Table %(n)d — %(theme)s", n=t.number, theme=t.theme.label)) for t in workshop.tables)
    choice.round.choices = choices((n, str(n)) for n in range(1, workshop.rounds + 1))
    table_id, round_number = _int_arg("table"), _int_arg("round")
    table = None
    if table_id is not None or round_number is not None:
        try:
            table = services.check_capture(workshop, table_id, round_number)
        except services.WorkshopError as error:
            status, message = _error(error)
            return render_template("workshops/capture.html", workshop=workshop, choice=choice, table=None, error=message), status
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
    form.client_key.data = services.new_client_key()
    return render_template(
        "workshops/capture.html", workshop=workshop, choice=choice, table=table, round=round_number,
        form=form, notes=services.table_notes(workshop, table.id),
    )


def _note_json(note) -> dict:
    return {
        "id": note.id, "client_key": note.client_key, "text": note.text, "table_id": note.table_id,
        "round": note.round, "question_id": note.question_id,
        "question_number": note.question.position + 1 if note.question else None,
        "theme": note.theme.label, "dot_votes": note.dot_votes,
        "created_at": note.created_at.isoformat(),
    }


@bp.route("/ateliers/<int:workshop_id>/notes", methods=["POST"])
@auth.roles(CAPTURE)
def note_create(workshop_id: int):
    """One note, from the capture form (no JavaScript) or as JSON from the offline queue."""
    workshop = _workshop(workshop_id, CAPTURE)
    if request.is_json:
        return _note_create_json(workshop)
    table_id, round_number = _int_arg("table"), _int_arg("round")
    table = db.session.get(WorkshopTable, table_id) if table_id else None
    form = _note_form(workshop, table if table and table.workshop_id == workshop.id else None)
    if form.validate_on_submit():
        try:
            note, created = services.add_note(
                workshop, table_id=table_id, round_number=round_number,
                question_id=form.question_id.data or None, text=form.text.data,
                client_key=form.client_key.data, author=current_user, dot_votes=form.dot_votes.data or 0,
                theme_id=form.theme_id.data or None,
            )
        except services.WorkshopError as error:
            _abort(error)
        db.session.commit()
        if created:
            flash(_("Note enregistrée."), "success")
        return redirect(url_for("workshops.capture", workshop_id=workshop.id, table=table_id, round=round_number,
                                question=note.question_id or 0, _anchor="note-form"))
    # Invalid form: the capture page again, the text kept, the errors shown.
    if table is None or table.workshop_id != workshop.id:
        _abort(services.WorkshopError("table_not_in_workshop"))
    if workshop.closed:
        _abort(services.WorkshopError("workshop_closed"))
    choice = CaptureChoiceForm(table=table_id, round=round_number)
    choice.table.choices = choices((t.id, _("Table %(n)d — %(theme)s", n=t.number, theme=t.theme.label)) for t in workshop.tables)
    choice.round.choices = choices((n, str(n)) for n in range(1, workshop.rounds + 1))
    return render_template(
        "workshops/capture.html", workshop=workshop, choice=choice, table=table, round=round_number,
        form=form, notes=services.table_notes(workshop, table.id),
    ), 400


def _json_int(payload: dict, key: str) -> int | None:
    value = payload.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _note_create_json(workshop: Workshop):
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify(error="invalid", message=_("Données invalides.")), 400
    text = payload.get("text")
    dots = payload.get("dot_votes", 0)
    if dots in (None, ""):
        dots = 0
    elif isinstance(dots, str) and dots.strip().isdigit():
        dots = int(dots)
    try:
        note, created = services.add_note(
            workshop, table_id=_json_int(payload, "table"), round_number=_json_int(payload, "round"),
            question_id=_json_int(payload, "question_id") or None,
            text=text if isinstance(text, str) else None,
            client_key=payload.get("client_key") if isinstance(payload.get("client_key"), str) else None,
            author=current_user, dot_votes=dots if isinstance(dots, int) else -1,
            theme_id=_json_int(payload, "theme_id") or None,
        )
    except services.WorkshopError as error:
        db.session.rollback()
        status, message = _error(error)
        return jsonify(error=error.code, message=message), status
    db.session.commit()
    return jsonify(note=_note_json(note), created=created), 201 if created else 200


@bp.route("/ateliers/<int:workshop_id>/notes.json")
@auth.roles(CAPTURE)
def notes_feed(workshop_id: int):
    """New notes since `after` (a note id), for one table or the whole workshop: polled by facilitators."""
    workshop = _workshop(workshop_id, CAPTURE)
    table_id = _int_arg("table")
    if table_id is not None:
        try:
            services.check_capture(workshop, table_id, 1)
        except services.WorkshopError as error:
            status, message = _error(error)
            return jsonify(error=error.code, message=message), status
    notes = services.table_notes(workshop, table_id, after_id=_int_arg("after") or 0)
    response = jsonify(notes=[_note_json(note) for note in reversed(notes)], closed=workshop.closed)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- diagnostic en marchant ----------------------------------------------------------------

def _observation_form(workshop: Workshop) -> ObservationForm:
    form = ObservationForm()
    form.stop_id.choices = choices([(0, _("— hors étape —"))] + [(s.id, f"{s.position}. {s.name}") for s in workshop.stops])
    form.theme_id.choices = _theme_choices(workshop)
    return form


@bp.route("/ateliers/<int:workshop_id>/observations", methods=["GET", "POST"])
@auth.roles(CAPTURE)
def observations(workshop_id: int):
    workshop = _workshop(workshop_id, CAPTURE)
    form = _observation_form(workshop)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            files = [f for f in (form.photos.data or []) if f and f.filename]
            limit = current_app.config["WORKSHOP_PHOTOS_PER_OBSERVATION"]
            try:
                if len(files) > limit:
                    raise services.WorkshopError("too_many_photos", maximum=limit)
                max_bytes = current_app.config["WORKSHOP_PHOTO_MAX_BYTES"]
                photos = [services.clean_photo(f.read(max_bytes + 1), max_bytes) for f in files]
                services.add_observation(
                    workshop, stop_id=form.stop_id.data or None, theme_id=form.theme_id.data,
                    text=form.text.data, latitude=form.latitude.data, longitude=form.longitude.data,
                    photos=photos, author=current_user, upload_dir=_upload_dir(),
                )
            except services.WorkshopError as error:
                db.session.rollback()
                status, message = _error(error)
                field = form.photos if error.code.startswith(("photo", "too_many")) else (
                    form.latitude if error.code.startswith("position") else form.text)
                field.errors = list(field.errors) + [message]
            else:
                db.session.commit()
                flash(_("Observation enregistrée."), "success")
                return redirect(url_for("workshops.observations", workshop_id=workshop.id, _anchor="observation-form"))
        else:
            status = 400
    return render_template(
        "workshops/observations.html", workshop=workshop, form=form,
        observations=services.observations_of(workshop),
    ), status


def _upload_dir() -> Path:
    return Path(current_app.config["WORKSHOP_UPLOAD_FOLDER"])


@bp.route("/ateliers/<int:workshop_id>/photos/<int:photo_id>")
@auth.roles(CAPTURE)
def photo(workshop_id: int, photo_id: int):
    workshop = _workshop(workshop_id, CAPTURE)
    found = services.photo_of(workshop, photo_id)
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
    workshop = _workshop(workshop_id)
    return render_template(
        "workshops/harvest.html", workshop=workshop, harvest=services.harvest(workshop),
        absorbed=services.absorbed_ids(workshop),
        total=services.note_count(workshop, include_merged=False),
    )


def _note(workshop: Workshop, note_id: int):
    note = services.note_of(workshop, note_id)
    if note is None:
        abort(404)
    return note


@bp.route("/ateliers/<int:workshop_id>/notes/<int:note_id>/modifier", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def note_edit(workshop_id: int, note_id: int):
    workshop = _workshop(workshop_id)
    note = _note(workshop, note_id)
    form = NoteEditForm(obj=note)
    form.theme_id.choices = _theme_choices(workshop)
    form.question_id.choices = _question_choices(workshop)
    if request.method == "GET":
        form.question_id.data = note.question_id or 0
    if note.merged_into_id is not None:
        if request.method == "POST":
            _abort(services.WorkshopError("note_merged"))
    elif form.validate_on_submit():
        try:
            services.edit_note(
                note, text=form.text.data, theme_id=form.theme_id.data, question_id=form.question_id.data or None,
                dot_votes=form.dot_votes.data, to_propose=form.to_propose.data,
            )
        except services.WorkshopError as error:
            _abort(error)
        db.session.commit()
        flash(_("La note a été modifiée ; l'original reste dans le journal des modifications."), "success")
        return redirect(url_for("workshops.harvest", workshop_id=workshop.id, _anchor=f"note-{note.id}"))
    return render_template("workshops/note_edit.html", workshop=workshop, note=note, form=form), _status(form)


@bp.route("/ateliers/<int:workshop_id>/notes/<int:note_id>/a-proposer", methods=["POST"])
@auth.roles(auth.STAFF)
def note_flag(workshop_id: int, note_id: int):
    workshop = _workshop(workshop_id)
    note = _note(workshop, note_id)
    try:
        services.set_to_propose(note, request.form.get("flag") == "1")
    except services.WorkshopError as error:
        _abort(error)
    db.session.commit()
    return redirect(url_for("workshops.harvest", workshop_id=workshop.id, _anchor=f"note-{note.id}"))


@bp.route("/ateliers/<int:workshop_id>/notes/<int:note_id>/proposer", methods=["POST"])
@auth.roles(auth.STAFF)
def note_promote(workshop_id: int, note_id: int):
    workshop = _workshop(workshop_id)
    note = _note(workshop, note_id)
    try:
        proposal, created = services.promote_note(note, current_user)
    except services.WorkshopError as error:
        _abort(error)
    db.session.commit()
    if created:
        flash(_("La note est devenue la proposition n°%(id)d : les habitants peuvent la voir et voter.", id=proposal.id), "success")
    else:
        flash(_("Cette note est déjà la proposition n°%(id)d.", id=proposal.id), "info")
    return redirect(url_for("workshops.harvest", workshop_id=workshop.id, _anchor=f"note-{note.id}"))


def note_source(note_id: int, staff: bool):
    """For the proposal page: the note's workshop, with its harvest (staff) or published compte-rendu."""
    from participation.proposals.services import NoteSource

    note = db.session.get(WorkshopNote, note_id)
    if note is None:
        return None
    workshop = note.workshop
    if staff:
        anchor = f"note-{note.merged_into_id or note.id}"
        return NoteSource(workshop.title, url_for("workshops.harvest", workshop_id=workshop.id, _anchor=anchor))
    report = services.latest_published_report(workshop.id)
    return NoteSource(workshop.title, url_for("workshops.public_report", report_id=report.id) if report else None)


@bp.route("/ateliers/<int:workshop_id>/fusion", methods=["POST"])
@auth.roles(auth.STAFF)
def merge(workshop_id: int):
    workshop = _workshop(workshop_id)
    ids = [int(v) for v in request.form.getlist("note") if v.isdigit()]
    target = request.form.get("target", "")
    try:
        merged = services.merge_notes(workshop, int(target) if target.isdigit() else None, ids)
    except services.WorkshopError as error:
        _abort(error)
    db.session.commit()
    flash(_("Les notes ont été fusionnées : les gommettes sont additionnées."), "success")
    return redirect(url_for("workshops.harvest", workshop_id=workshop.id, _anchor=f"note-{merged.id}"))


# --- compte-rendu --------------------------------------------------------------------------

def _report(workshop: Workshop, version: int):
    report = services.report_version(workshop, version)
    if report is None:
        abort(404)
    return report


@bp.route("/ateliers/<int:workshop_id>/compte-rendu", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def report(workshop_id: int):
    workshop = _workshop(workshop_id)
    reports = services.reports_of(workshop)
    latest = reports[0] if reports else None
    form = ReportForm(obj=latest)
    if form.validate_on_submit():
        try:
            report = services.generate_report(workshop, current_user, context=form.context.data or "")
        except services.WorkshopError as error:
            _abort(error)
        db.session.commit()
        if latest is not None and latest.frozen:
            flash(_("La version %(v)d est validée et reste lisible : vos modifications forment la version %(n)d.", v=latest.version, n=report.version), "success")
        else:
            flash(_("Le brouillon du compte-rendu a été mis à jour à partir de l'atelier."), "success")
        return redirect(url_for("workshops.report", workshop_id=workshop.id))
    return render_template(
        "workshops/report.html", workshop=workshop, reports=reports, report=latest, form=form,
        can_validate=services.is_validator(current_user, workshop.quartier.commune.contrat_id),
    ), _status(form)


@bp.route("/ateliers/<int:workshop_id>/compte-rendu/v<int:version>")
@auth.roles(auth.STAFF)
def report_version(workshop_id: int, version: int):
    workshop = _workshop(workshop_id)
    report = _report(workshop, version)
    return render_template("workshops/report_version.html", workshop=workshop, report=report, public=False)


def _document_labels() -> dict:
    return documents.labels(FORMAT_LABELS, ATTENDANCE_LABELS, local_datetime)


def _send_document(report, kind: str):
    name = f"compte-rendu-atelier-{report.workshop_id}-v{report.version}"
    if kind == "pdf":
        data = documents.pdf(report, _document_labels())
        mimetype, name = "application/pdf", name + ".pdf"
    else:
        data = documents.docx(report, _document_labels())
        mimetype, name = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", name + ".docx"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/ateliers/<int:workshop_id>/compte-rendu/v<int:version>.pdf")
@auth.roles(auth.STAFF)
def report_pdf(workshop_id: int, version: int):
    return _send_document(_report(_workshop(workshop_id), version), "pdf")


@bp.route("/ateliers/<int:workshop_id>/compte-rendu/v<int:version>.docx")
@auth.roles(auth.STAFF)
def report_docx(workshop_id: int, version: int):
    return _send_document(_report(_workshop(workshop_id), version), "docx")


def _transition(workshop_id: int, version: int, action, message: str):
    workshop = _workshop(workshop_id)
    report = _report(workshop, version)
    try:
        action(report, current_user)
    except services.WorkshopError as error:
        _abort(error)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("workshops.report", workshop_id=workshop.id))


@bp.route("/ateliers/<int:workshop_id>/compte-rendu/v<int:version>/soumettre", methods=["POST"])
@auth.roles(auth.STAFF)
def report_submit(workshop_id: int, version: int):
    return _transition(workshop_id, version, services.submit_report, _("Le compte-rendu est soumis à validation."))


@bp.route("/ateliers/<int:workshop_id>/compte-rendu/v<int:version>/valider", methods=["POST"])
@auth.roles(auth.STAFF)
def report_validate(workshop_id: int, version: int):
    return _transition(workshop_id, version, services.validate_report, _("Le compte-rendu est validé : cette version est figée."))


@bp.route("/ateliers/<int:workshop_id>/compte-rendu/v<int:version>/publier", methods=["POST"])
@auth.roles(auth.STAFF)
def report_publish(workshop_id: int, version: int):
    return _transition(workshop_id, version, services.publish_report, _("Le compte-rendu est publié sur la page du quartier."))


# --- validation right (admins of the contrat) ----------------------------------------------

@bp.route("/admin/contrats/<int:contrat_id>/validateurs-ateliers", methods=["GET", "POST"])
@auth.roles(auth.ADMIN_ONLY)
def validators(contrat_id: int):
    contrat = db.get_or_404(ContratDeVille, contrat_id)
    form = ValidatorForm()
    form.user_id.choices = choices((u.id, f"{u.display_name} ({u.email})") for u in services.validator_candidates(contrat))
    if form.validate_on_submit():
        try:
            services.add_validator(contrat, db.session.get(User, form.user_id.data))
        except services.WorkshopError as error:
            _abort(error)
        db.session.commit()
        flash(_("Le droit de validation a été accordé."), "success")
        return redirect(url_for("workshops.validators", contrat_id=contrat.id))
    return render_template(
        "workshops/validators.html", contrat=contrat, form=form, validators=services.validators_of(contrat.id),
    ), _status(form)


@bp.route("/admin/contrats/<int:contrat_id>/validateurs-ateliers/<int:validator_id>/retirer", methods=["POST"])
@auth.roles(auth.ADMIN_ONLY)
def validator_remove(contrat_id: int, validator_id: int):
    contrat = db.get_or_404(ContratDeVille, contrat_id)
    try:
        services.remove_validator(contrat, validator_id)
    except services.WorkshopError as error:
        _abort(error)
    db.session.commit()
    flash(_("Le droit de validation a été retiré."), "success")
    return redirect(url_for("workshops.validators", contrat_id=contrat.id))


# --- public: published comptes-rendus and the calendar -------------------------------------

def _public_report(report_id: int):
    report = services.published_report(report_id)
    if report is None:
        abort(404)
    return report


@bp.route("/comptes-rendus/<int:report_id>")
@auth.public
def public_report(report_id: int):
    report = _public_report(report_id)
    return render_template("workshops/report_version.html", workshop=report.workshop, report=report, public=True)


@bp.route("/comptes-rendus/<int:report_id>.pdf")
@auth.public
def public_report_pdf(report_id: int):
    return _send_document(_public_report(report_id), "pdf")


@bp.route("/quartiers/<code>/ateliers.ics")
@auth.public
def calendar(code: str):
    quartier = _quartier_or_404(code)
    body = ics.calendar(
        # Never request.host: the Host header is the client's to choose, and UIDs must stay stable.
        services.upcoming_workshops(quartier), host=current_app.config["WORKSHOP_ICS_DOMAIN"], format_labels=FORMAT_LABELS,
        url_for_workshop=lambda w: url_for("quartiers.show", code=quartier.qpv_code, _external=True, _anchor=f"atelier-{w.id}"),
    )
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="ateliers-{quartier.qpv_code}.ics"',
    })
