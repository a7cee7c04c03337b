"""A note flagged "à proposer" becomes a proposal of the quartier, linked both ways."""
from __future__ import annotations

import html

from sqlalchemy import func, select

from participation.accounts.models import Role
from participation.extensions import db
from participation.proposals.models import Proposal, ProposalSource
from participation.workshops import harvesting, reporting, setup
from participation.workshops.models import ReportStatus

from tests.proposals.conftest import switch_to
from tests.workshops.conftest import add_note


def _proposals() -> int:
    return db.session.scalar(select(func.count()).select_from(Proposal))


def _flagged(cafe, text="Un city-stade près du collège, ouvert le soir et le week-end"):
    note = add_note(cafe, cafe.tables[0], text, dots=4)
    harvesting.set_to_propose(note, True)
    db.session.commit()
    return note


def _promote(client, cafe, note):
    return client.post_form(f"/ateliers/{cafe.id}/notes/{note.id}/proposer", page=f"/ateliers/{cafe.id}/recolte")


def test_facilitator_promotes_a_flagged_note_from_the_harvest(app, client, login, facilitator, ecusson, cafe):
    note = _flagged(cafe)
    login(facilitator)
    harvest = client.get(f"/ateliers/{cafe.id}/recolte").get_data(as_text=True)
    assert f"/ateliers/{cafe.id}/notes/{note.id}/proposer" in harvest

    response = _promote(client, cafe, note)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#note-{note.id}")
    proposal = db.session.scalar(select(Proposal))
    db.session.refresh(note)
    assert note.proposal_id == proposal.id and proposal.workshop_note_id == note.id
    assert proposal.quartier_id == ecusson.id and proposal.theme_id == note.theme_id
    assert proposal.source == ProposalSource.WORKSHOP and proposal.author_label == cafe.title
    assert proposal.title == note.text and note.text in proposal.body
    harvest = html.unescape(client.get(f"/ateliers/{cafe.id}/recolte").get_data(as_text=True))
    assert f"/quartiers/{ecusson.qpv_code}/propositions/{proposal.id}" in harvest
    assert f"/notes/{note.id}/proposer" not in harvest

    # Staff follow the link back to the harvest; the public to the published compte-rendu.
    page = f"/quartiers/{ecusson.qpv_code}/propositions/{proposal.id}"
    text = html.unescape(client.get(page).get_data(as_text=True))
    assert f'href="/ateliers/{cafe.id}/recolte#note-{note.id}"' in text
    public = switch_to(app.test_client())
    text = html.unescape(public.get(page).get_data(as_text=True))
    assert f"issue de l'atelier « <bdi>{cafe.title}</bdi> »" in text and "/recolte" not in text and "/comptes-rendus/" not in text
    report = reporting.generate_report(cafe, facilitator)
    report.status = ReportStatus.PUBLISHED
    db.session.commit()
    text = public.get(page).get_data(as_text=True)
    assert f'href="/comptes-rendus/{report.id}"' in text


def test_promoting_twice_gives_one_proposal(client, login, facilitator, cafe):
    note = _flagged(cafe)
    login(facilitator)
    assert _promote(client, cafe, note).status_code == 302
    first = db.session.scalar(select(Proposal))
    response = _promote(client, cafe, note)
    assert response.status_code == 302
    assert _proposals() == 1
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert f"Cette note est déjà la proposition n°{first.id}." in page


def test_a_long_note_gets_a_short_title_and_the_whole_text_as_body(client, login, facilitator, cafe):
    text = "Aménager des cheminements piétonniers et cycles dans et vers le centre-ville " * 4
    note = _flagged(cafe, text.strip())
    login(facilitator)
    assert _promote(client, cafe, note).status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert len(proposal.title) <= 140 and proposal.title.endswith("…")
    assert text.strip() in html.unescape(proposal.body)


def test_unflagged_or_merged_notes_are_not_promoted(client, login, facilitator, cafe):
    login(facilitator)
    plain = add_note(cafe, cafe.tables[0], "Une fresque")
    response = _promote(client, cafe, plain)
    assert response.status_code == 409 and "à proposer" in html.unescape(response.get_data(as_text=True))
    first, second = _flagged(cafe, "Des bancs"), _flagged(cafe, "Des bancs à l'ombre")
    harvesting.merge_notes(cafe, first.id, [second.id])
    db.session.commit()
    assert _promote(client, cafe, second).status_code == 409
    assert _proposals() == 0


def test_a_note_of_another_quartier_is_refused(client, login, make_user, make_quartier, ecusson, cafe, facilitator):
    note = _flagged(cafe)
    other = make_quartier("QN03005M", contrat=ecusson.commune.contrat)
    login(make_user(Role.FACILITATOR, quartier=other))
    assert _promote(client, cafe, note).status_code == 403
    # Nor through a workshop of the facilitator's own quartier with the other quartier's note.
    own = setup.create_workshop(other, title="Table de quartier", format=cafe.format, starts_at=cafe.starts_at)
    db.session.commit()
    response = client.post_form(f"/ateliers/{own.id}/notes/{note.id}/proposer", page="/")
    assert response.status_code == 404
    assert _proposals() == 0
    db.session.refresh(note)
    assert note.proposal_id is None


def test_other_roles_cannot_promote(client, login, make_user, ecusson, cafe):
    note = _flagged(cafe)
    login(make_user(Role.CONSEIL_MEMBER, quartier=ecusson))
    assert _promote(client, cafe, note).status_code == 403
    assert _proposals() == 0
