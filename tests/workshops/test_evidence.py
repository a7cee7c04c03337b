"""The weight of evidence of a workshop per theme, on a hand-computed example."""
from __future__ import annotations

from datetime import timedelta

from participation.evidence import IN_PERSON, ThemeWeight, providers
from participation.extensions import db
from participation.workshops import harvesting, setup
from participation.workshops.evidence import WorkshopEvidence
from participation.workshops.models import WorkshopFormat

from tests.workshops.conftest import add_note


def _example(cafe):
    """Table 1 (theme A): three notes with 3, 5 and 0 dot votes.
    Table 2 (theme B): three notes with 1, 2 and 4 dot votes, the third merged into the second.

    By hand: theme A = 3 notes, 3 + 5 + 0 = 8 dot votes, weight 3 + 8 = 11.
    Theme B = 2 notes left (b1, and b2 which absorbed b3), 1 + (2 + 4) = 7 dot votes, weight 9.
    """
    t1, t2 = cafe.tables
    add_note(cafe, t1, "a1", dots=3)
    add_note(cafe, t1, "a2", dots=5)
    add_note(cafe, t1, "a3", dots=0)
    b1 = add_note(cafe, t2, "b1", dots=1)
    b2 = add_note(cafe, t2, "b2", dots=2)
    b3 = add_note(cafe, t2, "b3", dots=4)
    harvesting.merge_notes(cafe, b2.id, [b3.id])
    db.session.commit()
    return t1.theme_id, t2.theme_id, b1


def test_theme_evidence_of_one_workshop(cafe, ecusson):
    """One point per active note, one per dot vote: what the provider hands to the priorities."""
    theme_a, theme_b, _ = _example(cafe)
    weights = WorkshopEvidence().theme_weights(ecusson.id, None, None)
    by_theme: dict[int, dict[str, float]] = {}
    for row in weights:
        by_theme.setdefault(row.theme_id, {})[row.source] = row.weight
    assert by_theme[theme_a] == {"workshop_notes": 3.0, "workshop_dots": 8.0}
    assert by_theme[theme_b] == {"workshop_notes": 2.0, "workshop_dots": 7.0}
    assert {theme: sum(rows.values()) for theme, rows in by_theme.items()} == {theme_a: 11.0, theme_b: 9.0}


def test_provider_is_registered_and_aggregates_the_quartier(app, cafe, ecusson):
    theme_a, theme_b, _ = _example(cafe)
    # A template and a workshop outside the period do not count.
    template = setup.copy_workshop(cafe, ecusson, starts_at=cafe.starts_at, is_template=True)
    db.session.commit()
    add_note(template, template.tables[0], "modèle", dots=9)
    assert any(isinstance(p, WorkshopEvidence) for p in providers())
    provider = WorkshopEvidence()
    weights = provider.theme_weights(ecusson.id, None, None)
    assert ThemeWeight("workshop_notes", IN_PERSON, theme_a, 3.0, 78) in weights
    assert ThemeWeight("workshop_dots", IN_PERSON, theme_a, 8.0, 0) in weights
    assert ThemeWeight("workshop_notes", IN_PERSON, theme_b, 2.0, 78) in weights
    assert ThemeWeight("workshop_dots", IN_PERSON, theme_b, 7.0, 0) in weights
    assert len(weights) == 4
    later = cafe.starts_at + timedelta(days=1)
    assert provider.theme_weights(ecusson.id, later, None) == []
    contributions = provider.contributions(ecusson.id, theme_b, None, None)
    assert [(c.kind, c.weight, c.quote) for c in contributions] == [
        ("note", 1.0, "b2"), ("dot_vote", 6.0, "b2"), ("note", 1.0, "b1"), ("dot_vote", 1.0, "b1"),
    ]
    assert all(c.channel == IN_PERSON for c in contributions)


def test_provider_query_count_does_not_grow_with_notes(app, cafe, ecusson, count_queries):
    _example(cafe)
    quartier_id = ecusson.id
    with count_queries() as statements:
        WorkshopEvidence().theme_weights(quartier_id, None, None)
    assert len(statements) == 1
    assert WorkshopFormat.WORLD_CAFE is cafe.format


def test_weights_of_many_quartiers_equal_one_by_one_in_one_query(app, cafe, ecusson, make_quartier, count_queries):
    theme_a, theme_b, _ = _example(cafe)
    other = make_quartier("QN03015M", name="Centre ancien", contrat=ecusson.commune.contrat)
    elsewhere = setup.copy_workshop(cafe, other, starts_at=cafe.starts_at)
    db.session.commit()
    add_note(elsewhere, elsewhere.tables[0], "ailleurs", dots=2)
    db.session.commit()
    provider = WorkshopEvidence()
    ids = [ecusson.id, other.id, make_quartier().id]
    with count_queries() as statements:
        many = provider.theme_weights_many(ids, None, None)
    assert len(statements) == 1
    for quartier_id in ids:
        assert many.get(quartier_id, []) == provider.theme_weights(quartier_id, None, None)
    assert ThemeWeight("workshop_dots", IN_PERSON, theme_a, 2.0, 0) in many[other.id]
    assert ids[2] not in many
