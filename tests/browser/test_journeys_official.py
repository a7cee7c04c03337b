"""An official's review at 1280 px, in French, on the demo's Près Saint-Jean: reads the projet de
quartier submitted to the comité de pilotage, requests changes in a text typed on two lines,
then, once the facilitator resubmits it, validates it through a confirmation step that works
without JavaScript. What was typed is read back from the database and from the pages.
"""
from __future__ import annotations

from datetime import date

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
    DESKTOP, PRES, TYPED, Steps, confirm_if_asked, fresh, on_two_lines, open_page, seed, sign_in, type_date,
    type_into,
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


def test_official_reviews_requests_changes_then_validates_with_confirmation(live_server, browser, axe, app):
    world = seed()
    steps = Steps()
    projet = _submitted_projet(world)
    base = live_server
    page = open_page(browser, DESKTOP)
    sign_in(page, base, world.official)

    # --- the dashboard leads to the projet waiting for a decision -------------------------------
    page.goto(f"{base}/tableau-de-bord")
    assert axe(page) == [], "dashboard"
    screenshot(page, "journey-official-01-dashboard")
    link = page.locator(f"main a[href$='/projets/{projet.id}']")
    steps.check(link.count() >= 1, "dashboard: no link to the projet waiting for the comité de pilotage")
    page.goto(f"{base}/projets/{projet.id}")
    assert axe(page) == [], "review"
    screenshot(page, "journey-official-02-review")
    # The content comes before the decision buttons.
    content_y = page.locator(".strategic-title").first.bounding_box()["y"]
    decision_y = page.locator("a[href$='/valider'], form[action$='/valider']").first.bounding_box()["y"]
    steps.check(content_y < decision_y, "review: the decision buttons come before the projet's content")
    assert "Des jardins partagés" in page.locator("main").inner_text()

    # --- changes requested, typed on two lines -----------------------------------------------------
    type_into(page, "#changes-body", TYPED)
    _press(page, "form[action$='/demander-des-modifications'] button[type=submit]")
    assert "renvoyé en brouillon" in page.content(), page.locator("main").inner_text()[:500]
    fresh()
    request = db.session.scalar(select(ProjetComment).where(ProjetComment.projet_id == projet.id,
                                                           ProjetComment.kind == CommentKind.CHANGE_REQUEST))
    assert request.body == TYPED
    assert db.session.get(ProjetDeQuartier, projet.id).state is ProjetState.DRAFT
    screenshot(page, "journey-official-03-changes-requested")

    # The facilitator sees it on their space and on the projet, lines kept.
    facilitator = open_page(browser, DESKTOP)
    sign_in(facilitator, base, world.facilitator)
    with facilitator.expect_navigation():
        facilitator.click("nav a:has-text('Mon espace')")
    steps.check(facilitator.locator(f"main a[href*='/projets/{projet.id}']").count() >= 1,
                "facilitator's space: no link to the projet whose changes were requested")
    screenshot(facilitator, "journey-official-04-facilitator-space")
    facilitator.goto(f"{base}/projets/{projet.id}")
    shown = facilitator.locator(".change-requests li").first
    steps.check(on_two_lines(shown), f"projet: the change request is not shown on two lines: {shown.inner_text()!r}")
    screenshot(facilitator, "journey-official-05-facilitator-sees-request")
    facilitator.context.close()
    fresh()
    projet = db.session.get(ProjetDeQuartier, projet.id)
    projets.add_operational(projet.priorities[0].strategic[0], title="Un composteur partagé")
    workflow.submit(projet, world.facilitator)
    workflow.forward_to_pilotage(projet, world.facilitator)
    db.session.commit()
    page.context.close()

    # --- validation, without JavaScript: a confirmation step, then the version is validated ------
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, base, world.official)
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
    screenshot(page, "journey-official-06-confirm")
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
    screenshot(page, "journey-official-07-validated")
    context.close()
    steps.verify()
