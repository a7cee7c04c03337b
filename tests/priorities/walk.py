"""Objects the priorities routes need in each quartier, for tests/test_routes_access.py."""
from __future__ import annotations

from datetime import date

from participation.extensions import db
from participation.priorities import projet as projets, settings, workflow
from participation.priorities.models import ProjetVersion, VersionDecision
from participation.quartiers.services import theme_tree


def build(quartier) -> dict:
    contrat = quartier.commune.contrat
    period = settings.create_period(contrat, name=f"Concertation {quartier.qpv_code}", starts_on=date(2023, 7, 1),
                                    ends_on=date(2023, 9, 30), quartier=quartier)
    theme = theme_tree(contrat)[0]
    projet = projets.create_projet(quartier, period, title="Projet", theme_ids=[theme.id])
    strategic = projets.add_strategic(projet.priorities[0], title="Un quartier plus propre")
    projets.add_operational(strategic, title="Ramassage des encombrants")
    link = projets.link_theme(strategic, theme_id=theme.id)
    db.session.add(ProjetVersion(projet=projet, number=1, snapshot=workflow.snapshot(projet),
                                 decision=VersionDecision.CHANGES_REQUESTED))
    db.session.flush()
    return {
        "projet_id": projet.id, "kind": "objectifs", "item_id": strategic.id, "link_id": link.id,
        "number": 1, "fmt": "json",
    }
