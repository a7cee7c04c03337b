"""The officials' dashboard reads in the order of what they have to do (issue 10, no dead ends):
the decisions waiting for them first (the comité de pilotage before the comité technique, then
proposals awaiting an answer), then the quartiers with activity, then, in a compact list, the
quartiers with nothing yet."""
from __future__ import annotations

from sqlalchemy import select

from participation.extensions import db
from participation.priorities.models import ProjetDeQuartier
from participation.proposals import services as proposal_services
from participation.proposals.models import ProposalSource


def test_pending_decisions_come_first_and_quiet_quartiers_last(client, login, ecusson, make_quartier):
    # Alphabetically the quiet quartier and the one with a proposal come before L'Écusson.
    make_quartier("QN03019M", name="Aiguebelle", contrat=ecusson.contrat)
    waiting = make_quartier("QN03020M", name="Bruèges", contrat=ecusson.contrat)
    proposal_services.create_proposal(waiting, title="Un banc", theme=None, source=ProposalSource.RESIDENT)
    db.session.commit()
    login(ecusson.facilitator)
    assert client.post_form("/quartiers/QN03014M/projet-de-quartier/nouveau", {
        "period_id": ecusson.period.id, "title": "Projet de quartier L'Écusson", "themes": [ecusson.t("habitat")],
    }).status_code == 302
    projet_id = db.session.scalar(select(ProjetDeQuartier.id))
    assert client.post_form(f"/projets/{projet_id}/soumettre").status_code == 302
    assert client.post_form(f"/projets/{projet_id}/transmettre").status_code == 302
    client.post_form("/deconnexion")

    login(ecusson.official)
    html = client.get("/tableau-de-bord").get_data(as_text=True)
    pending = html.index('id="pending-title"')
    pilotage = html.index("Version 1 à valider en comité de pilotage")
    proposals = html.index("1 proposition attend une réponse")
    cards = html.index('class="card dashboard-card"')
    ecusson_card = html.index(f'id="q-{ecusson.quartier.id}"')
    bruges_card = html.index(f'id="q-{waiting.id}"')
    quiet = html.index('id="quiet-title"')
    assert pending < pilotage < proposals < cards
    assert f'href="/projets/{projet_id}"' in html[pending:cards]
    assert "<bdi>Bruèges</bdi>" in html[proposals - 200:proposals]  # each decision names its quartier
    assert cards <= min(ecusson_card, bruges_card) and max(ecusson_card, bruges_card) < quiet
    assert "1 quartier sans activité pour l'instant" in html[quiet:]
    # The quiet quartier has no card, only a line in the compact list, leading to its priorities.
    assert "Aiguebelle" not in html[:quiet]
    assert 'href="/quartiers/QN03019M/priorites"><bdi>Aiguebelle</bdi></a>' in html[quiet:]


def test_with_nothing_pending_the_dashboard_says_so(client, login, ecusson):
    login(ecusson.official)
    html = client.get("/tableau-de-bord").get_data(as_text=True)
    assert "Rien n'attend de décision de votre part." in html
    assert html.index('id="pending-title"') < html.index('id="quiet-title"')
