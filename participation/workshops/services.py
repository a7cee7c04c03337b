"""Workshop operations and queries: setup, live capture, harvest. Services add and flush, never
commit; a refused operation raises WorkshopError with its translated message and status."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from participation.accounts.models import Role, User, UserScope
from participation.errors import DomainError
from participation.extensions import db
from participation.modelbase import utcnow
from participation.text import plain_text
from participation.proposals import services as proposals
from participation.proposals.models import Proposal
from participation.quartiers.models import Commune, Quartier, Theme
from participation.workshops.models import (
    QuestionKind,
    ReportStatus,
    WalkObservation,
    WalkStop,
    Workshop,
    WorkshopFormat,
    WorkshopNote,
    WorkshopQuestion,
    WorkshopReport,
    WorkshopTable,
    WorkshopValidator,
)

def N_(message: str) -> str:
    """Marks a wording for the catalogs: stored in French, translated when shown (`question_text`)."""
    return message


# The three questions of the 2023 world café (../shared/DOMAIN.md), in order.
DEFAULT_QUESTIONS: list[tuple[QuestionKind, str]] = [
    (QuestionKind.CHANGES, N_("Quels sont les changements attendus à l'horizon 2030 dans mon quartier sur cette thématique ?")),
    (QuestionKind.ACTIONS, N_("Quels projets/actions à mettre en œuvre prioritairement pour atteindre ces objectifs ?")),
    (QuestionKind.RESOURCES, N_("Quels sont les dispositifs, les ressources et les acteurs à mobiliser prioritairement pour atteindre ces objectifs ?")),
]
KIND_BY_POSITION = [QuestionKind.CHANGES, QuestionKind.ACTIONS, QuestionKind.RESOURCES]

NOTE_MAX_LENGTH = 2000
OBSERVATION_MAX_LENGTH = 4000
MAX_DOT_VOTES = 1000
PHOTO_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/jpeg", "jpg"),
                 "GIF": ("image/png", "png"), "HEIC": ("image/jpeg", "jpg"), "MPO": ("image/jpeg", "jpg")}
PHOTO_MAX_PIXELS = 40_000_000
CAPTURE_ROLES = frozenset({Role.FACILITATOR, Role.ADMIN, Role.CONSEIL_MEMBER})


class WorkshopError(DomainError):
    """A refused workshop operation: the raise site gives the code, the lazy message and the status."""


def closed_error() -> WorkshopError:
    return WorkshopError("workshop_closed", _l("Cet atelier est clôturé : il ne reçoit plus de notes."), 409)


def too_long_error(maximum: int) -> WorkshopError:
    return WorkshopError("text_too_long", _l("Le texte dépasse %(maximum)d caractères."), maximum=maximum)


def merged_error() -> WorkshopError:
    return WorkshopError("note_merged", _l("Cette note a été fusionnée dans une autre."), 409)


def _client_key_error() -> WorkshopError:
    return WorkshopError("invalid_client_key", _l("Identifiant de note invalide. Rechargez la page."))


def _ends_before_start_error() -> WorkshopError:
    return WorkshopError("ends_before_start", _l("La fin doit suivre le début."))


# --- queries -------------------------------------------------------------------------------

def workshops_of(quartier: Quartier) -> list[Workshop]:
    return list(db.session.scalars(
        select(Workshop).where(Workshop.quartier_id == quartier.id)
        .order_by(Workshop.is_template.desc(), Workshop.starts_at.desc())
    ))


def copy_sources(quartier: Quartier) -> list[Workshop]:
    """Templates of the quartier's contrat de ville, then previous workshops of the quartier."""
    contrat_quartiers = (
        select(Quartier.id).join(Commune, Quartier.commune_id == Commune.id)
        .where(Commune.contrat_id == quartier.commune.contrat_id)
    )
    return list(db.session.scalars(
        select(Workshop).where(or_(
            and_(Workshop.is_template.is_(True), Workshop.quartier_id.in_(contrat_quartiers)),
            Workshop.quartier_id == quartier.id,
        )).order_by(Workshop.is_template.desc(), Workshop.starts_at.desc())
    ))


def facilitator_candidates(quartier: Quartier) -> list[User]:
    """Active facilitators and admins whose scope covers the quartier (admins cover everything)."""
    scoped = select(UserScope.user_id).where(or_(
        UserScope.quartier_id == quartier.id, UserScope.contrat_id == quartier.commune.contrat_id
    ))
    return list(db.session.scalars(
        select(User).where(
            User.active.is_(True),
            User.role.in_([Role.FACILITATOR, Role.ADMIN]),
            or_(User.role == Role.ADMIN, User.id.in_(scoped)),
        ).order_by(User.display_name, User.id)
    ))


def host_candidates(quartier: Quartier) -> list[User]:
    scoped = select(UserScope.user_id).where(or_(
        UserScope.quartier_id == quartier.id, UserScope.contrat_id == quartier.commune.contrat_id
    ))
    return list(db.session.scalars(
        select(User).where(
            User.active.is_(True),
            User.role.in_([Role.FACILITATOR, Role.CONSEIL_MEMBER]),
            User.id.in_(scoped),
        ).order_by(User.display_name, User.id)
    ))


def themes_for(workshop: Workshop) -> list[Theme]:
    from participation.quartiers.services import active_themes

    return active_themes(workshop.quartier.commune.contrat_id)


def theme_of_contrat(workshop: Workshop, theme_id: int | None) -> Theme:
    theme = db.session.get(Theme, theme_id) if theme_id else None
    if theme is None or theme.contrat_id != workshop.quartier.commune.contrat_id or theme.archived:
        raise WorkshopError("invalid_theme", _l("Ce thème n'existe pas dans le référentiel de ce contrat de ville."))
    return theme


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


# --- live capture --------------------------------------------------------------------------

def check_note_text(text: str | None, maximum: int = NOTE_MAX_LENGTH) -> str:
    if text is not None and len(text) > maximum:
        raise too_long_error(maximum)
    cleaned = plain_text(text)
    if not cleaned:
        raise WorkshopError("empty_text", _l("La note est vide : écrivez-la avant de l'envoyer."))
    return cleaned


def _check_dots(dot_votes: int | None) -> int:
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


def _question_of(workshop: Workshop, question_id: int | None) -> WorkshopQuestion | None:
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
    question = _question_of(workshop, question_id)
    cleaned = check_note_text(text)
    dots = _check_dots(dot_votes)
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


# --- harvest -------------------------------------------------------------------------------

@dataclass
class HarvestCell:
    question: WorkshopQuestion | None
    notes: list[WorkshopNote]

    @property
    def count(self) -> int:
        return len(self.notes)

    @property
    def dot_votes(self) -> int:
        return sum(note.dot_votes for note in self.notes)


@dataclass
class HarvestTheme:
    theme: Theme
    cells: list[HarvestCell]

    @property
    def count(self) -> int:
        return sum(cell.count for cell in self.cells)

    @property
    def dot_votes(self) -> int:
        return sum(cell.dot_votes for cell in self.cells)


def harvest(workshop: Workshop) -> list[HarvestTheme]:
    """Active (not merged) notes grouped theme × question, most dot votes first. Three queries."""
    notes = db.session.scalars(
        select(WorkshopNote)
        .where(WorkshopNote.workshop_id == workshop.id, WorkshopNote.merged_into_id.is_(None))
        .order_by(WorkshopNote.dot_votes.desc(), WorkshopNote.id)
    ).all()
    questions = {q.id: q for q in workshop.questions}
    order = {q.id: q.position for q in workshop.questions}
    grouped: dict[int, dict[int | None, list[WorkshopNote]]] = {}
    for note in notes:
        grouped.setdefault(note.theme_id, {}).setdefault(note.question_id, []).append(note)
    # The few themes in one query (cheaper than an eager load per note); note.theme then comes
    # from the identity map without SQL.
    themes = {theme.id: theme for theme in db.session.scalars(select(Theme).where(Theme.id.in_(list(grouped))))} if grouped else {}
    result = []
    for theme_id, by_question in grouped.items():
        cells = [
            HarvestCell(questions.get(question_id), by_question[question_id])
            for question_id in sorted(by_question, key=lambda qid: (qid is None, order.get(qid, 0)))
        ]
        result.append(HarvestTheme(themes[theme_id], cells))
    result.sort(key=lambda item: (-item.dot_votes, -item.count, item.theme.position, item.theme.id))
    return result


def absorbed_ids(workshop: Workshop) -> dict[int, list[int]]:
    """For each note that absorbed duplicates, the ids of the notes it absorbed (one query)."""
    absorbed: dict[int, list[int]] = {}
    for note_id, target_id in db.session.execute(
        select(WorkshopNote.id, WorkshopNote.merged_into_id)
        .where(WorkshopNote.workshop_id == workshop.id, WorkshopNote.merged_into_id.is_not(None))
        .order_by(WorkshopNote.id)
    ):
        absorbed.setdefault(target_id, []).append(note_id)
    return absorbed


def note_of(workshop: Workshop, note_id: int) -> WorkshopNote | None:
    note = db.session.get(WorkshopNote, note_id)
    return note if note is not None and note.workshop_id == workshop.id else None


def edit_note(
    note: WorkshopNote, *, text: str, theme_id: int, question_id: int | None, dot_votes: int,
    to_propose: bool,
) -> WorkshopNote:
    """Facilitators' edit; the audit log keeps the original values automatically."""
    if note.merged_into_id is not None:
        raise merged_error()
    workshop = note.workshop
    note.text = check_note_text(text)
    note.theme = theme_of_contrat(workshop, theme_id)
    note.question = _question_of(workshop, question_id)
    note.dot_votes = _check_dots(dot_votes)
    note.to_propose = bool(to_propose)
    db.session.flush()
    return note


def set_to_propose(note: WorkshopNote, flag: bool) -> None:
    if note.merged_into_id is not None:
        raise merged_error()
    note.to_propose = flag
    db.session.flush()


def promote_note(note: WorkshopNote, actor: User) -> tuple[Proposal, bool]:
    """A note flagged "à proposer" becomes a proposal of the quartier, linked both ways.

    Returns (proposal, created). Promoting it again, even concurrently, gives the same proposal.
    """
    if note.merged_into_id is not None:
        raise merged_error()
    if not note.to_propose:
        raise WorkshopError("note_not_flagged", _l("Marquez d'abord la note « à proposer »."), 409)
    workshop = note.workshop
    already = proposals.promoted_from_note(note.id)
    try:
        proposal = proposals.promote_workshop_note(
            workshop.quartier, note=note, title=proposals.title_from_text(note.text), body=note.text,
            theme=note.theme, actor=actor, workshop_label=workshop.title,
        )
    except proposals.ProposalError as error:
        if error.code == "note_elsewhere":
            raise WorkshopError("note_elsewhere", _l("Cette note vient d'un atelier d'un autre quartier : "
                                                     "elle ne peut pas devenir une proposition ici."), 403) from None
        raise WorkshopError("promotion_refused", _l("Cette note n'a pas pu devenir une proposition. "
                                                    "Modifiez son texte puis réessayez.")) from None
    note.proposal_id = proposal.id
    db.session.flush()
    return proposal, already is None


def notes_to_merge(workshop: Workshop, target_id: int | None, note_ids: Iterable[int]) -> tuple[WorkshopNote, list[WorkshopNote]]:
    """The note kept and all the notes a merge would join (checked, nothing changed)."""
    ids = {note_id for note_id in note_ids if isinstance(note_id, int)}
    if target_id is not None:
        ids.add(target_id)
    if len(ids) < 2:
        raise WorkshopError("merge_needs_two", _l("Cochez au moins deux notes à fusionner."))
    notes = db.session.scalars(select(WorkshopNote).where(WorkshopNote.id.in_(ids))).all()
    if len(notes) != len(ids) or any(n.workshop_id != workshop.id for n in notes):
        raise WorkshopError("note_not_in_workshop", _l("Une des notes n'appartient pas à cet atelier."))
    if any(n.merged_into_id is not None for n in notes):
        raise merged_error()
    target_id = target_id if target_id in ids else min(ids)
    return next(n for n in notes if n.id == target_id), sorted(notes, key=lambda n: n.id)


def merge_notes(workshop: Workshop, target_id: int | None, note_ids: Iterable[int]) -> WorkshopNote:
    """Merge duplicates into the target: dot votes are summed, absorbed notes link to it."""
    target, notes = notes_to_merge(workshop, target_id, note_ids)
    for note in notes:
        if note is target:
            continue
        target.dot_votes += note.dot_votes
        target.to_propose = target.to_propose or note.to_propose
        note.merged_into = target
        for earlier in list(note.absorbed):  # keep one level: the target absorbs them all
            earlier.merged_into = target
    db.session.flush()
    return target


# --- evidence for the priorities -------------------------------------------------------------

@dataclass(frozen=True)
class ThemeEvidence:
    theme_id: int
    notes: int
    dot_votes: int

    @property
    def weight(self) -> int:
        """One point per note, one per dot vote."""
        return self.notes + self.dot_votes


def theme_evidence(workshop_id: int) -> list[ThemeEvidence]:
    """Per theme, the weight of evidence of one workshop: active notes and their dot votes (SQL)."""
    rows = db.session.execute(
        select(WorkshopNote.theme_id, func.count(WorkshopNote.id), func.coalesce(func.sum(WorkshopNote.dot_votes), 0))
        .where(WorkshopNote.workshop_id == workshop_id, WorkshopNote.merged_into_id.is_(None))
        .group_by(WorkshopNote.theme_id)
        .order_by(WorkshopNote.theme_id)
    ).all()
    return [ThemeEvidence(theme_id, int(notes), int(dots)) for theme_id, notes, dots in rows]


# --- walk observations (read by the compte-rendu) ----------------------------------------

def observations_of(workshop: Workshop) -> list[WalkObservation]:
    return list(db.session.scalars(
        select(WalkObservation).where(WalkObservation.workshop_id == workshop.id)
        .options(selectinload(WalkObservation.photos), selectinload(WalkObservation.theme),
                 selectinload(WalkObservation.stop))
        .order_by(WalkObservation.id)
    ))


# --- validation right ----------------------------------------------------------------------

def is_validator(user: User, contrat_id: int) -> bool:
    """Administrators validate by default (so a compte-rendu never waits for nobody); facilitators
    once an administrator has granted them the right for the contrat."""
    if not getattr(user, "is_authenticated", False) or user.role not in (Role.FACILITATOR, Role.ADMIN):
        return False
    if user.role is Role.ADMIN:
        return True
    return db.session.scalar(
        select(func.count()).select_from(WorkshopValidator)
        .where(WorkshopValidator.contrat_id == contrat_id, WorkshopValidator.user_id == user.id)
    ) > 0


def validators_of(contrat_id: int) -> list[WorkshopValidator]:
    return list(db.session.scalars(
        select(WorkshopValidator).where(WorkshopValidator.contrat_id == contrat_id)
        .options(selectinload(WorkshopValidator.user)).order_by(WorkshopValidator.id)
    ))


def validator_candidates(contrat) -> list[User]:
    """Facilitators (and admins) whose scope lies in the contrat."""
    scoped = (
        select(UserScope.user_id)
        .outerjoin(Quartier, UserScope.quartier_id == Quartier.id)
        .outerjoin(Commune, Quartier.commune_id == Commune.id)
        .where(or_(UserScope.contrat_id == contrat.id, Commune.contrat_id == contrat.id))
    )
    return list(db.session.scalars(
        select(User).where(
            User.active.is_(True), User.role.in_([Role.FACILITATOR, Role.ADMIN]),
            or_(User.role == Role.ADMIN, User.id.in_(scoped)),
        ).order_by(User.display_name, User.id)
    ))


def add_validator(contrat, user: User) -> WorkshopValidator:
    if user not in validator_candidates(contrat):
        raise WorkshopError("not_a_facilitator", _l("Seul un animateur ou une animatrice du contrat de ville "
                                                     "peut recevoir ce droit."))
    existing = db.session.scalar(select(WorkshopValidator).where(
        WorkshopValidator.contrat_id == contrat.id, WorkshopValidator.user_id == user.id))
    if existing:
        return existing
    validator = WorkshopValidator(contrat_id=contrat.id, user_id=user.id)
    db.session.add(validator)
    db.session.flush()
    return validator


def remove_validator(contrat, validator_id: int) -> None:
    validator = db.session.get(WorkshopValidator, validator_id)
    if validator is None or validator.contrat_id != contrat.id:
        raise WorkshopError("validator_not_found", _l("Ce droit de validation n'existe pas."), 404)
    db.session.delete(validator)
    db.session.flush()


# --- compte-rendu --------------------------------------------------------------------------

def build_report_content(workshop: Workshop) -> dict[str, Any]:
    """A snapshot of the workshop for the compte-rendu: data only, labels in the three languages."""
    facilitators = [user.display_name for user in workshop.facilitators]
    themes = []
    for item in harvest(workshop):
        sections = []
        for cell in item.cells:
            question = cell.question
            sections.append({
                "kind": question.kind.value if question else QuestionKind.OTHER.value,
                "question": question.text if question else "",
                "items": [
                    {"note_id": note.id, "text": note.text, "dot_votes": note.dot_votes,
                     "to_propose": note.to_propose}
                    for note in sorted(cell.notes, key=lambda n: (-n.dot_votes, n.id))
                ],
            })
        themes.append(_theme_entry(item.theme, sections, item.count, item.dot_votes))
    observations = observations_of(workshop) if workshop.is_walk else []
    if observations:
        by_theme: dict[int, list[WalkObservation]] = {}
        for observation in observations:
            by_theme.setdefault(observation.theme_id, []).append(observation)
        known = {entry["theme_id"]: entry for entry in themes}
        for theme_id, items in by_theme.items():
            section = {
                "kind": "observations", "question": "",
                # No GPS position: the compte-rendu is published, and an observation's exact
                # position can point at a resident's door (RGPD). Positions are dropped, not
                # rounded: the compte-rendu never shows them and the stop names say where;
                # facilitators keep the exact ones on the observations page.
                "items": [{"observation_id": o.id, "text": o.text, "dot_votes": 0,
                           "stop": o.stop.name if o.stop else ""}
                          for o in items],
            }
            if theme_id in known:
                known[theme_id]["sections"].append(section)
            else:
                themes.append(_theme_entry(items[0].theme, [section], 0, 0))
    return {
        "title": workshop.title,
        "format": workshop.format.value,
        "quartier": workshop.quartier.name,
        "qpv_code": workshop.quartier.qpv_code,
        "starts_at": workshop.starts_at.isoformat(),
        "place": workshop.place,
        "facilitators": facilitators,
        "neutral_facilitator": workshop.neutral_facilitator,
        "attendance": {"total": workshop.attendance_total, **workshop.attendance_breakdown()},
        "plenary_summary": workshop.plenary_summary,
        "stops": [stop.name for stop in workshop.stops] if workshop.is_walk else [],
        "themes": themes,
    }


def _theme_entry(theme: Theme, sections: list[dict], notes: int, dots: int) -> dict[str, Any]:
    return {
        "theme_id": theme.id, "label_fr": theme.label_fr, "label_en": theme.label_en,
        "label_ar": theme.label_ar, "pictogram": theme.pictogram, "notes": notes, "dot_votes": dots,
        "sections": sections,
    }


def reports_of(workshop: Workshop) -> list[WorkshopReport]:
    return list(db.session.scalars(
        select(WorkshopReport).where(WorkshopReport.workshop_id == workshop.id)
        .options(selectinload(WorkshopReport.validated_by), selectinload(WorkshopReport.submitted_by),
                 selectinload(WorkshopReport.published_by))
        .order_by(WorkshopReport.version.desc())
    ))


def report_version(workshop: Workshop, version: int) -> WorkshopReport | None:
    return db.session.scalar(select(WorkshopReport).where(
        WorkshopReport.workshop_id == workshop.id, WorkshopReport.version == version))


def _editable_report(workshop: Workshop, user: User | None) -> WorkshopReport:
    """The draft to write into: the latest version, or a new one when the latest is frozen."""
    latest = db.session.scalar(
        select(WorkshopReport).where(WorkshopReport.workshop_id == workshop.id)
        .order_by(WorkshopReport.version.desc()).limit(1)
    )
    if latest is not None and not latest.frozen:
        latest.status = ReportStatus.DRAFT  # editing a submitted version sends it back to draft
        latest.submitted_at, latest.submitted_by_id = None, None
        return latest
    report = WorkshopReport(
        workshop_id=workshop.id, version=(latest.version + 1) if latest else 1,
        status=ReportStatus.DRAFT, context=latest.context if latest else "",
        created_by_id=user.id if user else None,
    )
    db.session.add(report)
    return report


def generate_report(workshop: Workshop, user: User | None, *, context: str | None = None) -> WorkshopReport:
    """Regenerate the compte-rendu from the workshop (a frozen version is never touched)."""
    report = _editable_report(workshop, user)
    if context is not None:
        if len(context) > 10_000:
            raise too_long_error(10_000)
        report.context = plain_text(context)
    report.content = build_report_content(workshop)
    db.session.flush()
    return report


def submit_report(report: WorkshopReport, user: User) -> None:
    if report.status is not ReportStatus.DRAFT:
        raise WorkshopError("report_not_draft", _l("Seul un brouillon peut être soumis."), 409)
    report.status, report.submitted_by_id, report.submitted_at = ReportStatus.SUBMITTED, user.id, utcnow()
    db.session.flush()


def check_validation(report: WorkshopReport, user: User) -> None:
    """Raises unless `user` may validate `report` now (asked before the confirmation step too)."""
    if report.status is not ReportStatus.SUBMITTED:
        raise WorkshopError("report_not_submitted", _l("Le compte-rendu doit d'abord être soumis à validation."), 409)
    if not is_validator(user, report.workshop.quartier.commune.contrat_id):
        raise WorkshopError("no_validation_right", _l("Vous n'avez pas le droit de valider les comptes-rendus "
                                                       "de ce contrat de ville."), 403)


def validate_report(report: WorkshopReport, user: User) -> None:
    check_validation(report, user)
    report.status, report.validated_by_id, report.validated_at = ReportStatus.VALIDATED, user.id, utcnow()
    db.session.flush()


def check_publication(report: WorkshopReport, user: User) -> None:
    if report.status is not ReportStatus.VALIDATED:
        raise WorkshopError("report_not_validated", _l("Le compte-rendu doit d'abord être validé."), 409)


def publish_report(report: WorkshopReport, user: User) -> None:
    check_publication(report, user)
    report.status, report.published_by_id, report.published_at = ReportStatus.PUBLISHED, user.id, utcnow()
    db.session.flush()


# --- workshops list ------------------------------------------------------------------------

def status_counts(workshops: list[Workshop]) -> dict[int, int]:
    """Notes per workshop (not merged), in one query."""
    if not workshops:
        return {}
    rows = db.session.execute(
        select(WorkshopNote.workshop_id, func.count(WorkshopNote.id))
        .where(WorkshopNote.workshop_id.in_([w.id for w in workshops]), WorkshopNote.merged_into_id.is_(None))
        .group_by(WorkshopNote.workshop_id)
    ).all()
    return {workshop_id: count for workshop_id, count in rows}

