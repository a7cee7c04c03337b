"""Fixtures of the proposals tests: a quartier with its themes, a facilitator, proposals, codes."""
from __future__ import annotations

import re

import pytest

from participation.accounts.models import Role
from participation.extensions import db
from participation.proposals import services, voting
from participation.proposals.models import ProposalSource


@pytest.fixture
def quartier(make_quartier, make_contrat):
    return make_quartier("QN03014M", name="L'Écusson", contrat=make_contrat("De Cèze Cévennes"))


@pytest.fixture
def themes(quartier):
    return services.themes_of(quartier)


@pytest.fixture
def facilitator(make_user, quartier):
    return make_user(Role.FACILITATOR, quartier=quartier)


@pytest.fixture
def resident(make_user, quartier):
    return make_user(Role.RESIDENT, quartier=quartier)


@pytest.fixture
def make_proposal(quartier, themes):
    def make(title="Une Maison de Santé Pluridisciplinaire", *, theme=None, source=ProposalSource.RESIDENT,
             body="Des médecins près de chez nous.", target=None, **values):
        proposal = services.create_proposal(
            target or quartier, title=title, body=body, theme=theme or themes[0], source=source,
            author_label=values.pop("author_label", "Habitante"), **values,
        )
        db.session.commit()
        return proposal

    return make


@pytest.fixture
def period(quartier):
    period = services.open_period(quartier, "Printemps 2026")
    db.session.commit()
    return period


@pytest.fixture
def make_codes(quartier, period):
    def make(count=1, max_votes=20, *, target=None, target_period=None):
        codes = voting.generate_codes(target or quartier, target_period or period, count, max_votes)
        db.session.commit()
        return [code for _number, code in codes]

    return make


CODE_ON_SHEET = re.compile(r"data-voting-code>([A-Z0-9-]+)<")


def enter_code(client, quartier, code):
    page = f"/quartiers/{quartier.qpv_code}/code-de-vote"
    return client.post_form(page, {"code": code}, page=page)


def vote(client, quartier, proposal, choice, **kwargs):
    page = f"/quartiers/{quartier.qpv_code}/code-de-vote"
    return client.post_form(
        f"/quartiers/{quartier.qpv_code}/propositions/{proposal.id}/vote", {"choice": choice}, page=page, **kwargs
    )


def switch_to(client):
    """The test app context (and its `g`) outlives requests: forget the previous client's CSRF
    token and signed-in user before another client makes requests."""
    from flask import g

    for key in ("csrf_token", "_login_user"):
        g.pop(key, None)
    return client
