"""Answers: which questions a resident sees, the values read from a form, and the rows they become."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from flask_babel import lazy_gettext as _l, lazy_ngettext

from participation.params import parse_int
from participation.text import plain_text
from participation.questionnaires.errors import QuestionnaireError
from participation.questionnaires.models import (
    CHOICE_KINDS, DEFAULT_RANKING_SIZE, Answer, Kind, Question, Questionnaire, Response, Section,
)

MAX_NUMBER = 1_000_000_000


def is_visible(question: Question, data: Mapping[str, Any], owners: Mapping[int, int]) -> bool:
    """owners: choice id -> question id. A question with a condition shows when its choice was picked."""
    if question.condition_choice_id is None:
        return True
    owner = owners.get(question.condition_choice_id)
    if owner is None:  # the condition's choice is gone: show the question
        return True
    picked = data.get(str(owner)) or []
    return isinstance(picked, list) and question.condition_choice_id in picked


def choice_owners(questionnaire: Questionnaire) -> dict[int, int]:
    return {choice.id: question.id for question in questionnaire.questions for choice in question.choices}


def visible_questions(section: Section, data: Mapping[str, Any], owners: Mapping[int, int]) -> list[Question]:
    return [q for q in section.questions if is_visible(q, data, owners)]


def visible_sections(questionnaire: Questionnaire, data: Mapping[str, Any]) -> list[Section]:
    owners = choice_owners(questionnaire)
    return [s for s in questionnaire.sections if visible_questions(s, data, owners)]


def parse_answers(
    questions: Iterable[Question], form: Any, *, theme_ids: set[int], enforce_required: bool = True,
) -> tuple[dict[str, Any], dict[int, QuestionnaireError]]:
    """Reads q<id> fields (q<id>_<rank> for rankings). Returns (values, {question id: error})."""
    values: dict[str, Any] = {}
    errors_by_question: dict[int, QuestionnaireError] = {}
    for question in questions:
        error, value = _parse_one(question, form, theme_ids)
        if error is None and enforce_required and question.required and value in (None, [], ""):
            error = QuestionnaireError("required", _l("Répondez à cette question."))
        if error is not None:
            errors_by_question[question.id] = error
        elif value not in (None, [], ""):
            values[str(question.id)] = value
    return values, errors_by_question


def _invalid_choice() -> QuestionnaireError:
    return QuestionnaireError("invalid_choice", _l("Ce choix ne fait pas partie des réponses proposées pour cette question."))


def _too_many(limit: int) -> QuestionnaireError:
    return QuestionnaireError("too_many", lazy_ngettext(
        "Une seule réponse possible ici.", "Trop de réponses : %(num)s au maximum.", limit), n=limit)


def _parse_one(question: Question, form: Any, theme_ids: set[int]) -> tuple[QuestionnaireError | None, Any]:
    key = f"q{question.id}"
    if question.kind in CHOICE_KINDS:
        raw = [value for value in form.getlist(key) if value != ""]
        allowed = {choice.id for choice in question.choices}
        picked: list[int] = []
        for value in raw:
            choice_id = parse_int(value)
            if choice_id not in allowed:
                return _invalid_choice(), None
            if choice_id not in picked:
                picked.append(choice_id)
        if not question.is_multi and len(picked) > 1:
            return _too_many(1), None
        if question.is_multi and question.max_choices and len(picked) > question.max_choices:
            return _too_many(question.max_choices), None
        return None, picked
    if question.kind is Kind.RANKING:
        size = question.max_choices or DEFAULT_RANKING_SIZE
        extra = [k for k in form.keys() if k.startswith(key + "_") and form.get(k)
                 and not 1 <= (parse_int(k[len(key) + 1:], 0) or 0) <= size]
        if extra:
            return _too_many(size), None
        ranked: list[int] = []
        for rank in range(1, size + 1):
            value = form.get(f"{key}_{rank}", "")
            if value == "":
                continue
            theme_id = parse_int(value)
            if theme_id not in theme_ids:
                return _invalid_choice(), None
            if theme_id in ranked:
                return QuestionnaireError("duplicate_rank", _l("Chaque thème ne peut être classé qu'une seule fois.")), None
            ranked.append(theme_id)
        return None, ranked
    raw = (form.get(key) or "").strip()
    if question.kind is Kind.NUMBER:
        if raw == "":
            return None, None
        not_a_number = QuestionnaireError("not_a_number", _l("Indiquez un nombre, par exemple 12."))
        try:
            number = float(raw.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
        except ValueError:
            return not_a_number, None
        if number != number or abs(number) >= MAX_NUMBER:
            return not_a_number, None
        return None, number
    # text: kept as typed (line breaks normalised), whatever characters it holds
    text = plain_text(raw)
    if len(text) > question.text_limit:
        return QuestionnaireError("too_long", _l("Le texte est trop long : %(n)s caractères au maximum."),
                                  n=question.text_limit), None
    return None, text or None


def answers_from(questionnaire: Questionnaire, data: Mapping[str, Any], *, visible_only: bool) -> list[Answer]:
    owners = choice_owners(questionnaire)
    answers: list[Answer] = []
    for question in questionnaire.questions:
        value = data.get(str(question.id))
        if value in (None, [], ""):
            continue
        if visible_only and not is_visible(question, data, owners):
            continue
        if question.kind in CHOICE_KINDS:
            answers.extend(Answer(question_id=question.id, choice_id=int(c)) for c in value)
        elif question.kind is Kind.RANKING:
            answers.extend(Answer(question_id=question.id, theme_id=int(t), rank=rank)
                           for rank, t in enumerate(value, start=1))
        elif question.kind is Kind.NUMBER:
            answers.append(Answer(question_id=question.id, number=float(value)))
        else:
            answers.append(Answer(question_id=question.id, text=str(value)))
    return answers


def response_values(response: Response) -> dict[str, Any]:
    """A stored response as form values (the draft format)."""
    values: dict[str, Any] = {}
    for answer in sorted(response.answers, key=lambda a: (a.rank or 0, a.id or 0)):
        key = str(answer.question_id)
        if answer.choice_id is not None:
            values.setdefault(key, []).append(answer.choice_id)
        elif answer.theme_id is not None:
            values.setdefault(key, []).append(answer.theme_id)
        elif answer.number is not None:
            values[key] = answer.number
        elif answer.text is not None:
            values[key] = answer.text
    return values
