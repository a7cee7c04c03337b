"""Building a questionnaire: its settings and state, sections, questions and choices (operations)."""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l

from participation.evidence import AGE_BANDS, GENDERS
from participation.extensions import db
from participation.i18n import in_every_language
from participation.quartiers.models import Quartier
from participation.text import plain_text
from participation.questionnaires import errors, services, tallies
from participation.questionnaires.errors import QuestionnaireError
from participation.questionnaires.models import (
    DEFAULT_RANKING_SIZE, DEMOGRAPHIC_KINDS, FREE_CHOICE_KINDS, TRANSLATION_LANGUAGES, Choice, Kind, Question,
    Questionnaire, Section, State,
)

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


# --- questionnaire, sections, questions, choices --------------------------------------------

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
    if state is State.DRAFT and services.has_answers(questionnaire):
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
    if services.has_answers(questionnaire):
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
    if theme_id is not None and theme_id not in {theme.id for theme in services.mappable_themes(questionnaire)}:
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
        locked = services.has_answers(question.section.questionnaire)
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
