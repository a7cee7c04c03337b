"""Entering and correcting paper forms, numbered as printed (operations)."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from participation.extensions import db
from participation.params import parse_int
from participation.questionnaires import errors, services, tallies
from participation.questionnaires.answers import answers_from
from participation.questionnaires.errors import QuestionnaireError
from participation.questionnaires.models import Answer, Questionnaire, Response, Source, State

def check_enterable(questionnaire: Questionnaire) -> None:
    """Paper forms are entered once the questionnaire has left its draft (closed too: forms come
    back late)."""
    if questionnaire.state is State.DRAFT:
        raise errors.in_preparation()


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
    if value > services.today() or value.year < 2000:
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
    day = submitted_on or services.today()
    answers = answers_from(questionnaire, values, visible_only=False)
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
    wanted = answers_from(questionnaire, values, visible_only=False)

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


def paper_responses(questionnaire: Questionnaire, limit: int = 200) -> list[Response]:
    return list(db.session.scalars(
        select(Response).where(Response.questionnaire_id == questionnaire.id, Response.source == Source.PAPER)
        .options(selectinload(Response.entered_by))
        .order_by(Response.form_number.desc()).limit(limit)
    ))
