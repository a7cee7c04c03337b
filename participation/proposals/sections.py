"""The proposals' block of the public quartier page: open proposals, the latest answers, and the
facilitators' way in (voting periods, codes, gommettes, answers)."""
from __future__ import annotations

from participation import auth
from participation.proposals.forms import STATE_LABELS
from participation.proposals.models import ProposalState
from participation.proposals.listing import list_proposals
from participation.proposals.services import ANSWERED_STATES
from participation.proposals.voting import current_period
from participation.quartiers.models import Quartier
from participation.quartiers.services import QuartierSection


def quartier_section(quartier: Quartier) -> QuartierSection:
    period = current_period(quartier)
    open_rows, open_total = ([], 0)
    if period is not None:
        open_rows, open_total = list_proposals(
            quartier, states=(ProposalState.SUBMITTED, ProposalState.UNDER_STUDY, ProposalState.RETAINED),
            sort="supported", limit=5,
        )
    answered_rows, answered_total = list_proposals(quartier, states=ANSWERED_STATES, sort="recent", limit=5)
    return QuartierSection(
        "proposals/_quartier_section.html",
        {"proposals_period": period, "proposals_open": open_rows, "proposals_open_total": open_total,
         "proposals_answered": answered_rows, "proposals_answered_total": answered_total,
         "proposals_state_labels": STATE_LABELS,
         "proposals_staff": auth.can_act_on_quartier(quartier, auth.STAFF)},
        order=30,
    )


SECTIONS = [quartier_section]
