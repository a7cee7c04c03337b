"""Questionnaire operations and queries: building, answering online and on paper, results.

Services add and flush, never commit; they return data and raise a QuestionnaireError that
carries its own message and status (questionnaires/errors.py).
"""
from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, exists, func, insert, or_, select
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from participation.evidence import AGE_BANDS, GENDERS
from participation.extensions import db
from participation.i18n import in_every_language
from participation.params import parse_int
from participation.text import plain_text
from participation.quartiers.models import Quartier, Theme
from participation.quartiers.services import active_themes
from participation.questionnaires import errors, tallies
from participation.questionnaires.errors import QuestionnaireError
from participation.questionnaires.models import (
    CHOICE_KINDS, DEFAULT_RANKING_SIZE, DEMOGRAPHIC_KINDS, FREE_CHOICE_KINDS, TRANSLATION_LANGUAGES, Answer, Choice,
    Draft, Kind, Question, Questionnaire, Response, Section, Source, State, TextTag,
)

PARIS = ZoneInfo("Europe/Paris")
MAX_NUMBER = 1_000_000_000
EXPORT_VERSION = 1


def today() -> date:
    return datetime.now(PARIS).date()


# --- generated choices (French source; English and Arabic from the catalogs, copied into each question) ---

AGE_BAND_LABELS: dict[str, Any] = {
    "0-17": _l("Moins de 18 ans"),
    "18-24": _l("18 à 24 ans"),
    "25-39": _l("25 à 39 ans"),
    "40-59": _l("40 à 59 ans"),
    "60-74": _l("60 à 74 ans"),
    "75+": _l("75 ans et plus"),
}
GENDER_LABELS: dict[str, Any] = {
    "f": _l("Femme"),
    "m": _l("Homme"),
    "other": _l("Autre"),
}

GENERATED_CHOICES: dict[Kind, list[tuple[str, Any]]] = {
    # (code, label)
    Kind.SCALE: [
        ("1", _l("Très mal")),
        ("2", _l("Mal")),
        ("3", _l("Moyen")),
        ("4", _l("Bien")),
        ("5", _l("Très bien")),
    ],
    Kind.YES_NO: [("yes", _l("Oui")), ("no", _l("Non"))],
    # Demographic codes are the shared keys of participation.evidence (the priorities'
    # population figures use the same), in their order.
    Kind.AGE_BAND: [(code, AGE_BAND_LABELS[code]) for code in AGE_BANDS],
    Kind.GENDER: [(code, GENDER_LABELS[code]) for code in GENDERS],
    Kind.YEARS_LIVED: [
        ("<1", _l("Moins d'un an")),
        ("1-5", _l("1 à 5 ans")),
        ("6-15", _l("6 à 15 ans")),
        ("15+", _l("Plus de 15 ans")),
        ("outside", _l("Je n'habite pas le quartier")),
    ],
    Kind.HEARD_FROM: [
        ("conseil", _l("Le conseil citoyen")),
        ("centre-social", _l("Le centre social")),
        ("association", _l("Une association")),
        ("affiche", _l("Une affiche ou un flyer")),
        ("reseaux", _l("Les réseaux sociaux")),
        ("voisins", _l("Des voisins, des amis")),
    ],
}

DEMOGRAPHIC_TEXTS: dict[Kind, Any] = {
    Kind.AGE_BAND: _l("Quel âge avez-vous ?"),
    Kind.GENDER: _l("Vous êtes :"),
    Kind.YEARS_LIVED: _l("Depuis combien de temps habitez-vous le quartier ?"),
    Kind.HEARD_FROM: _l("Comment avez-vous connu ce questionnaire ?"),
}


# --- queries -------------------------------------------------------------------------------

def _full():
    return (
        selectinload(Questionnaire.sections)
        .selectinload(Section.questions)
        .selectinload(Question.choices)
    )


def get_full(questionnaire_id: int) -> Questionnaire | None:
    return db.session.scalar(
        select(Questionnaire)
        .where(Questionnaire.id == questionnaire_id)
        .options(_full(), joinedload(Questionnaire.quartier).joinedload(Quartier.commune),
                 joinedload(Questionnaire.contrat))
    )


def for_quartier(quartier: Quartier) -> list[Questionnaire]:
    """The quartier's own questionnaires and those shared by its contrat de ville."""
    return list(db.session.scalars(
        select(Questionnaire)
        .where(or_(
            Questionnaire.quartier_id == quartier.id,
            and_(Questionnaire.quartier_id.is_(None), Questionnaire.contrat_id == quartier.contrat_id),
        ))
        .order_by(Questionnaire.created_at.desc(), Questionnaire.id.desc())
    ))


def open_for_quartier(quartier: Quartier, on: date | None = None) -> list[Questionnaire]:
    on = on or today()
    return [q for q in for_quartier(quartier) if refusal(q, on) is None]


def refusal(questionnaire: Questionnaire, on: date | None = None) -> QuestionnaireError | None:
    """Why the questionnaire accepts no answer today (an error to raise); None when it is open."""
    on = on or today()
    if questionnaire.state is State.DRAFT:
        return errors.in_preparation(status=404)
    if questionnaire.state is State.CLOSED:
        return QuestionnaireError("closed", _l("Ce questionnaire est clos : il n'accepte plus de réponses. Merci à toutes les personnes qui ont répondu."),
                                  status=409)
    if questionnaire.opens_on and on < questionnaire.opens_on:
        return QuestionnaireError("not_yet_open", _l("Ce questionnaire n'est pas encore ouvert."), status=409)
    if questionnaire.closes_on and on > questionnaire.closes_on:
        return QuestionnaireError("past_closing", _l("La date de clôture de ce questionnaire est passée : il n'accepte plus de réponses."),
                                  status=409)
    return None


def has_answers(questionnaire: Questionnaire) -> bool:
    return bool(db.session.scalar(
        select(exists().where(Response.questionnaire_id == questionnaire.id))
    ))


def answered_question_ids(questionnaire: Questionnaire) -> set[int]:
    return set(db.session.scalars(
        select(Answer.question_id).distinct()
        .join(Response, Response.id == Answer.response_id)
        .where(Response.questionnaire_id == questionnaire.id)
    ))


def ranking_themes(questionnaire: Questionnaire) -> list[Theme]:
    """The themes a resident can rank: the top level of the référentiel."""
    return [theme for theme in active_themes(questionnaire.contrat_id) if theme.parent_id is None]


def mappable_themes(questionnaire: Questionnaire) -> list[Theme]:
    return active_themes(questionnaire.contrat_id)


def condition_hints(questionnaire: Questionnaire, language: str = "fr") -> dict[int, tuple[int, str]]:
    """{question id: (number of the question it depends on, label of the choice)} for paper forms."""
    numbers: dict[int, int] = {}
    labels: dict[int, tuple[int, str]] = {}
    for number, question in enumerate(questionnaire.questions, start=1):
        numbers[question.id] = number
        for choice in question.choices:
            labels[choice.id] = (number, choice.tr("label", language))
    return {q.id: labels[q.condition_choice_id] for q in questionnaire.questions
            if q.condition_choice_id in labels}


def choice_index(questionnaire: Questionnaire) -> dict[int, Choice]:
    return {choice.id: choice for question in questionnaire.questions for choice in question.choices}


# --- building ------------------------------------------------------------------------------

def create_questionnaire(
    *, contrat_id: int, quartier: Quartier | None, title: str, introduction: str = "",
    consent_text: str = "", opens_on: date | None = None, closes_on: date | None = None,
) -> Questionnaire:
    questionnaire = Questionnaire(
        contrat_id=contrat_id, quartier=quartier, title=plain_text(title),
        introduction=plain_text(introduction), consent_text=plain_text(consent_text),
        opens_on=opens_on, closes_on=closes_on, state=State.DRAFT, translations={},
    )
    db.session.add(questionnaire)
    db.session.flush()
    return questionnaire


def update_questionnaire(questionnaire: Questionnaire, **values: Any) -> None:
    for key in ("title", "introduction", "consent_text"):
        if key in values:
            setattr(questionnaire, key, plain_text(values[key]))
    for key in ("opens_on", "closes_on"):
        if key in values:
            setattr(questionnaire, key, values[key])
    db.session.flush()


def set_state(questionnaire: Questionnaire, state: State) -> None:
    if state is State.OPEN and not questionnaire.questions:
        raise QuestionnaireError("no_question", _l("Ajoutez au moins une question avant d'ouvrir le questionnaire."),
                                 status=409)
    if state is State.DRAFT and has_answers(questionnaire):
        raise errors.locked()
    questionnaire.state = state
    db.session.flush()


def add_section(questionnaire: Questionnaire, title: str) -> Section:
    section = Section(
        questionnaire=questionnaire, title=plain_text(title), translations={},
        position=max((s.position for s in questionnaire.sections), default=-1) + 1,
    )
    db.session.add(section)
    db.session.flush()
    return section


def update_section(section: Section, title: str) -> None:
    section.title = plain_text(title)
    db.session.flush()


def check_deletable(item: Section | Question | Choice) -> None:
    """Raises what deleting `item` would raise, so a refusal comes before the confirmation step."""
    if isinstance(item, Choice):
        if item.question.kind not in FREE_CHOICE_KINDS:
            raise errors.fixed_choices()
        questionnaire = item.question.section.questionnaire
    elif isinstance(item, Question):
        questionnaire = item.section.questionnaire
    else:
        if not item.questions:
            return
        questionnaire = item.questionnaire
    if has_answers(questionnaire):
        raise errors.locked()


def delete_section(section: Section) -> None:
    check_deletable(section)
    _clear_conditions(section.questionnaire, {c.id for q in section.questions for c in q.choices})
    db.session.delete(section)
    db.session.flush()


def _check_condition(section: Section, condition_choice_id: int | None, question: Question | None = None) -> None:
    """A condition points at a choice of a question in an earlier section (each section is a page)."""
    if condition_choice_id is None:
        return
    questionnaire = section.questionnaire
    for earlier in questionnaire.sections:
        if earlier.position >= section.position:
            break
        for candidate in earlier.questions:
            if candidate is not question and any(c.id == condition_choice_id for c in candidate.choices):
                return
    raise QuestionnaireError("bad_condition", _l("La condition doit porter sur un choix d'une question d'une section précédente."))


def _check_theme(questionnaire: Questionnaire, theme_id: int | None) -> None:
    """A question or choice feeds only a theme of its own contrat's référentiel (issue 11 §5)."""
    if theme_id is not None and theme_id not in {theme.id for theme in mappable_themes(questionnaire)}:
        raise errors.bad_theme()


def _generated_choices(question: Question) -> None:
    for position, (code, label) in enumerate(GENERATED_CHOICES.get(question.kind, [])):
        wordings = in_every_language(label)
        question.choices.append(Choice(
            label=wordings["fr"], code=code, position=position,
            translations={language: {"label": wordings[language]} for language in TRANSLATION_LANGUAGES},
        ))


def add_question(
    section: Section, *, kind: Kind, text: str = "", help_text: str = "", required: bool = False,
    max_choices: int | None = None, theme_id: int | None = None,
    condition_choice_id: int | None = None, choices: Iterable[str] = (),
) -> Question:
    _check_condition(section, condition_choice_id)
    _check_theme(section.questionnaire, theme_id)
    translations: dict = {}
    if kind in DEMOGRAPHIC_KINDS:
        # Demographic questions are always skippable, and come with their wording.
        required = False
        wordings = in_every_language(DEMOGRAPHIC_TEXTS[kind])
        if not text:
            text = wordings["fr"]
            translations = {language: {"text": wordings[language]} for language in TRANSLATION_LANGUAGES}
    if kind is Kind.RANKING:
        max_choices = max_choices or DEFAULT_RANKING_SIZE
    if kind not in (Kind.MULTIPLE, Kind.HEARD_FROM, Kind.RANKING):
        max_choices = None
    if not text.strip():
        raise errors.empty_text()
    question = Question(
        questionnaire_id=section.questionnaire_id, section=section, kind=kind, text=plain_text(text),
        help_text=plain_text(help_text), required=required, max_choices=max_choices,
        theme_id=theme_id, condition_choice_id=condition_choice_id, translations=translations,
        position=max((q.position for q in section.questions), default=-1) + 1,
    )
    db.session.add(question)
    if kind in FREE_CHOICE_KINDS and any(label.strip() for label in choices):
        for position, label in enumerate(label for label in choices if label.strip()):
            question.choices.append(Choice(label=plain_text(label), position=position, translations={}))
    else:
        _generated_choices(question)
    db.session.flush()
    return question


def update_question(
    question: Question, *, text: str, help_text: str = "", required: bool = False,
    max_choices: int | None = None, theme_id: int | None = None,
    condition_choice_id: int | None = None, locked: bool | None = None,
) -> None:
    """Wording, theme and 'required' can always change; the rest only before the first answer."""
    if locked is None:
        locked = has_answers(question.section.questionnaire)
    if question.kind in DEMOGRAPHIC_KINDS:
        required = False
    if question.kind not in (Kind.MULTIPLE, Kind.HEARD_FROM, Kind.RANKING):
        max_choices = None
    elif question.kind is Kind.RANKING:
        max_choices = max_choices or DEFAULT_RANKING_SIZE
    if locked and (
        max_choices != question.max_choices or condition_choice_id != question.condition_choice_id
    ):
        raise errors.locked()
    if condition_choice_id != question.condition_choice_id:
        _check_condition(question.section, condition_choice_id, question)
    if theme_id != question.theme_id:
        _check_theme(question.section.questionnaire, theme_id)
    if not text.strip():
        raise errors.empty_text()
    remapped = theme_id != question.theme_id
    question.text = plain_text(text)
    question.help_text = plain_text(help_text)
    question.required = required
    question.max_choices = max_choices
    question.theme_id = theme_id
    question.condition_choice_id = condition_choice_id
    db.session.flush()
    if remapped:  # answers already given now count for the new theme (cheap when there are none)
        tallies.rebuild(question.section.questionnaire_id)


def delete_question(question: Question) -> None:
    check_deletable(question)
    _clear_conditions(question.section.questionnaire, {c.id for c in question.choices})
    db.session.delete(question)
    db.session.flush()


def move_question(question: Question, direction: int) -> None:
    siblings = list(question.section.questions)
    for position, sibling in enumerate(siblings):
        sibling.position = position
    index = siblings.index(question)
    other = index + (1 if direction > 0 else -1)
    if 0 <= other < len(siblings):
        siblings[index].position, siblings[other].position = other, index
    db.session.flush()


def add_choice(question: Question, label: str, theme_id: int | None = None) -> Choice:
    if question.kind not in FREE_CHOICE_KINDS:
        raise errors.fixed_choices()
    if not label.strip():
        raise errors.empty_text()
    _check_theme(question.section.questionnaire, theme_id)
    choice = Choice(
        question=question, label=plain_text(label), theme_id=theme_id, translations={},
        position=max((c.position for c in question.choices), default=-1) + 1,
    )
    db.session.add(choice)
    db.session.flush()
    return choice


def update_choice(choice: Choice, label: str, theme_id: int | None) -> None:
    if not label.strip():
        raise errors.empty_text()
    if choice.code is None or choice.question.kind in FREE_CHOICE_KINDS:
        choice.label = plain_text(label)
    remapped = theme_id != choice.theme_id
    if remapped:
        _check_theme(choice.question.section.questionnaire, theme_id)
    choice.theme_id = theme_id
    db.session.flush()
    if remapped:
        tallies.rebuild(choice.question.section.questionnaire_id)


def delete_choice(choice: Choice) -> None:
    question = choice.question
    check_deletable(choice)
    _clear_conditions(question.section.questionnaire, {choice.id})
    db.session.delete(choice)  # explicit, so the audit log records it
    db.session.flush()
    db.session.expire(question, ["choices"])


def _clear_conditions(questionnaire: Questionnaire, choice_ids: set[int]) -> None:
    for question in questionnaire.questions:
        if question.condition_choice_id in choice_ids:
            question.condition_choice_id = None


def translatable_objects(questionnaire: Questionnaire) -> list[tuple[str, Any, tuple[str, ...]]]:
    """(prefix, object, fields) for every text that can be translated, in reading order."""
    items: list[tuple[str, Any, tuple[str, ...]]] = [
        (f"questionnaire-{questionnaire.id}", questionnaire, ("title", "introduction", "consent_text"))
    ]
    for section in questionnaire.sections:
        items.append((f"section-{section.id}", section, ("title",)))
        for question in section.questions:
            items.append((f"question-{question.id}", question, ("text", "help_text")))
            if question.kind is not Kind.RANKING:
                for choice in question.choices:
                    items.append((f"choice-{choice.id}", choice, ("label",)))
    return items


# The same limits as the source fields (forms.py): a translation is no longer than its source may be.
TRANSLATION_LIMITS = {
    "title": 200, "introduction": 5000, "consent_text": 5000, "text": 2000, "help_text": 2000, "label": 300,
}


def set_translations(questionnaire: Questionnaire, values: Mapping[str, str]) -> int:
    """values: {"<prefix>-<field>-<lang>": text}. Returns how many texts are translated.
    Raises `too_long` (with `limit`) for a text longer than its source field allows."""
    count = 0
    for prefix, obj, fields in translatable_objects(questionnaire):
        translations = {lang: dict((obj.translations or {}).get(lang) or {}) for lang in TRANSLATION_LANGUAGES}
        for field_name in fields:
            for lang in TRANSLATION_LANGUAGES:
                key = f"{prefix}-{field_name}-{lang}"
                if key not in values:
                    continue
                text = plain_text(values[key])
                limit = TRANSLATION_LIMITS.get(field_name, 2000)
                if len(text) > limit:
                    raise QuestionnaireError("too_long", _l("Le texte est trop long : %(n)s caractères au maximum."),
                                             key=key, n=limit)
                if text:
                    translations[lang][field_name] = text
                    count += 1
                else:
                    translations[lang].pop(field_name, None)
        obj.translations = {lang: texts for lang, texts in translations.items() if texts}
    db.session.flush()
    return count


# --- duplicate, export, import ---------------------------------------------------------------

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
    questionnaire = create_questionnaire(
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
        section = add_section(questionnaire, _text(section_data.get("title"), 200) or "Section")
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
            question = add_question(
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


# --- answering -----------------------------------------------------------------------------

def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str | None) -> str | None:
    if not token or len(token) > 100:
        return None
    return hashlib.sha256(token.encode()).hexdigest()


# Receipt codes: no 0/O, 1/I/L, 5/S or 8/B to misread; 10 characters (about 48 bits), read in
# groups as K7F2-M9QX-3T. Only their SHA-256 is stored, on the response.
RECEIPT_ALPHABET = "234679ACDEFGHJKMNPQRTUVWXYZ"
RECEIPT_LENGTH = 10


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_receipt(receipt: str | None) -> str | None:
    """The code as typed (any case, spaces or dashes) in its stored form, or None when it cannot be one."""
    if not receipt or len(receipt) > 64:
        return None
    raw = "".join(ch for ch in receipt.upper() if ch.isalnum())
    if len(raw) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in raw):
        return None
    return raw


def receipt_hash(receipt: str | None) -> str | None:
    raw = normalise_receipt(receipt)
    return hashlib.sha256(f"questionnaire-receipt:{raw}".encode()).hexdigest() if raw else None


def response_for_receipt(receipt: str | None) -> Response | None:
    hashed = receipt_hash(receipt)
    if hashed is None:
        return None
    return db.session.scalar(select(Response).where(Response.receipt_hash == hashed,
                                                    Response.source == Source.ONLINE))


def find_draft(questionnaire: Questionnaire, hashed: str | None) -> Draft | None:
    if hashed is None:
        return None
    return db.session.scalar(
        select(Draft).where(Draft.questionnaire_id == questionnaire.id, Draft.token_hash == hashed)
    )


def start_draft(questionnaire: Questionnaire, hashed: str, quartier_id: int | None) -> Draft:
    """The device's draft, created on its first start; a simultaneous start with the same token
    (a double click) finds the one the other request created."""
    draft = find_draft(questionnaire, hashed)
    if draft is not None:
        return draft
    try:
        with db.session.begin_nested():
            draft = Draft(questionnaire_id=questionnaire.id, token_hash=hashed, data={},
                          quartier_id=quartier_id, updated_on=today())
            db.session.add(draft)
    except IntegrityError:
        draft = find_draft(questionnaire, hashed)
        if draft is None:
            raise
    return draft


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


def resume_section(questionnaire: Questionnaire, data: Mapping[str, Any]) -> Section:
    """Where a returning resident picks up: the first page with nothing answered yet."""
    owners = choice_owners(questionnaire)
    sections = visible_sections(questionnaire, data)
    for section in sections:
        if not any(str(q.id) in data for q in visible_questions(section, data, owners)):
            return section
    return sections[-1]


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
    return QuestionnaireError("too_many", _l("Trop de réponses : %(n)s au maximum."), n=limit)


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


def save_section(draft: Draft, section: Section, values: Mapping[str, Any]) -> None:
    data = {k: v for k, v in (draft.data or {}).items() if k not in {str(q.id) for q in section.questions}}
    data.update(values)
    draft.data = data
    draft.updated_on = today()
    db.session.flush()


def missing_required(questionnaire: Questionnaire, data: Mapping[str, Any]) -> Section | None:
    """The first section with a visible required question left blank."""
    owners = choice_owners(questionnaire)
    for section in questionnaire.sections:
        for question in visible_questions(section, data, owners):
            if question.required and data.get(str(question.id)) in (None, [], ""):
                return section
    return None


def _answers_from(questionnaire: Questionnaire, data: Mapping[str, Any], *, visible_only: bool) -> list[Answer]:
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


def submit(questionnaire: Questionnaire, draft: Draft, hashed: str) -> Response:
    """Stores the draft as one response and deletes the draft, which is the submission's lock:
    a simultaneous submission of the same draft finds it deleted (StaleDataError at flush; see
    answering.py). Nothing here records the device: receipts.py does, apart from the response.
    The receipt code, drawn apart from the device token, is on `response.receipt_code` (not
    stored: only its hash is) for the thanks page."""
    if refusal(questionnaire) is not None:
        raise refusal(questionnaire)
    data = draft.data or {}
    missing = missing_required(questionnaire, data)
    if missing is not None:
        raise QuestionnaireError("incomplete", _l("Une réponse obligatoire manque encore."), section_id=missing.id)
    code = new_receipt_code()
    response = Response(
        questionnaire_id=questionnaire.id, source=Source.ONLINE, submitted_on=today(),
        quartier_id=questionnaire.quartier_id or draft.quartier_id, receipt_hash=receipt_hash(code),
    )
    response.receipt_code = code
    db.session.add(response)
    db.session.delete(draft)
    db.session.flush()
    # One multi-row INSERT: online answers are never audited and nothing reads them back here.
    rows = [
        {"response_id": response.id, "question_id": a.question_id, "choice_id": a.choice_id,
         "theme_id": a.theme_id, "rank": a.rank, "text": a.text, "number": a.number}
        for a in _answers_from(questionnaire, data, visible_only=True)
    ]
    if rows:
        db.session.execute(insert(Answer.__table__), rows)  # executemany, batched by the driver
        tallies.add_responses([response.id])
    return response


# --- paper ---------------------------------------------------------------------------------

def parse_form_number(raw: str | None) -> int:
    number = parse_int(raw, minimum=1, maximum=9_999_999)
    if number is None:
        raise QuestionnaireError("bad_form_number", _l("Le numéro de formulaire doit être un nombre entier positif, par exemple 12."))
    return number


def parse_form_date(raw: str | None) -> date | None:
    """The day written on a paper form (ISO from a date field, or jj/mm/aaaa typed), None if left
    blank (then the day of entry); refuses dates to come and before 2000."""
    raw = (raw or "").strip()
    if not raw:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            value = datetime.strptime(raw, pattern).date()
            break
        except ValueError:
            continue
    else:
        raise QuestionnaireError("bad_form_date", _l("La date du formulaire doit être une date passée, par exemple 14/03/2026."))
    if value > today() or value.year < 2000:
        raise QuestionnaireError("bad_form_date", _l("La date du formulaire doit être une date passée, par exemple 14/03/2026."))
    return value


def form_number_taken(questionnaire: Questionnaire, number: int, exclude_id: int | None = None) -> bool:
    query = select(Response.id).where(Response.questionnaire_id == questionnaire.id,
                                      Response.form_number == number)
    if exclude_id is not None:
        query = query.where(Response.id != exclude_id)
    return db.session.scalar(query) is not None


def next_form_number(questionnaire: Questionnaire) -> int:
    return (db.session.scalar(
        select(func.max(Response.form_number)).where(Response.questionnaire_id == questionnaire.id)
    ) or 0) + 1


def _answer_key(answer: Answer) -> tuple:
    return (answer.question_id, answer.choice_id, answer.theme_id, answer.rank, answer.text, answer.number)


def _same_paper_form(questionnaire: Questionnaire, form_number: int, answers: list[Answer],
                     day: date) -> Response | None:
    """The stored form with this number when it holds exactly these answers and date: the same
    sheet entered again (a double click, a retried request), which is no duplicate."""
    stored = db.session.scalar(select(Response).where(Response.questionnaire_id == questionnaire.id,
                                                      Response.form_number == form_number))
    if stored is None or stored.submitted_on != day:
        return None
    same = Counter(_answer_key(a) for a in stored.answers) == Counter(_answer_key(a) for a in answers)
    return stored if same else None


def enter_paper(questionnaire: Questionnaire, *, form_number: int, values: Mapping[str, Any],
                entered_by_id: int, quartier_id: int | None, submitted_on: date | None = None) -> Response:
    """Stores a paper form; the same form entered again returns the stored one; another form
    with a number already entered is refused (duplicate_form_number)."""
    day = submitted_on or today()
    answers = _answers_from(questionnaire, values, visible_only=False)
    if form_number_taken(questionnaire, form_number):
        twin = _same_paper_form(questionnaire, form_number, answers, day)
        if twin is None:
            raise errors.duplicate_form_number()
        return twin
    response = Response(
        questionnaire_id=questionnaire.id, source=Source.PAPER, form_number=form_number,
        entered_by_id=entered_by_id, submitted_on=day, quartier_id=questionnaire.quartier_id or quartier_id,
    )
    response.answers = answers
    db.session.add(response)
    # The unique number stops a simultaneous entry of it (IntegrityError: the request answers 409).
    # No savepoint here: on SQLite, releasing one that opened the transaction commits it, and a
    # paper entry must stay one unit with the caller's other writes.
    db.session.flush()
    tallies.add_responses([response.id])
    return response


def correct_paper(questionnaire: Questionnaire, response: Response, *, form_number: int,
                  values: Mapping[str, Any], submitted_on: date | None = None) -> None:
    """Replaces the answers that changed (and the form's date when given); the audit log keeps
    the old ones."""
    if form_number_taken(questionnaire, form_number, exclude_id=response.id):
        raise errors.duplicate_form_number()
    with tallies.tracking([response.id]):
        if submitted_on is not None:
            response.submitted_on = submitted_on
        _replace_answers(questionnaire, response, form_number, values)


def _replace_answers(questionnaire: Questionnaire, response: Response, form_number: int,
                     values: Mapping[str, Any]) -> None:
    response.form_number = form_number
    wanted = _answers_from(questionnaire, values, visible_only=False)

    key = _answer_key
    wanted_keys = {key(a) for a in wanted}
    current_keys = set()
    for answer in list(response.answers):
        if key(answer) in wanted_keys and key(answer) not in current_keys:
            current_keys.add(key(answer))
        else:
            # An explicit delete (not an orphan), so the audit log sees it with its old values.
            db.session.delete(answer)
    for answer in wanted:
        if key(answer) not in current_keys:
            response.answers.append(answer)
    db.session.flush()
    db.session.expire(response, ["answers"])


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


def paper_responses(questionnaire: Questionnaire, limit: int = 200) -> list[Response]:
    return list(db.session.scalars(
        select(Response).where(Response.questionnaire_id == questionnaire.id, Response.source == Source.PAPER)
        .options(selectinload(Response.entered_by))
        .order_by(Response.form_number.desc()).limit(limit)
    ))


# --- results -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    source: Source | None = None
    choice_ids: tuple[int, ...] = ()  # respondents who picked each of these (demographics)
    start: date | None = None
    end: date | None = None
    # None: every quartier; else only responses given for these quartiers (a reader scoped to
    # some quartiers of a shared questionnaire's contrat). Not a reader's filter: always applied.
    quartier_ids: tuple[int, ...] | None = None

    @property
    def active(self) -> bool:
        return bool(self.source or self.choice_ids or self.start or self.end)


def _response_conditions(questionnaire_id: int, filters: Filters) -> list:
    conditions = [Response.questionnaire_id == questionnaire_id]
    if filters.quartier_ids is not None:
        conditions.append(Response.quartier_id.in_(filters.quartier_ids))
    if filters.source:
        conditions.append(Response.source == filters.source)
    if filters.start:
        conditions.append(Response.submitted_on >= filters.start)
    if filters.end:
        conditions.append(Response.submitted_on <= filters.end)
    for choice_id in filters.choice_ids:
        alias = db.aliased(Answer)
        conditions.append(exists().where(alias.response_id == Response.id, alias.choice_id == choice_id))
    return conditions


@dataclass
class QuestionResult:
    question: Question
    respondents: int = 0
    rows: list[dict] = field(default_factory=list)  # label, count, percent (+ points for rankings)
    number: dict | None = None
    texts: int = 0

    @property
    def max_count(self) -> int:
        return max((row["count"] for row in self.rows), default=0)


def response_count(questionnaire: Questionnaire, filters: Filters = Filters()) -> int:
    return db.session.scalar(
        select(func.count(Response.id)).where(*_response_conditions(questionnaire.id, filters))
    ) or 0


def results(questionnaire: Questionnaire, filters: Filters = Filters(), language: str = "fr",
            question_ids: set[int] | None = None) -> list[QuestionResult]:
    """Counts per choice, ranked theme and rank, and number statistics: at most three GROUP BY queries."""
    questions = [q for q in questionnaire.questions if question_ids is None or q.id in question_ids]
    ids = [q.id for q in questions]
    joined = (
        select()
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(*_response_conditions(questionnaire.id, filters), Answer.question_id.in_(ids))
    )
    counts = db.session.execute(
        joined.add_columns(Answer.question_id, Answer.choice_id, Answer.theme_id, Answer.rank,
                           func.count(Answer.id))
        .group_by(Answer.question_id, Answer.choice_id, Answer.theme_id, Answer.rank)
    ).all()
    # A response gives one row per question, except multiple choices and rankings: only those
    # need a COUNT(DISTINCT) to know how many people answered.
    several = [q.id for q in questions if q.is_multi or q.kind is Kind.RANKING]
    respondents: dict[int, int] = {}
    for question_id, _c, _t, _r, count in counts:
        respondents[question_id] = respondents.get(question_id, 0) + count
    if several:
        respondents.update(db.session.execute(
            joined.add_columns(Answer.question_id, func.count(func.distinct(Answer.response_id)))
            .where(Answer.question_id.in_(several)).group_by(Answer.question_id)
        ).all())
    number_ids = [q.id for q in questions if q.kind is Kind.NUMBER]
    numbers = {row[0]: row[1:] for row in db.session.execute(
        joined.add_columns(Answer.question_id, func.count(Answer.number), func.avg(Answer.number),
                           func.min(Answer.number), func.max(Answer.number))
        .where(Answer.question_id.in_(number_ids)).group_by(Answer.question_id)
    ).all()} if number_ids else {}
    themes = {t.id: t for t in ranking_themes(questionnaire)} if any(q.kind is Kind.RANKING for q in questions) else {}
    by_question: dict[int, list] = {}
    for question_id, choice_id, theme_id, rank, count in counts:
        by_question.setdefault(question_id, []).append((choice_id, theme_id, rank, count))
    output = []
    for question in questions:
        result = QuestionResult(question=question, respondents=respondents.get(question.id, 0))
        rows = by_question.get(question.id, [])
        total = result.respondents or 1
        if question.kind in CHOICE_KINDS:
            per_choice = {choice_id: count for choice_id, _t, _r, count in rows}
            result.rows = [
                {"label": c.tr("label", language), "code": c.code, "count": per_choice.get(c.id, 0),
                 "percent": round(100 * per_choice.get(c.id, 0) / total, 1), "choice_id": c.id}
                for c in question.choices
            ]
        elif question.kind is Kind.RANKING:
            size = question.max_choices or DEFAULT_RANKING_SIZE
            per_theme: dict[int, dict] = {}
            for _c, theme_id, rank, count in rows:
                entry = per_theme.setdefault(theme_id, {"count": 0, "points": 0, "first": 0})
                entry["count"] += count
                entry["points"] += count * max(size - (rank or size) + 1, 0)
                if rank == 1:
                    entry["first"] += count
            result.rows = sorted(
                (
                    {"label": themes[tid].label_in(language) if tid in themes else str(tid),
                     "count": entry["count"], "points": entry["points"], "first": entry["first"],
                     "percent": round(100 * entry["count"] / total, 1), "theme_id": tid}
                    for tid, entry in per_theme.items()
                ),
                key=lambda row: (-row["points"], row["label"]),
            )
        elif question.kind is Kind.NUMBER and question.id in numbers:
            n, avg, low, high = numbers[question.id]
            result.number = {"count": n, "mean": round(float(avg), 2) if avg is not None else None,
                             "min": low, "max": high}
        else:
            result.texts = result.respondents
        output.append(result)
    return output


def per_day(questionnaire: Questionnaire, filters: Filters = Filters()) -> list[tuple[date, int, int]]:
    """(day, online, paper) for every day with responses."""
    rows = db.session.execute(
        select(Response.submitted_on, Response.source, func.count(Response.id))
        .where(*_response_conditions(questionnaire.id, filters))
        .group_by(Response.submitted_on, Response.source)
        .order_by(Response.submitted_on)
    ).all()
    days: dict[date, list[int]] = {}
    for day, source, count in rows:
        days.setdefault(day, [0, 0])[0 if source is Source.ONLINE else 1] += count
    return [(day, online, paper) for day, (online, paper) in days.items()]


def text_answers(questionnaire: Questionnaire, filters: Filters = Filters(), *, search: str = "",
                 question_id: int | None = None, limit: int = 100, offset: int = 0) -> list[Answer]:
    query = (
        select(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(*_response_conditions(questionnaire.id, filters), Answer.text.is_not(None))
        .options(selectinload(Answer.tags).selectinload(TextTag.theme),
                 selectinload(Answer.response))
        .order_by(Answer.id.desc())
    )
    if question_id:
        query = query.where(Answer.question_id == question_id)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Answer.text.ilike(pattern, escape="\\"))
    return list(db.session.scalars(query.limit(limit).offset(offset)))


def text_answer(questionnaire: Questionnaire, answer_id: int) -> Answer | None:
    return db.session.scalar(
        select(Answer).join(Response, Response.id == Answer.response_id)
        .where(Answer.id == answer_id, Response.questionnaire_id == questionnaire.id,
               Answer.text.is_not(None))
    )


def tag_text(questionnaire: Questionnaire, answer: Answer, theme_id: int) -> bool:
    if theme_id not in {t.id for t in mappable_themes(questionnaire)}:
        raise errors.bad_theme()
    if any(tag.theme_id == theme_id for tag in answer.tags):
        return False
    with tallies.tracking([answer.response_id]):
        answer.tags.append(TextTag(theme_id=theme_id))
    return True


def untag_text(answer: Answer, theme_id: int) -> None:
    with tallies.tracking([answer.response_id]):
        for tag in list(answer.tags):
            if tag.theme_id == theme_id:
                db.session.delete(tag)
    db.session.expire(answer, ["tags"])


def delete_drafts_older_than(days: int) -> int:
    from datetime import timedelta

    result = db.session.execute(delete(Draft).where(Draft.updated_on < today() - timedelta(days=days)))
    return result.rowcount or 0
