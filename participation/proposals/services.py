"""Proposals and votes: the domain logic. Functions add and flush, never commit; they return data
and raise ProposalError (a DomainError carrying its code, translated message and HTTP status).

Public API used by other domains:
- `set_state(proposal, new_state, answer_text, actor, reason=None)`: the state machine and its
  official answer (the priorities domain calls it when linking a proposal: state "retained");
- `promote_workshop_note(...)`: a workshop note promoted to a proposal (workshops domain), and
  `register_note_source(app, provider)`: where the proposal page links back to the note.
What the priorities read (weights per theme, outcomes...) is in proposals/evidence.py.
"""
from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError

from participation.accounts.models import Role, User
from participation.extensions import db
from participation.html import sanitize_rich
from participation.text import plain_text
from participation.modelbase import utcnow
from participation.proposals.models import (
    ANSWER_MAX, BODY_MAX, COMMENT_MAX, REASON_MAX, TITLE_MAX, TRANSITIONS, Comment, DotCount,
    DotMeeting, ModerationEvent, Participant, Proposal, ProposalSource, ProposalState, Report,
    StateChange, Vote, VoteChoice, VotingCode, VotingPeriod,
)
from participation.proposals.errors import ProposalError
from participation.proposals import voting
from participation.proposals.voting import (  # noqa: F401  (the domain's API, re-exported)
    CODE_ALPHABET, CODE_LENGTH, MAX_CODES_PER_BATCH, CodeBatch, bind_code_to_account, close_period,
    code_batches, codes_used, current_period, format_code, generate_codes, hash_code, normalise_code,
    participant_for_code, participant_for_user, participant_key, periods_of, redeem_code, revoke_codes,
    votes_of, votes_used,
)
from participation.quartiers.models import Quartier, Theme


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


# --- listing, with counts aggregated in SQL -------------------------------------------------

SORTS = ("supported", "recent", "debated")


@dataclass(frozen=True)
class Counts:
    pour: int = 0
    contre: int = 0
    sans_avis: int = 0
    comments: int = 0
    dots: int = 0

    @property
    def participants(self) -> int:
        return self.pour + self.contre + self.sans_avis

    @property
    def support(self) -> int:
        return self.pour - self.contre


@dataclass(frozen=True)
class ProposalRow:
    proposal: Proposal
    counts: Counts


def _vote_counts_subquery(quartier_id: int | None = None, proposal_ids=None):
    query = select(
        Vote.proposal_id.label("proposal_id"),
        func.sum(case((Vote.choice == VoteChoice.POUR, 1), else_=0)).label("pour"),
        func.sum(case((Vote.choice == VoteChoice.CONTRE, 1), else_=0)).label("contre"),
        func.sum(case((Vote.choice == VoteChoice.SANS_AVIS, 1), else_=0)).label("sans_avis"),
    )
    if quartier_id is not None:
        query = query.join(Proposal, Proposal.id == Vote.proposal_id).where(Proposal.quartier_id == quartier_id)
    if proposal_ids is not None:
        query = query.where(Vote.proposal_id.in_(proposal_ids))
    return query.group_by(Vote.proposal_id).subquery("vote_counts")


def _comment_counts_subquery(quartier_id: int | None = None, proposal_ids=None):
    query = select(Comment.proposal_id.label("proposal_id"), func.count().label("comments")).where(
        Comment.hidden.is_(False)
    )
    if quartier_id is not None:
        query = query.join(Proposal, Proposal.id == Comment.proposal_id).where(Proposal.quartier_id == quartier_id)
    if proposal_ids is not None:
        query = query.where(Comment.proposal_id.in_(proposal_ids))
    return query.group_by(Comment.proposal_id).subquery("comment_counts")


def _dot_counts_subquery(quartier_id: int | None = None, proposal_ids=None):
    query = select(DotCount.proposal_id.label("proposal_id"), func.sum(DotCount.dots).label("dots"))
    if quartier_id is not None:
        query = query.join(Proposal, Proposal.id == DotCount.proposal_id).where(Proposal.quartier_id == quartier_id)
    if proposal_ids is not None:
        query = query.where(DotCount.proposal_id.in_(proposal_ids))
    return query.group_by(DotCount.proposal_id).subquery("dot_counts")


def list_proposals(
    quartier: Quartier, *, q: str | None = None, theme_id: int | None = None,
    state: ProposalState | None = None, states: Iterable[ProposalState] | None = None,
    source: ProposalSource | None = None, sort: str = "recent", include_hidden: bool = False,
    limit: int = 50, offset: int = 0,
) -> tuple[list[ProposalRow], int]:
    """One page of a quartier's proposals with their counts (one query), and the total."""
    votes = _vote_counts_subquery(quartier.id)
    comments = _comment_counts_subquery(quartier.id)
    dots = _dot_counts_subquery(quartier.id)
    pour = func.coalesce(votes.c.pour, 0)
    contre = func.coalesce(votes.c.contre, 0)
    sans_avis = func.coalesce(votes.c.sans_avis, 0)
    n_comments = func.coalesce(comments.c.comments, 0)
    n_dots = func.coalesce(dots.c.dots, 0)

    conditions = [Proposal.quartier_id == quartier.id]
    if not include_hidden:
        conditions.append(Proposal.hidden.is_(False))
    if q:
        needle = q.strip().lower()
        conditions.append(
            func.lower(Proposal.title).contains(needle, autoescape=True)
            | func.lower(Proposal.body).contains(needle, autoescape=True)
            | func.lower(Proposal.place_text).contains(needle, autoescape=True)
        )
    if theme_id:
        sub_ids = select(Theme.id).where((Theme.id == theme_id) | (Theme.parent_id == theme_id))
        conditions.append(Proposal.theme_id.in_(sub_ids))
    if state is not None:
        conditions.append(Proposal.state == state)
    if states is not None:
        conditions.append(Proposal.state.in_(list(states)))
    if source is not None:
        conditions.append(Proposal.source == source)

    order = {
        "supported": [(pour - contre).desc(), pour.desc(), Proposal.created_at.desc(), Proposal.id.desc()],
        "debated": [n_comments.desc(), (pour + contre + sans_avis).desc(), Proposal.created_at.desc(), Proposal.id.desc()],
    }.get(sort, [Proposal.created_at.desc(), Proposal.id.desc()])

    query = (
        select(Proposal, pour, contre, sans_avis, n_comments, n_dots)
        .outerjoin(votes, votes.c.proposal_id == Proposal.id)
        .outerjoin(comments, comments.c.proposal_id == Proposal.id)
        .outerjoin(dots, dots.c.proposal_id == Proposal.id)
        .where(and_(*conditions))
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    rows = [
        ProposalRow(p, Counts(int(a), int(b), int(c), int(d), int(e)))
        for p, a, b, c, d, e in db.session.execute(query)
    ]
    total = db.session.scalar(select(func.count()).select_from(Proposal).where(and_(*conditions)))
    _load_themes([row.proposal for row in rows])
    return rows, int(total or 0)


def _load_themes(proposals: list[Proposal]) -> None:
    ids = {p.theme_id for p in proposals if p.theme_id}
    if ids:
        list(db.session.scalars(select(Theme).where(Theme.id.in_(ids))))  # fills the identity map


def counts_for(proposal: Proposal) -> Counts:
    votes = _vote_counts_subquery(proposal_ids=[proposal.id])
    comments = _comment_counts_subquery(proposal_ids=[proposal.id])
    dots = _dot_counts_subquery(proposal_ids=[proposal.id])
    row = db.session.execute(
        select(
            func.coalesce(votes.c.pour, 0), func.coalesce(votes.c.contre, 0),
            func.coalesce(votes.c.sans_avis, 0), func.coalesce(comments.c.comments, 0),
            func.coalesce(dots.c.dots, 0),
        )
        .select_from(Proposal)
        .outerjoin(votes, votes.c.proposal_id == Proposal.id)
        .outerjoin(comments, comments.c.proposal_id == Proposal.id)
        .outerjoin(dots, dots.c.proposal_id == Proposal.id)
        .where(Proposal.id == proposal.id)
    ).one()
    return Counts(*(int(value) for value in row))


def dot_votes_of(proposal: Proposal) -> list[tuple[DotMeeting, int]]:
    return [
        (meeting, dots)
        for meeting, dots in db.session.execute(
            select(DotMeeting, DotCount.dots)
            .join(DotCount, DotCount.meeting_id == DotMeeting.id)
            .where(DotCount.proposal_id == proposal.id)
            .order_by(DotMeeting.held_on, DotMeeting.id)
        )
    ]


# --- comments and moderation ----------------------------------------------------------------

def add_comment(proposal: Proposal, body: str, *, author: User | None = None, author_label: str = "") -> Comment:
    text = plain_text(body)
    if not text:
        raise ProposalError("comment_required", _l("Écrivez un commentaire."))
    if len(text) > COMMENT_MAX:
        raise ProposalError("comment_too_long", _l("Le commentaire est trop long."))
    if proposal.hidden:
        raise ProposalError("proposal_hidden", _l("Cette proposition a été masquée par la modération."), 409)
    comment = Comment(
        proposal_id=proposal.id, body=text, author_id=author.id if author else None,
        author_label=plain_text(author_label)[:200],
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def comments_of(proposal: Proposal) -> list[Comment]:
    return list(
        db.session.scalars(
            select(Comment).where(Comment.proposal_id == proposal.id).order_by(Comment.created_at, Comment.id)
        )
    )


def _reason(reason: str) -> str:
    text = plain_text(reason)
    if not text:
        raise ProposalError("reason_required", _l("Indiquez un motif."))
    if len(text) > REASON_MAX:
        raise ProposalError("reason_too_long", _l("Le motif est trop long."))
    return text


def report(proposal: Proposal, reason: str, comment: Comment | None = None) -> Report:
    row = Report(proposal_id=proposal.id, comment_id=comment.id if comment else None, reason=_reason(reason))
    db.session.add(row)
    db.session.flush()
    return row


def open_reports(quartier: Quartier) -> list[Report]:
    return list(
        db.session.scalars(
            select(Report).join(Proposal, Proposal.id == Report.proposal_id)
            .where(Proposal.quartier_id == quartier.id, Report.resolved.is_(False))
            .order_by(Report.created_at.desc())
        )
    )


def set_hidden(item: Proposal | Comment, hidden: bool, reason: str, actor: User) -> ModerationEvent:
    """Hide or restore a proposal or comment; the reason is recorded and shown on the placeholder."""
    text = _reason(reason)
    if item.hidden == hidden:
        if hidden:
            raise ProposalError("already_hidden", _l("Cet élément est déjà masqué."), 409)
        raise ProposalError("not_hidden", _l("Cet élément n'est pas masqué."), 409)
    item.hidden = hidden
    item.hidden_reason = text if hidden else ""
    is_comment = isinstance(item, Comment)
    proposal_id = item.proposal_id if is_comment else item.id
    event = ModerationEvent(
        proposal_id=proposal_id, comment_id=item.id if is_comment else None,
        action="hide" if hidden else "restore", reason=text, actor_id=actor.id,
    )
    db.session.add(event)
    reports = select(Report).where(Report.proposal_id == proposal_id, Report.resolved.is_(False))
    reports = reports.where(Report.comment_id == item.id) if is_comment else reports.where(Report.comment_id.is_(None))
    for row in db.session.scalars(reports):
        row.resolved = True
    db.session.flush()
    return event


def moderation_events(proposal: Proposal) -> list[ModerationEvent]:
    return list(
        db.session.scalars(
            select(ModerationEvent).where(ModerationEvent.proposal_id == proposal.id)
            .order_by(ModerationEvent.created_at, ModerationEvent.id)
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


def is_facilitator_of(user, quartier: Quartier) -> bool:
    return bool(
        user is not None and getattr(user, "is_authenticated", False)
        and user.role in (Role.FACILITATOR, Role.ADMIN) and user.covers_quartier(quartier)
    )




def quartier_by_code(code: str) -> Quartier | None:
    return db.session.scalar(select(Quartier).where(Quartier.qpv_code == code))

