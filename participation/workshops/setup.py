"""Setting a workshop up: the workshop, its questions, tables and walk stops, closing it."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from participation.accounts.models import User
from participation.extensions import db
from participation.modelbase import utcnow
from participation.quartiers.models import Quartier
from participation.text import plain_text
from participation.i18n import N_
from participation.workshops import times
from participation.workshops.errors import WorkshopError
from participation.workshops.models import (
    QuestionKind, WalkStop, Workshop, WorkshopFormat, WorkshopNote, WorkshopQuestion, WorkshopTable,
)
from participation.workshops.queries import theme_of_contrat


# The three questions of the 2023 world café (../shared/DOMAIN.md), in order.
DEFAULT_QUESTIONS: list[tuple[QuestionKind, str]] = [
    (QuestionKind.CHANGES, N_("Quels sont les changements attendus à l'horizon 2030 dans mon quartier sur cette thématique ?")),
    (QuestionKind.ACTIONS, N_("Quels projets/actions à mettre en œuvre prioritairement pour atteindre ces objectifs ?")),
    (QuestionKind.RESOURCES, N_("Quels sont les dispositifs, les ressources et les acteurs à mobiliser prioritairement pour atteindre ces objectifs ?")),
]
KIND_BY_POSITION = [QuestionKind.CHANGES, QuestionKind.ACTIONS, QuestionKind.RESOURCES]


def _ends_before_start_error() -> WorkshopError:
    return WorkshopError("ends_before_start", _l("La fin doit suivre le début."))


# --- setup ---------------------------------------------------------------------------------

ATTENDANCE_KEYS = ("total",) + Workshop.ATTENDANCE_FIELDS


def _check_attendance(values: dict[str, Any]) -> None:
    parts = [values.get(f"attendance_{key}") for key in Workshop.ATTENDANCE_FIELDS]
    if any(value is not None and value < 0 for value in parts + [values.get("attendance_total")]):
        raise WorkshopError("invalid_attendance", _l("Les effectifs doivent être positifs."))
    total = values.get("attendance_total")
    if total is not None and sum(value or 0 for value in parts) > total:
        raise WorkshopError("attendance_breakdown_exceeds_total",
                            _l("La répartition dépasse le total des participants."))


def create_workshop(
    quartier: Quartier, *, title: str, format: WorkshopFormat, starts_at: datetime,
    created_by: User | None = None, facilitators: Iterable[User] = (), questions: bool = True,
    **values: Any,
) -> Workshop:
    _check_attendance(values)
    if values.get("ends_at") and values["ends_at"] <= starts_at:
        raise _ends_before_start_error()
    workshop = Workshop(
        quartier=quartier, title=plain_text(title), format=format, starts_at=starts_at,
        created_by_id=created_by.id if created_by else None, **_clean(values),
    )
    workshop.facilitators = list(facilitators)
    if questions:
        workshop.questions = [
            WorkshopQuestion(position=position, kind=kind, text=text)
            for position, (kind, text) in enumerate(DEFAULT_QUESTIONS)
        ]
    db.session.add(workshop)
    db.session.flush()
    return workshop


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for key in ("place", "neutral_facilitator", "plenary_summary"):
        if key in cleaned:
            cleaned[key] = plain_text(cleaned[key])
    return cleaned


def update_workshop(workshop: Workshop, *, facilitators: Iterable[User] | None = None, **values: Any) -> Workshop:
    merged = {key: getattr(workshop, key) for key in (f"attendance_{k}" for k in ATTENDANCE_KEYS)}
    merged.update(values)
    _check_attendance(merged)
    starts_at = values.get("starts_at", workshop.starts_at)
    ends_at = values.get("ends_at", workshop.ends_at)
    if ends_at and ends_at <= starts_at:
        raise _ends_before_start_error()
    if "rounds" in values:
        used = db.session.scalar(select(func.max(WorkshopNote.round)).where(WorkshopNote.workshop_id == workshop.id))
        if used and values["rounds"] < used:
            raise WorkshopError("rounds_in_use", _l("Des notes existent pour des tours au-delà de ce nombre."), 409)
    if "title" in values:
        values["title"] = plain_text(values["title"])
    if starts_at != workshop.starts_at:
        workshop.time_to_check = False  # a time typed since is the time meant
    for key, value in _clean(values).items():
        setattr(workshop, key, value)
    if facilitators is not None:
        workshop.facilitators = list(facilitators)
    db.session.flush()
    return workshop


def copy_workshop(
    source: Workshop, quartier: Quartier, *, starts_at: datetime, title: str | None = None,
    created_by: User | None = None, is_template: bool = False,
) -> Workshop:
    """A new workshop with the structure of `source`: format, questions, tables, rounds, stops."""
    workshop = create_workshop(
        quartier, title=title or source.title, format=source.format, starts_at=starts_at,
        created_by=created_by, questions=False, place=source.place, rounds=source.rounds,
        neutral_facilitator=source.neutral_facilitator, is_template=is_template,
        facilitators=source.facilitators if source.quartier_id == quartier.id else (),
    )
    workshop.copied_from_id = source.id
    for question in source.questions:
        workshop.questions.append(WorkshopQuestion(position=question.position, kind=question.kind, text=question.text))
    for table in source.tables:
        workshop.tables.append(WorkshopTable(
            number=table.number, theme_id=table.theme_id,
            host_id=table.host_id if source.quartier_id == quartier.id else None, host_name=table.host_name,
        ))
    for stop in source.stops:
        workshop.stops.append(WalkStop(position=stop.position, name=stop.name, description=stop.description))
    db.session.flush()
    return workshop


def set_questions(workshop: Workshop, texts: list[str]) -> None:
    """Replace the guiding questions, keeping the identity of each position (notes stay attached)."""
    texts = [plain_text(text) for text in texts if text and text.strip()]
    if not texts:
        raise WorkshopError("no_questions", _l("Indiquez au moins une question."))
    if any(len(text) > 500 for text in texts):
        raise WorkshopError("question_too_long", _l("Une question dépasse 500 caractères."))
    existing = list(workshop.questions)
    for position, text in enumerate(texts):
        kind = KIND_BY_POSITION[position] if position < len(KIND_BY_POSITION) else QuestionKind.OTHER
        if position < len(existing):
            existing[position].text, existing[position].kind = text, kind
        else:
            workshop.questions.append(WorkshopQuestion(position=position, kind=kind, text=text))
    removed = existing[len(texts):]
    if removed:
        used = db.session.scalar(
            select(func.count()).select_from(WorkshopNote)
            .where(WorkshopNote.question_id.in_([q.id for q in removed]))
        )
        if used:
            raise WorkshopError("question_in_use", _l("Une question retirée a déjà des notes : "
                                                          "reformulez-la plutôt que de la supprimer."), 409)
        for question in removed:
            workshop.questions.remove(question)
    db.session.flush()


def add_table(workshop: Workshop, *, theme_id: int, host: User | None = None, host_name: str = "") -> WorkshopTable:
    theme = theme_of_contrat(workshop, theme_id)
    number = (db.session.scalar(
        select(func.max(WorkshopTable.number)).where(WorkshopTable.workshop_id == workshop.id)
    ) or 0) + 1
    table = WorkshopTable(workshop=workshop, number=number, theme=theme, host=host, host_name=plain_text(host_name))
    db.session.add(table)
    db.session.flush()
    return table


def update_table(table: WorkshopTable, *, theme_id: int, host: User | None, host_name: str) -> None:
    table.theme = theme_of_contrat(table.workshop, theme_id)
    table.host, table.host_name = host, plain_text(host_name)
    db.session.flush()


def check_table_deletion(table: WorkshopTable) -> None:
    """Raises when the table cannot go (asked before the confirmation step too)."""
    if db.session.scalar(select(func.count()).select_from(WorkshopNote).where(WorkshopNote.table_id == table.id)):
        raise WorkshopError("table_in_use", _l("Cette table a des notes : elle ne peut pas être supprimée."), 409)


def delete_table(table: WorkshopTable) -> None:
    check_table_deletion(table)
    db.session.delete(table)
    db.session.flush()


def add_stop(workshop: Workshop, *, name: str, description: str = "") -> WalkStop:
    position = (db.session.scalar(
        select(func.max(WalkStop.position)).where(WalkStop.workshop_id == workshop.id)
    ) or 0) + 1
    stop = WalkStop(workshop=workshop, position=position, name=plain_text(name), description=plain_text(description))
    db.session.add(stop)
    db.session.flush()
    return stop


def move_stop(stop: WalkStop, direction: int) -> None:
    """Swap a stop with its neighbour; positions stay unique (via a temporary negative value)."""
    stops = list(stop.workshop.stops)
    index = stops.index(stop)
    other_index = index + (1 if direction > 0 else -1)
    if not 0 <= other_index < len(stops):
        return
    other = stops[other_index]
    a, b = stop.position, other.position
    stop.position = -1
    db.session.flush()
    other.position = a
    db.session.flush()
    stop.position = b
    db.session.flush()


def set_closed(workshop: Workshop, closed: bool) -> None:
    workshop.closed_at = utcnow() if closed else None
    db.session.flush()


def settle_time(workshop: Workshop, *, restore_typed: bool) -> None:
    """A facilitator's answer for a time the old bug may have stored 9 minutes early: restore the
    time they typed (18:51 shown becomes 18:00), or keep it as it is; the question is not asked again."""
    if restore_typed and workshop.time_to_check:
        workshop.starts_at = times.unshifted(workshop.starts_at, workshop.timezone)
        workshop.ends_at = times.unshifted(workshop.ends_at, workshop.timezone)
    workshop.time_to_check = False
    db.session.flush()
