"""In Chromium at phone size: a facilitator drafts a projet de quartier (two themes, two
strategic and three operational objectives) and submits it; an official requests a change,
then validates the next version; the public quartier page shows it. axe-core on the
dashboard, the editor and the public pages."""
from __future__ import annotations

from tests.browser.conftest import PHONE, browser_login, screenshot
from tests.conftest import TEST_PASSWORD
from tests.priorities.conftest import ecusson, provider  # noqa: F401  (fixtures shared with tests/priorities)


def _add(page, label_start: str, title: str):
    field = page.get_by_label(label_start, exact=False).first
    field.fill(title)
    field.locator("xpath=ancestor::form").locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_projet_de_quartier_from_draft_to_public_page(live_server, browser, page, axe, ecusson, provider):
    base = live_server
    # --- the facilitator drafts ------------------------------------------------------------
    browser_login(page, base, ecusson.facilitator.email, TEST_PASSWORD)
    page.goto(f"{base}/quartiers/QN03014M/priorites")
    assert page.locator("table.ranking tbody tr").first.inner_text().startswith("1")
    page.click("text=Préparer le projet de quartier")
    # Four themes are pre-checked from the ranking; keep Habitat and Accès aux soins.
    for label in ("Prévention de la délinquance", "Emploi"):
        page.get_by_label(label, exact=False).uncheck()
    page.click("main button[type=submit]:has-text('Créer le brouillon')")
    assert "Le brouillon du projet de quartier a été créé." in page.content()

    _add(page, "Nouvel objectif stratégique pour « Habitat »", "Un quartier plus propre")
    _add(page, "Nouvel objectif stratégique pour « Accès aux soins »", "Développer l'offre de soins")
    _add(page, "Nouvel objectif opérationnel (action) pour « Un quartier plus propre »", "Ramassage des encombrants")
    _add(page, "Nouvel objectif opérationnel (action) pour « Un quartier plus propre »", "Poubelles de tri")
    _add(page, "Nouvel objectif opérationnel (action) pour « Développer l'offre de soins »", "Maison de Santé Pluridisciplinaire")
    assert page.locator(".strategic-title").count() == 2
    assert page.locator(".operational-title").count() == 3
    assert axe(page) == [], "editor"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "priorities-editor-360")
    page.click("button:has-text('Soumettre au comité technique')")
    assert "Soumis au comité technique" in page.content()
    projet_url = page.url.split("#")[0]

    # --- the official requests a change --------------------------------------------------
    official_context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR")  # a tablet
    official = official_context.new_page()
    browser_login(official, base, ecusson.official.email, TEST_PASSWORD)
    official.goto(f"{base}/tableau-de-bord")
    assert "Version 1 soumise au comité technique" in official.content()
    assert axe(official) == [], "dashboard"
    screenshot(official, "priorities-dashboard-tablet")
    official.goto(projet_url)
    official.fill("#changes-body", "Ajoutez une action contre les dépôts sauvages.")
    official.click("button:has-text('Demander des modifications')")
    assert "renvoyé en brouillon" in official.content()

    # --- the facilitator reworks and resubmits -----------------------------------------
    page.goto(projet_url)
    assert "Ajoutez une action contre les dépôts sauvages." in page.content()
    item = page.locator(".operational-list li").filter(has_text="Poubelles de tri")
    item.locator("summary").click()
    field = item.locator("input[name=title]")
    field.fill("Lutter contre les dépôts sauvages et installer des poubelles de tri")
    field.locator("xpath=ancestor::form").locator("button[value=save]").click()
    page.wait_for_load_state()
    page.click("button:has-text('Soumettre au comité technique')")
    page.click("button:has-text('Transmettre au comité de pilotage')")
    assert "Soumis au comité de pilotage" in page.content()

    # --- the official validates version 2 --------------------------------------------------
    official.goto(projet_url)
    assert axe(official) == [], "review"
    official.click("text=Valider et publier la version 2")  # a confirmation page, no script needed
    assert axe(official) == [], "confirmation"
    official.fill("#validation-meeting_on", "2024-03-22")
    official.click("button:has-text('Confirmer : valider et publier')")
    assert "La version 2 est validée" in official.content()
    official.click("text=ce qui a changé")
    assert "Lutter contre les dépôts sauvages" in official.content()
    official_context.close()

    # --- anyone sees it on the quartier page -----------------------------------------------
    public_context = browser.new_context(viewport=PHONE, locale="fr-FR")
    public = public_context.new_page()
    public.goto(f"{base}/quartiers/QN03014M")
    restitution = public.locator("section.restitution")
    assert "Vous avez dit, nous avons retenu" in restitution.inner_text()
    assert "22/03/2024" in restitution.inner_text()
    assert "Lutter contre les dépôts sauvages" in restitution.inner_text()
    assert axe(public) == [], "public quartier page"
    assert public.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(public, "priorities-restitution-360")
    for path in ("/priorites/methode", "/restitution"):
        public.goto(base + path)
        assert axe(public) == [], path
    # The receipt code is posted (never in the URL) and the result rendered on the response.
    public.fill("input[name=code]", "RECU-1234")
    public.click("main button[type=submit]")
    assert public.url == f"{base}/restitution" and "RECU-1234" not in public.url
    assert "Accès aux soins" in public.content()
    assert axe(public) == [], "receipt result"
    public_context.close()


def test_editor_works_without_javascript(live_server, browser, ecusson, provider):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    browser_login(page, live_server, ecusson.facilitator.email, TEST_PASSWORD)
    page.goto(f"{live_server}/quartiers/QN03014M/projet-de-quartier/nouveau")
    page.click("main button[type=submit]:has-text('Créer le brouillon')")
    _add(page, "Nouvel objectif stratégique pour « Habitat »", "Un quartier plus vert")
    assert page.locator(".strategic-title").first.inner_text() == "Un quartier plus vert"
    context.close()


def test_axe_on_every_priorities_page(live_server, page, axe, ecusson, provider):
    from participation.extensions import db
    from participation.priorities import projet as projets, workflow

    projet = projets.create_projet(ecusson.quartier, ecusson.period, title="Projet de quartier L'Écusson",
                                    theme_ids=[ecusson.t("habitat"), ecusson.t("acces-aux-soins")])
    strategic = projets.add_strategic(projet.priorities[0], title="Un quartier plus propre")
    projets.add_operational(strategic, title="Ramassage des encombrants")
    workflow.submit(projet, ecusson.facilitator)
    workflow.request_changes(projet, ecusson.official, body="Précisez le calendrier.")
    projets.add_operational(strategic, title="Poubelles de tri")
    workflow.submit(projet, ecusson.facilitator)
    db.session.commit()
    browser_login(page, live_server, ecusson.admin.email, TEST_PASSWORD)
    q = "/quartiers/QN03014M"
    paths = [
        f"{q}/priorites", f"{q}/priorites/themes/{ecusson.t('habitat')}", f"{q}/priorites/representativite",
        f"{q}/priorites/evolution", f"{q}/population", f"{q}/projet-de-quartier", f"{q}/projet-de-quartier/nouveau",
        f"/contrats/{ecusson.contrat.id}/priorites", f"/contrats/{ecusson.contrat.id}/concertations",
        f"/contrats/{ecusson.contrat.id}/ponderations", f"/projets/{projet.id}", f"/projets/{projet.id}/versions/2",
        f"/projets/{projet.id}/comparer", "/tableau-de-bord",
    ]
    for path in paths:
        response = page.goto(live_server + path)
        assert response.status == 200, path
        assert axe(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    # An error summary is accessible too.
    page.goto(f"{live_server}/contrats/{ecusson.contrat.id}/ponderations")
    page.fill("#weight-workshop_notes", "-1")
    page.click("main button[type=submit]")
    assert page.locator("[data-error-summary]").is_visible()
    assert axe(page) == []
