"""The harvest after a workshop: notes by theme and question, edited, merged, promoted to proposals."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from participation.accounts.models import User
from participation.extensions import db
from participation.proposals import services as proposals
from participation.proposals.models import Proposal
from participation.quartiers.models import Theme
from participation.workshops.errors import WorkshopError, merged_error
from participation.workshops.live_capture import check_dots, check_note_text, question_of
from participation.workshops.models import Workshop, WorkshopNote, WorkshopQuestion
from participation.workshops.queries import theme_of_contrat


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
    note.question = question_of(workshop, question_id)
    note.dot_votes = check_dots(dot_votes)
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
