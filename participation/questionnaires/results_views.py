"""Reading the responses: results per question, text answers and their themes, CSV and XLSX exports."""
from __future__ import annotations

from datetime import date

from flask import Response as HttpResponse, abort, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from participation import auth
from participation.i18n import current_language
from participation.params import parse_int
from participation.questionnaires import exports, privacy, scope, services, tagging
from participation.questionnaires.blueprint import bp, for_readers, for_staff, staff_may_act
from participation.questionnaires.models import DEMOGRAPHIC_KINDS, Kind, Questionnaire, Source
from participation.questionnaires.results import (
    Filters, per_day, response_count, results as results_per_question, text_answer, text_answers,
)


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
    questionnaire = for_readers(questionnaire_id)
    filters = _filters(questionnaire)
    language = current_language()
    only = request.args.get("question", "")
    only_id = parse_int(only)
    only_ids = {only_id} if only_id in {q.id for q in questionnaire.questions} else None
    if only and only_ids is None:
        abort(400, _("Cette question n'appartient pas à ce questionnaire."))
    demographic_ids = {q.id for q in questionnaire.questions if q.kind in (Kind.AGE_BAND, Kind.GENDER)}
    total = response_count(questionnaire, filters)
    hidden = privacy.hides_group(filters, total)
    question_results = [] if hidden else privacy.mask_results(results_per_question(
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
        days=[] if hidden else privacy.mask_days(per_day(questionnaire, filters), filters),
        demographics=demographics, population=population,
        demographic_questions=[q for q in questionnaire.questions if q.kind in DEMOGRAPHIC_KINDS],
        language=language, Kind=Kind, Source=Source, args=request.args,
        query=request.query_string.decode("utf-8", "replace") if not only else "", only=only_ids,
    )


@bp.route("/questionnaires/<int:questionnaire_id>/textes")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def texts(questionnaire_id: int):
    questionnaire = for_readers(questionnaire_id)
    filters = _filters(questionnaire)
    search = (request.args.get("recherche") or "").strip()[:200]
    question_id = parse_int(request.args.get("question"))
    hidden = privacy.hides_group(filters, response_count(questionnaire, filters))
    answers = [] if hidden else text_answers(questionnaire, filters, search=search, question_id=question_id)
    return render_template(
        "questionnaires/texts.html", questionnaire=questionnaire, answers=answers, search=search,
        question_id=question_id, questions={q.id: q for q in questionnaire.questions},
        text_questions=[q for q in questionnaire.questions if q.is_text],
        themes=services.mappable_themes(questionnaire), can_tag=staff_may_act(questionnaire),
        scoped=filters.quartier_ids is not None, hidden=hidden, min_group=privacy.MIN_GROUP,
        args=request.args,
    )


def _text_answer(questionnaire, answer_id):
    answer = text_answer(questionnaire, answer_id)
    if answer is None:
        abort(404)
    return answer


@bp.route("/questionnaires/<int:questionnaire_id>/textes/<int:answer_id>/themes", methods=["POST"])
@auth.roles(auth.STAFF)
def tag(questionnaire_id: int, answer_id: int):
    questionnaire = for_staff(questionnaire_id)
    answer = _text_answer(questionnaire, answer_id)
    tagging.tag_text(questionnaire, answer, parse_int(request.form.get("theme_id"), -1))
    return redirect(url_for("questionnaires.texts", questionnaire_id=questionnaire.id) + f"#reponse-{answer.id}")


@bp.route("/questionnaires/<int:questionnaire_id>/textes/<int:answer_id>/themes/retirer", methods=["POST"])
@auth.roles(auth.STAFF)
def untag(questionnaire_id: int, answer_id: int):
    questionnaire = for_staff(questionnaire_id)
    answer = _text_answer(questionnaire, answer_id)
    tagging.untag_text(answer, parse_int(request.form.get("theme_id"), -1))
    return redirect(url_for("questionnaires.texts", questionnaire_id=questionnaire.id) + f"#reponse-{answer.id}")


def _export_filters(questionnaire: Questionnaire) -> Filters:
    filters = _filters(questionnaire)
    if privacy.hides_group(filters, response_count(questionnaire, filters)):
        abort(400, _("Moins de %(n)s réponses correspondent à ce filtre : elles ne sont pas exportées, pour que "
                     "personne ne puisse être reconnu.", n=privacy.MIN_GROUP))
    return filters


@bp.route("/questionnaires/<int:questionnaire_id>/reponses.csv")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def export_csv(questionnaire_id: int):
    questionnaire = for_readers(questionnaire_id)
    filters = _export_filters(questionnaire)
    return HttpResponse(
        stream_with_context(exports.csv_chunks(questionnaire, filters)), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="questionnaire-{questionnaire.id}-reponses.csv"'},
    )


@bp.route("/questionnaires/<int:questionnaire_id>/reponses.xlsx")
@auth.roles(auth.STAFF_AND_OFFICIALS)
def export_xlsx(questionnaire_id: int):
    questionnaire = for_readers(questionnaire_id)
    body = exports.xlsx_bytes(questionnaire, _export_filters(questionnaire), headings={
        "column": _("colonne"), "question": _("question"), "respondents": _("personnes ayant répondu"),
        "answer": _("réponse"), "count": _("nombre"), "percent": _("pourcentage"), "points": _("points"),
        "mean": _("moyenne"), "min": _("minimum"), "max": _("maximum"),
    })
    return HttpResponse(
        body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="questionnaire-{questionnaire.id}-reponses.xlsx"'},
    )
