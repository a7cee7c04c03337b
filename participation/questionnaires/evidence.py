"""What questionnaires tell the priorities: per theme, ranking points, mapped choices, tagged texts.

Weights (documented so they can be checked by hand; defined in SQL in tallies.py):
- questionnaire_ranking: a theme ranked r-th in a ranking of N earns N − r + 1 points (its
  contribution carries rank r and out_of N, so a linked answer reads « rang r sur N »);
- questionnaire_choices: each picked choice mapped to a theme earns 1;
- questionnaire_texts: each free-text answer earns 1 for each theme a facilitator tagged it with,
  or, when untagged, 1 for the theme its question is mapped to.
`participants` counts distinct responses behind each (source, channel, theme). The weights are
read from running totals kept by every write (tallies.py); the drill-down reads the answers.
Only responses of open or closed questionnaires count, by the quartier they were given for.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, null, select

from participation.evidence import AGE_BANDS, GENDERS, ONLINE, PAPER, Contribution, ThemeWeight
from participation.extensions import db
from participation.questionnaires.models import (
    DEFAULT_RANKING_SIZE, Answer, Choice, Kind, Question, Questionnaire, Response, Source, State, TextTag,
    ThemeTally,
)
from participation.questionnaires.services import response_for_receipt
from participation.questionnaires.tallies import CHOICES, RANKING, TEXTS


def _day(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def _scope(query, quartier_id: int | list[int], start, end, questionnaire_id: int | None = None):
    """quartier_id: one quartier, or a list of them (the caller then groups by Response.quartier_id)."""
    where_quartier = (Response.quartier_id.in_(quartier_id) if isinstance(quartier_id, list)
                      else Response.quartier_id == quartier_id)
    query = query.join(Questionnaire, Questionnaire.id == Response.questionnaire_id).where(
        where_quartier, Questionnaire.state != State.DRAFT,
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
    """Per (source, channel, theme): summed weight and distinct responses. One GROUP BY query."""
    return theme_evidence_many([quartier_id], start, end, questionnaire_id=questionnaire_id).get(quartier_id, [])


def theme_evidence_many(
    quartier_ids: list[int], start: datetime | date | None = None, end: datetime | date | None = None,
    *, questionnaire_id: int | None = None,
) -> dict[int, list[ThemeWeight]]:
    """theme_evidence of many quartiers, in one GROUP BY over the running totals (ThemeTally,
    questionnaires/tallies.py, where the weights are defined): a few hundred rows per quartier,
    however many answers. A response has one day, so summing days counts distinct responses."""
    quartier_ids = sorted(set(quartier_ids))
    if not quartier_ids:
        return {}
    query = (
        select(ThemeTally.quartier_id, ThemeTally.evidence, ThemeTally.source, ThemeTally.theme_id,
               func.sum(ThemeTally.weight), func.sum(ThemeTally.participants))
        .join(Questionnaire, Questionnaire.id == ThemeTally.questionnaire_id)
        .where(ThemeTally.quartier_id.in_(quartier_ids), Questionnaire.state != State.DRAFT)
        .group_by(ThemeTally.quartier_id, ThemeTally.evidence, ThemeTally.source, ThemeTally.theme_id)
        .having(func.sum(ThemeTally.participants) > 0)
    )
    if questionnaire_id is not None:
        query = query.where(ThemeTally.questionnaire_id == questionnaire_id)
    if start is not None:
        query = query.where(ThemeTally.submitted_on >= _day(start))
    if end is not None:
        query = query.where(ThemeTally.submitted_on <= _day(end))
    weights: dict[int, list[ThemeWeight]] = {}
    for quartier_id, source_name, source, theme_id, weight, participants in db.session.execute(query):
        weights.setdefault(quartier_id, []).append(ThemeWeight(
            source=source_name, channel=_channel(source), theme_id=theme_id,
            weight=float(weight or 0), participants=int(participants),
        ))
    return {quartier_id: sorted(rows, key=lambda w: (w.theme_id, w.source, w.channel))
            for quartier_id, rows in weights.items()}


def theme_contributions(
    quartier_id: int, theme_id: int, start=None, end=None, limit: int = 50,
) -> list[Contribution]:
    """The answers behind a theme: ranked themes, mapped choices, and free texts tagged with it (or,
    untagged, asked by a question mapped to it), newest first in each source (no respondent)."""
    size = func.coalesce(Question.max_choices, DEFAULT_RANKING_SIZE)
    base = (
        select(Answer.id, Response.source, Response.submitted_on, Question.text,
               Response.questionnaire_id)
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
    )
    found: list[Contribution] = []
    ranked = _scope(base.add_columns(size - Answer.rank + 1, Answer.rank, size)
                    .where(Answer.theme_id == theme_id, Answer.rank.is_not(None)), quartier_id, start, end)
    chosen = _scope(base.add_columns(Choice.label, null(), null()).join(Choice, Choice.id == Answer.choice_id)
                    .where(Choice.theme_id == theme_id), quartier_id, start, end)
    tagged = _scope(base.add_columns(Answer.text, null(), null()).join(TextTag, TextTag.answer_id == Answer.id)
                    .where(TextTag.theme_id == theme_id), quartier_id, start, end)
    untagged = _scope(base.add_columns(Answer.text, null(), null()).where(
        Answer.text.is_not(None), Question.theme_id == theme_id,
        ~select(TextTag.id).where(TextTag.answer_id == Answer.id).exists()), quartier_id, start, end)
    for source_name, query in ((RANKING, ranked), (CHOICES, chosen), (TEXTS, tagged), (TEXTS, untagged)):
        for answer_id, source, day, question_text, questionnaire_id, extra, rank, out_of in db.session.execute(
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
                rank=rank, out_of=out_of,
            ))
    return found[:limit]


def participant_profile(quartier_id: int, start=None, end=None) -> dict[str, dict[str, int]]:
    """Distinct responses by channel, and by the age band and gender they gave (the shared keys
    of participation.evidence). Two GROUP BY queries; a response that skipped a demographic
    question counts in by_channel only."""
    by_channel = {ONLINE: 0, PAPER: 0}
    for source, count in db.session.execute(
        _scope(select(Response.source, func.count(func.distinct(Response.id))).select_from(Response),
               quartier_id, start, end).group_by(Response.source)
    ):
        by_channel[_channel(source)] += int(count)
    by_age_band: dict[str, int] = {}
    by_gender: dict[str, int] = {}
    targets = {Kind.AGE_BAND: (by_age_band, AGE_BANDS), Kind.GENDER: (by_gender, GENDERS)}
    for kind, code, count in db.session.execute(
        _scope(
            select(Question.kind, Choice.code, func.count(func.distinct(Response.id)))
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .join(Choice, Choice.id == Answer.choice_id)
            .join(Question, Question.id == Answer.question_id)
            .where(Question.kind.in_([Kind.AGE_BAND, Kind.GENDER])),
            quartier_id, start, end,
        ).group_by(Question.kind, Choice.code)
    ):
        target, known = targets[kind]
        if code in known:
            target[code] = target.get(code, 0) + int(count)
    return {
        "by_channel": by_channel,
        "by_age_band": {key: by_age_band[key] for key in AGE_BANDS if key in by_age_band},
        "by_gender": {key: by_gender[key] for key in GENDERS if key in by_gender},
    }


def receipt_contributions(receipt: str) -> list[Contribution]:
    """What the online response holding this receipt code fed: its ranked themes, its choices
    mapped to a theme, and its free texts (the themes a facilitator tagged them with, or else
    their question's theme). The same (source, kind, ref_id) as the drill-down's contributions,
    so priorities linked to them are found. Nothing for an unknown code or a paper response."""
    response = response_for_receipt(receipt)
    if response is None or db.session.get(Questionnaire, response.questionnaire_id).state is State.DRAFT:
        return []
    size = func.coalesce(Question.max_choices, DEFAULT_RANKING_SIZE)
    base = (
        select(Answer.id, Question.text).select_from(Answer)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id == response.id)
    )
    ranked = base.add_columns(Answer.theme_id, size - Answer.rank + 1, Answer.rank, size).where(
        Answer.rank.is_not(None), Answer.theme_id.is_not(None))
    chosen = base.add_columns(Choice.theme_id, Choice.label, null(), null()).join(
        Choice, Choice.id == Answer.choice_id).where(Choice.theme_id.is_not(None))
    tagged = base.add_columns(TextTag.theme_id, null(), null(), null()).join(TextTag, TextTag.answer_id == Answer.id)
    untagged = base.add_columns(Question.theme_id, null(), null(), null()).where(
        Answer.text.is_not(None), Question.theme_id.is_not(None),
        ~select(TextTag.id).where(TextTag.answer_id == Answer.id).exists())
    day = response.submitted_on
    occurred = datetime(day.year, day.month, day.day) if day else None
    channel = _channel(response.source)
    found: list[Contribution] = []
    for source_name, query in ((RANKING, ranked), (CHOICES, chosen), (TEXTS, tagged), (TEXTS, untagged)):
        for answer_id, question_text, theme_id, extra, rank, out_of in db.session.execute(query.order_by(Answer.id)):
            found.append(Contribution(
                source=source_name, channel=channel, theme_id=theme_id,
                weight=float(extra) if source_name == RANKING else 1.0, kind="answer", ref_id=answer_id,
                label=f"{question_text} — {extra}" if source_name == CHOICES else question_text,
                occurred_at=occurred, rank=rank, out_of=out_of,
            ))
    return found


def receipt_quartier_id(receipt: str) -> int | None:
    """The code shown once on the thanks page finds its response by hash, and nothing else does."""
    response = response_for_receipt(receipt)
    return response.quartier_id if response is not None else None


class QuestionnaireEvidence:
    """The EvidenceSource of the questionnaires (the same anatomy in every source domain)."""

    name = "questionnaires"
    sources = (RANKING, CHOICES, TEXTS)

    def theme_weights(self, quartier_id: int, start: datetime | None, end: datetime | None) -> list[ThemeWeight]:
        return theme_evidence(quartier_id, start, end)

    def theme_weights_many(self, quartier_ids, start: datetime | None, end: datetime | None
                           ) -> dict[int, list[ThemeWeight]]:
        """theme_weights of many quartiers in three queries (the officials' dashboard)."""
        return theme_evidence_many(list(quartier_ids), start, end)

    def contributions(self, quartier_id: int, theme_id: int, start: datetime | None, end: datetime | None,
                      limit: int = 50) -> list[Contribution]:
        return theme_contributions(quartier_id, theme_id, start, end, limit)

    def contributions_for_receipt(self, receipt: str) -> list[Contribution]:
        return receipt_contributions(receipt)

    def receipt_quartier_id(self, receipt: str) -> int | None:
        return receipt_quartier_id(receipt)

    def participant_profile(self, quartier_id: int, start: datetime | None, end: datetime | None) -> dict:
        return participant_profile(quartier_id, start, end)


SOURCE = QuestionnaireEvidence()
