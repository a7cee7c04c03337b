"""Running totals of the questionnaires' evidence per theme (ThemeTally), so the priorities of a
quartier with 100 000 responses read a few hundred rows instead of 2.5 million answers.

What a response gives a theme is defined once, here, in SQL (`_evidence_rows`):
- questionnaire_ranking: a theme ranked r-th in a ranking of N earns N − r + 1 points;
- questionnaire_choices: each picked choice mapped to a theme earns 1;
- questionnaire_texts: each free-text answer earns 1 for each theme a facilitator tagged it
  with, or, when untagged, 1 for the theme its question is mapped to.

A tally row sums this over the responses of one (questionnaire, quartier, day, channel) and
counts the responses behind it; a response has one day, so sums over days count distinct
responses exactly. Every write that can change evidence updates them in its own transaction:
a new response (online or paper) adds its evidence (`add_responses`); a correction or a tag
change adds the difference after − before (`tracking(...)`); a change of theme mapping
rebuilds the questionnaire's tallies (`rebuild`). Increments are
INSERT … ON CONFLICT DO UPDATE SET weight = weight + excluded.weight: concurrent submissions
add up, and rows are written in key order, so two transactions never wait on each other in a
cycle. tests/questionnaires/test_tallies.py checks, over random sequences of writes, that the
tallies always equal a recomputation from the answers.
"""
from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from typing import Iterable, Iterator

from sqlalchemy import ColumnElement, delete, func, literal, select, union_all

from participation.extensions import db
from participation.modelbase import dialect_insert
from participation.questionnaires.models import (
    DEFAULT_RANKING_SIZE, Answer, Choice, Question, Response, TextTag, ThemeTally,
)

RANKING = "questionnaire_ranking"
CHOICES = "questionnaire_choices"
TEXTS = "questionnaire_texts"
SOURCES = (RANKING, CHOICES, TEXTS)

# (questionnaire_id, quartier_id, submitted_on, source, evidence, theme_id)
Key = tuple
Totals = dict  # Key -> (weight, participants)


def _evidence_rows(answers: ColumnElement[bool]):
    """(response_id, evidence, theme_id, weight) for every answer matching `answers` that counts
    for a theme: the one definition of what a questionnaire answer weighs."""
    size = func.coalesce(Question.max_choices, DEFAULT_RANKING_SIZE)
    ranking = (
        select(Answer.response_id.label("response_id"), literal(RANKING).label("evidence"),
               Answer.theme_id.label("theme_id"), (size - Answer.rank + 1).label("weight"))
        .join(Question, Question.id == Answer.question_id)
        .where(answers, Answer.rank.is_not(None), Answer.theme_id.is_not(None))
    )
    choices = (
        select(Answer.response_id, literal(CHOICES), Choice.theme_id, literal(1))
        .join(Choice, Choice.id == Answer.choice_id)
        .where(answers, Choice.theme_id.is_not(None))
    )
    tagged = (
        select(Answer.response_id, literal(TEXTS), TextTag.theme_id, literal(1))
        .select_from(TextTag).join(Answer, Answer.id == TextTag.answer_id)
        .where(answers)
    )
    untagged = (
        select(Answer.response_id, literal(TEXTS), Question.theme_id, literal(1))
        .join(Question, Question.id == Answer.question_id)
        .where(answers, Answer.text.is_not(None), Question.theme_id.is_not(None),
               ~select(TextTag.id).where(TextTag.answer_id == Answer.id).exists())
    )
    return union_all(ranking, choices, tagged, untagged).subquery()


def totals(answers: ColumnElement[bool]) -> Totals:
    """The tallies the answers matching `answers` add up to (responses without a quartier count
    for none). One GROUP BY query."""
    rows = _evidence_rows(answers)
    query = (
        select(Response.questionnaire_id, Response.quartier_id, Response.submitted_on, Response.source,
               rows.c.evidence, rows.c.theme_id, func.sum(rows.c.weight), func.count(func.distinct(rows.c.response_id)))
        .select_from(rows).join(Response, Response.id == rows.c.response_id)
        .where(Response.quartier_id.is_not(None))
        .group_by(Response.questionnaire_id, Response.quartier_id, Response.submitted_on, Response.source,
                  rows.c.evidence, rows.c.theme_id)
    )
    return {tuple(row[:6]): (int(row[6]), int(row[7])) for row in db.session.execute(query)}


def _of_responses(response_ids: Iterable[int]) -> ColumnElement[bool]:
    return Answer.response_id.in_(sorted(set(response_ids)))


def _add(difference: Totals) -> None:
    """Adds (weight, participants) to each key's tally, creating missing rows; in key order."""
    values = [
        {"questionnaire_id": key[0], "quartier_id": key[1], "submitted_on": key[2], "source": key[3],
         "evidence": key[4], "theme_id": key[5], "weight": weight, "participants": participants}
        for key, (weight, participants) in sorted(difference.items(), key=lambda item: _sort_key(item[0]))
        if weight or participants
    ]
    if not values:
        return
    table = ThemeTally.__table__
    statement = dialect_insert(db.session, table).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=[c for c in table.primary_key.columns],
        set_={"weight": table.c.weight + statement.excluded.weight,
              "participants": table.c.participants + statement.excluded.participants},
    )
    db.session.execute(statement)


def _sort_key(key: Key) -> tuple:
    questionnaire_id, quartier_id, day, source, evidence, theme_id = key
    return (questionnaire_id, quartier_id, day, getattr(source, "value", source), evidence, theme_id)


def _difference(after: Totals, before: Totals) -> Totals:
    found: Totals = {}
    for key in after.keys() | before.keys():
        weight_after, people_after = after.get(key, (0, 0))
        weight_before, people_before = before.get(key, (0, 0))
        found[key] = (weight_after - weight_before, people_after - people_before)
    return found


@contextmanager
def tracking(response_ids: Iterable[int]) -> Iterator[None]:
    """Wraps a change to existing responses (their answers, tags or day): the tallies receive
    the difference of their evidence after and before, in one upsert. New responses: add_responses."""
    ids = list(response_ids)
    db.session.flush()
    before = totals(_of_responses(ids))
    yield
    db.session.flush()
    _add(_difference(totals(_of_responses(ids)), before))


def add_responses(response_ids: Iterable[int]) -> None:
    """New responses: their whole evidence is added (call after their answers are flushed)."""
    ids = list(response_ids)
    if ids:
        _add(totals(_of_responses(ids)))


def rebuild(questionnaire_id: int) -> None:
    """Recomputes one questionnaire's tallies from its answers: after its themes were remapped.
    Adds to rows a concurrent submission may have created since the delete, never overwrites."""
    db.session.flush()
    db.session.execute(delete(ThemeTally).where(ThemeTally.questionnaire_id == questionnaire_id))
    _add(totals(Answer.response_id.in_(select(Response.id).where(Response.questionnaire_id == questionnaire_id))))


def rebuild_all() -> int:
    """Every questionnaire's tallies from the answers (the CLI, after a bulk import). Rows written."""
    db.session.flush()
    db.session.execute(delete(ThemeTally))
    found = totals(Answer.response_id.is_not(None))
    _add(found)
    return len(found)


def stored(questionnaire_id: int | None = None) -> Totals:
    """The tallies as stored (rows whose counts fell to zero left out), for checks and tests."""
    query = select(ThemeTally).where(ThemeTally.participants != 0)
    if questionnaire_id is not None:
        query = query.where(ThemeTally.questionnaire_id == questionnaire_id)
    return {
        (t.questionnaire_id, t.quartier_id, t.submitted_on, t.source, t.evidence, t.theme_id): (t.weight, t.participants)
        for t in db.session.scalars(query)
    }


def recomputed(questionnaire_id: int | None = None) -> Totals:
    condition = (Answer.response_id.is_not(None) if questionnaire_id is None else
                 Answer.response_id.in_(select(Response.id).where(Response.questionnaire_id == questionnaire_id)))
    return totals(condition)
