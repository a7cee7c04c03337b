"""A resident votes with a code on a phone: pour on one, contre on another, changes one, sees the counts."""
from __future__ import annotations

from playwright.sync_api import expect

from participation.extensions import db
from participation.proposals import moderation, services, voting
from participation.proposals.models import ProposalSource

from tests.browser.conftest import screenshot


def _setup(make_quartier, make_contrat):
    quartier = make_quartier("QN03014M", name="L'Écusson", contrat=make_contrat("De Cèze Cévennes"), population=1250)
    themes = services.themes_of(quartier)
    health = services.create_proposal(quartier, title="Une Maison de Santé Pluridisciplinaire", theme=themes[0],
                                      body="Des médecins et des infirmiers au même endroit.",
                                      source=ProposalSource.CONSEIL_CITOYEN, author_label="Conseil citoyen")
    street = services.create_proposal(quartier, title="Sécuriser le boulevard du Portalet", theme=themes[1],
                                      body="Un plateau ralentisseur devant l'école.", place_text="Boulevard du Portalet",
                                      source=ProposalSource.RESIDENT, author_label="Nadia")
    moderation.add_comment(street, "Les voitures vont trop vite le matin.", author_label="Voisin")
    period = services.open_period(quartier, "Printemps 2026")
    (_number, code), = voting.generate_codes(quartier, period, 1, 10)
    db.session.commit()
    return quartier, health, street, code


def _count(page, proposal, key):
    return page.locator(f'[data-counts="{proposal.id}"] [data-count="{key}"]').first.inner_text()


def test_resident_votes_with_a_code_and_sees_counts_update(live_server, page, axe, make_quartier, make_contrat):
    quartier, health, street, code = _setup(make_quartier, make_contrat)
    base = f"{live_server}/quartiers/{quartier.qpv_code}/propositions"
    page.goto(base)
    assert axe(page) == []
    page.fill("#code", code.lower())
    page.click("button:has-text('Valider mon code')")
    page.wait_for_load_state()
    assert "Votre code est accepté" in page.content()
    assert axe(page) == []

    health_card = page.locator(f"#proposition-{health.id}")
    street_card = page.locator(f"#proposition-{street.id}")
    health_card.locator("button[value=pour]").click()
    expect(page.locator(f'[data-counts="{health.id}"] [data-count="pour"]').first).to_have_text("1")
    street_card.locator("button[value=contre]").click()
    expect(page.locator(f'[data-counts="{street.id}"] [data-count="contre"]').first).to_have_text("1")
    assert health_card.locator("button[value=pour]").get_attribute("aria-pressed") == "true"
    # Changes the first vote.
    health_card.locator("button[value=sans_avis]").click()
    expect(page.locator(f'[data-counts="{health.id}"] [data-count="sans_avis"]').first).to_have_text("1")
    assert _count(page, health, "pour") == "0"
    assert _count(page, health, "participants_label") == "1 participant·e"  # updated in place, singular
    expect(page.locator("[data-votes-used]")).to_have_text("2")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "proposals-list-360")
    assert axe(page) == []

    # After a reload, the server agrees; the proposal page passes axe too.
    page.goto(f"{base}/{health.id}")
    assert _count(page, health, "sans_avis") == "1" and _count(page, health, "pour") == "0"
    assert page.locator("button[value=sans_avis]").get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe(page) == []
    page.goto(f"{base}/{street.id}")
    assert _count(page, street, "contre") == "1"
    screenshot(page, "proposal-page-360")
    assert axe(page) == []


def test_votes_work_without_javascript(live_server, browser, make_quartier, make_contrat):
    quartier, health, _street, code = _setup(make_quartier, make_contrat)
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server}/quartiers/{quartier.qpv_code}/propositions/{health.id}")
    page.fill("#code", code)
    page.click("button:has-text('Valider mon code')")
    page.goto(f"{live_server}/quartiers/{quartier.qpv_code}/propositions/{health.id}")
    page.click("button[value=pour]")
    page.wait_for_load_state()
    assert page.locator(f'[data-counts="{health.id}"] [data-count="pour"]').first.inner_text() == "1"
    context.close()


def test_facilitator_prints_a_sheet_of_codes(live_server, page, axe, make_quartier, make_contrat, make_user):
    from participation.accounts.models import Role
    from tests.browser.conftest import browser_login
    from tests.conftest import TEST_PASSWORD

    quartier, _health, _street, _code = _setup(make_quartier, make_contrat)
    facilitator = make_user(Role.FACILITATOR, quartier=quartier)
    browser_login(page, live_server, facilitator.email, TEST_PASSWORD)
    page.goto(f"{live_server}/quartiers/{quartier.qpv_code}/propositions/gestion")
    assert axe(page) == []
    page.fill("#count", "9")
    page.fill("#max_votes", "15")
    page.click("button:has-text('Générer et imprimer')")
    page.wait_for_load_state()
    assert page.locator("[data-voting-code]").count() == 9
    page.emulate_media(media="print")
    assert page.locator("nav.main-nav").is_hidden()
    screenshot(page, "proposals-code-sheet-print")
