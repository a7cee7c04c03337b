"""Answering online, page by page: the rules of a resident's path, and a submission that holds
when the last page is sent several times at once (a double click, a retry on a slow network).

The draft is the submission's lock. The request that stores the response deletes the draft in
the same transaction; a simultaneous request with the same token then finds it gone, either
before it starts (no draft: it was submitted) or at its own flush (StaleDataError, caught below
in a savepoint so that request's unit of work stays usable). Both answer with the thanks page.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from participation.extensions import db
from participation.questionnaires import receipts, scope, services
from participation.questionnaires.errors import QuestionnaireError
from participation.questionnaires.models import Draft, Kind, Questionnaire, Section


@dataclass(frozen=True)
class Step:
    """Where a resident goes after sending a page."""

    section: Section | None = None  # the page to show next (or the one with a missing answer)
    incomplete: bool = False  # sent back to `section`: a required answer is still missing
    submitted: bool = False  # the response is stored, by this request or a simultaneous one
    receipt_code: str | None = None  # when this request stored it: the code shown to the resident


def start(questionnaire: Questionnaire, hashed: str, *, consent: bool, quartier_code: str = "") -> Draft:
    """The device's draft, once the resident gave their consent (when the questionnaire asks it)."""
    if questionnaire.consent_text and not consent:
        raise QuestionnaireError("consent", _l("Cochez la case pour donner votre accord avant de commencer."))
    # A shared questionnaire counts the response for the quartier it was reached from.
    quartier_id = None if questionnaire.quartier_id is not None else scope.response_quartier_id(questionnaire, quartier_code)
    return services.start_draft(questionnaire, hashed, quartier_id)


def parse_page(questionnaire: Questionnaire, section: Section, draft: Draft, form: Any, *, going_back: bool):
    """(values, errors) of the page's visible questions; a page left by "previous" may be incomplete."""
    questions = services.visible_questions(section, draft.data or {}, services.choice_owners(questionnaire))
    ranks = any(q.kind is Kind.RANKING for q in questions)
    return services.parse_answers(
        questions, form, enforce_required=not going_back,
        theme_ids={t.id for t in services.ranking_themes(questionnaire)} if ranks else set(),
    )


def save_page(questionnaire: Questionnaire, draft: Draft, section: Section, values: Mapping[str, Any],
              hashed: str, *, going_back: bool) -> Step:
    """Keeps the page's answers in the draft and says where to go; after the last page, stores
    the response (once, however many times the page arrives)."""
    try:
        with db.session.begin_nested():
            services.save_section(draft, section, values)
            data = draft.data or {}
            sections = services.visible_sections(questionnaire, data)
            ids = [s.id for s in sections]
            position = ids.index(section.id) if section.id in ids else 0
            if going_back:
                return Step(section=sections[max(position - 1, 0)])
            if position + 1 < len(sections):
                return Step(section=sections[position + 1])
            missing = services.missing_required(questionnaire, data)
            if missing is not None:
                return Step(section=missing, incomplete=True)
            response = services.submit(questionnaire, draft, hashed)
    except StaleDataError:
        # A simultaneous request of this device stored the response and deleted the draft first.
        return Step(submitted=True)
    receipts.remember(questionnaire.id, hashed)
    return Step(submitted=True, receipt_code=response.receipt_code)


def submit(questionnaire: Questionnaire, draft: Draft, hashed: str) -> Step:
    """The draft as it is, stored (the "send" button of a resumed questionnaire)."""
    missing = services.missing_required(questionnaire, draft.data or {})
    if missing is not None:
        return Step(section=missing, incomplete=True)
    try:
        with db.session.begin_nested():
            response = services.submit(questionnaire, draft, hashed)
    except StaleDataError:
        return Step(submitted=True)
    receipts.remember(questionnaire.id, hashed)
    return Step(submitted=True, receipt_code=response.receipt_code)
