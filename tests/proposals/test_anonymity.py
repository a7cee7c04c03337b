"""Votes against whoever reads the database: no stored path from a printed ticket number to the
votes, votes keep the day only, and one person votes once (account and code bound together)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from participation.extensions import db
from participation.proposals import listing, services, voting
from participation.proposals.models import Participant, Vote, VotingCode

from tests.proposals.conftest import enter_code, vote


def _votes() -> int:
    return db.session.scalar(select(func.count()).select_from(Vote))


def test_no_column_or_key_leads_from_a_ticket_number_to_votes(client, quartier, make_proposal, make_codes, period):
    proposal = make_proposal()
    codes = make_codes(3)
    enter_code(client, quartier, codes[1])
    assert vote(client, quartier, proposal, "pour").status_code == 302
    schema = inspect(db.engine)
    # The sheet's table refers to its quartier and period only; nothing refers to it.
    sheet_columns = {c["name"] for c in schema.get_columns("voting_codes")}
    assert sheet_columns == {"id", "quartier_id", "period_id", "number", "batch", "code_hash", "max_votes",
                             "revoked", "created_at"}
    assert {fk["referred_table"] for fk in schema.get_foreign_keys("voting_codes")} == {"quartiers", "voting_periods"}
    for table in schema.get_table_names():
        assert all(fk["referred_table"] != "voting_codes" for fk in schema.get_foreign_keys(table)), table
    assert {fk["referred_table"] for fk in schema.get_foreign_keys("vote_participants")} == {"users", "voting_periods"}
    # No value of the sheet's row is stored on the participant: its key is an HMAC with the
    # application's secret, which the database does not hold.
    sheet = db.session.scalar(select(VotingCode).where(VotingCode.number == 2))
    participant = db.session.scalar(select(Participant))
    assert participant.code_key not in {row.code_hash for row in db.session.scalars(select(VotingCode))}
    stored = {str(v) for v in db.session.execute(select(Participant.__table__)).one()}
    assert sheet.code_hash not in stored
    secret = client.application.config["SECRET_KEY"]
    assert voting.participant_key(sheet.code_hash) == participant.code_key
    client.application.config["SECRET_KEY"] = "une autre clé"
    assert voting.participant_key(sheet.code_hash) != participant.code_key
    client.application.config["SECRET_KEY"] = secret


def test_votes_keep_the_day_only(client, quartier, make_proposal, make_codes):
    proposal = make_proposal()
    enter_code(client, quartier, make_codes()[0])
    vote(client, quartier, proposal, "pour")
    vote(client, quartier, proposal, "contre")
    row = db.session.scalar(select(Vote))
    for stamp in (row.created_at, row.updated_at):
        assert (stamp.hour, stamp.minute, stamp.second, stamp.microsecond) == (0, 0, 0, 0)


def test_revoking_a_number_stops_a_redeemed_code_without_touching_its_votes(
        client, login, facilitator, quartier, make_proposal, make_codes, period):
    first, second = make_proposal("Un"), make_proposal("Deux")
    code_a, _code_b = make_codes(2)
    enter_code(client, quartier, code_a)
    assert vote(client, quartier, first, "pour").status_code == 302
    assert voting.revoke_codes(period, number=1) == 1
    db.session.commit()
    response = vote(client, quartier, second, "pour")
    assert response.status_code == 403 and "annulé" in response.get_data(as_text=True)
    assert enter_code(client, quartier, code_a).status_code == 403
    assert _votes() == 1


def test_the_code_holder_finds_their_votes_again(app, quartier, make_proposal, make_codes):
    proposal = make_proposal()
    (code,) = make_codes()
    participant = voting.redeem_code(quartier, code)
    services.cast_vote(proposal, participant, "pour")
    db.session.commit()
    db.session.expire_all()
    found = voting.participant_for_code(db.session.scalar(select(VotingCode)))
    assert found.id == participant.id and voting.votes_of(found, [proposal.id])


def test_account_that_voted_cannot_add_a_code(client, login, resident, quartier, make_proposal, make_codes):
    proposal = make_proposal()
    (code,) = make_codes()
    login(resident)
    assert vote(client, quartier, proposal, "pour").status_code == 302
    response = enter_code(client, quartier, code)
    assert response.status_code == 409 and "une personne vote une fois" in response.get_data(as_text=True)
    assert vote(client, quartier, proposal, "contre").status_code == 302
    assert _votes() == 1 and listing.counts_for(proposal).contre == 1


def test_code_entered_by_a_signed_in_account_becomes_the_account(client, app, login, resident, make_user, quartier,
                                                                 make_proposal, make_codes):
    from participation.accounts.models import Role

    proposal = make_proposal()
    (code,) = make_codes()
    login(resident)
    assert enter_code(client, quartier, code).status_code == 302
    bound = db.session.scalar(select(Participant).where(Participant.user_id == resident.id))
    assert bound is not None and bound.kind == "code"
    assert vote(client, quartier, proposal, "pour").status_code == 302
    client.post_form("/deconnexion", {})
    # Signed in again without the code: the account is the code's participant, one vote.
    login(resident)
    assert vote(client, quartier, proposal, "contre").status_code == 302
    assert _votes() == 1 and listing.counts_for(proposal).contre == 1
    # The code cannot serve another account.
    other = make_user(Role.RESIDENT, quartier=quartier)
    client.post_form("/deconnexion", {})
    login(other)
    response = enter_code(client, quartier, code)
    assert response.status_code == 409 and "autre compte" in response.get_data(as_text=True)


def test_code_redeemed_before_signing_in_binds_at_the_next_vote(client, login, resident, quartier, make_proposal,
                                                                make_codes):
    proposal = make_proposal()
    (code,) = make_codes()
    enter_code(client, quartier, code)
    assert vote(client, quartier, proposal, "pour").status_code == 302
    login(resident)
    assert vote(client, quartier, proposal, "contre").status_code == 302
    assert _votes() == 1
    assert db.session.scalar(select(Participant.user_id).where(Participant.kind == "code")) == resident.id


def test_database_keeps_one_participant_per_account(app, resident):
    db.session.add(Participant(kind="account", user_id=resident.id))
    db.session.commit()
    db.session.add(Participant(kind="code", user_id=resident.id, code_key="x" * 64))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
