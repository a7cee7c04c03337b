"""Workshops (world café and other in-person formats): live notes, harvest, compte-rendu."""
import os


def init_app(app) -> None:
    """Registers this domain's quartier-page sections, evidence provider and CLI with the app."""
    from participation.evidence import register_provider
    from participation.quartiers.services import register_quartier_section
    from participation.workshops import sections
    from participation.workshops.cli import workshops_cli
    from participation.workshops.evidence import WorkshopEvidenceProvider

    # Photos of the diagnostic en marchant: at most this many bytes each (before re-encoding).
    app.config.setdefault("WORKSHOP_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
    app.config.setdefault("WORKSHOP_PHOTOS_PER_OBSERVATION", 3)
    # Under the instance folder, never in static/: photos are served by a route that checks access.
    app.config.setdefault("WORKSHOP_UPLOAD_FOLDER", os.path.join(app.instance_path, "uploads", "workshops"))
    register_quartier_section(app, sections.upcoming_section)
    register_quartier_section(app, sections.reports_section)
    register_provider(app, WorkshopEvidenceProvider())
    app.cli.add_command(workshops_cli)
