"""The priorities' blocks of the public quartier page: « Vous avez dit, nous avons retenu », and
the staff's way to the priorities and the projet."""
from __future__ import annotations

from participation import auth
from participation.priorities import services
from participation.quartiers.models import Quartier
from participation.quartiers.services import QuartierSection, theme_tree


def quartier_section(quartier: Quartier) -> QuartierSection | None:
    """The validated projet, from its immutable version, and what became of the proposals."""
    validated = services.validated_projets(quartier.id)
    if not validated:
        return None
    projet, version = validated[0]
    return QuartierSection(
        template="priorities/_quartier_section.html",
        context={"restitution": version.snapshot, "restitution_version": version, "restitution_projet": projet,
                 "proposal_outcomes": services.proposal_outcomes(quartier.id),
                 # Each priority's theme, for its label in the reader's language beside the élus' wording.
                 "themes": _themes_by_id(quartier)},
        order=50,
    )


def _themes_by_id(quartier: Quartier) -> dict:
    found = {}
    for theme in theme_tree(quartier.commune.contrat, include_archived=True):
        found[theme.id] = theme
        found.update((child.id, child) for child in theme.children)
    return found


def staff_section(quartier: Quartier) -> QuartierSection | None:
    """For facilitators and officials of the quartier."""
    if not auth.can_act_on_quartier(quartier, auth.STAFF_AND_OFFICIALS):
        return None
    return QuartierSection(template="priorities/_quartier_staff.html", context={}, order=90)


SECTIONS = [quartier_section, staff_section]
