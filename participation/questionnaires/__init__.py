"""Questionnaires de concertation: built by facilitators, answered online or on paper, analysed."""


def init_app(app) -> None:
    """Registers this domain's quartier-page sections, evidence provider and CLI with the app."""
