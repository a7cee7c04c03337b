"""Small groups stay hidden: no count under MIN_GROUP in filtered results, no rare demographic
value in row-level exports (documented in the README, "Anonymat").

In a quartier of about 1 250 people, "the one woman over 75 who answered on paper on 3 March"
is a person. So:
- results filtered by a demographic answer are shown only when at least MIN_GROUP responses
  match, and then every count between 1 and MIN_GROUP - 1 is shown as "fewer than 5";
- in CSV and XLSX exports, a demographic answer given by fewer than MIN_GROUP of the exported
  responses is left blank, and so are the age band and gender of a response whose pair
  (age band, gender) fewer than MIN_GROUP exported responses share.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

from sqlalchemy import select

from participation.extensions import db
from participation.questionnaires.models import DEMOGRAPHIC_KINDS, Answer, Kind, Questionnaire, Response
from participation.questionnaires.results import Filters, QuestionResult, response_conditions

MIN_GROUP = 5


def hides_group(filters: Filters, total: int) -> bool:
    """A demographic filter that leaves fewer than MIN_GROUP responses shows nothing."""
    return bool(filters.choice_ids) and total < MIN_GROUP


def is_small(count: int | None) -> bool:
    return count is not None and 0 < count < MIN_GROUP


def mask_results(results: list[QuestionResult], filters: Filters) -> list[QuestionResult]:
    """Under a demographic filter, counts of 1 to MIN_GROUP - 1 become None ("fewer than 5")."""
    if not filters.choice_ids:
        return results
    masked = []
    for result in results:
        rows = [dict(row, count=None, percent=None, points=None, first=None, masked=True)
                if is_small(row["count"]) else row for row in result.rows]
        number = result.number
        if number is not None and is_small(number.get("count")):
            number = None
        masked.append(replace(result, rows=rows, number=number,
                              respondents=None if is_small(result.respondents) else result.respondents))
    return masked


def mask_days(days: list[tuple], filters: Filters) -> list[tuple]:
    if not filters.choice_ids:
        return days
    return [(day, *(None if is_small(n) else n for n in counts)) for day, *counts in days]


def export_suppressions(questionnaire: Questionnaire, filters: Filters) -> tuple[set[int], set[int]]:
    """(demographic choice ids picked by fewer than MIN_GROUP exported responses, ids of the
    responses whose (age band, gender) pair is that rare): their demographic cells are blank."""
    demographic = {c.id: q for q in questionnaire.questions if q.kind in DEMOGRAPHIC_KINDS for c in q.choices}
    if not demographic:
        return set(), set()
    picks = db.session.execute(
        select(Answer.response_id, Answer.choice_id).join(Response, Response.id == Answer.response_id)
        .where(*response_conditions(questionnaire.id, filters), Answer.choice_id.in_(demographic))
    ).all()
    per_choice = Counter(choice_id for _r, choice_id in picks)
    rare = {choice_id for choice_id, count in per_choice.items() if count < MIN_GROUP}
    pairs: dict[int, dict[Kind, int]] = {}
    for response_id, choice_id in picks:
        kind = demographic[choice_id].kind
        if kind in (Kind.AGE_BAND, Kind.GENDER) and choice_id not in rare:
            pairs.setdefault(response_id, {})[kind] = choice_id
    keyed = {response_id: (found.get(Kind.AGE_BAND), found.get(Kind.GENDER)) for response_id, found in pairs.items()
             if len(found) == 2}
    per_pair = Counter(keyed.values())
    rare_rows = {response_id for response_id, pair in keyed.items() if per_pair[pair] < MIN_GROUP}
    return rare, rare_rows


def demographic_choice_ids(questionnaire: Questionnaire) -> set[int]:
    return {c.id for q in questionnaire.questions if q.kind in DEMOGRAPHIC_KINDS for c in q.choices}
