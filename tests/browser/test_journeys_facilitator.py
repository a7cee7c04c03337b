"""A facilitator's evening at 1280 px, keyboard first, in French, on the demo's Près Saint-Jean.

Builds a questionnaire whose choices are typed one per line (Enter between them: the browser
sends CRLF), types in two paper forms with the keyboard alone, runs a world café (creates it,
adds a table, captures a note on two lines), gets its compte-rendu validated by the contrat's
administrator and published, and drafts the projet de quartier. What was typed is read back
from the database and from the pages.
"""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from participation.extensions import db
from participation.priorities.models import OperationalObjective, ProjetDeQuartier, StrategicObjective
from participation.questionnaires.models import Answer, Kind, Question, Questionnaire, Response
from participation.workshops import times
from participation.workshops.models import ReportStatus, Workshop, WorkshopNote, WorkshopReport

from tests.browser.conftest import screenshot
from tests.browser.journeys import (
    DESKTOP, PRES, TYPED, TYPED_LINES, Steps, confirm_if_asked, date_order, fits, fresh, on_two_lines, open_page, seed,
    sign_in, type_into, type_lines,
)

TITLE = "Enquête « jeunesse » — شباب 🏠"
CHOICES = ["Le parc < 500 m", "La médiathèque — مكتبة", "Le stade 🏟️"]


def _submit_focused(page, selector: str) -> None:
    """Tab-reachable submit button: focus it and press Enter, as a keyboard user does."""
    page.focus(selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_facilitator_builds_enters_paper_runs_a_world_cafe_and_drafts_the_projet(live_server, browser, axe, app):
    world = seed()
    steps = Steps()
    base = live_server
    page = open_page(browser, DESKTOP)
    sign_in(page, base, world.facilitator)

    # --- 1. a questionnaire, its choices typed one per line ---------------------------------
    page.goto(f"{base}/quartiers/{PRES}/questionnaires/nouveau")
    page.click("#title")
    page.keyboard.type(TITLE)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # implicit submission from the title field
    assert "/modifier" in page.url, page.locator("main").inner_text()[:400]
    questionnaire = db.session.scalar(select(Questionnaire).order_by(Questionnaire.id.desc()))
    assert questionnaire.title == TITLE
    with page.expect_navigation():
        page.click("a:has-text('Ajouter une question à cette page')")
    page.focus("#kind")
    page.keyboard.type("Choix unique")  # type-ahead in the select
    assert page.input_value("#kind") == "single"
    page.keyboard.press("Tab")
    page.keyboard.type("Qu'est-ce qui manque le plus aux jeunes ?")
    type_into(page, "#choices_text", "\n".join(CHOICES))
    screenshot(page, "journey-facilitator-01-choices")
    assert axe(page) == [], "question form"
    _submit_focused(page, "main form button[type=submit]")
    fresh()
    single = db.session.scalar(select(Question).where(Question.section.has(questionnaire_id=questionnaire.id)))
    assert single is not None, page.locator("main").inner_text()[:600]
    assert [c.label for c in single.choices] == CHOICES
    # A long-text question next to it, for the paper forms.
    with page.expect_navigation():
        page.click("a:has-text('Ajouter une question à cette page')")
    page.focus("#kind")
    page.keyboard.type("Texte long")
    page.keyboard.press("Tab")
    page.keyboard.type("Autre chose à dire ?")
    _submit_focused(page, "main form button[type=submit]")
    shown = page.locator("main").inner_text()
    for label in CHOICES:
        steps.check(label in shown, f"builder: choice {label!r} not shown on the questionnaire page")
    # A page added by mistake, then deleted: an irreversible action asks to confirm.
    page.click("main form[action$='/sections'] input[name=title]")
    page.keyboard.type("Page en trop")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    fresh()
    extra = [s for s in db.session.get(Questionnaire, questionnaire.id).sections if s.title == "Page en trop"]
    assert len(extra) == 1, page.locator("main").inner_text()[:400]
    _submit_focused(page, f"main form[action$='/sections/{extra[0].id}/supprimer'] button[type=submit]")
    fresh()
    steps.check(len(db.session.get(Questionnaire, questionnaire.id).sections) == 2,
                "builder: deleting a section asks no confirmation")
    steps.check(confirm_if_asked(page), "builder: deleting a section has no confirmation step")
    fresh()
    assert len(db.session.get(Questionnaire, questionnaire.id).sections) == 1
    _submit_focused(page, "main form:has(input[name=state][value=open]) button[type=submit]")
    screenshot(page, "journey-facilitator-02-builder")
    assert axe(page) == [], "builder"

    # --- 2. two paper forms, keyboard only ------------------------------------------------
    fresh()
    long_text = db.session.scalar(select(Question).where(Question.section.has(questionnaire_id=questionnaire.id),
                                                         Question.kind == Kind.LONG_TEXT))
    page.goto(f"{base}/questionnaires/{questionnaire.id}/saisie")
    for number, digit, text in ((12, "2", TYPED), (13, "3", "Rien à ajouter")):
        # The number field has the focus; typing replaces the prefilled number.
        assert page.evaluate("document.activeElement.id") == "form_number"
        page.keyboard.type(str(number))
        steps.check(page.input_value("#form_number") == str(number),
                    f"paper: typing {number} into the prefilled number gives {page.input_value('#form_number')!r}")
        if page.input_value("#form_number") != str(number):  # go on with the right number all the same
            page.keyboard.press("Control+A")
            page.keyboard.type(str(number))
        page.keyboard.press("Alt+ArrowDown")  # to question 1
        assert page.evaluate("document.activeElement.type") == "radio"
        page.keyboard.press(digit)  # ticks the choice
        moved = page.evaluate("document.activeElement.tagName") == "TEXTAREA"
        steps.check(moved, "paper: a digit on a single-choice question does not move to the next question")
        if not moved:
            page.keyboard.press("Alt+ArrowDown")
        type_lines(page, text)
        screenshot(page, f"journey-facilitator-03-paper-{number}")
        with page.expect_navigation():
            page.keyboard.press("Control+Enter")
        assert f"n° {number} enregistré" in page.content(), page.locator("main").inner_text()[:500]
    assert axe(page) == [], "paper entry"
    fresh()
    forms = {r.form_number: r for r in db.session.scalars(select(Response).where(
        Response.questionnaire_id == questionnaire.id))}
    assert sorted(forms) == [12, 13]
    for number, index, text in ((12, 1, TYPED), (13, 2, "Rien à ajouter")):
        answers = {a.question_id: a for a in db.session.scalars(select(Answer).where(
            Answer.response_id == forms[number].id))}
        assert answers[single.id].choice_id == single.choices[index].id, number
        assert answers[long_text.id].text == text, number
    page.goto(f"{base}/questionnaires/{questionnaire.id}/textes")
    quote = page.locator("blockquote", has_text=TYPED_LINES[1]).first
    steps.check(on_two_lines(quote), f"paper: the long text is not shown on two lines: {quote.inner_text()!r}")

    # --- 3. a world café: create it, add a table, capture a note on two lines ----------------
    page.goto(f"{base}/quartiers/{PRES}/ateliers/nouveau")
    page.click("#title")
    page.keyboard.type("World café « Jeunesse » — شباب")
    page.focus("#format")
    page.keyboard.type("World")
    day = (questionnaire.created_at + timedelta(days=3)).date()
    order = date_order(page)  # jj/mm/aaaa in a French Chromium; this one may show mm/dd/yyyy
    page.focus("#starts_at")
    page.keyboard.type(day.strftime(order))
    page.keyboard.press("Tab")  # Tab moves to the time part of the field
    page.keyboard.type("1800")
    assert page.input_value("#starts_at") == f"{day:%Y-%m-%d}T18:00"
    page.click("#place")
    page.keyboard.type("Centre social, salle 2")
    screenshot(page, "journey-facilitator-04-workshop-form")
    _submit_focused(page, "main form:has(#title) button[type=submit]")
    assert re.search(r"/ateliers/\d+$", page.url), page.locator("main").inner_text()[:600]
    workshop = db.session.scalar(select(Workshop).order_by(Workshop.id.desc()))
    steps.check("18:00" in page.locator("main").inner_text() or "18 h" in page.locator("main").inner_text(),
                "workshop: its page does not show the time typed (18:00)")
    page.focus("#table-theme_id")
    page.keyboard.press("ArrowDown")
    _submit_focused(page, "main form:has(#table-theme_id) button[type=submit]")
    screenshot(page, "journey-facilitator-05-workshop")
    assert axe(page) == [], "workshop page"
    # A second table added by mistake, then deleted: it asks to confirm.
    page.focus("#table-theme_id")
    page.keyboard.press("ArrowDown")
    _submit_focused(page, "main form:has(#table-theme_id) button[type=submit]")
    fresh()
    workshop = db.session.get(Workshop, workshop.id)
    assert len(workshop.tables) == 2
    _submit_focused(page, f"main form[action$='/tables/{workshop.tables[1].id}/supprimer'] button[type=submit]")
    fresh()
    steps.check(len(db.session.get(Workshop, workshop.id).tables) == 2, "workshop: deleting a table asks no confirmation")
    steps.check(confirm_if_asked(page), "workshop: deleting a table has no confirmation step")
    fresh()
    workshop = db.session.get(Workshop, workshop.id)
    assert len(workshop.tables) == 1
    page.goto(f"{base}/ateliers/{workshop.id}/saisie?table={workshop.tables[0].id}&round=1")
    page.click("#text")
    type_lines(page, TYPED)
    page.locator("button.ws-send").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#notes-list li').length === 1")
    steps.check(on_two_lines(page.locator("#notes-list li").first),
                f"capture: the note is not shown on two lines: {page.locator('#notes-list li').first.inner_text()!r}")
    screenshot(page, "journey-facilitator-06-capture")
    page.reload()
    steps.check(on_two_lines(page.locator("#notes-list li").first),
                f"capture (after reload): the note is not shown on two lines: {page.locator('#notes-list li').first.inner_text()!r}")
    assert axe(page) == [], "capture"
    fresh()
    assert db.session.scalars(select(WorkshopNote.text).where(WorkshopNote.workshop_id == workshop.id)).all() == [TYPED]

    # --- 4. the compte-rendu: drafted, submitted, validated by the administrator, published --
    page.goto(f"{base}/ateliers/{workshop.id}/compte-rendu")
    type_into(page, "#context", "Atelier du soir\nAvec les jeunes du quartier")
    _submit_focused(page, "main form:has(#context) button[type=submit]")
    _submit_focused(page, "main form[action$='/soumettre'] button[type=submit]")
    confirm_if_asked(page)
    screenshot(page, "journey-facilitator-07-report-submitted")
    fresh()
    report = db.session.scalar(select(WorkshopReport).where(WorkshopReport.workshop_id == workshop.id))
    assert report.status is ReportStatus.SUBMITTED, report.status
    # The facilitator's space says who validates, or the page does.
    admin = open_page(browser, DESKTOP)
    sign_in(admin, base, world.admin)
    with admin.expect_navigation():
        admin.click("nav a:has-text('Mon espace')")
    steps.check(admin.locator(f"a[href*='/ateliers/{workshop.id}/compte-rendu']").count() >= 1,
                "report: the validator's space does not link to the compte-rendu waiting for them")
    admin.goto(f"{base}/ateliers/{workshop.id}/compte-rendu")
    _submit_focused(admin, "main form[action$='/valider'] button[type=submit]")
    confirmed = confirm_if_asked(admin)
    steps.check(confirmed, "report: validating a compte-rendu asks no confirmation")
    screenshot(admin, "journey-facilitator-08-report-validated")
    admin.context.close()
    fresh()
    assert db.session.get(WorkshopReport, report.id).status is ReportStatus.VALIDATED
    stored = db.session.get(Workshop, workshop.id)
    local = times.to_local(stored.starts_at, stored.timezone)
    assert (local.date(), local.hour, local.minute) == (day, 18, 0), (stored.starts_at, stored.timezone)
    page.goto(f"{base}/ateliers/{workshop.id}/compte-rendu")
    _submit_focused(page, "main form[action$='/publier'] button[type=submit]")
    confirmed = confirm_if_asked(page)
    steps.check(confirmed, "report: publishing a compte-rendu asks no confirmation")
    fresh()
    assert db.session.get(WorkshopReport, report.id).status is ReportStatus.PUBLISHED
    page.goto(f"{base}/comptes-rendus/{report.id}")
    note = page.locator("main li, main p", has_text=TYPED_LINES[1]).first
    steps.check(on_two_lines(note), f"report: the note is not shown on two lines: {note.inner_text()!r}")
    assert axe(page) == [], "published compte-rendu"
    screenshot(page, "journey-facilitator-09-report-public")

    # --- 5. the projet de quartier, drafted --------------------------------------------------
    page.goto(f"{base}/quartiers/{PRES}/projet-de-quartier/nouveau")
    screenshot(page, "journey-facilitator-10-projet-new")
    assert axe(page) == [], "projet new"
    _submit_focused(page, "main form[method=post] button[type=submit]")
    projet = db.session.scalar(select(ProjetDeQuartier).where(ProjetDeQuartier.quartier.has(qpv_code=PRES)))
    assert projet is not None, page.locator("main").inner_text()[:600]
    strategic_field = page.locator("input[id^='add-strategic-']").first
    strategic_field.click()
    page.keyboard.type(TYPED_LINES[0])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    fresh()
    strategic = db.session.scalar(select(StrategicObjective).order_by(StrategicObjective.id.desc()))
    assert strategic.title == TYPED_LINES[0]
    page.locator(f"#add-operational-{strategic.id}").click()
    page.keyboard.type("Un local pour les jeunes")
    page.keyboard.press("Tab")
    type_lines(page, TYPED)
    _submit_focused(page, f"form:has(#add-operational-{strategic.id}) button[type=submit]")
    fresh()
    action = db.session.scalar(select(OperationalObjective).where(OperationalObjective.strategic_id == strategic.id))
    assert (action.title, action.description) == ("Un local pour les jeunes", TYPED)
    item = page.locator(f"#action-{action.id}")
    steps.check(on_two_lines(item), f"projet: the action's description is not shown on two lines: {item.inner_text()!r}")
    steps.check(fits(page, DESKTOP["width"]), f"{page.url}: wider than the screen")
    assert axe(page) == [], "projet editor"
    screenshot(page, "journey-facilitator-11-projet-draft")
    # A draft can be exported the same evening, without submitting it.
    steps.check(page.locator("a[href$='.pdf'], a[href*='.pdf?']").count() >= 1,
                "projet: the draft has no PDF export link")
    page.context.close()
    steps.verify()
