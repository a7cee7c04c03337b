"""A questionnaire as JSON, to export, import into another quartier or contrat, or duplicate."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from participation.extensions import db
from participation.text import plain_text
from participation.quartiers.models import Quartier, Theme
from participation.questionnaires import building, errors
from participation.questionnaires.errors import QuestionnaireError
from participation.questionnaires.models import (
    CHOICE_KINDS, FREE_CHOICE_KINDS, TRANSLATION_LANGUAGES, Kind, Question, Questionnaire,
)

EXPORT_VERSION = 1


def export_data(questionnaire: Questionnaire) -> dict:
    """A JSON-ready description; themes by slug, conditions by position, so it travels between contrats."""
    themes = {theme.id: theme.slug for theme in db.session.scalars(
        select(Theme).where(Theme.contrat_id == questionnaire.contrat_id))}
    where: dict[int, tuple[int, int, int]] = {}
    for s_index, section in enumerate(questionnaire.sections):
        for q_index, question in enumerate(section.questions):
            for c_index, choice in enumerate(question.choices):
                where[choice.id] = (s_index, q_index, c_index)
    return {
        "format": "parlons-quartier-questionnaire",
        "version": EXPORT_VERSION,
        "title": questionnaire.title,
        "introduction": questionnaire.introduction,
        "consent_text": questionnaire.consent_text,
        "translations": questionnaire.translations or {},
        "sections": [
            {
                "title": section.title,
                "translations": section.translations or {},
                "questions": [
                    {
                        "kind": question.kind.value,
                        "text": question.text,
                        "help_text": question.help_text,
                        "required": question.required,
                        "max_choices": question.max_choices,
                        "theme": themes.get(question.theme_id),
                        "condition": list(where[question.condition_choice_id])
                        if question.condition_choice_id in where else None,
                        "translations": question.translations or {},
                        "choices": [
                            {"label": c.label, "code": c.code, "theme": themes.get(c.theme_id),
                             "translations": c.translations or {}}
                            for c in question.choices
                        ] if question.kind is not Kind.RANKING else [],
                    }
                    for question in section.questions
                ],
            }
            for section in questionnaire.sections
        ],
    }


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise errors.bad_import()
    return plain_text(value)


def _translations(value: Any, fields: tuple[str, ...]) -> dict:
    if not value:
        return {}
    if not isinstance(value, dict):
        raise errors.bad_import()
    result: dict = {}
    for lang in TRANSLATION_LANGUAGES:
        texts = value.get(lang) or {}
        if not isinstance(texts, dict):
            raise errors.bad_import()
        kept = {f: _text(texts.get(f), 2000) for f in fields if texts.get(f)}
        if kept:
            result[lang] = kept
    return result


def import_data(data: Any, *, contrat_id: int, quartier: Quartier | None, title_suffix: str = "") -> Questionnaire:
    """Creates a draft from export_data()'s format; anything malformed raises 'bad_import'."""
    try:
        return _import(data, contrat_id=contrat_id, quartier=quartier, title_suffix=title_suffix)
    except QuestionnaireError as error:
        if error.code != "empty_text":
            raise
        raise errors.bad_import() from None
    except (TypeError, AttributeError, KeyError, ValueError, RecursionError):
        raise errors.bad_import() from None


def _import(data: Any, *, contrat_id: int, quartier: Quartier | None, title_suffix: str) -> Questionnaire:
    if not isinstance(data, dict) or data.get("format") != "parlons-quartier-questionnaire" \
            or not isinstance(data.get("sections"), list):
        raise errors.bad_import()
    themes = {theme.slug: theme.id for theme in db.session.scalars(
        select(Theme).where(Theme.contrat_id == contrat_id, Theme.archived_at.is_(None)))}
    title = _text(data.get("title"), 200)
    if not title:
        raise errors.bad_import()
    questionnaire = building.create_questionnaire(
        contrat_id=contrat_id, quartier=quartier, title=(title + title_suffix)[:200],
        introduction=_text(data.get("introduction"), 5000),
        consent_text=_text(data.get("consent_text"), 5000),
    )
    questionnaire.translations = _translations(data.get("translations"), ("title", "introduction", "consent_text"))
    created: list[list[Question]] = []
    conditions: list[tuple[Question, Any]] = []
    for section_data in data["sections"][:50]:
        if not isinstance(section_data, dict) or not isinstance(section_data.get("questions"), list):
            raise errors.bad_import()
        section = building.add_section(questionnaire, _text(section_data.get("title"), 200) or "Section")
        section.translations = _translations(section_data.get("translations"), ("title",))
        questions: list[Question] = []
        for q in section_data["questions"][:100]:
            if not isinstance(q, dict):
                raise errors.bad_import()
            try:
                kind = Kind(q.get("kind"))
            except ValueError:
                raise errors.bad_import() from None
            max_choices = q.get("max_choices")
            if max_choices is not None and (not isinstance(max_choices, int) or not 1 <= max_choices <= 20):
                raise errors.bad_import()
            choices_data = q.get("choices") or []
            if not isinstance(choices_data, list) or not all(isinstance(c, dict) for c in choices_data):
                raise errors.bad_import()
            free = kind in FREE_CHOICE_KINDS
            question = building.add_question(
                section, kind=kind, text=_text(q.get("text"), 2000), help_text=_text(q.get("help_text"), 2000),
                required=bool(q.get("required")), max_choices=max_choices,
                theme_id=themes.get(q.get("theme")) if isinstance(q.get("theme"), str) else None,
                choices=[_text(c.get("label"), 300) for c in choices_data] if free else (),
            )
            question.translations = _translations(q.get("translations"), ("text", "help_text")) or question.translations
            if free or kind not in CHOICE_KINDS:
                pairs = zip(question.choices, [c for c in choices_data if (c.get("label") or "").strip()])
            else:  # generated choices: matched by code
                by_code = {c.get("code"): c for c in choices_data}
                pairs = ((choice, by_code[choice.code]) for choice in question.choices if choice.code in by_code)
            for choice, c in pairs:
                theme = c.get("theme")
                choice.theme_id = themes.get(theme) if isinstance(theme, str) else None
                choice.translations = _translations(c.get("translations"), ("label",)) or choice.translations
            if q.get("condition") is not None:
                conditions.append((question, q.get("condition")))
            questions.append(question)
        created.append(questions)
    db.session.flush()
    for question, where in conditions:
        try:
            s_index, q_index, c_index = (int(part) for part in where)
            choice = created[s_index][q_index].choices[c_index]
        except (TypeError, ValueError, IndexError):
            raise errors.bad_import() from None
        if s_index >= created.index(next(qs for qs in created if question in qs)):
            raise errors.bad_import()
        question.condition_choice_id = choice.id
    db.session.flush()
    return questionnaire


def duplicate(questionnaire: Questionnaire, *, quartier: Quartier | None, contrat_id: int, suffix: str) -> Questionnaire:
    return import_data(export_data(questionnaire), contrat_id=contrat_id, quartier=quartier, title_suffix=suffix)
