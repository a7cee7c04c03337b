"""Answering online, page by page: the rules of a resident's path, and a submission that holds
when the last page is sent several times at once (a double click, a retry on a slow network).

The draft is the submission's lock. The request that stores the response deletes the draft in
the same transaction; a simultaneous request with the same token then finds it gone, either
before it starts (no draft: it was submitted) or at its own flush (StaleDataError, caught below
in a savepoint so that request's unit of work stays usable). Both answer with the thanks page.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from participation.extensions import db
from participation.questionnaires import answers, errors, receipts, scope, services, tallies
from participation.questionnaires.errors import QuestionnaireError
from participation.questionnaires.models import Answer, Draft, Kind, Questionnaire, Response, Section, Source, State


@dataclass(frozen=True)
class Step:
    """Where a resident goes after sending a page."""

    section: Section | None = None  # the page to show next (or the one with a missing answer)
    incomplete: bool = False  # sent back to `section`: a required answer is still missing
    submitted: bool = False  # the response is stored, by this request or a simultaneous one
    receipt_code: str | None = None  # when this request stored it: the code shown to the resident


# --- the device's draft ----------------------------------------------------------------------

def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str | None) -> str | None:
    if not token or len(token) > 100:
        return None
    return hashlib.sha256(token.encode()).hexdigest()


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
                          quartier_id=quartier_id, updated_on=services.today())
            db.session.add(draft)
    except IntegrityError:
        draft = find_draft(questionnaire, hashed)
        if draft is None:
            raise
    return draft


def resume_section(questionnaire: Questionnaire, data: Mapping[str, Any]) -> Section:
    """Where a returning resident picks up: the first page with nothing answered yet."""
    owners = answers.choice_owners(questionnaire)
    sections = answers.visible_sections(questionnaire, data)
    for section in sections:
        if not any(str(q.id) in data for q in answers.visible_questions(section, data, owners)):
            return section
    return sections[-1]


def save_section(draft: Draft, section: Section, values: Mapping[str, Any]) -> None:
    data = {k: v for k, v in (draft.data or {}).items() if k not in {str(q.id) for q in section.questions}}
    data.update(values)
    draft.data = data
    draft.updated_on = services.today()
    db.session.flush()


def missing_required(questionnaire: Questionnaire, data: Mapping[str, Any]) -> Section | None:
    """The first section with a visible required question left blank."""
    owners = answers.choice_owners(questionnaire)
    for section in questionnaire.sections:
        for question in answers.visible_questions(section, data, owners):
            if question.required and data.get(str(question.id)) in (None, [], ""):
                return section
    return None


def store_response(questionnaire: Questionnaire, draft: Draft, hashed: str) -> Response:
    """Stores the draft as one response and deletes the draft, which is the submission's lock:
    a simultaneous submission of the same draft finds it deleted (StaleDataError at flush; see
    save_page below). Nothing here records the device: receipts.py does, apart from the response.
    The receipt code, drawn apart from the device token, is on `response.receipt_code` (not
    stored: only its hash is) for the thanks page."""
    if services.refusal(questionnaire) is not None:
        raise services.refusal(questionnaire)
    data = draft.data or {}
    missing = missing_required(questionnaire, data)
    if missing is not None:
        raise QuestionnaireError("incomplete", _l("Une réponse obligatoire manque encore."), section_id=missing.id)
    code = services.new_receipt_code()
    response = Response(
        questionnaire_id=questionnaire.id, source=Source.ONLINE, submitted_on=services.today(),
        quartier_id=questionnaire.quartier_id or draft.quartier_id, receipt_hash=services.receipt_hash(code),
    )
    response.receipt_code = code
    db.session.add(response)
    db.session.delete(draft)
    db.session.flush()
    # One multi-row INSERT: online answers are never audited and nothing reads them back here.
    rows = [
        {"response_id": response.id, "question_id": a.question_id, "choice_id": a.choice_id,
         "theme_id": a.theme_id, "rank": a.rank, "text": a.text, "number": a.number}
        for a in answers.answers_from(questionnaire, data, visible_only=True)
    ]
    if rows:
        db.session.execute(insert(Answer.__table__), rows)  # executemany, batched by the driver
        tallies.add_responses([response.id])
    return response


def delete_drafts_older_than(days: int) -> int:
    result = db.session.execute(delete(Draft).where(Draft.updated_on < services.today() - timedelta(days=days)))
    return result.rowcount or 0


# --- a device's way in ----------------------------------------------------------------------

def is_reachable(questionnaire: Questionnaire) -> bool:
    """A questionnaire in preparation is not reachable by residents at all (its pages are 404)."""
    return questionnaire.state is not State.DRAFT


def check_open(questionnaire: Questionnaire) -> None:
    """Raises why residents cannot answer now: not open (a draft is not reachable at all: 404),
    or every question removed since it opened."""
    reason = services.refusal(questionnaire)
    if reason is not None:
        raise reason
    if not questionnaire.questions:
        raise errors.in_preparation()


def has_answered(questionnaire: Questionnaire, hashed: str | None, *, kiosk: bool, keeps_receipt: bool) -> bool:
    """A device that answered goes to the thanks page: it keeps its receipt code, or its token is
    marked as answered. A kiosk (a shared tablet) always takes a new response."""
    if kiosk:
        return False
    return keeps_receipt or receipts.answered(questionnaire.id, hashed)


def needs_new_token(questionnaire: Questionnaire, hashed: str | None) -> bool:
    """A first visit, or a kiosk after a response (its token is marked as answered), starts with a
    new token."""
    return hashed is None or receipts.answered(questionnaire.id, hashed)


def device_draft(questionnaire: Questionnaire, hashed: str | None, *, sending: bool) -> tuple[Draft | None, bool]:
    """(the device's draft, False); without a draft, (None, True) when the device holds a token:
    it sent its response, since a draft is deleted only by the submission (or after the token
    cookie's life unused, when the token is gone too), so a retried page lands on thanks; else
    (None, False), back to the start page, or `expired` when a page is sent."""
    draft = find_draft(questionnaire, hashed)
    if draft is not None:
        return draft, False
    if hashed is not None:
        return None, True
    if sending:
        raise QuestionnaireError("expired", errors.SESSION_EXPIRED, status=409)
    return None, False


# --- the path through the pages -------------------------------------------------------------

def start(questionnaire: Questionnaire, hashed: str, *, consent: bool, quartier_code: str = "") -> Draft:
    """The device's draft, once the resident gave their consent (when the questionnaire asks it)."""
    if questionnaire.consent_text and not consent:
        raise QuestionnaireError("consent", _l("Cochez la case pour donner votre accord avant de commencer."))
    # A shared questionnaire counts the response for the quartier it was reached from.
    quartier_id = None if questionnaire.quartier_id is not None else scope.response_quartier_id(questionnaire, quartier_code)
    return start_draft(questionnaire, hashed, quartier_id)


def parse_page(questionnaire: Questionnaire, section: Section, draft: Draft, form: Any, *, going_back: bool):
    """(values, errors) of the page's visible questions; a page left by "previous" may be incomplete."""
    questions = answers.visible_questions(section, draft.data or {}, answers.choice_owners(questionnaire))
    ranks = any(q.kind is Kind.RANKING for q in questions)
    return answers.parse_answers(
        questions, form, enforce_required=not going_back,
        theme_ids={t.id for t in services.ranking_themes(questionnaire)} if ranks else set(),
    )


def save_page(questionnaire: Questionnaire, draft: Draft, section: Section, values: Mapping[str, Any],
              hashed: str, *, going_back: bool) -> Step:
    """Keeps the page's answers in the draft and says where to go; after the last page, stores
    the response (once, however many times the page arrives)."""
    try:
        with db.session.begin_nested():
            save_section(draft, section, values)
            data = draft.data or {}
            sections = answers.visible_sections(questionnaire, data)
            ids = [s.id for s in sections]
            position = ids.index(section.id) if section.id in ids else 0
            if going_back:
                return Step(section=sections[max(position - 1, 0)])
            if position + 1 < len(sections):
                return Step(section=sections[position + 1])
            missing = missing_required(questionnaire, data)
            if missing is not None:
                return Step(section=missing, incomplete=True)
            response = store_response(questionnaire, draft, hashed)
    except StaleDataError:
        # A simultaneous request of this device stored the response and deleted the draft first.
        return Step(submitted=True)
    receipts.remember(questionnaire.id, hashed)
    return Step(submitted=True, receipt_code=response.receipt_code)


def submit(questionnaire: Questionnaire, draft: Draft, hashed: str) -> Step:
    """The draft as it is, stored (the "send" button of a resumed questionnaire)."""
    missing = missing_required(questionnaire, draft.data or {})
    if missing is not None:
        return Step(section=missing, incomplete=True)
    try:
        with db.session.begin_nested():
            response = store_response(questionnaire, draft, hashed)
    except StaleDataError:
        return Step(submitted=True)
    receipts.remember(questionnaire.id, hashed)
    return Step(submitted=True, receipt_code=response.receipt_code)
