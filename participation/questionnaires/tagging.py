"""Tagging text answers with the themes they speak of, so they count for them (operations)."""
from __future__ import annotations

from participation.extensions import db
from participation.questionnaires import errors, services, tallies
from participation.questionnaires.models import Answer, Questionnaire, TextTag


def tag_text(questionnaire: Questionnaire, answer: Answer, theme_id: int) -> bool:
    if theme_id not in {t.id for t in services.mappable_themes(questionnaire)}:
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
