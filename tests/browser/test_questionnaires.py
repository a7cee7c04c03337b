"""A resident answers a three-page questionnaire on a phone, leaves and comes back; axe on every page."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from participation.accounts.models import Role
from participation.extensions import db
from participation.questionnaires.models import Answer, Response

from tests.browser.conftest import browser_login, screenshot
from tests.conftest import TEST_PASSWORD
from tests.questionnaires.conftest import build_questionnaire


def _ecusson(make_quartier, make_contrat):
    return make_quartier("QN03014M", name="L'Écusson", contrat=make_contrat("De Cèze Cévennes"), population=1250)


def test_resident_answers_leaves_comes_back_and_finishes(live_server, browser, axe, make_quartier, make_contrat):
    quartier = _ecusson(make_quartier, make_contrat)
    qn = build_questionnaire(quartier)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(f"{live_server}/quartiers/QN03014M")
    page.click("text=Votre quartier en 2030")
    assert axe(page) == []
    page.click("button:has-text('Commencer')")

    # Page 1: a required question left blank is refused with a message, then answered.
    assert page.locator("h1").inner_text().startswith("Vous")
    assert "Page 1 sur 2" in page.content()  # page 2 depends on an answer not given yet
    assert axe(page) == []
    page.click("button:has-text('Page suivante')")
    assert page.locator("[data-error-summary]").is_visible()
    assert axe(page) == []
    page.check(f"#q{qn.kids.id}-{qn.yes.id}")
    page.check(f"#q{qn.age.id}-{qn.age.choices[2].id}")
    page.click("button:has-text('Page suivante')")

    # The condition (children: yes) shows page 2. The resident leaves here.
    assert page.locator("h1").inner_text().startswith("Vos enfants")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe(page) == []
    page.goto(f"{live_server}/quartiers/QN03014M")

    # Back later on the same phone: the answers were kept, the resident resumes on page 2.
    page.goto(f"{live_server}/q/{qn.id}")
    page.click("button:has-text('Continuer mes réponses')")
    assert page.locator("h1").inner_text().startswith("Vos enfants")
    page.click("button:has-text('Page précédente')")
    assert page.is_checked(f"#q{qn.kids.id}-{qn.yes.id}")
    page.click("button:has-text('Page suivante')")
    page.check(f"#q{qn.school.id}-{qn.school.choices[0].id}")
    page.check(f"#q{qn.wishes.id}-{qn.wishes.choices[1].id}")
    page.click("button:has-text('Page suivante')")

    # Page 3: ranking with selects, pictogram scale, free text.
    assert "Page 3 sur 3" in page.content()
    assert axe(page) == []
    page.select_option(f"#q{qn.ranking.id}_1", str(qn.top_themes[2].id))
    page.select_option(f"#q{qn.ranking.id}_2", str(qn.top_themes[0].id))
    page.check(f"#q{qn.scale.id}-{qn.scale.choices[4].id}")
    page.fill(f"#q{qn.idea.id}", "Des bancs à l'ombre près de l'école")
    screenshot(page, "questionnaire-page3-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("button:has-text('Envoyer mes réponses')")
    assert "Merci" in page.locator("h1").inner_text()
    # The receipt code is shown large, readable on a phone, and says what it is for.
    code = page.locator(".receipt-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2}", code)
    assert "ni avec votre nom, ni avec votre appareil" in page.content()
    assert "À quoi sert ce code ?" in page.content()
    assert page.locator(".receipt-code").evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 30
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe(page) == []
    screenshot(page, "questionnaire-thanks-receipt-360")
    # Copy and print: buttons the script adds (without it, the page still shows the code).
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("button:has-text('Copier le code')")
    expect(page.locator("[data-copy-status]")).to_have_text("Code copié.")
    assert page.evaluate("navigator.clipboard.readText()") == code
    assert page.locator("button:has-text('Imprimer')").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("button:has-text('Imprimer')").is_visible()
    assert page.locator(".receipt-code").is_visible()
    page.emulate_media(media="screen")
    # Found again from the thanks page while the device keeps its cookie.
    page.reload()
    assert page.locator(".receipt-code").inner_text().strip() == code
    context.close()

    responses = db.session.query(Response).all()
    assert len(responses) == 1
    texts = [a.text for a in db.session.query(Answer).filter(Answer.text.isnot(None))]
    assert texts == ["Des bancs à l'ombre près de l'école"]


def test_questionnaire_works_without_javascript(live_server, browser, make_quartier, make_contrat):
    quartier = _ecusson(make_quartier, make_contrat)
    qn = build_questionnaire(quartier)
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server}/q/{qn.id}")
    page.click("button:has-text('Commencer')")
    assert page.locator("button.listen").count() == 0  # no listen button without speech synthesis support
    page.check(f"#q{qn.kids.id}-{qn.no.id}")
    page.click("button:has-text('Page suivante')")
    assert page.locator("h1").inner_text().startswith("Vos priorités")  # page 2 skipped by the server
    page.click("button:has-text('Envoyer mes réponses')")
    assert "Merci" in page.locator("h1").inner_text()
    context.close()
    db.session.expire_all()
    assert db.session.query(Response).count() == 1


def test_results_builder_and_paper_entry_pass_axe(live_server, page, axe, make_quartier, make_contrat, make_user):
    from participation.questionnaires import paper_entry

    quartier = _ecusson(make_quartier, make_contrat)
    qn = build_questionnaire(quartier)
    facilitator = make_user(Role.FACILITATOR, quartier=quartier)
    for number in (1, 2, 3):
        paper_entry.enter_paper(qn.q, form_number=number, entered_by_id=facilitator.id, quartier_id=quartier.id,
                             values={str(qn.kids.id): [qn.yes.id], str(qn.idea.id): f"Idée {number}",
                                     str(qn.ranking.id): [qn.top_themes[number].id]})
    db.session.commit()
    browser_login(page, live_server, facilitator.email, TEST_PASSWORD)
    for path in (f"/questionnaires/{qn.id}/resultats", f"/questionnaires/{qn.id}/textes",
                 f"/questionnaires/{qn.id}/modifier", f"/questionnaires/{qn.id}/saisie",
                 f"/questionnaires/{qn.id}/questions/{qn.kids.id}", f"/questionnaires/{qn.id}/traductions"):
        page.goto(live_server + path)
        assert axe(page) == [], path
        screenshot(page, "questionnaire-staff" + path.replace("/", "-"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path

    # Paper entry with the keyboard only: the number, then Alt+↓ to the first question, a digit ticks.
    page.goto(f"{live_server}/questionnaires/{qn.id}/saisie")
    page.fill("#form_number", "4")
    page.keyboard.press("Alt+ArrowDown")
    page.keyboard.press("1")
    with page.expect_navigation(url="**/saisie"):
        page.keyboard.press("Control+Enter")
    page.wait_for_load_state()
    assert "Formulaire n° 4 enregistré" in page.content()
    db.session.expire_all()
    assert db.session.query(Response).filter_by(form_number=4).one().answers[0].choice_id == qn.kids.choices[0].id
    # The form's date sits between the number and the questions: Alt+↓ from it reaches question 1.
    page.fill("#form_number", "5")
    page.focus("#filled_on")
    page.keyboard.press("Alt+ArrowDown")
    page.keyboard.press("1")
    with page.expect_navigation(url="**/saisie"):
        page.keyboard.press("Control+Enter")
    db.session.expire_all()
    assert db.session.query(Response).filter_by(form_number=5).one().answers[0].choice_id == qn.kids.choices[0].id


def test_paper_entry_takes_at_most_one_and_a_half_keys_per_closed_question(live_server, page, make_quartier,
                                                                           make_contrat, make_user):
    """Issue 10 §4: 5 forms of 10 closed questions typed with the keyboard alone, every key counted."""
    from participation.questionnaires import building, services
    from participation.questionnaires.models import Kind, State

    quartier = _ecusson(make_quartier, make_contrat)
    q = building.create_questionnaire(contrat_id=quartier.contrat_id, quartier=quartier, title="Saisie rapide")
    section = building.add_section(q, "Questions")
    closed = [
        building.add_question(section, kind=Kind.YES_NO, text="Avez-vous des enfants ?"),
        building.add_question(section, kind=Kind.SINGLE, text="Transport", choices=["Bus", "Vélo", "Voiture"]),
        building.add_question(section, kind=Kind.SINGLE, text="Logement", choices=["Locataire", "Propriétaire"]),
        building.add_question(section, kind=Kind.SCALE, text="Propreté"),
        building.add_question(section, kind=Kind.SCALE, text="Sécurité"),
        building.add_question(section, kind=Kind.AGE_BAND),
        building.add_question(section, kind=Kind.GENDER),
        building.add_question(section, kind=Kind.YEARS_LIVED),
        building.add_question(section, kind=Kind.MULTIPLE, text="Ce qui manque", max_choices=2,
                              choices=["Crèche", "Parc", "Médecin"]),
        building.add_question(section, kind=Kind.RANKING, text="Vos priorités", max_choices=3),
    ]
    building.set_state(q, State.OPEN)
    facilitator = make_user(Role.FACILITATOR, quartier=quartier)
    db.session.commit()
    themes = services.ranking_themes(q)
    browser_login(page, live_server, facilitator.email, TEST_PASSWORD)
    page.goto(f"{live_server}/questionnaires/{q.id}/saisie")

    presses = 0

    def press(key):
        nonlocal presses
        presses += 1
        page.keyboard.press(key)

    forms = [[1, 2, 1, 4, 5, 3, 1, 2, (1, 3), (3, 1, 5)], [2, 3, 2, 1, 2, 6, 2, 4, (2, 3), (1, 2, 4)],
             [1, 1, 1, 5, 5, 1, 1, 1, (1, 2), (7, 6, 5)], [2, 2, 2, 3, 3, 4, 3, 5, (3, 1), (2, 3, 1)],
             [1, 3, 1, 2, 4, 5, 2, 3, (2, 1), (4, 5, 6)]]
    for number, digits in enumerate(forms, start=1):
        assert page.locator("#form_number").input_value() == str(number)  # prefilled, and focused
        press("Enter")  # from the form number to question 1
        for value in digits:
            for digit in value if isinstance(value, tuple) else (value,):
                press(str(digit))
        with page.expect_navigation(url="**/saisie**"):
            press("Enter")  # the last answer leads to the save button
        assert f"Formulaire n° {number} enregistré" in page.content()
    per_question = presses / (len(forms) * len(closed))
    assert per_question <= 1.5, per_question

    db.session.expire_all()
    for number, digits in enumerate(forms, start=1):
        stored = db.session.query(Response).filter_by(questionnaire_id=q.id, form_number=number).one()
        picked = {a.choice_id for a in stored.answers if a.choice_id}
        for question, value in zip(closed[:9], digits[:9]):
            wanted = {question.choices[d - 1].id for d in (value if isinstance(value, tuple) else (value,))}
            assert wanted <= picked, (number, question.text)
        ranked = [a.theme_id for a in sorted(stored.answers, key=lambda a: a.rank or 0) if a.rank]
        assert ranked == [themes[d - 1].id for d in digits[9]]

    # Typing a number replaces the prefilled one ("12" typed over "6" gives 12, not 612).
    page.keyboard.type("12")
    assert page.locator("#form_number").input_value() == "12"
