"""Reading questionnaires: by id or quartier, open or not, the themes they feed, a response by its receipt.

The other modules of the domain write (building.py, translations.py, interchange.py,
answering.py, paper_entry.py, tagging.py) or read results (results.py); they raise a
QuestionnaireError that carries its own message and status (questionnaires/errors.py).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from participation.extensions import db
from participation.quartiers.models import Quartier, Theme
from participation.quartiers.services import active_themes
from participation.questionnaires import errors
from participation.questionnaires.errors import QuestionnaireError
from participation.questionnaires.models import Choice, Question, Questionnaire, Response, Section, Source, State

PARIS = ZoneInfo("Europe/Paris")


def today() -> date:
    return datetime.now(PARIS).date()


def _full():
    return (
        selectinload(Questionnaire.sections)
        .selectinload(Section.questions)
        .selectinload(Question.choices)
    )


def get_full(questionnaire_id: int) -> Questionnaire | None:
    return db.session.scalar(
        select(Questionnaire)
        .where(Questionnaire.id == questionnaire_id)
        .options(_full(), joinedload(Questionnaire.quartier).joinedload(Quartier.commune),
                 joinedload(Questionnaire.contrat))
    )


def for_quartier(quartier: Quartier) -> list[Questionnaire]:
    """The quartier's own questionnaires and those shared by its contrat de ville."""
    return list(db.session.scalars(
        select(Questionnaire)
        .where(or_(
            Questionnaire.quartier_id == quartier.id,
            and_(Questionnaire.quartier_id.is_(None), Questionnaire.contrat_id == quartier.contrat_id),
        ))
        .order_by(Questionnaire.created_at.desc(), Questionnaire.id.desc())
    ))


def open_for_quartier(quartier: Quartier, on: date | None = None) -> list[Questionnaire]:
    on = on or today()
    return [q for q in for_quartier(quartier) if refusal(q, on) is None]


def refusal(questionnaire: Questionnaire, on: date | None = None) -> QuestionnaireError | None:
    """Why the questionnaire accepts no answer today (an error to raise); None when it is open."""
    on = on or today()
    if questionnaire.state is State.DRAFT:
        return errors.in_preparation(status=404)
    if questionnaire.state is State.CLOSED:
        return QuestionnaireError("closed", _l("Ce questionnaire est clos : il n'accepte plus de réponses. Merci à toutes les personnes qui ont répondu."),
                                  status=409)
    if questionnaire.opens_on and on < questionnaire.opens_on:
        return QuestionnaireError("not_yet_open", _l("Ce questionnaire n'est pas encore ouvert."), status=409)
    if questionnaire.closes_on and on > questionnaire.closes_on:
        return QuestionnaireError("past_closing", _l("La date de clôture de ce questionnaire est passée : il n'accepte plus de réponses."),
                                  status=409)
    return None


def has_answers(questionnaire: Questionnaire) -> bool:
    return bool(db.session.scalar(
        select(exists().where(Response.questionnaire_id == questionnaire.id))
    ))


def ranking_themes(questionnaire: Questionnaire) -> list[Theme]:
    """The themes a resident can rank: the top level of the référentiel."""
    return [theme for theme in active_themes(questionnaire.contrat_id) if theme.parent_id is None]


def mappable_themes(questionnaire: Questionnaire) -> list[Theme]:
    return active_themes(questionnaire.contrat_id)


def condition_hints(questionnaire: Questionnaire, language: str = "fr") -> dict[int, tuple[int, str]]:
    """{question id: (number of the question it depends on, label of the choice)} for paper forms."""
    numbers: dict[int, int] = {}
    labels: dict[int, tuple[int, str]] = {}
    for number, question in enumerate(questionnaire.questions, start=1):
        numbers[question.id] = number
        for choice in question.choices:
            labels[choice.id] = (number, choice.tr("label", language))
    return {q.id: labels[q.condition_choice_id] for q in questionnaire.questions
            if q.condition_choice_id in labels}


def choice_index(questionnaire: Questionnaire) -> dict[int, Choice]:
    return {choice.id: choice for question in questionnaire.questions for choice in question.choices}


# --- receipt codes ------------------------------------------------------------------------

# Receipt codes: no 0/O, 1/I/L, 5/S or 8/B to misread; 10 characters (about 48 bits), read in
# groups as K7F2-M9QX-3T. Only their SHA-256 is stored, on the response.
RECEIPT_ALPHABET = "234679ACDEFGHJKMNPQRTUVWXYZ"
RECEIPT_LENGTH = 10


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_receipt(receipt: str | None) -> str | None:
    """The code as typed (any case, spaces or dashes) in its stored form, or None when it cannot be one."""
    if not receipt or len(receipt) > 64:
        return None
    raw = "".join(ch for ch in receipt.upper() if ch.isalnum())
    if len(raw) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in raw):
        return None
    return raw


def receipt_hash(receipt: str | None) -> str | None:
    raw = normalise_receipt(receipt)
    return hashlib.sha256(f"questionnaire-receipt:{raw}".encode()).hexdigest() if raw else None


def response_for_receipt(receipt: str | None) -> Response | None:
    hashed = receipt_hash(receipt)
    if hashed is None:
        return None
    return db.session.scalar(select(Response).where(Response.receipt_hash == hashed,
                                                    Response.source == Source.ONLINE))
