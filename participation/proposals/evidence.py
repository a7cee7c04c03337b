"""What the proposals hand to the priorities (participation/evidence.py): SOURCE, the weights of
votes and gommettes per theme and the proposals behind them, the themes a voting code fed; and
PROPOSALS, the desk the priorities ask to find, retain, count and report on proposals.

Every query aggregates in SQL: a fixed number of queries whatever the number of proposals or
quartiers.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Iterable

from flask import url_for
from sqlalchemy import case, func, select

from participation.evidence import IN_PERSON, ONLINE, Contribution, ProposalOutcome, ProposalRef, ThemeWeight
from participation.extensions import db
from participation.proposals import services
from participation.proposals.models import (
    DotCount, DotMeeting, Proposal, ProposalState, StateChange, Vote, VoteChoice,
)
from participation.proposals.voting import find_code, participant_for_code
from participation.quartiers.models import Quartier

VOTES_SOURCE = "proposal_votes"
DOTS_SOURCE = "proposal_dots"
ANSWERED = (ProposalState.RETAINED, ProposalState.NOT_RETAINED, ProposalState.DONE)
PENDING = (ProposalState.SUBMITTED, ProposalState.UNDER_STUDY)


def _in_window(column, start, end) -> list:
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


def _held_within(start, end) -> list:
    """Conditions keeping the dot-vote meetings held within [start, end)."""
    held = []
    if start is not None:
        held.append(DotMeeting.held_on >= start.date())
    if end is not None:
        held.append(DotMeeting.held_on < end.date() if isinstance(end, datetime) else DotMeeting.held_on < end)
    return held


def _proposal_url(qpv_code: str, proposal_id: int) -> str | None:
    try:
        return url_for("proposals.show", code=qpv_code, proposal_id=proposal_id)
    except RuntimeError:  # outside a request (CLI): no URL
        return None


# --- theme weights ----------------------------------------------------------------------------

def theme_weights_many(
    quartier_ids: Iterable[int], start: datetime | None = None, end: datetime | None = None,
) -> dict[int, list[ThemeWeight]]:
    """Weights of evidence per theme from proposals and votes, per quartier.

    - source "proposal_votes", channel "online": weight = Σ over the theme's proposals of
      max(pour − contre, 0) (support, floored at 0 per proposal); participants = distinct
      participants who voted on a proposal of the theme. Votes counted by their last change
      within [start, end).
    - source "proposal_dots", channel "in_person": weight = Σ gommettes on the theme's proposals
      at meetings held within [start, end); participants = Σ of those meetings' attendance.
    Hidden proposals and proposals without a theme count for nothing. Three queries.
    """
    ids = sorted(set(quartier_ids))
    found: dict[int, list[ThemeWeight]] = defaultdict(list)
    if not ids:
        return {}
    visible = (Proposal.quartier_id.in_(ids), Proposal.hidden.is_(False), Proposal.theme_id.is_not(None))
    per_proposal = (
        select(
            Proposal.quartier_id.label("quartier_id"), Proposal.theme_id.label("theme_id"),
            (func.sum(case((Vote.choice == VoteChoice.POUR, 1), else_=0))
             - func.sum(case((Vote.choice == VoteChoice.CONTRE, 1), else_=0))).label("support"),
        )
        .join(Vote, Vote.proposal_id == Proposal.id)
        .where(*visible, *_in_window(Vote.updated_at, start, end))
        .group_by(Proposal.id, Proposal.quartier_id, Proposal.theme_id)
        .subquery()
    )
    weights = {
        (quartier_id, theme_id): weight
        for quartier_id, theme_id, weight in db.session.execute(
            select(per_proposal.c.quartier_id, per_proposal.c.theme_id,
                   func.sum(case((per_proposal.c.support > 0, per_proposal.c.support), else_=0)))
            .group_by(per_proposal.c.quartier_id, per_proposal.c.theme_id)
        )
    }
    for quartier_id, theme_id, count in db.session.execute(
        select(Proposal.quartier_id, Proposal.theme_id, func.count(func.distinct(Vote.participant_id)))
        .join(Vote, Vote.proposal_id == Proposal.id)
        .where(*visible, *_in_window(Vote.updated_at, start, end))
        .group_by(Proposal.quartier_id, Proposal.theme_id)
        .order_by(Proposal.quartier_id, Proposal.theme_id)
    ):
        found[quartier_id].append(ThemeWeight(
            VOTES_SOURCE, ONLINE, theme_id, float(weights.get((quartier_id, theme_id)) or 0), int(count)))

    dot_rows = (
        select(Proposal.quartier_id.label("quartier_id"), Proposal.theme_id.label("theme_id"),
               DotMeeting.id.label("meeting_id"),
               func.coalesce(DotMeeting.participants, 0).label("attendance"), func.sum(DotCount.dots).label("dots"))
        .join(DotCount, DotCount.proposal_id == Proposal.id)
        .join(DotMeeting, DotMeeting.id == DotCount.meeting_id)
        .where(*visible, *_held_within(start, end))
        .group_by(Proposal.quartier_id, Proposal.theme_id, DotMeeting.id, DotMeeting.participants)
        .subquery()
    )
    for quartier_id, theme_id, dots, attendance in db.session.execute(
        select(dot_rows.c.quartier_id, dot_rows.c.theme_id, func.sum(dot_rows.c.dots), func.sum(dot_rows.c.attendance))
        .group_by(dot_rows.c.quartier_id, dot_rows.c.theme_id)
        .order_by(dot_rows.c.quartier_id, dot_rows.c.theme_id)
    ):
        found[quartier_id].append(ThemeWeight(DOTS_SOURCE, IN_PERSON, theme_id, float(dots or 0), int(attendance or 0)))
    return dict(found)


def theme_weights(quartier_id: int, start: datetime | None = None, end: datetime | None = None) -> list[ThemeWeight]:
    return theme_weights_many([quartier_id], start, end).get(quartier_id, [])


# --- contributions, for the drill-down --------------------------------------------------------

def proposal_support(quartier_id: int, start=None, end=None, theme_id: int | None = None):
    """Per visible, themed proposal: (proposal_id, theme_id, title, pour, contre, participants)."""
    pour = func.sum(case((Vote.choice == VoteChoice.POUR, 1), else_=0))
    contre = func.sum(case((Vote.choice == VoteChoice.CONTRE, 1), else_=0))
    query = (
        select(Proposal.id, Proposal.theme_id, Proposal.title, pour, contre, func.count(Vote.id))
        .join(Vote, Vote.proposal_id == Proposal.id)
        .where(Proposal.quartier_id == quartier_id, Proposal.hidden.is_(False), Proposal.theme_id.is_not(None),
               *_in_window(Vote.updated_at, start, end))
        .group_by(Proposal.id, Proposal.theme_id, Proposal.title)
    )
    if theme_id is not None:
        query = query.where(Proposal.theme_id == theme_id)
    return db.session.execute(query).all()


def contributions(quartier_id: int, theme_id: int, start: datetime | None, end: datetime | None,
                  limit: int = 50) -> list[Contribution]:
    quartier = db.session.get(Quartier, quartier_id)
    result = []
    rows = sorted(proposal_support(quartier_id, start, end, theme_id), key=lambda r: -(r[3] - r[4]))
    for proposal_id, _theme, title, pour, contre, _n in rows[:limit]:
        result.append(Contribution(VOTES_SOURCE, ONLINE, theme_id, float(max(pour - contre, 0)),
                                   "proposal", proposal_id, title, _proposal_url(quartier.qpv_code, proposal_id)))
    dots = db.session.execute(
        select(DotCount.id, DotCount.dots, Proposal.title, DotMeeting.label, DotMeeting.held_on)
        .join(Proposal, Proposal.id == DotCount.proposal_id)
        .join(DotMeeting, DotMeeting.id == DotCount.meeting_id)
        .where(Proposal.quartier_id == quartier_id, Proposal.theme_id == theme_id, Proposal.hidden.is_(False),
               *_held_within(start, end))
        .order_by(DotCount.dots.desc()).limit(limit)
    )
    for dot_id, n, title, meeting, held_on in dots:
        result.append(Contribution(DOTS_SOURCE, IN_PERSON, theme_id, float(n), "dot_vote", dot_id,
                                   f"{title} — {meeting}",
                                   occurred_at=datetime(held_on.year, held_on.month, held_on.day)))
    return result[:limit]


# --- receipts: the resident's voting code ------------------------------------------------------

def _participant(receipt: str):
    """The typed code finds its participant by its keyed hash only: the printed number leads nowhere."""
    code = find_code(receipt)
    participant = participant_for_code(code) if code is not None else None
    return code, participant


def receipt_quartier_id(receipt: str) -> int | None:
    code, participant = _participant(receipt)
    return code.quartier_id if participant is not None else None


def contributions_for_receipt(receipt: str) -> list[Contribution]:
    """The themed, visible proposals the code's anonymous participant voted on."""
    _code, participant = _participant(receipt)
    if participant is None:
        return []
    rows = db.session.execute(
        select(Proposal.id, Proposal.theme_id, Proposal.title, Vote.choice, Vote.updated_at, Quartier.qpv_code)
        .join(Vote, Vote.proposal_id == Proposal.id)
        .join(Quartier, Quartier.id == Proposal.quartier_id)
        .where(Vote.participant_id == participant.id, Proposal.hidden.is_(False),
               Proposal.theme_id.is_not(None))
        .order_by(Proposal.id)
    )
    return [
        Contribution(VOTES_SOURCE, ONLINE, theme_id, 1.0 if choice is VoteChoice.POUR else 0.0, "proposal",
                     proposal_id, title, url=_proposal_url(qpv_code, proposal_id), occurred_at=updated_at)
        for proposal_id, theme_id, title, choice, updated_at, qpv_code in rows
    ]


# --- outcomes: the priorities' desk -------------------------------------------------------------

def find(proposal_id: int) -> ProposalRef | None:
    """A visible proposal; a hidden (moderated) one cannot be retained and published."""
    row = db.session.execute(
        select(Proposal.id, Proposal.quartier_id, Proposal.title)
        .where(Proposal.id == proposal_id, Proposal.hidden.is_(False))
    ).first()
    return ProposalRef(int(row[0]), int(row[1]), row[2]) if row else None


# What a projet de quartier may still retain, in the order the picker offers them.
LINKABLE = (ProposalState.RETAINED, ProposalState.UNDER_STUDY, ProposalState.SUBMITTED)


def linkable(quartier_id: int, limit: int = 500) -> list[ProposalRef]:
    """Visible proposals of the quartier that can be (or already are) retained, retained first."""
    order = case(*[(Proposal.state == state, position) for position, state in enumerate(LINKABLE)])
    rows = db.session.execute(
        select(Proposal.id, Proposal.quartier_id, Proposal.title, Proposal.state)
        .where(Proposal.quartier_id == quartier_id, Proposal.hidden.is_(False), Proposal.state.in_(LINKABLE))
        .order_by(order, Proposal.id.desc()).limit(limit)
    )
    return [ProposalRef(int(pid), int(qid), title, state.value) for pid, qid, title, state in rows]


def state(proposal_id: int) -> str | None:
    proposal = db.session.get(Proposal, proposal_id)
    return proposal.state.value if proposal is not None else None


def retain(proposal_id: int, answer: str, actor) -> None:
    """The one call of the priorities into the state machine: the proposal becomes "retained"
    with the official answer (a refusal raises ProposalError, a DomainError)."""
    services.set_state(db.session.get(Proposal, proposal_id), "retained", answer, actor)


def outcomes(quartier_id: int) -> list[ProposalOutcome]:
    """Visible answered proposals of the quartier, latest answer first, in one query."""
    last_change = (
        select(
            StateChange.proposal_id.label("proposal_id"),
            StateChange.answer.label("answer"),
            StateChange.reason.label("reason"),
            func.row_number().over(
                partition_by=StateChange.proposal_id,
                order_by=(StateChange.created_at.desc(), StateChange.id.desc()),
            ).label("rank"),
            StateChange.created_at.label("answered_at"),
        )
        .join(Proposal, Proposal.id == StateChange.proposal_id)
        .where(Proposal.quartier_id == quartier_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.state, last_change.c.answer, last_change.c.reason,
               Quartier.qpv_code)
        .join(Quartier, Quartier.id == Proposal.quartier_id)
        .outerjoin(last_change, (last_change.c.proposal_id == Proposal.id) & (last_change.c.rank == 1))
        .where(Proposal.quartier_id == quartier_id, Proposal.hidden.is_(False), Proposal.state.in_(ANSWERED))
        .order_by(last_change.c.answered_at.desc(), Proposal.id.desc())
    ).all()
    return [
        ProposalOutcome(
            id=proposal_id, title=title, state=state.value,
            reason=(reason or "") if state is ProposalState.NOT_RETAINED else "",
            answer=answer or "", url=_proposal_url(qpv_code, proposal_id),
        )
        for proposal_id, title, state, answer, reason, qpv_code in rows
    ]


def pending_many(quartier_ids: Iterable[int]) -> dict[int, int]:
    """Visible proposals awaiting an official answer (submitted or under study), in one query."""
    ids = list(quartier_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Proposal.quartier_id, func.count(Proposal.id))
        .where(Proposal.quartier_id.in_(ids), Proposal.hidden.is_(False), Proposal.state.in_(PENDING))
        .group_by(Proposal.quartier_id)
    )
    return {int(quartier_id): int(count) for quartier_id, count in rows}


# --- what the app factory hands to the priorities ---------------------------------------------

class ProposalEvidence:
    """The EvidenceSource of the proposals (the same anatomy in every source domain)."""

    name = "proposals"
    sources = (VOTES_SOURCE, DOTS_SOURCE)
    theme_weights = staticmethod(theme_weights)
    theme_weights_many = staticmethod(theme_weights_many)
    contributions = staticmethod(contributions)
    contributions_for_receipt = staticmethod(contributions_for_receipt)
    receipt_quartier_id = staticmethod(receipt_quartier_id)


class Proposals:
    """The ProposalDesk of participation/evidence.py."""

    find = staticmethod(find)
    state = staticmethod(state)
    linkable = staticmethod(linkable)
    retain = staticmethod(retain)
    outcomes = staticmethod(outcomes)
    pending_many = staticmethod(pending_many)


SOURCE = ProposalEvidence()
PROPOSALS = Proposals()
