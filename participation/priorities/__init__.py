"""Priorities: every voice aggregated into priority themes, the projet de quartier, validation, restitution."""


def init_app(app) -> None:
    """Registers this domain's quartier-page sections, evidence provider and CLI with the app."""
    from participation.priorities.views import quartier_section, staff_section
    from participation.quartiers.services import register_quartier_section

    register_quartier_section(app, quartier_section)
    register_quartier_section(app, staff_section)
