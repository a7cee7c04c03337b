"""Fixtures for the priorities tests: a small L'Écusson world and providers with fixed evidence.

The providers are plain Python objects following participation/evidence.py: the aggregation
only ever sees what providers return, so fixed lists test it honestly without any database
mock; everything the priorities domain stores is exercised on the real database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pytest

from participation.accounts.models import Role
from participation.evidence import IN_PERSON, ONLINE, PAPER, Contribution, ThemeWeight, register_provider
from participation.extensions import db
from participation.priorities import settings
from participation.quartiers.models import Theme


@dataclass
class FixedProvider:
    name: str
    weights: list[ThemeWeight] = field(default_factory=list)
    items: list[Contribution] = field(default_factory=list)
    receipts: dict[str, list[Contribution]] = field(default_factory=dict)
    profile: dict | None = None
    calls: list = field(default_factory=list)

    @property
    def sources(self):
        return sorted({w.source for w in self.weights})

    def theme_weights(self, quartier_id, start, end):
        self.calls.append((quartier_id, start, end))
        return [w for w in self.weights if getattr(w, "_quartier", None) in (None, quartier_id)]

    def contributions(self, quartier_id, theme_id, start, end, limit=50):
        return [c for c in self.items if c.theme_id == theme_id][:limit]

    def contributions_for_receipt(self, receipt):
        return self.receipts.get(receipt, [])


class Ecusson:
    """De Cèze Cévennes with L'Écusson, the 2023 concertation, and people of every role."""

    def __init__(self, make_contrat, make_quartier, make_user):
        self.contrat = make_contrat("De Cèze Cévennes")
        self.quartier = make_quartier("QN03014M", name="L'Écusson", contrat=self.contrat, population=1250)
        self.period = settings.create_period(self.contrat, name="Concertation 2023", starts_on=date(2023, 7, 1),
                                             ends_on=date(2023, 10, 31))
        db.session.commit()
        self.themes = {t.slug: t for t in db.session.query(Theme).filter_by(contrat_id=self.contrat.id)}
        self.facilitator = make_user(Role.FACILITATOR, quartier=self.quartier)
        self.official = make_user(Role.OFFICIAL, contrat=self.contrat)
        self.admin = make_user(Role.ADMIN)
        self.other_contrat = make_contrat("Alès Agglomération")
        self.other_quartier = make_quartier("QN03005M", name="Près Saint-Jean", contrat=self.other_contrat)
        self.other_official = make_user(Role.OFFICIAL, contrat=self.other_contrat)

    def t(self, slug) -> int:
        return self.themes[slug].id


@pytest.fixture
def ecusson(app, make_contrat, make_quartier, make_user):
    return Ecusson(make_contrat, make_quartier, make_user)


WHEN = datetime(2023, 7, 3, 17, tzinfo=timezone.utc)


@pytest.fixture
def provider(app, ecusson):
    """Questionnaires favour habitat and health; the world café spoke of prevention in person."""
    t = ecusson.t
    questionnaire = FixedProvider(
        name="questionnaires",
        weights=[
            ThemeWeight("questionnaire_ranking", PAPER, t("habitat"), 50, 40),
            ThemeWeight("questionnaire_ranking", ONLINE, t("habitat"), 10, 8),
            ThemeWeight("questionnaire_ranking", PAPER, t("acces-aux-soins"), 30, 25),
            ThemeWeight("questionnaire_ranking", PAPER, t("emploi"), 10, 9),
        ],
        items=[
            Contribution("questionnaire_ranking", PAPER, t("habitat"), 3, "response", 11,
                         "Questionnaire papier n° 11", url="/reponses/11", quote="Les façades tombent en ruine.",
                         occurred_at=WHEN),
            Contribution("questionnaire_ranking", ONLINE, t("acces-aux-soins"), 2, "response", 12,
                         "Questionnaire en ligne n° 12", quote="Plus de médecin depuis deux ans."),
        ],
        receipts={"RECU-1234": [Contribution("questionnaire_ranking", ONLINE, t("acces-aux-soins"), 2, "response", 12,
                                             "Questionnaire en ligne n° 12")]},
    )
    workshop = FixedProvider(
        name="workshops",
        weights=[
            ThemeWeight("workshop_notes", IN_PERSON, t("prevention-delinquance"), 6, 12),
            ThemeWeight("workshop_notes", IN_PERSON, t("habitat"), 2, 10),
        ],
        items=[Contribution("workshop_notes", IN_PERSON, t("prevention-delinquance"), 1, "note", 5,
                            "Table Prévention de la délinquance", quote="Les jeunes n'ont nulle part où aller le soir.")],
    )
    register_provider(app, questionnaire)
    register_provider(app, workshop)
    return {"questionnaire": questionnaire, "workshop": workshop}
