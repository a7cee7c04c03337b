"""What the responses say: counts per choice and theme, numbers, days, text answers (queries)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from participation.extensions import db
from participation.questionnaires import services
from participation.questionnaires.models import (
    CHOICE_KINDS, DEFAULT_RANKING_SIZE, Answer, Kind, Question, Questionnaire, Response, Source, TextTag,
)


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


def response_conditions(questionnaire_id: int, filters: Filters) -> list:
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
        select(func.count(Response.id)).where(*response_conditions(questionnaire.id, filters))
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
        .where(*response_conditions(questionnaire.id, filters), Answer.question_id.in_(ids))
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
    themes = {t.id: t for t in services.ranking_themes(questionnaire)} if any(q.kind is Kind.RANKING for q in questions) else {}
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
        .where(*response_conditions(questionnaire.id, filters))
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
        .where(*response_conditions(questionnaire.id, filters), Answer.text.is_not(None))
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
