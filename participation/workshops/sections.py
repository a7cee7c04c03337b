"""The workshops' blocks of the public quartier page: upcoming workshops (with .ics) and published
comptes-rendus."""
from __future__ import annotations

from participation import auth
from participation.quartiers.services import QuartierSection
from participation.workshops import public
from participation.workshops import live_capture


def upcoming_section(quartier) -> QuartierSection | None:
    workshops = public.upcoming_workshops(quartier)
    can_capture = auth.can_act_on_quartier(quartier, live_capture.CAPTURE_ROLES)
    if not workshops and not can_capture:
        return None
    return QuartierSection(
        "workshops/_section_upcoming.html",
        {"upcoming_workshops": workshops, "can_capture": can_capture},
        order=40,
    )


def reports_section(quartier) -> QuartierSection | None:
    published = public.published_reports(quartier)
    if not published:
        return None
    return QuartierSection("workshops/_section_reports.html", {"published_reports": published}, order=60)


SECTIONS = [upcoming_section, reports_section]
