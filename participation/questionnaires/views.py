"""Questionnaire pages: the builder, answering (no account), paper entry and results."""
from __future__ import annotations

import json
from datetime import date

from flask import (
    Blueprint, Response as HttpResponse, abort, current_app, flash, redirect, render_template,
    request, session, stream_with_context, url_for,
)
from flask_babel import force_locale, gettext as _, ngettext
from flask_login import current_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from markupsafe import Markup

from participation import auth
from participation.confirmation import confirmation, confirmed
from participation.extensions import db, limiter
from participation.forms import choices
from participation.i18n import current_language
from participation.quartiers import services as territory
from participation.quartiers.models import Quartier
from participation.params import parse_int
from participation.questionnaires import answering, exports, privacy, receipts, scope, services
from participation.questionnaires.forms import (
    KIND_LABELS, LEVEL_LABELS, ChoiceForm, DuplicateForm, ImportForm, NewQuestionnaireForm,
    QuestionEditForm, QuestionForm, QuestionnaireForm, SectionForm,
)
from participation.questionnaires.models import (
    DEMOGRAPHIC_KINDS, FREE_CHOICE_KINDS, Choice, Kind, Question, Questionnaire, Response, Section,
    Source, State,
)
from participation.questionnaires.readability import analyse
from participation.questionnaires import errors
from participation.questionnaires.errors import QuestionnaireError
from participation.questionnaires.services import Filters

bp = Blueprint("questionnaires", __name__)

COOKIE_PREFIX = "pq_q"
KIOSK_PREFIX = "pq_kiosk"
COOKIE_AGE = 60 * 24 * 3600
KIOSK_AGE = 12 * 3600  # one event day: the kiosk cookie is refused after that, even if copied
RECEIPT_SESSION_KEY = "questionnaire_receipt"
RECEIPT_PREFIX = "pq_r"


def _anonymous_limit() -> str:
    return current_app.config["RATELIMIT_ANONYMOUS_SUBMISSION"]


# --- loading and access --------------------------------------------------------------------

def _load(questionnaire_id: int) -> Questionnaire:
    questionnaire = services.get_full(questionnaire_id)
    if questionnaire is None:
        abort(404)
    return questionnaire


def _require(questionnaire: Questionnaire, allowed=auth.STAFF) -> None:
    if questionnaire.quartier is not None:
        auth.require_quartier(questionnaire.quartier, allowed)
    else:
        auth.require_contrat(questionnaire.contrat, allowed, whole=allowed == auth.STAFF)


def _staff(questionnaire_id: int) -> Questionnaire:
    questionnaire = _load(questionnaire_id)
    _require(questionnaire)
    return questionnaire


def _readers(questionnaire_id: int) -> Questionnaire:
    questionnaire = _load(questionnaire_id)
    _require(questionnaire, auth.STAFF_AND_OFFICIALS)
    return questionnaire


def _quartier(code: str, allowed=auth.STAFF) -> Quartier:
    quartier = territory.quartier_by_code(code)
    if quartier is None:
        abort(404)
    auth.require_quartier(quartier, allowed)
    return quartier


def _child(questionnaire: Questionnaire, model, object_id: int):
    obj = db.session.get(model, object_id)
    owner = obj.questionnaire_id if isinstance(obj, (Section, Question)) else (
        obj.question.questionnaire_id if isinstance(obj, Choice) else None)
    if obj is None or owner != questionnaire.id:
        abort(404)
    return obj


def _theme_choices(questionnaire: Questionnaire):
    themes = services.mappable_themes(questionnaire)
    return choices([("", _("— Aucun —"))] + [
        (str(t.id), ("— " if t.parent_id else "") + t.label) for t in themes
    ])


def _condition_choices(questionnaire: Questionnaire, section: Section, question: Question | None = None):
    pairs = [("", _("— Toujours afficher —"))]
    for earlier in questionnaire.sections:
        if earlier.position >= section.position:
            break
        for candidate in earlier.questions:
            if candidate is question or candidate.kind is Kind.RANKING:
                continue
            for choice in candidate.choices:
                pairs.append((str(choice.id), f"{candidate.text[:60]} = {choice.label}"))
    return choices(pairs)


# --- builder -------------------------------------------------------------------------------

@bp.route("/quartiers/<code>/questionnaires")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def index(code: str):
    quartier = _quartier(code, auth.STAFF_AND_OFFICIALS)
    return render_template("questionnaires/index.html", quartier=quartier,
                           questionnaires=services.for_quartier(quartier), State=State)


@bp.route("/quartiers/<code>/questionnaires/nouveau", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def new(code: str):
    quartier = _quartier(code)
    form = NewQuestionnaireForm()
    if form.validate_on_submit():
        shared = form.shared.data and current_user.covers_contrat(quartier.commune.contrat)
        questionnaire = services.create_questionnaire(
            contrat_id=quartier.contrat_id, quartier=None if shared else quartier,
            title=form.title.data, introduction=form.introduction.data or "",
            consent_text=form.consent_text.data or "", opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
        )
        services.add_section(questionnaire, _("Section 1"))
        flash(_("Le questionnaire a été créé. Ajoutez maintenant ses questions."), "success")
        return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id))
    return render_template("questionnaires/new.html", form=form, quartier=quartier), 400 if form.is_submitted() else 200


@bp.route("/quartiers/<code>/questionnaires/importer", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def import_json(code: str):
    quartier = _quartier(code)
    form = ImportForm()
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            questionnaire = services.import_data(_read_json(upload), contrat_id=quartier.contrat_id,
                                                 quartier=quartier)
        except QuestionnaireError as exc:
            error = exc.message
        else:
            flash(_("Le questionnaire a été importé comme brouillon."), "success")
            return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id))
    status = 400 if form.is_submitted() else 200
    return render_template("questionnaires/import.html", form=form, quartier=quartier, error=error), status


def _read_json(upload):
    """The uploaded file's JSON; None (a refused import) when it is not JSON, or nested too deep."""
    if not upload:
        return None
    try:
        return json.loads(upload.read(2_000_000).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


@bp.route("/questionnaires/<int:questionnaire_id>/modifier", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def edit(questionnaire_id: int):
    questionnaire = _staff(questionnaire_id)
    form = QuestionnaireForm(obj=questionnaire)
    if form.validate_on_submit():
        services.update_questionnaire(
            questionnaire, title=form.title.data, introduction=form.introduction.data or "",
            consent_text=form.consent_text.data or "", opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
        )
        flash(_("Le questionnaire a été enregistré."), "success")
        return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id))
    locked = services.has_answers(questionnaire)
    readability = {q.id: analyse(q.text) for q in questionnaire.questions}
    intro_readability = analyse(questionnaire.introduction) if questionnaire.introduction else None
    return render_template(
        "questionnaires/edit.html", questionnaire=questionnaire, form=form, locked=locked,
        readability=readability, intro_readability=intro_readability, LEVEL_LABELS=LEVEL_LABELS,
        KIND_LABELS=KIND_LABELS, section_form=SectionForm(formdata=None), State=State,
        choice_owners=services.choice_index(questionnaire), FREE_CHOICE_KINDS=FREE_CHOICE_KINDS,
        Kind=Kind, refusal=services.refusal(questionnaire),
    ), 400 if form.is_submitted() else 200


@bp.route("/questionnaires/<int:questionnaire_id>/etat", methods=["POST"])
@auth.roles(auth.STAFF)
def state(questionnaire_id: int):
    questionnaire = _staff(questionnaire_id)
    try:
        target = State(request.form.get("state", ""))
    except ValueError:
        abort(400, _("État inconnu."))
    services.set_state(questionnaire, target)
    flash({State.OPEN: _("Le questionnaire est ouvert aux réponses."),
           State.CLOSED: _("Le questionnaire est clos."),
           State.DRAFT: _("Le questionnaire est repassé en brouillon.")}[target], "success")
    return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id))


@bp.route("/questionnaires/<int:questionnaire_id>/sections", methods=["POST"])
@auth.roles(auth.STAFF)
def section_new(questionnaire_id: int):
    questionnaire = _staff(questionnaire_id)
    form = SectionForm()
    if not form.validate():
        abort(400, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    section = services.add_section(questionnaire, form.title.data)
    return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id) + f"#section-{section.id}")


@bp.route("/questionnaires/<int:questionnaire_id>/sections/<int:section_id>", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def section_edit(questionnaire_id: int, section_id: int):
    questionnaire = _staff(questionnaire_id)
    section = _child(questionnaire, Section, section_id)
    form = SectionForm(obj=section)
    if form.validate_on_submit():
        services.update_section(section, form.title.data)
        return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id) + f"#section-{section.id}")
    return render_template("questionnaires/section_form.html", form=form, questionnaire=questionnaire,
                           section=section), 400 if form.is_submitted() else 200


@bp.route("/questionnaires/<int:questionnaire_id>/sections/<int:section_id>/supprimer", methods=["POST"])
@auth.roles(auth.STAFF)
def section_delete(questionnaire_id: int, section_id: int):
    questionnaire = _staff(questionnaire_id)
    section = _child(questionnaire, Section, section_id)
    return _delete_from_builder(
        questionnaire, section, lambda: services.delete_section(section), _("La section a été supprimée."),
        title=_("Supprimer la section « %(title)s » ?", title=section.title),
        message=ngettext("La section et sa question seront supprimées.",
                         "La section et ses %(num)d questions seront supprimées.", len(section.questions))
        if section.questions else _("La section vide sera supprimée."),
        items=[question.text for question in section.questions],
    )


def _question_form_choices(form, questionnaire, section, question=None):
    form.theme_id.choices = _theme_choices(questionnaire)
    form.condition_choice_id.choices = _condition_choices(questionnaire, section, question)


@bp.route("/questionnaires/<int:questionnaire_id>/sections/<int:section_id>/questions/nouvelle", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def question_new(questionnaire_id: int, section_id: int):
    questionnaire = _staff(questionnaire_id)
    section = _child(questionnaire, Section, section_id)
    form = QuestionForm()
    _question_form_choices(form, questionnaire, section)
    error = None
    if form.validate_on_submit():
        kind = Kind(form.kind.data)
        try:
            question = services.add_question(
                section, kind=kind, text=form.text.data or "", help_text=form.help_text.data or "",
                required=form.required.data, max_choices=form.max_choices.data,
                theme_id=form.theme_id.data, condition_choice_id=form.condition_choice_id.data,
                choices=(form.choices_text.data or "").splitlines(),
            )
        except QuestionnaireError as exc:
            error = exc.message
        else:
            flash(_("La question a été ajoutée."), "success")
            return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id) + f"#question-{question.id}")
    return render_template("questionnaires/question_form.html", form=form, questionnaire=questionnaire,
                           section=section, question=None, error=error, readability=None,
                           LEVEL_LABELS=LEVEL_LABELS), 400 if form.is_submitted() else 200


@bp.route("/questionnaires/<int:questionnaire_id>/questions/<int:question_id>", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def question_edit(questionnaire_id: int, question_id: int):
    questionnaire = _staff(questionnaire_id)
    question = _child(questionnaire, Question, question_id)
    form = QuestionEditForm(obj=question)
    _question_form_choices(form, questionnaire, question.section, question)
    locked = services.has_answers(questionnaire)
    error = None
    if form.validate_on_submit():
        try:
            services.update_question(
                question, text=form.text.data or "", help_text=form.help_text.data or "",
                required=form.required.data, max_choices=form.max_choices.data,
                theme_id=form.theme_id.data, condition_choice_id=form.condition_choice_id.data,
                locked=locked,
            )
        except QuestionnaireError as exc:
            error = exc.message
        else:
            flash(_("La question a été enregistrée."), "success")
            return redirect(url_for("questionnaires.question_edit", questionnaire_id=questionnaire.id, question_id=question.id))
    return render_template(
        "questionnaires/question_form.html", form=form, questionnaire=questionnaire, section=question.section,
        question=question, error=error, locked=locked, readability=analyse(question.text),
        LEVEL_LABELS=LEVEL_LABELS, KIND_LABELS=KIND_LABELS, choice_form=_blank_choice_form(questionnaire),
        FREE_CHOICE_KINDS=FREE_CHOICE_KINDS, Kind=Kind,
    ), 400 if form.is_submitted() else 200


def _blank_choice_form(questionnaire):
    form = ChoiceForm(formdata=None)
    form.theme_id.choices = _theme_choices(questionnaire)
    return form


@bp.route("/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/supprimer", methods=["POST"])
@auth.roles(auth.STAFF)
def question_delete(questionnaire_id: int, question_id: int):
    questionnaire = _staff(questionnaire_id)
    question = _child(questionnaire, Question, question_id)
    return _delete_from_builder(
        questionnaire, question, lambda: services.delete_question(question), _("La question a été supprimée."),
        title=_("Supprimer cette question ?"),
        message=_("La question et ses choix de réponse seront supprimés."),
        items=[question.text],
    )


def _delete_from_builder(questionnaire, item, delete, done_message: str, *, title: str, message: str, items):
    """A deletion, after the confirmation step (without JavaScript); a refused one (e.g. answers
    exist) is a 409 with its message, before any confirmation."""
    services.check_deletable(item)
    if not confirmed():
        return confirmation(
            title=title, message=message, items=items, confirm_label=_("Confirmer la suppression"),
            back_url=url_for("questionnaires.edit", questionnaire_id=questionnaire.id),
        )
    delete()
    flash(done_message, "success")
    return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id))


@bp.route("/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/deplacer", methods=["POST"])
@auth.roles(auth.STAFF)
def question_move(questionnaire_id: int, question_id: int):
    questionnaire = _staff(questionnaire_id)
    question = _child(questionnaire, Question, question_id)
    services.move_question(question, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id) + f"#question-{question.id}")


@bp.route("/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/choix", methods=["POST"])
@auth.roles(auth.STAFF)
def choice_new(questionnaire_id: int, question_id: int):
    questionnaire = _staff(questionnaire_id)
    question = _child(questionnaire, Question, question_id)
    form = ChoiceForm()
    form.theme_id.choices = _theme_choices(questionnaire)
    if not form.validate():
        abort(400, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    services.add_choice(question, form.label.data, form.theme_id.data)
    return redirect(url_for("questionnaires.question_edit", questionnaire_id=questionnaire.id, question_id=question.id))


@bp.route("/questionnaires/<int:questionnaire_id>/choix/<int:choice_id>", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def choice_edit(questionnaire_id: int, choice_id: int):
    questionnaire = _staff(questionnaire_id)
    choice = _child(questionnaire, Choice, choice_id)
    form = ChoiceForm(obj=choice)
    form.theme_id.choices = _theme_choices(questionnaire)
    if form.validate_on_submit():
        try:
            services.update_choice(choice, form.label.data, form.theme_id.data)
        except QuestionnaireError as exc:
            form.theme_id.errors = [exc.message] if exc.code == "bad_theme" else []
            form.label.errors = [] if exc.code == "bad_theme" else [exc.message]
        else:
            return redirect(url_for("questionnaires.question_edit", questionnaire_id=questionnaire.id,
                                    question_id=choice.question_id))
    return render_template("questionnaires/choice_form.html", form=form, questionnaire=questionnaire,
                           choice=choice), 400 if form.is_submitted() else 200


@bp.route("/questionnaires/<int:questionnaire_id>/choix/<int:choice_id>/supprimer", methods=["POST"])
@auth.roles(auth.STAFF)
def choice_delete(questionnaire_id: int, choice_id: int):
    questionnaire = _staff(questionnaire_id)
    choice = _child(questionnaire, Choice, choice_id)
    question_id = choice.question_id
    services.check_deletable(choice)
    if not confirmed():
        return confirmation(
            title=_("Supprimer ce choix de réponse ?"), message=_("Le choix sera retiré de la question."),
            items=[choice.label], confirm_label=_("Confirmer la suppression"),
            back_url=url_for("questionnaires.question_edit", questionnaire_id=questionnaire.id,
                             question_id=question_id),
        )
    services.delete_choice(choice)
    return redirect(url_for("questionnaires.question_edit", questionnaire_id=questionnaire.id, question_id=question_id))


@bp.route("/questionnaires/lisibilite", methods=["POST"])
@auth.roles(auth.STAFF)
def readability():
    """The readability of a text being typed, for the builder's live hint (JSON)."""
    text = (request.form.get("text") or "")[:5000]
    report = analyse(text)
    return {
        "score": report.score, "level": report.level, "level_label": str(LEVEL_LABELS[report.level]),
        "long_sentences": list(report.long_sentences), "rare_words": list(report.rare_words),
    }


@bp.route("/questionnaires/<int:questionnaire_id>/traductions", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def translations(questionnaire_id: int):
    questionnaire = _staff(questionnaire_id)
    error = None
    if request.method == "POST":
        try:
            services.set_translations(questionnaire, request.form)
        except QuestionnaireError as exc:
            error = exc.message
        else:
            flash(_("Les traductions ont été enregistrées."), "success")
            return redirect(url_for("questionnaires.translations", questionnaire_id=questionnaire.id))
    return render_template("questionnaires/translations.html", questionnaire=questionnaire,
                           items=services.translatable_objects(questionnaire), error=error,
                           form_values=request.form), 400 if error else 200


@bp.route("/questionnaires/<int:questionnaire_id>/dupliquer", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def duplicate(questionnaire_id: int):
    questionnaire = _staff(questionnaire_id)
    targets = [q for q in territory.all_quartiers() if current_user.covers_quartier(q)]
    form = DuplicateForm()
    form.target.choices = choices([(q.qpv_code, f"{q.name} ({q.commune.contrat.name})") for q in targets])
    if form.validate_on_submit():
        target = next((q for q in targets if q.qpv_code == form.target.data), None)
        if target is None:
            abort(403)
        copy = services.duplicate(questionnaire, quartier=target, contrat_id=target.contrat_id,
                                  suffix=" " + _("(copie)"))
        flash(_("Le questionnaire a été dupliqué comme brouillon."), "success")
        return redirect(url_for("questionnaires.edit", questionnaire_id=copy.id))
    return render_template("questionnaires/duplicate.html", form=form, questionnaire=questionnaire), 400 if form.is_submitted() else 200


@bp.route("/questionnaires/<int:questionnaire_id>/export.json")
@auth.roles(auth.STAFF)
def export_json(questionnaire_id: int):
    questionnaire = _staff(questionnaire_id)
    body = json.dumps(services.export_data(questionnaire), ensure_ascii=False, indent=2)
    return HttpResponse(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="questionnaire-{questionnaire.id}.json"'})


# --- paper ---------------------------------------------------------------------------------

@bp.route("/questionnaires/<int:questionnaire_id>/imprimer")
@auth.roles(auth.STAFF)
def print_version(questionnaire_id: int):
    from participation.questionnaires import paper

    questionnaire = _staff(questionnaire_id)
    language = request.args.get("langue") if request.args.get("langue") in ("fr", "en", "ar") else "fr"
    with force_locale(language):  # the sheet's own words in its language, the page's in the reader's
        sheet = Markup(render_template(
            "questionnaires/_paper_sheet.html", questionnaire=questionnaire, language=language,
            themes=services.ranking_themes(questionnaire), qr_svg=paper.qr_svg(_public_url(questionnaire)),
            public_url=_public_url(questionnaire), hints=services.condition_hints(questionnaire, language)))
    return render_template("questionnaires/print.html", questionnaire=questionnaire, language=language, sheet=sheet)


def _public_url(questionnaire: Questionnaire) -> str:
    return url_for("questionnaires.start", questionnaire_id=questionnaire.id, _external=True)


@bp.route("/questionnaires/<int:questionnaire_id>/formulaires.pdf")
@auth.roles(auth.STAFF)
def pdf(questionnaire_id: int):
    from participation.questionnaires import paper

    questionnaire = _staff(questionnaire_id)
    first = parse_int(request.args.get("premier", "1"), minimum=1, maximum=9_999_999)
    count = parse_int(request.args.get("nombre", "1"), minimum=1, maximum=200)
    if first is None or count is None:
        abort(400, _("Indiquez un premier numéro positif et un nombre de formulaires entre 1 et 200."))
    language = request.args.get("langue") if request.args.get("langue") in ("fr", "en", "ar") else "fr"
    body = paper.pdf_bytes(questionnaire, _public_url(questionnaire), first=first, count=count,
                           language=language, themes=services.ranking_themes(questionnaire),
                           hints=services.condition_hints(questionnaire, language))
    return HttpResponse(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="questionnaire-{questionnaire.id}.pdf"'})


def _paper_form(questionnaire, *, response=None, values=None, errors=None, form_number="", error=None, status=200,
                filled_on="", error_field="form_number"):
    return render_template(
        "questionnaires/paper_entry.html", questionnaire=questionnaire, response=response,
        values=values or {}, errors=errors or {}, form_number=form_number, error=error,
        filled_on=filled_on, error_field=error_field, today=services.today().isoformat(),
        themes=services.ranking_themes(questionnaire), recent=services.paper_responses(questionnaire, 20),
        language="fr", hints=services.condition_hints(questionnaire),
        quartiers=scope.contrat_quartiers(questionnaire), chosen_quartier=request.form.get("quartier", ""),
    ), status


def _parse_paper(questionnaire):
    theme_ids = {t.id for t in services.ranking_themes(questionnaire)}
    return services.parse_answers(questionnaire.questions, request.form, theme_ids=theme_ids, enforce_required=False)


@bp.route("/questionnaires/<int:questionnaire_id>/saisie", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def paper_entry(questionnaire_id: int):
    questionnaire = _staff(questionnaire_id)
    if questionnaire.state is State.DRAFT:
        raise errors.in_preparation()
    if request.method == "GET":
        # The date of the last form entered stays for the next one (a batch from one evening).
        try:
            kept = services.parse_form_date(request.args.get("date"))
        except QuestionnaireError:
            kept = None
        return _paper_form(questionnaire, form_number=str(services.next_form_number(questionnaire)),
                           filled_on=kept.isoformat() if kept else "")
    (number, filled_on), refused = _save_paper(questionnaire)
    if refused:
        return refused
    flash(_("Formulaire n° %(n)s enregistré.", n=number), "success")
    return redirect(url_for("questionnaires.paper_entry", questionnaire_id=questionnaire.id,
                            date=filled_on.isoformat() if filled_on else None))


def _save_paper(questionnaire, response=None):
    """Enters a new paper form (response None) or corrects one from the posted fields. Returns
    ((form number, date written on it), None) once stored, or ((None, None), the form again with
    a 400) with nothing stored. The same form entered twice (a double click, a retry) is stored
    once and both answers say it is saved."""
    raw_number = request.form.get("form_number", "")
    raw_date = request.form.get("filled_on", "")
    values, answer_errors = _parse_paper(questionnaire)
    error = None
    try:
        number = services.parse_form_number(raw_number)
        filled_on = services.parse_form_date(raw_date)
        if not answer_errors:
            if response is None:
                services.enter_paper(questionnaire, form_number=number, values=values, entered_by_id=current_user.id,
                                     quartier_id=scope.response_quartier_id(questionnaire, request.form.get("quartier")), submitted_on=filled_on)
            else:
                services.correct_paper(questionnaire, response, form_number=number, values=values,
                                       submitted_on=filled_on)
            return (number, filled_on), None
    except QuestionnaireError as exc:
        error = exc
    return (None, None), _paper_form(
        questionnaire, response=response, values=values, errors=answer_errors, form_number=raw_number,
        filled_on=raw_date, error=error.message if error else None,
        error_field="filled_on" if error is not None and error.code == "bad_form_date" else "form_number",
        status=400)


@bp.route("/questionnaires/<int:questionnaire_id>/saisie/<int:response_id>", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def paper_edit(questionnaire_id: int, response_id: int):
    questionnaire = _staff(questionnaire_id)
    response = db.session.get(Response, response_id)
    if response is None or response.questionnaire_id != questionnaire.id or response.source is not Source.PAPER:
        abort(404)
    if request.method == "GET":
        return _paper_form(questionnaire, response=response, values=services.response_values(response),
                           form_number=str(response.form_number), filled_on=response.submitted_on.isoformat())
    (number, _filled_on), refused = _save_paper(questionnaire, response)
    if refused:
        return refused
    flash(_("Formulaire n° %(n)s corrigé.", n=number), "success")
    return redirect(url_for("questionnaires.paper_entry", questionnaire_id=questionnaire.id))


@bp.route("/questionnaires/<int:questionnaire_id>/borne", methods=["POST"])
@auth.roles(auth.STAFF)
def kiosk(questionnaire_id: int):
    """Kiosk mode for a shared tablet: this browser may answer again after each response, for
    KIOSK_AGE. The facilitator is signed out at once: residents never share a staff session."""
    questionnaire = _staff(questionnaire_id)
    name = f"{KIOSK_PREFIX}{questionnaire.id}"
    if request.form.get("enable") == "1":
        response = redirect(url_for("questionnaires.start", questionnaire_id=questionnaire.id))
        response.set_cookie(name, _kiosk_serializer().dumps(questionnaire.id), max_age=KIOSK_AGE,
                            httponly=True, samesite="Lax", secure=request.is_secure)
        logout_user()
        flash(_("Mode borne activé sur cet appareil pour 12 heures : après chaque réponse, une nouvelle personne peut répondre. Vous avez été déconnecté·e de cet appareil."), "success")
        return response
    response = redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id))
    response.delete_cookie(name)
    flash(_("Mode borne désactivé sur cet appareil."), "success")
    return response


def _kiosk_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="questionnaire-kiosk-timed")


def _is_kiosk(questionnaire_id: int) -> bool:
    raw = request.cookies.get(f"{KIOSK_PREFIX}{questionnaire_id}")
    if not raw:
        return False
    try:
        return _kiosk_serializer().loads(raw, max_age=KIOSK_AGE) == questionnaire_id
    except BadSignature:  # forged, or older than KIOSK_AGE (SignatureExpired)
        return False


# --- results -------------------------------------------------------------------------------

def _filters(questionnaire: Questionnaire) -> Filters:
    args = request.args
    source = {"online": Source.ONLINE, "paper": Source.PAPER}.get(args.get("source", ""))
    demographic = {c.id for q in questionnaire.questions if q.kind in DEMOGRAPHIC_KINDS for c in q.choices}
    picked = []
    for raw in args.getlist("choix"):
        if parse_int(raw) in demographic:
            picked.append(parse_int(raw))
        elif raw:
            abort(400, _("Ce filtre ne correspond à aucune réponse démographique de ce questionnaire."))

    def day(name):
        raw = args.get(name, "")
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            abort(400, _("Date invalide : utilisez la forme AAAA-MM-JJ."))

    return Filters(source=source, choice_ids=tuple(picked), start=day("du"), end=day("au"),
                   quartier_ids=scope.reader_quartier_ids(questionnaire, current_user))


@bp.route("/questionnaires/<int:questionnaire_id>/resultats")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def results(questionnaire_id: int):
    questionnaire = _readers(questionnaire_id)
    filters = _filters(questionnaire)
    language = current_language()
    only = request.args.get("question", "")
    only_id = parse_int(only)
    only_ids = {only_id} if only_id in {q.id for q in questionnaire.questions} else None
    if only and only_ids is None:
        abort(400, _("Cette question n'appartient pas à ce questionnaire."))
    demographic_ids = {q.id for q in questionnaire.questions if q.kind in (Kind.AGE_BAND, Kind.GENDER)}
    total = services.response_count(questionnaire, filters)
    hidden = privacy.hides_group(filters, total)
    question_results = [] if hidden else privacy.mask_results(services.results(
        questionnaire, filters, language, question_ids=(only_ids | demographic_ids) if only_ids else None), filters)
    demographics = [r for r in question_results if r.question.id in demographic_ids]
    if only_ids:
        question_results = [r for r in question_results if r.question.id in only_ids]
    population = None
    if questionnaire.quartier is not None:
        population = questionnaire.quartier.population
    return render_template(
        "questionnaires/results.html", questionnaire=questionnaire, results=question_results,
        filters=filters, total=total, hidden=hidden, min_group=privacy.MIN_GROUP,
        days=[] if hidden else privacy.mask_days(services.per_day(questionnaire, filters), filters),
        demographics=demographics, population=population,
        demographic_questions=[q for q in questionnaire.questions if q.kind in DEMOGRAPHIC_KINDS],
        language=language, Kind=Kind, Source=Source, args=request.args,
        query=request.query_string.decode("utf-8", "replace") if not only else "", only=only_ids,
    )


@bp.route("/questionnaires/<int:questionnaire_id>/textes")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def texts(questionnaire_id: int):
    questionnaire = _readers(questionnaire_id)
    filters = _filters(questionnaire)
    search = (request.args.get("recherche") or "").strip()[:200]
    question_id = parse_int(request.args.get("question"))
    hidden = privacy.hides_group(filters, services.response_count(questionnaire, filters))
    answers = [] if hidden else services.text_answers(questionnaire, filters, search=search, question_id=question_id)
    return render_template(
        "questionnaires/texts.html", questionnaire=questionnaire, answers=answers, search=search,
        question_id=question_id, questions={q.id: q for q in questionnaire.questions},
        text_questions=[q for q in questionnaire.questions if q.is_text],
        themes=services.mappable_themes(questionnaire), can_tag=auth.can_act_on_quartier(questionnaire.quartier)
        if questionnaire.quartier else (current_user.role in auth.STAFF and current_user.covers_contrat(questionnaire.contrat)),
        scoped=filters.quartier_ids is not None, hidden=hidden, min_group=privacy.MIN_GROUP,
        args=request.args,
    )


def _text_answer(questionnaire, answer_id):
    answer = services.text_answer(questionnaire, answer_id)
    if answer is None:
        abort(404)
    return answer


@bp.route("/questionnaires/<int:questionnaire_id>/textes/<int:answer_id>/themes", methods=["POST"])
@auth.roles(auth.STAFF)
def tag(questionnaire_id: int, answer_id: int):
    questionnaire = _staff(questionnaire_id)
    answer = _text_answer(questionnaire, answer_id)
    services.tag_text(questionnaire, answer, parse_int(request.form.get("theme_id"), -1))
    return redirect(url_for("questionnaires.texts", questionnaire_id=questionnaire.id) + f"#reponse-{answer.id}")


@bp.route("/questionnaires/<int:questionnaire_id>/textes/<int:answer_id>/themes/retirer", methods=["POST"])
@auth.roles(auth.STAFF)
def untag(questionnaire_id: int, answer_id: int):
    questionnaire = _staff(questionnaire_id)
    answer = _text_answer(questionnaire, answer_id)
    services.untag_text(answer, parse_int(request.form.get("theme_id"), -1))
    return redirect(url_for("questionnaires.texts", questionnaire_id=questionnaire.id) + f"#reponse-{answer.id}")


def _export_filters(questionnaire: Questionnaire) -> Filters:
    filters = _filters(questionnaire)
    if privacy.hides_group(filters, services.response_count(questionnaire, filters)):
        abort(400, _("Moins de %(n)s réponses correspondent à ce filtre : elles ne sont pas exportées, pour que "
                     "personne ne puisse être reconnu.", n=privacy.MIN_GROUP))
    return filters


@bp.route("/questionnaires/<int:questionnaire_id>/reponses.csv")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def export_csv(questionnaire_id: int):
    questionnaire = _readers(questionnaire_id)
    filters = _export_filters(questionnaire)
    return HttpResponse(
        stream_with_context(exports.csv_chunks(questionnaire, filters)), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="questionnaire-{questionnaire.id}-reponses.csv"'},
    )


@bp.route("/questionnaires/<int:questionnaire_id>/reponses.xlsx")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def export_xlsx(questionnaire_id: int):
    questionnaire = _readers(questionnaire_id)
    body = exports.xlsx_bytes(questionnaire, _export_filters(questionnaire))
    return HttpResponse(
        body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="questionnaire-{questionnaire.id}-reponses.xlsx"'},
    )


# --- answering (residents, no account) -------------------------------------------------------

def _public(questionnaire_id: int) -> Questionnaire:
    questionnaire = _load(questionnaire_id)
    reason = services.refusal(questionnaire)  # a draft is not reachable at all (404)
    if reason is not None:
        raise reason
    if not questionnaire.questions:  # every question removed since it opened
        raise errors.in_preparation()
    return questionnaire


def _cookie_name(questionnaire: Questionnaire) -> str:
    return f"{COOKIE_PREFIX}{questionnaire.id}"


def _hashed(questionnaire: Questionnaire) -> str | None:
    return services.token_hash(request.cookies.get(_cookie_name(questionnaire)))


def _set_token(response, questionnaire: Questionnaire, token: str):
    response.set_cookie(_cookie_name(questionnaire), token, max_age=COOKIE_AGE, httponly=True,
                        samesite="Lax", secure=request.is_secure,
                        path=url_for("questionnaires.start", questionnaire_id=questionnaire.id))
    return response


# The receipt code stays on the device that answered (a signed cookie of the questionnaire's
# pages), so its thanks page shows it again; a kiosk shows it once, to the person in front of it.

def _receipt_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="questionnaire-receipt")


def _kept_receipt(questionnaire_id: int) -> str | None:
    raw = request.cookies.get(f"{RECEIPT_PREFIX}{questionnaire_id}")
    if not raw or len(raw) > 200:
        return None
    try:
        kept = _receipt_serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(kept, dict) or kept.get("q") != questionnaire_id:
        return None
    return kept.get("c") if isinstance(kept.get("c"), str) else None


def _keep_receipt(response, questionnaire_id: int, code: str) -> None:
    response.set_cookie(f"{RECEIPT_PREFIX}{questionnaire_id}", _receipt_serializer().dumps({"q": questionnaire_id, "c": code}),
                        max_age=COOKIE_AGE, httponly=True, samesite="Lax", secure=request.is_secure,
                        path=url_for("questionnaires.start", questionnaire_id=questionnaire_id))


def _already_answered(questionnaire: Questionnaire, hashed: str | None) -> bool:
    if _is_kiosk(questionnaire.id):
        return False
    return _kept_receipt(questionnaire.id) is not None or receipts.answered(questionnaire.id, hashed)


def _thanks(questionnaire_id: int):
    return redirect(url_for("questionnaires.thanks", questionnaire_id=questionnaire_id))


@bp.route("/q/<int:questionnaire_id>")
@auth.public
def start(questionnaire_id: int):
    questionnaire = _public(questionnaire_id)
    hashed = _hashed(questionnaire)
    language = current_language()
    draft = services.find_draft(questionnaire, hashed)
    return render_template(
        "questionnaires/start.html", questionnaire=questionnaire, language=language, draft=draft,
        answered=_already_answered(questionnaire, hashed), error=None,
        sections=services.visible_sections(questionnaire, draft.data if draft else {}),
        quartier_code=request.args.get("quartier", ""),
    )


@bp.route("/q/<int:questionnaire_id>/commencer", methods=["POST"])
@auth.public
@limiter.limit(_anonymous_limit, methods=["POST"])
def begin(questionnaire_id: int):
    questionnaire = _public(questionnaire_id)
    hashed = _hashed(questionnaire)
    token = None
    if _already_answered(questionnaire, hashed):
        return _thanks(questionnaire.id)
    if hashed is None or receipts.answered(questionnaire.id, hashed):
        token = services.new_token()  # first visit, or a kiosk after a response
        hashed = services.token_hash(token)
    try:
        draft = answering.start(questionnaire, hashed, consent=request.form.get("consent") == "1",
                                quartier_code=request.form.get("quartier", ""))
    except QuestionnaireError as error:
        return render_template(
            "questionnaires/start.html", questionnaire=questionnaire, language=current_language(), draft=None,
            answered=False, sections=questionnaire.sections, quartier_code=request.form.get("quartier", ""),
            error=error.message,
        ), 400
    target = url_for("questionnaires.section", questionnaire_id=questionnaire.id,
                     section_id=services.resume_section(questionnaire, draft.data or {}).id)
    response = redirect(target)
    if token:
        _set_token(response, questionnaire, token)
    return response


def _section_page(questionnaire, section, values, errors_by_question, status=200):
    sections = services.visible_sections(questionnaire, values)
    owners = services.choice_owners(questionnaire)
    position = next((i for i, s in enumerate(sections) if s.id == section.id), 0)
    return render_template(
        "questionnaires/section.html", questionnaire=questionnaire, section=section,
        questions=services.visible_questions(section, values, owners), values=values, errors=errors_by_question,
        position=position + 1, count=len(sections), is_last=position == len(sections) - 1,
        previous=sections[position - 1] if position > 0 else None, language=current_language(),
        themes=services.ranking_themes(questionnaire),
    ), status


def _draft_or_answered(questionnaire, hashed):
    """(draft, None), or (None, the answer to give) when the device has no draft. A device that
    holds a token but no draft sent its response: its draft is deleted only by the submission
    (or after COOKIE_AGE unused, when the token is gone too), so a retried page lands on thanks."""
    draft = services.find_draft(questionnaire, hashed)
    if draft is not None:
        return draft, None
    if hashed is not None:
        return None, _thanks(questionnaire.id)
    if request.method == "POST":
        raise QuestionnaireError("expired", errors.SESSION_EXPIRED, status=409)
    return None, redirect(url_for("questionnaires.start", questionnaire_id=questionnaire.id))


def _after_step(questionnaire, step: answering.Step):
    if step.incomplete:
        flash(_("Une réponse obligatoire manque encore."), "error")
    if step.section is not None:
        return redirect(url_for("questionnaires.section", questionnaire_id=questionnaire.id,
                                section_id=step.section.id))
    response = _thanks(questionnaire.id)
    if step.receipt_code is None:
        return response  # stored by a simultaneous request, which keeps the receipt
    if _is_kiosk(questionnaire.id):
        # Shown once to the person at the tablet; the next one starts with a new token.
        session[RECEIPT_SESSION_KEY] = {"questionnaire_id": questionnaire.id, "code": step.receipt_code}
        response.delete_cookie(_cookie_name(questionnaire),
                               path=url_for("questionnaires.start", questionnaire_id=questionnaire.id))
    else:
        _keep_receipt(response, questionnaire.id, step.receipt_code)
    return response


@bp.route("/q/<int:questionnaire_id>/s/<int:section_id>", methods=["GET", "POST"])
@auth.public
@limiter.limit(_anonymous_limit, methods=["POST"])
def section(questionnaire_id: int, section_id: int):
    questionnaire = _public(questionnaire_id)
    hashed = _hashed(questionnaire)
    if _already_answered(questionnaire, hashed):
        return _thanks(questionnaire.id)
    draft, answer = _draft_or_answered(questionnaire, hashed)
    if answer is not None:
        return answer
    current = next((s for s in questionnaire.sections if s.id == section_id), None)
    if current is None:
        abort(404)
    data = dict(draft.data or {})
    if request.method == "GET":
        return _section_page(questionnaire, current, data, {})
    going_back = request.form.get("action") == "previous"
    values, refused = answering.parse_page(questionnaire, current, draft, request.form, going_back=going_back)
    if refused:
        return _section_page(questionnaire, current, {**data, **values}, refused, 400)
    return _after_step(questionnaire, answering.save_page(questionnaire, draft, current, values, hashed,
                                                          going_back=going_back))


@bp.route("/q/<int:questionnaire_id>/envoyer", methods=["POST"])
@auth.public
@limiter.limit(_anonymous_limit, methods=["POST"])
def submit(questionnaire_id: int):
    """A retried or doubled submission: answered already means thanks, nothing stored twice."""
    questionnaire = _public(questionnaire_id)
    hashed = _hashed(questionnaire)
    if _already_answered(questionnaire, hashed):
        return _thanks(questionnaire.id)
    draft, answer = _draft_or_answered(questionnaire, hashed)
    if answer is not None:
        return answer
    return _after_step(questionnaire, answering.submit(questionnaire, draft, hashed))


@bp.route("/q/<int:questionnaire_id>/merci")
@auth.public
def thanks(questionnaire_id: int):
    questionnaire = _load(questionnaire_id)
    if questionnaire.state is State.DRAFT:
        abort(404)
    kiosk = _is_kiosk(questionnaire.id)
    code = None
    once = session.get(RECEIPT_SESSION_KEY)
    if isinstance(once, dict) and once.get("questionnaire_id") == questionnaire.id:
        code = session.pop(RECEIPT_SESSION_KEY).get("code")
    elif not kiosk:
        code = _kept_receipt(questionnaire.id)
    response = HttpResponse(render_template(
        "questionnaires/thanks.html", questionnaire=questionnaire, language=current_language(),
        kiosk=kiosk, receipt_code=code, shown_once=kiosk,
    ))
    if code:
        response.headers["Cache-Control"] = "no-store"  # the code is never kept by a cache
    return response


@bp.route("/q/<int:questionnaire_id>/qr.svg")
@auth.public
def qr(questionnaire_id: int):
    from participation.questionnaires import paper

    questionnaire = _load(questionnaire_id)
    if questionnaire.state is State.DRAFT:
        abort(404)
    return HttpResponse(paper.qr_svg(_public_url(questionnaire)), mimetype="image/svg+xml")
