"""Proposals and votes per quartier, with official answers."""


def init_app(app) -> None:
    """Registers this domain's quartier-page sections, evidence provider and CLI with the app."""
    from participation.evidence import register_provider
    from participation.proposals.cli import proposals_cli
    from participation.proposals.priorities_hooks import BatchedProposalEvidence
    from participation.proposals.services import quartier_section
    from participation.quartiers.services import register_quartier_section

    register_quartier_section(app, quartier_section)
    register_provider(app, BatchedProposalEvidence())  # ProposalEvidence, batched for the dashboard
    app.cli.add_command(proposals_cli)

    from participation.proposals import priorities_hooks

    priorities_hooks.register(app)  # linking, restitution, dashboard and receipts of the priorities
