"""The questionnaire builder's pages: list, create, import, edit, sections, questions, choices,
translations, duplicate, export. Importing this module registers every page of the blueprint."""
from __future__ import annotations

import json

from flask import Response as HttpResponse, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from participation import auth
from participation.confirmation import confirmation, confirmed
from participation.forms import choices
from participation.questionnaires import answer_views, paper_views, results_views  # noqa: F401 (routes)
from participation.questionnaires import building, interchange, scope, services
from participation.questionnaires.blueprint import bp, child_or_404, for_staff, quartier_or_404
from participation.questionnaires.errors import QuestionnaireError
from participation.questionnaires.forms import (
    KIND_LABELS, LEVEL_LABELS, ChoiceForm, DuplicateForm, ImportForm, NewQuestionnaireForm,
    QuestionEditForm, QuestionForm, QuestionnaireForm, SectionForm,
)
from participation.questionnaires.models import FREE_CHOICE_KINDS, Choice, Kind, Question, Questionnaire, Section, State
from participation.questionnaires.readability import hint as readability_hint
from participation.questionnaires.translations import set_translations, translatable_objects


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
    quartier = quartier_or_404(code, auth.STAFF_AND_OFFICIALS)
    return render_template("questionnaires/index.html", quartier=quartier,
                           questionnaires=services.for_quartier(quartier), State=State)


@bp.route("/quartiers/<code>/questionnaires/nouveau", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def new(code: str):
    quartier = quartier_or_404(code)
    form = NewQuestionnaireForm()
    if form.validate_on_submit():
        shared = form.shared.data and scope.may_share(current_user, quartier)
        questionnaire = building.create_questionnaire(
            contrat_id=quartier.contrat_id, quartier=None if shared else quartier,
            title=form.title.data, introduction=form.introduction.data or "",
            consent_text=form.consent_text.data or "", opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
        )
        building.add_section(questionnaire, _("Section 1"))
        flash(_("Le questionnaire a été créé. Ajoutez maintenant ses questions."), "success")
        return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id))
    return render_template("questionnaires/new.html", form=form, quartier=quartier), 400 if form.is_submitted() else 200


@bp.route("/quartiers/<code>/questionnaires/importer", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def import_json(code: str):
    quartier = quartier_or_404(code)
    form = ImportForm()
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            questionnaire = interchange.import_data(_read_json(upload), contrat_id=quartier.contrat_id,
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
    questionnaire = for_staff(questionnaire_id)
    form = QuestionnaireForm(obj=questionnaire)
    if form.validate_on_submit():
        building.update_questionnaire(
            questionnaire, title=form.title.data, introduction=form.introduction.data or "",
            consent_text=form.consent_text.data or "", opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
        )
        flash(_("Le questionnaire a été enregistré."), "success")
        return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id))
    locked = services.has_answers(questionnaire)
    readability = {q.id: readability_hint(q.text) for q in questionnaire.questions}
    intro_readability = readability_hint(questionnaire.introduction) if questionnaire.introduction else None
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
    questionnaire = for_staff(questionnaire_id)
    try:
        target = State(request.form.get("state", ""))
    except ValueError:
        abort(400, _("État inconnu."))
    building.set_state(questionnaire, target)
    flash({State.OPEN: _("Le questionnaire est ouvert aux réponses."),
           State.CLOSED: _("Le questionnaire est clos."),
           State.DRAFT: _("Le questionnaire est repassé en brouillon.")}[target], "success")
    return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id))


@bp.route("/questionnaires/<int:questionnaire_id>/sections", methods=["POST"])
@auth.roles(auth.STAFF)
def section_new(questionnaire_id: int):
    questionnaire = for_staff(questionnaire_id)
    form = SectionForm()
    if not form.validate():
        abort(400, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    section = building.add_section(questionnaire, form.title.data)
    return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id) + f"#section-{section.id}")


@bp.route("/questionnaires/<int:questionnaire_id>/sections/<int:section_id>", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def section_edit(questionnaire_id: int, section_id: int):
    questionnaire = for_staff(questionnaire_id)
    section = child_or_404(questionnaire, Section, section_id)
    form = SectionForm(obj=section)
    if form.validate_on_submit():
        building.update_section(section, form.title.data)
        return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id) + f"#section-{section.id}")
    return render_template("questionnaires/section_form.html", form=form, questionnaire=questionnaire,
                           section=section), 400 if form.is_submitted() else 200


@bp.route("/questionnaires/<int:questionnaire_id>/sections/<int:section_id>/supprimer", methods=["POST"])
@auth.roles(auth.STAFF)
def section_delete(questionnaire_id: int, section_id: int):
    questionnaire = for_staff(questionnaire_id)
    section = child_or_404(questionnaire, Section, section_id)
    return _delete_from_builder(
        questionnaire, section, lambda: building.delete_section(section), _("La section a été supprimée."),
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
    questionnaire = for_staff(questionnaire_id)
    section = child_or_404(questionnaire, Section, section_id)
    form = QuestionForm()
    _question_form_choices(form, questionnaire, section)
    error = None
    if form.validate_on_submit():
        kind = Kind(form.kind.data)
        try:
            question = building.add_question(
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
    questionnaire = for_staff(questionnaire_id)
    question = child_or_404(questionnaire, Question, question_id)
    form = QuestionEditForm(obj=question)
    _question_form_choices(form, questionnaire, question.section, question)
    locked = services.has_answers(questionnaire)
    error = None
    if form.validate_on_submit():
        try:
            building.update_question(
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
        question=question, error=error, locked=locked, readability=readability_hint(question.text),
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
    questionnaire = for_staff(questionnaire_id)
    question = child_or_404(questionnaire, Question, question_id)
    return _delete_from_builder(
        questionnaire, question, lambda: building.delete_question(question), _("La question a été supprimée."),
        title=_("Supprimer cette question ?"),
        message=_("La question et ses choix de réponse seront supprimés."),
        items=[question.text],
    )


def _delete_from_builder(questionnaire, item, delete, done_message: str | None, *, title: str, message: str, items,
                         back_url: str | None = None):
    """A deletion, after the confirmation step (without JavaScript); a refused one (e.g. answers
    exist) is a 409 with its message, before any confirmation. Back to the builder (or back_url)."""
    back = back_url or url_for("questionnaires.edit", questionnaire_id=questionnaire.id)
    building.check_deletable(item)
    if not confirmed():
        return confirmation(title=title, message=message, items=items,
                            confirm_label=_("Confirmer la suppression"), back_url=back)
    delete()
    if done_message:
        flash(done_message, "success")
    return redirect(back)


@bp.route("/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/deplacer", methods=["POST"])
@auth.roles(auth.STAFF)
def question_move(questionnaire_id: int, question_id: int):
    questionnaire = for_staff(questionnaire_id)
    question = child_or_404(questionnaire, Question, question_id)
    building.move_question(question, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("questionnaires.edit", questionnaire_id=questionnaire.id) + f"#question-{question.id}")


@bp.route("/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/choix", methods=["POST"])
@auth.roles(auth.STAFF)
def choice_new(questionnaire_id: int, question_id: int):
    questionnaire = for_staff(questionnaire_id)
    question = child_or_404(questionnaire, Question, question_id)
    form = ChoiceForm()
    form.theme_id.choices = _theme_choices(questionnaire)
    if not form.validate():
        abort(400, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    building.add_choice(question, form.label.data, form.theme_id.data)
    return redirect(url_for("questionnaires.question_edit", questionnaire_id=questionnaire.id, question_id=question.id))


@bp.route("/questionnaires/<int:questionnaire_id>/choix/<int:choice_id>", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def choice_edit(questionnaire_id: int, choice_id: int):
    questionnaire = for_staff(questionnaire_id)
    choice = child_or_404(questionnaire, Choice, choice_id)
    form = ChoiceForm(obj=choice)
    form.theme_id.choices = _theme_choices(questionnaire)
    if form.validate_on_submit():
        try:
            building.update_choice(choice, form.label.data, form.theme_id.data)
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
    questionnaire = for_staff(questionnaire_id)
    choice = child_or_404(questionnaire, Choice, choice_id)
    return _delete_from_builder(
        questionnaire, choice, lambda: building.delete_choice(choice), None,
        title=_("Supprimer ce choix de réponse ?"), message=_("Le choix sera retiré de la question."),
        items=[choice.label],
        back_url=url_for("questionnaires.question_edit", questionnaire_id=questionnaire.id,
                         question_id=choice.question_id),
    )


@bp.route("/questionnaires/lisibilite", methods=["POST"])
@auth.roles(auth.STAFF)
def readability():
    """The readability of a text being typed, for the builder's live hint (JSON)."""
    text = (request.form.get("text") or "")[:5000]
    report = readability_hint(text)
    return {
        "score": report.score, "level": report.level, "level_label": str(LEVEL_LABELS[report.level]),
        "long_sentences": list(report.long_sentences), "rare_words": list(report.rare_words),
    }


@bp.route("/questionnaires/<int:questionnaire_id>/traductions", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def translations(questionnaire_id: int):
    questionnaire = for_staff(questionnaire_id)
    error = None
    if request.method == "POST":
        try:
            set_translations(questionnaire, request.form)
        except QuestionnaireError as exc:
            error = exc.message
        else:
            flash(_("Les traductions ont été enregistrées."), "success")
            return redirect(url_for("questionnaires.translations", questionnaire_id=questionnaire.id))
    return render_template("questionnaires/translations.html", questionnaire=questionnaire,
                           items=translatable_objects(questionnaire), error=error,
                           form_values=request.form), 400 if error else 200


@bp.route("/questionnaires/<int:questionnaire_id>/dupliquer", methods=["GET", "POST"])
@auth.roles(auth.STAFF)
def duplicate(questionnaire_id: int):
    questionnaire = for_staff(questionnaire_id)
    targets = scope.duplicate_targets(current_user)
    form = DuplicateForm()
    form.target.choices = choices([(q.qpv_code, f"{q.name} ({q.commune.contrat.name})") for q in targets])
    if form.validate_on_submit():
        target = next((q for q in targets if q.qpv_code == form.target.data), None)
        if target is None:
            abort(403)
        copy = interchange.duplicate(questionnaire, quartier=target, contrat_id=target.contrat_id,
                                  suffix=" " + _("(copie)"))
        flash(_("Le questionnaire a été dupliqué comme brouillon."), "success")
        return redirect(url_for("questionnaires.edit", questionnaire_id=copy.id))
    return render_template("questionnaires/duplicate.html", form=form, questionnaire=questionnaire), 400 if form.is_submitted() else 200


@bp.route("/questionnaires/<int:questionnaire_id>/export.json")
@auth.roles(auth.STAFF)
def export_json(questionnaire_id: int):
    questionnaire = for_staff(questionnaire_id)
    body = json.dumps(interchange.export_data(questionnaire), ensure_ascii=False, indent=2)
    return HttpResponse(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="questionnaire-{questionnaire.id}.json"'})
