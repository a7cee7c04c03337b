"""The questionnaires' block of the public quartier page: the open questionnaires, and the
facilitators' way in."""
from __future__ import annotations

from participation import auth
from participation.quartiers.models import Quartier
from participation.quartiers.services import QuartierSection
from participation.questionnaires import services


def quartier_section(quartier: Quartier) -> QuartierSection | None:
    questionnaires = services.open_for_quartier(quartier)
    staff = auth.can_act_on_quartier(quartier, auth.STAFF_AND_OFFICIALS)
    if not questionnaires and not staff:
        return None
    return QuartierSection(
        "questionnaires/_quartier_section.html",
        {"open_questionnaires": questionnaires, "questionnaires_staff": staff},
        order=10,
    )


SECTIONS = [quartier_section]
