"""Proposals and votes per quartier, with official answers."""


def init_app(app) -> None:
    """Registers this domain's quartier-page sections, evidence provider and CLI with the app."""
