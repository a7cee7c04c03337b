"""What questionnaires tell the priorities: per theme, ranking points, mapped choices, tagged texts.

Weights (documented so they can be checked by hand):
- questionnaire_ranking: a theme ranked r-th in a ranking of N earns N − r + 1 points;
- questionnaire_choices: each picked choice mapped to a theme earns 1;
- questionnaire_texts: each free-text answer earns 1 for each theme a facilitator tagged it with,
  or, when untagged, 1 for the theme its question is mapped to.
`participants` counts distinct responses behind each (source, channel, theme).
Only responses of open or closed questionnaires count, by the quartier they were given for.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, union_all

from participation.evidence import ONLINE, PAPER, Contribution, ThemeWeight
from participation.extensions import db
from participation.questionnaires.models import (
    Answer, Choice, Question, Questionnaire, Response, Source, State, TextTag,
)
from participation.questionnaires.services import DEFAULT_RANKING_SIZE

RANKING = "questionnaire_ranking"
CHOICES = "questionnaire_choices"
TEXTS = "questionnaire_texts"


def _day(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def _scope(query, quartier_id: int, start, end, questionnaire_id: int | None = None):
    query = query.join(Questionnaire, Questionnaire.id == Response.questionnaire_id).where(
        Response.quartier_id == quartier_id, Questionnaire.state != State.DRAFT,
    )
    if questionnaire_id is not None:
        query = query.where(Response.questionnaire_id == questionnaire_id)
    if start is not None:
        query = query.where(Response.submitted_on >= _day(start))
    if end is not None:
        query = query.where(Response.submitted_on <= _day(end))
    return query


def _channel(source: Source) -> str:
    return PAPER if source is Source.PAPER else ONLINE


def theme_evidence(
    quartier_id: int, start: datetime | date | None = None, end: datetime | date | None = None,
    *, questionnaire_id: int | None = None,
) -> list[ThemeWeight]:
    """Per (source, channel, theme): summed weight and distinct responses. Three GROUP BY queries."""
    size = func.coalesce(Question.max_choices, DEFAULT_RANKING_SIZE)
    ranking = _scope(
        select(Response.source, Answer.theme_id, func.sum(size - Answer.rank + 1),
               func.count(func.distinct(Response.id)))
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.rank.is_not(None), Answer.theme_id.is_not(None)),
        quartier_id, start, end, questionnaire_id,
    ).group_by(Response.source, Answer.theme_id)
    choices = _scope(
        select(Response.source, Choice.theme_id, func.count(Answer.id),
               func.count(func.distinct(Response.id)))
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Choice, Choice.id == Answer.choice_id)
        .where(Choice.theme_id.is_not(None)),
        quartier_id, start, end, questionnaire_id,
    ).group_by(Response.source, Choice.theme_id)
    # A free-text answer counts for the themes it was tagged with, or else for its question's theme.
    tagged = (
        select(Answer.response_id.label("response_id"), TextTag.theme_id.label("theme_id"))
        .select_from(TextTag).join(Answer, Answer.id == TextTag.answer_id)
    )
    untagged = (
        select(Answer.response_id.label("response_id"), Question.theme_id.label("theme_id"))
        .select_from(Answer).join(Question, Question.id == Answer.question_id)
        .where(Answer.text.is_not(None), Question.theme_id.is_not(None),
               ~select(TextTag.id).where(TextTag.answer_id == Answer.id).exists())
    )
    text_themes = union_all(tagged, untagged).subquery()
    texts = _scope(
        select(Response.source, text_themes.c.theme_id, func.count(),
               func.count(func.distinct(Response.id)))
        .select_from(text_themes)
        .join(Response, Response.id == text_themes.c.response_id),
        quartier_id, start, end, questionnaire_id,
    ).group_by(Response.source, text_themes.c.theme_id)
    weights: list[ThemeWeight] = []
    for source_name, query in ((RANKING, ranking), (CHOICES, choices), (TEXTS, texts)):
        for source, theme_id, weight, participants in db.session.execute(query):
            weights.append(ThemeWeight(
                source=source_name, channel=_channel(source), theme_id=theme_id,
                weight=float(weight or 0), participants=int(participants),
            ))
    return sorted(weights, key=lambda w: (w.theme_id, w.source, w.channel))


def theme_contributions(
    quartier_id: int, theme_id: int, start=None, end=None, limit: int = 50,
) -> list[Contribution]:
    """The answers behind a theme: ranked themes, mapped choices and tagged texts (no respondent)."""
    size = func.coalesce(Question.max_choices, DEFAULT_RANKING_SIZE)
    base = (
        select(Answer.id, Response.source, Response.submitted_on, Question.text,
               Response.questionnaire_id)
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
    )
    found: list[Contribution] = []
    ranked = _scope(base.add_columns(size - Answer.rank + 1).where(Answer.theme_id == theme_id,
                                                                   Answer.rank.is_not(None)),
                    quartier_id, start, end)
    chosen = _scope(base.add_columns(Choice.label).join(Choice, Choice.id == Answer.choice_id)
                    .where(Choice.theme_id == theme_id), quartier_id, start, end)
    tagged = _scope(base.add_columns(Answer.text).join(TextTag, TextTag.answer_id == Answer.id)
                    .where(TextTag.theme_id == theme_id), quartier_id, start, end)
    for source_name, query in ((RANKING, ranked), (CHOICES, chosen), (TEXTS, tagged)):
        for answer_id, source, day, question_text, questionnaire_id, extra in db.session.execute(
            query.order_by(Answer.id.desc()).limit(limit)
        ):
            found.append(Contribution(
                source=source_name, channel=_channel(source), theme_id=theme_id,
                weight=float(extra) if source_name == RANKING else 1.0,
                kind="answer", ref_id=answer_id,
                label=question_text if source_name != CHOICES else f"{question_text} — {extra}",
                url=f"/questionnaires/{questionnaire_id}/resultats",
                quote=extra if source_name == TEXTS else None,
                occurred_at=datetime(day.year, day.month, day.day) if day else None,
            ))
    return found[:limit]


class QuestionnaireEvidence:
    """The EvidenceProvider of this domain (participation.evidence)."""

    name = "questionnaires"

    def theme_weights(self, quartier_id: int, start: datetime | None, end: datetime | None) -> list[ThemeWeight]:
        return theme_evidence(quartier_id, start, end)

    def contributions(self, quartier_id: int, theme_id: int, start: datetime | None, end: datetime | None,
                      limit: int = 50) -> list[Contribution]:
        return theme_contributions(quartier_id, theme_id, start, end, limit)
