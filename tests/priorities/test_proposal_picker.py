"""Linking a proposal to an objective: the facilitator picks one of the quartier's proposals in a
list (title and state, retained ones first), not a number to look up elsewhere; what is posted is
still checked on the server (issue 10, no dead ends). Without JavaScript: a plain <select>."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from participation.extensions import db
from participation.priorities.models import ObjectiveLink, ProjetDeQuartier, StrategicObjective
from participation.proposals import moderation, services as proposal_services
from participation.proposals.models import Proposal, ProposalSource, ProposalState, StateChange
from tests.priorities.test_projet import _draft


def _proposal(quartier, title, state=None, actor=None):
    proposal = proposal_services.create_proposal(quartier, title=title, theme=None, source=ProposalSource.RESIDENT)
    if state == "under_study":
        proposal_services.set_state(proposal, "under_study", "Nous l'étudions.", actor)
    elif state == "retained":
        proposal_services.set_state(proposal, "retained", "Retenue.", actor)
    elif state == "not_retained":
        proposal_services.set_state(proposal, "not_retained", "Non.", actor, reason="Hors compétence")
    return proposal


def _projet_with_objective(client, login, ecusson):
    projet = _draft(client, login, ecusson, themes=("habitat",))
    assert client.post_form(f"/projets/{projet.id}/ajouter", {
        "level": "strategic", "parent_id": projet.priorities[0].id, "title": "Un quartier plus propre"}).status_code == 302
    return projet, db.session.scalars(select(StrategicObjective)).one()


def _options(html: str) -> list[tuple[str, str]]:
    select_html = re.search(r'<select[^>]*name="proposal-proposal_id".*?</select>', html, re.S).group(0)
    return re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select_html)


def _links() -> int:
    return db.session.scalar(select(func.count()).select_from(ObjectiveLink))


def test_the_facilitator_picks_a_proposal_of_the_quartier_retained_ones_first(client, login, ecusson):
    f = ecusson.facilitator
    submitted = _proposal(ecusson.quartier, "Des bancs place de la Mairie")
    studied = _proposal(ecusson.quartier, "Un jardin partagé", "under_study", f)
    retained = _proposal(ecusson.quartier, "Maison de santé", "retained", f)
    refused = _proposal(ecusson.quartier, "Un parking", "not_retained", f)
    hidden = _proposal(ecusson.quartier, "Propos injurieux")
    moderation.set_hidden(hidden, True, "Injurieux", f)
    elsewhere = _proposal(ecusson.other_quartier, "Un skatepark à Près Saint-Jean")
    db.session.commit()
    projet, objective = _projet_with_objective(client, login, ecusson)

    page = client.get(f"/projets/{projet.id}").get_data(as_text=True)
    assert "Numéro de la proposition" not in page
    assert _options(page) == [
        ("", "— choisissez une proposition —"),
        (str(retained.id), f"Maison de santé — Retenue dans le projet de quartier, n° {retained.id}"),
        (str(studied.id), f"Un jardin partagé — À l&#39;étude, n° {studied.id}"),
        (str(submitted.id), f"Des bancs place de la Mairie — Déposée, n° {submitted.id}"),
    ]  # neither the refused, the hidden nor the other quartier's proposal
    assert str(refused.id) and str(elsewhere.id)

    response = client.post_form(f"/projets/{projet.id}/liens", {
        "kind": "proposal", "objective": f"strategic:{objective.id}", "proposal-proposal_id": str(studied.id),
        "proposal-answer": "Retenue : un jardin rue Basse en 2025.",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert db.session.get(Proposal, studied.id).state is ProposalState.RETAINED
    link = db.session.scalars(select(ObjectiveLink)).one()
    assert (link.ref_id, link.label) == (studied.id, "Un jardin partagé")


def test_a_posted_proposal_not_in_the_list_is_refused_and_changes_nothing(client, login, ecusson):
    f = ecusson.facilitator
    _proposal(ecusson.quartier, "Des bancs")
    refused = _proposal(ecusson.quartier, "Un parking", "not_retained", f)
    elsewhere = _proposal(ecusson.other_quartier, "Un skatepark")
    db.session.commit()
    projet, objective = _projet_with_objective(client, login, ecusson)
    changes = db.session.scalar(select(func.count()).select_from(StateChange))

    def post(value):
        return client.post_form(f"/projets/{projet.id}/liens", {
            "kind": "proposal", "objective": f"strategic:{objective.id}", "proposal-proposal_id": value,
            "proposal-answer": "Retenue.",
        })

    for value, status, message in (
        ("", 400, "Proposition : Choisissez une proposition."),
        ("abc", 400, "Proposition : Choisissez une proposition."),
        ("99999999999999999999", 400, "Proposition : Choisissez une proposition."),
        ("99999", 400, "Aucune proposition ne porte ce numéro."),
        (str(elsewhere.id), 400, "concerne un autre quartier"),
        (str(refused.id), 409, "réponse définitive"),
    ):
        response = post(value)
        html = response.get_data(as_text=True)
        assert response.status_code == status, value
        assert message in html.replace("&#39;", "'"), value
        assert "Retenue." in html  # the answer typed is kept
        assert _links() == 0
        assert db.session.scalar(select(func.count()).select_from(StateChange)) == changes


def test_without_a_proposal_to_retain_the_page_says_so_and_leads_to_the_proposals(client, login, ecusson):
    _proposal(ecusson.quartier, "Un parking", "not_retained", ecusson.facilitator)
    db.session.commit()
    projet, _objective = _projet_with_objective(client, login, ecusson)
    page = client.get(f"/projets/{projet.id}").get_data(as_text=True)
    assert 'name="proposal-proposal_id"' not in page
    assert "Aucune proposition de ce quartier ne peut être retenue" in page.replace("&#39;", "'")
    assert 'href="/quartiers/QN03014M/propositions"' in page
