"""Translating a questionnaire's texts into the other languages, beside their French source."""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l

from participation.extensions import db
from participation.text import plain_text
from participation.questionnaires.errors import QuestionnaireError
from participation.questionnaires.models import TRANSLATION_LANGUAGES, Kind, Questionnaire

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
