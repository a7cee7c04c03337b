"""Objects the proposals routes need in their URLs, for tests/test_routes_access.py."""
from __future__ import annotations

from participation.extensions import db
from participation.proposals import moderation, services, voting
from participation.proposals.models import ProposalSource


def build(quartier) -> dict:
    theme = services.themes_of(quartier)[0]
    proposal = services.create_proposal(
        quartier, title="Un banc place du marché", body="Pour se reposer.", theme=theme,
        source=ProposalSource.RESIDENT, author_label="Habitante",
    )
    moderation.add_comment(proposal, "Bonne idée", author_label="Voisin")
    if voting.current_period(quartier) is None:
        services.open_period(quartier, "Printemps")
    db.session.flush()
    return {"proposal_id": proposal.id, "fmt": "csv"}
