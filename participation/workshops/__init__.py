"""Workshops (world café and other in-person formats): live notes, harvest, compte-rendu."""


def init_app(app) -> None:
    """Registers this domain's quartier-page sections, evidence provider and CLI with the app."""
