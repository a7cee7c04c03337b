"""URL parameters of the workshops routes, for the route walk in tests/test_routes_access.py."""
from __future__ import annotations

from datetime import timedelta

from participation.extensions import db
from participation.modelbase import utcnow
from participation.quartiers.services import active_themes
from participation.workshops import live_capture, reporting, setup
from participation.workshops.models import ReportStatus, WorkshopFormat


def build(quartier) -> dict:
    theme = active_themes(quartier.commune.contrat_id)[0]
    workshop = setup.create_workshop(
        quartier, title="Atelier de parcours", format=WorkshopFormat.WORLD_CAFE,
        starts_at=utcnow() + timedelta(days=3),
    )
    table = setup.add_table(workshop, theme_id=theme.id)
    stop = setup.add_stop(workshop, name="Place de la mairie")
    note, _ = live_capture.add_note(
        workshop, table_id=table.id, round_number=1, question_id=workshop.questions[0].id,
        text="Une note", client_key=live_capture.new_client_key(), author=None,
    )
    report = reporting.generate_report(workshop, None)
    # Validated already: the walk's bare POSTs then meet "not a draft"/"not submitted" (409),
    # never the validation right, which tests/workshops covers.
    report.status = ReportStatus.VALIDATED
    db.session.flush()
    return {
        "workshop_id": workshop.id, "table_id": table.id, "stop_id": stop.id, "note_id": note.id,
        "photo_id": 999_999, "version": report.version, "report_id": report.id, "validator_id": 999_999,
    }
