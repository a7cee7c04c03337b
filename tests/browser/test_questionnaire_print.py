"""The printable questionnaire as Chromium prints it: every sheet starts with the title and the form number."""
from __future__ import annotations

from participation.accounts.models import Role

from tests.browser.conftest import browser_login, screenshot
from tests.conftest import TEST_PASSWORD
from tests.questionnaires.conftest import build_questionnaire
from tests.questionnaires.test_paper_pdf import pdf_pages

TITLE = "Votre quartier en 2030"


def _print_version(live_server, page, make_quartier, make_contrat, make_user, language: str):
    quartier = make_quartier("QN03014M", name="L'Écusson", contrat=make_contrat("De Cèze Cévennes"))
    qn = build_questionnaire(quartier)
    user = make_user(Role.FACILITATOR, quartier=quartier)
    browser_login(page, live_server, user.email, TEST_PASSWORD)
    page.goto(f"{live_server}/questionnaires/{qn.id}/imprimer?langue={language}")
    return qn


def test_every_printed_sheet_carries_the_title_and_form_number(live_server, page, axe, make_quartier,
                                                                make_contrat, make_user):
    _print_version(live_server, page, make_quartier, make_contrat, make_user, "fr")
    assert axe(page) == []
    assert page.locator("[style]").count() == 0  # the strict CSP refuses style attributes
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "questionnaire-print-screen")

    page.emulate_media(media="print")
    sheets = pdf_pages(page.pdf(format="A4"))
    assert len(sheets) > 1  # the questionnaire runs over several sheets
    for sheet in sheets:
        assert sheet.lines[0] == TITLE, sheet.lines[:3]
        assert sheet.text.count("Formulaire n°") == 1, sheet.text[:300]
    # The form number is written once, in the running head, not a second time on the first sheet.
    assert page.locator(".form-number").count() == 1


def test_arabic_sheets_are_mirrored_and_headed_too(live_server, page, make_quartier, make_contrat, make_user):
    _print_version(live_server, page, make_quartier, make_contrat, make_user, "ar")
    page.emulate_media(media="print")
    sheets = pdf_pages(page.pdf(format="A4"))
    assert len(sheets) > 1
    assert all(sheet.lines[0] == TITLE for sheet in sheets)  # no Arabic title: the French one
    title = page.locator(".paper-running-title").bounding_box()
    number = page.locator(".form-number").bounding_box()
    tick = page.locator(".tick").first.bounding_box()
    label = page.locator(".tick-list li").first.bounding_box()
    # Right to left: the title on the right, the form number on the left; tick boxes on the right.
    assert number["x"] + number["width"] < title["x"]
    assert tick["x"] + tick["width"] > label["x"] + label["width"] - 4
