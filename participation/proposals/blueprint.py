"""The proposals blueprint and what its pages share: access to a quartier or proposal, the voting-code session, labels."""
from __future__ import annotations

import json

from flask import Blueprint, abort, request, session
from flask_babel import gettext as _
from flask_login import current_user

from participation import auth
from participation.extensions import db
from participation.params import parse_int
from participation.proposals import services, voting
from participation.proposals.decidim import STOCK_ANSWERS
from participation.proposals.forms import CHOICE_LABELS, SORT_LABELS, SOURCE_LABELS, STATE_LABELS, CodeForm
from participation.proposals.models import (
    Comment, Participant, Proposal, ProposalState, VoteChoice, VotingCode,
)
from participation.quartiers import services as territory
from participation.quartiers.models import Quartier


bp = Blueprint("proposals", __name__)

PARTICIPANT_KEY = "vote_participant"
CODE_KEY = "vote_code"
PAGE_SIZE = 30
# The state filter "awaiting an answer": submitted or under study (the dashboard links to it).
PENDING = "pending"
# Beyond this page the offset means nothing (and would overflow the database's integers).
MAX_PAGE = 100_000


# Stock answers as set_state stores them (one paragraph), back to their catalog wording.
_STORED_STOCK_ANSWERS = {services.rich_body(wording): wording for wording in STOCK_ANSWERS}


@bp.app_template_global("official_answer")
def official_answer(stored: str) -> str:
    """An official answer as the reader reads it: a wording an import supplied in French
    (decidim.STOCK_ANSWERS) in the reader's language, any other answer as it was written."""
    wording = _STORED_STOCK_ANSWERS.get(stored)
    return services.rich_body(_(wording)) if wording else stored


@bp.app_template_global("official_reason")
def official_reason(stored: str) -> str:
    """The reason of a refusal, stored as plain text: a stock answer an import gave as its reason
    in the reader's language, any other reason as it was written."""
    return _(stored) if stored in STOCK_ANSWERS else stored


def quartier_or_404(code: str) -> Quartier:
    quartier = territory.quartier_by_code(code)
    if quartier is None:
        abort(404)
    return quartier


def staff_quartier(code: str) -> Quartier:
    """The quartier of the URL, for its facilitators only (404 unknown, 403 another quartier)."""
    quartier = quartier_or_404(code)
    auth.require_quartier(quartier, auth.STAFF)
    return quartier


def proposal_or_404(quartier: Quartier, proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.quartier_id != quartier.id:
        abort(404)
    return proposal


def form_status(form) -> int:
    return 400 if form.is_submitted() else 200


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def session_code() -> tuple[Participant | None, VotingCode | None]:
    """The voting code this browser presented, and its participant. The pair lives only in the
    signed session cookie: nothing stored joins them (README, "Anonymat")."""
    participant_id, code_id = session.get(PARTICIPANT_KEY), session.get(CODE_KEY)
    if isinstance(participant_id, int) and isinstance(code_id, int):
        participant = db.session.get(Participant, participant_id)
        code = db.session.get(VotingCode, code_id)
        if participant is not None and code is not None and participant.kind == "code":
            return participant, code
    session.pop(PARTICIPANT_KEY, None)
    session.pop(CODE_KEY, None)
    return None, None


def current_participant() -> Participant | None:
    """The voting-code participant of this browser session, else the signed-in account's."""
    participant, _code = session_code()
    if participant is None and current_user.is_authenticated:
        participant = voting.participant_of_account(current_user)
    return participant


def voting_context(quartier: Quartier, proposal_ids):
    participant, code = session_code()
    if participant is None and current_user.is_authenticated:
        participant = current_participant()
    period = voting.current_period(quartier)
    used = voting.votes_used(participant) if code is not None else None
    can_vote = voting.may_vote(quartier, period, code, current_user)
    return {
        "period": period,
        "participant": participant,
        "voting_code": code,
        "code_votes_used": used,
        "can_vote": can_vote,
        "my_votes": voting.votes_of(participant, proposal_ids),
        "code_form": CodeForm(),
    }


def page_labels() -> dict:
    return {
        "state_labels": STATE_LABELS, "source_labels": SOURCE_LABELS, "choice_labels": CHOICE_LABELS,
        "sort_labels": SORT_LABELS, "VoteChoice": VoteChoice, "ProposalState": ProposalState,
    }


def is_quartier_staff(quartier: Quartier) -> bool:
    return auth.can_act_on_quartier(quartier, auth.STAFF)


def comment_of(proposal: Proposal, raw_id) -> Comment | None:
    if not raw_id:
        return None
    comment_id = parse_int(raw_id, None, minimum=1)
    if comment_id is None:
        abort(400, _("Commentaire inconnu."))
    row = db.session.get(Comment, comment_id)
    if row is None or row.proposal_id != proposal.id:
        abort(404)
    return row
