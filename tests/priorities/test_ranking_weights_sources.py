"""The sources admins can weight are exactly those the domains' providers emit."""
from __future__ import annotations

from participation.evidence import providers
from participation.priorities import aggregation as aggregations


def test_known_sources_match_what_the_providers_emit(app, make_quartier):
    from participation.proposals.evidence import DOTS_SOURCE, VOTES_SOURCE
    from participation.questionnaires.evidence import CHOICES, RANKING, TEXTS
    from participation.workshops.evidence import DOTS, NOTES

    emitted = {RANKING, CHOICES, TEXTS, NOTES, DOTS, VOTES_SOURCE, DOTS_SOURCE}
    assert set(aggregations.KNOWN_SOURCES) == emitted
    assert set(aggregations.known_sources()) >= emitted
    from participation.priorities.blueprint import SOURCE_LABELS

    assert set(SOURCE_LABELS) == emitted
    assert {provider.name for provider in providers()} >= {"questionnaires", "workshops", "proposals"}
