"""Voting: periods, printed voting codes, participants and votes. Functions add and flush, never
commit, and raise ProposalError.

Anonymity (see the README, "Anonymat"): the printed number of a code ("n° N") is kept on its
VotingCode row, which no column joins to a participant or a vote. A code's participant is found
by `participant_key(code)`, an HMAC of the code with the application's secret, only when someone
presents the code. Redeeming and voting never write the VotingCode row, so it shares no
transaction id with a participant or a vote. Votes keep the day only.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from participation.accounts.models import User
from participation.extensions import db
from participation.modelbase import dialect_insert, utcnow
from participation.proposals.errors import ProposalError
from participation.proposals.models import (
    Participant, Proposal, ProposalState, Vote, VoteChoice, VotingCode, VotingPeriod, utc_day,
)
from participation.quartiers.models import Quartier
from participation.text import plain_text

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a phone
CODE_LENGTH = 10
MAX_CODES_PER_BATCH = 500

CODE_UNKNOWN = _l("Ce code de vote n'existe pas. Vérifiez les caractères de votre ticket.")
CODE_REVOKED = _l("Ce code de vote a été annulé. Demandez un nouveau ticket au conseil citoyen.")
CODE_OTHER_QUARTIER = _l("Ce code de vote est valable pour un autre quartier.")
VOTING_CLOSED = _l("Le vote est fermé dans ce quartier pour le moment.")
PERIOD_CLOSED = _l("Aucune période de vote n'est ouverte dans ce quartier.")


def vote_day(at: datetime | None = None) -> datetime:
    """The time a vote keeps: its day (midnight UTC)."""
    if at is None:
        return utc_day()
    at = at.astimezone(timezone.utc)
    return datetime(at.year, at.month, at.day, tzinfo=timezone.utc)


# --- voting periods -------------------------------------------------------------------------

def current_period(quartier: Quartier | int) -> VotingPeriod | None:
    quartier_id = quartier if isinstance(quartier, int) else quartier.id
    return db.session.scalar(
        select(VotingPeriod).where(VotingPeriod.quartier_id == quartier_id, VotingPeriod.is_open.is_(True))
        .order_by(VotingPeriod.id.desc()).limit(1)
    )


def periods_of(quartier: Quartier) -> list[VotingPeriod]:
    return list(
        db.session.scalars(
            select(VotingPeriod).where(VotingPeriod.quartier_id == quartier.id).order_by(VotingPeriod.id.desc())
        )
    )


def open_period(quartier: Quartier, label: str, *, at: datetime | None = None) -> VotingPeriod:
    text = plain_text(label)
    if not text:
        raise ProposalError("label_required", _l("Indiquez un nom."))
    already = ProposalError("period_already_open", _l("Une période de vote est déjà ouverte dans ce quartier."), 409)
    if current_period(quartier) is not None:
        raise already
    period = VotingPeriod(quartier_id=quartier.id, label=text[:120], is_open=True, opened_at=at or utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(period)
            db.session.flush()
    except IntegrityError:  # opened by someone else at the same moment: the partial unique index
        raise already from None
    return period


def close_period(period: VotingPeriod) -> None:
    if not period.is_open:
        raise ProposalError("period_closed", PERIOD_CLOSED, 409)
    period.is_open = False
    period.closed_at = utcnow()
    db.session.flush()


# --- voting codes ---------------------------------------------------------------------------

def normalise_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def hash_code(raw: str) -> str:
    """The hash kept on the sheet's row, to recognise a typed code."""
    return hashlib.sha256(normalise_code(raw).encode()).hexdigest()


def participant_key(code_hash: str) -> str:
    """The participant's key: an HMAC, with the application's secret, of the code's hash.

    Without the secret, the sheet's row (its number and hash) leads to no participant.
    """
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"voting-code-participant\0" + code_hash.encode(), hashlib.sha256).hexdigest()


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def generate_codes(quartier: Quartier, period: VotingPeriod, count: int, max_votes: int) -> list[tuple[int, str]]:
    """New one-time codes for the period: (number, code) pairs, shown once for printing.

    Only a hash is stored, so a lost sheet cannot be reprinted: its codes are revoked instead.
    """
    if period.quartier_id != quartier.id:
        raise ProposalError("period_elsewhere", _l("Cette période de vote appartient à un autre quartier."))
    if not period.is_open:
        raise ProposalError("period_closed", PERIOD_CLOSED, 409)
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise ProposalError("count_out_of_range", _l("Entre 1 et 500 codes par feuille."))
    if not 1 <= max_votes <= 1000:
        raise ProposalError("max_votes_out_of_range", _l("Entre 1 et 1000 votes par code."))
    # Lock the period (its row on PostgreSQL, the write lock on SQLite) before reading the last
    # number: two facilitators printing sheets at once get consecutive numbers, not a conflict.
    locked = db.session.execute(
        update(VotingPeriod).where(VotingPeriod.id == period.id, VotingPeriod.is_open.is_(True))
        .values(is_open=True).execution_options(synchronize_session=False)
    ).rowcount
    if not locked:
        raise ProposalError("period_closed", PERIOD_CLOSED, 409)
    last_number, last_batch = db.session.execute(
        select(func.coalesce(func.max(VotingCode.number), 0), func.coalesce(func.max(VotingCode.batch), 0))
        .where(VotingCode.period_id == period.id)
    ).one()
    batch = last_batch + 1
    codes = []
    for offset in range(1, count + 1):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        number = last_number + offset
        db.session.add(VotingCode(
            quartier_id=quartier.id, period_id=period.id, number=number, batch=batch,
            code_hash=hash_code(code), max_votes=max_votes,
        ))
        codes.append((number, format_code(code)))
    db.session.flush()
    return codes


@dataclass(frozen=True)
class CodeBatch:
    batch: int
    first: int
    last: int
    count: int
    revoked: int
    max_votes: int


def code_batches(period: VotingPeriod) -> list[CodeBatch]:
    rows = db.session.execute(
        select(
            VotingCode.batch, func.min(VotingCode.number), func.max(VotingCode.number), func.count(),
            func.sum(case((VotingCode.revoked.is_(True), 1), else_=0)), func.max(VotingCode.max_votes),
        )
        .where(VotingCode.period_id == period.id).group_by(VotingCode.batch).order_by(VotingCode.batch)
    )
    return [CodeBatch(*(int(v or 0) for v in row)) for row in rows]


def codes_used(period: VotingPeriod) -> int:
    """How many of the period's codes were presented at least once (per period: no sheet says which)."""
    return int(db.session.scalar(
        select(func.count()).select_from(Participant).where(Participant.period_id == period.id)
    ) or 0)


def revoke_codes(period: VotingPeriod, *, number: int | None = None, batch: int | None = None) -> int:
    """Revoke one code (by its number on the sheet) or a whole batch; returns how many.

    Only the sheet's rows are marked: a revoked code is refused when it is presented again, and
    a browser that redeemed it is refused at its next vote. Votes it already cast stay counted:
    nothing stored leads from the number to them (README, "Anonymat").
    """
    query = select(VotingCode).where(VotingCode.period_id == period.id, VotingCode.revoked.is_(False))
    if number is not None:
        query = query.where(VotingCode.number == number)
    elif batch is not None:
        query = query.where(VotingCode.batch == batch)
    else:
        raise ProposalError("nothing_to_revoke", _l("Indiquez un numéro de code ou de feuille."))
    codes = list(db.session.scalars(query))
    if not codes:
        raise ProposalError("code_not_found", _l("Aucun code actif ne porte ce numéro dans la période ouverte."), 404)
    for code in codes:
        code.revoked = True
    db.session.flush()
    return len(codes)


def find_code(raw_code: str) -> VotingCode | None:
    normalised = normalise_code(raw_code)
    if len(normalised) != CODE_LENGTH:
        return None
    return db.session.scalar(select(VotingCode).where(VotingCode.code_hash == hash_code(normalised)))


def participant_for_code(code: VotingCode) -> Participant | None:
    """The participant of a presented code, if it was redeemed: found by the keyed hash only."""
    return db.session.scalar(select(Participant).where(Participant.code_key == participant_key(code.code_hash)))


def redeem_code(quartier: Quartier, raw_code: str) -> Participant:
    """A voting code turns into an anonymous participant on first use (the same one afterwards).

    The code's row is only read. The returned participant remembers the presented code for
    `cast_vote` (`participant.presented_code`, not stored).
    """
    code = find_code(raw_code)
    if code is None:
        raise ProposalError("code_unknown", CODE_UNKNOWN)
    check_code(code, quartier.id)
    key = participant_key(code.code_hash)
    # Two phones presenting the code at once share one participant (the unique code_key).
    _insert_ignore(Participant.__table__, {"kind": "code", "code_key": key, "period_id": code.period_id},
                   ["code_key"])
    participant = db.session.scalar(select(Participant).where(Participant.code_key == key))
    participant.presented_code = code
    return participant


def check_code(code: VotingCode, quartier_id: int, period: VotingPeriod | None = None) -> None:
    """A presented code may vote in this quartier now: not revoked, of this quartier, and of the
    open `period` (or, without one, of a period still open)."""
    if code.revoked:
        raise ProposalError("code_revoked", CODE_REVOKED, 403)
    if code.quartier_id != quartier_id:
        raise ProposalError("code_other_quartier", CODE_OTHER_QUARTIER, 403)
    if period is not None and code.period_id != period.id:
        raise ProposalError("code_other_period", _l(
            "Ce code de vote était valable pour une période de vote terminée."), 403)
    if not code.period.is_open:
        raise ProposalError("voting_closed", VOTING_CLOSED, 409)


def participant_for_user(user: User) -> Participant:
    participant = db.session.scalar(select(Participant).where(Participant.user_id == user.id))
    if participant is None:
        _insert_ignore(Participant.__table__, {"kind": "account", "user_id": user.id}, ["user_id"])
        participant = db.session.scalar(select(Participant).where(Participant.user_id == user.id))
    return participant


def bind_code_to_account(participant: Participant, user: User) -> Participant:
    """One person, one vote: a code presented by a signed-in account becomes that account's
    participant. The unique `user_id` keeps one participant per account, so the account and the
    code cannot both vote on a proposal.

    Refused (409) when the code is already bound to another account, or when the account
    already voted as itself (its votes and the code's cannot be told apart from a second person's).
    An account participant without votes gives way to the code.
    """
    if participant.user_id == user.id:
        return participant
    if participant.user_id is not None:
        raise ProposalError("code_other_account", _l(
            "Ce code de vote est déjà rattaché à un autre compte."), 409)
    own = db.session.scalar(select(Participant).where(Participant.user_id == user.id))
    if own is not None:
        if votes_used(own):
            raise ProposalError("account_already_votes", _l(
                "Votre compte a déjà voté : une personne vote une fois. Continuez avec votre compte, "
                "sans code de vote."), 409)
        db.session.execute(delete(Participant).where(Participant.id == own.id))
    bound = db.session.execute(
        update(Participant).where(Participant.id == participant.id, Participant.user_id.is_(None))
        .values(user_id=user.id).execution_options(synchronize_session=False)
    ).rowcount
    if not bound:  # bound to someone else at the same moment
        raise ProposalError("code_other_account", _l("Ce code de vote est déjà rattaché à un autre compte."), 409)
    db.session.refresh(participant)
    return participant


def _insert_ignore(table, values, index_elements) -> None:
    db.session.execute(dialect_insert(db.session, table).values(**values).on_conflict_do_nothing(index_elements=index_elements))


# --- votes ----------------------------------------------------------------------------------

def votes_of(participant: Participant | None, proposal_ids: Iterable[int]) -> dict[int, VoteChoice]:
    ids = list(proposal_ids)
    if participant is None or not ids:
        return {}
    return dict(
        db.session.execute(
            select(Vote.proposal_id, Vote.choice).where(
                Vote.participant_id == participant.id, Vote.proposal_id.in_(ids)
            )
        ).all()
    )


def votes_used(participant: Participant) -> int:
    return db.session.scalar(select(func.count()).select_from(Vote).where(Vote.participant_id == participant.id))


REMEMBERED = object()


def participant_of_account(user: User) -> Participant | None:
    """The participant an account votes as (one at most: unique user_id), if it has voted."""
    return db.session.scalar(select(Participant).where(Participant.user_id == user.id))


def may_vote(quartier: Quartier, period: VotingPeriod | None, code: VotingCode | None, user) -> bool:
    """Whether the vote buttons are offered: an open period, and either a presented code valid
    for it (this quartier, this period, not revoked) or, without a code, an account covering the
    quartier. `cast_vote` enforces the same rule and says why when it refuses."""
    if period is None:
        return False
    if code is not None:
        return code.quartier_id == quartier.id and code.period_id == period.id and not code.revoked
    return bool(user is not None and user.is_authenticated and user.covers_quartier(quartier))


def cast_vote(proposal: Proposal, participant: Participant, choice: VoteChoice | str,
              code: VotingCode | None | object = REMEMBERED, *, at: datetime | None = None) -> VoteChoice:
    """Record or change a participant's vote: one row per (proposal, participant), by an upsert.

    Refused when voting is closed in the proposal's quartier, the proposal is hidden or answered
    as done/not retained, or — when a voting code is presented (`code`, or the one `redeem_code`
    remembered) — the code is revoked, of another quartier or period, or has reached its cap of
    proposals. A code participant bound to an account votes as the account (the view checks the
    account's quartiers) when no code of this quartier is presented.
    """
    choice = VoteChoice(choice)
    if proposal.hidden:
        raise ProposalError("proposal_hidden", _l("Cette proposition a été masquée par la modération."), 409)
    if proposal.state in (ProposalState.DONE, ProposalState.NOT_RETAINED):
        raise ProposalError("proposal_answered", _l(
            "Cette proposition a reçu sa réponse définitive : le vote est terminé."), 409)
    period = current_period(proposal.quartier_id)
    if period is None:
        raise ProposalError("voting_closed", VOTING_CLOSED, 409)
    if code is REMEMBERED:
        code = getattr(participant, "presented_code", None)
    if participant.kind == "code" and (participant.user_id is None or code is not None):
        if code is None:
            raise ProposalError("code_unknown", CODE_UNKNOWN)
        check_code(code, proposal.quartier_id, period)
        # One vote of a participant at a time (its row lock on PostgreSQL, the write lock on
        # SQLite), so the cap holds; the code's own row is never written.
        db.session.execute(
            update(Participant).where(Participant.id == participant.id).values(kind=Participant.kind)
            .execution_options(synchronize_session=False)
        )
        already = db.session.scalar(
            select(func.count()).select_from(Vote)
            .where(Vote.participant_id == participant.id, Vote.proposal_id == proposal.id)
        )
        if not already and votes_used(participant) >= code.max_votes:
            raise ProposalError("code_cap_reached", _l(
                "Ce code a atteint le nombre maximal de votes. Vous pouvez encore modifier vos votes."), 403)
    day = vote_day(at)
    table = Vote.__table__
    statement = dialect_insert(db.session, table).values(
        proposal_id=proposal.id, participant_id=participant.id, choice=choice.value, created_at=day, updated_at=day,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.proposal_id, table.c.participant_id],
        set_={"choice": statement.excluded.choice, "updated_at": statement.excluded.updated_at},
    )
    db.session.execute(statement)
    return choice
