"""Live capture during a workshop: notes taken at the tables, their limits, who may capture."""
from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from participation.accounts.models import Role, User
from participation.extensions import db
from participation.text import plain_text
from participation.workshops.errors import WorkshopError, closed_error, too_long_error
from participation.workshops.models import Workshop, WorkshopNote, WorkshopQuestion, WorkshopTable
from participation.workshops.queries import theme_of_contrat


NOTE_MAX_LENGTH = 2000
OBSERVATION_MAX_LENGTH = 4000
MAX_DOT_VOTES = 1000
PHOTO_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/jpeg", "jpg"),
                 "GIF": ("image/png", "png"), "HEIC": ("image/jpeg", "jpg"), "MPO": ("image/jpeg", "jpg")}
PHOTO_MAX_PIXELS = 40_000_000
CAPTURE_ROLES = frozenset({Role.FACILITATOR, Role.ADMIN, Role.CONSEIL_MEMBER})


def _client_key_error() -> WorkshopError:
    return WorkshopError("invalid_client_key", _l("Identifiant de note invalide. Rechargez la page."))


# --- live capture --------------------------------------------------------------------------

def check_note_text(text: str | None, maximum: int = NOTE_MAX_LENGTH) -> str:
    if text is not None and len(text) > maximum:
        raise too_long_error(maximum)
    cleaned = plain_text(text)
    if not cleaned:
        raise WorkshopError("empty_text", _l("La note est vide : écrivez-la avant de l'envoyer."))
    return cleaned


def check_dots(dot_votes: int | None) -> int:
    if dot_votes is None:
        return 0
    if not isinstance(dot_votes, int) or isinstance(dot_votes, bool) or not 0 <= dot_votes <= MAX_DOT_VOTES:
        raise WorkshopError("invalid_dot_votes", _l("Le nombre de gommettes doit être entre 0 et %(maximum)d."),
                            maximum=MAX_DOT_VOTES)
    return dot_votes


def _table_of(workshop: Workshop, table_id: int | None) -> WorkshopTable:
    table = db.session.get(WorkshopTable, table_id) if isinstance(table_id, int) else None
    if table is None or table.workshop_id != workshop.id:
        raise WorkshopError("table_not_in_workshop", _l("Cette table n'appartient pas à cet atelier."))
    return table


def question_of(workshop: Workshop, question_id: int | None) -> WorkshopQuestion | None:
    if question_id in (None, 0):
        return None
    question = db.session.get(WorkshopQuestion, question_id) if isinstance(question_id, int) else None
    if question is None or question.workshop_id != workshop.id:
        raise WorkshopError("question_not_in_workshop", _l("Cette question n'appartient pas à cet atelier."))
    return question


def check_capture(workshop: Workshop, table_id: int | None, round_number: int | None) -> WorkshopTable:
    table = _table_of(workshop, table_id)
    if not isinstance(round_number, int) or not 1 <= round_number <= workshop.rounds:
        raise WorkshopError("invalid_round", _l("Choisissez un tour entre 1 et %(maximum)d."), maximum=workshop.rounds)
    return table


def add_note(
    workshop: Workshop, *, table_id: int | None, round_number: int | None, question_id: int | None,
    text: str | None, client_key: str | None, author: User | None, dot_votes: int | None = 0,
    theme_id: int | None = None,
) -> tuple[WorkshopNote, bool]:
    """Store one note; returns (note, created). A known client_key returns the stored note."""
    key = (client_key or "").strip()
    if not key or len(key) > 64:
        raise _client_key_error()
    existing = db.session.scalar(select(WorkshopNote).where(WorkshopNote.client_key == key))
    if existing is not None:
        if existing.workshop_id != workshop.id:
            raise _client_key_error()
        return existing, False
    if workshop.closed:
        raise closed_error()
    table = check_capture(workshop, table_id, round_number)
    question = question_of(workshop, question_id)
    cleaned = check_note_text(text)
    dots = check_dots(dot_votes)
    theme = theme_of_contrat(workshop, theme_id) if theme_id else table.theme
    note = WorkshopNote(
        workshop_id=workshop.id, table_id=table.id, round=round_number, question=question,
        theme=theme, text=cleaned, dot_votes=dots, author_id=author.id if author else None,
        client_key=key,
    )
    try:
        with db.session.begin_nested():  # a concurrent retry with the same key lost the race
            db.session.add(note)
            db.session.flush()
    except IntegrityError:
        existing = db.session.scalar(select(WorkshopNote).where(WorkshopNote.client_key == key))
        if existing is None or existing.workshop_id != workshop.id:
            raise _client_key_error() from None
        return existing, False
    return note, True


def new_client_key() -> str:
    return str(uuid.uuid4())


def table_notes(workshop: Workshop, table_id: int | None = None, *, after_id: int = 0, limit: int = 200) -> list[WorkshopNote]:
    query = (
        select(WorkshopNote)
        .where(WorkshopNote.workshop_id == workshop.id, WorkshopNote.id > after_id)
        .options(selectinload(WorkshopNote.question), selectinload(WorkshopNote.theme))
        .order_by(WorkshopNote.id.desc())
        .limit(limit)
    )
    if table_id is not None:
        query = query.where(WorkshopNote.table_id == table_id)
    return list(db.session.scalars(query))


def note_count(workshop: Workshop, *, include_merged: bool = True) -> int:
    query = select(func.count()).select_from(WorkshopNote).where(WorkshopNote.workshop_id == workshop.id)
    if not include_merged:
        query = query.where(WorkshopNote.merged_into_id.is_(None))
    return db.session.scalar(query) or 0
