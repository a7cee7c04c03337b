"""Votes: voting codes, one vote per participant, periods, caps, revocation, dot votes."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from participation.audit.models import AuditEntry
from participation.extensions import db
from participation.proposals import listing, services, voting
from participation.proposals.models import DotCount, Participant, Vote, VoteChoice, VotingCode

from tests.proposals.conftest import CODE_ON_SHEET, enter_code, switch_to, vote


def _votes() -> int:
    return db.session.scalar(select(func.count()).select_from(Vote))


def test_code_then_vote_pour_contre_and_change(client, quartier, make_proposal, make_codes):
    first, second = make_proposal("Un banc"), make_proposal("Des arbres")
    (code,) = make_codes()
    response = enter_code(client, quartier, code.lower().replace("-", " "))
    assert response.status_code == 302
    assert vote(client, quartier, first, "pour").status_code == 302
    assert vote(client, quartier, second, "contre").status_code == 302
    assert vote(client, quartier, first, "sans_avis").status_code == 302
    assert listing.counts_for(first).sans_avis == 1 and listing.counts_for(first).pour == 0
    assert listing.counts_for(second).contre == 1
    assert _votes() == 2
    # One participant, without any personal data, and the code points to it.
    participant = db.session.scalar(select(Participant))
    assert participant.kind == "code" and participant.user_id is None and participant.external_id is None
    page = client.get(f"/quartiers/{quartier.qpv_code}/propositions/{first.id}").get_data(as_text=True)
    assert 'data-count="sans_avis">1<' in page and 'data-count="participants_label">1 participant·e<' in page
    list_page = client.get(f"/quartiers/{quartier.qpv_code}/propositions?sort=supported").get_data(as_text=True)
    assert 'data-count="contre">1<' in list_page
    # Anonymous votes are not in the audit log.
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity.in_(["Vote", "Participant"]))) == 0


def test_vote_answers_json_for_the_script(client, quartier, make_proposal, make_codes):
    proposal = make_proposal()
    enter_code(client, quartier, make_codes()[0])
    response = vote(client, quartier, proposal, "pour", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json == {"proposal": proposal.id, "choice": "pour", "pour": 1, "contre": 0,
                             "sans_avis": 0, "participants": 1, "participants_label": "1 participant·e",
                             "votes_used": 1}


def test_database_refuses_a_second_vote_row(app, quartier, make_proposal):
    proposal = make_proposal()
    participant = Participant(kind="code")
    db.session.add(participant)
    db.session.commit()
    row = {"proposal_id": proposal.id, "participant_id": participant.id, "choice": "pour"}
    db.session.execute(insert(Vote), [row])
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(insert(Vote), [{**row, "choice": "contre"}])
        db.session.flush()
    db.session.rollback()
    assert _votes() == 1


def test_voting_on_a_closed_period_is_refused(client, quartier, make_proposal, make_codes, period):
    proposal = make_proposal()
    enter_code(client, quartier, make_codes()[0])
    voting.close_period(period)
    db.session.commit()
    response = vote(client, quartier, proposal, "pour")
    assert response.status_code == 409
    assert "Le vote est fermé" in response.get_data(as_text=True)
    assert _votes() == 0


def test_code_of_this_quartier_cannot_vote_elsewhere(client, quartier, make_quartier, make_proposal, make_codes):
    other = make_quartier("QN03005M", contrat=quartier.commune.contrat)
    services.open_period(other, "Printemps")
    db.session.commit()
    elsewhere = make_proposal("Ailleurs", target=other)
    enter_code(client, quartier, make_codes()[0])
    response = vote(client, other, elsewhere, "pour")
    assert response.status_code == 403
    assert "valable pour un autre quartier" in response.get_data(as_text=True)
    assert _votes() == 0
    # Entering it on the other quartier's page is refused as well.
    response = enter_code(client, other, make_codes()[0])
    assert response.status_code == 403


def test_revoked_code_is_refused_at_entry_and_at_vote(client, facilitator, login, quartier, make_proposal, make_codes, period):
    proposal = make_proposal()
    code_a, code_b = make_codes(2)
    enter_code(client, quartier, code_a)
    voting.revoke_codes(period, number=1)
    voting.revoke_codes(period, number=2)
    db.session.commit()
    response = vote(client, quartier, proposal, "pour")
    assert response.status_code == 403 and "annulé" in response.get_data(as_text=True)
    response = enter_code(client, quartier, code_b)
    assert response.status_code == 403 and "annulé" in response.get_data(as_text=True)
    assert _votes() == 0


def test_code_past_its_cap_is_refused_but_can_change_its_votes(client, quartier, make_proposal, make_codes):
    first, second = make_proposal("Un"), make_proposal("Deux")
    (code,) = make_codes(max_votes=1)
    enter_code(client, quartier, code)
    assert vote(client, quartier, first, "pour").status_code == 302
    response = vote(client, quartier, second, "pour")
    assert response.status_code == 403 and "nombre maximal" in response.get_data(as_text=True)
    # The same code reused on another phone is the same participant, still capped.
    other_phone = switch_to(client.application.test_client())
    assert enter_code(other_phone, quartier, code).status_code == 302
    r = vote(other_phone, quartier, second, "contre")
    assert r.status_code == 403, r.get_data(as_text=True)[-1500:]
    assert vote(other_phone, quartier, first, "contre").status_code == 302
    assert _votes() == 1 and listing.counts_for(first).contre == 1


def test_unknown_code_and_missing_choice(client, quartier, make_proposal, make_codes):
    proposal = make_proposal()
    response = enter_code(client, quartier, "AAAAA-BBBBB")
    assert response.status_code == 400 and "existe pas" in response.get_data(as_text=True)
    assert vote(client, quartier, proposal, "pour").status_code == 400  # no code, no account
    enter_code(client, quartier, make_codes()[0])
    assert vote(client, quartier, proposal, "peut-être").status_code == 400
    assert _votes() == 0


def test_code_of_a_previous_period_is_refused(client, quartier, make_proposal, make_codes, period):
    proposal = make_proposal()
    enter_code(client, quartier, make_codes()[0])
    voting.close_period(period)
    services.open_period(quartier, "Automne")
    db.session.commit()
    response = vote(client, quartier, proposal, "pour")
    assert response.status_code == 403 and "période" in response.get_data(as_text=True)
    assert _votes() == 0


def test_signed_in_resident_votes_with_the_account(client, login, resident, quartier, make_proposal, period):
    proposal = make_proposal()
    login(resident)
    assert vote(client, quartier, proposal, "pour").status_code == 302
    assert vote(client, quartier, proposal, "contre").status_code == 302
    assert listing.counts_for(proposal).contre == 1 and _votes() == 1


def test_facilitator_generates_a_printable_sheet_and_revokes(client, login, facilitator, quartier, make_proposal, period):
    proposal = make_proposal()
    login(facilitator)
    page = f"/quartiers/{quartier.qpv_code}/propositions/gestion"
    response = client.post_form(f"/quartiers/{quartier.qpv_code}/codes-de-vote/generer",
                                {"count": 3, "max_votes": 5}, page=page)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = CODE_ON_SHEET.findall(response.get_data(as_text=True))
    assert len(codes) == 3 and all(len(c) == 11 for c in codes)
    stored = db.session.scalars(select(VotingCode)).all()
    assert {c.max_votes for c in stored} == {5}
    assert all(c.code_hash not in response.get_data(as_text=True) for c in stored)
    # Generation and revocation are audited (without the hash).
    response = client.post_form(f"/quartiers/{quartier.qpv_code}/codes-de-vote/revoquer", {"number": 2}, page=page)
    assert response.status_code == 302
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "VotingCode")).all()
    assert len(entries) == 4 and all("code_hash" not in e.changes for e in entries)
    visitor = switch_to(client.application.test_client())
    assert enter_code(visitor, quartier, codes[1]).status_code == 403
    assert enter_code(visitor, quartier, codes[0]).status_code == 302
    assert vote(visitor, quartier, proposal, "pour").status_code == 302


def test_bad_code_generation_requests(app, client, login, facilitator, resident, quartier, period):
    page = f"/quartiers/{quartier.qpv_code}/propositions/gestion"
    other = switch_to(app.test_client())
    other.post_form("/connexion", {"email": resident.email, "password": "mot-de-passe-de-test"})
    assert other.post_form(f"/quartiers/{quartier.qpv_code}/codes-de-vote/generer",
                           {"count": 3, "max_votes": 5}, page="/").status_code == 403
    switch_to(client)
    login(facilitator)
    response = client.post_form(f"/quartiers/{quartier.qpv_code}/codes-de-vote/generer",
                                {"count": 5000, "max_votes": 5}, page=page)
    assert response.status_code == 400 and "Entre 1 et 500" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(VotingCode)) == 0


def test_facilitator_opens_and_closes_voting(client, login, facilitator, quartier):
    login(facilitator)
    page = f"/quartiers/{quartier.qpv_code}/propositions/gestion"
    assert client.post_form(f"/quartiers/{quartier.qpv_code}/votes/ouvrir", {"label": "Été"}, page=page).status_code == 302
    assert voting.current_period(quartier).label == "Été"
    assert client.post_form(f"/quartiers/{quartier.qpv_code}/votes/ouvrir", {"label": "Encore"}, page=page).status_code == 409
    assert client.post_form(f"/quartiers/{quartier.qpv_code}/votes/fermer", {}, page=page).status_code == 302
    assert voting.current_period(quartier) is None


def test_dot_votes_are_entered_per_meeting_and_shown_apart(client, login, facilitator, quartier, make_proposal, make_codes):
    first, second = make_proposal("Un"), make_proposal("Deux")
    login(facilitator)
    url = f"/quartiers/{quartier.qpv_code}/gommettes"
    response = client.post_form(url, {"label": "Café QPV de mars", "held_on": "2026-03-12", "participants": "25",
                                      f"dots-{first.id}": "12", f"dots-{second.id}": ""}, page=url)
    assert response.status_code == 302
    counts = listing.counts_for(first)
    assert counts.dots == 12 and counts.participants == 0 and counts.pour == 0
    page = client.get(f"/quartiers/{quartier.qpv_code}/propositions/{first.id}").get_data(as_text=True)
    assert "12 votes en réunion publique (gommettes)" in page and "Café QPV de mars" in page
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "DotCount")) == 1
    # Bad input: a negative count is refused and nothing is stored.
    response = client.post_form(url, {"label": "Autre", "held_on": "2026-03-13", f"dots-{first.id}": "-3"}, page=url)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(DotCount)) == 1


def test_dot_meeting_service_refuses_foreign_proposals(quartier, make_quartier, make_proposal):
    other = make_quartier("QN03005M", contrat=quartier.commune.contrat)
    foreign = make_proposal("Ailleurs", target=other)
    with pytest.raises(services.ProposalError) as error:
        services.record_dot_meeting(quartier, label="Réunion", held_on=date(2026, 3, 1), participants=None,
                                    counts={foreign.id: 3})
    assert error.value.code == "proposal_elsewhere"


def test_choice_values_are_the_three_positions():
    assert [c.value for c in VoteChoice] == ["pour", "contre", "sans_avis"]



def test_panel_says_when_the_stored_code_cannot_vote_here(client, quartier, make_quartier, make_proposal, make_codes):
    other = make_quartier("QN03005M", contrat=quartier.commune.contrat)
    services.open_period(other, "Printemps")
    db.session.commit()
    enter_code(client, quartier, make_codes()[0])
    html = client.get(f"/quartiers/{other.qpv_code}/propositions").get_data(as_text=True)
    assert "ne permet pas de voter ici" in html and 'id="code"' in html
    html = client.get(f"/quartiers/{quartier.qpv_code}/propositions").get_data(as_text=True)
    assert "Vous votez avec un code de vote" in html


def test_account_votes_only_in_its_quartiers(client, login, resident, quartier, make_quartier, make_proposal, period):
    other = make_quartier("QN03005M", contrat=quartier.commune.contrat)
    services.open_period(other, "Printemps")
    db.session.commit()
    here, there = make_proposal("Ici"), make_proposal("Là-bas", target=other)
    login(resident)
    assert vote(client, quartier, here, "pour").status_code == 302  # creates the account participant
    response = vote(client, other, there, "pour")
    assert response.status_code == 403 and "ne vote pas dans ce quartier" in response.get_data(as_text=True)
    assert _votes() == 1


def test_voting_is_rate_limited_like_other_anonymous_submissions(app, client, quartier, make_proposal, make_codes):
    app.config["RATELIMIT_ANONYMOUS_SUBMISSION"] = "3 per minute"
    proposal = make_proposal("Un banc")
    enter_code(client, quartier, make_codes()[0])
    statuses = [vote(client, quartier, proposal, choice).status_code for choice in ("pour", "contre", "sans_avis", "pour")]
    assert statuses == [302, 302, 302, 429]
    assert listing.counts_for(proposal).sans_avis == 1


def test_sheets_printed_at_the_same_moment_get_consecutive_numbers(app, quartier, period):
    import threading

    from participation.proposals.models import VotingPeriod
    from participation.quartiers.models import Quartier

    db.session.commit()
    quartier_id, period_id = quartier.id, period.id  # each thread loads them in its own session
    barrier, errors = threading.Barrier(4), []

    def print_sheet():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                voting.generate_codes(db.session.get(Quartier, quartier_id),
                                        db.session.get(VotingPeriod, period_id), 25, 5)
                db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=print_sheet) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    numbers = sorted(db.session.scalars(select(VotingCode.number).where(VotingCode.period_id == period_id)))
    assert numbers == list(range(1, 101))
    batches = db.session.scalars(select(VotingCode.batch).where(VotingCode.period_id == period_id).distinct())
    assert sorted(batches) == [1, 2, 3, 4]
