"""The foundation in a real browser at phone size: sign-in, quartier page, Arabic, accessibility, weight."""
from __future__ import annotations

from participation.accounts.models import Role
from participation.extensions import db
from participation.quartiers import services

from tests.browser.conftest import browser_login, screenshot
from tests.conftest import TEST_PASSWORD


def _ecusson(make_quartier, make_contrat):
    contrat = make_contrat("De Cèze Cévennes")
    quartier = make_quartier("QN03014M", name="L'Écusson", contrat=contrat, population=1250)
    services.add_member(quartier.conseil, display_name="Nadia B.", college=services.College.HABITANTS, is_referent=True)
    services.add_member(quartier.conseil, display_name="Centre social", college=services.College.ACTEURS_LOCAUX)
    db.session.commit()
    return quartier


def test_facilitator_signs_in_visits_quartier_and_switches_to_arabic(
    live_server, page, make_user, make_quartier, make_contrat
):
    quartier = _ecusson(make_quartier, make_contrat)
    facilitator = make_user(Role.FACILITATOR, quartier=quartier)

    browser_login(page, live_server, facilitator.email, TEST_PASSWORD)
    assert page.url.endswith("/espace")
    page.click("text=L'Écusson")
    assert page.url.endswith("/quartiers/QN03014M")
    assert page.locator("h1").inner_text() == "L'Écusson"
    assert page.locator("html").get_attribute("dir") == "ltr"
    screenshot(page, "quartier-fr-360")

    page.click("a[hreflang=ar]")
    assert page.url.endswith("/quartiers/QN03014M")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    screenshot(page, "quartier-ar-360")
    # Nothing overflows the 360 px viewport sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_axe_finds_no_violation_on_home_login_and_quartier(live_server, page, axe, make_quartier, make_contrat):
    _ecusson(make_quartier, make_contrat)
    for path in ("/", "/connexion", "/quartiers/QN03014M", "/langue/ar?next=/quartiers/QN03014M"):
        page.goto(live_server + path)
        assert axe(page) == [], path
    page.goto(live_server + "/connexion")
    page.click("main form button[type=submit]")  # empty form: error summary
    assert page.locator("[data-error-summary]").is_visible()
    assert axe(page) == []


def test_quartier_page_transfers_less_than_60_kb(live_server, browser, make_quartier, make_contrat):
    _ecusson(make_quartier, make_contrat)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    sizes: dict[str, int] = {}

    def count(response):
        body = response.body() if response.status < 300 else b""
        headers = sum(len(k) + len(v) + 4 for k, v in response.headers.items())
        sizes[response.url] = len(body) + headers

    page.on("response", count)
    page.goto(live_server + "/quartiers/QN03014M", wait_until="networkidle")
    context.close()
    total = sum(sizes.values())
    print(f"quartier page: {total} bytes in {len(sizes)} requests")
    assert len(sizes) >= 3  # the page, its stylesheet and its script at least were counted
    assert total < 60 * 1024, sizes


def test_pages_work_without_javascript(live_server, browser, make_user, make_quartier, make_contrat):
    quartier = _ecusson(make_quartier, make_contrat)
    facilitator = make_user(Role.FACILITATOR, quartier=quartier)
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    browser_login(page, live_server, facilitator.email, TEST_PASSWORD)
    assert page.url.endswith("/espace")
    page.goto(live_server + "/quartiers/QN03014M/conseil-citoyen/membres/nouveau")
    page.fill("#display_name", "Karim T.")
    page.click("main button[type=submit]")
    assert "Karim T." in page.content()
    context.close()


def test_admin_pages_are_accessible_at_phone_size(live_server, page, axe, make_user, make_quartier, make_contrat):
    quartier = _ecusson(make_quartier, make_contrat)
    admin = make_user(Role.ADMIN)
    browser_login(page, live_server, admin.email, TEST_PASSWORD)
    contrat_id = quartier.commune.contrat_id
    for path in (
        "/admin/territoires", f"/admin/contrats/{contrat_id}/themes", "/admin/utilisateurs",
        "/admin/utilisateurs/nouveau", "/admin/journal", "/quartiers/QN03014M/conseil-citoyen/modifier",
        "/espace/mot-de-passe",
    ):
        page.goto(live_server + path)
        assert axe(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    page.goto(live_server + f"/admin/contrats/{contrat_id}/themes")
    screenshot(page, "themes-admin-360")
