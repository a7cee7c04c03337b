"""Proposal queries: the list of a quartier's proposals with their counts aggregated in SQL, one proposal's counts and dot votes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import and_, case, func, select

from participation.extensions import db
from participation.proposals.models import (
    Comment, DotCount, DotMeeting, Proposal, ProposalSource, ProposalState, Vote, VoteChoice,
)
from participation.quartiers.models import Quartier, Theme


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
