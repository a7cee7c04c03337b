"""The projet page's "Étapes": one step a line, each saying whether it is done, current or to
come, and when it was reached (looked at in Chromium at 1280 and 360 px; here through HTTP)."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from participation.extensions import db
from participation.priorities.models import ProjetDeQuartier
from tests.priorities.test_projet import _draft


def _steps(html: str) -> list[tuple[str, str, str]]:
    steps = re.search(r'<ol class="steps">(.*?)</ol>', html, re.S).group(1)
    return [(cls, re.sub(r"\s+", " ", name).strip(), re.sub(r"\s+", " ", status).strip())
            for cls, name, status in re.findall(
                r'<li class="step ([\w-]+)"[^>]*>\s*<span class="step-name">(.*?)</span>\s*<span class="step-status">(.*?)</span>',
                steps, re.S)]


def _day_in_paris(moment: datetime) -> str:
    """The day the page shows: the reader's time zone (Europe/Paris), not UTC — after 23:00 UTC
    in winter, Paris is already on the next day."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y")


def test_each_step_says_its_status_and_date(client, login, ecusson):
    projet = _draft(client, login, ecusson, themes=("habitat",))
    created = _day_in_paris(projet.created_at)
    steps = _steps(client.get(f"/projets/{projet.id}").get_data(as_text=True))
    assert steps == [
        ("step-current", "Brouillon", f"étape actuelle · créé le {created}"),
        ("step-next", "Soumis au comité technique", "à venir"),
        ("step-next", "Soumis au comité de pilotage", "à venir"),
        ("step-next", "Validé", "à venir"),
    ]

    client.post_form(f"/projets/{projet.id}/soumettre")
    client.post_form(f"/projets/{projet.id}/transmettre")
    db.session.expire_all()
    submitted = _day_in_paris(db.session.get(ProjetDeQuartier, projet.id).latest_version.submitted_at)
    html = client.get(f"/projets/{projet.id}").get_data(as_text=True)
    assert _steps(html) == [
        ("step-done", "Brouillon", f"fait · créé le {created}"),
        ("step-done", "Soumis au comité technique", f"fait · soumis le {submitted}"),
        ("step-current", "Soumis au comité de pilotage", "étape actuelle"),
        ("step-next", "Validé", "à venir"),
    ]
    assert len(re.findall(r'aria-current="step"', html)) == 1
    assert re.search(r'<li class="step step-current" aria-current="step">\s*<span class="step-name">Soumis au comité de pilotage', html)
