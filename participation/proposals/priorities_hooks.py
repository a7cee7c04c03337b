"""What the proposals domain hands to the priorities domain (registered in proposals.init_app).

- `proposal_lookup(id)`: a visible proposal as a ProposalRef, for linking it to an objective
  (hidden or unknown: None, so linking is refused);
- `proposal_outcomes(quartier_id)`: the answered proposals (retained, not retained with its
  reason, done) with their last official answer, for « Vous avez dit, nous avons retenu »;
- `PendingProposals`: proposals awaiting an answer (submitted or under study), one quartier or
  many at once (the dashboard asks for all the quartiers of a scope in one query);
- `VotingCodeReceipts`: a resident who voted with a code types it on /restitution and sees the
  themes their votes fed. The typed code finds its participant by its keyed hash only
  (voting.participant_for_code): the printed number leads nowhere;
- `BatchedProposalEvidence`: the proposals' EvidenceProvider plus `theme_weights_many`, the same
  weights as services.theme_evidence for many quartiers in the same three queries, so the
  officials' dashboard does not grow with its quartiers (tests check both give the same rows).

Every function aggregates in SQL: a fixed number of queries whatever the number of proposals.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Iterable

from flask import url_for
from sqlalchemy import case, func, select

from participation.evidence import IN_PERSON, ONLINE, Contribution, ThemeWeight
from participation.extensions import db
from participation.priorities.services import ProposalOutcome, ProposalRef
from participation.proposals.models import (
    DotCount, DotMeeting, Proposal, ProposalState, StateChange, Vote, VoteChoice,
)
from participation.proposals.services import DOTS_SOURCE, VOTES_SOURCE, ProposalEvidence, _in_window
from participation.proposals.voting import find_code, participant_for_code
from participation.quartiers.models import Quartier

ANSWERED = (ProposalState.RETAINED, ProposalState.NOT_RETAINED, ProposalState.DONE)
PENDING = (ProposalState.SUBMITTED, ProposalState.UNDER_STUDY)


def _proposal_url(qpv_code: str, proposal_id: int) -> str | None:
    try:
        return url_for("proposals.show", code=qpv_code, proposal_id=proposal_id)
    except RuntimeError:  # outside a request (CLI): no URL
        return None


def proposal_lookup(proposal_id: int) -> ProposalRef | None:
    """A visible proposal; a hidden (moderated) one cannot be retained and published."""
    row = db.session.execute(
        select(Proposal.id, Proposal.quartier_id, Proposal.title)
        .where(Proposal.id == proposal_id, Proposal.hidden.is_(False))
    ).first()
    return ProposalRef(int(row[0]), int(row[1]), row[2]) if row else None


def proposal_outcomes(quartier_id: int) -> list[ProposalOutcome]:
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
            id=proposal_id, title=title, state=state.value, reason=(reason or "") if state is ProposalState.NOT_RETAINED else "",
            answer=answer or "", url=_proposal_url(qpv_code, proposal_id),
        )
        for proposal_id, title, state, answer, reason, qpv_code in rows
    ]


class PendingProposals:
    """Visible proposals awaiting an official answer: `counter(quartier_id)` or, for the
    dashboard, `counter.many(quartier_ids)` -> {quartier_id: count} in one query."""

    def __call__(self, quartier_id: int) -> int:
        return self.many([quartier_id]).get(quartier_id, 0)

    def many(self, quartier_ids: Iterable[int]) -> dict[int, int]:
        ids = list(quartier_ids)
        if not ids:
            return {}
        rows = db.session.execute(
            select(Proposal.quartier_id, func.count(Proposal.id))
            .where(Proposal.quartier_id.in_(ids), Proposal.hidden.is_(False), Proposal.state.in_(PENDING))
            .group_by(Proposal.quartier_id)
        )
        return {int(quartier_id): int(count) for quartier_id, count in rows}


class VotingCodeReceipts:
    """A receipt resolver for priorities.register_receipt_resolver: the resident's voting code.

    The code is typed in a POST form (never in a URL) and only its hash is looked up; it finds
    the code's anonymous participant and the themed, visible proposals it voted on.
    """

    name = "proposals"

    def _participant(self, receipt: str):
        code = find_code(receipt)
        participant = participant_for_code(code) if code is not None else None
        return code, participant

    def receipt_quartier_id(self, receipt: str) -> int | None:
        code, participant = self._participant(receipt)
        return code.quartier_id if participant is not None else None

    def contributions_for_receipt(self, receipt: str) -> list[Contribution]:
        _code, participant = self._participant(receipt)
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


class BatchedProposalEvidence(ProposalEvidence):
    """ProposalEvidence, plus the weights of many quartiers at once (see services.theme_evidence
    for what they mean: support floored at 0 per proposal, distinct voters, gommettes)."""

    def theme_weights_many(
        self, quartier_ids: Iterable[int], start: datetime | None, end: datetime | None,
    ) -> dict[int, list[ThemeWeight]]:
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

        held = []
        if start is not None:
            held.append(DotMeeting.held_on >= start.date())
        if end is not None:
            held.append(DotMeeting.held_on < end.date() if isinstance(end, datetime) else DotMeeting.held_on < end)
        dot_rows = (
            select(Proposal.quartier_id.label("quartier_id"), Proposal.theme_id.label("theme_id"),
                   DotMeeting.id.label("meeting_id"),
                   func.coalesce(DotMeeting.participants, 0).label("attendance"), func.sum(DotCount.dots).label("dots"))
            .join(DotCount, DotCount.proposal_id == Proposal.id)
            .join(DotMeeting, DotMeeting.id == DotCount.meeting_id)
            .where(*visible, *held)
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


def register(app) -> None:
    """Called at the end of proposals.init_app."""
    from participation.priorities import services as priorities

    priorities.register_proposal_lookup(app, proposal_lookup)
    priorities.register_proposal_outcomes(app, proposal_outcomes)
    priorities.register_pending_proposals(app, PendingProposals())
    priorities.register_receipt_resolver(app, VotingCodeReceipts())
