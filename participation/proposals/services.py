"""Proposals: creation, promotion of workshop notes, states and official answers, votes and gommettes.
The list with its counts is in listing.py, comments and moderation in moderation.py, voting codes
and periods in voting.py. Functions add and flush, never commit; they return data
and raise ProposalError (a DomainError carrying its code, translated message and HTTP status).

Public API used by other domains:
- `set_state(proposal, new_state, answer_text, actor, reason=None)`: the state machine and its
  official answer (the priorities domain calls it when linking a proposal: state "retained");
- `promote_workshop_note(...)`: a workshop note promoted to a proposal (workshops domain), and
  `register_note_source(app, provider)`: where the proposal page links back to the note.
What the priorities read (weights per theme, outcomes...) is in proposals/evidence.py."""
from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from participation.accounts.models import User
from participation.extensions import db
from participation.html import sanitize_rich
from participation.modelbase import utcnow
from participation.proposals import voting
from participation.proposals.errors import ProposalError
from participation.proposals.models import (
    ANSWER_MAX, BODY_MAX, REASON_MAX, TITLE_MAX, TRANSITIONS, DotCount, DotMeeting, Participant,
    Proposal, ProposalSource, ProposalState, StateChange, VoteChoice, VotingCode, VotingPeriod,
)
from participation.quartiers.models import Quartier, Theme
from participation.text import plain_text


# --- text ---------------------------------------------------------------------------------

# A body is read as formatted text only when it holds one of the allowed tags; anything else
# ("loyers < 500 €", "<3", "<<les jeunes>>") is plain text, kept whole and escaped.
_ALLOWED_TAG = re.compile(r"</?\s*(p|br|strong|em|ul|ol|li|a|blockquote|b|i)(\s[^<>]*)?/?>", re.IGNORECASE)


def rich_body(text: str, *, plain: bool = False) -> str:
    """Residents type plain text (blank lines make paragraphs) or the few allowed tags.

    `plain`: the text is never read as tags (an imported Pol.is comment is plain text, even
    when it looks like a broken link).
    """
    text = plain_text(text)
    if plain or not _ALLOWED_TAG.search(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "".join(
            "<p>" + "<br>".join(html_module.escape(line) for line in p.splitlines()) + "</p>"
            for p in paragraphs
        )
    return sanitize_rich(text)


def clean_title(title: str) -> str:
    title = plain_text(title)
    if not title:
        raise ProposalError("title_required", _l("Indiquez un titre."))
    if len(title) > TITLE_MAX:
        raise ProposalError("title_too_long", _l("Le titre est trop long."))
    return title


# --- proposals ------------------------------------------------------------------------------

def themes_of(quartier: Quartier) -> list[Theme]:
    return list(
        db.session.scalars(
            select(Theme)
            .where(Theme.contrat_id == quartier.commune.contrat_id, Theme.archived_at.is_(None))
            .order_by(Theme.parent_id.is_not(None), Theme.position, Theme.id)
        )
    )


def create_proposal(
    quartier: Quartier, *, title: str, body: str = "", theme: Theme | None, source: ProposalSource,
    author: User | None = None, author_label: str = "", place_text: str = "",
    latitude: float | None = None, longitude: float | None = None,
    workshop_note_id: int | None = None, external_id: str | None = None,
    state: ProposalState = ProposalState.SUBMITTED, created_at: datetime | None = None, plain_body: bool = False,
) -> Proposal:
    if theme is not None and theme.contrat_id != quartier.commune.contrat_id:
        raise ProposalError("theme_elsewhere", _l("Ce thème n'appartient pas au contrat de ville du quartier."))
    if (latitude is None) != (longitude is None):
        raise ProposalError("coordinates_incomplete", _l("Indiquez la latitude et la longitude, ou aucune des deux."))
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ProposalError("coordinates_invalid", _l("Coordonnées invalides."))
    if len(body or "") > BODY_MAX * 2:
        raise ProposalError("body_too_long", _l("Le texte est trop long."))
    proposal = Proposal(
        quartier_id=quartier.id, theme_id=theme.id if theme else None, title=clean_title(title),
        body=rich_body(body, plain=plain_body), place_text=plain_text(place_text)[:200], latitude=latitude,
        longitude=longitude, source=source, author_id=author.id if author else None,
        author_label=plain_text(author_label)[:200], workshop_note_id=workshop_note_id,
        external_id=external_id, state=state,
    )
    if created_at is not None:
        proposal.created_at = created_at
    db.session.add(proposal)
    db.session.flush()
    return proposal


def title_from_text(text: str, limit: int = TITLE_MAX) -> str:
    """A proposal title from a longer text (a workshop note): its first line, cut at a word."""
    line = " ".join(plain_text(text).split("\n", 1)[0].split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–—") + "…"


def promoted_from_note(note_id: int) -> Proposal | None:
    return db.session.scalar(select(Proposal).where(Proposal.workshop_note_id == note_id))


def promote_workshop_note(
    quartier: Quartier, *, note, title: str, body: str, theme: Theme | None,
    actor: User, workshop_label: str = "",
) -> Proposal:
    """A facilitator promotes a workshop note (the workshops domain's WorkshopNote) to a proposal.

    The note must come from a workshop of the same quartier ("note_elsewhere" otherwise). A note
    gives one proposal at most (unique `workshop_note_id`): promoting it again, even at the same
    moment from another request, returns the proposal it already gave.
    """
    if note.workshop.quartier_id != quartier.id:
        raise ProposalError("note_elsewhere", _l("Cette note vient d'un atelier d'un autre quartier."))
    existing = promoted_from_note(note.id)
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            return create_proposal(
                quartier, title=title, body=body, theme=theme, source=ProposalSource.WORKSHOP,
                author=actor, author_label=workshop_label, workshop_note_id=note.id,
            )
    except IntegrityError:  # a concurrent promotion of the same note won the race
        existing = promoted_from_note(note.id)
        if existing is None:
            raise
        return existing


@dataclass(frozen=True)
class NoteSource:
    """Where a promoted note can be read: its workshop, and a page about it (or None)."""

    workshop_title: str
    url: str | None


NoteSourceProvider = Callable[[int, bool], "NoteSource | None"]


def register_note_source(app, provider: NoteSourceProvider) -> None:
    """The workshops domain says where a note can be read: `provider(note_id, staff)`.

    Staff get the harvest page, the public the published compte-rendu, if any. Proposals never
    import the workshops domain, which calls this domain to promote its notes.
    """
    app.extensions["proposals_note_source"] = provider


def note_source(proposal: Proposal, *, staff: bool) -> NoteSource | None:
    from flask import current_app

    provider = current_app.extensions.get("proposals_note_source")
    if proposal.workshop_note_id is None or provider is None:
        return None
    return provider(proposal.workshop_note_id, staff)


def set_state(
    proposal: Proposal, new_state: ProposalState, answer_text: str, actor: User | None,
    reason: str | None = None, *, actor_name: str | None = None, at: datetime | None = None,
) -> StateChange:
    """Move a proposal along the state machine and record the public official answer.

    submitted → under study → retained / not retained → done (see models.TRANSITIONS).
    `answer_text` is required (the official answer residents read, sanitized with limited
    formatting); `reason` is required when the new state is NOT_RETAINED. Raises ProposalError
    with code "same_state", "transition_not_allowed", "answer_required", "answer_too_long" or
    "reason_required". Access (facilitators of the quartier) is checked by the caller's view.
    Flushes, never commits; returns the StateChange row (who, when, text).
    """
    new_state = ProposalState(new_state)
    if new_state == proposal.state:
        raise ProposalError("same_state", _l("La proposition est déjà dans cet état."), 409)
    if new_state not in TRANSITIONS[proposal.state]:
        raise ProposalError("transition_not_allowed", _l("Ce changement d'état n'est pas possible depuis l'état actuel."), 409)
    answer = rich_body(answer_text or "")
    if not plain_text(answer):
        raise ProposalError("answer_required", _l("La réponse officielle est obligatoire."))
    if len(answer_text) > ANSWER_MAX:
        raise ProposalError("answer_too_long", _l("La réponse officielle est trop longue."))
    reason_clean = plain_text(reason or "")
    if new_state == ProposalState.NOT_RETAINED and not reason_clean:
        raise ProposalError("reason_required", _l("Indiquez un motif."))
    if len(reason_clean) > REASON_MAX:
        raise ProposalError("reason_too_long", _l("Le motif est trop long."))
    change = StateChange(
        proposal_id=proposal.id, from_state=proposal.state, to_state=new_state, answer=answer,
        reason=reason_clean, actor_id=actor.id if actor else None,
        actor_name=actor_name or (actor.display_name if actor else ""),
        created_at=at or utcnow(),
    )
    proposal.state = new_state
    db.session.add(change)
    db.session.flush()
    return change


def set_theme(proposal: Proposal, theme: Theme | None) -> None:
    """Reclassify a proposal (imported ones often arrive without a theme)."""
    if theme is not None and theme.contrat_id != proposal.quartier.commune.contrat_id:
        raise ProposalError("theme_elsewhere", _l("Ce thème n'appartient pas au contrat de ville du quartier."))
    proposal.theme_id = theme.id if theme else None
    db.session.flush()


def history(proposal: Proposal) -> list[StateChange]:
    return list(
        db.session.scalars(
            select(StateChange).where(StateChange.proposal_id == proposal.id)
            .order_by(StateChange.created_at, StateChange.id)
        )
    )


# --- voting (participation.proposals.voting), on this module's clock -------------------------

def open_period(quartier: Quartier, label: str) -> VotingPeriod:
    return voting.open_period(quartier, label, at=utcnow())


def cast_vote(proposal: Proposal, participant: Participant, choice: VoteChoice | str,
              code: VotingCode | None | object = voting.REMEMBERED) -> VoteChoice:
    """voting.cast_vote, dated by `utcnow` (a test of a past campaign sets this clock)."""
    return voting.cast_vote(proposal, participant, choice, code, at=utcnow())


# --- dot votes (gommettes) ------------------------------------------------------------------

def record_dot_meeting(
    quartier: Quartier, *, label: str, held_on: date, participants: int | None, counts: dict[int, int],
) -> DotMeeting:
    text = plain_text(label)
    if not text:
        raise ProposalError("label_required", _l("Indiquez un nom."))
    if participants is not None and participants < 0:
        raise ProposalError("negative_count", _l("Les nombres ne peuvent pas être négatifs."))
    if any(n < 0 for n in counts.values()):
        raise ProposalError("negative_count", _l("Les nombres ne peuvent pas être négatifs."))
    counts = {pid: n for pid, n in counts.items() if n}
    if not counts:
        raise ProposalError("no_dots", _l("Indiquez au moins une gommette."))
    known = set(db.session.scalars(
        select(Proposal.id).where(Proposal.quartier_id == quartier.id, Proposal.id.in_(list(counts)))
    ))
    if known != set(counts):
        raise ProposalError("proposal_elsewhere", _l("Une proposition n'appartient pas à ce quartier."))
    meeting = DotMeeting(quartier_id=quartier.id, label=text[:200], held_on=held_on, participants=participants)
    db.session.add(meeting)
    db.session.flush()
    for proposal_id, dots in counts.items():
        db.session.add(DotCount(meeting_id=meeting.id, proposal_id=proposal_id, dots=dots))
    db.session.flush()
    return meeting


def dot_meetings(quartier: Quartier) -> list[DotMeeting]:
    return list(
        db.session.scalars(
            select(DotMeeting).where(DotMeeting.quartier_id == quartier.id).order_by(DotMeeting.held_on.desc())
        )
    )


# --- states and lookups --------------------------------------------------------------------

ANSWERED_STATES = (ProposalState.RETAINED, ProposalState.NOT_RETAINED, ProposalState.DONE)
PENDING_STATES = (ProposalState.SUBMITTED, ProposalState.UNDER_STUDY)
