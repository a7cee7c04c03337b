"""Workshops (world café and other in-person formats): live notes, harvest, compte-rendu."""
import os


def init_app(app) -> None:
    """This domain's settings and commands."""
    from participation.workshops.cli import workshops_cli

    # Photos of the diagnostic en marchant: at most this many bytes each (before re-encoding).
    app.config.setdefault("WORKSHOP_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
    app.config.setdefault("WORKSHOP_PHOTOS_PER_OBSERVATION", 3)
    # Under the instance folder, never in static/: photos are served by a route that checks access.
    app.config.setdefault("WORKSHOP_UPLOAD_FOLDER", os.path.join(app.instance_path, "uploads", "workshops"))
    # The domain of the calendar's event UIDs: fixed, so a client's Host header never gets in.
    app.config.setdefault(
        "WORKSHOP_ICS_DOMAIN", (app.config.get("SERVER_NAME") or "parlons-quartier.localhost").split(":")[0]
    )
    app.cli.add_command(workshops_cli)
