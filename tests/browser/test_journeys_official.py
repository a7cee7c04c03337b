"""An official's review at 1280 px, in French and in Arabic, on the demo's Près Saint-Jean: reads
the projet de quartier submitted to the comité de pilotage, requests changes in a text typed on
two lines, then, once the facilitator resubmits it, validates it through a confirmation step
that works without JavaScript. What was typed is read back from the database and from the pages;
what the app says is read from its catalog in the journey's language, never copied in French.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.main import demo_ales
from participation.priorities import projet as projets, workflow
from participation.priorities.models import (
    CommentKind, ConcertationPeriod, ProjetComment, ProjetDeQuartier, ProjetState, ProjetVersion, VersionDecision,
)
from participation.quartiers.models import Quartier, Theme

from tests.browser.conftest import screenshot
from tests.browser.journeys import (
    PRES, TYPED, Steps, confirm_if_asked, fresh, in_language, on_two_lines, seed, staff_page, type_date, type_into,
    wording,
)

MEETING = date(2026, 11, 20)


def _submitted_projet(world) -> ProjetDeQuartier:
    """The facilitator's projet, through the comité technique, waiting for the comité de pilotage."""
    quartier = db.session.scalar(select(Quartier).where(Quartier.qpv_code == PRES))
    period = db.session.scalar(select(ConcertationPeriod).where(ConcertationPeriod.name == demo_ales.PERIOD_NAME))
    themes = {t.slug: t.id for t in db.session.scalars(select(Theme).where(Theme.contrat_id == period.contrat_id))}
    projet = projets.create_projet(quartier, period, title="Projet de quartier Près Saint-Jean",
                                    theme_ids=[themes["cadre-de-vie"], themes["emploi"]])
    strategic = projets.add_strategic(projet.priorities[0], title="Des pieds d'immeubles accueillants")
    projets.add_operational(strategic, title="Des jardins partagés", description="Avec le bailleur\nDès le printemps")
    workflow.submit(projet, world.facilitator)
    workflow.forward_to_pilotage(projet, world.facilitator)
    db.session.commit()
    return projet


def _press(page, selector: str) -> None:
    page.focus(selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_official_reviews_requests_changes_then_validates_with_confirmation(live_server, browser, axe, app, language):
    world = seed()
    steps = Steps()
    projet = _submitted_projet(world)
    base = live_server
    shot = f"journey-official-{language}"
    page = staff_page(browser, base, world.official, language)

    # --- the dashboard leads to the projet waiting for a decision -------------------------------
    page.goto(f"{base}/tableau-de-bord")
    assert axe(page) == [], "dashboard"
    in_language(page, language, steps, "dashboard", heading=wording(app, language, "Tableau de bord"))
    screenshot(page, f"{shot}-01-dashboard")
    link = page.locator(f"main a[href$='/projets/{projet.id}']")
    steps.check(link.count() >= 1, "dashboard: no link to the projet waiting for the comité de pilotage")
    page.goto(f"{base}/projets/{projet.id}")
    assert axe(page) == [], "review"
    in_language(page, language, steps, "review")
    screenshot(page, f"{shot}-02-review")
    # The content comes before the decision buttons.
    content_y = page.locator(".strategic-title").first.bounding_box()["y"]
    decision_y = page.locator("a[href$='/valider'], form[action$='/valider']").first.bounding_box()["y"]
    steps.check(content_y < decision_y, "review: the decision buttons come before the projet's content")
    assert "Des jardins partagés" in page.locator("main").inner_text()

    # --- changes requested, typed on two lines -----------------------------------------------------
    type_into(page, "#changes-body", TYPED)
    _press(page, "form[action$='/demander-des-modifications'] button[type=submit]")
    sent_back = wording(app, language, "Le projet est renvoyé en brouillon avec vos demandes de modification.")
    assert sent_back in page.locator("main .flashes").inner_text(), page.locator("main").inner_text()[:500]
    fresh()
    request = db.session.scalar(select(ProjetComment).where(ProjetComment.projet_id == projet.id,
                                                           ProjetComment.kind == CommentKind.CHANGE_REQUEST))
    assert request.body == TYPED
    assert db.session.get(ProjetDeQuartier, projet.id).state is ProjetState.DRAFT
    screenshot(page, f"{shot}-03-changes-requested")

    # The facilitator sees it on their space and on the projet, lines kept.
    facilitator = staff_page(browser, base, world.facilitator, language)
    with facilitator.expect_navigation():
        facilitator.click("nav.main-nav a[href$='/espace']")
    in_language(facilitator, language, steps, "facilitator's space", heading=wording(app, language, "Mon espace"))
    steps.check(facilitator.locator(f"main a[href*='/projets/{projet.id}']").count() >= 1,
                "facilitator's space: no link to the projet whose changes were requested")
    screenshot(facilitator, f"{shot}-04-facilitator-space")
    facilitator.goto(f"{base}/projets/{projet.id}")
    shown = facilitator.locator(".change-requests li").first
    steps.check(on_two_lines(shown), f"projet: the change request is not shown on two lines: {shown.inner_text()!r}")
    in_language(facilitator, language, steps, "projet with a change request")
    screenshot(facilitator, f"{shot}-05-facilitator-sees-request")
    facilitator.context.close()
    fresh()
    projet = db.session.get(ProjetDeQuartier, projet.id)
    projets.add_operational(projet.priorities[0].strategic[0], title="Un composteur partagé")
    workflow.submit(projet, world.facilitator)
    workflow.forward_to_pilotage(projet, world.facilitator)
    db.session.commit()
    page.context.close()

    # --- validation, without JavaScript: a confirmation step, then the version is validated ------
    page = staff_page(browser, base, world.official, language, java_script_enabled=False)
    page.goto(f"{base}/projets/{projet.id}")
    decision = page.locator("main a[href$='/valider'], main form[action$='/valider'] button[type=submit]").first
    if page.locator("main form[action$='/valider'] input[name$='meeting_on']").count():
        type_date(page, "main form[action$='/valider'] input[name$='meeting_on']", MEETING)  # dated on the projet page
    decision.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    fresh()
    decided = db.session.scalar(select(ProjetVersion).where(ProjetVersion.projet_id == projet.id,
                                                           ProjetVersion.number == 2))
    steps.check(decided.decision is not VersionDecision.VALIDATED,
                "validate: the version is validated at once, without a confirmation step")
    in_language(page, language, steps, "confirmation",
                heading=wording(app, language, "Valider et publier la version %(n)s ?", n=decided.number))
    screenshot(page, f"{shot}-06-confirm")
    field = page.locator("main form[action$='/valider'] input[name$='meeting_on']")
    if decided.decision is not VersionDecision.VALIDATED and field.count() and not field.input_value():
        type_date(page, "main form[action$='/valider'] input[name$='meeting_on']", MEETING)  # dated on the confirmation
    confirmed = confirm_if_asked(page)
    steps.check(confirmed, "validate: no confirmation step (a page with a button to confirm)")
    fresh()
    decided = db.session.get(ProjetVersion, decided.id)
    assert decided.decision is VersionDecision.VALIDATED, decided.decision
    assert decided.meeting_on == MEETING
    assert db.session.get(ProjetDeQuartier, projet.id).state is ProjetState.VALIDATED
    in_language(page, language, steps, "validated projet")
    screenshot(page, f"{shot}-07-validated")
    page.context.close()
    steps.verify()
